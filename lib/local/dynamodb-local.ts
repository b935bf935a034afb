import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type GlobalSecondaryIndexDescription,
  ListTablesCommand,
  type Projection,
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
    await rebuildChangedIndexes(client, tableName, properties, existing.Table?.GlobalSecondaryIndexes);
    return;
  } catch (error) {
    if (!(error instanceof Error && error.name === "ResourceNotFoundException")) throw error;
  }
  const gsis = declaredIndexes(properties);
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

type Key = { AttributeName: string; KeyType: "HASH" | "RANGE" };
interface DeclaredIndex {
  IndexName: string;
  KeySchema: Key[];
  Projection: { ProjectionType: "ALL" | "KEYS_ONLY" | "INCLUDE"; NonKeyAttributes?: string[] };
}

function declaredIndexes(properties: Record<string, unknown>): DeclaredIndex[] {
  return (properties.GlobalSecondaryIndexes as DeclaredIndex[] | undefined) ?? [];
}

function sameProjection(a: DeclaredIndex["Projection"], b: Projection | undefined): boolean {
  const attributes = (list: readonly string[] | undefined) => [...(list ?? [])].sort().join(",");
  return (
    a.ProjectionType === b?.ProjectionType &&
    attributes(a.NonKeyAttributes) === attributes(b.NonKeyAttributes)
  );
}

/**
 * A table kept under DATA_DIR from an older version of the stack whose index now projects other
 * attributes: DynamoDB cannot change an index's projection, so the index is dropped and built again
 * from the table's items (DynamoDB Local backfills it before it answers), one at a time, as
 * DynamoDB allows. In the cloud the same change is a replacement of the index (docs/performance.md).
 */
async function rebuildChangedIndexes(
  client: DynamoDBClient,
  tableName: string,
  properties: Record<string, unknown>,
  existing: readonly GlobalSecondaryIndexDescription[] | undefined,
): Promise<void> {
  const definitions = properties.AttributeDefinitions as {
    AttributeName: string;
    AttributeType: "S" | "N" | "B";
  }[];
  for (const index of declaredIndexes(properties)) {
    const current = existing?.find((e) => e.IndexName === index.IndexName);
    if (current && sameProjection(index.Projection, current.Projection)) continue;
    if (current) {
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: index.IndexName } }],
        }),
      );
      await indexSettled(client, tableName, index.IndexName, (status) => status === undefined);
    }
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: definitions.filter((d) =>
          index.KeySchema.some((k) => k.AttributeName === d.AttributeName),
        ),
        GlobalSecondaryIndexUpdates: [
          {
            Create: { IndexName: index.IndexName, KeySchema: index.KeySchema, Projection: index.Projection },
          },
        ],
      }),
    );
    await indexSettled(client, tableName, index.IndexName, (status) => status === "ACTIVE");
  }
}

/** Waits until the index's status (undefined: there is no such index) is what `settled` wants. */
async function indexSettled(
  client: DynamoDBClient,
  tableName: string,
  indexName: string,
  settled: (status: string | undefined) => boolean,
): Promise<void> {
  for (let waited = 0; ; waited += 100) {
    const table = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const status = table.Table?.GlobalSecondaryIndexes?.find((e) => e.IndexName === indexName)?.IndexStatus;
    if (settled(status)) return;
    if (waited > 120_000)
      throw new Error(`Index ${indexName} of ${tableName} did not settle within two minutes`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function hasData(dataDir: string): boolean {
  return existsSync(join(dataDir, "shared-local-instance.db"));
}
