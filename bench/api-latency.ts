import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import autocannon from "autocannon";
import { LOCAL_TABLE_NAME } from "../lib/local/system";
import type { Client } from "../test/support/api";
import {
  addUnits,
  type Bench,
  buildWorld,
  expectStatus,
  FINDINGS_3_ISSUES,
  type LatencyFigure,
  loops,
  type OnSite,
  prepareOnSite,
  runMain,
  startBench,
  stopBench,
  unhandled,
  until,
} from "./drive";
import { meter, type RecordedCall } from "./meter";
import { log } from "./stats";

/**
 * Phase 2, API latency and throughput: autocannon (32 connections) against the local API Gateway,
 * and right after each run the bare DynamoDB Local operations that route performs — recorded from
 * one traced request (the exact low-level requests the handler sent, up to its Step Functions call)
 * and replayed with the SDK, 32 at a time.
 *
 * The change relay's deliveries are held while a write route is timed (see `withWorkflowHeld`); the
 * findings are timed once more with the workflow running alongside, for information.
 *
 * Write routes change state, so every request gets its own fresh target: POST …/findings a distinct
 * on-site assignment, POST …/report a distinct open order (prepared through the API beforehand), and
 * the bare replay a distinct copy of the traced item (its pre-image written under a new id).
 */

const CONNECTIONS = 32;
const WRITE_REQUESTS = Number(process.env.BENCH_WRITE_REQUESTS ?? 480);
const READ_SECONDS = Number(process.env.BENCH_READ_SECONDS ?? 8);
const BASELINE_ASSIGNMENTS = 20;
/** Findings timed once more with the workflow's follow-up running on the same machine. */
const ALONGSIDE_REQUESTS = Number(process.env.BENCH_ALONGSIDE_REQUESTS ?? 160);
const UNITS = 80;

export interface RouteResult {
  readonly route: string;
  readonly api: LatencyFigure;
  readonly bare: LatencyFigure;
  /** The DynamoDB operations of one request, in order, and their units. */
  readonly operations: { op: string; units: number }[];
  readonly note: string;
  /** False for a row shown for information, not held to the API budget. */
  readonly budgeted: boolean;
}

export interface ApiLatencyResult {
  /** Background trouble during the phase: unhandled rejections in the local runtime, waits for quiet that gave up. */
  readonly warnings: { unhandledRejections: number; notQuiet: number };
  readonly connections: number;
  readonly activeOrders: number;
  readonly routes: RouteResult[];
}

type Command = new (input: never) => unknown;
const COMMANDS: Record<string, Command> = {
  GetItem: GetItemCommand,
  Query: QueryCommand,
  BatchGetItem: BatchGetItemCommand,
  BatchWriteItem: BatchWriteItemCommand,
  TransactWriteItems: TransactWriteItemsCommand,
  PutItem: PutItemCommand,
  UpdateItem: UpdateItemCommand,
  DeleteItem: DeleteItemCommand,
};

function bareClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
}

/** Replays recorded calls, with `from` → `to` in every request (ids), and fresh transaction tokens. */
async function replay(client: DynamoDBClient, calls: readonly RecordedCall[], from?: string, to?: string) {
  for (const call of calls) {
    const Ctor = COMMANDS[call.op];
    if (!Ctor) throw new Error(`cannot replay ${call.op}`);
    let text = JSON.stringify(call.body);
    if (from && to) text = text.replaceAll(from, to);
    const input = JSON.parse(text) as Record<string, unknown>;
    if ("ClientRequestToken" in input) input.ClientRequestToken = randomUUID();
    await client.send(new Ctor(input as never) as never);
  }
}

type Req = { method: string; path: string; headers: Record<string, string>; body?: string };

async function cannon(
  url: string,
  options: { requests: Req[] } | { request: Req; seconds: number },
): Promise<LatencyFigure> {
  const queue = "requests" in options ? options.requests : [];
  let i = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    ...("requests" in options ? { amount: queue.length } : { duration: options.seconds }),
    requests: [
      {
        setupRequest: (req) => {
          const r = "request" in options ? options.request : queue[i++ % queue.length];
          return { ...req, ...r } as typeof req;
        },
      },
    ],
  });
  const failures = result.non2xx + result.errors + result.timeouts;
  if (failures > 0)
    log(`WARNING: ${failures} of ${result.requests.total} requests failed (non-2xx, errors, timeouts)`);
  return {
    requests: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    perSecond: result.requests.total / result.duration,
    failures,
  };
}

function json(token: string | undefined, method: string, path: string, body?: unknown): Req {
  return {
    method,
    path,
    headers: {
      authorization: `Bearer ${token ?? ""}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  };
}

async function rawItem(client: DynamoDBClient, pk: string, sk: string) {
  const out = await client.send(
    new GetItemCommand({
      TableName: LOCAL_TABLE_NAME,
      Key: { pk: { S: pk }, sk: { S: sk } },
      ConsistentRead: true,
    }),
  );
  if (!out.Item) throw new Error(`no item ${pk}`);
  return out.Item;
}

/** Writes `count` copies of an item with `id` replaced by `copyId(k)` (not timed). */
async function copies(
  client: DynamoDBClient,
  item: object,
  id: string,
  count: number,
  copyId: (k: number) => string,
) {
  const text = JSON.stringify(item);
  for (let k = 0; k < count; k += 25) {
    const batch = Array.from({ length: Math.min(25, count - k) }, (_, j) => ({
      PutRequest: { Item: JSON.parse(text.replaceAll(id, copyId(k + j))) },
    }));
    let pending: unknown[] = batch;
    while (pending.length > 0) {
      const out = await client.send(
        new BatchWriteItemCommand({ RequestItems: { [LOCAL_TABLE_NAME]: pending as never } }),
      );
      pending = out.UnprocessedItems?.[LOCAL_TABLE_NAME] ?? [];
    }
  }
}

async function trace(
  request: () => Promise<{ status: number; body: unknown }>,
  expected: number,
  what: string,
) {
  await meter.quiet();
  const recording = meter.record(true);
  const res = await request();
  const calls = recording.stop();
  expectStatus(res, [expected], what);
  return calls;
}

/**
 * Times `run` with the change relay's deliveries held: the records wait in the table's stream, and
 * are delivered (and the workflow moves on) once the timed run is over. In the cloud the relay and
 * the workflow tasks run on other machines; on this one they would compete with the API for the
 * same two cores and the same DynamoDB Local, which is a property of the bench, not of the request.
 */
async function withWorkflowHeld<T>(bench: Bench, run: () => Promise<T>): Promise<T> {
  const releases = bench.system.tableStreams.map((s) => s.hold());
  try {
    return await run();
  } finally {
    for (const release of releases) release();
    await workflowCaughtUp(bench);
  }
}

/** Resolves once the change relay has delivered every change and the workflow has gone quiet. */
async function workflowCaughtUp(bench: Bench): Promise<void> {
  await until(() => bench.system.tableStreams.every((s) => s.caughtUp), 300_000);
  await meter.quiet(1000, 300_000);
}

async function readRoute(
  bench: Bench,
  bare: DynamoDBClient,
  route: string,
  client: Client,
  path: string,
): Promise<RouteResult> {
  const calls = await trace(() => client.get(path), 200, route);
  await meter.quiet();
  log(`${route}: autocannon ${CONNECTIONS} connections, ${READ_SECONDS} s`);
  const api = await cannon(bench.system.url, {
    request: json(client.bearer, "GET", path),
    seconds: READ_SECONDS,
  });
  await meter.quiet();
  const bareFigure = await loops(CONNECTIONS, () => replay(bare, calls), { durationMs: READ_SECONDS * 1000 });
  return {
    route,
    api,
    bare: bareFigure,
    operations: calls.map((c) => ({ op: c.op, units: c.units })),
    note: "repeated requests are valid; the same state throughout",
    budgeted: true,
  };
}

async function main(outFile: string) {
  const bench = await startBench("api");
  const bare = bareClient(bench.system.dynamoEndpoint);
  try {
    const world = await buildWorld(bench.api, "api");
    const units = await addUnits(world, UNITS);
    const count = BASELINE_ASSIGNMENTS + WRITE_REQUESTS + ALONGSIDE_REQUESTS + 1;
    log(`preparing ${count} on-site assignments`);
    const onSite = await prepareOnSite(world, units, count);
    const baseline = onSite.slice(0, BASELINE_ASSIGNMENTS);
    const findingsTargets = onSite.slice(BASELINE_ASSIGNMENTS, BASELINE_ASSIGNMENTS + WRITE_REQUESTS);
    const alongsideTargets = onSite.slice(
      BASELINE_ASSIGNMENTS + WRITE_REQUESTS,
      BASELINE_ASSIGNMENTS + WRITE_REQUESTS + ALONGSIDE_REQUESTS,
    );
    const traced = onSite[onSite.length - 1] as OnSite;

    // The state the reads see: open work of BASELINE_ASSIGNMENTS inspections (3 orders each).
    await loops(
      4,
      async (i) => {
        const a = baseline[i] as OnSite;
        const res = await world
          .inspectorFor(a)
          .post(`/assignments/${a.assignmentId}/findings`, FINDINGS_3_ISSUES);
        expectStatus(res, [202], "findings");
      },
      { count: baseline.length },
    );
    const routes: RouteResult[] = [];
    routes.push(await readRoute(bench, bare, "GET /dashboard", world.official, "/dashboard"));
    routes.push(await readRoute(bench, bare, "GET /rectifications", world.official, "/rectifications"));

    // POST /assignments/{id}/findings: one fresh on-site assignment per request.
    {
      const preImage = await rawItem(bare, `ASSIGNMENT#${traced.assignmentId}`, "#ASSIGNMENT");
      const calls = await trace(
        () =>
          world.inspectorFor(traced).post(`/assignments/${traced.assignmentId}/findings`, FINDINGS_3_ISSUES),
        202,
        "findings",
      );
      const copyId = (k: number) => `bare${k}-${traced.assignmentId}`;
      await copies(bare, preImage, traced.assignmentId, WRITE_REQUESTS, copyId);
      await meter.quiet();
      log(`POST …/findings: autocannon ${CONNECTIONS} connections, ${WRITE_REQUESTS} fresh assignments`);
      const findingsOf = (targets: readonly OnSite[]) =>
        targets.map((a) =>
          json(
            world.inspectorFor(a).bearer,
            "POST",
            `/assignments/${a.assignmentId}/findings`,
            FINDINGS_3_ISSUES,
          ),
        );
      const api = await withWorkflowHeld(bench, () =>
        cannon(bench.system.url, { requests: findingsOf(findingsTargets) }),
      );
      log(`POST …/findings: ${ALONGSIDE_REQUESTS} more with the workflow running alongside`);
      const alongside = await cannon(bench.system.url, { requests: findingsOf(alongsideTargets) });
      await workflowCaughtUp(bench);
      const bareFigure = await loops(
        CONNECTIONS,
        (k) => replay(bare, calls, traced.assignmentId, copyId(k)),
        { count: WRITE_REQUESTS },
      );
      routes.push({
        route: "POST /assignments/{id}/findings",
        api,
        bare: bareFigure,
        operations: calls.map((c) => ({ op: c.op, units: c.units })),
        note: `3 issues; each request on its own on-site assignment (${WRITE_REQUESTS} prepared), the bare replay on copies of the traced one; the workflow's follow-up (change relay, tasks) held during the timed run and caught up before the replay`,
        budgeted: true,
      });
      routes.push({
        route: "POST /assignments/{id}/findings, workflow alongside",
        api: alongside,
        bare: bareFigure,
        operations: calls.map((c) => ({ op: c.op, units: c.units })),
        note: `${ALONGSIDE_REQUESTS} more findings with the change relay and the workflow tasks running in the same process against the same DynamoDB Local (about twice the request's own DynamoDB calls again) — the one-machine contention the cloud does not have; for information`,
        budgeted: false,
      });
    }

    // POST /rectifications/{id}/report: one fresh open order per request (the orders just issued).
    {
      await meter.quiet();
      const orders = findingsTargets.map((a) => ({ id: `${a.assignmentId}-1`, unitId: a.unitId }));
      const tracedOrder = `${traced.assignmentId}-2`;
      const preImage = await rawItem(bare, `RECT#${tracedOrder}`, "#RECT");
      const unitTokens = new Map<string, string>();
      for (const unitId of new Set([...orders.map((o) => o.unitId), traced.unitId]))
        unitTokens.set(unitId, (await world.unitUser(unitId)).bearer ?? "");
      const body = { description: "已整改，附照片", evidence: ["照片1"] };
      const unitClient = await world.unitUser(traced.unitId);
      const calls = await trace(
        () => unitClient.post(`/rectifications/${tracedOrder}/report`, body),
        200,
        "report",
      );
      const copyId = (k: number) => `bare${k}-${tracedOrder}`;
      await copies(bare, preImage, tracedOrder, WRITE_REQUESTS, copyId);
      await meter.quiet();
      log(`POST …/report: autocannon ${CONNECTIONS} connections, ${WRITE_REQUESTS} fresh orders`);
      const requests = orders.map((o) =>
        json(unitTokens.get(o.unitId), "POST", `/rectifications/${o.id}/report`, body),
      );
      const api = await withWorkflowHeld(bench, () => cannon(bench.system.url, { requests }));
      const bareFigure = await loops(CONNECTIONS, (k) => replay(bare, calls, tracedOrder, copyId(k)), {
        count: WRITE_REQUESTS,
      });
      routes.push({
        route: "POST /rectifications/{id}/report",
        api,
        bare: bareFigure,
        operations: calls.map((c) => ({ op: c.op, units: c.units })),
        note: `each request on its own open order (${WRITE_REQUESTS} issued by the findings run), the bare replay on copies of the traced one; the workflow's follow-up held during the timed run`,
        budgeted: true,
      });
    }
    const result: ApiLatencyResult = {
      connections: CONNECTIONS,
      activeOrders: BASELINE_ASSIGNMENTS * 3,
      routes,
      warnings: { unhandledRejections: unhandled.length, notQuiet: meter.busyWaits },
    };
    writeFileSync(outFile, JSON.stringify(result, null, 2));
  } finally {
    bare.destroy();
    await stopBench(bench);
  }
}

runMain(() => main(process.argv[2] ?? "bench/results/api.json"));
