import { describe, expect, it } from "vitest";
import { type Client, expectProblem } from "../support/api";
import { spotCheckBody } from "../support/scenario";
import { useLocalWorld } from "../support/system";

/**
 * Checklist versions (API.md v2: `POST /templates/{templateId}/versions`) through the local gateway:
 * the next version, never changed once written, one number per publication even when several race,
 * idempotent; spot checks keep the version they were planned with, and score against it; the
 * bulletin ranks by exact points.
 */
const local = useLocalWorld("templates", "t");

const V1_ITEMS = [
  { code: "P1", title: "员工健康动态管理档案", maxPoints: 100 },
  { code: "P2", title: "消杀记录本", maxPoints: 100 },
];
const V2_ITEMS = [{ code: "Q1", title: "防汛沙袋与救援车辆", maxPoints: 50, critical: true }];

async function newTemplate(name = "重点场所检查细则"): Promise<string> {
  const res = await local.world.organizer.post("/templates", { name, items: V1_ITEMS });
  expect(res.status).toBe(201);
  expect(res.body.version).toBe(1);
  return res.body.templateId as string;
}

describe("POST /templates/{templateId}/versions", () => {
  it("publishes the next version; GET answers the latest, ?version= any earlier one, unchanged", async () => {
    const templateId = await newTemplate();
    const v1 = await local.world.organizer.get(`/templates/${templateId}`);

    const v2 = await local.world.organizer.post(`/templates/${templateId}/versions`, { items: V2_ITEMS });
    expect(v2.status).toBe(201);
    expect(v2.body).toMatchObject({
      templateId,
      version: 2,
      name: "重点场所检查细则", // the latest version's name and grades when none are given
      items: [{ code: "Q1", title: "防汛沙袋与救援车辆", maxPoints: 50, critical: true }],
      grades: v1.body.grades,
      maxPoints: 50,
    });

    const v3 = await local.world.admin.post(`/templates/${templateId}/versions`, {
      name: "防汛检查细则（2026年修订）",
      items: V1_ITEMS,
      grades: [
        { name: "不达标", minPercent: 0 },
        { name: "达标", minPercent: 80 },
      ],
    });
    expect(v3.status).toBe(201);
    expect(v3.body).toMatchObject({
      version: 3,
      name: "防汛检查细则（2026年修订）",
      grades: [
        { name: "达标", minPercent: 80 },
        { name: "不达标", minPercent: 0 },
      ],
    });

    expect((await local.world.official.get(`/templates/${templateId}`)).body).toEqual(v3.body);
    expect((await local.world.official.get(`/templates/${templateId}?version=1`)).body).toEqual(v1.body);
    expect((await local.world.official.get(`/templates/${templateId}?version=2`)).body).toEqual(v2.body);
    expectProblem(await local.world.official.get(`/templates/${templateId}?version=4`), 404);
  });

  it("the audit trail records each publication", async () => {
    const templateId = await newTemplate();
    await local.world.organizer.post(`/templates/${templateId}/versions`, { items: V2_ITEMS });
    const audit = await local.world.official.get(`/audit/${templateId}`);
    expect(audit.status).toBe(200);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual([
      "template_created",
      "template_version_published",
    ]);
  });

  it("concurrent publications each get their own version, none lost or doubled (conditional write, retried)", async () => {
    const templateId = await newTemplate();
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        local.world.organizer.post(`/templates/${templateId}/versions`, {
          name: `并发版本 ${i}`,
          items: V2_ITEMS,
        }),
      ),
    );
    // The loser of a round builds on the version that won it, so every publication lands.
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    const versions = results.map((r) => r.body.version as number).sort((a, b) => a - b);
    expect(versions).toEqual([2, 3, 4, 5]);
    // Every version is stored with the body of the request it answered.
    for (const r of results) {
      const stored = await local.world.official.get(`/templates/${templateId}?version=${r.body.version}`);
      expect(stored.body).toEqual(r.body);
    }
    expect((await local.world.official.get(`/templates/${templateId}`)).body.version).toBe(5);
  });

  it("a replayed Idempotency-Key returns the first version and publishes no second one", async () => {
    const templateId = await newTemplate();
    const key = { "idempotency-key": `publish-${templateId}` };
    const body = { items: V2_ITEMS };
    const first = await local.world.organizer.post(`/templates/${templateId}/versions`, body, key);
    const again = await local.world.organizer.post(`/templates/${templateId}/versions`, body, key);
    expect(first.status).toBe(201);
    expect(again).toEqual(first);
    expect((await local.world.organizer.get(`/templates/${templateId}`)).body.version).toBe(2);
    expectProblem(
      await local.world.organizer.post(`/templates/${templateId}/versions`, { items: V1_ITEMS }, key),
      422,
    );
    const other = await local.world.organizer.post(`/templates/${templateId}/versions`, body);
    expect(other.body.version).toBe(3);
  });

  it("refuses other roles (403), an unknown template (404) and a bad body (400), changing nothing", async () => {
    const templateId = await newTemplate();
    const path = `/templates/${templateId}/versions`;
    const body = { items: V2_ITEMS };
    const team = Object.values(local.world.inspectors)[0] as Client;
    expectProblem(await (await local.world.unitUser(local.world.units.yatai)).post(path, body), 403);
    expectProblem(await team.post(path, body), 403);
    expectProblem(await local.world.official.post(path, body), 403);
    expect((await local.api.anonymous().post(path, body)).status).toBe(401);
    expectProblem(await local.world.organizer.post("/templates/t-no-such-template/versions", body), 404);
    expectProblem(await local.world.organizer.post(path, { items: [] }), 400);
    expectProblem(
      await local.world.organizer.post(path, {
        items: [
          { code: "X", title: "x", maxPoints: 1 },
          { code: "X", title: "y", maxPoints: 1 },
        ],
      }),
      400,
    );
    expectProblem(
      await local.world.organizer.post(path, { items: [{ code: "X", title: "x", maxPoints: 0 }] }),
      400,
    );
    expect((await local.world.organizer.get(`/templates/${templateId}`)).body.version).toBe(1);
  });
});

describe("spot checks keep the version they were planned with", () => {
  it("scores against the planned version after a new one is published, and ranks by the exact points", async () => {
    const templateId = await newTemplate("量化评分细则");
    const inspectorIds = Object.keys(local.world.inspectors).filter((id) => !id.endsWith("minghu"));
    const planned = await local.world.organizer.post(
      "/spot-checks",
      spotCheckBody(local.world, {
        templateId,
        candidateUnitIds: [local.world.units.yatai, local.world.units.jiangchong],
        sampleSize: 2,
        inspectorIds,
        teamSize: 1,
      }),
    );
    expect(planned.status).toBe(201);
    const drawn = await local.world.organizer.post(`/spot-checks/${planned.body.spotCheckId}/draw`);
    expect(drawn.status).toBe(200);

    // Version 2 comes out after planning: one critical item of 50 points, none of the codes of v1.
    const v2 = await local.world.organizer.post(`/templates/${templateId}/versions`, { items: V2_ITEMS });
    expect(v2.body.version).toBe(2);

    const spotCheck = await local.world.organizer.get(`/spot-checks/${planned.body.spotCheckId}`);
    expect(spotCheck.body).toMatchObject({ templateId, templateVersion: 1 });

    // 179.98 of 200 is 89.99 %: 良好, not 优秀; 180 of 200 is 优秀 and ranks first.
    const deductions = [20.02, 20];
    const assignments = drawn.body.assignments as {
      assignmentId: string;
      unitId: string;
      inspectorIds: string[];
    }[];
    expect(assignments).toHaveLength(2);
    for (const [i, a] of assignments.entries()) {
      const team = local.world.inspectorFor(a);
      expect((await team.get(`/assignments/${a.assignmentId}`)).body).toMatchObject({
        templateId,
        templateVersion: 1,
      });
      const arrival = await team.post(`/assignments/${a.assignmentId}/arrival`, {
        location: { lat: 34.7, lng: 113.7 },
      });
      expect(arrival.status).toBe(200);
      // A code of version 2 names no item of the version this spot check was planned with.
      expectProblem(
        await team.post(`/assignments/${a.assignmentId}/findings`, {
          items: [{ code: "Q1", deduction: 1 }],
          issues: [],
        }),
        422,
      );
      const findings = await team.post(`/assignments/${a.assignmentId}/findings`, {
        items: [{ code: "P1", deduction: deductions[i] }],
        issues: [],
      });
      expect(findings.status).toBe(202);
    }

    const scores = await Promise.all(
      assignments.map(
        async (a) => (await local.world.organizer.get(`/assignments/${a.assignmentId}`)).body.score,
      ),
    );
    expect(scores).toEqual([
      { points: 179.98, maxPoints: 200, percent: 89.99, grade: "良好", vetoed: false },
      { points: 180, maxPoints: 200, percent: 90, grade: "优秀", vetoed: false },
    ]);

    const bulletin = await local.world.official.get(`/spot-checks/${planned.body.spotCheckId}/bulletin`);
    expect(bulletin.status).toBe(200);
    expect(
      bulletin.body.ranking.map((r: { unitId: string; percent: number; grade: string }) => [
        r.unitId,
        r.percent,
        r.grade,
      ]),
    ).toEqual([
      [assignments[1]?.unitId, 90, "优秀"],
      [assignments[0]?.unitId, 89.99, "良好"],
    ]);

    // A spot check planned now takes version 2.
    const later = await local.world.organizer.post(
      "/spot-checks",
      spotCheckBody(local.world, { templateId, candidateUnitIds: [local.world.units.dongjia] }),
    );
    expect(later.status).toBe(201);
    const laterRead = await local.world.organizer.get(`/spot-checks/${later.body.spotCheckId}`);
    expect(laterRead.body.templateVersion).toBe(2);
  });
});
