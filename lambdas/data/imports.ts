import type { ImportError } from "../domain/imports";
import type { Dynamo } from "./dynamo";
import { getParsed, strip } from "./items";
import type { AuditInput, Journal } from "./journal";
import { keys } from "./keys";
import {
  type ImportRecord,
  type ImportRowMarker,
  importErrorChunk,
  importRecord,
  importRowMarker,
  parseItem,
} from "./records";

/** How long after its upload URL expires an import whose file never came is kept (DynamoDB TTL). */
const PENDING_KEPT_SECONDS = 24 * 60 * 60;
/** How long the row markers of an import are kept: long after any retry of its run. */
const ROW_MARKERS_KEPT_SECONDS = 30 * 24 * 60 * 60;
/** Errors per item: 500 errors of ~150 bytes stay far below DynamoDB's 400 KB an item. */
const ERRORS_PER_CHUNK = 500;

const LEASE_LOST = "该导入正由另一进程执行。";

export interface ImportCounters {
  readonly total: number;
  readonly done: number;
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
}

/**
 * Spreadsheet imports (导入): the import itself, the errors of an invalid one, and the markers of
 * the rows a run writes. Every change of a running import is conditional on the run's lease token,
 * so a run that lost its lease (it stalled, another took over) cannot write over the one that has it.
 */
export class ImportStore {
  constructor(
    private readonly db: Dynamo,
    private readonly journal: Journal,
  ) {}

  /** Records an import whose file is about to be uploaded (`pending`, expiring unless it starts). */
  async create(record: ImportRecord, audit: AuditInput): Promise<void> {
    const expiration = Math.floor(new Date(record.uploadExpiresAt).getTime() / 1000) + PENDING_KEPT_SECONDS;
    await this.journal.commit(
      [
        this.db.put(
          { ...keys.importJob(record.importId), ...record, expiration },
          "attribute_not_exists(pk)",
        ),
        this.journal.auditPut(audit),
      ],
      "该导入编号已存在。",
    );
  }

  async getRecord(importId: string): Promise<ImportRecord | undefined> {
    return getParsed(this.db, keys.importJob(importId), importRecord, "import");
  }

  /** The import with the errors listed for it (one Query of its partition). */
  async getImport(importId: string): Promise<{ record: ImportRecord; errors: ImportError[] } | undefined> {
    const items = await this.db.queryAll({
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": keys.importPartition(importId) },
      ConsistentRead: true,
    });
    let record: ImportRecord | undefined;
    const errors: ImportError[] = [];
    for (const item of items) {
      if (item.sk === keys.importJob(importId).sk) record = parseItem(importRecord, strip(item), "import");
      else errors.push(...parseItem(importErrorChunk, strip(item), "import errors").errors);
    }
    return record ? { record, errors } : undefined;
  }

  /**
   * Takes the lease of an import for one run, as the import was read (same status, same lease or
   * none): a `pending` import becomes `validating`. Returns the import as it is now; a ConflictError
   * when someone else changed it first.
   */
  async claim(seen: ImportRecord, token: string, now: Date, leaseUntil: number): Promise<ImportRecord> {
    const at = now.toISOString();
    const item = await this.db.updateItem(
      keys.importJob(seen.importId),
      "SET leaseToken = :token, leaseUntil = :until, #status = :next, updatedAt = :at, " +
        "attempts = if_not_exists(attempts, :zero) + :one, startedAt = if_not_exists(startedAt, :at) " +
        "REMOVE expiration",
      { "#status": "status" },
      {
        ":token": token,
        ":until": leaseUntil,
        ":next": seen.status === "pending" ? "validating" : seen.status,
        ":seen": seen.status,
        ":at": at,
        ":zero": 0,
        ":one": 1,
        ...(seen.leaseUntil !== undefined ? { ":seenLease": seen.leaseUntil } : {}),
      },
      `#status = :seen AND ${seen.leaseUntil !== undefined ? "leaseUntil = :seenLease" : "attribute_not_exists(leaseUntil)"}`,
      "导入刚开始时被另一进程修改。",
    );
    return parseItem(importRecord, strip(item ?? {}), "import");
  }

  /** Extends the run's lease and shows its progress. A ConflictError when the run lost its lease. */
  async renew(importId: string, token: string, leaseUntil: number, counters: ImportCounters, at: Date) {
    await this.db.updateItem(
      keys.importJob(importId),
      "SET leaseUntil = :until, updatedAt = :at, #total = :total, #done = :done, created = :created, " +
        "updated = :updated, unchanged = :unchanged",
      { "#total": "total", "#done": "done" },
      { ":token": token, ":until": leaseUntil, ":at": at.toISOString(), ...counterValues(counters) },
      "leaseToken = :token",
      LEASE_LOST,
    );
  }

  /** Every row checked: the writing starts (`importing`). */
  async startImporting(importId: string, token: string, total: number, at: Date): Promise<void> {
    await this.db.updateItem(
      keys.importJob(importId),
      "SET #status = :importing, #total = :total, updatedAt = :at",
      { "#status": "status", "#total": "total" },
      {
        ":token": token,
        ":importing": "importing",
        ":validating": "validating",
        ":total": total,
        ":at": at.toISOString(),
      },
      "leaseToken = :token AND #status = :validating",
      LEASE_LOST,
    );
  }

  /** Ends an import as `invalid` with its errors (nothing of the file was written). */
  async finishInvalid(
    importId: string,
    token: string,
    result: { errors: readonly ImportError[]; errorCount: number; total: number },
    at: Date,
    audit: AuditInput,
  ): Promise<void> {
    const chunks: { errors: ImportError[] }[] = [];
    for (let i = 0; i < result.errors.length; i += ERRORS_PER_CHUNK)
      chunks.push({ errors: result.errors.slice(i, i + ERRORS_PER_CHUNK) });
    // Written first: a run that stops here writes the same chunks again (deterministic keys).
    await this.db.batchPut(chunks.map((c, i) => ({ ...keys.importErrors(importId, i), ...c })));
    await this.journal.commit(
      [
        this.db.update(
          keys.importJob(importId),
          "SET #status = :invalid, errorCount = :count, #total = :total, finishedAt = :at, updatedAt = :at " +
            "REMOVE leaseToken, leaseUntil",
          { "#status": "status", "#total": "total" },
          {
            ":invalid": "invalid",
            ":count": result.errorCount,
            ":total": result.total,
            ":at": at.toISOString(),
            ":token": token,
          },
          "leaseToken = :token",
        ),
        this.journal.auditPut(audit),
      ],
      LEASE_LOST,
    );
  }

  /** Ends an import as `done` with its counts and, when it created accounts, where their workbook is. */
  async finishDone(
    importId: string,
    token: string,
    counters: ImportCounters,
    credentials: ImportRecord["credentials"],
    at: Date,
    audit: AuditInput,
  ): Promise<void> {
    await this.journal.commit(
      [
        this.db.update(
          keys.importJob(importId),
          "SET #status = :done_, #total = :total, #done = :done, created = :created, updated = :updated, " +
            `unchanged = :unchanged, finishedAt = :at, updatedAt = :at${credentials ? ", credentials = :cred" : ""} ` +
            `REMOVE leaseToken, leaseUntil${credentials ? "" : ", credentials"}`,
          { "#status": "status", "#total": "total", "#done": "done" },
          {
            ":done_": "done",
            ":at": at.toISOString(),
            ":token": token,
            ...counterValues(counters),
            ...(credentials ? { ":cred": credentials } : {}),
          },
          "leaseToken = :token",
        ),
        this.journal.auditPut(audit),
      ],
      LEASE_LOST,
    );
  }

  /** The rows earlier runs of this import planned to write, by key. */
  async rowMarkers(importId: string): Promise<Map<string, ImportRowMarker>> {
    const items = await this.db.queryAll({
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": keys.importRows(importId) },
      ConsistentRead: true,
    });
    const markers = items.map((i) => parseItem(importRowMarker, strip(i), "import row"));
    return new Map(markers.map((m) => [m.key, m]));
  }

  /** Records the rows about to be written (25 a request; writing one twice is harmless). */
  async markRows(importId: string, markers: readonly ImportRowMarker[], now: Date): Promise<void> {
    const expiration = Math.floor(now.getTime() / 1000) + ROW_MARKERS_KEPT_SECONDS;
    await this.db.batchPut(markers.map((m) => ({ ...keys.importRow(importId, m.key), ...m, expiration })));
  }
}

function counterValues(c: ImportCounters) {
  return {
    ":total": c.total,
    ":done": c.done,
    ":created": c.created,
    ":updated": c.updated,
    ":unchanged": c.unchanged,
  };
}
