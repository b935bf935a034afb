import { type ChainVerdict, verifyChain } from "../domain/audit-chain";
import type { Dynamo, Page } from "./dynamo";
import { type PageRequest, strip } from "./items";
import { auditSortKey, keys } from "./keys";
import { type AuditEvent, auditEvent, parseItem } from "./records";

/** Reads an entity's audit trail (审计留痕) and checks its hash chain. */
export class AuditTrailStore {
  constructor(private readonly db: Dynamo) {}

  /** A page of an entity's audit trail, oldest first, and whether its hash chain verifies. */
  async listAudit(entityId: string, page: PageRequest): Promise<Page<AuditEvent> & { chain: ChainVerdict }> {
    const out = await this.db.query(
      {
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.audit(entityId) },
        ConsistentRead: true,
      },
      page,
    );
    const items = out.items.map((i) => parseItem(auditEvent, strip(i), "audit event"));
    const first = items[0];
    let before: { seq: number; hash: string } | null = null;
    if (first && first.seq > 1) {
      const previous = await this.db.get({ pk: keys.audit(entityId), sk: auditSortKey(first.seq - 1) });
      // A missing predecessor is itself a break: the chain cannot verify against it.
      before = previous
        ? parseItem(auditEvent, strip(previous), "audit event")
        : { seq: first.seq - 1, hash: "" };
    }
    return { items, nextCursor: out.nextCursor, chain: verifyChain(items, before) };
  }
}
