import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium } from "playwright-core";

/** What the browser tests of the web console share: the build of the current source, Chromium, screenshots. */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const SHOTS = join(ROOT, "test", "e2e", "screenshots");

/**
 * Builds the console of the current source into a directory of its own (not web/dist, which a
 * developer's `npm start` may be serving) and points `npm start` at it through CONSOLE_DIR.
 */
export function buildConsole(label: string): string {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: sudo apt-get install -y chromium (as .ci/run does)`);
  }
  const dir = mkdtempSync(join(tmpdir(), `spot-${label}-`));
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
  process.env.CONSOLE_DIR = dir;
  mkdirSync(SHOTS, { recursive: true });
  return dir;
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
