import { DescribeTableCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Dynamo } from "../../lambdas/data/dynamo";
import { INDEX, INDEX_PROJECTION } from "../../lambdas/data/keys";
import { type DynamoDbLocal, ensureTable, startDynamoDbLocal } from "../../lib/local/dynamodb-local";
import { readSystem } from "../../lib/local/template";
import { loadCloudTemplate } from "../../lib/local/template-cache";

/**
 * Indexes 2 and 3 carry only the attributes queries filter on (lambdas/data/keys.ts, INDEX_PROJECTION),
 * on real DynamoDB Local: a step that keeps an item's index keys writes no index entry, a query reads
 * whole items as before, and a table kept under DATA_DIR from the version whose indexes carried whole
 * items is rebuilt to the declared indexes at start, its entries backfilled.
 */

let db: DynamoDbLocal;
let tableProperties: Record<string, unknown>;

beforeAll(async () => {
  db = await startDynamoDbLocal({});
  tableProperties = readSystem((await loadCloudTemplate()).template).table.properties;
}, 120_000);

afterAll(async () => {
  await db?.stop();
});

/** How many UpdateTable requests `start` sends to DynamoDB Local. */
async function tableUpdatesOf(start: () => Promise<void>): Promise<number> {
  let updates = 0;
  const name = "countTableUpdates";
  db.client.middlewareStack.add(
    (next, context) => (args) => {
      if (context.commandName === "UpdateTableCommand") updates++;
      return next(args);
    },
    { step: "initialize", name },
  );
  try {
    await start();
  } finally {
    db.client.middlewareStack.remove(name);
  }
  return updates;
}

type DeclaredIndex = { IndexName: string; Projection: Record<string, unknown> };

/** The table as the version before this change declared it: every index with whole items. */
function propertiesWithWholeItems(): Record<string, unknown> {
  const indexes = tableProperties.GlobalSecondaryIndexes as DeclaredIndex[];
  return {
    ...tableProperties,
    GlobalSecondaryIndexes: indexes.map((g) => ({ ...g, Projection: { ProjectionType: "ALL" } })),
  };
}

const order = (id: string, status: string) => ({
  pk: `RECT#${id}`,
  sk: "#RECT",
  rectificationId: id,
  spotCheckId: "sc-1",
  status,
  description: "消防通道堆放杂物",
  gsi2pk: "UNIT#u-1#RECTS",
  gsi2sk: `A#2026-12-10T16:00:00.000Z#${id}`,
  gsi3pk: "RECTS#A",
  gsi3sk: `2026-12-10T16:00:00.000Z#${id}`,
});

async function indexUnits(
  tableName: string,
  id: string,
  update: string,
  values: Record<string, { S: string }>,
  names?: Record<string, string>,
) {
  const out = await db.client.send(
    new UpdateItemCommand({
      TableName: tableName,
      Key: { pk: { S: `RECT#${id}` }, sk: { S: "#RECT" } },
      UpdateExpression: update,
      ExpressionAttributeValues: values,
      ...(names ? { ExpressionAttributeNames: names } : {}),
      ReturnConsumedCapacity: "INDEXES",
    }),
  );
  const indexes = out.ConsumedCapacity?.GlobalSecondaryIndexes ?? {};
  return Object.values(indexes).reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
}

describe("lean working indexes", () => {
  it("declares whole items on index 1 only, and the same in the synthesized template", () => {
    expect(INDEX_PROJECTION[INDEX.byOwner]).toBe("ALL");
    const declared = tableProperties.GlobalSecondaryIndexes as DeclaredIndex[];
    for (const g of declared) {
      const projection = INDEX_PROJECTION[g.IndexName as keyof typeof INDEX_PROJECTION];
      expect(g.Projection).toEqual(
        projection === "ALL"
          ? { ProjectionType: "ALL" }
          : { ProjectionType: "INCLUDE", NonKeyAttributes: [...projection] },
      );
    }
  });

  it("a step that keeps the index keys writes no index entry; one that moves them does", async () => {
    const tableName = "lean-units";
    await ensureTable(db.client, tableName, tableProperties);
    const doc = DynamoDBDocumentClient.from(db.client);
    await doc.send(new PutCommand({ TableName: tableName, Item: order("r-1", "open") }));
    // A report: the status and the report change, the deadline (the keys) does not.
    const report = { ":s": { S: "submitted" }, ":d": { S: "已清理" } };
    expect(await indexUnits(tableName, "r-1", "SET #s = :s, report = :d", report, { "#s": "status" })).toBe(
      0,
    );
    // An extension: the deadline moves, and both entries with it.
    expect(
      await indexUnits(tableName, "r-1", "SET gsi2sk = :a, gsi3sk = :b", {
        ":a": { S: "A#2026-12-17T16:00:00.000Z#r-1" },
        ":b": { S: "2026-12-17T16:00:00.000Z#r-1" },
      }),
    ).toBeGreaterThan(0);
    // A query still reads whole items, in the index's order.
    await doc.send(new PutCommand({ TableName: tableName, Item: order("r-0", "open") }));
    const page = await new Dynamo(doc, tableName).query(
      {
        IndexName: INDEX.global,
        KeyConditionExpression: "gsi3pk = :pk",
        ExpressionAttributeValues: { ":pk": "RECTS#A" },
      },
      { limit: 10 },
    );
    expect(page.items.map((i) => [i.rectificationId, i.status, i.description])).toEqual([
      ["r-0", "open", "消防通道堆放杂物"],
      ["r-1", "submitted", "消防通道堆放杂物"],
    ]);
  });

  it("rebuilds the indexes of a table kept from the version with whole-item indexes, entries and all", async () => {
    const tableName = "kept-from-before";
    await ensureTable(db.client, tableName, propertiesWithWholeItems());
    const doc = DynamoDBDocumentClient.from(db.client);
    await doc.send(new PutCommand({ TableName: tableName, Item: order("r-9", "open") }));
    const before = await db.client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(before.Table?.GlobalSecondaryIndexes?.every((g) => g.Projection?.ProjectionType === "ALL")).toBe(
      true,
    );

    // Two indexes, each dropped and created again.
    expect(await tableUpdatesOf(() => ensureTable(db.client, tableName, tableProperties))).toBe(4);

    const after = await db.client.send(new DescribeTableCommand({ TableName: tableName }));
    const projections = Object.fromEntries(
      (after.Table?.GlobalSecondaryIndexes ?? []).map((g) => [g.IndexName, g.Projection?.ProjectionType]),
    );
    expect(projections).toEqual({ GSI1: "ALL", GSI2: "INCLUDE", GSI3: "INCLUDE" });
    const page = await new Dynamo(doc, tableName).query(
      {
        IndexName: INDEX.byUnit,
        KeyConditionExpression: "gsi2pk = :pk",
        ExpressionAttributeValues: { ":pk": "UNIT#u-1#RECTS" },
      },
      { limit: 10 },
    );
    expect(page.items.map((i) => i.rectificationId)).toEqual(["r-9"]);
    // A second start finds nothing to rebuild: it sends no UpdateTable.
    expect(await tableUpdatesOf(() => ensureTable(db.client, tableName, tableProperties))).toBe(0);
  });
});
