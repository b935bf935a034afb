import type { Dynamo, Page, TransactItem } from "./dynamo";
import { batchGetParsed, getParsed, type PageRequest, pageOfPartition } from "./items";
import type { AuditInput, Journal } from "./journal";
import { keys } from "./keys";
import { type EvidenceRecord, evidenceRecord } from "./records";

/**
 * How long after its upload URL expires a pending evidence item is kept: an upload that never
 * came leaves no record behind (DynamoDB TTL), as the bucket's lifecycle removes stray uploads.
 */
const PENDING_KEPT_SECONDS = 24 * 60 * 60;

/** Facts the upload check established from the stored bytes. */
export interface VerifiedFacts {
  readonly sha256: string;
  readonly uploadedAt: string;
  readonly checkedAt: string;
  readonly capturedAt?: string | undefined;
  readonly location?: { lat: number; lng: number } | undefined;
  readonly captureSource?: "exif" | "device" | undefined;
}

/** Evidence (取证): photos and documents of an assignment or a rectification order. */
export class EvidenceStore {
  constructor(
    private readonly db: Dynamo,
    private readonly journal: Journal,
  ) {}

  async getEvidence(id: string): Promise<EvidenceRecord | undefined> {
    return getParsed(this.db, keys.evidence(id), evidenceRecord, "evidence");
  }

  /** The evidence found among `ids`, in the order asked (unknown ids left out). */
  async getEvidenceList(ids: readonly string[]): Promise<EvidenceRecord[]> {
    if (ids.length === 0) return [];
    const found = await batchGetParsed(this.db, ids.map(keys.evidence), evidenceRecord, "evidence");
    const byId = new Map(found.map((e) => [e.evidenceId, e]));
    return ids.map((id) => byId.get(id)).filter((e): e is EvidenceRecord => e !== undefined);
  }

  /** A page of a subject's evidence, oldest first. */
  async pageOfSubject(
    subject: { kind: string; id: string },
    page: PageRequest,
  ): Promise<Page<EvidenceRecord>> {
    return pageOfPartition(
      this.db,
      "byOwner",
      keys.subjectEvidence(subject.kind, subject.id),
      page,
      evidenceRecord,
      "evidence",
    );
  }

  /** Records an upload about to happen (`pending`), expiring with its URL unless the upload is verified. */
  async createPending(e: EvidenceRecord, audit: AuditInput): Promise<void> {
    const expiration = Math.floor(new Date(e.expiresAt).getTime() / 1000) + PENDING_KEPT_SECONDS;
    await this.journal.commit(
      [
        this.db.put(
          {
            ...keys.evidence(e.evidenceId),
            gsi1pk: keys.subjectEvidence(e.subject.kind, e.subject.id),
            gsi1sk: `${e.createdAt}#${e.evidenceId}`,
            ...e,
            expiration,
          },
          "attribute_not_exists(pk)",
        ),
        this.journal.auditPut(audit),
      ],
      "该证据材料编号已存在。",
    );
  }

  /**
   * Marks a pending upload verified, in one transaction with the link that enters its SHA-256 into
   * the subject's audit chain and, for an order, the history entry that shows which photo came when.
   * Conditional on `pending`: a second upload event for the same evidence changes nothing.
   */
  async markVerified(e: EvidenceRecord, facts: VerifiedFacts, audits: readonly AuditInput[]): Promise<void> {
    const items: TransactItem[] = [
      this.db.update(
        keys.evidence(e.evidenceId),
        "SET #status = :verified, sha256 = :sha, uploadedAt = :up, checkedAt = :checked" +
          (facts.capturedAt ? ", capturedAt = :cap" : "") +
          (facts.location ? ", #location = :loc" : "") +
          (facts.captureSource ? ", captureSource = :src" : "") +
          " REMOVE expiration",
        { "#status": "status", ...(facts.location ? { "#location": "location" } : {}) },
        {
          ":verified": "verified",
          ":pending": "pending",
          ":sha": facts.sha256,
          ":up": facts.uploadedAt,
          ":checked": facts.checkedAt,
          ...(facts.capturedAt ? { ":cap": facts.capturedAt } : {}),
          ...(facts.location ? { ":loc": facts.location } : {}),
          ...(facts.captureSource ? { ":src": facts.captureSource } : {}),
        },
        "#status = :pending",
      ),
      ...audits.map((a) => this.journal.auditPut(a)),
    ];
    if (e.subject.kind === "rectification") {
      items.push(
        this.db.update(
          keys.rect(e.subject.id),
          "SET history = list_append(history, :entry) ADD version :one",
          undefined,
          {
            ":entry": [
              {
                at: facts.checkedAt,
                actor: e.uploadedBy,
                action: "evidence_added",
                evidenceIds: [e.evidenceId],
                purpose: e.purpose,
              },
            ],
            ":one": 1,
          },
          "attribute_exists(pk)",
        ),
      );
    }
    await this.journal.commit(items, "该证据材料已校验过。");
  }

  /** Marks a pending upload rejected with the reason (Chinese, for the uploader); the bytes are deleted. */
  async markRejected(e: EvidenceRecord, reason: string, checkedAt: string, audit: AuditInput): Promise<void> {
    await this.journal.commit(
      [
        this.db.update(
          keys.evidence(e.evidenceId),
          "SET #status = :rejected, reason = :reason, checkedAt = :checked REMOVE expiration",
          { "#status": "status" },
          { ":rejected": "rejected", ":pending": "pending", ":reason": reason, ":checked": checkedAt },
          "#status = :pending",
        ),
        this.journal.auditPut(audit),
      ],
      "该证据材料已校验过。",
    );
  }
}
