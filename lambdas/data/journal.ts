import { randomUUID } from "node:crypto";
import { nextLink } from "../domain/audit-chain";
import { TransientDependencyError } from "../domain/errors";
import { type Dynamo, RetryableConditionError, type TransactItem } from "./dynamo";
import { latestParsed } from "./items";
import { auditSortKey, keys } from "./keys";
import { type AuditEvent, auditEvent, type NotificationRecord } from "./records";

/** DynamoDB's limit of items in one TransactWriteItems. */
const MAX_TRANSACTION_ITEMS = 100;

/** Marks an audit placeholder inside a transaction's items (see `Journal.auditPut`). */
const AUDIT = Symbol("audit");

export interface AuditInput {
  readonly entityId: string;
  readonly actor: string;
  readonly action: string;
  readonly at: string;
  readonly detail?: Record<string, unknown>;
  /**
   * The same transaction creates the entity, so its chain starts here and there is no head to look
   * up. The first link's put is conditional: were the entity not new after all, the transaction
   * fails on that link and is retried with a lookup.
   */
  readonly created?: boolean;
}

export interface NotificationInput extends Omit<NotificationRecord, "notificationId"> {}

/**
 * What every change writes besides itself: its audit events, each the next link of its entity's
 * hash chain, and the notifications it sends, all committed in the change's own transaction. Every
 * aggregate's store commits through here.
 */
export class Journal {
  constructor(private readonly db: Dynamo) {}

  /**
   * An audit event to append in the same transaction as the change it records. Its place in the
   * entity's hash chain (sequence number and hashes) is filled in at commit, from the chain's head.
   */
  auditPut(input: AuditInput): TransactItem {
    return Object.assign({}, { [AUDIT]: input });
  }

  /**
   * Appends audit events of reads (no change to commit with them), each at the head of its entity's
   * chain: up to 100 events (a transaction's limit) a transaction, so a read of 58 secret assignments
   * is one round trip (with its 58 head lookups at once), not 58. A race for one entity's head retries
   * the whole transaction from the new heads, as any commit does.
   */
  async appendAudit(events: readonly AuditInput[]): Promise<void> {
    for (let i = 0; i < events.length; i += MAX_TRANSACTION_ITEMS) {
      await this.commit(
        events.slice(i, i + MAX_TRANSACTION_ITEMS).map((e) => this.auditPut(e)),
        "audit append",
      );
    }
  }

  private async auditHead(entityId: string): Promise<{ seq: number; hash: string } | null> {
    return (await latestParsed(this.db, keys.audit(entityId), auditEvent, "audit event")) ?? null;
  }

  /**
   * Commits a transaction, first resolving its audit placeholders into the next links of their
   * entities' chains. Two writers racing for the same link make one transaction fail on the audit
   * item only; it is then rebuilt from the new head and tried again, so the race costs a retry, not a 409.
   */
  async commit(items: readonly TransactItem[], conflictMessage: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const heads = new Map<string, { seq: number; hash: string } | null>();
      const audits = items.map((item) => (item as { [AUDIT]?: AuditInput })[AUDIT]);
      const lookups = new Set<string>();
      for (const audit of audits) {
        if (audit && (attempt > 0 || !audit.created)) lookups.add(audit.entityId);
        else if (audit) heads.set(audit.entityId, null);
      }
      // The heads of different entities are independent: look them up at once, not one by one.
      await Promise.all(
        [...lookups].map(async (entityId) => heads.set(entityId, await this.auditHead(entityId))),
      );
      const auditIndexes: number[] = [];
      const resolved: TransactItem[] = [];
      for (const [index, item] of items.entries()) {
        const audit = audits[index];
        if (!audit) {
          resolved.push(item);
          continue;
        }
        const content = {
          entityId: audit.entityId,
          at: audit.at,
          actor: audit.actor,
          action: audit.action,
          detail: audit.detail,
        };
        const link = nextLink(heads.get(audit.entityId) ?? null, content);
        heads.set(audit.entityId, link);
        const event: AuditEvent = {
          entityId: audit.entityId,
          at: audit.at,
          actor: audit.actor,
          action: audit.action,
          ...(audit.detail ? { detail: audit.detail } : {}),
          ...link,
        };
        auditIndexes.push(index);
        resolved.push(
          this.db.put(
            { pk: keys.audit(audit.entityId), sk: auditSortKey(link.seq), ...event },
            "attribute_not_exists(pk)",
          ),
        );
      }
      try {
        await this.db.transact(resolved, conflictMessage, auditIndexes);
        return;
      } catch (error) {
        if (!(error instanceof RetryableConditionError)) throw error;
        if (attempt >= 10)
          throw new TransientDependencyError("The audit trail kept changing under this write");
      }
    }
  }

  notificationPut(input: NotificationInput): TransactItem {
    const notificationId = randomUUID();
    const record: NotificationRecord = { notificationId, ...input };
    return this.db.put({
      pk: keys.notifications(input.recipient),
      sk: `${input.at}#${notificationId}`,
      ...record,
    });
  }
}
