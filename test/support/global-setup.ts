import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assertJava17, launchDynamoDbLocal } from "../../lib/local/dynamodb-process";

/**
 * Fails the run at once, with the install command, when Java 17+ is missing (DynamoDB Local needs
 * it); launches the DynamoDB Local, in memory, that the files running the system in their own process
 * share (each with a table of its own, `startTestSystem` in ./system.ts; its port in the environment
 * the workers inherit), and so do the browser files' `npm start` servers (`sharedDynamoDb` in
 * ./local.ts); afterwards stops it and checks that no DynamoDB Local started by this run is
 * left running. Every Java process the run starts carries `-Dspot.run=<id>` (workers and spawned
 * servers inherit the id).
 */
/** The environment variable with the port of the run's shared DynamoDB Local. */
export const SHARED_DYNAMODB_PORT = "SPOT_TEST_DYNAMODB_PORT";

/**
 * Where a test run's one console build goes (test/support/console.ts; removed by the run's teardown).
 * Here, not in console.ts, so that the files that do not drive a browser do not load Playwright.
 */
export function sharedConsoleDir(runId: string): string {
  return join(tmpdir(), `spot-console-build-${runId}`);
}

function dynamoDbLocalPids(runId: string): string[] {
  try {
    // No shell: a shell running pgrep would match its own command line.
    return execFileSync("pgrep", ["-f", `spot[.]run=${runId}`], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean);
  } catch {
    return [];
  }
}

export default async function setup() {
  assertJava17();
  const runId = randomUUID();
  process.env.SPOT_RUN_ID = runId;
  // Launched, not awaited: it boots while the first files import (each file waits for its answer).
  const shared = await launchDynamoDbLocal({});
  process.env[SHARED_DYNAMODB_PORT] = String(shared.port);
  return async () => {
    await shared.stop();
    for (const dir of ["", ".lock", ".failed"].map((suffix) => `${sharedConsoleDir(runId)}${suffix}`))
      rmSync(dir, { recursive: true, force: true });
    const deadline = Date.now() + 15_000;
    let orphans: string[] = [];
    do {
      orphans = dynamoDbLocalPids(runId);
      if (orphans.length === 0) return;
      await new Promise((r) => setTimeout(r, 500));
    } while (Date.now() < deadline);
    throw new Error(`DynamoDB Local processes left behind by the tests: ${orphans.join(", ")}`);
  };
}
