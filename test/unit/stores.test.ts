import { DynamoDBClient, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  BATCH_CONCURRENCY,
  Dynamo,
  decodeCursor,
  encodeCursor,
  RetryableConditionError,
} from "../../lambdas/data/dynamo";
import { Journal } from "../../lambdas/data/journal";
import { keys } from "../../lambdas/data/keys";
import type { UnitRecord } from "../../lambdas/data/records";
import { RectificationStore } from "../../lambdas/data/rectifications";
import { UnitStore } from "../../lambdas/data/units";
import { nextLink } from "../../lambdas/domain/audit-chain";
import { ConflictError, InvalidInputError, TransientDependencyError } from "../../lambdas/domain/errors";

/**
 * The DynamoDB adapter (lambdas/data/dynamo.ts) and a store over it, their SDK calls answered by
 * aws-sdk-client-mock: the requests they send (keys, conditions, transactions) and how SDK failures
 * become the domain's named errors. No DynamoDB Local: the integration suites run the same stores
 * against it.
 */

const TABLE = "unit-test-table";
const ddb = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(
  new DynamoDBClient({ region: "local", credentials: { accessKeyId: "unit", secretAccessKey: "unit" } }),
);
const db = new Dynamo(client, TABLE);

/** An SDK service error as the client throws it: a named Error with `$metadata`. */
function sdkError(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(name), { name, $fault: "client", $metadata: {}, ...extra });
}

function cancelled(...codes: string[]) {
  return new TransactionCanceledException({
    message: "Transaction cancelled",
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

beforeEach(() => {
  ddb.reset();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("the DynamoDB adapter", () => {
  it("reads an item by key with a strongly consistent GetItem", async () => {
    ddb.on(GetCommand).resolves({ Item: { pk: "UNIT#u-1", sk: "#UNIT", name: "管城区" } });
    expect(await db.get({ pk: "UNIT#u-1", sk: "#UNIT" })).toMatchObject({ name: "管城区" });
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: "UNIT#u-1", sk: "#UNIT" },
      ConsistentRead: true,
    });
  });

  it("turns throttling into TransientDependencyError (a 503 for the caller)", async () => {
    ddb.on(GetCommand).rejects(sdkError("ProvisionedThroughputExceededException"));
    await expect(db.get({ pk: "a", sk: "b" })).rejects.toBeInstanceOf(TransientDependencyError);
  });

  it("turns a failed condition of an update into ConflictError with the store's message", async () => {
    ddb.on(UpdateCommand).rejects(sdkError("ConditionalCheckFailedException"));
    const update = db.updateItem(
      { pk: "a", sk: "b" },
      "SET x = :x",
      undefined,
      { ":x": 1 },
      "version = :v",
      "改过了",
    );
    await expect(update).rejects.toThrow(new ConflictError("改过了"));
  });

  it("pages a Query with an opaque cursor, and refuses a cursor that does not decode or belong", async () => {
    const last = { pk: "UNITS#root", sk: "u-9" };
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ pk: "x" }], LastEvaluatedKey: last })
      .resolvesOnce({ Items: [] });
    const first = await db.query({ KeyConditionExpression: "pk = :pk" }, { limit: 1 });
    expect(first.nextCursor).toBe(encodeCursor(last));
    const second = await db.query(
      { KeyConditionExpression: "pk = :pk" },
      { limit: 1, cursor: first.nextCursor ?? "" },
    );
    expect(second.nextCursor).toBeNull();
    expect(ddb.commandCalls(QueryCommand)[1]?.args[0].input).toMatchObject({
      ExclusiveStartKey: last,
      Limit: 1,
    });

    expect(() => decodeCursor("not base64 json")).toThrow(InvalidInputError);
    ddb.on(QueryCommand).rejects(sdkError("ValidationException"));
    await expect(
      db.query({}, { limit: 1, cursor: encodeCursor({ pk: "OTHER" }) ?? "" }),
    ).rejects.toBeInstanceOf(InvalidInputError);
  });

  it("turns a transaction's failed condition into ConflictError, unless only retryable items failed", async () => {
    const items = [db.put({ pk: "a", sk: "b" }, "attribute_not_exists(pk)"), db.put({ pk: "c", sk: "d" })];
    ddb.on(TransactWriteCommand).rejects(cancelled("ConditionalCheckFailed", "None"));
    await expect(db.transact(items, "冲突")).rejects.toThrow(new ConflictError("冲突"));
    ddb.on(TransactWriteCommand).rejects(cancelled("None", "ConditionalCheckFailed"));
    await expect(db.transact(items, "冲突", [1])).rejects.toBeInstanceOf(RetryableConditionError);
  });

  it("retries a transaction that conflicted with another, with the same client request token", async () => {
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled("TransactionConflict", "None")).resolves({});
    await db.transact([db.put({ pk: "a", sk: "b" })], "冲突");
    const calls = ddb.commandCalls(TransactWriteCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.ClientRequestToken).toBeDefined();
    expect(calls[1]?.ClientRequestToken).toBe(calls[0]?.ClientRequestToken);
  });

  it("gives up on a transaction that keeps conflicting with TransientDependencyError", async () => {
    vi.useFakeTimers();
    ddb.on(TransactWriteCommand).rejects(cancelled("TransactionConflict"));
    const outcome = db.transact([db.put({ pk: "a", sk: "b" })], "冲突").catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    expect(await outcome).toBeInstanceOf(TransientDependencyError);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(7);
  });

  it("reads many keys in requests of 100 sent together (one round trip, not one per 100), each key once", async () => {
    let inFlight = 0;
    let most = 0;
    ddb.on(BatchGetCommand).callsFake(async (input: { RequestItems: Record<string, { Keys: object[] }> }) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight--;
      return { Responses: { [TABLE]: input.RequestItems[TABLE]?.Keys.map((k) => ({ ...k, found: true })) } };
    });
    const wanted = Array.from({ length: 250 }, (_, i) => ({ pk: `UNIT#u-${i}`, sk: "#UNIT" }));
    const found = await db.batchGet([...wanted, wanted[0] as { pk: string; sk: string }]);
    expect(found.map((i) => i.pk).sort()).toEqual(wanted.map((k) => k.pk).sort());
    const sizes = ddb
      .commandCalls(BatchGetCommand)
      .map((c) => c.args[0].input.RequestItems?.[TABLE]?.Keys?.length);
    expect(sizes.sort()).toEqual([100, 100, 50]);
    expect(most).toBe(3);
  });

  it("asks again for the keys a batch left unprocessed", async () => {
    ddb
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { [TABLE]: [{ pk: "a", sk: "1" }] },
        UnprocessedKeys: { [TABLE]: { Keys: [{ pk: "b", sk: "1" }] } },
      })
      .resolves({ Responses: { [TABLE]: [{ pk: "b", sk: "1" }] } });
    const found = await db.batchGet([
      { pk: "a", sk: "1" },
      { pk: "b", sk: "1" },
    ]);
    expect(found.map((i) => i.pk).sort()).toEqual(["a", "b"]);
    expect(ddb.commandCalls(BatchGetCommand)[1]?.args[0].input.RequestItems?.[TABLE]?.Keys).toEqual([
      { pk: "b", sk: "1" },
    ]);
  });

  it("writes items in batches of 25, at most BATCH_CONCURRENCY at once", async () => {
    let inFlight = 0;
    let most = 0;
    ddb.on(BatchWriteCommand).callsFake(async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 10));
      inFlight--;
      return {};
    });
    await db.batchPut(Array.from({ length: 260 }, (_, i) => ({ pk: `P#${i}`, sk: "x" })));
    const sizes = ddb
      .commandCalls(BatchWriteCommand)
      .map((c) => c.args[0].input.RequestItems?.[TABLE]?.length);
    expect(sizes).toHaveLength(11);
    expect(sizes.reduce((a, b) => (a ?? 0) + (b ?? 0), 0)).toBe(260);
    expect(most).toBe(BATCH_CONCURRENCY);
  });
});

describe("the closed-order counters", () => {
  it("counts all units as the sum of the unit counters; the all-units items of earlier versions are not read", async () => {
    ddb.on(QueryCommand).resolves({
      Items: [
        // Earlier versions wrote these beside the unit counters, in the same transactions.
        { pk: keys.stats, sk: "#ALL", unitId: "*", closed: 5, closedOnTime: 4 },
        { pk: keys.stats, sk: "#ALL#3", unitId: "*", closed: 5, closedLate: 3, closedReminded: 1 },
        { pk: keys.stats, sk: "UNIT#u-1", unitId: "u-1", closed: 8, closedLate: 2 },
        { pk: keys.stats, sk: "UNIT#u-2", unitId: "u-2", closed: 2, closedLate: 1, closedEscalated: 1 },
      ],
    });
    const { all, byUnit } = await new RectificationStore(db, new Journal(db)).closedCounters();
    expect(all).toEqual({ closed: 10, closedLate: 3, closedReminded: 0, closedEscalated: 1 });
    expect(byUnit.get("u-1")).toEqual({ closed: 8, closedLate: 2, closedReminded: 0, closedEscalated: 0 });
    expect(byUnit.get("u-2")).toEqual({ closed: 2, closedLate: 1, closedReminded: 0, closedEscalated: 1 });
  });
});

describe("repairs of items written after a commit", () => {
  it("writes only the items not in the table yet (a read costs a fifth of a write)", async () => {
    ddb
      .on(BatchGetCommand)
      .resolves({ Responses: { [TABLE]: [{ pk: "INSPECTOR#i-1", sk: "ASSIGNMENT#t#a-1" }] } });
    ddb.on(BatchWriteCommand).resolves({});
    await db.batchPutMissing([
      { pk: "INSPECTOR#i-1", sk: "ASSIGNMENT#t#a-1", assignmentId: "a-1" },
      { pk: "INSPECTOR#i-2", sk: "ASSIGNMENT#t#a-1", assignmentId: "a-1" },
    ]);
    expect(ddb.commandCalls(BatchWriteCommand).map((c) => c.args[0].input.RequestItems?.[TABLE])).toEqual([
      [{ PutRequest: { Item: { pk: "INSPECTOR#i-2", sk: "ASSIGNMENT#t#a-1", assignmentId: "a-1" } } }],
    ]);
  });

  it("writes nothing when everything is there", async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [{ pk: "a", sk: "1" }] } });
    await db.batchPutMissing([{ pk: "a", sk: "1" }]);
    expect(ddb.commandCalls(BatchWriteCommand)).toHaveLength(0);
  });
});

describe("the journal's audit appends for reads", () => {
  const journal = new Journal(db);
  const at = "2026-12-03T08:00:00.000Z";
  const read = (entityId: string) => ({ entityId, actor: "organizer-1", action: "read_before_arrival", at });

  it("appends up to 100 events a transaction, each at its entity's head, two of one entity chained in order", async () => {
    const head = nextLink(null, { entityId: "a-0", at, actor: "x", action: "created", detail: undefined });
    ddb.on(QueryCommand).callsFake(async (input: { ExpressionAttributeValues: Record<string, string> }) =>
      input.ExpressionAttributeValues[":pk"] === keys.audit("a-0")
        ? {
            Items: [{ pk: keys.audit("a-0"), entityId: "a-0", at, actor: "x", action: "created", ...head }],
          }
        : { Items: [] },
    );
    ddb.on(TransactWriteCommand).resolves({});
    const events = [read("a-0"), ...Array.from({ length: 120 }, (_, i) => read(`a-${i}`))];
    await journal.appendAudit(events);
    const transactions = ddb
      .commandCalls(TransactWriteCommand)
      .map((c) => (c.args[0].input as TransactWriteCommandInput).TransactItems ?? []);
    expect(transactions.map((t) => t.length)).toEqual([100, 21]);
    const puts = transactions.flat().map((t) => t.Put?.Item as Record<string, unknown>);
    const ofA0 = puts.filter((p) => p.entityId === "a-0");
    expect(ofA0.map((p) => p.seq)).toEqual([2, 3]);
    expect(ofA0[0]?.prevHash).toBe(head.hash);
    expect(ofA0[1]?.prevHash).toBe(ofA0[0]?.hash);
    expect(puts.filter((p) => p.entityId === "a-7").map((p) => p.seq)).toEqual([1]);
  });

  it("rebuilds the whole transaction from the new heads when another writer took one entity's head", async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled("None", "ConditionalCheckFailed")).resolves({});
    await journal.appendAudit([read("b-1"), read("b-2")]);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(2);
    expect(ddb.commandCalls(QueryCommand).length).toBe(4);
  });
});

describe("the unit store", () => {
  const store = new UnitStore(db, new Journal(db));
  const at = "2026-12-03T08:00:00.000Z";
  const unit: UnitRecord = {
    unitId: "u-2",
    name: "紫荆山路街道",
    parentId: "u-1",
    kind: "street",
    version: 1,
    createdAt: at,
    updatedAt: at,
  };

  it("parses what it reads, and refuses an item that does not match the record's schema", async () => {
    ddb.on(GetCommand).resolves({ Item: { ...keys.unit("u-2"), ...unit } });
    expect(await store.getUnit("u-2")).toEqual(unit);
    ddb.on(GetCommand).resolves({ Item: { ...keys.unit("u-2"), ...unit, version: "one" } });
    await expect(store.getUnit("u-2")).rejects.toThrow(/Stored unit does not match its schema/);
  });

  it("creates a unit in one transaction: the unit if absent, its parent's link as read, the first audit link", async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const audit = { entityId: "u-2", actor: "admin-1", action: "unit_created", at, created: true };
    await store.putUnit(unit, null, [{ unitId: "u-1", parentId: null }], audit);
    const input = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input as TransactWriteCommandInput;
    const [put, check, auditPut] = input.TransactItems ?? [];
    expect(put?.Put).toMatchObject({
      TableName: TABLE,
      Item: { ...keys.unit("u-2"), gsi1pk: keys.unitChildren("u-1"), gsi1sk: "u-2", ...unit },
      ConditionExpression: "attribute_not_exists(pk)",
    });
    expect(check?.ConditionCheck).toMatchObject({
      Key: keys.unit("u-1"),
      ConditionExpression: "attribute_exists(pk) AND parentId = :null",
    });
    const link = nextLink(null, {
      entityId: "u-2",
      at,
      actor: "admin-1",
      action: "unit_created",
      detail: undefined,
    });
    expect(auditPut?.Put).toMatchObject({
      Item: { pk: keys.audit("u-2"), seq: 1, hash: link.hash, prevHash: link.prevHash },
      ConditionExpression: "attribute_not_exists(pk)",
    });
    // A new entity's chain starts at its genesis: no read of an audit head.
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it("creates units in groups with exactly the items putUnit writes for a new unit", async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const audit = { entityId: "u-2", actor: "admin-1", action: "unit_created", at, created: true };
    const ancestors = [
      { unitId: "u-1", parentId: "u-0" },
      { unitId: "u-0", parentId: null },
    ];
    await store.putUnit(unit, null, ancestors, audit);
    await store.createUnits([{ unit, ancestorParents: ancestors }], () => ({
      actor: "admin-1",
      action: "unit_created",
      at,
    }));
    const [one, grouped] = ddb.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems);
    expect(grouped).toEqual(one);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it("packs at most 100 items a transaction (units, first audit links, each shared ancestor once), several at once", async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const units = Array.from({ length: 120 }, (_, i) => ({
      unit: { ...unit, unitId: `u-2-${i}` },
      ancestorParents: [{ unitId: "u-1", parentId: null }],
    }));
    await store.createUnits(units, (u) => ({ actor: "admin-1", action: "unit_created", at: u.createdAt }));
    const transactions = ddb
      .commandCalls(TransactWriteCommand)
      .map((c) => c.args[0].input.TransactItems ?? []);
    expect(transactions.map((t) => t.length)).toEqual([99, 99, 45]);
    for (const items of transactions) {
      expect(items.filter((i) => i.ConditionCheck).map((i) => i.ConditionCheck?.Key)).toEqual([
        keys.unit("u-1"),
      ]);
      const puts = items.flatMap((i) => (i.Put ? [i.Put] : []));
      expect(puts.every((p) => p.ConditionExpression === "attribute_not_exists(pk)")).toBe(true);
      expect(puts.filter((p) => p.Item?.sk === "#UNIT")).toHaveLength((items.length - 1) / 2);
    }
    const written = transactions
      .flat()
      .flatMap((i) => (i.Put?.Item?.sk === "#UNIT" ? [i.Put.Item.unitId] : []));
    expect(written.sort()).toEqual(units.map((u) => u.unit.unitId).sort());
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it("refuses a unit given twice or a unit under another of the same call (parents go first)", async () => {
    const audit = () => ({ actor: "admin-1", action: "unit_created", at });
    await expect(store.createUnits([{ unit }, { unit }], audit)).rejects.toThrow(/given twice/);
    const parent = { ...unit, unitId: "u-1", parentId: null };
    await expect(
      store.createUnits(
        [{ unit: parent }, { unit, ancestorParents: [{ unitId: "u-1", parentId: null }] }],
        audit,
      ),
    ).rejects.toThrow(/same call/);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it("replaces a unit only at the version read, chaining its audit event to the stored head", async () => {
    const head = {
      pk: keys.audit("u-2"),
      sk: "E#0000000004",
      entityId: "u-2",
      at,
      actor: "a",
      action: "x",
      seq: 4,
      prevHash: "p",
      hash: "h4",
    };
    ddb.on(QueryCommand).resolves({ Items: [head] });
    ddb.on(TransactWriteCommand).resolves({});
    const audit = { entityId: "u-2", actor: "admin-1", action: "unit_updated", at };
    await store.putUnit({ ...unit, version: 4 }, 3, [], audit);
    const items = (ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ??
      []) as NonNullable<TransactWriteCommandInput["TransactItems"]>;
    expect(items[0]?.Put).toMatchObject({
      ConditionExpression: "version = :expected",
      ExpressionAttributeValues: { ":expected": 3 },
    });
    expect(items[1]?.Put?.Item).toMatchObject({ seq: 5, prevHash: "h4" });
  });

  it("refuses a replacement that lost the race for the unit's version with 409 (ConflictError)", async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(TransactWriteCommand).rejects(cancelled("ConditionalCheckFailed", "None"));
    const audit = { entityId: "u-2", actor: "admin-1", action: "unit_updated", at };
    await expect(store.putUnit({ ...unit, version: 4 }, 3, [], audit)).rejects.toThrow(
      new ConflictError("单位树刚被修改，请重试。"),
    );
  });
});
