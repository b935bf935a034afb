import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * `npm start`'s prestart: exits 0 when the built console (web/dist) is current — newer than every
 * file of its sources (web/, without dist) and than package-lock.json — and 1 when it must be built
 * (`vite build web`, about 1–2 s), so a restart never builds it again and a change to the console is
 * never served stale. Plain Node (type stripping, node: imports only): the check costs tens of
 * milliseconds, not a tsx start. With CONSOLE_DIR set, the console is served from there and this
 * checks nothing.
 */

function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (path === "web" && (entry === "dist" || entry === "node_modules")) continue;
    latest = Math.max(latest, newest(join(path, entry)));
  }
  return latest;
}

const built = join("web", "dist", "index.html");
const current =
  process.env.CONSOLE_DIR !== undefined ||
  (existsSync(built) && statSync(built).mtimeMs >= Math.max(newest("web"), newest("package-lock.json")));
process.exit(current ? 0 : 1);
