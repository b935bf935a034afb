import { execFileSync } from "node:child_process";
import { assertJava17 } from "../../lib/local/dynamodb-local";

/**
 * Fails the run at once, with the install command, when Java 17+ is missing (DynamoDB Local needs
 * it); afterwards checks that no DynamoDB Local started by the tests is left running.
 */
function dynamoDbLocalPids(): string[] {
  try {
    // No shell: a shell running pgrep would match its own command line.
    return execFileSync("pgrep", ["-f", "DynamoDBLocal[.]jar"], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean);
  } catch {
    return [];
  }
}

export default function setup() {
  assertJava17();
  const before = new Set(dynamoDbLocalPids());
  return async () => {
    const deadline = Date.now() + 15_000;
    let orphans: string[] = [];
    do {
      orphans = dynamoDbLocalPids().filter((pid) => !before.has(pid));
      if (orphans.length === 0) return;
      await new Promise((r) => setTimeout(r, 500));
    } while (Date.now() < deadline);
    throw new Error(`DynamoDB Local processes left behind by the tests: ${orphans.join(", ")}`);
  };
}
