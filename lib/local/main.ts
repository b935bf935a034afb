import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { launchDynamoDbLocal } from "./dynamodb-process";

/**
 * `npm start`: the whole system on this machine. PORT (default 3000), DATA_DIR (default .data/).
 * SIGINT/SIGTERM let requests in flight finish, then stop the workflow engine and DynamoDB Local.
 */
const port = Number(process.env.PORT ?? 3000);
const dataDir = process.env.DATA_DIR ?? ".data";

try {
  // The JVM first: DynamoDB Local boots while Node loads the rest of the system (seconds on two cores).
  const dynamoDbLocal = await launchDynamoDbLocal({ dataDir: join(resolve(dataDir), "dynamodb") });
  const { startLocalSystem } = await import("./system");
  const system = await startLocalSystem({
    port,
    dataDir,
    dynamoDbLocal,
    host: process.env.HOST,
    log: (line) => console.log(`[local] ${line}`),
    warmUp: true,
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
