import { DynamoDBClient, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Dynamo, decodeCursor, encodeCursor, RetryableConditionError } from "../../lambdas/data/dynamo";
import { Journal } from "../../lambdas/data/journal";
import { keys } from "../../lambdas/data/keys";
import type { UnitRecord } from "../../lambdas/data/records";
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
