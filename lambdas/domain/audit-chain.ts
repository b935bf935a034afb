import { createHash } from "node:crypto";

/**
 * The audit trail of each entity is a hash chain: event n carries the hash of event n−1, and its own
 * hash covers its content and that link. Editing, removing or re-ordering a stored event breaks the
 * chain at that event, which `verifyChain` reports.
 */
export interface AuditContent {
  readonly entityId: string;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly detail?: Readonly<Record<string, unknown>> | undefined;
}

export interface ChainLink {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
}

export const GENESIS_HASH = "0".repeat(64);

/** JSON with object keys sorted at every level, so the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export function eventHash(content: AuditContent, seq: number, prevHash: string): string {
  return createHash("sha256")
    .update(
      canonicalJson({
        entityId: content.entityId,
        seq,
        at: content.at,
        actor: content.actor,
        action: content.action,
        detail: content.detail ?? null,
        prevHash,
      }),
    )
    .digest("hex");
}

/** The link of the next event after `head` (null for the first event of an entity). */
export function nextLink(head: Pick<ChainLink, "seq" | "hash"> | null, content: AuditContent): ChainLink {
  const seq = head ? head.seq + 1 : 1;
  const prevHash = head ? head.hash : GENESIS_HASH;
  return { seq, prevHash, hash: eventHash(content, seq, prevHash) };
}

export type ChainVerdict =
  | { readonly verified: true }
  | { readonly verified: false; readonly brokenAt: number };

/**
 * Verifies consecutive events (ascending `seq`), given the event just before the first one (null when
 * the first is the entity's first event).
 */
export function verifyChain(
  events: readonly (AuditContent & ChainLink)[],
  before: Pick<ChainLink, "seq" | "hash"> | null,
): ChainVerdict {
  let previous = before;
  for (const e of events) {
    const expectedSeq = previous ? previous.seq + 1 : 1;
    const expectedPrev = previous ? previous.hash : GENESIS_HASH;
    if (e.seq !== expectedSeq || e.prevHash !== expectedPrev || e.hash !== eventHash(e, e.seq, e.prevHash)) {
      return { verified: false, brokenAt: e.seq };
    }
    previous = e;
  }
  return { verified: true };
}
