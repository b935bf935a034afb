import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, type ApiResponse, type Client, eventually, isoIn } from "../support/api";
import { ServerProcess } from "../support/local";
import { buildWorld, drawOne, type World } from "../support/scenario";

/**
 * `kill -9` of the local server at random points of a scripted inspection: after each restart every
 * request that was answered is still there, and the inspection completes. A second inspection's
 * writes are killed in flight: each retry with the same Idempotency-Key takes effect once.
 *
 * The two inspections share the server's restarts (each start of `npm start` costs about 4 s of CPU
 * and several seconds of wall time): the second one's writes are sent just before two of the first
 * one's kills, which still come after the steps the seed chose.
 */
let server: ServerProcess;
let world: World;

beforeAll(async () => {
  server = await ServerProcess.create("crash");
  await server.start();
  world = await buildWorld(new Api(server.url, server.dataDir), "k");
});

afterAll(async () => {
  await server?.stop("SIGTERM");
});

type Step = { name: string; run: () => Promise<void>; check: () => Promise<void> };

/** A write of the second inspection, sent just before a kill. */
type InFlightWrite = {
  readonly client: Client;
  /** Whatever must happen before the write is sent; then the write's route and body. */
  readonly prepare: () => Promise<{ route: string; body: unknown }>;
  readonly key: string;
  /** The answer to its retry (after the restart) with the same key. */
  answer?: ApiResponse;
};

// The second inspection: set up in the first test (whose kills its writes ride on), finished in the second.
let secondAssignmentId = "";
let secondOrder = "";
let secondTeam: Client | undefined;
let secondUnit: Client | undefined;
let secondWrites: InFlightWrite[] = [];
// Kill delays after the write is sent (seeded): before, during or after the commit.
const delays = fc.sample(fc.integer({ min: 0, max: 60 }), { numRuns: 3, seed: 7 });

describe("SIGKILL at random points", () => {
  it("loses no accepted request and the inspection still closes", async () => {
    const { assignment } = await drawOne(world, { candidateUnitIds: [world.units.yatai] });
    const team = world.inspectorFor(assignment);
    const unit = await world.unitUser(assignment.unitId);
    const path = `/assignments/${assignment.assignmentId}`;
    let orders: string[] = [];
    const accepted = async (res: Promise<{ status: number }>, ok: number) =>
      expect((await res).status).toBe(ok);
    const statusOf = async (c: Client, p: string) => (await c.get(p)).body.status;

    // The second inspection, on site: its findings and then its report are the writes killed in flight.
    const other = await drawOne(world, { candidateUnitIds: [world.units.jiangchong] });
    const otherTeam = world.inspectorFor(other.assignment);
    const otherUnit = await world.unitUser(other.assignment.unitId);
    const otherPath = `/assignments/${other.assignment.assignmentId}`;
    secondAssignmentId = other.assignment.assignmentId;
    secondTeam = otherTeam;
    secondUnit = otherUnit;
    expect(
      (await otherTeam.post(`${otherPath}/arrival`, { location: { lat: 34.6, lng: 113.8 } })).status,
    ).toBe(200);
    secondWrites = [
      {
        client: otherTeam,
        prepare: async () => ({
          route: `${otherPath}/findings`,
          body: {
            items: [],
            issues: [{ description: "灭火器过期", severity: "major", rectifyWithinDays: 5 }],
          },
        }),
        key: "crash-findings",
      },
      {
        client: otherUnit,
        prepare: async () => {
          const scored = await eventually(
            () => otherTeam.get(otherPath),
            (r) => r.body.status === "rectifying",
            { timeoutMs: 30_000 },
          );
          expect(scored.body.rectificationIds).toHaveLength(1);
          secondOrder = scored.body.rectificationIds[0];
          return { route: `/rectifications/${secondOrder}/report`, body: { description: "已更换灭火器" } };
        },
        key: "crash-report",
      },
    ];

    const steps: Step[] = [
      {
        name: "arrival",
        run: () => accepted(team.post(`${path}/arrival`, { location: { lat: 34.7, lng: 113.7 } }), 200),
        check: async () => expect((await team.get(path)).body.arrival).toBeDefined(),
      },
      {
        name: "findings",
        run: async () => {
          const res = await team.post(`${path}/findings`, {
            items: [{ code: "A2", deduction: 3 }],
            issues: [
              { description: "消杀记录不详", severity: "major", rectifyWithinDays: 3 },
              { description: "员工健康档案不全", severity: "minor", deadline: isoIn(3000) },
            ],
          });
          expect(res.status).toBe(202);
          orders = res.body.rectificationIds;
        },
        check: async () => expect((await team.get(path)).body.score).toMatchObject({ points: 97 }),
      },
      ...[0, 1].flatMap((i): Step[] => [
        {
          name: `report ${i + 1}`,
          run: () =>
            accepted(unit.post(`/rectifications/${orders[i]}/report`, { description: "已整改到位" }), 200),
          check: async () =>
            expect((await unit.get(`/rectifications/${orders[i]}`)).body.report).toBeDefined(),
        },
        {
          name: `review ${i + 1}`,
          run: async () => {
            await eventually(
              () =>
                team.post(`/rectifications/${orders[i]}/review`, {
                  decision: "accept",
                  comment: "回头看通过",
                }),
              (r) => r.status === 200,
              { timeoutMs: 30_000 },
            );
          },
          check: async () => expect(await statusOf(unit, `/rectifications/${orders[i]}`)).toBe("closed"),
        },
      ]),
    ];

    /**
     * SIGKILL and `npm start` again. With a write, the write is sent first and the kill comes a
     * seeded few ms later; resolves then to its retry with the same key, which waits out the 409
     * idempotency-in-progress of the killed attempt (until its record expires) and gets the first
     * response (if it committed and was recorded) or a fresh attempt, or 409 if it committed only.
     */
    let writesSent = 0;
    const crash = async (write?: InFlightWrite): Promise<(() => Promise<void>) | undefined> => {
      let inFlight: Promise<unknown> | undefined;
      let retry: (() => Promise<void>) | undefined;
      if (write) {
        const { route, body } = await write.prepare();
        const headers = { "Idempotency-Key": write.key };
        inFlight = write.client.post(route, body, headers).catch(() => undefined);
        await new Promise((r) => setTimeout(r, delays[writesSent++ % delays.length]));
        retry = async () => {
          write.answer = await eventually(
            () => write.client.post(route, body, headers),
            (r) => r.status < 500 && !String(r.body?.type ?? "").endsWith("idempotency-in-progress"),
            { timeoutMs: 40_000, intervalMs: 200 },
          );
        };
      }
      expect(await server.stop("SIGKILL")).toBeNull();
      await inFlight;
      await server.start();
      return retry;
    };

    // Three kills, after steps chosen at random (seeded, so a failure can be replayed).
    const killAfter = new Set(
      fc.sample(fc.integer({ min: 0, max: steps.length - 1 }), { numRuns: 3, seed: 2026 }),
    );
    const done: Step[] = [];
    const pending = [...secondWrites];
    let kills = 0;
    for (const [index, step] of steps.entries()) {
      await step.run();
      done.push(step);
      if (killAfter.has(index)) {
        const retry = await crash(pending.shift());
        kills++;
        // Each check reads what one step wrote, and the retry of the write killed in flight: all at once.
        await Promise.all([...done.map((previous) => previous.check()), retry?.()]);
      }
    }
    // Had the seed chosen fewer kills than the second inspection has writes: each its own kill.
    for (const write of pending) await (await crash(write))?.();
    await eventually(
      () => world.official.get(path),
      (r) => r.body.status === "closed",
      { timeoutMs: 30_000 },
    );
    const trail = await world.official.get(`/audit/${assignment.assignmentId}`);
    expect(trail.body.chain).toEqual({ verified: true });
    expect(kills).toBe(killAfter.size);
    console.log(
      `crash recovery: ${kills} SIGKILLs after steps ${[...killAfter].map((i) => steps[i]?.name).join(", ")}; nothing lost`,
    );
  }, 240_000);

  it("a SIGKILL while a write is in flight: its retry with the same Idempotency-Key takes effect once, and the inspection closes", async () => {
    const [findings, report] = secondWrites;
    if (!secondTeam || !secondUnit || !findings?.answer || !report?.answer)
      throw new Error("the first test stopped before the second inspection's writes were killed in flight");
    const team = secondTeam;
    const unit = secondUnit;
    const path = `/assignments/${secondAssignmentId}`;
    expect([202, 409]).toContain(findings.answer.status);
    expect([200, 409]).toContain(report.answer.status);
    expect((await team.get(path)).body.rectificationIds).toEqual([secondOrder]);
    const order = secondOrder;
    expect((await unit.get(`/rectifications/${order}`)).body.status).toBe("submitted");
    await eventually(
      () => team.post(`/rectifications/${order}/review`, { decision: "accept", comment: "回头看通过" }),
      (r) => r.status === 200,
      { timeoutMs: 30_000 },
    );
    await eventually(
      () => world.official.get(path),
      (r) => r.body.status === "closed",
      { timeoutMs: 30_000 },
    );
    // Each write happened exactly once, whatever the moment of the kill.
    const trail = await world.official.get(`/audit/${secondAssignmentId}`);
    expect(trail.body.chain).toEqual({ verified: true });
    const actions = trail.body.items.map((e: { action: string }) => e.action);
    expect(actions.filter((a: string) => a === "findings_submitted")).toHaveLength(1);
    const orderTrail = await world.official.get(`/audit/${order}`);
    expect(orderTrail.body.items.filter((e: { action: string }) => e.action === "reported")).toHaveLength(1);
    console.log(
      `crash recovery: SIGKILLs ${delays.slice(0, 2).join(" ms, ")} ms into findings and a report; each took effect once`,
    );
  }, 180_000);
});
