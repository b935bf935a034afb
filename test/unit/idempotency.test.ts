import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  type PutItemCommandInput,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from "@aws-sdk/client-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as z from "zod/mini";
import { ConflictError } from "../../lambdas/domain/errors";
import { httpEvent, lambdaContext } from "../support/lambda";

/**
 * The idempotency middleware of the write routes (lambdas/api/idempotent-http.ts: Powertools idempotency
 * over the table), its DynamoDB calls answered by aws-sdk-client-mock. What DynamoDB would answer a
 * repeated key is built from what the middleware itself wrote the first time. The same flows run against
 * DynamoDB Local in test/integration/api.test.ts.
 */

vi.hoisted(() => {
  process.env.TABLE_NAME ??= "unit-test-table";
  process.env.AWS_REGION ??= "local";
  process.env.AWS_ACCESS_KEY_ID ??= "unit";
  process.env.AWS_SECRET_ACCESS_KEY ??= "unit";
});

const { httpRoute, json } = await import("../../lambdas/api/idempotent-http");

const dynamo = mockClient(DynamoDBClient);
let runs = 0;

const route = httpRoute(
  { body: z.object({ n: z.int() }), idempotent: true },
  async ({ body }): Promise<ReturnType<typeof json>> => {
    runs++;
    if (body.n < 0) throw new ConflictError("已经做过了。");
    return json(201, { n: body.n, run: runs });
  },
);

function write(body: unknown, key?: string, sub = "u-1") {
  return route(
    httpEvent({
      routeKey: "POST /things",
      body: JSON.stringify(body),
      headers: key ? { "idempotency-key": key } : {},
      claims: { sub, "cognito:groups": "[organizer]" },
    }),
    lambdaContext(),
  );
}

/** The item DynamoDB holds after the middleware's first PutItem and its UpdateItem. */
function storedAfterFirstWrite(): Record<string, unknown> {
  const put = dynamo.commandCalls(PutItemCommand)[0]?.args[0].input as PutItemCommandInput;
  const update = dynamo.commandCalls(UpdateItemCommand)[0]?.args[0].input as UpdateItemCommandInput;
  const values = update.ExpressionAttributeValues ?? {};
  return {
    ...put.Item,
    status: values[":status"],
    data: values[":response_data"],
    validation: values[":validation_key"],
    expiration: values[":expiry"],
  };
}

function rejectPutWith(item: Record<string, unknown>) {
  dynamo.on(PutItemCommand).rejects(
    new ConditionalCheckFailedException({
      message: "The conditional request failed",
      $metadata: {},
      Item: item as ConstructorParameters<typeof ConditionalCheckFailedException>[0]["Item"],
    }),
  );
}

beforeEach(() => {
  dynamo.reset();
  dynamo.on(PutItemCommand).resolves({});
  dynamo.on(UpdateItemCommand).resolves({});
  dynamo.on(DeleteItemCommand).resolves({});
  runs = 0;
});

describe("Idempotency-Key on a write route", () => {
  it("without the header, runs the write and keeps nothing", async () => {
    const res = await write({ n: 1 });
    expect(res.statusCode).toBe(201);
    expect(runs).toBe(1);
    expect(dynamo.calls()).toHaveLength(0);
  });

  it("the first time, locks the key (conditional put), runs the write once and stores its response", async () => {
    const res = await write({ n: 1 }, "key-1");
    expect(res.statusCode).toBe(201);
    expect(runs).toBe(1);
    const put = dynamo.commandCalls(PutItemCommand);
    expect(put).toHaveLength(1);
    expect(put[0]?.args[0].input).toMatchObject({
      TableName: "unit-test-table",
      Item: { pk: { S: "IDEMPOTENCY" }, sk: { S: expect.any(String) }, status: { S: "INPROGRESS" } },
      ConditionExpression: expect.stringContaining("attribute_not_exists(#id)"),
    });
    const stored = storedAfterFirstWrite();
    expect(stored.status).toEqual({ S: "COMPLETED" });
    expect(stored.data).toMatchObject({
      M: { statusCode: { N: "201" }, body: { S: JSON.stringify({ n: 1, run: 1 }) } },
    });
  });

  it("the same key and body again answers the first response without running the write", async () => {
    await write({ n: 1 }, "key-1");
    const stored = storedAfterFirstWrite();
    const first = dynamo.commandCalls(UpdateItemCommand).length;
    rejectPutWith(stored);
    const again = await write({ n: 1 }, "key-1");
    expect(runs).toBe(1);
    expect(again.statusCode).toBe(201);
    expect(JSON.parse(String(again.body))).toEqual({ n: 1, run: 1 });
    expect(dynamo.commandCalls(UpdateItemCommand)).toHaveLength(first);
  });

  it("the same key with another body is refused with 422 (idempotency-key-reused)", async () => {
    await write({ n: 1 }, "key-1");
    rejectPutWith(storedAfterFirstWrite());
    const other = await write({ n: 2 }, "key-1");
    expect(runs).toBe(1);
    expect(other.statusCode).toBe(422);
    expect(JSON.parse(String(other.body))).toMatchObject({
      type: "urn:spot-inspections:problem:idempotency-key-reused",
    });
  });

  it("a key whose first request is still running answers 409 (idempotency-in-progress)", async () => {
    await write({ n: 1 }, "key-1");
    const put = dynamo.commandCalls(PutItemCommand)[0]?.args[0].input as PutItemCommandInput;
    rejectPutWith({ ...put.Item, in_progress_expiration: { N: String(Date.now() + 60_000) } });
    const res = await write({ n: 1 }, "key-1");
    expect(runs).toBe(1);
    expect(res.statusCode).toBe(409);
    expect(JSON.parse(String(res.body))).toMatchObject({
      type: "urn:spot-inspections:problem:idempotency-in-progress",
    });
  });

  it("keys are per caller: two users' same key are two records", async () => {
    await write({ n: 1 }, "shared-key", "u-1");
    await write({ n: 1 }, "shared-key", "u-2");
    const keys = dynamo.commandCalls(PutItemCommand).map((c) => c.args[0].input.Item?.sk?.S);
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(2);
  });

  it("a write that fails releases the key (the record is deleted), so a retry with it runs again", async () => {
    const res = await write({ n: -1 }, "key-2");
    expect(res.statusCode).toBe(409);
    expect(dynamo.commandCalls(DeleteItemCommand)).toHaveLength(1);
    expect(dynamo.commandCalls(UpdateItemCommand)).toHaveLength(0);
  });
});
