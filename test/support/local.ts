import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../../lib/local/dynamodb-local";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export function tempDataDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `spot-${label}-`));
}

/**
 * `npm start` as a separate process (what a user runs), on a free port with its own DATA_DIR, so a
 * test can kill it — gently or with SIGKILL — and start it again on the same data.
 */
export class ServerProcess {
  private child: ChildProcess | undefined;
  output = "";

  constructor(
    readonly dataDir: string,
    readonly port: number,
  ) {}

  static async create(label: string): Promise<ServerProcess> {
    return new ServerProcess(tempDataDir(label), await freePort());
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
      env: { ...process.env, PORT: String(this.port), DATA_DIR: this.dataDir, LOG_LEVEL: "ERROR" },
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
}
