import { type ChainVerdict, verifyChain } from "../domain/audit-chain";
import type { Dynamo, Page } from "./dynamo";
import { getParsed, type PageRequest, queryPage } from "./items";
import { auditSortKey, keys } from "./keys";
import { type AuditEvent, auditEvent } from "./records";

/** Reads an entity's audit trail (审计留痕) and checks its hash chain. */
export class AuditTrailStore {
  constructor(private readonly db: Dynamo) {}

  /** A page of an entity's audit trail, oldest first, and whether its hash chain verifies. */
  async listAudit(entityId: string, page: PageRequest): Promise<Page<AuditEvent> & { chain: ChainVerdict }> {
    const { items, nextCursor } = await queryPage(
      this.db,
      {
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.audit(entityId) },
        ConsistentRead: true,
      },
      page,
      auditEvent,
      "audit event",
    );
    const first = items[0];
    let before: { seq: number; hash: string } | null = null;
    if (first && first.seq > 1) {
      const key = { pk: keys.audit(entityId), sk: auditSortKey(first.seq - 1) };
      // A missing predecessor is itself a break: the chain cannot verify against it.
      before = (await getParsed(this.db, key, auditEvent, "audit event")) ?? { seq: first.seq - 1, hash: "" };
    }
    return { items, nextCursor, chain: verifyChain(items, before) };
  }
}
