import { createHash, randomUUID } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type Shard,
  type _Record as StreamRecord,
} from "@aws-sdk/client-dynamodb-streams";
import { assertSupportedPattern, matchesAnyFilter } from "./event-filter";
import type { LocalQueue } from "./failure-queue";
import { callWithFunctionTimeout } from "./lambda-timeout";
import type { LocalStreamConsumer } from "./template";

/**
 * Plays the Lambda event source mapping of the table's change stream on one machine, as
 * docs/local-fidelity.md describes and test/fidelity/table-stream.test.ts pins:
 *
 * - every shard is read by its own loop (children after their parent, as Lambda reads a lineage);
 * - the records the mapping's filter patterns select go, by item key, to one of
 *   `ParallelizationFactor` lanes of their shard: each lane delivers its records in order, in
 *   batches of the mapping's size, and the lanes run at once, so a failing batch holds up only its
 *   own items;
 * - a failed batch is retried with a growing pause, from the first failed record when the function
 *   reports item failures; with `BisectBatchOnFunctionError` a batch whose invocation fails is split
 *   in two first (not counted as a retry); records older than `MaximumRecordAgeInSeconds` (else the
 *   stream's 24 hours) are not delivered; a batch given up after `MaximumRetryAttempts` retries or
 *   for its age is sent, as Lambda's invocation record, to the mapping's on-failure queue;
 * - the position of each shard is saved only up to the last record such that it and every record
 *   before it were delivered or given up, so a crash or a restart redelivers, never skips; a saved
 *   position the stream has trimmed is reported and reading goes on from the oldest record kept.
 */

export interface TableStreamOptions {
  readonly dynamo: DynamoDBClient;
  readonly endpoint: string;
  readonly tableName: string;
  readonly consumer: LocalStreamConsumer;
  /** Invokes the consumer function with a stream event. */
  readonly invoke: (event: unknown) => Promise<unknown>;
  /** The consumer function's ARN (named in the invocation records of discarded batches). */
  readonly functionArn?: string;
  /** The consumer function's own timeout: an invocation past it fails (`Sandbox.Timedout`). */
  readonly functionTimeoutSeconds?: number;
  /** The mapping's on-failure destination. */
  readonly onFailure?: LocalQueue;
  /** Where the delivered positions are kept across restarts; none: in memory. */
  readonly checkpointFile?: string;
  readonly log: (line: string) => void;
  /** Pause between polls of an idle stream (Lambda polls a shard about four times a second). */
  readonly pollMs?: number;
  /** First pause before a failed batch is retried; it doubles with every retry, up to 10 s. */
  readonly retryBaseMs?: number;
}

type Checkpoint = { streamArn: string; positions: Record<string, string>; finished: string[] };

/** Why a batch was given up (the `condition` of Lambda's invocation record). */
type Condition = "RetryAttemptsExhausted" | "RecordAgeExceeded";

class Stopped extends Error {
  constructor() {
    super("stream poller stopped");
    this.name = "Stopped";
  }
}

/** How often the shard list is read again when no shard has closed. */
const SHARD_LIST_MS = 10_000;
/** DynamoDB Streams keeps a record for 24 hours. */
const STREAM_RETENTION_SECONDS = 86_400;
/** Records read but not yet delivered, per shard, before its reader waits for the lanes. */
const MAX_PENDING_RECORDS = 10_000;

/** One record read from a shard, until it is delivered or given up. */
interface Pending {
  readonly record: StreamRecord;
  /** When this process first read it (ms). */
  readonly readAt: number;
  done: boolean;
}

export class LocalTableStream {
  /** Consumer invocations, their billed milliseconds (rounded up per invocation), and how many failed. */
  readonly counters = { invocations: 0, billedMs: 0, failedInvocations: 0, discardedRecords: 0 };
  /** Invokes the consumer; replaceable so that a caller can wrap every invocation (the bench marks them). */
  invoke: (event: unknown) => Promise<unknown>;

  /** True when the last read of every open shard was empty and nothing is being delivered. */
  get caughtUp(): boolean {
    return !this.held && this.readers.size > 0 && [...this.readers.values()].every((r) => r.idle);
  }

  /**
   * Holds deliveries until the returned release is called: records are read but wait to be
   * delivered, as they do while a consumer is throttled or deploying. The bench uses it to time the
   * API apart from the workflow work the API's changes trigger (in the cloud that runs on other
   * machines).
   */
  hold(): () => void {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.held = held;
    return () => {
      if (this.held === held) this.held = undefined;
      release();
    };
  }

  private held: Promise<void> | undefined;
  /** Pauses under way, ended at once by `stop`. */
  private readonly pauses = new Set<() => void>();
  private readonly streams: DynamoDBStreamsClient;
  private readonly readers = new Map<string, ShardReader>();
  private checkpoint: Checkpoint | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;

  constructor(private readonly options: TableStreamOptions) {
    for (const pattern of options.consumer.filters) assertSupportedPattern(pattern);
    this.invoke = options.invoke;
    this.streams = new DynamoDBStreamsClient({
      endpoint: options.endpoint,
      region: "local",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
      maxAttempts: 3,
    });
  }

  start(): void {
    this.running ??= this.run().catch((error: unknown) => {
      if (!(error instanceof Stopped))
        this.options.log(
          `change stream poller stopped: ${error instanceof Error ? error.message : String(error)}`,
        );
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const end of this.pauses) end();
    this.pauses.clear();
    await this.running;
    await Promise.allSettled([...this.readers.values()].map((r) => r.done));
    this.streams.destroy();
  }

  private async run(): Promise<void> {
    const table = await this.options.dynamo.send(
      new DescribeTableCommand({ TableName: this.options.tableName }),
    );
    const streamArn = table.Table?.LatestStreamArn;
    if (!streamArn) throw new Error(`Table ${this.options.tableName} has no change stream`);
    this.checkpoint = this.loadCheckpoint(streamArn);
    const checkpoint = this.checkpoint;
    let finishedSeen = -1;
    let listedAt = 0;
    while (!this.stopped) {
      try {
        // The shard list changes only when a shard closes (its children appear), so it is read
        // again then, and now and then in case, not on every poll.
        if (checkpoint.finished.length !== finishedSeen || Date.now() - listedAt > SHARD_LIST_MS) {
          finishedSeen = checkpoint.finished.length;
          listedAt = Date.now();
          const shards = await this.shardsOf(streamArn);
          const ids = new Set(shards.map((s) => s.ShardId));
          for (const shard of shards) {
            const id = shard.ShardId ?? "";
            if (checkpoint.finished.includes(id) || this.readers.has(id)) continue;
            // Children after their parent (while the parent is still listed), as Lambda reads a lineage.
            const parent = shard.ParentShardId;
            if (parent && ids.has(parent) && !checkpoint.finished.includes(parent)) continue;
            const reader = new ShardReader(this, this.options, streamArn, id, checkpoint);
            this.readers.set(id, reader);
            reader.done.finally(() => {
              if (this.readers.get(id) === reader) this.readers.delete(id);
            });
          }
        }
      } catch (error) {
        if (error instanceof Stopped) throw error;
        this.options.log(
          `change stream: ${error instanceof Error ? error.message : String(error)}; listing shards again`,
        );
        listedAt = 0;
        await this.pause(1000);
      }
      await this.pause(this.options.pollMs ?? 100);
    }
  }

  private async shardsOf(streamArn: string): Promise<Shard[]> {
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const out = await this.streams.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }),
      );
      shards.push(...(out.StreamDescription?.Shards ?? []));
      start = out.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    return shards;
  }

  /** @internal for the shard readers */
  get client(): DynamoDBStreamsClient {
    return this.streams;
  }
  /** @internal a pause that ends early when the stream is stopped. */
  pause(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const end = () => {
        clearTimeout(timer);
        this.pauses.delete(end);
        resolve();
      };
      const timer = setTimeout(end, ms);
      this.pauses.add(end);
    });
  }
  /** @internal */
  get isStopped(): boolean {
    return this.stopped;
  }
  /** @internal */
  get heldUntil(): Promise<void> | undefined {
    return this.held;
  }
  /**
   * @internal the lane (0 … factor-1) of a record: by its item's key (partition and sort key), so
   * that an item's changes stay in order.
   */
  laneOf(record: Pick<StreamRecord, "dynamodb">): number {
    const factor = Math.max(1, this.options.consumer.parallelizationFactor);
    if (factor === 1) return 0;
    const keys = record.dynamodb?.Keys ?? {};
    const key = JSON.stringify(
      Object.keys(keys)
        .sort()
        .map((name) => [name, keys[name]]),
    );
    return createHash("sha1").update(key).digest().readUInt32BE(0) % factor;
  }
  /** @internal */
  saveCheckpoint(): void {
    const file = this.options.checkpointFile;
    if (!file || !this.checkpoint) return;
    writeFileSync(`${file}.tmp`, JSON.stringify(this.checkpoint));
    renameSync(`${file}.tmp`, file);
  }
  /** @internal */
  count(started: number, failed: boolean): void {
    this.counters.invocations++;
    this.counters.billedMs += Math.max(1, Math.ceil(performance.now() - started));
    if (failed) this.counters.failedInvocations++;
  }

  private loadCheckpoint(streamArn: string): Checkpoint {
    const file = this.options.checkpointFile;
    if (file && existsSync(file)) {
      const saved = JSON.parse(readFileSync(file, "utf8")) as Partial<Checkpoint>;
      // A new table has a new stream: positions of the old one mean nothing.
      if (saved.streamArn === streamArn)
        return { streamArn, positions: saved.positions ?? {}, finished: saved.finished ?? [] };
    }
    return { streamArn, positions: {}, finished: [] };
  }
}

/** Reads one shard and delivers its records through the mapping's lanes. */
class ShardReader {
  readonly done: Promise<void>;
  /** The last read was empty and every record read was delivered or given up. */
  idle = false;
  private readonly pending: Pending[] = [];
  private readonly lanes = new Map<number, { queue: Pending[]; running: Promise<void> | undefined }>();
  private iterator: string | undefined;
  private progress: (() => void) | undefined;

  constructor(
    private readonly stream: LocalTableStream,
    private readonly options: TableStreamOptions,
    private readonly streamArn: string,
    private readonly shardId: string,
    private readonly checkpoint: Checkpoint,
  ) {
    this.done = this.read().catch((error: unknown) => {
      if (error instanceof Stopped) return;
      this.options.log(
        `change stream: shard ${shardId}: ${error instanceof Error ? error.message : String(error)}; reading again`,
      );
    });
  }

  private async read(): Promise<void> {
    let failures = 0;
    while (!this.stream.isStopped) {
      if (this.pending.length >= MAX_PENDING_RECORDS) {
        await this.nextProgress(1000);
        continue;
      }
      let page: { Records?: StreamRecord[]; NextShardIterator?: string } | undefined;
      try {
        page = await this.nextPage();
        failures = 0;
      } catch (error) {
        if (error instanceof Stopped) throw error;
        // DynamoDB Local busy or restarting: read again from the saved position in a moment.
        this.iterator = undefined;
        if (++failures === 1 || failures % 30 === 0)
          this.options.log(
            `change stream: shard ${this.shardId}: ${error instanceof Error ? error.message : String(error)}; retrying`,
          );
        await this.stream.pause(1000);
        continue;
      }
      if (!page) continue; // the iterator is made again from the saved position
      const records = page.Records ?? [];
      for (const record of records) {
        const entry: Pending = { record, readAt: Date.now(), done: false };
        this.pending.push(entry);
        if (matchesAnyFilter(this.options.consumer.filters, lambdaRecord(record, this.streamArn))) {
          this.enqueue(this.stream.laneOf(record), entry);
        } else entry.done = true;
      }
      this.advance();
      if (!page.NextShardIterator) {
        // The shard is closed: once everything read is delivered, its children may start.
        while (this.pending.length > 0 && !this.stream.isStopped) await this.nextProgress(1000);
        if (this.stream.isStopped) break;
        this.checkpoint.finished.push(this.shardId);
        this.stream.saveCheckpoint();
        break;
      }
      this.iterator = page.NextShardIterator;
      this.idle = records.length === 0 && this.pending.length === 0;
      if (records.length === 0) await this.stream.pause(this.options.pollMs ?? 100);
    }
    // Stopping: let the deliveries under way end (an invocation is not cut off).
    await Promise.allSettled([...this.lanes.values()].map((lane) => lane.running));
  }

  /** One page of the shard, from its iterator or else from the saved position; none when the iterator must be made again. */
  private async nextPage(): Promise<{ Records?: StreamRecord[]; NextShardIterator?: string } | undefined> {
    const streams = this.stream.client;
    if (!this.iterator) {
      const after = this.checkpoint.positions[this.shardId];
      const iteratorOf = (from: string | undefined, type: "TRIM_HORIZON" | "LATEST") =>
        streams.send(
          new GetShardIteratorCommand({
            StreamArn: this.streamArn,
            ShardId: this.shardId,
            ...(from
              ? { ShardIteratorType: "AFTER_SEQUENCE_NUMBER", SequenceNumber: from }
              : { ShardIteratorType: type }),
          }),
        );
      const out = await iteratorOf(after, this.options.consumer.startingPosition).catch((error: unknown) => {
        if (after && isTrimmed(error)) {
          // The saved position is older than the stream's 24 hours: what followed it is gone.
          this.options.log(
            `change stream: shard ${this.shardId}: records after ${after} were trimmed by the stream before they were delivered; reading on from the oldest record kept`,
          );
          return iteratorOf(undefined, "TRIM_HORIZON");
        }
        throw error;
      });
      this.iterator = out.ShardIterator;
      if (!this.iterator) throw new Error("no shard iterator");
    }
    try {
      return await streams.send(new GetRecordsCommand({ ShardIterator: this.iterator, Limit: 1000 }));
    } catch (error) {
      // An expired iterator, or one that points at trimmed records, is made again from the saved position.
      if (error instanceof Error && (error.name === "ExpiredIteratorException" || isTrimmed(error))) {
        this.iterator = undefined;
        return undefined;
      }
      throw error;
    }
  }

  private enqueue(lane: number, entry: Pending): void {
    let state = this.lanes.get(lane);
    if (!state) {
      state = { queue: [], running: undefined };
      this.lanes.set(lane, state);
    }
    state.queue.push(entry);
    if (!state.running) {
      const current = state;
      current.running = this.drain(current)
        .catch((error: unknown) =>
          this.options.log(
            `change stream: lane failed: ${error instanceof Error ? error.message : String(error)}`,
          ),
        )
        .finally(() => {
          current.running = undefined;
        });
    }
  }

  /** Delivers a lane's records in order, a batch at a time. */
  private async drain(lane: { queue: Pending[] }): Promise<void> {
    while (lane.queue.length > 0) {
      const held = this.stream.heldUntil;
      if (held) {
        await Promise.race([held, this.stream.pause(1000)]);
        if (this.stream.isStopped) return;
        continue;
      }
      const batch = lane.queue.splice(0, this.options.consumer.batchSize);
      try {
        await this.deliver(batch);
      } catch (error) {
        if (error instanceof Stopped) return;
        throw error;
      }
      for (const entry of batch) entry.done = true;
      this.advance();
    }
  }

  /** Moves the saved position over the records at the front that are delivered or given up. */
  private advance(): void {
    let last: string | undefined;
    while (this.pending[0]?.done) last = this.pending.shift()?.record.dynamodb?.SequenceNumber ?? last;
    if (last) {
      this.checkpoint.positions[this.shardId] = last;
      this.stream.saveCheckpoint();
    }
    this.progress?.();
  }

  private nextProgress(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.progress = () => {
        clearTimeout(timer);
        this.progress = undefined;
        resolve();
      };
    });
  }

  /**
   * Delivers one batch: retried until it succeeds, bisected on a failed invocation when the mapping
   * says so, given up (to the on-failure queue) after the retries or when its records are too old.
   */
  private async deliver(entries: Pending[], retriesSoFar = 0): Promise<void> {
    const consumer = this.options.consumer;
    let pending = entries;
    let retries = retriesSoFar;
    let invocations = 0;
    while (pending.length > 0) {
      if (this.stream.isStopped) throw new Stopped();
      const maxAge =
        consumer.maximumRecordAgeSeconds >= 0 ? consumer.maximumRecordAgeSeconds : STREAM_RETENTION_SECONDS;
      const fresh = pending.filter((p) => ageSeconds(p) <= maxAge);
      if (fresh.length < pending.length) {
        this.giveUp(
          pending.filter((p) => ageSeconds(p) > maxAge).map((p) => p.record),
          "RecordAgeExceeded",
          invocations,
        );
        pending = fresh;
        if (pending.length === 0) return;
      }
      let failedFrom: number;
      let functionError = false;
      const started = performance.now();
      try {
        invocations++;
        const result = await callWithFunctionTimeout(
          () => this.stream.invoke({ Records: pending.map((p) => lambdaRecord(p.record, this.streamArn)) }),
          this.options.functionTimeoutSeconds,
          (seconds) =>
            this.options.log(
              `change relay timed out after ${seconds} s; locally its handler runs on to completion (Lambda stops it)`,
            ),
        );
        this.stream.count(started, false);
        failedFrom = consumer.reportsItemFailures
          ? firstFailure(
              result,
              pending.map((p) => p.record),
            )
          : -1;
        if (failedFrom < 0) return;
      } catch (error) {
        this.stream.count(started, true);
        functionError = true;
        failedFrom = 0;
        this.options.log(
          `change relay failed on ${pending.length} record(s): ${error instanceof Error ? error.message : String(error)}`,
        );
        if (consumer.bisectBatchOnError && pending.length > 1) {
          // Split in two, each half retried at once: a split is not counted as a retry.
          const half = Math.ceil(pending.length / 2);
          await this.deliver(pending.slice(0, half), retries);
          await this.deliver(pending.slice(half), retries);
          return;
        }
      }
      pending = pending.slice(failedFrom);
      if (consumer.maximumRetryAttempts >= 0 && retries >= consumer.maximumRetryAttempts) {
        this.giveUp(
          pending.map((p) => p.record),
          "RetryAttemptsExhausted",
          invocations,
          functionError,
        );
        return;
      }
      await this.stream.pause(Math.min(10_000, (this.options.retryBaseMs ?? 200) * 2 ** retries));
      retries++;
    }
  }

  /** Discards records as Lambda does: logged, and their invocation record sent to the on-failure queue. */
  private giveUp(records: StreamRecord[], condition: Condition, invocations: number, functionError = false) {
    if (records.length === 0) return;
    const first = records[0]?.dynamodb;
    const last = records.at(-1)?.dynamodb;
    this.stream.counters.discardedRecords += records.length;
    this.options.log(
      `change relay gave up on ${records.length} record(s) (${condition}), sequence numbers ${first?.SequenceNumber} to ${last?.SequenceNumber}${this.options.onFailure ? `; sent to ${this.options.onFailure.logicalId}` : "; no on-failure destination, dropped"}`,
    );
    this.options.onFailure?.send({
      requestContext: {
        requestId: randomUUID(),
        functionArn: this.options.functionArn ?? "",
        condition,
        approximateInvokeCount: invocations,
      },
      ...(invocations > 0
        ? {
            responseContext: {
              statusCode: 200,
              executedVersion: "$LATEST",
              ...(functionError ? { functionError: "Unhandled" } : {}),
            },
          }
        : {}),
      version: "1.0",
      timestamp: new Date().toISOString(),
      DDBStreamBatchInfo: {
        shardId: this.shardId,
        startSequenceNumber: first?.SequenceNumber,
        endSequenceNumber: last?.SequenceNumber,
        approximateArrivalOfFirstRecord: first?.ApproximateCreationDateTime?.toISOString(),
        approximateArrivalOfLastRecord: last?.ApproximateCreationDateTime?.toISOString(),
        batchSize: records.length,
        streamArn: this.streamArn,
      },
    });
  }
}

function isTrimmed(error: unknown): boolean {
  return error instanceof Error && error.name === "TrimmedDataAccessException";
}

/**
 * How long ago the change was made, in seconds. The stream's `ApproximateCreationDateTime` is
 * rounded down (to the second by DynamoDB, to the minute by DynamoDB Local), so the change was made
 * within the following minute, and no later than this process first read it: the latest time both
 * allow is taken, so that a record is never taken for older than it is (exact while the reader
 * keeps up; up to a minute young for a record read late, after a restart).
 */
function ageSeconds(entry: Pending): number {
  const created = entry.record.dynamodb?.ApproximateCreationDateTime?.getTime();
  const madeBy = created === undefined ? entry.readAt : Math.min(created + 60_000, entry.readAt);
  return (Date.now() - madeBy) / 1000;
}

/** A stream record as Lambda hands it to a function (creation time in epoch seconds, the stream ARN). */
function lambdaRecord(record: StreamRecord, streamArn: string): Record<string, unknown> {
  const created = record.dynamodb?.ApproximateCreationDateTime;
  return {
    ...record,
    eventSourceARN: streamArn,
    dynamodb: {
      ...record.dynamodb,
      ...(created ? { ApproximateCreationDateTime: Math.floor(created.getTime() / 1000) } : {}),
    },
  };
}

/** Index in `batch` of the first record the function reported failed, or -1. */
function firstFailure(result: unknown, batch: readonly StreamRecord[]): number {
  const failures =
    typeof result === "object" &&
    result !== null &&
    "batchItemFailures" in result &&
    Array.isArray(result.batchItemFailures)
      ? (result.batchItemFailures as { itemIdentifier?: unknown }[])
      : [];
  const failed = new Set(failures.map((f) => String(f.itemIdentifier)));
  if (failed.size === 0) return -1;
  const index = batch.findIndex((r) => failed.has(r.dynamodb?.SequenceNumber ?? ""));
  // An identifier that names no record of the batch fails the whole batch, as in Lambda.
  return Math.max(0, index);
}
