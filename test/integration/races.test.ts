import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalSystem } from "../../lib/local/system";
import { Api, type Client, eventually, isoIn } from "../support/api";
import { tempDataDir } from "../support/local";
import { buildWorld, drawOne, spotCheckBody, type World } from "../support/scenario";
import { startTestSystem } from "../support/system";

/**
 * Idempotency and races: a replayed Idempotency-Key has no second effect, and N concurrent
 * conflicting writes leave exactly one winner, the rest 409, with no lost update.
 */
const N = 8;
let system: LocalSystem;
let world: World;

beforeAll(async () => {
  const dataDir = tempDataDir("races");
  system = await startTestSystem({ dataDir });
  world = await buildWorld(new Api(system.url, dataDir), "r");
});

afterAll(async () => {
  await system?.stop();
});

const statuses = (responses: { status: number }[]) => responses.map((r) => r.status).sort();

async function onSiteWithOrder(world: World) {
  const { assignment, spotCheckId } = await drawOne(world, { candidateUnitIds: [world.units.yatai] });
  const team = world.inspectorFor(assignment);
  await team.post(`/assignments/${assignment.assignmentId}/arrival`, { location: { lat: 34.7, lng: 113.7 } });
  return { assignment, spotCheckId, team };
}

describe("concurrent conflicting writes", () => {
  it(`${N} concurrent draws of one spot check: one 200, the rest 409, one set of assignments`, async () => {
    const planned = await world.organizer.post("/spot-checks", spotCheckBody(world, { sampleSize: 2 }));
    const id = planned.body.spotCheckId;
    const results = await Promise.all(
      Array.from({ length: N }, () => world.organizer.post(`/spot-checks/${id}/draw`)),
    );
    expect(statuses(results)).toEqual([200, ...Array(N - 1).fill(409)]);
    const winner = results.find((r) => r.status === 200);
    const read = await world.official.get(`/spot-checks/${id}`);
    expect(read.body.assignments.map((a: { assignmentId: string }) => a.assignmentId).sort()).toEqual(
      winner?.body.assignments.map((a: { assignmentId: string }) => a.assignmentId).sort(),
    );
  });

  it(`${N} concurrent arrivals by the team: one 200, the rest 409`, async () => {
    const { assignment } = await drawOne(world, { candidateUnitIds: [world.units.dongjia] });
    const team = world.inspectorFor(assignment);
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        team.post(`/assignments/${assignment.assignmentId}/arrival`, {
          location: { lat: 34.68 + i / 1000, lng: 113.75 },
        }),
      ),
    );
    expect(statuses(results)).toEqual([200, ...Array(N - 1).fill(409)]);
    const winner = results.find((r) => r.status === 200);
    const stored = await team.get(`/assignments/${assignment.assignmentId}`);
    expect(stored.body.arrival).toEqual(expect.objectContaining(winner?.body.arrival));
  });

  it(`${N} concurrent findings: one 202, the rest 409, and exactly one set of orders`, async () => {
    const { assignment, team } = await onSiteWithOrder(world);
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        team.post(`/assignments/${assignment.assignmentId}/findings`, {
          items: [{ code: "A1", deduction: i }],
          issues: [{ description: `问题${i}`, severity: "minor" }],
        }),
      ),
    );
    expect(statuses(results)).toEqual([202, ...Array(N - 1).fill(409)]);
    const winner = results.find((r) => r.status === 202);
    const orders = await team.get("/rectifications?limit=200");
    const mine = orders.body.items.filter(
      (o: { assignmentId: string }) => o.assignmentId === assignment.assignmentId,
    );
    expect(mine).toHaveLength(1);
    expect(mine[0].rectificationId).toBe(winner?.body.rectificationIds[0]);
  });

  it(`${N} concurrent reports, then ${N} concurrent reviews of one order: one winner each, history not lost`, async () => {
    const { assignment, team } = await onSiteWithOrder(world);
    const findings = await team.post(`/assignments/${assignment.assignmentId}/findings`, {
      items: [],
      issues: [{ description: "消杀记录不详", severity: "major" }],
    });
    const id = findings.body.rectificationIds[0] as string;
    const unit = await world.unitUser(assignment.unitId);
    const reports = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        unit.post(`/rectifications/${id}/report`, { description: `整改报告${i}` }),
      ),
    );
    expect(statuses(reports)).toEqual([200, ...Array(N - 1).fill(409)]);
    const reviewers: Client[] = [team, world.organizer, world.admin];
    const reviews = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        (reviewers[i % reviewers.length] as Client).post(`/rectifications/${id}/review`, {
          decision: "accept",
          comment: `销号${i}`,
        }),
      ),
    );
    expect(statuses(reviews)).toEqual([200, ...Array(N - 1).fill(409)]);
    const order = await unit.get(`/rectifications/${id}`);
    expect(order.body.history.map((h: { action: string }) => h.action)).toEqual([
      "issued",
      "reported",
      "accepted",
    ]);
    const dashboard = await world.official.get("/dashboard");
    expect(dashboard.body.rectifications.closed).toBeGreaterThanOrEqual(1);
  });
});

describe("Idempotency-Key", () => {
  it("a replayed plan returns the first response and creates one spot check; another body with the key is refused", async () => {
    const key = { "idempotency-key": "plan-2026-11-23-jk" };
    const body = spotCheckBody(world);
    const first = await world.organizer.post("/spot-checks", body, key);
    const replays = await Promise.all(
      Array.from({ length: 3 }, () => world.organizer.post("/spot-checks", body, key)),
    );
    expect(first.status).toBe(201);
    for (const r of replays) expect(r.body.spotCheckId).toBe(first.body.spotCheckId);
    const other = await world.organizer.post("/spot-checks", { ...body, title: "另一个" }, key);
    expect(other.status).toBe(422);
    const sameKeyOtherUser = await world.admin.post("/spot-checks", body, key);
    expect(sameKeyOtherUser.status).toBe(201);
    expect(sameKeyOtherUser.body.spotCheckId).not.toBe(first.body.spotCheckId);
  });

  it("a replayed report after the order moved on still returns the first response, with no second effect", async () => {
    const { assignment, team } = await onSiteWithOrder(world);
    const findings = await team.post(`/assignments/${assignment.assignmentId}/findings`, {
      items: [],
      issues: [{ description: "登记缺失", severity: "minor", deadline: isoIn(86400_000) }],
    });
    const id = findings.body.rectificationIds[0] as string;
    const unit = await world.unitUser(assignment.unitId);
    const key = { "idempotency-key": `report-${id}` };
    const first = await unit.post(`/rectifications/${id}/report`, { description: "已补登记" }, key);
    await eventually(
      () => team.post(`/rectifications/${id}/review`, { decision: "accept", comment: "销号" }),
      (r) => r.status === 200,
    );
    const replay = await unit.post(`/rectifications/${id}/report`, { description: "已补登记" }, key);
    expect(replay).toEqual(first);
    const order = await unit.get(`/rectifications/${id}`);
    expect(order.body.history.filter((h: { action: string }) => h.action === "reported")).toHaveLength(1);
  });
});
