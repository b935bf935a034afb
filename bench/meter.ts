import { AsyncLocalStorage } from "node:async_hooks";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SFNClient } from "@aws-sdk/client-sfn";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/**
 * Read and write request units of every DynamoDB call a process makes, from `ReturnConsumedCapacity:
 * "TOTAL"` set on each command by an SDK middleware on the handlers' shared client (the document
 * client shares its middleware stack with the low-level client, so Powertools' idempotency calls are
 * counted too). Optionally records the exact low-level requests (operation and JSON body), so the
 * bench can replay "the same DynamoDB operations" without the API in front.
 */

/**
 * Set around every workflow task invocation (see `startBench`): calls made inside it are the
 * workflow's, everything else is the API's (or a scheduled job's).
 */
export const workflowScope = new AsyncLocalStorage<true>();

const READS = new Set(["GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"]);

export interface RecordedCall {
  readonly op: string;
  readonly body: Record<string, unknown>;
  readonly units: number;
  /** `performance.now()` when the call was sent and when it was answered (for replays in waves). */
  readonly startedAt: number;
  readonly endedAt: number;
}

type AttributeValue = Record<string, unknown>;
type DynamoItem = Record<string, AttributeValue>;

/**
 * What a write unit was spent on. The table's units of a call are shared among the items it wrote by
 * their size (1 KB steps); an index's units among the items with a key in that index; a transaction's
 * second half (DynamoDB bills a transactional write twice) is its own cause.
 */
export const WRITE_CAUSES = [
  "entity",
  "index entries",
  "audit links",
  "notifications",
  "idempotency records",
  "callback tokens",
  "memberships",
  "counters",
  "last arrivals",
  "workflow resumes",
  "other",
  "transaction doubling",
] as const;
export type WriteCause = (typeof WRITE_CAUSES)[number];

/** The cause of writing an item, from its key (lambdas/data/keys.ts). */
export function causeOfItem(
  pk: string,
  sk: string,
): Exclude<WriteCause, "index entries" | "transaction doubling"> {
  if (pk.startsWith("AUDIT#")) return "audit links";
  if (pk.startsWith("NOTIFY#")) return "notifications";
  if (pk === "IDEMPOTENCY" || pk.includes("#idempotency") || sk === "IDEMPOTENCY")
    return "idempotency records";
  if (pk.startsWith("CALLBACK#")) return "callback tokens";
  if (pk.startsWith("STATS#")) return "counters";
  if (pk.startsWith("RESUME#")) return "workflow resumes";
  if (sk === "#LAST_ARRIVAL") return "last arrivals";
  if (pk.startsWith("INSPECTOR#") && sk !== "#PROFILE") return "memberships";
  if (sk.startsWith("#")) return "entity";
  return "other";
}

/** DynamoDB's item size (attribute names and values, bytes), from the item's wire form. */
export function itemBytes(item: DynamoItem): number {
  const valueBytes = (v: AttributeValue): number => {
    const [type, value] = Object.entries(v)[0] ?? ["NULL", true];
    switch (type) {
      case "S":
        return Buffer.byteLength(String(value), "utf8");
      case "N":
        return Math.ceil(String(value).replace(/^-/, "").length / 2) + 1;
      case "B":
        return Math.ceil((String(value).length * 3) / 4);
      case "BOOL":
      case "NULL":
        return 1;
      case "M":
        return 3 + itemBytes(value as DynamoItem);
      case "L":
        return 3 + (value as AttributeValue[]).reduce((n, e) => n + 1 + valueBytes(e), 0);
      case "SS":
      case "NS":
      case "BS":
        return (value as string[]).reduce((n, e) => n + Buffer.byteLength(e, "utf8"), 0);
      default:
        return 0;
    }
  };
  return Object.entries(item).reduce(
    (n, [name, v]) => n + Buffer.byteLength(name, "utf8") + valueBytes(v),
    0,
  );
}

/** The key and the item (as written, or as read back after an update) of one write in a call. */
interface WrittenItem {
  readonly key: { pk: string; sk: string };
  readonly item?: DynamoItem;
}

function keyOf(item: DynamoItem | undefined): { pk: string; sk: string } | undefined {
  const pk = item?.pk?.S;
  const sk = item?.sk?.S;
  return typeof pk === "string" && typeof sk === "string" ? { pk, sk } : undefined;
}

/** The items a write request names (ConditionChecks write nothing). */
function writtenItems(op: string, body: Record<string, unknown>): WrittenItem[] {
  const out: WrittenItem[] = [];
  const add = (entry: { Item?: DynamoItem; Key?: DynamoItem } | undefined) => {
    const key = keyOf(entry?.Item) ?? keyOf(entry?.Key);
    if (key) out.push({ key, ...(entry?.Item ? { item: entry.Item } : {}) });
  };
  if (op === "PutItem" || op === "UpdateItem" || op === "DeleteItem")
    add(body as { Item?: DynamoItem; Key?: DynamoItem });
  else if (op === "TransactWriteItems") {
    for (const t of (body.TransactItems ?? []) as Record<string, { Item?: DynamoItem; Key?: DynamoItem }>[])
      add(t.Put ?? t.Update ?? t.Delete);
  } else if (op === "BatchWriteItem") {
    for (const requests of Object.values((body.RequestItems ?? {}) as Record<string, unknown[]>))
      for (const r of requests as {
        PutRequest?: { Item: DynamoItem };
        DeleteRequest?: { Key: DynamoItem };
      }[])
        add(r.PutRequest ?? r.DeleteRequest);
  }
  return out;
}

function conditionChecks(body: Record<string, unknown>): number {
  const items = (body.TransactItems ?? []) as Record<string, unknown>[];
  return items.filter((t) => t.ConditionCheck !== undefined).length;
}

/** One write call as attributed: its units, each index's share of them, its items. */
export interface WriteRecord {
  readonly op: string;
  readonly units: number;
  readonly indexUnits: Record<string, number>;
  /** Each item written: cause, kind, size in 1 KB steps, index keys. */
  readonly items: string[];
  readonly api: boolean;
}

interface IndexedCapacity {
  CapacityUnits?: number;
  Table?: { CapacityUnits?: number };
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
}

type Capacity = { CapacityUnits?: number } | { CapacityUnits?: number }[] | undefined;

function unitsOf(consumed: Capacity): number {
  if (consumed === undefined) return 0;
  const list = Array.isArray(consumed) ? consumed : [consumed];
  return list.reduce((total, c) => total + (c.CapacityUnits ?? 0), 0);
}

export interface SourceTotals {
  read: number;
  write: number;
  calls: number;
}

export class CapacityMeter {
  /** The API's calls alone (not the workflow's). */
  readonly api: SourceTotals = { read: 0, write: 0, calls: 0 };
  readUnits = 0;
  writeUnits = 0;
  calls = 0;
  /** Writes that failed (a refused condition is still billed; DynamoDB does not report its units). */
  failedWrites = 0;
  /** Calls that reported no ConsumedCapacity although asked to. */
  unreported = 0;
  readonly byOp = new Map<string, { calls: number; units: number }>();
  private recording: RecordedCall[] | undefined;
  private stopAtSfn = false;
  /** Write units by cause, while attributing (see `attribute`). */
  readonly causes = new Map<WriteCause, number>();
  /** Write units by cause and entity kind (key prefix), for the detail. */
  readonly causesByKind = new Map<string, number>();
  private readBack: ((key: { pk: string; sk: string }) => Promise<DynamoItem | undefined>) | undefined;
  private readonly pending = new Set<Promise<void>>();
  /** Write units added to what DynamoDB Local reported for transactions (see `attributeCall`). */
  transactionUnitsAdded = 0;
  /** Every write attributed: its operation, units and items (cause, kind, KB, index keys). */
  readonly writes: WriteRecord[] = [];

  /**
   * Attributes every write unit from now on by cause (`causes`). `readBack` reads an item as it is
   * (the size and index keys of an updated item are not in its request); it must not go through a
   * metered client.
   */
  attribute(readBack: (key: { pk: string; sk: string }) => Promise<DynamoItem | undefined>): void {
    this.readBack = readBack;
  }

  /** Resolves once every attribution in flight (items being read back) is counted. */
  async attributed(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private attributeCall(
    op: string,
    body: Record<string, unknown>,
    consumed: IndexedCapacity | undefined,
    fromApi: boolean,
  ) {
    const readBack = this.readBack;
    if (!readBack || !consumed || READS.has(op)) return;
    const written = writtenItems(op, body);
    const work = (async () => {
      const items = await Promise.all(
        written.map(async (w) => ({
          key: w.key,
          item: w.item ?? (op === "DeleteItem" ? undefined : await readBack(w.key)),
        })),
      );
      const factor = op === "TransactWriteItems" ? 2 : 1;
      const add = (cause: WriteCause, kind: string, units: number) => {
        if (units <= 0) return;
        this.causes.set(cause, (this.causes.get(cause) ?? 0) + units);
        const detail = `${cause} — ${kind}`;
        this.causesByKind.set(detail, (this.causesByKind.get(detail) ?? 0) + units);
      };
      const kindOf = (key: { pk: string; sk: string }) =>
        `${key.pk.split("#")[0]}${causeOfItem(key.pk, key.sk) === "entity" ? ` ${key.sk}` : ""}`;
      const sizeUnits = (item: DynamoItem | undefined) =>
        item ? Math.max(1, Math.ceil(itemBytes(item) / 1024)) : 1;
      const indexes = Object.entries(consumed.GlobalSecondaryIndexes ?? {});
      const indexTotal = indexes.reduce((n, [, c]) => n + (c.CapacityUnits ?? 0), 0);
      const reported = consumed.Table?.CapacityUnits ?? consumed.CapacityUnits ?? 0;
      // DynamoDB Local reports a transaction's table units as 2 whatever it holds (five 100-byte puts:
      // 2); DynamoDB bills each item of it twice its 1 KB steps, and a condition check as a write
      // ("Capacity management for transactions"). The table's units of a transaction are counted so,
      // and the difference added to the totals (counted before, as reported).
      const table =
        op === "TransactWriteItems"
          ? factor * (items.reduce((n, i) => n + sizeUnits(i.item), 0) + conditionChecks(body))
          : reported;
      if (table !== reported) this.correct(op, table - reported, fromApi);
      this.writes.push({
        op,
        units: table + indexTotal,
        indexUnits: Object.fromEntries(indexes.map(([name, c]) => [name, c.CapacityUnits ?? 0])),
        items: items.map(
          (i) =>
            `${causeOfItem(i.key.pk, i.key.sk)}:${kindOf(i.key)}(${sizeUnits(i.item)} KB, ${Object.keys(i.item ?? {}).filter((a) => /^gsi\dpk$/.test(a)).length} idx)`,
        ),
        api: fromApi,
      });
      add("transaction doubling", op, ((table + indexTotal) * (factor - 1)) / factor);
      const weights = items.map((i) => sizeUnits(i.item));
      const weightSum = weights.reduce((a, b) => a + b, 0) || 1;
      for (const [n, i] of items.entries())
        add(
          causeOfItem(i.key.pk, i.key.sk),
          kindOf(i.key),
          ((table / factor) * (weights[n] ?? 0)) / weightSum,
        );
      for (const [index, c] of indexes) {
        const units = (c.CapacityUnits ?? 0) / factor;
        const attribute = `${index.toLowerCase()}pk`;
        const inIndex = items.filter((i) => i.item?.[attribute] !== undefined);
        const among = inIndex.length > 0 ? inIndex : items;
        const w = among.map((i) => sizeUnits(i.item));
        const sum = w.reduce((a, b) => a + b, 0) || 1;
        for (const [n, i] of among.entries())
          add("index entries", `${kindOf(i.key)} in ${index}`, (units * (w[n] ?? 0)) / sum);
      }
    })();
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  snapshot() {
    return {
      read: this.readUnits,
      write: this.writeUnits,
      transactionUnitsAdded: this.transactionUnitsAdded,
      calls: this.calls,
      failedWrites: this.failedWrites,
      api: { ...this.api },
    };
  }

  since(before: ReturnType<CapacityMeter["snapshot"]>) {
    const now = this.snapshot();
    return {
      read: now.read - before.read,
      write: now.write - before.write,
      /** Of `write`, the units DynamoDB bills for transactions beyond what DynamoDB Local reported. */
      transactionUnitsAdded: now.transactionUnitsAdded - before.transactionUnitsAdded,
      calls: now.calls - before.calls,
      failedWrites: now.failedWrites - before.failedWrites,
      api: {
        read: now.api.read - before.api.read,
        write: now.api.write - before.api.write,
        calls: now.api.calls - before.api.calls,
      },
    };
  }

  /**
   * Records every DynamoDB call the API makes (not the workflow's) until `stop()` — or, with
   * `untilWorkflowResumed`, until the API's first Step Functions call (a handler resumes the workflow
   * last, after its DynamoDB work).
   */
  record(untilWorkflowResumed = false): { stop(): RecordedCall[] } {
    const calls: RecordedCall[] = [];
    this.recording = calls;
    this.stopAtSfn = untilWorkflowResumed;
    return {
      stop: () => {
        if (this.recording === calls) this.recording = undefined;
        return calls;
      },
    };
  }

  /** Time of the last DynamoDB call seen (to wait until the system is quiet). */
  lastCallAt = 0;

  attach(client: DynamoDBDocumentClient | DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as Record<string, unknown>;
        // INDEXES: the total as with TOTAL, and the table's and each index's share of it.
        input.ReturnConsumedCapacity = "INDEXES";
        const ctx = context as { benchOp?: { op: string; body: Record<string, unknown> } };
        const fromApi = workflowScope.getStore() !== true;
        const recording = fromApi ? this.recording : undefined;
        const startedAt = performance.now();
        try {
          const out = await next(args);
          const op = ctx.benchOp?.op ?? "unknown";
          const output = out.output as { ConsumedCapacity?: Capacity };
          const units = unitsOf(output.ConsumedCapacity);
          if (output.ConsumedCapacity === undefined) this.unreported++;
          this.count(op, units, fromApi);
          if (ctx.benchOp) {
            const consumed = output.ConsumedCapacity;
            this.attributeCall(
              op,
              ctx.benchOp.body,
              (Array.isArray(consumed) ? consumed[0] : consumed) as IndexedCapacity,
              fromApi,
            );
          }
          if (recording && recording === this.recording && ctx.benchOp)
            recording.push({ op, body: ctx.benchOp.body, units, startedAt, endedAt: performance.now() });
          return out;
        } catch (error) {
          const op = ctx.benchOp?.op ?? "unknown";
          this.count(op, 0, fromApi);
          if (!READS.has(op)) this.failedWrites++;
          if (recording && recording === this.recording && ctx.benchOp)
            recording.push({ op, body: ctx.benchOp.body, units: 0, startedAt, endedAt: performance.now() });
          throw error;
        }
      },
      { step: "initialize", priority: "high", name: "benchConsumedCapacity" },
    );
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const request = args.request as { headers?: Record<string, string>; body?: unknown };
        const target = request.headers?.["x-amz-target"] ?? "";
        const op = target.slice(target.indexOf(".") + 1);
        // The body only while recording, or of writes while attributing (parsing every request would
        // slow the measured runs down).
        const raw = request.body;
        const wanted =
          (this.recording && workflowScope.getStore() !== true) ||
          (this.readBack !== undefined && !READS.has(op));
        const text = !wanted
          ? ""
          : typeof raw === "string"
            ? raw
            : raw instanceof Uint8Array
              ? Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("utf8")
              : "";
        const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        (context as { benchOp?: unknown }).benchOp = { op, body };
        return next(args);
      },
      { step: "build", priority: "low", name: "benchRecordRequest" },
    );
  }

  /** Stops a recording made with `untilWorkflowResumed` at the first Step Functions call. */
  attachStepFunctions(client: SFNClient): void {
    client.middlewareStack.add(
      (next) => async (args) => {
        if (this.stopAtSfn && workflowScope.getStore() !== true) this.recording = undefined;
        return next(args);
      },
      { step: "initialize", priority: "high", name: "benchStopRecording" },
    );
  }

  /** Units found after the call was counted (see `attributeCall`), added to the same totals. */
  private correct(op: string, units: number, fromApi: boolean) {
    this.writeUnits += units;
    this.transactionUnitsAdded += units;
    if (fromApi) this.api.write += units;
    const entry = this.byOp.get(op);
    if (entry) entry.units += units;
  }

  private count(op: string, units: number, fromApi: boolean) {
    this.calls++;
    this.lastCallAt = Date.now();
    if (READS.has(op)) this.readUnits += units;
    else this.writeUnits += units;
    if (fromApi) {
      this.api.calls++;
      if (READS.has(op)) this.api.read += units;
      else this.api.write += units;
    }
    const entry = this.byOp.get(op) ?? { calls: 0, units: 0 };
    entry.calls++;
    entry.units += units;
    this.byOp.set(op, entry);
  }

  /**
   * Resolves once no DynamoDB call has been made for `quietMs` (the workflows are all waiting): true;
   * false if the system is still busy after `timeoutMs` (then the run goes on, and says so).
   */
  async quiet(quietMs = 400, timeoutMs = 30_000): Promise<boolean> {
    const started = Date.now();
    let reported = started;
    let calls = this.calls;
    while (Date.now() - this.lastCallAt < quietMs) {
      if (Date.now() - started > timeoutMs) {
        this.busyWaits++;
        process.stderr.write(`[bench] WARNING: still busy after ${timeoutMs / 1000} s; going on\n`);
        return false;
      }
      if (Date.now() - reported > 10_000) {
        const ops = [...this.byOp].map(([op, v]) => `${op}:${v.calls}`).join(" ");
        process.stderr.write(`[bench] still busy: ${this.calls - calls} DynamoDB calls in 10 s (${ops})\n`);
        reported = Date.now();
        calls = this.calls;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return true;
  }

  /** How often `quiet()` gave up (background work that never settled). */
  busyWaits = 0;
}

export const meter = new CapacityMeter();
