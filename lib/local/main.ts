import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type LaunchedDynamoDbLocal, launchDynamoDbLocal } from "./dynamodb-process";

/**
 * `npm start`: the whole system on this machine. PORT (default 3000), DATA_DIR (default .data/).
 * SIGINT/SIGTERM let requests in flight finish, then stop the workflow engine and DynamoDB Local.
 *
 * For the test suite's servers only (each unset by default, and `npm start` as a person runs it
 * uses none): SPOT_DYNAMODB_ENDPOINT, a DynamoDB Local already running (the test run's one) to keep
 * the table in instead of launching one on DATA_DIR (the rest of the data stays under DATA_DIR),
 * with SPOT_TABLE_NAME, the table's name in it; SPOT_WARM_UP=0, no background import of every
 * handler once the server answers (each loads on its first use).
 */
const port = Number(process.env.PORT ?? 3000);
const dataDir = process.env.DATA_DIR ?? ".data";
const existingDynamoDb = process.env.SPOT_DYNAMODB_ENDPOINT;
const warmUp = process.env.SPOT_WARM_UP !== "0";

try {
  // The JVM first: DynamoDB Local boots while Node loads the rest of the system (seconds on two cores).
  const dynamoDbLocal: LaunchedDynamoDbLocal = existingDynamoDb
    ? {
        port: Number(new URL(existingDynamoDb).port),
        launchedAt: performance.now(),
        endpoint: existingDynamoDb,
        exitCode: () => null,
        stderr: () => "",
        stop: async () => undefined, // not this process's to stop
      }
    : await launchDynamoDbLocal({ dataDir: join(resolve(dataDir), "dynamodb") });
  const { startLocalSystem } = await import("./system");
  const system = await startLocalSystem({
    port,
    dataDir,
    dynamoDbLocal,
    ...(existingDynamoDb && process.env.SPOT_TABLE_NAME ? { tableName: process.env.SPOT_TABLE_NAME } : {}),
    host: process.env.HOST,
    log: (line) => console.log(`[local] ${line}`),
    warmUp,
  });
  console.log(`Spot inspections API listening on ${system.url}`);
  const { startup } = system;
  const s = (ms: number | undefined) => `${((ms ?? 0) / 1000).toFixed(1)} s`;
  console.log(
    `  ready ${s(startup.beforeCallMs + startup.readyMs)} after the process started: Node and imports ${s(startup.beforeCallMs)}, ` +
      `template ${s(startup.steps.template)} (${startup.templateCached ? "from the cache" : "synthesized"}), ` +
      `DynamoDB Local ${s(startup.steps.dynamodb)} (alongside), table ${s(startup.steps.table)}, ` +
      `${startup.resumedExecutions} execution(s) resumed`,
  );
  // (Asking for it imports every handler: not without the warm-up.)
  if (warmUp)
    void system.handlersLoaded().then(
      (ms) => {
        console.log(`[local] every handler loaded ${s(startup.beforeCallMs + ms)} after the process started`);
        // For the bench's start-up phase: the same figures as JSON.
        if (process.env.SPOT_STARTUP_REPORT)
          writeFileSync(
            process.env.SPOT_STARTUP_REPORT,
            JSON.stringify({ ...startup, handlersLoadedMs: startup.beforeCallMs + ms }),
          );
      },
      () => undefined, // reported by the system's log
    );
  console.log(`  data: ${system.dataDir}`);
  if (existingDynamoDb)
    console.log(`  table: ${system.tableName} in the DynamoDB Local at ${existingDynamoDb}`);
  console.log(`  OpenAPI: ${system.url}/openapi.json`);
  console.log("  get a token: npm run token -- --sub <id> --groups organizer [--unit <unitId>]");
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[local] ${signal}: finishing requests and stopping`);
    system.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
} catch (error) {
  console.error(
    `Could not start the local system: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
}
