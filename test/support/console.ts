import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium } from "playwright-core";
import { sharedConsoleDir } from "./global-setup";

/** What the browser tests of the web console share: the build of the current source, Chromium, screenshots. */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const SHOTS = join(ROOT, "test", "e2e", "screenshots");

/** Builds the console of the current source into `dir` (not web/dist, which a developer's `npm start` may serve). */
function viteBuild(dir: string): void {
  execFileSync(
    process.execPath,
    [
      join(ROOT, "node_modules/vite/bin/vite.js"),
      "build",
      "web",
      "--outDir",
      dir,
      "--emptyOutDir",
      "--logLevel",
      "warn",
    ],
    { cwd: ROOT, stdio: "pipe" },
  );
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * The console of the current source, built once per test run (the six browser files share it: the
 * same source makes the same files), copied into a directory of the file's own, and points `npm
 * start` at the copy through CONSOLE_DIR. The first file to ask builds it under the run's id
 * (test/support/global-setup.ts removes it afterwards); a file asking meanwhile waits for the build's
 * marker. Outside a vitest run (no run id) each call builds a directory of its own.
 */
export function buildConsole(label: string): string {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: sudo apt-get install -y chromium (as .ci/run does)`);
  }
  mkdirSync(SHOTS, { recursive: true });
  const runId = process.env.SPOT_RUN_ID;
  if (!runId) {
    const dir = mkdtempSync(join(tmpdir(), `spot-${label}-`));
    viteBuild(dir);
    process.env.CONSOLE_DIR = dir;
    return dir;
  }
  const dir = sharedConsoleDir(runId);
  const built = join(dir, ".built");
  let builder = false;
  try {
    mkdirSync(`${dir}.lock`); // atomic: exactly one file of the run builds
    builder = true;
  } catch {
    // another file of this run is building it, or has built it
  }
  if (builder) {
    try {
      viteBuild(dir);
    } catch (error) {
      writeFileSync(`${dir}.failed`, String(error));
      throw error;
    }
    writeFileSync(built, new Date().toISOString());
  } else {
    const deadline = Date.now() + 180_000;
    while (!existsSync(built)) {
      if (existsSync(`${dir}.failed`))
        throw new Error(`the run's console build failed (see the first file that built it)`);
      if (Date.now() > deadline) throw new Error(`the run's console build at ${dir} did not finish`);
      sleepSync(200);
    }
  }
  // A copy of its own for each file (a few hundred KB): a file removes its console when it ends.
  const copy = mkdtempSync(join(tmpdir(), `spot-${label}-`));
  cpSync(dir, copy, { recursive: true, filter: (source) => source !== built });
  process.env.CONSOLE_DIR = copy;
  return copy;
}

/**
 * Debian's Chromium, headless. Without the background-networking flags it tries to reach Google's
 * hosts at every start, which this machine's closed network refuses. Playwright gives every launch a
 * fresh temporary profile of its own.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      // The browser's own widgets (date and time pickers) in Chinese, as on an office's computers.
      "--lang=zh-CN",
    ],
  });
}
