import { randomUUID } from "node:crypto";
import { DeleteTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll } from "vitest";
import type { LaunchedDynamoDbLocal } from "../../lib/local/dynamodb-process";
import { type LocalSystem, type LocalSystemOptions, startLocalSystem } from "../../lib/local/system";
import { Api } from "./api";
import { SHARED_DYNAMODB_PORT } from "./global-setup";
import { tempDataDir } from "./local";
import { buildWorld, type World } from "./scenario";

/**
 * The whole local system in this test process (its own table in the run's DynamoDB Local, in
 * memory, the local state machine, the local gateway), started before the file's tests and stopped after them, with the scenario's
 * unit tree and people built through the API under `prefix`; `options` add to the system's own
 * (a test of overload gives it a small concurrency).
 */
export function useLocalWorld(
  label: string,
  prefix: string,
  options: Partial<Pick<LocalSystemOptions, "concurrency">> = {},
): {
  readonly system: LocalSystem;
  readonly api: Api;
  readonly world: World;
} {
  let system: LocalSystem | undefined;
  let api: Api | undefined;
  let world: World | undefined;
  beforeAll(async () => {
    const dataDir = tempDataDir(label);
    system = await startTestSystem({ ...options, dataDir });
    api = new Api(system.url, dataDir);
    world = await buildWorld(api, prefix);
  });
  afterAll(async () => {
    await system?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the local system is not started yet (use it inside a test)");
    return value;
  };
  return {
    get system() {
      return started(system);
    },
    get api() {
      return started(api);
    },
    get world() {
      return started(world);
    },
  };
}

/**
 * `startLocalSystem` for a test file: in memory, on a free port, with the run's shared DynamoDB Local
 * and a table of this file's own (dropped when the system stops). One JVM for the run instead of one
 * per file: each start of DynamoDB Local costs about 3 s of CPU and 3-6 s before its first answer,
 * and a fresh JVM answers its first requests slowly. Without the shared one (a run without the global
 * setup) the system launches its own, as `npm start` does.
 */
export async function startTestSystem(
  options: Omit<LocalSystemOptions, "port" | "inMemory" | "dynamoDbLocal" | "tableName">,
): Promise<LocalSystem> {
  const port = Number(process.env[SHARED_DYNAMODB_PORT]);
  if (!port) return startLocalSystem({ ...options, port: 0, inMemory: true });
  const endpoint = `http://127.0.0.1:${port}`;
  const shared: LaunchedDynamoDbLocal = {
    port,
    launchedAt: performance.now(),
    endpoint,
    exitCode: () => null,
    stderr: () => "",
    // The run's, stopped by the global setup's teardown.
    stop: async () => undefined,
  };
  const tableName = `spot-test-${randomUUID()}`;
  const system = await startLocalSystem({
    ...options,
    port: 0,
    inMemory: true,
    dynamoDbLocal: shared,
    tableName,
  });
  const stopSystem = system.stop.bind(system);
  let stopped: Promise<void> | undefined;
  system.stop = () => {
    stopped ??= stopSystem().then(async () => {
      const client = new DynamoDBClient({
        endpoint,
        region: "local",
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
      });
      try {
        await client.send(new DeleteTableCommand({ TableName: tableName }));
      } finally {
        client.destroy();
      }
    });
    return stopped;
  };
  return system;
}
