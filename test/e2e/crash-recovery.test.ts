import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, type Client, eventually, isoIn } from "../support/api";
import { ServerProcess } from "../support/local";
import { buildWorld, drawOne, type World } from "../support/scenario";

/**
 * `kill -9` of the local server at random points of a scripted inspection: after each restart every
 * request that was answered is still there, and the inspection completes.
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

    // Three kills, after steps chosen at random (seeded, so a failure can be replayed).
    const killAfter = new Set(
      fc.sample(fc.integer({ min: 0, max: steps.length - 1 }), { numRuns: 3, seed: 2026 }),
    );
    const done: Step[] = [];
    let kills = 0;
    for (const [index, step] of steps.entries()) {
      await step.run();
      done.push(step);
      if (killAfter.has(index)) {
        expect(await server.stop("SIGKILL")).toBeNull();
        kills++;
        await server.start();
        for (const previous of done) await previous.check();
      }
    }
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
  }, 180_000);

  it("a SIGKILL while a write is in flight: its retry with the same Idempotency-Key takes effect once, and the inspection closes", async () => {
    const { assignment } = await drawOne(world, { candidateUnitIds: [world.units.jiangchong] });
    const team = world.inspectorFor(assignment);
    const unit = await world.unitUser(assignment.unitId);
    const path = `/assignments/${assignment.assignmentId}`;
    // Kill delays after the request is sent (seeded): before, during or after the commit.
    const delays = fc.sample(fc.integer({ min: 0, max: 60 }), { numRuns: 3, seed: 7 });
    let kill = 0;

    /** Sends the write, kills the server mid-flight, restarts it and retries with the same key. */
    async function writeThroughCrash(client: Client, route: string, body: unknown, key: string) {
      const inFlight = client.post(route, body, { "Idempotency-Key": key }).catch(() => undefined);
      await new Promise((r) => setTimeout(r, delays[kill++ % delays.length]));
      expect(await server.stop("SIGKILL")).toBeNull();
      await inFlight;
      await server.start();
      // 409 idempotency-in-progress until the killed attempt's record expires; then the first
      // response (if it committed and was recorded) or a fresh attempt, or 409 if it committed only.
      return eventually(
        () => client.post(route, body, { "Idempotency-Key": key }),
        (r) => r.status < 500 && !String(r.body?.type ?? "").endsWith("idempotency-in-progress"),
        { timeoutMs: 40_000, intervalMs: 500 },
      );
    }

    expect((await team.post(`${path}/arrival`, { location: { lat: 34.6, lng: 113.8 } })).status).toBe(200);
    const findings = await writeThroughCrash(
      team,
      `${path}/findings`,
      { items: [], issues: [{ description: "灭火器过期", severity: "major", rectifyWithinDays: 5 }] },
      "crash-findings",
    );
    expect([202, 409]).toContain(findings.status);
    const scored = await eventually(
      () => team.get(path),
      (r) => r.body.status === "rectifying",
      { timeoutMs: 30_000 },
    );
    expect(scored.body.rectificationIds).toHaveLength(1);
    const order = scored.body.rectificationIds[0] as string;

    const report = await writeThroughCrash(
      unit,
      `/rectifications/${order}/report`,
      { description: "已更换灭火器" },
      "crash-report",
    );
    expect([200, 409]).toContain(report.status);
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
    const trail = await world.official.get(`/audit/${assignment.assignmentId}`);
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
