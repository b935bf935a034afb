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
import type { LocalStreamConsumer } from "./template";

/**
 * Plays the Lambda event source mapping of the table's change stream on one machine: polls
 * DynamoDB Local's stream (shards in lineage order), keeps the records the mapping's filter patterns
 * select, and invokes the consumer with them in Lambda's event shape, in batches of the mapping's
 * size. A failed batch is retried (from the first failed record when the function reports item
 * failures) with a growing pause; the position in each shard is saved only after its records were
 * delivered, so a crash or a restart redelivers, never skips.
 */

export interface TableStreamOptions {
  readonly dynamo: DynamoDBClient;
  readonly endpoint: string;
  readonly tableName: string;
  readonly consumer: LocalStreamConsumer;
  /** Invokes the consumer function with a stream event. */
  readonly invoke: (event: unknown) => Promise<unknown>;
  /** Where the delivered positions are kept across restarts; none: in memory. */
  readonly checkpointFile?: string;
  readonly log: (line: string) => void;
  /** Pause between polls of an idle stream (Lambda polls a shard about four times a second). */
  readonly pollMs?: number;
}

type Checkpoint = { streamArn: string; positions: Record<string, string>; finished: string[] };

class Stopped extends Error {
  constructor() {
    super("stream poller stopped");
    this.name = "Stopped";
  }
}

/** How often the shard list is read again when no shard has closed. */
const SHARD_LIST_MS = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class LocalTableStream {
  /** Consumer invocations, their billed milliseconds (rounded up per invocation), and how many failed. */
  readonly counters = { invocations: 0, billedMs: 0, failedInvocations: 0 };
  /** Invokes the consumer; replaceable so that a caller can wrap every invocation (the bench marks them). */
  invoke: (event: unknown) => Promise<unknown>;

  /** True when the last read of every open shard was empty and nothing is being delivered. */
  get caughtUp(): boolean {
    return this.idle && !this.held;
  }

  /**
   * Holds deliveries until the returned release is called: records wait in the stream, as they do
   * while a consumer is throttled or deploying. The bench uses it to time the API apart from the
   * workflow work the API's changes trigger (in the cloud that runs on other machines).
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
  private idle = false;
  private readonly streams: DynamoDBStreamsClient;
  private readonly iterators = new Map<string, string>();
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
    await this.running;
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
    let shards: Shard[] | undefined;
    let listedAt = 0;
    let finishedSeen = 0;
    while (!this.stopped) {
      if (this.held) await Promise.race([this.held, sleep(1000)]);
      if (this.held) continue;
      let delivered = false;
      try {
        // The shard list changes only when a shard closes (its children appear), so it is read
        // again then, and now and then in case, not on every poll.
        if (!shards || checkpoint.finished.length !== finishedSeen || Date.now() - listedAt > SHARD_LIST_MS) {
          shards = await this.shardsOf(streamArn);
          listedAt = Date.now();
          finishedSeen = checkpoint.finished.length;
        }
        const ids = new Set(shards.map((s) => s.ShardId));
        for (const shard of shards) {
          const id = shard.ShardId ?? "";
          if (checkpoint.finished.includes(id)) continue;
          // Children after their parent (while the parent is still listed), as Lambda reads a lineage.
          const parent = shard.ParentShardId;
          if (parent && ids.has(parent) && !checkpoint.finished.includes(parent)) continue;
          delivered = (await this.pollShard(streamArn, id)) || delivered;
        }
      } catch (error) {
        if (error instanceof Stopped) throw error;
        // DynamoDB Local busy or restarting: read again from the saved positions in a moment.
        this.options.log(
          `change stream: ${error instanceof Error ? error.message : String(error)}; retrying`,
        );
        this.iterators.clear();
        shards = undefined;
        await sleep(1000);
      }
      this.idle = !delivered;
      if (!delivered) await sleep(this.options.pollMs ?? 100);
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

  /** Reads one page of a shard and delivers it; true when it held records. */
  private async pollShard(streamArn: string, shardId: string): Promise<boolean> {
    const checkpoint = this.checkpoint as Checkpoint;
    let iterator = this.iterators.get(shardId);
    if (!iterator) {
      const after = checkpoint.positions[shardId];
      const iteratorOf = (from: string | undefined) =>
        this.streams.send(
          new GetShardIteratorCommand({
            StreamArn: streamArn,
            ShardId: shardId,
            ...(from
              ? { ShardIteratorType: "AFTER_SEQUENCE_NUMBER", SequenceNumber: from }
              : { ShardIteratorType: this.options.consumer.startingPosition }),
          }),
        );
      const out = await iteratorOf(after).catch((error: unknown) => {
        // The saved position is older than the stream's 24 hours: read what the stream still has.
        if (after && error instanceof Error && error.name === "TrimmedDataAccessException") {
          this.options.log(
            `change stream: records after ${after} were trimmed; reading from the oldest kept`,
          );
          return iteratorOf(undefined);
        }
        throw error;
      });
      iterator = out.ShardIterator;
      if (!iterator) return false;
    }
    let page: { Records?: StreamRecord[]; NextShardIterator?: string };
    try {
      page = await this.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
    } catch (error) {
      // An expired iterator is made again from the saved position.
      if (error instanceof Error && error.name === "ExpiredIteratorException") {
        this.iterators.delete(shardId);
        return false;
      }
      throw error;
    }
    const records = page.Records ?? [];
    const selected = records.filter((r) =>
      matchesAnyFilter(this.options.consumer.filters, lambdaRecord(r, streamArn)),
    );
    for (let i = 0; i < selected.length; i += this.options.consumer.batchSize) {
      await this.deliver(selected.slice(i, i + this.options.consumer.batchSize), streamArn);
    }
    const last = records.at(-1)?.dynamodb?.SequenceNumber;
    if (last) checkpoint.positions[shardId] = last;
    if (page.NextShardIterator) this.iterators.set(shardId, page.NextShardIterator);
    else {
      this.iterators.delete(shardId);
      checkpoint.finished.push(shardId);
    }
    if (last || !page.NextShardIterator) this.saveCheckpoint();
    return records.length > 0;
  }

  private async deliver(batch: StreamRecord[], streamArn: string): Promise<void> {
    let pending = batch;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (this.stopped) throw new Stopped();
      let failedFrom = 0;
      const started = performance.now();
      try {
        const result = await this.invoke({ Records: pending.map((r) => lambdaRecord(r, streamArn)) });
        this.count(started);
        failedFrom = this.options.consumer.reportsItemFailures ? firstFailure(result, pending) : -1;
        if (failedFrom < 0) return;
      } catch (error) {
        this.count(started);
        this.counters.failedInvocations++;
        this.options.log(
          `change relay failed on ${pending.length} record(s), retrying: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      pending = pending.slice(failedFrom);
      const retries = this.options.consumer.maximumRetryAttempts;
      if (retries >= 0 && attempt >= retries) {
        this.options.log(`change relay gave up on ${pending.length} record(s) after ${attempt + 1} attempts`);
        return;
      }
      await sleep(Math.min(10_000, 200 * 2 ** attempt));
    }
  }

  private count(started: number) {
    this.counters.invocations++;
    this.counters.billedMs += Math.max(1, Math.ceil(performance.now() - started));
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

  private saveCheckpoint(): void {
    const file = this.options.checkpointFile;
    if (!file || !this.checkpoint) return;
    writeFileSync(`${file}.tmp`, JSON.stringify(this.checkpoint));
    renameSync(`${file}.tmp`, file);
  }
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
