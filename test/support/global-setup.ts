import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { assertJava17 } from "../../lib/local/dynamodb-local";

/**
 * Fails the run at once, with the install command, when Java 17+ is missing (DynamoDB Local needs
 * it); afterwards checks that no DynamoDB Local started by this run is left running. Every Java
 * process the run starts carries `-Dspot.run=<id>` (workers and spawned servers inherit the id).
 */
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

export default function setup() {
  assertJava17();
  const runId = randomUUID();
  process.env.SPOT_RUN_ID = runId;
  return async () => {
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
