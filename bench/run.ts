import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { routes } from "../lambdas/api/routes";
import { importRunner } from "../lambdas/workflow/tasks";
import type { ApiLatencyResult } from "./api-latency";
import type { ColdStartResult } from "./cold-start";
import type { EvidenceUploadResult } from "./evidence-upload";
import type { ImportScaleResult } from "./import-scale";
import type { OfflineLoadResult } from "./offline-load";
import { DYNAMODB_PRICES_BEFORE_2024_11, LAMBDA_MEMORY_GB, PRICES } from "./prices";
import type { ScaleResult } from "./scale";
import type { StartupResult } from "./start-up";
import { log, median, RESULTS_DIR, ROOT, runPhase } from "./stats";
import type { WorkflowCostResult } from "./workflow-cost";

/**
 * `npm run bench`: the eight phases, each in its own process (one local system per process), one
 * after the other on this machine; then one table — the project's figure, the floor measured in the
 * same run, their ratio, and the budgets of issues 5 and 19 — and the JSON under bench/results/; the
 * tables also replace the latest run's section of docs/performance.md. Last, `npm test`'s wall time and
 * slowest files from its last full run (test/support/summary-reporter.ts keeps them).
 */

const BUDGETS = {
  importTime: 1.25,
  bundleSize: 1.5,
  apiP50: 2,
  usdPerInspection: 0.001,
  historyReadUnits: 1.1,
  importSeconds: 60,
  // Issue 19.
  restartSeconds: 8,
  firstStartSeconds: 20,
  orgP50: 2,
  writeUnitsPerInspection: 180,
  usdPerInspectionGoal: 0.0006,
  testSuiteSeconds: 300,
};

type Row = [figure: string, project: string, floor: string, ratio: string, budget: string];

const f = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "—");
const usd = (n: number) => `$${n.toFixed(6)}`;
const ratio = (a: number, b: number) => (b > 0 ? a / b : Number.NaN);
const verdict = (ok: boolean, rule: string) => `${ok ? "met" : "NOT MET"} (${rule})`;

function table(title: string, rows: Row[]): string {
  const head: Row = ["figure", "project", "floor (same run)", "ratio", "budget"];
  const all = [head, ...rows];
  const width = (c: string) => [...c].length;
  const widths = head.map((_, i) => Math.max(...all.map((r) => width(r[i] ?? ""))));
  const line = (r: Row) => `| ${r.map((c, i) => c + " ".repeat((widths[i] ?? 0) - width(c))).join(" | ")} |`;
  return [
    `\n### ${title}\n`,
    line(head),
    `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`,
    ...rows.map(line),
  ].join("\n");
}

/**
 * The functions that make files — the document routes (Word, PDF, zip, workbook) and the import runner
 * (exceljs) — carry a document library on purpose: they are held to the same budgets against their
 * library floor (the floor plus that rendering library alone, bench/library-floors.ts) instead of the
 * floor. Every other handler against the floor.
 */
const MAKES_FILES = new Set<string>([
  ...routes.flatMap((r) => ("document" in r ? [r.handler] : [])),
  importRunner.handler,
]);
const budgeted = (b: { handler: string | null }) => !MAKES_FILES.has(b.handler ?? "");

/** A file-making function's row: against its library floor (the floor plus its rendering library). */
function libraryFloorRow(
  r: ColdStartResult,
  b: ColdStartResult["bundles"][number],
): { row: Row; ok: boolean } {
  const name = r.libraryFloorByHandler?.[b.handler ?? ""];
  const lib = (r.libraryFloors ?? []).find((l) => l.name === name);
  const figure = `${b.handler}: KB / import ms (makes files; floor + its library)`;
  const project = `${f(b.bytes / 1024, 0)} KB / ${f(b.importMsMedian)} ms`;
  if (!lib)
    return { row: [figure, project, "no library floor", "—", "NOT MET (no library floor)"], ok: false };
  const sizeRatio = ratio(b.bytes, lib.bytes);
  const timeRatio = ratio(b.importMsMedian, lib.importMsMedian);
  return {
    row: [
      figure,
      project,
      `${f(lib.bytes / 1024, 0)} KB / ${f(lib.importMsMedian)} ms (${lib.name.replace("plus-", "+")})`,
      `${f(sizeRatio, 2)} / ${f(timeRatio, 2)}`,
      `${sizeRatio <= BUDGETS.bundleSize ? "met" : "NOT MET"} / ${timeRatio <= BUDGETS.importTime ? "met" : "NOT MET"}`,
    ],
    ok: sizeRatio <= BUDGETS.bundleSize && timeRatio <= BUDGETS.importTime,
  };
}

function coldStartRows(r: ColdStartResult): { rows: Row[]; met: boolean; filesMet: boolean } {
  const rows: Row[] = [];
  let met = true;
  let filesMet = true;
  for (const b of r.bundles) {
    if (!budgeted(b)) {
      const { row, ok } = libraryFloorRow(r, b);
      filesMet &&= ok;
      rows.push(row);
      continue;
    }
    const sizeRatio = ratio(b.bytes, r.floor.bytes);
    const timeRatio = ratio(b.importMsMedian, r.floor.importMsMedian);
    const ok = sizeRatio <= BUDGETS.bundleSize && timeRatio <= BUDGETS.importTime;
    met &&= ok;
    rows.push([
      `${b.handler}: KB / import ms`,
      `${f(b.bytes / 1024, 0)} KB / ${f(b.importMsMedian)} ms`,
      `${f(r.floor.bytes / 1024, 0)} KB / ${f(r.floor.importMsMedian)} ms`,
      `${f(sizeRatio, 2)} / ${f(timeRatio, 2)}`,
      `${sizeRatio <= BUDGETS.bundleSize ? "met" : "NOT MET"} / ${timeRatio <= BUDGETS.importTime ? "met" : "NOT MET"}`,
    ]);
  }
  return { rows, met, filesMet };
}

/** What a file-making function carries beyond its library floor (esbuild metafile), largest first. */
function beyondLibraryFloor(r: ColdStartResult, handler: string): string {
  const name = r.libraryFloorByHandler?.[handler];
  const floorShares = new Map((r.composition[name ?? "floor"] ?? []).map((s) => [s.module, s.bytes]));
  return (r.composition[handler] ?? [])
    .map((s) => ({ module: s.module, extra: s.bytes - (floorShares.get(s.module) ?? 0) }))
    .filter((s) => s.extra > 1024)
    .sort((a, b) => b.extra - a.extra)
    .slice(0, 5)
    .map((e) => `${e.module} ${f(e.extra / 1024, 0)}`)
    .join(", ");
}

/** Phase 7: the goals of issue 14 — usable within 2.5 s cold, 1 s warm, ≤ 60 KB of compressed script. */
function offlineTable(o: OfflineLoadResult): string {
  const m = o.medians;
  const ms = (n: number) => `${f(n, 0)} ms`;
  return table(
    `7. The inspector's page (an assignment on site, its checklist) on a phone over 3G (${o.link.downKbps / 1000} Mbps down, ${o.link.upKbps} kbps up, ${o.link.latencyMs} ms RTT), median of ${o.runs}; cold: a new profile; warm: the same profile once the service worker is installed`,
    [
      [
        "largest contentful paint, cold",
        ms(m.coldLcpMs),
        "—",
        "—",
        verdict(m.coldLcpMs <= o.goals.coldLcpMs, `≤ ${o.goals.coldLcpMs} ms`),
      ],
      [
        "largest contentful paint, warm",
        ms(m.warmLcpMs),
        "—",
        "—",
        verdict(m.warmLcpMs <= o.goals.warmLcpMs, `≤ ${o.goals.warmLcpMs} ms`),
      ],
      [
        "checklist in the page, cold / warm",
        `${ms(m.coldUsableMs)} / ${ms(m.warmUsableMs)}`,
        "—",
        "—",
        "(information)",
      ],
      [
        "script over the link, compressed, cold (warm)",
        `${f(m.coldScriptBytes / 1024)} KB (${f(m.warmScriptBytes / 1024)} KB)`,
        "—",
        "—",
        verdict(m.coldScriptBytes <= o.goals.scriptKb * 1024, `≤ ${o.goals.scriptKb} KB`),
      ],
      [
        "service worker (fetched after load)",
        `${f(o.serviceWorkerBytes / 1024)} KB`,
        "—",
        "—",
        "(information)",
      ],
    ],
  );
}

/** Where the latest run's tables go in docs/performance.md (replaced whole by each run). */
const DOCS_FILE = join(ROOT, "docs", "performance.md");
const LATEST_BEGIN = "<!-- bench: latest run, written by npm run bench; do not edit by hand -->";
const LATEST_END = "<!-- bench: end of latest run -->";

function writeLatestIntoDocs(text: string): void {
  const doc = existsSync(DOCS_FILE) ? readFileSync(DOCS_FILE, "utf8") : "# Performance\n";
  const section = `${LATEST_BEGIN}\n${text.replace(/^## /, "### ").replaceAll("\n### ", "\n#### ")}\n${LATEST_END}`;
  const begin = doc.indexOf(LATEST_BEGIN);
  const end = doc.indexOf(LATEST_END);
  const next =
    begin >= 0 && end > begin
      ? `${doc.slice(0, begin)}${section}${doc.slice(end + LATEST_END.length)}`
      : `${doc.trimEnd()}\n\n## The latest run\n\n${section}\n`;
  writeFileSync(DOCS_FILE, next);
  log("the tables replaced the latest run in docs/performance.md");
}

function startupTables(r: StartupResult): string[] {
  const m = (values: readonly number[]) => median(values);
  const s = (ms: number) => `${f(ms / 1000, 1)} s`;
  const floor = m(r.floorMs);
  const first = m(r.first.map((x) => x.healthyMs));
  const web = m(r.webBuildMs);
  const restart = m(r.restart.map((x) => x.healthyMs));
  const check = m(r.consoleCheckMs);
  const step = (runs: StartupResult["first"], name: string) => m(runs.map((x) => x.report.steps[name] ?? 0));
  const rows: Row[] = [
    [
      "restart on existing data to GET /health 200 (prestart check + npm start)",
      s(restart + check),
      s(floor),
      f(ratio(restart + check, floor), 2),
      verdict((restart + check) / 1000 <= BUDGETS.restartSeconds, `≤ ${BUDGETS.restartSeconds} s`),
    ],
    [
      "first start, fresh clone (console build + npm start, no cached template)",
      s(web + first),
      s(floor),
      f(ratio(web + first, floor), 2),
      verdict((web + first) / 1000 <= BUDGETS.firstStartSeconds, `≤ ${BUDGETS.firstStartSeconds} s`),
    ],
    [
      "  where a restart's time goes: Node and imports / DynamoDB Local (booting meanwhile) / table / resume",
      `${s(m(r.restart.map((x) => x.report.beforeCallMs)))} / ${s(step(r.restart, "dynamodb"))} / ${s(step(r.restart, "table"))} / ${s(step(r.restart, "resume"))}`,
      "",
      "",
      "(information)",
    ],
    [
      "  a first start's: console build / Node and imports / template (synthesized) / DynamoDB Local",
      `${s(web)} / ${s(m(r.first.map((x) => x.report.beforeCallMs)))} / ${s(step(r.first, "template"))} / ${s(step(r.first, "dynamodb"))}`,
      "",
      "",
      "(information)",
    ],
    [
      "  Node CPU at ready, restart / first (DynamoDB Local's JVM not counted)",
      `${s(m(r.restart.map((x) => x.report.cpuMs)))} / ${s(m(r.first.map((x) => x.report.cpuMs)))}`,
      "",
      "",
      "(information)",
    ],
    [
      "  every handler loaded (in the background after ready), restart",
      s(m(r.restart.map((x) => x.report.handlersLoadedMs))),
      "",
      "",
      "(information)",
    ],
    [
      "  DynamoDB Local alone with the project's JVM flags / npm's own start",
      `${s(m(r.floorProjectFlagsMs))} / ${s(r.npmMs)}`,
      s(floor),
      f(ratio(m(r.floorProjectFlagsMs), floor), 2),
      "(information)",
    ],
  ];
  return [
    table(
      `8. Start-up — median of ${r.rounds} rounds (load average ${f(r.loadAverage[0], 1)} → ${f(r.loadAverage[1], 1)} on this machine; floor: DynamoDB Local alone, java -jar from the same jar, to its first answer)`,
      rows,
    ),
    `- restarts resumed ${r.restart.map((x) => x.report.resumedExecutions).join(", ")} unfinished workflow(s); the template came from the cache in ${r.restart.filter((x) => x.report.templateCached).length} of ${r.restart.length}`,
  ];
}

/** `npm test`'s last full run, as test/support/summary-reporter.ts kept it. */
function testSuiteTable(): string {
  const file = join(
    process.env.SPOT_CACHE_DIR ?? join(ROOT, "node_modules", ".cache", "spot-inspections"),
    "test-runs",
    "last-full-run.json",
  );
  if (!existsSync(file))
    return "\n### 9. npm test: no full run recorded yet (test/support/summary-reporter.ts keeps the last one)";
  const run = JSON.parse(readFileSync(file, "utf8")) as {
    finishedAt: string;
    wallMs: number;
    passed: number;
    failed: number;
    files: { file: string; ms: number; tests: number }[];
  };
  const rows: Row[] = [
    [
      `vitest, all ${run.files.length} files (${run.passed} passed, ${run.failed} failed), ${run.finishedAt.slice(0, 16).replace("T", " ")} UTC`,
      `${f(run.wallMs / 1000, 0)} s`,
      "—",
      "—",
      verdict(run.wallMs / 1000 <= BUDGETS.testSuiteSeconds, `≤ ${BUDGETS.testSuiteSeconds} s`),
    ],
    ...run.files
      .slice(0, 8)
      .map((x): Row => [`  ${x.file} (${x.tests} tests)`, `${f(x.ms / 1000, 1)} s`, "", "", ""]),
  ];
  return table("9. npm test on this machine — its last full run (not run by the bench)", rows);
}

/** Phase 1's tables and notes (exported for rendering a phase-1 JSON on its own). */
export function coldStartSection(cold: ColdStartResult): string[] {
  const out: string[] = [];
  const cs = coldStartRows(cold);
  const held = cold.bundles.filter(budgeted);
  const largest = [...held].sort((a, b) => b.bytes - a.bytes)[0];
  const slowest = [...held].sort((a, b) => b.importMsMedian - a.importMsMedian)[0];
  const summary: Row[] = [];
  if (largest && slowest) {
    const s = ratio(largest.bytes, cold.floor.bytes);
    const t = ratio(slowest.importMsMedian, cold.floor.importMsMedian);
    summary.push(
      [
        `largest bundle (${largest.handler})`,
        `${f(largest.bytes / 1024, 0)} KB`,
        `${f(cold.floor.bytes / 1024, 0)} KB`,
        f(s, 2),
        verdict(s <= BUDGETS.bundleSize, `≤ ${BUDGETS.bundleSize}×`),
      ],
      [
        `slowest import (${slowest.handler}), median of ${cold.spawns}`,
        `${f(slowest.importMsMedian)} ms`,
        `${f(cold.floor.importMsMedian)} ms`,
        f(t, 2),
        verdict(t <= BUDGETS.importTime, `≤ ${BUDGETS.importTime}×`),
      ],
      [
        `import with --enable-source-maps (Lambda's NODE_OPTIONS), ${cold.largestWithSourceMaps.handler}`,
        `${f(cold.largestWithSourceMaps.importMsMedian)} ms`,
        `${f(cold.floorWithSourceMaps.importMsMedian)} ms`,
        f(ratio(cold.largestWithSourceMaps.importMsMedian, cold.floorWithSourceMaps.importMsMedian), 2),
        "(information)",
      ],
    );
  }
  const makingFiles = cold.bundles.filter((b) => !budgeted(b));
  summary.push([
    `functions that make files (${makingFiles.length}), each against the floor + its rendering library`,
    "—",
    "—",
    "—",
    verdict(cs.filesMet, `≤ ${BUDGETS.bundleSize}× size, ≤ ${BUDGETS.importTime}× import`),
  ]);
  out.push(table("1. Cold start — summary", summary));
  out.push(
    table(
      `1. Cold start — every handler (${cold.bundles.length} bundles; all met: ${cs.met && cs.filesMet}; the ${makingFiles.length} that make files against their library floor)`,
      cs.rows,
    ),
  );
  out.push(
    `\nesbuild options copy reproduces the CDK bundle of ${cold.copyCheck.handler}: ${cold.copyCheck.identical} (${cold.copyCheck.cdkBytes} vs ${cold.copyCheck.copyBytes} bytes)`,
  );
  out.push(
    `Import time and size of the floor plus one dependency at a time (ms, KB; floor ${f(cold.floor.importMsMedian)} ms, ${f(cold.floor.bytes / 1024, 0)} KB): ${cold.attribution
      .map(
        (a) =>
          `${a.name.replace("plus-", "+")} ${f(a.importMsMedian)} ms (${f(ratio(a.importMsMedian, cold.floor.importMsMedian), 2)}×), ${f(a.bytes / 1024, 0)} KB`,
      )
      .join("; ")}`,
  );
  out.push(
    `Library floors, the floor plus a rendering library alone (bench/library-floors.ts; ms, KB): ${(
      cold.libraryFloors ?? []
    )
      .map(
        (l) =>
          `${l.name.replace("plus-", "+")} ${f(l.importMsMedian)} ms (${f(ratio(l.importMsMedian, cold.floor.importMsMedian), 2)}× the floor), ${f(l.bytes / 1024, 0)} KB`,
      )
      .join("; ")}`,
  );
  for (const b of makingFiles)
    out.push(
      `What ${b.handler} carries beyond its library floor (KB): ${beyondLibraryFloor(cold, b.handler ?? "")}`,
    );
  if (largest) {
    const floorShares = new Map((cold.composition.floor ?? []).map((s) => [s.module, s.bytes]));
    const extra = (cold.composition[largest.handler ?? ""] ?? [])
      .map((s) => ({ module: s.module, extra: s.bytes - (floorShares.get(s.module) ?? 0) }))
      .filter((s) => s.extra > 1024)
      .sort((a, b) => b.extra - a.extra)
      .slice(0, 8);
    out.push(
      `What ${largest.handler} carries beyond the floor (esbuild metafile, KB): ${extra.map((e) => `${e.module} ${f(e.extra / 1024, 0)}`).join(", ")}`,
    );
  }
  return out;
}

function main() {
  return (async () => {
    mkdirSync(RESULTS_DIR, { recursive: true });
    const stamp = new Date().toISOString().replaceAll(":", "-").slice(0, 19);
    const started = Date.now();
    log("phase 1/8: cold start (CDK bundles vs a DynamoDB-document-client bundle)");
    const cold = await runPhase<ColdStartResult>("cold-start.ts", "cold-start", stamp, 900_000);
    log("phase 2/8: workflow cost of one whole inspection");
    const workflow = await runPhase<WorkflowCostResult>("workflow-cost.ts", "workflow", stamp, 120_000);
    log("phase 3/8: API latency and throughput vs bare DynamoDB Local operations");
    const api = await runPhase<ApiLatencyResult>("api-latency.ts", "api", stamp, 300_000);
    log("phase 4/8: scale (history rows, concurrent inspections)");
    const scale = await runPhase<ScaleResult>("scale.ts", "scale", stamp, 300_000);
    log("phase 5/8: evidence photos over a 3G link (headless Chromium)");
    const evidence = await runPhase<EvidenceUploadResult>("evidence-upload.ts", "evidence", stamp, 300_000);
    log("phase 6/8: an organisation brought in whole (管城区 from workbooks) and a draw over it");
    const organisation = await runPhase<ImportScaleResult>("import-scale.ts", "import", stamp, 600_000);
    log("phase 7/8: the inspector's page over 3G, cold and warm (headless Chromium; offline-first build)");
    const offline = await runPhase<OfflineLoadResult>("offline-load.ts", "offline", stamp, 300_000);
    log("phase 8/8: start-up, first and restarted, against DynamoDB Local alone");
    const startup = await runPhase<StartupResult>("start-up.ts", "start-up", stamp, 900_000);
    const seconds = (Date.now() - started) / 1000;

    const out: string[] = [];
    out.push(`## Benchmark ${stamp} (${process.version}, ${f(seconds, 0)} s)`);

    if (cold) out.push(...coldStartSection(cold));
    else out.push(`\n### 1. Cold start: the phase failed (see its log under bench/results/)`);

    if (api) {
      const apiRows: Row[] = [];
      for (const r of api.routes) {
        const p50 = ratio(r.api.p50, r.bare.p50);
        apiRows.push(
          [
            `${r.route} p50`,
            `${f(r.api.p50)} ms`,
            `${f(r.bare.p50)} ms`,
            f(p50, 2),
            r.budgeted === false ? "(information)" : verdict(p50 <= BUDGETS.apiP50, `≤ ${BUDGETS.apiP50}×`),
          ],
          [
            `${r.route} p99`,
            `${f(r.api.p99)} ms`,
            `${f(r.bare.p99)} ms`,
            f(ratio(r.api.p99, r.bare.p99), 2),
            "",
          ],
          [
            `${r.route} req/s (failures)`,
            `${f(r.api.perSecond)} (${r.api.failures})`,
            `${f(r.bare.perSecond)} (${r.bare.failures})`,
            f(ratio(r.api.perSecond, r.bare.perSecond), 2),
            "",
          ],
        );
      }
      out.push(
        table(
          `2. API on the local stack, ${api.connections} connections (floor: the same DynamoDB requests, replayed)`,
          apiRows,
        ),
      );
      for (const r of api.routes)
        out.push(`- ${r.route}: ${r.operations.map((o) => `${o.op}(${o.units})`).join(" → ")}; ${r.note}`);
    } else out.push(`\n### 2. API: the phase failed (see its log under bench/results/)`);

    if (workflow) {
      const p = workflow.project;
      const fl = workflow.floor;
      const wfRows: Row[] = [
        ["state transitions", `${p.stateTransitions}`, `${fl.stateTransitions}`, "—", ""],
        [
          `Lambda invocations (API + tasks + ${p.relayInvocations} change relay)`,
          `${p.lambdaInvocations}`,
          `${fl.lambdaInvocations}`,
          f(ratio(p.lambdaInvocations, fl.lambdaInvocations), 2),
          "",
        ],
        [
          "Lambda billed ms",
          `${f(p.lambdaBilledMs, 0)}`,
          `${fl.lambdaBilledMs}`,
          f(ratio(p.lambdaBilledMs, fl.lambdaBilledMs), 1),
          "",
        ],
        ["DynamoDB read units", `${p.readUnits}`, `${fl.readUnits}`, "—", ""],
        [
          "DynamoDB write units",
          `${p.writeUnits}`,
          `${fl.writeUnits}`,
          f(ratio(p.writeUnits, fl.writeUnits), 1),
          verdict(
            p.writeUnits <= BUDGETS.writeUnitsPerInspection,
            `≤ ${BUDGETS.writeUnitsPerInspection} (issue 19)`,
          ),
        ],
        ["HTTP API requests", `${p.httpRequests}`, `${fl.httpRequests}`, "1.00", ""],
        ["US$ Step Functions", usd(p.usd.stepFunctions), usd(fl.usd.stepFunctions), "—", ""],
        ["US$ Lambda", usd(p.usd.lambda), usd(fl.usd.lambda), f(ratio(p.usd.lambda, fl.usd.lambda), 1), ""],
        [
          "US$ DynamoDB",
          usd(p.usd.dynamoDb),
          usd(fl.usd.dynamoDb),
          f(ratio(p.usd.dynamoDb, fl.usd.dynamoDb), 1),
          "",
        ],
        ["US$ HTTP API", usd(p.usd.httpApi), usd(fl.usd.httpApi), "1.00", ""],
        [
          "US$ per whole inspection",
          usd(p.usd.total),
          usd(fl.usd.total),
          f(ratio(p.usd.total, fl.usd.total), 1),
          `${verdict(p.usd.total <= BUDGETS.usdPerInspection, `≤ $${BUDGETS.usdPerInspection}`)}; ${verdict(p.usd.total <= BUDGETS.usdPerInspectionGoal, `≤ $${BUDGETS.usdPerInspectionGoal}, issue 19`)}`,
        ],
      ];
      out.push(
        table(
          `3. One whole inspection (median of ${workflow.runs}; ${workflow.closedRuns} closed) — floor: one durable write per visible state change (${fl.visibleStateChanges.length}), the same ${fl.httpRequests} requests at 1 ms`,
          wfRows,
        ),
      );
      out.push(
        `- transitions by state: ${Object.entries(p.statesEntered)
          .sort((a, b) => b[1] - a[1])
          .map(([s, n]) => `${s} ${n}`)
          .join(", ")}; retries ${p.retries}`,
        `- write units by cause (the middle run; bench/meter.ts): ${Object.entries(p.writeCauses ?? {})
          .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
          .map(([cause, units]) => `${cause} ${f(units ?? 0, 1)}`)
          .join(", ")}`,
        `- the largest by item: ${Object.entries(p.writeCausesByKind ?? {})
          .sort((a, b) => b[1] - a[1])
          .slice(0, 8)
          .map(([kind, units]) => `${kind} ${f(units, 1)}`)
          .join("; ")}`,
        `- DynamoDB calls by operation (calls/units): ${Object.entries(p.byOp)
          .map(([op, v]) => `${op} ${v.calls}/${v.units}`)
          .join(", ")}; ${p.failedWrites} refused conditional write(s) (billed, units not reported)`,
        ...workflow.idle.map(
          (w) =>
            `- waiting ${w.seconds} s for ${w.waitingFor}: ${w.transitions} transitions, ${w.taskInvocations} task invocations, ${w.dynamoCalls} DynamoDB calls (a wait on a callback needs 0)`,
        ),
        `- write units as DynamoDB bills them; DynamoDB Local reported ${p.writeUnitsAsLocalReports ?? "—"} (it reports a transaction's table units as 2 whatever it holds, so each transaction's table units are counted from its items: twice their 1 KB steps, as DynamoDB bills a transaction; the issue's 342 was counted as Local reported)`,
        `- DynamoDB Local counts index writes: a put with 3 GSI keys ${workflow.dynamoLocalCountsIndexWrites.withIndexes} WRU, without ${workflow.dynamoLocalCountsIndexWrites.withoutIndexes}`,
        `- prices (US$, on demand, us-east-1; bench/prices.ts): Step Functions Standard ${PRICES.stepFunctionsTransition}/transition; Lambda arm64 ${PRICES.lambdaRequest * 1e6}/1M requests + ${PRICES.lambdaGbSecond}/GB-s at ${LAMBDA_MEMORY_GB * 1024} MB; DynamoDB ${PRICES.dynamoWriteUnit * 1e6}/1M WRU, ${PRICES.dynamoReadUnit * 1e6}/1M RRU; HTTP API ${PRICES.httpApiRequest * 1e6}/1M requests`,
        `- at DynamoDB's prices before 2024-11-01 (${DYNAMODB_PRICES_BEFORE_2024_11.dynamoWriteUnit * 1e6}/1M WRU, ${DYNAMODB_PRICES_BEFORE_2024_11.dynamoReadUnit * 1e6}/1M RRU, which the issue's figures used): DynamoDB ${usd(p.writeUnits * DYNAMODB_PRICES_BEFORE_2024_11.dynamoWriteUnit + p.readUnits * DYNAMODB_PRICES_BEFORE_2024_11.dynamoReadUnit)}, the whole inspection ${usd(p.usd.total - p.usd.dynamoDb + p.writeUnits * DYNAMODB_PRICES_BEFORE_2024_11.dynamoWriteUnit + p.readUnits * DYNAMODB_PRICES_BEFORE_2024_11.dynamoReadUnit)}`,
      );
    } else out.push(`\n### 3. Workflow cost: the phase failed (see its log under bench/results/)`);

    if (scale) {
      const scRows: Row[] = [];
      scale.large.reads.forEach((large, i) => {
        const small = scale.small.reads[i];
        if (!small) return;
        const units = ratio(large.readUnits, small.readUnits);
        scRows.push(
          [
            `${large.route} read units`,
            `${large.readUnits} @ ${scale.large.history.toLocaleString("en")}`,
            `${small.readUnits} @ ${scale.small.history.toLocaleString("en")}`,
            f(units, 2),
            verdict(units <= BUDGETS.historyReadUnits, `≤ ${BUDGETS.historyReadUnits}×`),
          ],
          [
            `${large.route} p50`,
            `${f(large.p50Ms)} ms`,
            `${f(small.p50Ms)} ms`,
            f(ratio(large.p50Ms, small.p50Ms), 2),
            "",
          ],
        );
      });
      const c = scale.concurrent;
      scRows.push([
        `${c.inspections} whole inspections concurrently`,
        `${c.closed} closed, ${c.lost} lost, ${f(c.seconds, 0)} s`,
        "—",
        "—",
        c.lost === 0 ? "none lost" : "LOST SOME",
      ]);
      scRows.push([
        "throughput",
        `${f(c.perSecond, 2)} inspections/s (${f(c.requests / c.seconds, 0)} API req/s)`,
        "—",
        "—",
        "",
      ]);
      // Issue 19, item 6: overload is shed (429/503 with Retry-After), never timed out.
      const a = c.answers;
      if (a) {
        const withoutRetryAfter = a.shed429WithoutRetryAfter + a.shed503WithoutRetryAfter;
        const longest = c.gateway?.longestRoute;
        scRows.push(
          [
            "… timeouts (a route past its function's 10 s)",
            `${a.timeouts} of ${a.requests.toLocaleString("en")} answers; ${a.otherServerErrors} other 5xx; ${a.over10s} answered after more than 10 s at the client (wait, init and the driver's own event loop included)`,
            "0",
            "—",
            verdict(a.timeouts === 0, "0 timeouts, issue 19"),
          ],
          [
            "… shed (429 / 503)",
            `${a.shed429} / ${a.shed503}; ${withoutRetryAfter} without Retry-After`,
            "—",
            "—",
            verdict(withoutRetryAfter === 0, "every shed answer with Retry-After, issue 19"),
          ],
        );
        if (c.gateway && longest)
          scRows.push([
            "… the local gateway (lib/local/concurrency.ts)",
            `${c.gateway.limits.account} at once: ${c.gateway.admitted} admitted (${c.gateway.waited} after waiting, at most ${c.gateway.longestWaitMs} ms), ${c.gateway.throttled.account + c.gateway.throttled.function} shed; slowest admitted ${f(longest.ms / 1000, 1)} s of its ${longest.timeoutMs / 1000} s${c.gateway.longestAtGatewayMs === undefined ? "" : `, ${f(c.gateway.longestAtGatewayMs / 1000, 1)} s at the gateway with its wait and init`}`,
            "—",
            "—",
            "",
          ]);
      }
      out.push(
        table(
          `4. Scale — closed history written with BatchWriteItem (${scale.activeOrders} active orders, ${scale.overdueOrders} overdue, through the API)`,
          scRows,
        ),
      );
      if (c.failures.length > 0) out.push(`- failures: ${c.failures.join("; ")}`);
      const shedAgain = Object.entries(c.shedRetries ?? {});
      if (shedAgain.length > 0)
        out.push(
          `- sent again after a 429's Retry-After (it never ran): ${shedAgain.map(([step, n]) => `${step} ${n}×`).join(", ")}`,
        );
      const retries = Object.entries(c.retried);
      out.push(
        retries.length === 0
          ? "- no request needed a retry"
          : `- the driver retried (Idempotency-Key, after a 5xx or while in progress): ${retries.map(([step, n]) => `${step} ${n}×`).join(", ")}`,
      );
    } else out.push(`\n### 4. Scale: the phase failed (see its log under bench/results/)`);

    if (evidence) {
      const e = evidence;
      const mb = (e.photos * e.bytesPerPhoto) / 1024 / 1024;
      out.push(
        table(
          `5. Evidence — ${e.photos} photos of ${f(e.bytesPerPhoto / 1024, 0)} KB from Chromium over 3G (${e.link.downKbps / 1000} Mbps down, ${e.link.upKbps} kbps up, ${e.link.latencyMs} ms RTT); floor: the bytes alone at the uplink's rate`,
          [
            [
              `${e.photos} photos at once, asked → uploaded → verified`,
              `${f(e.allSeconds)} s (${f(mb, 1)} MB)`,
              `${f(e.floorSeconds)} s`,
              f(ratio(e.allSeconds, e.floorSeconds), 2),
              `${e.verified} of ${e.photos} verified`,
            ],
            [
              "one photo (median of five, one at a time)",
              `${f(e.onePhotoSecondsMedian)} s`,
              `${f(e.floorSeconds / e.photos)} s`,
              f(ratio(e.onePhotoSecondsMedian, e.floorSeconds / e.photos), 2),
              "",
            ],
            [
              "handler invocations for the five (bytes through handlers)",
              `${e.apiRequests} API + ${e.checkInvocations} checks (${e.apiRequestBytes} B of JSON)`,
              "—",
              "—",
              "no invocation per byte",
            ],
          ],
        ),
      );
    } else out.push(`\n### 5. Evidence: the phase failed (see its log under bench/results/)`);

    if (organisation) {
      const o = organisation;
      const both = o.units.seconds + o.people.seconds;
      out.push(
        table(
          "6. An organisation brought in whole — the 管城区 workbooks through POST /imports and the object store, to done",
          [
            [
              `units: ${o.units.rows} rows (${o.units.created} created)`,
              `${f(o.units.seconds)} s, ${f(o.units.rows / o.units.seconds, 0)} rows/s`,
              "—",
              "—",
              "",
            ],
            [
              `people: ${o.people.rows} rows (${o.people.created} accounts)`,
              `${f(o.people.seconds)} s, ${f(o.people.rows / o.people.seconds, 0)} rows/s`,
              "—",
              "—",
              "",
            ],
            [
              "both imports",
              `${f(both)} s`,
              "—",
              "—",
              verdict(both <= BUDGETS.importSeconds, `≤ ${BUDGETS.importSeconds} s`),
            ],
            [
              "the units again",
              `${f(o.reimport.seconds)} s, ${o.reimport.unchanged} unchanged`,
              "—",
              "—",
              "",
            ],
            [
              `plan over ${o.plan.candidates} grids, pool by unit (${o.plan.pool})`,
              `${f(o.plan.seconds, 2)} s`,
              "—",
              "—",
              "",
            ],
            [`draw of ${o.draw.assignments}`, `${f(o.draw.seconds, 2)} s`, "—", "—", ""],
          ],
        ),
      );
      if (o.org) {
        out.push(
          table(
            `6b. The organisation at work — p50 of ${o.org[0]?.api.requests ?? 0} calls one at a time (floor: the DynamoDB requests of one traced call, replayed bare as parallel as the handler sent them)`,
            o.org.map((r) => {
              const x = ratio(r.api.p50, r.bare.p50);
              return [
                `${r.route}: ${r.calls} calls in ${r.waves} waves, ${f(r.readUnits, 0)} RRU / ${f(r.writeUnits, 0)} WRU`,
                `${f(r.api.p50, 0)} ms`,
                `${f(r.bare.p50, 0)} ms`,
                f(x, 2),
                verdict(x <= BUDGETS.orgP50, `≤ ${BUDGETS.orgP50}×`),
              ];
            }),
          ),
        );
      }
    } else out.push(`\n### 6. Organisation: the phase failed (see its log under bench/results/)`);

    if (offline) out.push(offlineTable(offline));
    else out.push(`\n### 7. Inspector's page over 3G: the phase failed (see its log under bench/results/)`);

    if (startup) out.push(...startupTables(startup));
    else out.push(`\n### 8. Start-up: the phase failed (see its log under bench/results/)`);
    out.push(testSuiteTable());

    for (const [name, phase] of [
      ["API", api],
      ["scale", scale],
    ] as const) {
      const w = phase?.warnings;
      if (w && (w.unhandledRejections > 0 || w.notQuiet > 0))
        out.push(
          `\nWARNING (${name} phase): ${w.unhandledRejections} unhandled rejection(s) in the local runtime; ${w.notQuiet} wait(s) for the workflows to settle gave up (background work never stopped).`,
        );
    }
    const text = out.join("\n");
    process.stdout.write(`${text}\n`);
    const combined = {
      stamp,
      seconds,
      budgets: BUDGETS,
      prices: PRICES,
      cold,
      workflow,
      api,
      scale,
      evidence,
      offline,
      startup,
    };
    writeFileSync(join(RESULTS_DIR, `${stamp}.json`), JSON.stringify(combined, null, 2));
    writeFileSync(join(RESULTS_DIR, "latest.json"), JSON.stringify(combined, null, 2));
    writeFileSync(join(RESULTS_DIR, "latest.md"), `${text}\n`);
    writeLatestIntoDocs(text);
    log(`results: bench/results/${stamp}.json (and latest.json, latest.md)`);
  })();
}

// Only when run (`npm run bench`), not when imported to render a phase on its own.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
