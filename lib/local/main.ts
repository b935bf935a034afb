import { startLocalSystem } from "./system";

/**
 * `npm start`: the whole system on this machine. PORT (default 3000), DATA_DIR (default .data/).
 * SIGINT/SIGTERM let requests in flight finish, then stop the workflow engine and DynamoDB Local.
 */
const port = Number(process.env.PORT ?? 3000);
const dataDir = process.env.DATA_DIR ?? ".data";

try {
  const system = await startLocalSystem({
    port,
    dataDir,
    host: process.env.HOST,
    log: (line) => console.log(`[local] ${line}`),
  });
  console.log(`Spot inspections API listening on ${system.url}`);
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
