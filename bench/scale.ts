import { writeFileSync } from "node:fs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { keys, rectIndexKeys } from "../lambdas/data/keys";
import { parseItem, type RectificationRecord, rectificationRecord } from "../lambdas/data/records";
import { localConcurrencyLimits } from "../lib/local/concurrency";
import type { OverloadStats } from "../lib/local/system";
import { LOCAL_TABLE_NAME } from "../lib/local/system";
import type { Client } from "../test/support/api";
import {
  addUnits,
  answers,
  type Bench,
  buildWorld,
  expectStatus,
  FINDINGS_3_ISSUES,
  isoIn,
  loops,
  prepareOnSite,
  retried,
  runMain,
  shedRetries,
  startBench,
  stopBench,
  unhandled,
  until,
  type World,
  wholeInspection,
} from "./drive";
import { meter } from "./meter";
import { log, median } from "./stats";

/**
 * Phase 4, scale. (a) The read units and latency of `GET /dashboard` and of the overdue list (over
 * all units, and of one unit) with 1,000 and with 100,000 closed rectification orders in the table:
 * the history is written straight into DynamoDB Local with BatchWriteItem in the exact shape the
 * store writes (keys.ts `keys.rect` + `rectIndexKeys`, parsed with records.ts `rectificationRecord`),
 * with the closed-order counters to match; the open work (active and overdue orders) goes through
 * the API. (b) INSPECTIONS whole inspections driven concurrently end to end: throughput, none lost.
 */

const HISTORY_SMALL = 1_000;
const HISTORY_LARGE = Number(process.env.BENCH_HISTORY ?? 100_000);
const INSPECTIONS = Number(process.env.BENCH_INSPECTIONS ?? 200);
const SAMPLES = 15;

export interface ReadFigure {
  readonly route: string;
  readonly readUnits: number;
  readonly p50Ms: number;
  readonly items: number;
}

export interface ScaleResult {
  /** Background trouble during the phase: unhandled rejections in the local runtime, waits for quiet that gave up. */
  readonly warnings: { unhandledRejections: number; notQuiet: number };
  readonly activeOrders: number;
  readonly overdueOrders: number;
  readonly small: { history: number; reads: ReadFigure[] };
  readonly large: { history: number; reads: ReadFigure[]; writeSeconds: number };
  readonly concurrent: {
    inspections: number;
    closed: number;
    lost: number;
    failures: string[];
    seconds: number;
    perSecond: number;
    requests: number;
    /** Writes the driver retried after a 5xx (a handler over its 10 s locally), by step. */
    retried: Record<string, number>;
    /** Requests the driver sent again after a 429 (after its Retry-After), by step. */
    shedRetries: Record<string, number>;
    /**
     * Every answer of the phase, each attempt counted (issue 19, item 6): shed (429/503, with and
     * without Retry-After), function timeouts, other 5xx, slower than 10 s at the client.
     */
    answers: typeof answers;
    /** The local gateway's own count over the phase (lib/local/concurrency.ts), and its limits. */
    gateway: OverloadStats & { limits: { account: number; maxWaitMs: number; maxQueued: number } };
  };
}

function historyOrder(n: number, unitIds: readonly string[]): RectificationRecord {
  const unitId = unitIds[n % unitIds.length] as string;
  // Spread over the three years before the bench, oldest first.
  const closedAt = new Date(Date.now() - 3 * 365 * 86_400_000 + n * 900_000).toISOString();
  const createdAt = new Date(Date.parse(closedAt) - 5 * 86_400_000).toISOString();
  const deadline = new Date(Date.parse(createdAt) + 7 * 86_400_000).toISOString();
  const assignmentId = `hist-a${Math.floor(n / 3)}`;
  return {
    rectificationId: `${assignmentId}-${(n % 3) + 1}`,
    assignmentId,
    spotCheckId: `hist-s${Math.floor(n / 300)}`,
    unitId,
    inspectorIds: ["hist-insp-a", "hist-insp-b"],
    organizerId: "hist-organizer",
    itemCode: "A2",
    description: "消杀记录缺失，立即整改",
    severity: "major",
    deadline,
    status: "closed",
    escalationLevel: 0,
    escalateAfterHours: 72,
    history: [
      { at: createdAt, actor: "hist-insp-a", action: "issued", deadline },
      { at: createdAt, actor: `${unitId}-head`, action: "reported" },
      { at: closedAt, actor: "hist-insp-a", action: "accepted", comment: "整改到位，销号" },
    ],
    report: {
      description: "已整改，附照片",
      evidence: ["照片1"],
      at: createdAt,
      by: `${unitId}-head`,
      late: false,
    },
    lateReported: false,
    createdAt,
    closedAt,
    version: 3,
  };
}

/** Closed orders [from, to) as the store writes them, plus the closed-order counters (not timed). */
async function writeHistory(
  doc: DynamoDBDocumentClient,
  from: number,
  to: number,
  unitIds: readonly string[],
) {
  const perUnit = new Map<string, number>();
  const batches: Record<string, unknown>[][] = [];
  for (let n = from; n < to; n += 25) {
    const batch: Record<string, unknown>[] = [];
    for (let k = n; k < Math.min(to, n + 25); k++) {
      const record = parseItem(rectificationRecord, historyOrder(k, unitIds), "history order");
      perUnit.set(record.unitId, (perUnit.get(record.unitId) ?? 0) + 1);
      batch.push({ ...keys.rect(record.rectificationId), ...rectIndexKeys(record), ...record });
    }
    batches.push(batch);
  }
  await loops(
    6,
    async (i) => {
      let pending: unknown[] = (batches[i] ?? []).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 20) throw new Error("BatchWriteItem kept returning unprocessed items");
        const out = await doc.send(
          new BatchWriteCommand({ RequestItems: { [LOCAL_TABLE_NAME]: pending as never } }),
        );
        pending = out.UnprocessedItems?.[LOCAL_TABLE_NAME] ?? [];
      }
    },
    { count: batches.length },
  );
  const counters = [...perUnit].map(([u, c]) => [`UNIT#${u}`, u, c] as const);
  for (const [sk, unitId, count] of counters) {
    await doc.send(
      new UpdateCommand({
        TableName: LOCAL_TABLE_NAME,
        Key: { pk: keys.stats, sk },
        UpdateExpression: "ADD closed :n, closedOnTime :n SET unitId = :unit",
        ExpressionAttributeValues: { ":n": count, ":unit": unitId },
      }),
    );
  }
}

async function measureReads(world: World, unitId: string): Promise<ReadFigure[]> {
  const routes: [string, Client, string][] = [
    ["GET /dashboard", world.official, "/dashboard"],
    ["GET /rectifications?overdue=true", world.official, "/rectifications?overdue=true"],
    [
      "GET /rectifications?unitId=…&overdue=true",
      world.official,
      `/rectifications?unitId=${encodeURIComponent(unitId)}&overdue=true`,
    ],
  ];
  const figures: ReadFigure[] = [];
  for (const [route, client, path] of routes) {
    const units: number[] = [];
    const ms: number[] = [];
    let items = 0;
    for (let i = 0; i < SAMPLES + 1; i++) {
      const before = meter.snapshot();
      const t = performance.now();
      const res = await client.get(path);
      const elapsed = performance.now() - t;
      expectStatus(res, [200], route);
      if (i === 0) continue; // warm-up
      units.push(meter.since(before).api.read);
      ms.push(elapsed);
      items = Array.isArray(res.body.items)
        ? res.body.items.length
        : (res.body.overdue?.length ?? 0) + (res.body.dueSoon?.length ?? 0);
    }
    figures.push({ route, readUnits: median(units), p50Ms: median(ms), items });
  }
  return figures;
}

async function concurrentInspections(bench: Bench, world: World, unitIds: readonly string[]) {
  const gatewayBefore = bench.system.overloadStats();
  const answersBefore = { ...answers };
  const started = performance.now();
  const settled = await Promise.allSettled(
    Array.from({ length: INSPECTIONS }, (_, i) =>
      wholeInspection(bench, world, unitIds[i % unitIds.length] as string, 400_000),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const gatewayAfter = bench.system.overloadStats();
  const phaseAnswers = Object.fromEntries(
    Object.entries(answers).map(([k, v]) => [k, v - answersBefore[k as keyof typeof answers]]),
  ) as typeof answers;
  const failures: string[] = [];
  let closed = 0;
  let requests = 0;
  for (const s of settled) {
    if (s.status === "rejected")
      failures.push(String(s.reason instanceof Error ? s.reason.message : s.reason));
    else {
      requests += s.value.requests;
      // Closed in the data as well as in the workflow.
      const a = await world.official.get(`/assignments/${s.value.assignmentId}`);
      if (s.value.closed && a.body?.status === "closed") closed++;
      else
        failures.push(`${s.value.assignmentId}: execution done=${s.value.closed}, status ${a.body?.status}`);
    }
  }
  return {
    inspections: INSPECTIONS,
    closed,
    lost: INSPECTIONS - closed,
    failures: failures.slice(0, 10),
    seconds,
    perSecond: closed / seconds,
    requests,
    retried: { ...retried },
    shedRetries: { ...shedRetries },
    answers: phaseAnswers,
    gateway: {
      ...gatewayAfter,
      admitted: gatewayAfter.admitted - gatewayBefore.admitted,
      waited: gatewayAfter.waited - gatewayBefore.waited,
      throttled: {
        account: gatewayAfter.throttled.account - gatewayBefore.throttled.account,
        function: gatewayAfter.throttled.function - gatewayBefore.throttled.function,
      },
      timedOut: gatewayAfter.timedOut - gatewayBefore.timedOut,
      limits: localConcurrencyLimits(),
    },
  };
}

async function main(outFile: string) {
  const bench = await startBench("scale");
  const raw = new DynamoDBClient({
    endpoint: bench.system.dynamoEndpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const doc = DynamoDBDocumentClient.from(raw);
  try {
    const world = await buildWorld(bench.api, "scale");
    const units = await addUnits(world, 40);

    // The open work: 10 inspections' orders (30 active), 5 of them with deadlines that pass now.
    const onSite = await prepareOnSite(world, units, 15);
    await loops(
      4,
      async (i) => {
        const a = onSite[i] as (typeof onSite)[number];
        const overdue = i >= 10;
        const body = overdue
          ? {
              ...FINDINGS_3_ISSUES,
              issues: FINDINGS_3_ISSUES.issues.map(({ rectifyWithinDays: _, ...issue }) => ({
                ...issue,
                deadline: isoIn(4_000),
              })),
            }
          : FINDINGS_3_ISSUES;
        expectStatus(
          await world.inspectorFor(a).post(`/assignments/${a.assignmentId}/findings`, body),
          [202],
          "findings",
        );
      },
      { count: onSite.length },
    );
    const overdueUnit = (onSite[10] as (typeof onSite)[number]).unitId;
    await until(
      async () => (await world.official.get("/rectifications?overdue=true")).body.items?.length >= 15,
      30_000,
    );
    await meter.quiet();

    log(`writing ${HISTORY_SMALL} closed orders`);
    await writeHistory(doc, 0, HISTORY_SMALL, units);
    await meter.quiet();
    const small = { history: HISTORY_SMALL, reads: await measureReads(world, overdueUnit) };

    log(`writing ${HISTORY_LARGE - HISTORY_SMALL} more closed orders (BatchWriteItem)`);
    const writeStarted = performance.now();
    await writeHistory(doc, HISTORY_SMALL, HISTORY_LARGE, units);
    const writeSeconds = (performance.now() - writeStarted) / 1000;
    log(`history written in ${writeSeconds.toFixed(0)} s`);
    await meter.quiet();
    const large = { history: HISTORY_LARGE, reads: await measureReads(world, overdueUnit), writeSeconds };

    log(`${INSPECTIONS} whole inspections concurrently`);
    const concurrent = await concurrentInspections(bench, world, [
      world.units.yatai,
      world.units.dongjia,
      ...units,
    ]);
    log(`${concurrent.closed}/${concurrent.inspections} closed in ${concurrent.seconds.toFixed(0)} s`);

    const result: ScaleResult = {
      activeOrders: 45,
      overdueOrders: 15,
      small,
      large,
      concurrent,
      warnings: { unhandledRejections: unhandled.length, notQuiet: meter.busyWaits },
    };
    writeFileSync(outFile, JSON.stringify(result, null, 2));
  } finally {
    raw.destroy();
    await stopBench(bench);
  }
}

runMain(() => main(process.argv[2] ?? "bench/results/scale.json"));
