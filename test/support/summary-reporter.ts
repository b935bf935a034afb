import { mkdirSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { Reporter, TestModule } from "vitest/node";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Where each run's timings go: `last-run.json` for any run, `last-full-run.json` for a run of every
 * test file (what `npm test` runs); the bench (`npm run bench`) reports the latter's wall time and
 * slowest files. Under `SPOT_CACHE_DIR` (default `node_modules/.cache/spot-inspections/`).
 */
export function testRunsDirectory(): string {
  return join(
    process.env.SPOT_CACHE_DIR ?? join(ROOT, "node_modules", ".cache", "spot-inspections"),
    "test-runs",
  );
}

export interface TestRunTimings {
  readonly finishedAt: string;
  /** From the run's start to its end (vitest alone: `npm test`'s tsc and Biome come before it). */
  readonly wallMs: number;
  readonly full: boolean;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  /** Each file's time in its worker (environment, setup, import, tests and hooks), slowest first. */
  readonly files: { file: string; ms: number; tests: number }[];
}

function testFilesOnDisk(): number {
  return readdirSync(join(ROOT, "test"), { recursive: true }).filter((f) => String(f).endsWith(".test.ts"))
    .length;
}

/**
 * Prints one plain closing line, `tests: N passed, N failed, N skipped`, that CI reads, and keeps the
 * run's wall time and each file's time (see {@link testRunsDirectory}).
 */
export default class SummaryReporter implements Reporter {
  private started = performance.now();

  onTestRunStart() {
    this.started = performance.now();
  }

  onTestRunEnd(testModules: readonly TestModule[]) {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const files: TestRunTimings["files"] = [];
    for (const module of testModules) {
      let tests = 0;
      // A file whose setup failed (a beforeAll that threw) reports its tests as skipped: they failed.
      const moduleFailed = module.state() === "failed";
      for (const test of module.children.allTests()) {
        tests++;
        const state = test.result().state;
        if (state === "passed") passed++;
        else if (state === "failed" || (moduleFailed && state === "skipped")) failed++;
        else skipped++;
      }
      const d = module.diagnostic();
      files.push({
        file: relative(ROOT, module.moduleId),
        ms: Math.round(
          d.environmentSetupDuration + d.prepareDuration + d.collectDuration + d.setupDuration + d.duration,
        ),
        tests,
      });
    }
    console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
    const timings: TestRunTimings = {
      finishedAt: new Date().toISOString(),
      wallMs: Math.round(performance.now() - this.started),
      full: testModules.length >= testFilesOnDisk(),
      passed,
      failed,
      skipped,
      files: files.sort((a, b) => b.ms - a.ms),
    };
    try {
      const dir = testRunsDirectory();
      mkdirSync(dir, { recursive: true });
      for (const name of timings.full ? ["last-run.json", "last-full-run.json"] : ["last-run.json"]) {
        const temporary = join(dir, `${name}.${process.pid}.tmp`);
        writeFileSync(temporary, JSON.stringify(timings, null, 2));
        renameSync(temporary, join(dir, name));
      }
    } catch {
      // A read-only node_modules: the timings are not kept.
    }
  }
}
