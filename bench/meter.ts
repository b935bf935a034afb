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

  snapshot() {
    return {
      read: this.readUnits,
      write: this.writeUnits,
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
        input.ReturnConsumedCapacity = "TOTAL";
        const ctx = context as { benchOp?: { op: string; body: Record<string, unknown> } };
        const fromApi = workflowScope.getStore() !== true;
        const recording = fromApi ? this.recording : undefined;
        try {
          const out = await next(args);
          const op = ctx.benchOp?.op ?? "unknown";
          const output = out.output as { ConsumedCapacity?: Capacity };
          const units = unitsOf(output.ConsumedCapacity);
          if (output.ConsumedCapacity === undefined) this.unreported++;
          this.count(op, units, fromApi);
          if (recording && recording === this.recording && ctx.benchOp)
            recording.push({ op, body: ctx.benchOp.body, units });
          return out;
        } catch (error) {
          const op = ctx.benchOp?.op ?? "unknown";
          this.count(op, 0, fromApi);
          if (!READS.has(op)) this.failedWrites++;
          if (recording && recording === this.recording && ctx.benchOp)
            recording.push({ op, body: ctx.benchOp.body, units: 0 });
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
        // The body only while recording (parsing every request would slow the measured runs down).
        const raw = request.body;
        const text =
          !this.recording || workflowScope.getStore() === true
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
