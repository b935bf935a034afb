import { randomUUID } from "node:crypto";
import type { ImportCounters } from "../data/imports";
import type { ImportRecord, ImportRowMarker, PersonRecord, UnitRecord } from "../data/records";
import type { AncestorLink } from "../data/units";
import { ConflictError } from "../domain/errors";
import {
  COLUMNS,
  CREDENTIALS_HEADERS,
  CREDENTIALS_KEPT_DAYS,
  checkPeople,
  checkUnitTree,
  type ImportError,
  importObjectKeys,
  listedErrors,
  MAX_IMPORT_BYTES,
  type PersonRow,
  type PersonTarget,
  parsePeopleRows,
  parseUnitRows,
  personOutcome,
  personTarget,
  type RowOutcome,
  readTable,
  type TableRow,
  type UnitRow,
  unitOutcome,
  XLSX_CONTENT_TYPE,
} from "../domain/imports";
import { logger } from "../shared/logger";
import { deleteObject, putObject, readObjectUpTo } from "../shared/object-store";
import { readSpreadsheet } from "../shared/spreadsheet-reader";
import { xlsxWorkbook } from "../shared/xlsx-writer";
import { importStore, peopleStore, unitStore } from "./context";
import { changePerson, createPeople, resetPassword } from "./people";

/**
 * The run of one spreadsheet import, started by the bucket's upload event (delivered at least
 * once: twice at the same time, or again after a crash or a timeout).
 *
 * - **One run at a time.** A run takes the import's lease (60 s, renewed every 10 s while it
 *   works). A second delivery finds the lease held and waits for it to run out: renewed meanwhile,
 *   the holder is alive and finishes the import; not renewed, the holder died and this run takes over.
 * - **Validate everything, then write.** The whole file is checked against the rules and the
 *   stored data first; any error ends the import `invalid` with every error and nothing written.
 * - **Crash-safe writing.** Before the first write, every row to be written is marked with what
 *   its write is (created or updated). A run that resumes compares each row afresh: what is already
 *   as the row says is counted with the marked outcome (a unit an earlier run created stays
 *   "created"); what is not is written (every write is conditional on the version it read, so none
 *   lands twice).
 * - **Passwords reach the importer once.** The temporary passwords of the accounts created are
 *   kept in memory only, then written to one workbook in the bucket (never to the table or a log).
 *   A resumed run cannot know the passwords its predecessor made, so it gives those accounts new
 *   ones (no one ever saw the old ones) and the workbook holds exactly the passwords that work.
 */
const LEASE_MS = 60_000;
const HEARTBEAT_MS = 10_000;
const PROGRESS_MS = 1_000;
/** Stop (and let the retry resume) with this much of the function's time left. */
const STOP_BEFORE_TIMEOUT_MS = 30_000;
const UNIT_CONCURRENCY = 8;
/**
 * New units are created 50 a transaction (with their first audit links: `UnitStore.createUnits`),
 * two transactions at a time, the counters shown after each: a level of 577 grids is 12
 * transactions instead of 577, and a file of a few hundred units still shows its progress.
 */
const NEW_UNITS_PER_BATCH = 50;
const NEW_UNIT_BATCHES_AT_ONCE = 2;
/** The user pool takes account writes at a few dozen per second; four people at a time stay well below. */
const PEOPLE_CONCURRENCY = 4;
/**
 * New people are created in batches (`createPeople`): a batch's units, usernames and inspector
 * profiles read once, its records about 16 people a transaction, written while the next batch's
 * accounts are made (still four at a time in the user pool).
 */
const NEW_PEOPLE_PER_BATCH = 64;

/** The run lost its lease to another (it stalled for longer than the lease): it stops, quietly. */
class LeaseLostError extends Error {
  constructor() {
    super("The import's lease passed to another run");
    this.name = "LeaseLostError";
  }
}

/** The function is about to time out: the run stops and its retry resumes where it stopped. */
export class ImportTimeBudgetError extends Error {
  constructor() {
    super("The import run stopped before the function's timeout; its retry resumes it");
    this.name = "ImportTimeBudgetError";
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs (or resumes) the import; `remainingMs` is the function's time left. */
export async function runImport(importId: string, remainingMs: () => number): Promise<void> {
  const token = randomUUID();
  const record = await claim(importId, token);
  if (!record) return;
  const run = new ImportRun(record, token, remainingMs);
  try {
    await run.execute();
  } catch (error) {
    if (error instanceof LeaseLostError) {
      logger.warn("Import run stopped: another run took its lease over", { importId });
      return;
    }
    // Let the retry start at once instead of waiting for the lease to run out.
    await run.release();
    throw error;
  } finally {
    run.stop();
  }
  await deleteObject(importObjectKeys(importId).upload);
}

/**
 * Takes the import's lease for this run; undefined when there is nothing to do — the import is
 * unknown or finished (its file is then deleted), or another run is alive and working on it.
 */
async function claim(importId: string, token: string): Promise<ImportRecord | undefined> {
  const upload = importObjectKeys(importId).upload;
  for (let attempt = 0; attempt < 5; attempt++) {
    const seen = await importStore.getRecord(importId);
    if (!seen || seen.status === "done" || seen.status === "invalid") {
      if (!seen) logger.warn("Import file without an import discarded", { importId });
      await deleteObject(upload);
      return undefined;
    }
    if (seen.leaseUntil !== undefined && seen.leaseUntil >= Date.now()) {
      await sleep(Math.min(LEASE_MS, seen.leaseUntil - Date.now()) + 1000);
      const again = await importStore.getRecord(importId);
      // Renewed, finished or taken by a third: someone alive has it.
      if (!again || again.leaseUntil !== seen.leaseUntil || again.status !== seen.status) return undefined;
      continue;
    }
    try {
      return await importStore.claim(seen, token, new Date(), Date.now() + LEASE_MS);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  return undefined;
}

/** Runs `step` over `items`, `limit` at a time; the first failure stops the rest from starting. */
async function eachLimited<T>(items: readonly T[], limit: number, step: (item: T) => Promise<void>) {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await step(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

interface Credential {
  readonly row: number;
  readonly username: string;
  readonly name: string;
  readonly password: string;
}

class ImportRun {
  private readonly counters = { total: 0, done: 0, created: 0, updated: 0, unchanged: 0 };
  private readonly heartbeat: ReturnType<typeof setInterval>;
  private renewing: Promise<void> = Promise.resolve();
  private lost = false;
  private lastRenewal = Date.now();

  constructor(
    private readonly record: ImportRecord,
    private readonly token: string,
    private readonly remainingMs: () => number,
  ) {
    this.heartbeat = setInterval(() => void this.renew(), HEARTBEAT_MS);
  }

  private get importId() {
    return this.record.importId;
  }

  stop(): void {
    clearInterval(this.heartbeat);
  }

  /** Extends the lease and shows the counters; renewals run one at a time, in order. */
  private renew(): Promise<void> {
    this.renewing = this.renewing.then(async () => {
      if (this.lost) return;
      try {
        await importStore.renew(this.importId, this.token, Date.now() + LEASE_MS, this.counters, new Date());
        this.lastRenewal = Date.now();
      } catch (error) {
        if (error instanceof ConflictError) this.lost = true;
        else
          logger.warn("Import lease renewal failed; retried at the next beat", { importId: this.importId });
      }
    });
    return this.renewing;
  }

  /** Gives the lease up (after a failure), with the counters so far. */
  async release(): Promise<void> {
    this.stop();
    await this.renewing;
    if (this.lost) return;
    try {
      await importStore.renew(this.importId, this.token, 0, this.counters, new Date());
    } catch {
      // The lease runs out by itself within a minute.
    }
  }

  /** Before each write: still ours, and time left. */
  private check(): void {
    if (this.lost) throw new LeaseLostError();
    if (this.remainingMs() < STOP_BEFORE_TIMEOUT_MS) throw new ImportTimeBudgetError();
  }

  private count(outcome: RowOutcome): void {
    this.counters.done++;
    this.counters[outcome]++;
    if (Date.now() - this.lastRenewal >= PROGRESS_MS) this.showProgress();
  }

  /** Shows the counters now (with the lease renewed), in order after any renewal under way. */
  private showProgress(): void {
    this.lastRenewal = Date.now();
    void this.renew();
  }

  async execute(): Promise<void> {
    const rows = await this.readRows();
    if (!Array.isArray(rows)) return this.invalid(rows.errors);
    const table = readTable(rows, COLUMNS[this.record.kind]);
    if (table.errors.length > 0) return this.invalid(table.errors);
    this.counters.total = table.rows.length;
    if (this.record.kind === "units") await this.importUnits(table.rows);
    else await this.importPeople(table.rows);
  }

  private async readRows() {
    const fileError = (message: string) => ({ errors: [{ row: 0, column: "", message }] });
    const object = await readObjectUpTo(importObjectKeys(this.importId).upload, MAX_IMPORT_BYTES);
    if (!object.bytes)
      return fileError(`文件超过 10 MiB 上限（${object.size} 字节），请删去多余内容或分成几个文件`);
    const read = await readSpreadsheet(object.bytes, this.record.format);
    return read.ok ? read.rows : fileError(read.message);
  }

  /** Ends the import `invalid` with every error; nothing of the file was written. */
  private async invalid(errors: readonly ImportError[]): Promise<void> {
    this.stop();
    await this.renewing;
    if (this.lost) throw new LeaseLostError();
    const at = new Date();
    await importStore.finishInvalid(
      this.importId,
      this.token,
      { errors: listedErrors(errors), errorCount: errors.length, total: this.counters.total },
      at,
      {
        entityId: this.importId,
        actor: this.record.createdBy,
        action: "import_invalid",
        at: at.toISOString(),
        detail: { kind: this.record.kind, total: this.counters.total, errorCount: errors.length },
      },
    );
  }

  /**
   * Every row passed: the rows to be written are marked with their outcome, then the writing
   * starts (a resumed run is writing already, and keeps the marks it finds).
   */
  private async beginWriting(
    planned: readonly { key: string; row: number; outcome: RowOutcome }[],
  ): Promise<Map<string, ImportRowMarker>> {
    const markers =
      this.record.status === "importing"
        ? await importStore.rowMarkers(this.importId)
        : new Map<string, ImportRowMarker>();
    const fresh: ImportRowMarker[] = [];
    for (const p of planned) {
      if (p.outcome === "unchanged" || markers.has(p.key)) continue;
      const marker = { key: p.key, row: p.row, outcome: p.outcome };
      fresh.push(marker);
      markers.set(p.key, marker);
    }
    await importStore.markRows(this.importId, fresh, new Date());
    await this.renewing;
    if (this.record.status === "validating")
      await importStore.startImporting(this.importId, this.token, this.counters.total, new Date());
    else await this.renew();
    return markers;
  }

  private async finish(credentials: ImportRecord["credentials"]): Promise<void> {
    this.stop();
    await this.renewing;
    if (this.lost) throw new LeaseLostError();
    const at = new Date();
    const counters: ImportCounters = { ...this.counters };
    await importStore.finishDone(this.importId, this.token, counters, credentials, at, {
      entityId: this.importId,
      actor: this.record.createdBy,
      action: "import_done",
      at: at.toISOString(),
      detail: {
        kind: this.record.kind,
        ...counters,
        ...(credentials ? { accountsCreated: credentials.count } : {}),
      },
    });
  }

  // ---- units ---------------------------------------------------------------------------------

  private async importUnits(rows: readonly TableRow[]): Promise<void> {
    const { units, errors } = parseUnitRows(rows);
    const stored = await storedUnitsAround(units);
    const tree = checkUnitTree(units, stored);
    if (errors.length > 0 || tree.errors.length > 0) return this.invalid([...errors, ...tree.errors]);

    const markers = await this.beginWriting(
      units.map((u) => ({ key: u.unitId, row: u.row, outcome: unitOutcome(u, stored.get(u.unitId)) })),
    );
    const inFile = new Map(units.map((u) => [u.unitId, u]));
    const parentOf = (id: string) =>
      inFile.has(id) ? (inFile.get(id)?.parentId ?? null) : (stored.get(id)?.parentId ?? null);
    // Parents first: a level starts once every unit of the one above it is written. The units
    // stored already are compared (and changed) one by one; the new ones are created in batches.
    for (const level of tree.levels) {
      await eachLimited(
        level.filter((u) => stored.has(u.unitId)),
        UNIT_CONCURRENCY,
        (u) => this.writeUnit(u, stored.get(u.unitId), markers.get(u.unitId), parentOf),
      );
      await eachLimited(
        batches(
          level.filter((u) => !stored.has(u.unitId)),
          NEW_UNITS_PER_BATCH,
        ),
        NEW_UNIT_BATCHES_AT_ONCE,
        (batch) => this.createUnits(batch, markers, parentOf),
      );
    }
    await this.finish(undefined);
  }

  /**
   * Units not stored when the run read them: each with the same item, condition, ancestor checks
   * and first audit link as `writeUnit`, 50 a transaction. A unit created meanwhile by someone
   * else is not touched: the others are created and the `ConflictError` naming it ends this run
   * (its retry resumes and compares it, as a failed `writeUnit` would).
   */
  private async createUnits(
    batch: readonly UnitRow[],
    markers: ReadonlyMap<string, ImportRowMarker>,
    parentOf: (id: string) => string | null,
  ): Promise<void> {
    this.check();
    const at = new Date().toISOString();
    await unitStore.createUnits(
      batch.map((u) => ({ unit: unitRecordOf(u, undefined, at), ancestorParents: ancestorsOf(u, parentOf) })),
      (unit) => ({
        actor: this.record.createdBy,
        action: "unit_created",
        at,
        detail: { name: unit.name, parentId: unit.parentId, kind: unit.kind, importId: this.importId },
      }),
    );
    // Counted once written (a row an earlier run marked keeps its outcome), and shown at once.
    for (const u of batch) {
      this.counters.done++;
      this.counters[markers.get(u.unitId)?.outcome ?? "created"]++;
    }
    this.showProgress();
  }

  private async writeUnit(
    u: UnitRow,
    current: UnitRecord | undefined,
    marker: ImportRowMarker | undefined,
    parentOf: (id: string) => string | null,
  ): Promise<void> {
    this.check();
    const outcome = unitOutcome(u, current);
    if (outcome !== "unchanged") {
      const at = new Date().toISOString();
      const record = unitRecordOf(u, current, at);
      // The same write, audit and index entries as PUT /units.
      await unitStore.putUnit(record, current?.version ?? null, ancestorsOf(u, parentOf), {
        entityId: u.unitId,
        actor: this.record.createdBy,
        action: current ? "unit_updated" : "unit_created",
        at,
        // A new unit's chain starts here: no head to look up (retried with a lookup were it not new).
        created: !current,
        detail: { name: record.name, parentId: record.parentId, kind: record.kind, importId: this.importId },
      });
    }
    // A row an earlier run wrote keeps the outcome that run marked.
    this.count(marker?.outcome ?? outcome);
  }

  // ---- people --------------------------------------------------------------------------------

  private async importPeople(rows: readonly TableRow[]): Promise<void> {
    const { people, errors } = parsePeopleRows(rows);
    const codes = [...new Set(people.flatMap((p) => (p.unitCode ? [p.unitCode] : [])))];
    const [units, stored] = await Promise.all([
      unitStore.getUnits(codes),
      peopleStore.peopleByUsername(people.map((p) => p.username)),
    ]);
    const storedOf = (username: string) => stored.get(username.toLowerCase());
    const problems = checkPeople(people, {
      unitExists: (id) => units.has(id),
      storedRoles: (username) => storedOf(username)?.roles,
      inspectorsOnly: this.record.inspectorsOnly,
    });
    if (errors.length > 0 || problems.length > 0) return this.invalid([...errors, ...problems]);

    const markers = await this.beginWriting(
      people.map((p) => ({
        key: p.username.toLowerCase(),
        row: p.row,
        outcome: personOutcome(personTarget(p), storedOf(p.username)),
      })),
    );
    const passwords = new Map<string, Credential>();
    // The people stored already are compared (and changed) one by one; the new ones are created
    // in batches, their reads made once a batch.
    const known = people.flatMap((p) => {
      const current = storedOf(p.username);
      return current ? [{ p, current }] : [];
    });
    await eachLimited(known, PEOPLE_CONCURRENCY, ({ p, current }) =>
      this.writePerson(p, current, markers.get(p.username.toLowerCase()), passwords),
    );
    await this.createPeople(
      people.filter((p) => !storedOf(p.username)),
      markers,
      passwords,
    );
    await this.finish(passwords.size > 0 ? await this.saveCredentials(passwords) : undefined);
  }

  /**
   * People not stored when the run read them, each as `createPerson` creates one (`createPeople`,
   * in batches): each counted, and its password kept, once its records are written. An account a
   * crashed run left in the pool without its records is taken over with a new password.
   */
  private async createPeople(
    rows: readonly PersonRow[],
    markers: ReadonlyMap<string, ImportRowMarker>,
    passwords: Map<string, Credential>,
  ): Promise<void> {
    const rowOf = new Map(rows.map((p) => [p.username.toLowerCase(), p]));
    await createPeople(rows.map(personTarget), this.record.createdBy, {
      batchSize: NEW_PEOPLE_PER_BATCH,
      concurrency: PEOPLE_CONCURRENCY,
      beforeBatch: () => this.check(),
      created: (input, { temporaryPassword }) => {
        const key = input.username.toLowerCase();
        const p = rowOf.get(key);
        if (!p) return;
        passwords.set(key, { row: p.row, username: p.username, name: p.name, password: temporaryPassword });
        this.count(markers.get(key)?.outcome ?? "created");
      },
    });
  }

  /** A stored person: compared, changed if the row differs (a new password if this import created it). */
  private async writePerson(
    p: PersonRow,
    current: PersonRecord,
    marker: ImportRowMarker | undefined,
    passwords: Map<string, Credential>,
  ): Promise<void> {
    this.check();
    const target = personTarget(p);
    const actor = this.record.createdBy;
    const outcome = personOutcome(target, current);
    const person =
      outcome === "updated" ? await changePerson(current, changeTo(target), actor, new Date()) : current;
    const final = marker?.outcome ?? outcome;
    // Created by an earlier run of this import that did not finish: its password died with that run.
    if (final === "created") await this.reissue(p, person, passwords);
    this.count(final);
  }

  /** A new temporary password for an account this import created whose password was lost. */
  private async reissue(p: PersonRow, person: PersonRecord, passwords: Map<string, Credential>) {
    this.check();
    const password = await resetPassword(person, this.record.createdBy, new Date());
    passwords.set(p.username.toLowerCase(), { row: p.row, username: p.username, name: p.name, password });
  }

  /**
   * The workbook of the accounts created (用户名, 姓名, 临时密码), in the bucket under
   * `import-results/`, deleted by the bucket's lifecycle after 3 days; only its importer gets a
   * download URL (GET /imports/{id}).
   */
  private async saveCredentials(passwords: ReadonlyMap<string, Credential>) {
    const now = new Date();
    const entries = [...passwords.values()].sort((a, b) => a.row - b.row);
    const bytes = xlsxWorkbook([
      {
        name: "临时密码",
        rows: [[...CREDENTIALS_HEADERS], ...entries.map((e) => [e.username, e.name, e.password])],
        textColumns: [0, 2],
        widths: [24, 16, 20],
      },
      {
        name: "说明",
        rows: [
          ["说明"],
          ["每个临时密码只在本文件中出现一次，请分别、当面或经可靠渠道交给本人。"],
          ["首次登录须修改临时密码；临时密码 3 天内有效。"],
          [`本文件 ${CREDENTIALS_KEPT_DAYS} 天后自动删除，下载后请妥善保管，分发完毕即删除。`],
        ],
        widths: [80],
      },
    ]);
    const key = importObjectKeys(this.importId).credentials;
    const day = now.toISOString().slice(0, 10);
    await putObject(key, bytes, { contentType: XLSX_CONTENT_TYPE, fileName: `导入账号临时密码-${day}.xlsx` });
    return {
      key,
      count: entries.length,
      expiresAt: new Date(now.getTime() + CREDENTIALS_KEPT_DAYS * 24 * 3600_000).toISOString(),
    };
  }
}

/** The unit a row makes of the stored one (undefined: a new unit), as written at `at`. */
function unitRecordOf(u: UnitRow, current: UnitRecord | undefined, at: string): UnitRecord {
  return {
    unitId: u.unitId,
    name: u.name,
    parentId: u.parentId,
    kind: u.kind,
    ...(u.location ? { location: { ...u.location } } : {}),
    ...(u.radiusMeters !== undefined ? { radiusMeters: u.radiusMeters } : {}),
    version: (current?.version ?? 0) + 1,
    createdAt: current?.createdAt ?? at,
    updatedAt: at,
  };
}

/** The parent's ancestry as it now stands (parents were written first), checked in the write. */
function ancestorsOf(u: UnitRow, parentOf: (id: string) => string | null): AncestorLink[] {
  const ancestors: AncestorLink[] = [];
  const seen = new Set<string>();
  for (let id = u.parentId; id !== null && !seen.has(id); id = parentOf(id)) {
    seen.add(id);
    ancestors.push({ unitId: id, parentId: parentOf(id) });
  }
  return ancestors;
}

/** `items` in consecutive batches of at most `size`. */
function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The change that makes a stored person what the row says (cleared fields as null). */
function changeTo(t: PersonTarget) {
  return {
    name: t.name,
    phone: t.phone ?? null,
    roles: t.roles,
    unitId: t.unitId ?? null,
    homeUnitId: t.homeUnitId ?? null,
  };
}

/**
 * The stored units the file names (as units and as parents) with all their ancestors, one
 * BatchGet per tree level.
 */
async function storedUnitsAround(units: readonly UnitRow[]): Promise<Map<string, UnitRecord>> {
  const found = new Map<string, UnitRecord>();
  let frontier = [...new Set(units.flatMap((u) => (u.parentId ? [u.unitId, u.parentId] : [u.unitId])))];
  for (let depth = 0; frontier.length > 0 && depth < 64; depth++) {
    const got = await unitStore.getUnits(frontier.filter((id) => !found.has(id)));
    for (const [id, u] of got) found.set(id, u);
    frontier = [
      ...new Set(
        [...got.values()].map((u) => u.parentId).filter((p): p is string => p !== null && !found.has(p)),
      ),
    ];
  }
  return found;
}
