import { writeFileSync } from "node:fs";
import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { LOCAL_TABLE_NAME } from "../lib/local/system";
import {
  type Bench,
  buildWorld,
  expectStatus,
  FINDINGS_3_ISSUES,
  runMain,
  startBench,
  stopBench,
  type World,
  wait,
  wholeInspection,
} from "./drive";
import { meter, WRITE_CAUSES, type WriteCause, type WriteRecord } from "./meter";
import { LAMBDA_MEMORY_GB, PRICES } from "./prices";
import { log, median } from "./stats";

/**
 * Phase 3, workflow cost: one whole inspection (plan, draw, arrival, findings with 3 issues, reports,
 * reviews with one order rejected once, re-reported and accepted, ending closed), RUNS times on a
 * quiet local system, counted: state transitions and task invocations (LocalStepFunctions counters),
 * DynamoDB read/write units (ReturnConsumedCapacity), API requests. Priced at list prices, and set
 * against the minimum a design needs: one durable write per state change a user can see.
 */

const RUNS = 3;

/** The state changes a user can see in that inspection: the floor's durable writes. */
export const VISIBLE_STATE_CHANGES = [
  "spot check planned",
  "spot check dispatched (draw)",
  "assignment dispatched (draw)",
  "assignment on_site (arrival)",
  "assignment scored (findings)",
  "order 1 issued (open)",
  "order 2 issued (open)",
  "order 3 issued (open)",
  "assignment rectifying",
  "order 1 submitted",
  "order 2 submitted",
  "order 3 submitted",
  "order 1 rejected (open, new deadline)",
  "order 2 closed",
  "order 3 closed",
  "order 1 submitted again",
  "order 1 closed",
  "assignment closed",
];

export interface CostLine {
  readonly stateTransitions: number;
  readonly lambdaInvocations: number;
  readonly lambdaBilledMs: number;
  readonly readUnits: number;
  readonly writeUnits: number;
  /** The write units as DynamoDB Local reported them (it under-reports transactions; see bench/meter.ts). */
  readonly writeUnitsAsLocalReports?: number;
  readonly httpRequests: number;
  readonly usd: {
    stepFunctions: number;
    lambda: number;
    dynamoDb: number;
    httpApi: number;
    total: number;
  };
}

export function price(line: Omit<CostLine, "usd">): CostLine {
  const stepFunctions = line.stateTransitions * PRICES.stepFunctionsTransition;
  const lambda =
    line.lambdaInvocations * PRICES.lambdaRequest +
    (line.lambdaBilledMs / 1000) * LAMBDA_MEMORY_GB * PRICES.lambdaGbSecond;
  const dynamoDb = line.readUnits * PRICES.dynamoReadUnit + line.writeUnits * PRICES.dynamoWriteUnit;
  const httpApi = line.httpRequests * PRICES.httpApiRequest;
  return {
    ...line,
    usd: { stepFunctions, lambda, dynamoDb, httpApi, total: stepFunctions + lambda + dynamoDb + httpApi },
  };
}

export interface WorkflowCostResult {
  readonly runs: number;
  readonly closedRuns: number;
  readonly perRun: Record<string, unknown>[];
  readonly project: CostLine & {
    apiRequests: number;
    taskInvocations: number;
    /** Invocations of the change relay by the table's stream (it resumes the waiting tasks). */
    relayInvocations: number;
    retries: number;
    statesEntered: Record<string, number>;
    dynamoCalls: number;
    failedWrites: number;
    byOp: Record<string, { calls: number; units: number }>;
    /** The middle run's write units by cause (see `CapacityMeter.attribute`), and by cause and item kind. */
    writeCauses: Partial<Record<WriteCause, number>>;
    writeCausesByKind: Record<string, number>;
    /** The middle run's writes, one by one: operation, units, items (cause, kind, KB, index keys). */
    writes: WriteRecord[];
  };
  readonly floor: CostLine & { visibleStateChanges: string[] };
  readonly dynamoLocalCountsIndexWrites: { withIndexes: number; withoutIndexes: number };
  /** While orders wait for a person (nothing is due), the workflow should stand still: 0 transitions. */
  readonly idle: {
    seconds: number;
    waitingFor: string;
    transitions: number;
    taskInvocations: number;
    dynamoCalls: number;
  }[];
  readonly prices: typeof PRICES;
}

/** The change relay's invocations and billed time so far (all stream consumers of the local system). */
function relayCounters(bench: Bench) {
  return bench.system.tableStreams.reduce(
    (total, s) => ({
      invocations: total.invocations + s.counters.invocations,
      billedMs: total.billedMs + s.counters.billedMs,
    }),
    { invocations: 0, billedMs: 0 },
  );
}

async function indexWriteProbe(endpoint: string) {
  const client = new DynamoDBClient({
    endpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const put = async (item: Record<string, { S: string }>) => {
    const out = await client.send(
      new PutItemCommand({ TableName: LOCAL_TABLE_NAME, Item: item, ReturnConsumedCapacity: "TOTAL" }),
    );
    await client.send(
      new DeleteItemCommand({ TableName: LOCAL_TABLE_NAME, Key: { pk: item.pk!, sk: item.sk! } }),
    );
    return out.ConsumedCapacity?.CapacityUnits ?? Number.NaN;
  };
  const withoutIndexes = await put({ pk: { S: "BENCH#probe" }, sk: { S: "plain" } });
  const withIndexes = await put({
    pk: { S: "BENCH#probe" },
    sk: { S: "indexed" },
    gsi1pk: { S: "a" },
    gsi1sk: { S: "a" },
    gsi2pk: { S: "b" },
    gsi2sk: { S: "b" },
    gsi3pk: { S: "c" },
    gsi3sk: { S: "c" },
  });
  client.destroy();
  return { withIndexes, withoutIndexes };
}

/**
 * What waiting costs: an inspection's 3 orders wait IDLE_SECONDS for their reports, then (reported)
 * IDLE_SECONDS for their reviews, with no deadline due; the transitions, task invocations and
 * DynamoDB calls in each wait are counted (a design that waits on callbacks spends none).
 */
const IDLE_SECONDS = 5;

async function idleProbe(bench: Bench, world: World) {
  const planned = await world.organizer.post("/spot-checks", {
    title: "等待成本",
    templateId: world.templateId,
    candidateUnitIds: [world.units.jiangchong],
    sampleSize: 1,
    inspectorIds: Object.keys(world.inspectors).filter((id) => !id.endsWith("minghu")),
    teamSize: 2,
    window: {
      start: new Date(Date.now() - 60_000).toISOString(),
      end: new Date(Date.now() + 86_400_000).toISOString(),
    },
  });
  expectStatus(planned, [201], "plan");
  const drawn = await world.organizer.post(`/spot-checks/${planned.body.spotCheckId}/draw`);
  expectStatus(drawn, [200], "draw");
  const a = drawn.body.assignments[0] as { assignmentId: string; inspectorIds: string[] };
  const inspector = world.inspectorFor(a);
  expectStatus(
    await inspector.post(`/assignments/${a.assignmentId}/arrival`, { location: { lat: 34.7, lng: 113.7 } }),
    [200],
    "arrival",
  );
  const findings = await inspector.post(`/assignments/${a.assignmentId}/findings`, FINDINGS_3_ISSUES);
  expectStatus(findings, [202], "findings");
  const counters = bench.system.stepFunctions.executionCounters(a.assignmentId);
  const measure = async (waitingFor: string) => {
    await meter.quiet();
    const before = {
      t: counters.stateTransitions + counters.retries,
      i: counters.taskInvocations,
      c: meter.calls,
    };
    await wait(IDLE_SECONDS * 1000);
    return {
      seconds: IDLE_SECONDS,
      waitingFor,
      transitions: counters.stateTransitions + counters.retries - before.t,
      taskInvocations: counters.taskInvocations - before.i,
      dynamoCalls: meter.calls - before.c,
    };
  };
  const idle = [await measure("3 reports (deadline days away)")];
  const unit = await world.unitUser(world.units.jiangchong);
  for (const id of findings.body.rectificationIds as string[])
    expectStatus(await unit.post(`/rectifications/${id}/report`, { description: "已整改" }), [200], "report");
  idle.push(await measure("3 reviews"));
  for (const id of findings.body.rectificationIds as string[])
    expectStatus(
      await inspector.post(`/rectifications/${id}/review`, { decision: "accept", comment: "销号" }),
      [200],
      "review",
    );
  return idle;
}

async function main(outFile: string) {
  const bench = await startBench("workflow");
  const bare = new DynamoDBClient({
    endpoint: bench.system.dynamoEndpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  meter.attribute(async (key) => {
    const out = await bare.send(
      new GetItemCommand({
        TableName: LOCAL_TABLE_NAME,
        Key: { pk: { S: key.pk }, sk: { S: key.sk } },
        ConsistentRead: true,
      }),
    );
    return out.Item as Record<string, Record<string, unknown>> | undefined;
  });
  try {
    const world = await buildWorld(bench.api, "wf");
    const units = [world.units.yatai, world.units.dongjia, world.units.jiangchong];
    const perRun: Record<string, unknown>[] = [];
    for (let i = 0; i < RUNS; i++) {
      await meter.quiet();
      const before = meter.snapshot();
      const relayBefore = relayCounters(bench);
      const opsBefore = new Map([...meter.byOp].map(([k, v]) => [k, { ...v }]));
      const causesBefore = new Map(meter.causes);
      const writesBefore = meter.writes.length;
      const kindsBefore = new Map(meter.causesByKind);
      const run = await wholeInspection(bench, world, units[i % units.length] as string);
      await meter.quiet();
      await meter.attributed();
      const used = meter.since(before);
      const writeCauses: Partial<Record<WriteCause, number>> = {};
      for (const cause of WRITE_CAUSES) {
        const units = (meter.causes.get(cause) ?? 0) - (causesBefore.get(cause) ?? 0);
        if (units > 0) writeCauses[cause] = Math.round(units * 10) / 10;
      }
      const writeCausesByKind: Record<string, number> = {};
      for (const [kind, total] of meter.causesByKind) {
        const units = total - (kindsBefore.get(kind) ?? 0);
        if (units > 0) writeCausesByKind[kind] = Math.round(units * 10) / 10;
      }
      const relay = relayCounters(bench);
      const counters = bench.system.stepFunctions.executionCounters(run.assignmentId);
      const byOp: Record<string, { calls: number; units: number }> = {};
      for (const [op, v] of meter.byOp) {
        const b = opsBefore.get(op) ?? { calls: 0, units: 0 };
        if (v.calls > b.calls) byOp[op] = { calls: v.calls - b.calls, units: v.units - b.units };
      }
      const apiBilledMs = run.requestMs.reduce((t, ms) => t + Math.max(1, Math.ceil(ms)), 0);
      perRun.push({
        closed: run.closed,
        apiRequests: run.requests,
        apiBilledMs,
        taskInvocations: counters.taskInvocations,
        taskBilledMs: counters.taskBilledMs,
        relayInvocations: relay.invocations - relayBefore.invocations,
        relayBilledMs: relay.billedMs - relayBefore.billedMs,
        stateTransitions: counters.stateTransitions,
        retries: counters.retries,
        statesEntered: { ...counters.statesEntered },
        readUnits: used.read,
        writeUnits: used.write,
        writeUnitsAsLocalReports: used.write - used.transactionUnitsAdded,
        dynamoCalls: used.calls,
        failedWrites: used.failedWrites,
        byOp,
        writeCauses,
        writeCausesByKind,
        writes: meter.writes.slice(writesBefore),
      });
      log(
        `inspection ${i + 1}: ${counters.stateTransitions} transitions, ${counters.taskInvocations} tasks, ${used.read} RRU, ${used.write} WRU (DynamoDB Local reported ${used.write - used.transactionUnitsAdded}), ${used.calls} DynamoDB calls, closed=${run.closed}`,
      );
    }
    const m = (key: string) => median(perRun.map((r) => Number(r[key])));
    const middle = [...perRun].sort((a, b) => Number(a.stateTransitions) - Number(b.stateTransitions))[
      Math.floor(perRun.length / 2)
    ] as Record<string, unknown>;
    const apiRequests = m("apiRequests");
    const project = {
      ...price({
        stateTransitions: m("stateTransitions") + m("retries"),
        lambdaInvocations: apiRequests + m("taskInvocations") + m("relayInvocations"),
        lambdaBilledMs: m("apiBilledMs") + m("taskBilledMs") + m("relayBilledMs"),
        readUnits: m("readUnits"),
        writeUnits: m("writeUnits"),
        writeUnitsAsLocalReports: m("writeUnitsAsLocalReports"),
        httpRequests: apiRequests,
      }),
      apiRequests,
      taskInvocations: m("taskInvocations"),
      relayInvocations: m("relayInvocations"),
      retries: m("retries"),
      statesEntered: middle.statesEntered as Record<string, number>,
      dynamoCalls: m("dynamoCalls"),
      failedWrites: m("failedWrites"),
      byOp: middle.byOp as Record<string, { calls: number; units: number }>,
      writeCauses: middle.writeCauses as Partial<Record<WriteCause, number>>,
      writeCausesByKind: middle.writeCausesByKind as Record<string, number>,
      writes: middle.writes as WriteRecord[],
    };
    const floor = {
      ...price({
        stateTransitions: 0,
        lambdaInvocations: apiRequests,
        lambdaBilledMs: apiRequests, // 1 ms each: the least Lambda bills
        readUnits: 0,
        writeUnits: VISIBLE_STATE_CHANGES.length,
        httpRequests: apiRequests,
      }),
      visibleStateChanges: VISIBLE_STATE_CHANGES,
    };
    const result: WorkflowCostResult = {
      runs: RUNS,
      closedRuns: perRun.filter((r) => r.closed === true).length,
      perRun,
      project,
      floor,
      dynamoLocalCountsIndexWrites: await indexWriteProbe(bench.system.dynamoEndpoint),
      idle: await idleProbe(bench, world),
      prices: PRICES,
    };
    writeFileSync(outFile, JSON.stringify(result, null, 2));
  } finally {
    bare.destroy();
    await stopBench(bench);
  }
}

runMain(() => main(process.argv[2] ?? "bench/results/workflow.json"));
