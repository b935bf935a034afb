import type { QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import type * as z from "zod/mini";
import type { Dynamo, Item, Page } from "./dynamo";
import { INDEX } from "./keys";
import { parseItem } from "./records";

/** What the stores of every aggregate share: the page request, key stripping, parsed pages of a Query. */
export interface PageRequest {
  readonly limit: number;
  readonly cursor?: string | undefined;
}

/** The key attributes stripped from items before they are parsed into records. */
export function strip(item: Item): Item {
  const { pk, sk, gsi1pk, gsi1sk, gsi2pk, gsi2sk, gsi3pk, gsi3sk, expiration, ...rest } = item;
  return rest;
}

/** One item by key, parsed; undefined when there is none. */
export async function getParsed<T>(
  db: Dynamo,
  key: { pk: string; sk: string },
  schema: z.ZodMiniType<T>,
  what: string,
): Promise<T | undefined> {
  const item = await db.get(key);
  return item ? parseItem(schema, strip(item), what) : undefined;
}

/** The items found under `keyList` (in no particular order; missing ones left out), each parsed. */
export async function batchGetParsed<T>(
  db: Dynamo,
  keyList: readonly { pk: string; sk: string }[],
  schema: z.ZodMiniType<T>,
  what: string,
): Promise<T[]> {
  const items = await db.batchGet(keyList);
  return items.map((i) => parseItem(schema, strip(i), what));
}

/** The last item of a partition by sort key (strongly consistent), parsed; undefined when it is empty. */
export async function latestParsed<T>(
  db: Dynamo,
  partition: string,
  schema: z.ZodMiniType<T>,
  what: string,
): Promise<T | undefined> {
  const out = await db.query(
    {
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": partition },
      ScanIndexForward: false,
      ConsistentRead: true,
    },
    { limit: 1 },
  );
  const item = out.items[0];
  return item ? parseItem(schema, strip(item), what) : undefined;
}

/** One page of a Query, each item parsed with `schema` (`what` names the item in a parse error). */
export async function queryPage<T>(
  db: Dynamo,
  input: Omit<QueryCommandInput, "TableName" | "ExclusiveStartKey" | "Limit">,
  page: PageRequest,
  schema: z.ZodMiniType<T>,
  what: string,
): Promise<Page<T>> {
  const out = await db.query(input, page);
  return { items: out.items.map((i) => parseItem(schema, strip(i), what)), nextCursor: out.nextCursor };
}

/** Where a partition is read: the table itself (`pk`) or one of its indexes (its `gsiNpk`). */
const PARTITIONS = {
  table: { partitionKey: "pk" },
  byOwner: { indexName: INDEX.byOwner, partitionKey: "gsi1pk" },
  byUnit: { indexName: INDEX.byUnit, partitionKey: "gsi2pk" },
  global: { indexName: INDEX.global, partitionKey: "gsi3pk" },
} as const satisfies Record<string, { indexName?: string; partitionKey: string }>;

/**
 * A page of one partition of the table (`table`) or of an index (a whole-collection list, a unit's,
 * the global lists), each item parsed; in sort-key order, or with `latestFirst` the other way round.
 */
export function pageOfPartition<T>(
  db: Dynamo,
  where: keyof typeof PARTITIONS,
  partition: string,
  page: PageRequest,
  schema: z.ZodMiniType<T>,
  what: string,
  order: { latestFirst?: boolean } = {},
): Promise<Page<T>> {
  const at: { indexName?: string; partitionKey: string } = PARTITIONS[where];
  return queryPage(
    db,
    {
      ...(at.indexName ? { IndexName: at.indexName } : {}),
      KeyConditionExpression: `${at.partitionKey} = :pk`,
      ExpressionAttributeValues: { ":pk": partition },
      ScanIndexForward: !order.latestFirst,
    },
    page,
    schema,
    what,
  );
}
