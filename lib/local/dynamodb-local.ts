import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  type StreamViewType,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { assertJava17, JAVA_HELP, type LaunchedDynamoDbLocal, launchDynamoDbLocal } from "./dynamodb-process";

export {
  assertJava17,
  DYNAMODB_LOCAL_JVM_FLAGS,
  dynamoDbLocalDirectory,
  freePort,
  JAVA_HELP,
  javaCommand,
  type LaunchedDynamoDbLocal,
  launchDynamoDbLocal,
} from "./dynamodb-process";

/**
 * The official DynamoDB Local (see `dynamodb-process.ts`, which starts the JVM), ready for requests.
 */

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  stop(): Promise<void>;
}

/**
 * DynamoDB Local answering requests: the process `launched` already (`npm start` launches it before
 * it loads the rest, so the JVM boots meanwhile), or one launched now.
 */
export async function startDynamoDbLocal(options: {
  dataDir?: string;
  port?: number;
  launched?: LaunchedDynamoDbLocal;
}): Promise<DynamoDbLocal> {
  const launched = options.launched ?? (await launchDynamoDbLocal(options));
  const client = new DynamoDBClient({
    endpoint: launched.endpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
  const started = Date.now();
  for (;;) {
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch {
      if (launched.exitCode() !== null || Date.now() - started > 60_000) {
        client.destroy();
        await launched.stop();
        // Java is checked only now, to say why (a `java -version` up front is a JVM start of its own).
        assertJava17();
        throw new Error(
          `DynamoDB Local did not start on port ${launched.port}: ${launched.stderr().trim() || "no output"}. ${JAVA_HELP}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    endpoint: launched.endpoint,
    client,
    async stop() {
      client.destroy();
      await launched.stop();
    },
  };
}

/**
 * Creates the table exactly as the CDK stack declares it (keys, attribute types, indexes, TTL,
 * change stream), unless it exists already (a restart keeps its data under DATA_DIR).
 */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  properties: Record<string, unknown>,
): Promise<void> {
  const stream = properties.StreamSpecification as { StreamViewType?: StreamViewType } | undefined;
  try {
    const existing = await client.send(new DescribeTableCommand({ TableName: tableName }));
    // A table kept from an older version of the stack: turn on the change stream it now declares.
    if (stream?.StreamViewType && !existing.Table?.StreamSpecification?.StreamEnabled) {
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          StreamSpecification: { StreamEnabled: true, StreamViewType: stream.StreamViewType },
        }),
      );
    }
    return;
  } catch (error) {
    if (!(error instanceof Error && error.name === "ResourceNotFoundException")) throw error;
  }
  type Key = { AttributeName: string; KeyType: "HASH" | "RANGE" };
  const gsis =
    (properties.GlobalSecondaryIndexes as
      | {
          IndexName: string;
          KeySchema: Key[];
          Projection: { ProjectionType: "ALL" | "KEYS_ONLY" | "INCLUDE"; NonKeyAttributes?: string[] };
        }[]
      | undefined) ?? [];
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: properties.KeySchema as Key[],
      AttributeDefinitions: properties.AttributeDefinitions as {
        AttributeName: string;
        AttributeType: "S" | "N" | "B";
      }[],
      BillingMode: "PAY_PER_REQUEST",
      ...(stream?.StreamViewType
        ? { StreamSpecification: { StreamEnabled: true, StreamViewType: stream.StreamViewType } }
        : {}),
      ...(gsis.length > 0
        ? {
            GlobalSecondaryIndexes: gsis.map((g) => ({
              IndexName: g.IndexName,
              KeySchema: g.KeySchema,
              Projection: g.Projection,
            })),
          }
        : {}),
    }),
  );
  const ttl = properties.TimeToLiveSpecification as { AttributeName?: string; Enabled?: boolean } | undefined;
  if (ttl?.Enabled && ttl.AttributeName) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: true },
      }),
    );
  }
}

export function hasData(dataDir: string): boolean {
  return existsSync(join(dataDir, "shared-local-instance.db"));
}
