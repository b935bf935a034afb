import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DeleteTableCommand, DynamoDBClient, ResourceNotFoundException } from "@aws-sdk/client-dynamodb";
import { freePort } from "../../lib/local/dynamodb-local";
import { SHARED_DYNAMODB_PORT } from "./global-setup";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export function tempDataDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `spot-${label}-`));
}

export interface ServerProcessOptions {
  /**
   * Keep the table in the test run's DynamoDB Local (in memory; test/support/global-setup.ts), a
   * table of this server's own that outlives its restarts, instead of `npm start`'s own DynamoDB
   * Local on DATA_DIR: for the files to which the database's process is incidental (the browser
   * files), not for those that test `npm start` itself (its restarts, its data on disk). A start of
   * DynamoDB Local costs about 4 s of CPU. Outside a vitest run (no shared one) the server launches
   * its own.
   */
  readonly sharedDynamoDb?: boolean;
  /**
   * Import every handler in the background once the server answers, as `npm start` does (about 2 s
   * of CPU); without it, each loads on its first use (as in the integration files' systems).
   * @default true
   */
  readonly warmUp?: boolean;
}

/**
 * `npm start` as a separate process (what a user runs), on a free port with its own DATA_DIR, so a
 * test can kill it — gently or with SIGKILL — and start it again on the same data.
 */
export class ServerProcess {
  private child: ChildProcess | undefined;
  output = "";
  /** The shared DynamoDB Local's endpoint and this server's table in it, with `sharedDynamoDb`. */
  private readonly shared: { readonly endpoint: string; readonly tableName: string } | undefined;

  constructor(
    readonly dataDir: string,
    readonly port: number,
    private readonly options: ServerProcessOptions = {},
  ) {
    const sharedPort = Number(process.env[SHARED_DYNAMODB_PORT]);
    this.shared =
      this.options.sharedDynamoDb && sharedPort
        ? { endpoint: `http://127.0.0.1:${sharedPort}`, tableName: `spot-e2e-${randomUUID()}` }
        : undefined;
  }

  static async create(label: string, options: ServerProcessOptions = {}): Promise<ServerProcess> {
    return new ServerProcess(tempDataDir(label), await freePort(), options);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "lib/local/main.ts")], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(this.port),
        DATA_DIR: this.dataDir,
        LOG_LEVEL: "ERROR",
        ...(this.shared
          ? { SPOT_DYNAMODB_ENDPOINT: this.shared.endpoint, SPOT_TABLE_NAME: this.shared.tableName }
          : {}),
        ...(this.options.warmUp === false ? { SPOT_WARM_UP: "0" } : {}),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    child.stdout?.on("data", (c: Buffer) => {
      this.output += c.toString();
    });
    child.stderr?.on("data", (c: Buffer) => {
      this.output += c.toString();
    });
    const started = Date.now();
    while (Date.now() - started < 90_000) {
      if (child.exitCode !== null) throw new Error(`server exited early:\n${this.output}`);
      try {
        const res = await fetch(`${this.url}/health`);
        if (res.ok) return;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`server did not start:\n${this.output}`);
  }

  /** SIGTERM and wait for a clean exit, or SIGKILL to simulate a crash. */
  async stop(signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill(signal);
    const code = await exited;
    this.child = undefined;
    return code;
  }

  /** The end of the file: SIGTERM, and its table dropped from the shared DynamoDB Local if it had one. */
  async close(): Promise<number | null> {
    const code = await this.stop("SIGTERM");
    if (this.shared) {
      const client = new DynamoDBClient({
        endpoint: this.shared.endpoint,
        region: "local",
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
      });
      try {
        await client.send(new DeleteTableCommand({ TableName: this.shared.tableName }));
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error; // else: the server never started
      } finally {
        client.destroy();
      }
    }
    return code;
  }
}
