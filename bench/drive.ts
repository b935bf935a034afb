import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { STATE_NAMES } from "../lambdas/workflow/contract";
import { type LocalSystem, startLocalSystem } from "../lib/local/system";
import { Api, type ApiResponse, type Client, isoIn } from "../test/support/api";
import { buildWorld, type World } from "../test/support/scenario";
import { meter, workflowScope } from "./meter";
import { log, percentile } from "./stats";

/**
 * The local system in this process with the capacity meter on the handlers' DynamoDB client, and
 * the inspection the cost model prices, driven through the public API.
 */
export interface Bench {
  readonly system: LocalSystem;
  readonly api: Api;
}

/**
 * Unhandled rejections raised inside the local runtime (they would end the process and the run);
 * counted and reported instead.
 */
export const unhandled: string[] = [];

export async function startBench(label: string): Promise<Bench> {
  process.on("unhandledRejection", (reason) => {
    const text = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
    if (unhandled.length === 0) log(`WARNING: unhandled rejection in the local runtime: ${text}`);
    unhandled.push(text);
  });
  const dataDir = mkdtempSync(join(tmpdir(), `spot-bench-${label}-`));
  const system = await startLocalSystem({ port: 0, dataDir, inMemory: true });
  // The handlers' clients exist now (the local system imported every handler); same module instance.
  const aws = await import("../lambdas/shared/aws");
  const sfn = await import("../lambdas/shared/sfn");
  meter.attach(aws.documentClient);
  meter.attachStepFunctions(sfn.sfnClient);
  // Mark the workflow's task invocations, so the meter can tell the workflow's calls from the API's.
  const engine = system.stepFunctions as unknown as {
    invoke: (arn: string, payload: unknown) => Promise<unknown>;
  };
  const invoke = engine.invoke;
  engine.invoke = (arn, payload) => workflowScope.run(true, () => invoke(arn, payload));
  // The change relay is part of the workflow too (it resumes and starts executions).
  for (const stream of system.tableStreams) {
    const deliver = stream.invoke;
    stream.invoke = (event) => workflowScope.run(true, () => deliver(event));
  }
  return { system, api: new Api(system.url, dataDir) };
}

/** Stops the local system, bounded (executions looping in the background must not hold the run). */
export async function stopBench(bench: Bench): Promise<void> {
  await Promise.race([bench.system.stop(), wait(20_000)]);
}

/**
 * Runs a phase's main and ends the process: retrying workflow tasks and timers of the local runtime
 * would otherwise keep it alive after the results are written.
 */
export function runMain(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

export function expectStatus(res: { status: number; body: unknown }, expected: number[], what: string) {
  if (!expected.includes(res.status)) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
}

export async function wait(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/** Polls until `accept` holds (no timed assertion: a bound so that a lost inspection cannot hang the run). */
export async function until(probe: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<boolean> {
  const started = Date.now();
  while (!(await probe())) {
    if (Date.now() - started > timeoutMs) return false;
    await wait(50);
  }
  return true;
}

/** Extra leaf units (communities without a location) under the world's 九龙办事处, for draws of many targets. */
export async function addUnits(world: World, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `${world.prefix}-c${String(i).padStart(4, "0")}`);
  for (const id of ids) {
    const res = await world.admin.put(`/units/${id}`, {
      name: `社区${id.slice(-4)}`,
      parentId: world.units.jiulong,
      kind: "community",
    });
    expectStatus(res, [200, 201], `PUT unit ${id}`);
  }
  return ids;
}

export const FINDINGS_3_ISSUES = {
  items: [
    { code: "A1", deduction: 5, note: "健康档案不全" },
    { code: "A2", deduction: 8, note: "消杀记录缺失" },
    { code: "A4", deduction: 4 },
  ],
  issues: [
    { itemCode: "A1", description: "员工健康档案不全，限期补齐", severity: "minor", rectifyWithinDays: 3 },
    { itemCode: "A2", description: "消杀记录缺失，立即整改", severity: "major", rectifyWithinDays: 1 },
    { itemCode: "A4", description: "来访登记不规范", severity: "minor", rectifyWithinDays: 5 },
  ],
};

export interface InspectionRun {
  readonly spotCheckId: string;
  readonly assignmentId: string;
  /** API requests made (each is one HTTP API request and one Lambda invocation). */
  readonly requests: number;
  /** Client-side latency of each request, ms (an upper bound of the handler's duration). */
  readonly requestMs: number[];
}

/** Server-side failures the driver retried (a 5xx or a 409 "still in progress"), by step. */
export const retried: Record<string, number> = {};

/**
 * Every answer the careful client got (each attempt counts): the shed ones (429 and 503, with and
 * without `Retry-After`), the function timeouts (the gateway's 500 `function-timeout`, as Lambda's
 * timeout answers behind API Gateway), other 5xx, and answers that took longer than a route's 10 s.
 */
export const answers = {
  requests: 0,
  shed429: 0,
  shed429WithoutRetryAfter: 0,
  shed503: 0,
  shed503WithoutRetryAfter: 0,
  timeouts: 0,
  otherServerErrors: 0,
  over10s: 0,
};

/** Requests the careful client sent again after being shed (429: it never ran), by step. */
export const shedRetries: Record<string, number> = {};

/** One request, counted in {@link answers}; a 429/503 is sent again after its Retry-After (bounded). */
async function send(
  step: string,
  call: () => Promise<Response>,
): Promise<ApiResponse & { retryAfterMs?: number }> {
  for (let shed = 0; ; shed++) {
    const started = performance.now();
    const res = await call();
    const text = await res.text();
    answers.requests++;
    if (performance.now() - started > 10_000) answers.over10s++;
    let body: ApiResponse["body"] = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // keep the text
    }
    const retryAfter = res.headers.get("retry-after");
    const told = retryAfter !== null && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : undefined;
    if (res.status === 429 || res.status === 503) {
      if (res.status === 429) answers.shed429++;
      else answers.shed503++;
      if (retryAfter === null) {
        if (res.status === 429) answers.shed429WithoutRetryAfter++;
        else answers.shed503WithoutRetryAfter++;
      }
      if (res.status === 429 && shed < 60) {
        // Shed before it ran: nothing happened; ask again when told (with jitter), or back off.
        shedRetries[step] = (shedRetries[step] ?? 0) + 1;
        await wait(told !== undefined ? told * (1 + 0.25 * Math.random()) : Math.random() * 2000);
        continue;
      }
    } else if (res.status === 500 && String(body?.type ?? "").endsWith(":function-timeout"))
      answers.timeouts++;
    else if (res.status >= 500) answers.otherServerErrors++;
    return {
      status: res.status,
      body,
      contentType: res.headers.get("content-type") ?? "",
      ...(told !== undefined ? { retryAfterMs: told * (1 + 0.25 * Math.random()) } : {}),
    };
  }
}

function request(
  client: Client,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  return () =>
    fetch(`${client.baseUrl}${path}`, {
      method,
      headers: {
        ...(client.bearer ? { authorization: `Bearer ${client.bearer}` } : {}),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
}

/** A read as the careful client sends it (counted; a shed read is sent again after Retry-After). */
export function read(client: Client, step: string, path: string): Promise<ApiResponse> {
  return send(step, request(client, "GET", path));
}

/**
 * A write as a careful client sends it: with an `Idempotency-Key`; sent again after `Retry-After`
 * when shed (429: it never ran); retried on a 5xx (a 503 whose dependency was busy, a handler past its
 * timeout) and while the first attempt is still in progress; a 409 after a failed attempt means the
 * first attempt took effect, and `recover` reads the outcome.
 */
async function write(
  client: Client,
  step: string,
  path: string,
  body: unknown,
  ok: number,
  recover?: () => Promise<unknown>,
): Promise<ApiResponse> {
  const headers = { "idempotency-key": randomUUID() };
  let failedBefore = false;
  for (let attempt = 0; ; attempt++) {
    const res = await send(step, request(client, "POST", path, body, headers));
    if (res.status === ok) return res;
    const inProgress = res.status === 409 && String(res.body?.type ?? "").endsWith("idempotency-in-progress");
    if (res.status === 409 && failedBefore && !inProgress && recover)
      return { status: ok, body: await recover(), contentType: "application/json" };
    if (!(res.status >= 500 || inProgress) || attempt >= 8)
      throw new Error(`${step}: ${res.status} ${JSON.stringify(res.body)}`);
    failedBefore = true;
    retried[step] = (retried[step] ?? 0) + 1;
    await wait(res.retryAfterMs ?? 500 * (attempt + 1));
  }
}

/**
 * "One whole inspection": plan, draw (one target), arrival, findings with 3 issues, the unit's
 * reports, the reviews — the first order rejected once, reported again and accepted — ending closed.
 * Returns when the execution has finished (or the bound passed: then `closed` is false).
 */
export async function wholeInspection(
  bench: Bench,
  world: World,
  unitId: string,
  boundMs = 120_000,
): Promise<InspectionRun & { closed: boolean }> {
  const requestMs: number[] = [];
  const timed = async <T>(call: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await call();
    } finally {
      requestMs.push(performance.now() - started);
    }
  };
  const planned = await timed(() =>
    write(
      world.organizer,
      "plan",
      "/spot-checks",
      {
        title: "经开区重点场所四不两直督查",
        templateId: world.templateId,
        candidateUnitIds: [unitId],
        sampleSize: 1,
        inspectorIds: Object.keys(world.inspectors).filter((id) => !id.endsWith("minghu")),
        teamSize: 2,
        window: { start: isoIn(-60_000), end: isoIn(24 * 3600_000) },
      },
      201,
    ),
  );
  const spotCheckId = planned.body.spotCheckId as string;
  const drawn = await timed(() =>
    write(
      world.organizer,
      "draw",
      `/spot-checks/${spotCheckId}/draw`,
      {},
      200,
      async () => (await read(world.organizer, "read", `/spot-checks/${spotCheckId}`)).body,
    ),
  );
  const assignment = drawn.body.assignments[0] as { assignmentId: string; inspectorIds: string[] };
  const inspector = world.inspectorFor(assignment);
  const unit = await world.unitUser(unitId);
  const id = assignment.assignmentId;
  const current = async () => (await read(world.official, "read", `/assignments/${id}`)).body;
  // People act after the workflow waits for them (a report comes hours after the findings, not
  // milliseconds): each step waits until the execution has entered the wait for it `times` times.
  // Racing ahead of the workflow would bill the detours of a step that moved on while unobserved.
  const sfn = bench.system.stepFunctions;
  const waiting = async (state: (typeof STATE_NAMES)[keyof typeof STATE_NAMES], times: number) => {
    const reached = await until(
      () => (sfn.executionCounters(id).statesEntered[state] ?? 0) >= times,
      boundMs,
    );
    if (!reached) throw new Error(`${id}: the workflow did not reach ${state} ×${times}`);
  };

  await timed(() =>
    write(
      inspector,
      "arrival",
      `/assignments/${id}/arrival`,
      { location: { lat: 34.7, lng: 113.7 } },
      200,
      current,
    ),
  );
  await waiting("AwaitFindings", 1);
  const findings = await timed(() =>
    write(inspector, "findings", `/assignments/${id}/findings`, FINDINGS_3_ISSUES, 202, current),
  );
  const orders = findings.body.rectificationIds as string[];
  const report = (client: Client, order: string, text: string) =>
    timed(() =>
      write(
        client,
        "report",
        `/rectifications/${order}/report`,
        { description: text, evidence: ["照片1"] },
        200,
        async () => ({}),
      ),
    );
  const review = (order: string, body: Record<string, unknown>) =>
    timed(() => write(inspector, "review", `/rectifications/${order}/review`, body, 200, async () => ({})));

  await waiting("AwaitReport", orders.length);
  for (const order of orders) await report(unit, order, "已整改，附照片");
  const [first, ...rest] = orders;
  if (!first) throw new Error("findings made no orders");
  await waiting("AwaitReview", orders.length);
  await review(first, {
    decision: "reject",
    comment: "回头看：整改不到位",
    deadline: isoIn(2 * 24 * 3600_000),
  });
  for (const order of rest) await review(order, { decision: "accept", comment: "整改到位，销号" });
  await waiting("AwaitReport", orders.length + 1);
  await report(unit, first, "已重新整改");
  await waiting("AwaitReview", orders.length + 1);
  await review(first, { decision: "accept", comment: "复查到位，销号" });

  const arn = `${sfn.stateMachineArn.replace(":stateMachine:", ":execution:")}:${id}`;
  const closed = await until(() => {
    try {
      return sfn.describeExecution(arn).status !== "RUNNING";
    } catch {
      return false;
    }
  }, boundMs);
  const succeeded = closed && sfn.describeExecution(arn).status === "SUCCEEDED";
  return { spotCheckId, assignmentId: id, requests: requestMs.length, requestMs, closed: succeeded };
}

export interface LatencyFigure {
  readonly requests: number;
  readonly p50: number;
  readonly p99: number;
  readonly perSecond: number;
  readonly failures: number;
}

/** `jobs` run `concurrency` at a time, each timed; or, with `durationMs`, loops of `job(i)` until it passes. */
export async function loops(
  concurrency: number,
  job: (i: number) => Promise<void>,
  limit: { count: number } | { durationMs: number },
): Promise<LatencyFigure> {
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const started = performance.now();
  const deadline = "durationMs" in limit ? started + limit.durationMs : Number.POSITIVE_INFINITY;
  const more = () => ("count" in limit ? next < limit.count : performance.now() < deadline);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (more()) {
        const i = next++;
        const t = performance.now();
        try {
          await job(i);
          latencies.push(performance.now() - t);
        } catch (error) {
          failures++;
          if (failures === 1)
            log(`bare operation failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    requests: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    perSecond: latencies.length / seconds,
    failures,
  };
}

const DRAW_SIZE = 16;

export interface OnSite {
  readonly assignmentId: string;
  readonly unitId: string;
  readonly inspectorIds: string[];
}

/**
 * Draws `count` assignments over the units, DRAW_SIZE per spot check (a draw starts its executions one
 * by one within the draw function's 10 s; locally they share the process), and records every arrival.
 */
export async function prepareOnSite(world: World, units: string[], count: number): Promise<OnSite[]> {
  const drawn: OnSite[] = [];
  while (drawn.length < count) {
    const size = Math.min(DRAW_SIZE, count - drawn.length);
    const planned = await world.organizer.post("/spot-checks", {
      title: "压测督查",
      templateId: world.templateId,
      candidateUnitIds: units,
      sampleSize: size,
      inspectorIds: Object.keys(world.inspectors).filter((id) => !id.endsWith("minghu")),
      teamSize: 2,
      window: { start: isoIn(-60_000), end: isoIn(24 * 3600_000) },
    });
    expectStatus(planned, [201], "plan");
    const draw = await world.organizer.post(`/spot-checks/${planned.body.spotCheckId}/draw`);
    expectStatus(draw, [200], "draw");
    drawn.push(...(draw.body.assignments as OnSite[]));
  }
  await loops(
    8,
    async (i) => {
      const a = drawn[i] as OnSite;
      const res = await world
        .inspectorFor(a)
        .post(`/assignments/${a.assignmentId}/arrival`, { location: { lat: 34.7, lng: 113.7 } });
      expectStatus(res, [200], "arrival");
    },
    { count: drawn.length },
  );
  return drawn;
}

export type { World };
export { buildWorld, isoIn };
