import { randomUUID } from "node:crypto";
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { ConflictError, InvalidInputError, TransientDependencyError } from "../domain/errors";
import { INDEX_PROJECTION } from "./keys";

export type Item = Record<string, unknown>;

/** Only items the caller marked as retryable (audit appends racing for the same sequence number) failed. */
export class RetryableConditionError extends Error {
  constructor() {
    super("A retryable condition of the transaction failed");
    this.name = "RetryableConditionError";
  }
}
export type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

const TRANSIENT = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "InternalServerError",
  "ServiceUnavailable",
  "TransactionInProgressException",
]);

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : "";
}

function cancellationCodes(error: unknown): string[] {
  if (typeof error === "object" && error !== null && "CancellationReasons" in error) {
    const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
    return reasons.map((r) => r.Code ?? "None");
  }
  return [];
}

/** Opaque list cursor: the LastEvaluatedKey, base64url JSON. A cursor that does not decode is the client's 400. */
export function encodeCursor(key: Item | undefined): string | null {
  return key ? Buffer.from(JSON.stringify(key), "utf8").toString("base64url") : null;
}

export function decodeCursor(cursor: string | undefined): Item | undefined {
  if (cursor === undefined || cursor === "") return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (
      typeof value === "object" &&
      value !== null &&
      !Array.isArray(value) &&
      Object.values(value).every((v) => typeof v === "string")
    ) {
      return value as Item;
    }
  } catch {
    // fall through to the 400 below
  }
  throw new InvalidInputError("分页游标无效。", [{ path: "query.cursor", message: "分页游标无效" }]);
}

/**
 * Thin DynamoDB adapter: the one place that turns SDK failures into the domain's named errors
 * (condition failures → ConflictError, throttling → TransientDependencyError) and that retries
 * transaction conflicts on shared items such as counters.
 */
export class Dynamo {
  constructor(
    readonly client: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  async get(key: { pk: string; sk: string }, consistent = true): Promise<Item | undefined> {
    const out = await this.send(() =>
      this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: consistent })),
    );
    return out.Item;
  }

  /** Every item of `keyList` that exists (any order): 100 keys a request, BATCH_CONCURRENCY requests at once. */
  async batchGet(keyList: readonly { pk: string; sk: string }[], consistent = true): Promise<Item[]> {
    const unique = [...new Map(keyList.map((k) => [`${k.pk}|${k.sk}`, k])).values()];
    const found: Item[] = [];
    await inChunks(unique, 100, async (chunk) => {
      let pending: Record<string, unknown>[] = chunk;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 8) throw new TransientDependencyError("BatchGetItem kept returning unprocessed keys");
        const request = pending;
        const out = await this.send(() =>
          this.client.send(
            new BatchGetCommand({
              RequestItems: { [this.tableName]: { Keys: request, ConsistentRead: consistent } },
            }),
          ),
        );
        found.push(...(out.Responses?.[this.tableName] ?? []));
        pending = out.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
        if (pending.length > 0) await backoff(attempt);
      }
    });
    return found;
  }

  async putItem(item: Item): Promise<void> {
    await this.send(() => this.client.send(new PutCommand({ TableName: this.tableName, Item: item })));
  }

  /**
   * One conditional update of one item (no transaction), returning the item as it is after it. A
   * failed condition is a ConflictError with `conflictMessage`.
   */
  async updateItem(
    key: { pk: string; sk: string },
    expression: string,
    names: Record<string, string> | undefined,
    values: Item | undefined,
    condition: string | undefined,
    conflictMessage: string,
  ): Promise<Item | undefined> {
    try {
      const out = await this.send(() =>
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: expression,
            ...(names && Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
            ...(values && Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
            ...(condition ? { ConditionExpression: condition } : {}),
            ReturnValues: "ALL_NEW",
          }),
        ),
      );
      return out.Attributes;
    } catch (error) {
      if (errorName(error) === "ConditionalCheckFailedException") throw new ConflictError(conflictMessage);
      throw error;
    }
  }

  async delete(key: { pk: string; sk: string }): Promise<void> {
    await this.send(() => this.client.send(new DeleteCommand({ TableName: this.tableName, Key: key })));
  }

  /** Writes items that are safe to write twice (deterministic keys): 25 a request, BATCH_CONCURRENCY at once. */
  async batchPut(items: readonly Item[]): Promise<void> {
    await inChunks(items, 25, async (chunk) => {
      let pending: Record<string, unknown>[] = chunk.map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 8)
          throw new TransientDependencyError("BatchWriteItem kept returning unprocessed items");
        const request = pending;
        const out = await this.send(() =>
          this.client.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: request } })),
        );
        pending = out.UnprocessedItems?.[this.tableName] ?? [];
        if (pending.length > 0) await backoff(attempt);
      }
    });
  }

  /**
   * Writes those of `items` that are not in the table yet, for repairs that usually find everything
   * written already: a strongly consistent read of a small item costs a fifth of its write.
   */
  async batchPutMissing(items: readonly Item[]): Promise<void> {
    const present = new Set(
      (await this.batchGet(items.map((i) => ({ pk: String(i.pk), sk: String(i.sk) })))).map(
        (i) => `${String(i.pk)}|${String(i.sk)}`,
      ),
    );
    await this.batchPut(items.filter((i) => !present.has(`${String(i.pk)}|${String(i.sk)}`)));
  }

  async query(
    input: Omit<QueryCommandInput, "TableName" | "ExclusiveStartKey" | "Limit">,
    page: { limit: number; cursor?: string | undefined },
  ): Promise<{ items: Item[]; nextCursor: string | null }> {
    const start = decodeCursor(page.cursor);
    try {
      const out = await this.send(() =>
        this.client.send(
          new QueryCommand({
            ...input,
            TableName: this.tableName,
            Limit: page.limit,
            ExclusiveStartKey: start,
          }),
        ),
      );
      return {
        items: await this.whole(input, out.Items ?? []),
        nextCursor: encodeCursor(out.LastEvaluatedKey),
      };
    } catch (error) {
      // A cursor that decodes but does not belong to this list (another partition, a forged key).
      if (start && errorName(error) === "ValidationException") {
        throw new InvalidInputError("分页游标不属于这个列表。", [
          { path: "query.cursor", message: "分页游标无效" },
        ]);
      }
      throw error;
    }
  }

  /** Every item of a query, following pages; only for partitions whose size is bounded by open work. */
  async queryAll(input: Omit<QueryCommandInput, "TableName" | "ExclusiveStartKey">): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const out = await this.send(() =>
        this.client.send(new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey: start })),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return this.whole(input, items);
  }

  /**
   * The whole items of a page read from an index that carries only some attributes
   * (`INDEX_PROJECTION`), in the page's order; a query that names its attributes
   * (`ProjectionExpression`) reads only projected ones and is answered from the index alone. The
   * index is read eventually consistent, and so are its items: an item deleted in between is left out.
   */
  private async whole(
    input: Pick<QueryCommandInput, "IndexName" | "ProjectionExpression">,
    entries: Item[],
  ): Promise<Item[]> {
    const index = input.IndexName;
    if (!index || input.ProjectionExpression || entries.length === 0) return entries;
    if (!isIndexName(index) || INDEX_PROJECTION[index] === "ALL") return entries;
    const ref = (i: Item) => `${String(i.pk)}|${String(i.sk)}`;
    const found = new Map<string, Item>(
      (
        await this.batchGet(
          entries.map((e) => ({ pk: String(e.pk), sk: String(e.sk) })),
          false,
        )
      ).map((i) => [ref(i), i]),
    );
    return entries.flatMap((e) => {
      const item = found.get(ref(e));
      return item ? [item] : [];
    });
  }

  /**
   * One all-or-nothing transaction. A failed condition is a ConflictError with `conflictMessage`;
   * a conflict with a concurrent transaction on a shared item is retried with jitter.
   */
  async transact(
    items: readonly TransactItem[],
    conflictMessage: string,
    retryableIndexes: readonly number[] = [],
  ): Promise<void> {
    const token = randomUUID();
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.send(
          new TransactWriteCommand({ TransactItems: [...items], ClientRequestToken: token }),
        );
        return;
      } catch (error) {
        const codes = cancellationCodes(error);
        const failed = codes.flatMap((code, i) => (code === "ConditionalCheckFailed" ? [i] : []));
        if (failed.length > 0) {
          if (failed.every((i) => retryableIndexes.includes(i))) throw new RetryableConditionError();
          throw new ConflictError(conflictMessage);
        }
        const retryable =
          codes.includes("TransactionConflict") ||
          codes.includes("ThrottlingError") ||
          TRANSIENT.has(errorName(error)) ||
          errorName(error) === "TransactionConflictException";
        if (retryable && attempt < 6) {
          await backoff(attempt);
          continue;
        }
        if (retryable)
          throw new TransientDependencyError("DynamoDB transaction kept conflicting", { cause: error });
        if (errorName(error) === "IdempotentParameterMismatchException") {
          throw new ConflictError(conflictMessage);
        }
        throw error;
      }
    }
  }

  put(item: Item, condition?: string, values?: Item): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: item,
        ...(condition ? { ConditionExpression: condition } : {}),
        ...(values ? { ExpressionAttributeValues: values } : {}),
      },
    };
  }

  update(
    key: { pk: string; sk: string },
    expression: string,
    names: Record<string, string> | undefined,
    values: Item | undefined,
    condition?: string,
  ): TransactItem {
    return {
      Update: {
        TableName: this.tableName,
        Key: key,
        UpdateExpression: expression,
        ...(names && Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
        ...(values && Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
        ...(condition ? { ConditionExpression: condition } : {}),
      },
    };
  }

  /** A delete inside a transaction. */
  remove(key: { pk: string; sk: string }): TransactItem {
    return { Delete: { TableName: this.tableName, Key: key } };
  }

  conditionCheck(
    key: { pk: string; sk: string },
    condition: string,
    values: Item,
    names?: Record<string, string>,
  ): TransactItem {
    return {
      ConditionCheck: {
        TableName: this.tableName,
        Key: key,
        ConditionExpression: condition,
        ExpressionAttributeValues: values,
        ...(names ? { ExpressionAttributeNames: names } : {}),
      },
    };
  }

  private async send<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (TRANSIENT.has(errorName(error))) {
        throw new TransientDependencyError(`DynamoDB is throttling or unavailable: ${errorName(error)}`, {
          cause: error,
        });
      }
      throw error;
    }
  }
}

/**
 * Batch requests of one call sent at once: a draw reads 1,725 inspectors in 18 requests, one round
 * trip instead of 18. Bounded, so one call never takes the whole connection pool of its process.
 */
export const BATCH_CONCURRENCY = 8;

async function inChunks<T>(
  list: readonly T[],
  size: number,
  each: (chunk: T[]) => Promise<void>,
): Promise<void> {
  const chunks: T[][] = [];
  for (let i = 0; i < list.length; i += size) chunks.push(list.slice(i, i + size));
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(BATCH_CONCURRENCY, chunks.length) }, async () => {
      while (next < chunks.length) {
        const chunk = chunks[next++] as T[];
        await each(chunk);
      }
    }),
  );
}

function isIndexName(name: string): name is keyof typeof INDEX_PROJECTION {
  return Object.hasOwn(INDEX_PROJECTION, name);
}

function backoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(1000, 20 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
