import { randomUUID } from "node:crypto";
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { LOCAL_TABLE_NAME } from "../lib/local/system";
import type { RecordedCall } from "./meter";

/**
 * The floor of a route: the DynamoDB requests one traced request sent (recorded by the meter), sent
 * again with the bare SDK — as parallel as the handler sent them. Calls are grouped in waves: a call
 * joins the current wave when it was sent before any call of that wave was answered (it cannot have
 * waited for one of them); each wave is sent at once, the waves one after the other.
 */

type Command = new (input: never) => unknown;
const COMMANDS: Record<string, Command> = {
  GetItem: GetItemCommand,
  Query: QueryCommand,
  BatchGetItem: BatchGetItemCommand,
  BatchWriteItem: BatchWriteItemCommand,
  TransactWriteItems: TransactWriteItemsCommand,
  PutItem: PutItemCommand,
  UpdateItem: UpdateItemCommand,
  DeleteItem: DeleteItemCommand,
};
const READS = new Set(["GetItem", "Query", "BatchGetItem"]);

export function bareClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
}

/** The calls in waves (see above), each wave in the order its calls were sent. */
export function waves(calls: readonly RecordedCall[]): RecordedCall[][] {
  const sorted = [...calls].sort((a, b) => a.startedAt - b.startedAt);
  const out: RecordedCall[][] = [];
  let current: RecordedCall[] = [];
  let firstAnswer = Number.POSITIVE_INFINITY;
  for (const call of sorted) {
    if (current.length > 0 && call.startedAt >= firstAnswer) {
      out.push(current);
      current = [];
      firstAnswer = Number.POSITIVE_INFINITY;
    }
    current.push(call);
    firstAnswer = Math.min(firstAnswer, call.endedAt);
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * Sends the recorded calls again in their waves. In writes (not reads), every key of `rename` is
 * replaced by its value (a copy's id: the same write on a fresh item), and transactions get a
 * fresh token.
 */
export async function replayWaves(
  client: DynamoDBClient,
  grouped: readonly RecordedCall[][],
  rename: ReadonlyMap<string, string> = new Map(),
): Promise<void> {
  for (const wave of grouped) {
    await Promise.all(
      wave.map(async (call) => {
        const Ctor = COMMANDS[call.op];
        if (!Ctor) throw new Error(`cannot replay ${call.op}`);
        let text = JSON.stringify(call.body);
        if (!READS.has(call.op)) for (const [from, to] of rename) text = text.replaceAll(from, to);
        const input = JSON.parse(text) as Record<string, unknown>;
        if ("ClientRequestToken" in input) input.ClientRequestToken = randomUUID();
        await client.send(new Ctor(input as never) as never);
      }),
    );
  }
}

export async function rawItem(client: DynamoDBClient, pk: string, sk: string) {
  const out = await client.send(
    new GetItemCommand({
      TableName: LOCAL_TABLE_NAME,
      Key: { pk: { S: pk }, sk: { S: sk } },
      ConsistentRead: true,
    }),
  );
  if (!out.Item) throw new Error(`no item ${pk}`);
  return out.Item;
}

/** Writes a copy of `item` with every `id` in it replaced by `copyId` (not timed). */
export async function copyItem(client: DynamoDBClient, item: object, id: string, copyId: string) {
  await client.send(
    new PutItemCommand({
      TableName: LOCAL_TABLE_NAME,
      Item: JSON.parse(JSON.stringify(item).replaceAll(id, copyId)),
    }),
  );
}
