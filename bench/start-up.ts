import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import {
  DYNAMODB_LOCAL_JVM_FLAGS,
  dynamoDbLocalDirectory,
  freePort,
  javaCommand,
} from "../lib/local/dynamodb-process";
import { Api, isoIn } from "../test/support/api";
import { buildWorld } from "../test/support/scenario";
import { expectStatus, runMain, wait } from "./drive";
import { log, median, ROOT } from "./stats";

/**
 * Phase 7, start-up: how long `npm start` takes to answer `GET /health` — on a fresh clone (no data,
 * no cached template, the console not built) and restarted on existing data with unfinished
 * workflows — set against the floor measured in the same run: DynamoDB Local alone, from the same
 * jar with plain `java -jar`, to its first answered request. Each start is a process of its own, as
 * a person runs it; its own report (`SPOT_STARTUP_REPORT`, written by lib/local/main.ts) says where
 * the time went. The rounds interleave floor, first start and restart, so a burst of load on this
 * shared machine hits all three alike.
 *
 * What a fresh clone's `npm start` does that this leaves to its own row: the console's build (the
 * prestart step, timed here into a temporary directory, as it would write web/dist) and npm's own
 * start. The template cache goes to a temporary directory (`SPOT_CACHE_DIR`), not the shared one.
 */

const ROUNDS = Number(process.env.BENCH_STARTS ?? 3);
const NODE = process.execPath;

interface StartupReport {
  readonly beforeCallMs: number;
  readonly readyMs: number;
  readonly templateCached: boolean;
  readonly steps: Record<string, number>;
  readonly resumedExecutions: number;
  readonly cpuMs: number;
  readonly handlersLoadedMs: number;
}

export interface StartRun {
  /** From the spawn of the process to the first `200` of `GET /health`. */
  readonly healthyMs: number;
  readonly report: StartupReport;
}

export interface StartupResult {
  readonly rounds: number;
  /** The 1-minute load average of the machine at the start and end of the phase. */
  readonly loadAverage: readonly [number, number];
  /** DynamoDB Local alone, plain `java -jar`, to its first answer (fresh -dbPath). */
  readonly floorMs: number[];
  /** The same with the JVM flags the project starts it with (information). */
  readonly floorProjectFlagsMs: number[];
  /** `vite build web` (the prestart of a fresh clone). */
  readonly webBuildMs: number[];
  /** The prestart's check that web/dist is current (a restart). */
  readonly consoleCheckMs: number[];
  /** `npm --version`: npm's own start, which `npm start` adds. */
  readonly npmMs: number;
  readonly first: StartRun[];
  readonly restart: StartRun[];
}

/** Milliseconds from `spawn` to the first answer of `probe` (polled every 50 ms). */
async function untilAnswered(child: ChildProcess, started: number, probe: () => Promise<boolean>) {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`process exited (${child.exitCode}) before answering`);
    try {
      if (await probe()) return performance.now() - started;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > 180_000) throw new Error("no answer within 180 s");
    await wait(50);
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGINT");
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  await exited;
  clearTimeout(timer);
}

/** DynamoDB Local alone from its jar, to its first answered ListTables. */
async function floor(flags: readonly string[]): Promise<number> {
  const dir = dynamoDbLocalDirectory();
  const dbPath = mkdtempSync(join(tmpdir(), "spot-bench-floor-"));
  const port = await freePort();
  const started = performance.now();
  const child = spawn(
    javaCommand(),
    [
      ...flags,
      `-Djava.library.path=${join(dir, "DynamoDBLocal_lib")}`,
      "-jar",
      join(dir, "DynamoDBLocal.jar"),
      "-port",
      String(port),
      "-sharedDb",
      "-dbPath",
      dbPath,
    ],
    { cwd: dir, stdio: "ignore" },
  );
  try {
    return await untilAnswered(child, started, async () => {
      const res = await fetch(`http://127.0.0.1:${port}/`, {
        method: "POST",
        headers: {
          "content-type": "application/x-amz-json-1.0",
          "x-amz-target": "DynamoDB_20120810.ListTables",
          authorization:
            "AWS4-HMAC-SHA256 Credential=local/20260101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
        },
        body: "{}",
      });
      return res.status === 200;
    });
  } finally {
    await stop(child);
    rmSync(dbPath, { recursive: true, force: true });
  }
}

function timedCommand(command: string, args: string[], env: Record<string, string> = {}): number {
  const started = performance.now();
  const out = spawnSync(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: "ignore" });
  if (out.error) throw out.error;
  return performance.now() - started;
}

/** `npm start` without npm: the prestart's work is timed apart. */
async function start(
  dataDir: string,
  cacheDir: string,
  consoleDir: string,
): Promise<{ run: StartRun; url: string; child: ChildProcess }> {
  const port = await freePort();
  const reportFile = join(dataDir, "..", `startup-${port}.json`);
  const started = performance.now();
  const child = spawn(NODE, ["--import", "tsx", join(ROOT, "lib/local/main.ts")], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: dataDir,
      SPOT_CACHE_DIR: cacheDir,
      CONSOLE_DIR: consoleDir,
      SPOT_STARTUP_REPORT: reportFile,
      LOG_LEVEL: "ERROR",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const url = `http://127.0.0.1:${port}`;
  let healthyMs: number;
  try {
    healthyMs = await untilAnswered(child, started, async () => (await fetch(`${url}/health`)).ok);
    // The report is written once every handler is loaded (in the background, after ready).
    const deadline = Date.now() + 120_000;
    while (!existsSync(reportFile)) {
      if (Date.now() > deadline) throw new Error("no start-up report within 120 s");
      await wait(100);
    }
  } catch (error) {
    await stop(child);
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${output}`);
  }
  const report = JSON.parse(readFileSync(reportFile, "utf8")) as StartupReport;
  rmSync(reportFile, { force: true });
  return { run: { healthyMs, report }, url, child };
}

/** Work left unfinished for the restart to pick up: a few inspections waiting for their teams. */
async function leaveWork(url: string, dataDir: string, round: number): Promise<void> {
  const world = await buildWorld(new Api(url, dataDir), `su${round}`);
  const planned = await world.organizer.post("/spot-checks", {
    title: "重启后继续",
    templateId: world.templateId,
    candidateUnitIds: [world.units.yatai, world.units.dongjia, world.units.jiangchong],
    sampleSize: 3,
    inspectorIds: Object.keys(world.inspectors).filter((id) => !id.endsWith("minghu")),
    teamSize: 2,
    window: { start: isoIn(-60_000), end: isoIn(24 * 3600_000) },
  });
  expectStatus(planned, [201], "plan");
  expectStatus(await world.organizer.post(`/spot-checks/${planned.body.spotCheckId}/draw`), [200], "draw");
  await wait(2000); // the change relay starts the executions
}

async function main(outFile: string) {
  const load0 = loadavg()[0] ?? Number.NaN;
  const result = {
    rounds: ROUNDS,
    floorMs: [] as number[],
    floorProjectFlagsMs: [] as number[],
    webBuildMs: [] as number[],
    consoleCheckMs: [] as number[],
    npmMs: timedCommand("npm", ["--version"]),
    first: [] as StartRun[],
    restart: [] as StartRun[],
  };
  for (let round = 0; round < ROUNDS; round++) {
    const scratch = mkdtempSync(join(tmpdir(), "spot-bench-start-"));
    try {
      result.floorMs.push(await floor([]));
      log(`round ${round + 1}: floor (java -jar) ${Math.round(result.floorMs.at(-1) ?? 0)} ms`);

      const consoleDir = join(scratch, "console");
      result.webBuildMs.push(
        timedCommand(join(ROOT, "node_modules/.bin/vite"), [
          "build",
          "web",
          "--outDir",
          consoleDir,
          "--emptyOutDir",
          "--logLevel",
          "silent",
        ]),
      );
      const dataDir = join(scratch, "data");
      const cacheDir = join(scratch, "cache");
      const first = await start(dataDir, cacheDir, consoleDir);
      result.first.push(first.run);
      log(
        `round ${round + 1}: first start healthy after ${Math.round(first.run.healthyMs)} ms (web build ${Math.round(result.webBuildMs.at(-1) ?? 0)} ms before it)`,
      );
      await leaveWork(first.url, dataDir, round);
      await stop(first.child);

      result.floorProjectFlagsMs.push(await floor(DYNAMODB_LOCAL_JVM_FLAGS));

      result.consoleCheckMs.push(timedCommand(NODE, [join(ROOT, "lib/local/console-current.ts")]));
      const restart = await start(dataDir, cacheDir, consoleDir);
      result.restart.push(restart.run);
      log(
        `round ${round + 1}: restart healthy after ${Math.round(restart.run.healthyMs)} ms (${restart.run.report.resumedExecutions} executions resumed)`,
      );
      await stop(restart.child);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  const out: StartupResult = { ...result, loadAverage: [load0, loadavg()[0] ?? Number.NaN] };
  writeFileSync(outFile, JSON.stringify(out, null, 2));
  log(
    `start-up: first ${Math.round(median(out.first.map((r) => r.healthyMs)))} ms, restart ${Math.round(median(out.restart.map((r) => r.healthyMs)))} ms, floor ${Math.round(median(out.floorMs))} ms`,
  );
}

runMain(() => main(process.argv[2] ?? "bench/results/start-up.json"));
