import { spawn } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../", import.meta.url));
export const RESULTS_DIR = join(ROOT, "bench", "results");

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export const median = (values: readonly number[]) => percentile(values, 50);

export const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

export function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

/**
 * Runs one bench phase as its own Node process (handlers read their configuration at import, so one
 * local system per process): `tsx bench/<script> <out.json>`. Its output goes to a log file beside
 * the results; lines starting with `[bench` are echoed. Returns the JSON it wrote.
 */
export async function runPhase<T>(
  script: string,
  name: string,
  stamp: string,
  boundMs: number,
): Promise<T | undefined> {
  const out = join(RESULTS_DIR, `${stamp}-${name}.json`);
  const logFile = join(RESULTS_DIR, `${stamp}-${name}.log`);
  const logStream = createWriteStream(logFile);
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "bench", script), out], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: "ERROR" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const echo = (chunk: Buffer) => {
    logStream.write(chunk);
    for (const line of chunk.toString().split("\n"))
      if (line.startsWith("[bench")) process.stderr.write(`${line}\n`);
  };
  child.stdout?.on("data", echo);
  child.stderr?.on("data", echo);
  // The run stays bounded: a phase over its time is stopped (this child, by its pid) and reported.
  const timer = setTimeout(() => {
    log(`phase ${name} is over its ${boundMs / 1000} s bound; stopping it`);
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 15_000).unref();
  }, boundMs);
  const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
  clearTimeout(timer);
  logStream.end();
  if (code !== 0) {
    log(`phase ${name} failed (exit ${code}); see ${logFile}`);
    return undefined;
  }
  return JSON.parse(readFileSync(out, "utf8")) as T;
}
