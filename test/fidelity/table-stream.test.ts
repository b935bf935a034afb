import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateTableCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDBStreamsClient, GetShardIteratorCommand } from "@aws-sdk/client-dynamodb-streams";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type DynamoDbLocal, startDynamoDbLocal } from "../../lib/local/dynamodb-local";
import { LocalQueue } from "../../lib/local/failure-queue";
import { LocalTableStream } from "../../lib/local/table-stream";
import type { LocalStreamConsumer } from "../../lib/local/template";
import { eventually } from "../support/api";
import { sleep } from "./harness";

/**
 * The table's change stream feeding its consumer as Lambda's event source mapping does, on the real
 * DynamoDB Local stream.
 *
 * - "Lambda parameters for Amazon DynamoDB event source mappings"
 *   (https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html) and
 *   "CreateEventSourceMapping" (https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html):
 *   `ParallelizationFactor` processes that many batches from each shard at once;
 *   `BisectBatchOnFunctionError` splits a failed batch in two and retries; `MaximumRecordAgeInSeconds`
 *   discards older records (-1: until the record expires after the stream's 24 hours);
 *   `MaximumRetryAttempts` discards a batch after that many retries; `DestinationConfig.OnFailure`
 *   receives the discarded batches.
 * - "Using AWS Lambda with Amazon DynamoDB", Concurrent reading of shards
 *   (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html): with a factor above 1 Lambda still
 *   processes the changes of an item (partition and sort key) in order.
 * - "Retain discarded records for a DynamoDB event source in Lambda"
 *   (https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html): the destination
 *   gets an invocation record (requestContext.condition, DDBStreamBatchInfo with the shard and the
 *   batch's first and last sequence numbers), not the records; splitting a batch does not count
 *   towards the retry quota.
 * - "GetShardIterator" (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_GetShardIterator.html):
 *   `TrimmedDataAccessException` when the position is older than the stream keeps (24 hours); the
 *   mapping's starting position only applies where it has no position, so a trimmed one goes on
 *   from the oldest record kept (what lay in between is lost, and said so).
 */

let db: DynamoDbLocal;
let tables = 0;
const streams: LocalTableStream[] = [];

beforeAll(async () => {
  db = await startDynamoDbLocal({});
});

afterEach(async () => {
  for (const s of streams.splice(0)) await s.stop();
});

afterAll(async () => {
  await db?.stop();
});

async function table(): Promise<string> {
  const name = `stream-${++tables}`;
  await db.client.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "S" },
      ],
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      BillingMode: "PAY_PER_REQUEST",
      StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
    }),
  );
  return name;
}

const put = (tableName: string, pk: string, v: number) =>
  db.client.send(
    new PutItemCommand({
      TableName: tableName,
      Item: { pk: { S: pk }, sk: { S: "#ITEM" }, v: { N: String(v) } },
    }),
  );

type Received = { pk: string; v: number; seq: string };
type StreamEvent = {
  Records: { dynamodb: { NewImage: { pk: { S: string }; v: { N: string } }; SequenceNumber: string } }[];
};

const consumer = (overrides: Partial<LocalStreamConsumer> = {}): LocalStreamConsumer => ({
  functionLogicalId: "Relay",
  batchSize: 10,
  filters: [],
  startingPosition: "TRIM_HORIZON",
  maximumRetryAttempts: 2,
  reportsItemFailures: true,
  parallelizationFactor: 10,
  bisectBatchOnError: true,
  maximumRecordAgeSeconds: -1,
  ...overrides,
});

function start(
  tableName: string,
  options: {
    consumer?: Partial<LocalStreamConsumer>;
    handle: (records: Received[]) => Promise<unknown>;
    checkpointFile?: string;
    retryBaseMs?: number;
    log?: (line: string) => void;
  },
) {
  const queue = new LocalQueue("RelayFailures", 14 * 86_400);
  const stream = new LocalTableStream({
    dynamo: db.client,
    endpoint: db.endpoint,
    tableName,
    consumer: consumer(options.consumer),
    invoke: (event) =>
      options.handle(
        (event as StreamEvent).Records.map((r) => ({
          pk: r.dynamodb.NewImage.pk.S,
          v: Number(r.dynamodb.NewImage.v.N),
          seq: r.dynamodb.SequenceNumber,
        })),
      ),
    functionArn: "arn:aws:lambda:local:000000000000:function:Relay",
    onFailure: queue,
    pollMs: 20,
    retryBaseMs: options.retryBaseMs ?? 20,
    log: options.log ?? (() => undefined),
    ...(options.checkpointFile ? { checkpointFile: options.checkpointFile } : {}),
  });
  streams.push(stream);
  stream.start();
  return { stream, queue };
}

const body = (queue: LocalQueue, i = 0) => JSON.parse(queue.list()[i]?.body ?? "null");

describe("the failure queue (DestinationConfig.OnFailure)", () => {
  it("a batch given up after its retries goes to the queue as Lambda's invocation record; the rest is delivered and the position moves past it", async () => {
    const name = await table();
    const delivered: Received[] = [];
    let attemptsOnBad = 0;
    const checkpointFile = join(mkdtempSync(join(tmpdir(), "stream-")), "position.json");
    const { stream, queue } = start(name, {
      checkpointFile,
      handle: async (records) => {
        if (records.some((r) => r.pk === "bad")) {
          attemptsOnBad++;
          throw new Error("cannot settle this change");
        }
        delivered.push(...records);
        return { batchItemFailures: [] };
      },
    });
    await put(name, "good-1", 1);
    await put(name, "bad", 1);
    await put(name, "good-2", 1);
    await eventually(
      async () => queue.depth,
      (n) => n === 1,
    );
    await eventually(
      async () => delivered.map((r) => r.pk).sort(),
      (pks) => pks.join() === "good-1,good-2",
    );
    expect(attemptsOnBad).toBe(3); // the first try and MaximumRetryAttempts (2) retries
    const record = body(queue);
    expect(record).toEqual({
      requestContext: {
        requestId: expect.any(String),
        functionArn: "arn:aws:lambda:local:000000000000:function:Relay",
        condition: "RetryAttemptsExhausted",
        approximateInvokeCount: 3,
      },
      responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
      version: "1.0",
      timestamp: expect.any(String),
      DDBStreamBatchInfo: {
        shardId: expect.stringMatching(/^shardId-/),
        startSequenceNumber: expect.any(String),
        endSequenceNumber: expect.any(String),
        approximateArrivalOfFirstRecord: expect.any(String),
        approximateArrivalOfLastRecord: expect.any(String),
        batchSize: 1,
        streamArn: expect.stringContaining(`table/${name}/stream/`),
      },
    });
    expect(stream.counters.discardedRecords).toBe(1);
    await eventually(
      async () => stream.caughtUp,
      (c) => c,
    );
    await stream.stop();

    // The saved position is past the discarded change: a restart does not deliver it again.
    attemptsOnBad = 0;
    const again = start(name, { checkpointFile, handle: async () => ({ batchItemFailures: [] }) });
    await put(name, "good-3", 1);
    await eventually(
      async () => again.stream.counters.invocations,
      (n) => n >= 1,
    );
    await sleep(300);
    expect(attemptsOnBad).toBe(0);
    expect(again.queue.depth).toBe(0);
  });

  it("the queue keeps its messages across a restart, for its retention period", () => {
    const file = join(mkdtempSync(join(tmpdir(), "queue-")), "RelayFailures.jsonl");
    const first = new LocalQueue("RelayFailures", 60, file);
    first.send({ n: 1 });
    first.send({ n: 2 });
    const reopened = new LocalQueue("RelayFailures", 60, file);
    expect(reopened.depth).toBe(2);
    expect(reopened.list().map((m) => JSON.parse(m.body))).toEqual([{ n: 1 }, { n: 2 }]);
    expect(new LocalQueue("RelayFailures", -1, file).depth).toBe(0); // past retention
  });
});

describe("ParallelizationFactor: items in parallel, each item's changes in order", () => {
  /** Items whose changes land in lanes other than `slow`'s (the lane is a hash of the item's key). */
  function otherLanes(stream: LocalTableStream, count: number): string[] {
    const laneOf = (pk: string) =>
      stream.laneOf({ dynamodb: { Keys: { pk: { S: pk }, sk: { S: "#ITEM" } } } });
    const slow = laneOf("slow");
    const out: string[] = [];
    // With a factor of 1 there is one lane: every item shares it.
    for (let i = 0; out.length < count && i < 1000; i++)
      if (laneOf(`item-${i}`) !== slow) out.push(`item-${i}`);
    for (let i = 0; out.length < count; i++) out.push(`item-${i}`);
    return out;
  }

  async function run(parallelizationFactor: number) {
    const name = await table();
    const done: (Received & { at: number })[] = [];
    let slowFailures = 0;
    const { stream } = start(name, {
      consumer: { parallelizationFactor, maximumRetryAttempts: -1 },
      retryBaseMs: 250,
      handle: async (records) => {
        for (const r of records) {
          if (r.pk === "slow" && slowFailures < 3) {
            slowFailures++;
            return { batchItemFailures: [{ itemIdentifier: r.seq }] };
          }
          done.push({ ...r, at: Date.now() });
        }
        return { batchItemFailures: [] };
      },
    });
    const others = otherLanes(stream, 4);
    await put(name, "slow", 1);
    for (const pk of others) await put(name, pk, 1);
    for (let v = 2; v <= 4; v++) await put(name, "slow", v);
    for (const pk of others) await put(name, pk, 2);
    await eventually(
      async () => done.length,
      (n) => n === 4 + others.length * 2,
      { timeoutMs: 20_000 },
    );
    const slowDone = done.find((r) => r.pk === "slow")?.at ?? 0;
    const othersDone = Math.max(...done.filter((r) => r.pk !== "slow").map((r) => r.at));
    // Each item's changes in the order they were made.
    for (const pk of ["slow", ...others]) {
      const versions = done.filter((r) => r.pk === pk).map((r) => r.v);
      expect(versions).toEqual([...versions].sort((a, b) => a - b));
    }
    return { slowDone, othersDone };
  }

  it("with the stack's factor 10 a failing item holds up only itself", async () => {
    const { slowDone, othersDone } = await run(10);
    expect(othersDone).toBeLessThan(slowDone);
  });

  it("with factor 1 (Lambda's default) it holds up the whole shard, as in AWS", async () => {
    const { slowDone, othersDone } = await run(1);
    expect(othersDone).toBeGreaterThanOrEqual(slowDone);
  });
});

describe("BisectBatchOnFunctionError", () => {
  async function poisoned(bisectBatchOnError: boolean) {
    const name = await table();
    const delivered: string[] = [];
    const sizes: number[] = [];
    const { stream, queue } = start(name, {
      consumer: {
        parallelizationFactor: 1,
        reportsItemFailures: false,
        bisectBatchOnError,
        maximumRetryAttempts: 1,
      },
      handle: async (records) => {
        sizes.push(records.length);
        if (records.some((r) => r.pk === "poison")) throw new Error("poison");
        delivered.push(...records.map((r) => r.pk));
        return {};
      },
    });
    // Written while the stream is held, so that the four changes are read as one batch.
    await eventually(
      async () => stream.caughtUp,
      (c) => c,
    );
    const release = stream.hold();
    for (const pk of ["a", "b", "poison", "c"]) await put(name, pk, 1);
    await sleep(500); // read while held
    release();
    await eventually(
      async () => queue.depth,
      (n) => n >= 1,
    );
    await eventually(
      async () => stream.caughtUp,
      (c) => c,
    );
    return { delivered, sizes, queue };
  }

  it("splits the failed batch until the poisoned record is alone; the others are delivered, the split not counted as a retry", async () => {
    const { delivered, sizes, queue } = await poisoned(true);
    expect(delivered.sort()).toEqual(["a", "b", "c"]);
    expect(sizes[0]).toBe(4);
    expect(queue.depth).toBe(1);
    expect(body(queue).DDBStreamBatchInfo.batchSize).toBe(1);
    // poison alone: the first try and one retry (MaximumRetryAttempts 1), however often it was split.
    expect(body(queue).requestContext.approximateInvokeCount).toBe(2);
  });

  it("without it the whole batch is retried and given up together", async () => {
    const { delivered, sizes, queue } = await poisoned(false);
    expect(delivered).toEqual([]);
    expect(sizes).toEqual([4, 4]);
    expect(body(queue).DDBStreamBatchInfo.batchSize).toBe(4);
  });
});

describe("MaximumRecordAgeInSeconds", () => {
  // AWS accepts 60 s or more; 2 s keeps the test short and works the same way.
  it("a change failing past the age is given up (RecordAgeExceeded) though retries remain", async () => {
    const name = await table();
    let attempts = 0;
    const { queue } = start(name, {
      consumer: { maximumRecordAgeSeconds: 2, maximumRetryAttempts: -1 },
      retryBaseMs: 200,
      handle: async () => {
        attempts++;
        throw new Error("not yet");
      },
    });
    await put(name, "old", 1);
    await eventually(
      async () => queue.depth,
      (n) => n === 1,
      { timeoutMs: 15_000 },
    );
    expect(body(queue).requestContext).toMatchObject({ condition: "RecordAgeExceeded" });
    expect(attempts).toBeGreaterThan(1);
  });

  it("a change already older than the age when it is read is never delivered", async () => {
    const name = await table();
    let invocations = 0;
    const { stream, queue } = start(name, {
      consumer: { maximumRecordAgeSeconds: 2 },
      handle: async () => {
        invocations++;
        return {};
      },
    });
    await eventually(
      async () => stream.caughtUp,
      (c) => c,
    );
    const release = stream.hold();
    await put(name, "stale", 1);
    await sleep(3500);
    release();
    await eventually(
      async () => queue.depth,
      (n) => n === 1,
    );
    expect(invocations).toBe(0);
    expect(body(queue).requestContext).toMatchObject({
      condition: "RecordAgeExceeded",
      approximateInvokeCount: 0,
    });
  });
});

describe("a trimmed position", () => {
  it("is reported and reading goes on from the oldest record kept, not from the mapping's starting position", async () => {
    const name = await table();
    const checkpointFile = join(mkdtempSync(join(tmpdir(), "trim-")), "position.json");
    const seen: string[] = [];
    const first = start(name, {
      consumer: { startingPosition: "LATEST" },
      checkpointFile,
      handle: async (records) => {
        seen.push(...records.map((r) => r.pk));
        return {};
      },
    });
    await eventually(
      async () => first.stream.caughtUp,
      (c) => c,
    );
    await put(name, "before", 1);
    await eventually(
      async () => seen,
      (s) => s.includes("before"),
    );
    await first.stream.stop();
    await put(name, "while-down-1", 1);
    await put(name, "while-down-2", 1);

    // The saved position is past the stream's 24 hours: DynamoDB Streams refuses it.
    const original = DynamoDBStreamsClient.prototype.send as (
      this: DynamoDBStreamsClient,
      command: unknown,
    ) => Promise<never>;
    const mock = mockClient(DynamoDBStreamsClient);
    try {
      // Every call reaches DynamoDB Local, except a shard iterator after the saved position.
      mock.send.callsFake(function (this: DynamoDBStreamsClient, command) {
        return original.call(this, command);
      });
      mock
        .on(GetShardIteratorCommand, { ShardIteratorType: "AFTER_SEQUENCE_NUMBER" })
        .rejects(Object.assign(new Error("Trimmed"), { name: "TrimmedDataAccessException" }));
      const lines: string[] = [];
      const again = start(name, {
        consumer: { startingPosition: "LATEST" },
        checkpointFile,
        log: (line) => lines.push(line),
        handle: async (records) => {
          seen.push(...records.map((r) => r.pk));
          return {};
        },
      });
      await eventually(
        async () => seen,
        (s) => s.includes("while-down-1") && s.includes("while-down-2"),
      );
      expect(lines.some((l) => /were trimmed by the stream before they were delivered/.test(l))).toBe(true);
      await again.stream.stop();
    } finally {
      mock.restore();
    }
  });
});
