import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalSystem } from "../../lib/local/system";
import { Api, type Client, eventually, isoIn } from "../support/api";
import { tempDataDir } from "../support/local";
import { buildWorld, drawOne, spotCheckBody, type World } from "../support/scenario";
import { startTestSystem } from "../support/system";

/**
 * Every route of API.md against the real handlers, DynamoDB Local and the local state machine,
 * through the local API Gateway (JWT checked): success, validation, authorization and conflicts.
 */
let system: LocalSystem;
let api: Api;
let world: World;

beforeAll(async () => {
  const dataDir = tempDataDir("api");
  system = await startTestSystem({ dataDir });
  api = new Api(system.url, dataDir);
  world = await buildWorld(api, "w");
});

afterAll(async () => {
  await system?.stop();
});

const expectProblem = (res: { status: number; contentType: string; body: any }, status: number) => {
  expect(res.status).toBe(status);
  expect(res.contentType).toContain("application/problem+json");
  expect(res.body).toMatchObject({
    status,
    type: expect.any(String),
    title: expect.any(String),
    detail: expect.any(String),
  });
};

describe("public routes", () => {
  it("GET /health answers ok without a token", async () => {
    const res = await api.anonymous().get("/health");
    expect(res).toMatchObject({ status: 200, body: { status: "ok" } });
  });

  it("GET /openapi.json documents every route as OpenAPI 3.1", async () => {
    const res = await api.anonymous().get("/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        "/units/{unitId}",
        "/spot-checks/{id}/draw",
        "/rectifications/{id}/review",
        "/me/notifications",
      ]),
    );
    expect(res.body.paths["/assignments/{id}/findings"].post.requestBody).toBeDefined();
    // Every operation publishes the schema of its success body, not a bare `{ type: "object" }`.
    const undocumented: string[] = [];
    for (const [path, operations] of Object.entries<Record<string, { responses: Record<string, any> }>>(
      res.body.paths,
    )) {
      for (const [method, operation] of Object.entries(operations)) {
        const successes = Object.entries(operation.responses).filter(([status]) => /^2\d\d$/.test(status));
        const documented =
          successes.length > 0 &&
          successes.every(([, r]) => {
            const schema = r.content?.["application/json"]?.schema;
            // A file to download (the import templates) is documented by its media type, as binary.
            const file = Object.entries<any>(r.content ?? {}).find(([type]) => type !== "application/json");
            if (!schema && file) return file[1].schema?.format === "binary";
            return schema && JSON.stringify(schema) !== JSON.stringify({ type: "object" });
          });
        if (!documented) undocumented.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(undocumented).toEqual([]);
  });

  it("unknown routes are 404 problems", async () => {
    expectProblem(await api.anonymous().get("/nope"), 404);
  });
});

describe("authentication", () => {
  it("refuses a missing, forged or expired token with 401 before any handler runs", async () => {
    expectProblem(await api.anonymous().get("/units"), 401);
    const forged = await api.token("x", ["admin"]);
    const [h, p] = forged.split(".");
    const tampered = `${h}.${Buffer.from(JSON.stringify({ sub: "x", "cognito:groups": ["admin"] })).toString("base64url")}.${forged.split(".")[2]}`;
    expectProblem(
      await new (api.anonymous().constructor as typeof Client)(system.url, tampered).get("/units"),
      401,
    );
    expect(p).toBeDefined();
    const { issueToken } = await import("../../lib/local/jwt");
    const expired = await issueToken(api.dataDir, { sub: "x", groups: ["admin"], ttlSeconds: -10 });
    expectProblem(
      await new (api.anonymous().constructor as typeof Client)(system.url, expired).get("/units"),
      401,
    );
  });
});

describe("units", () => {
  it("creates (201), replaces (200) and reads a unit with its path from the root", async () => {
    const id = "u-t-street";
    const created = await world.admin.put(`/units/${id}`, {
      name: "莲湖街道",
      parentId: world.units.district,
      kind: "street",
    });
    expect(created.status).toBe(201);
    const replaced = await world.organizer.put(`/units/${id}`, {
      name: "莲湖街道办事处",
      parentId: world.units.district,
      kind: "street",
    });
    expect(replaced.status).toBe(200);
    const read = await world.official.get(`/units/${id}`);
    expect(read.body).toMatchObject({ unitId: id, name: "莲湖街道办事处", path: [world.units.district, id] });
    const children = await world.official.get(`/units?parentId=${world.units.district}`);
    expect(children.body.items.map((u: { unitId: string }) => u.unitId)).toContain(id);
    expect(children.body).toHaveProperty("nextCursor");
  });

  it("pages children with limit and cursor", async () => {
    const first = await world.official.get(`/units?parentId=${world.units.district}&limit=2`);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await world.official.get(
      `/units?parentId=${world.units.district}&limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.items.length).toBeGreaterThan(0);
    expect(second.body.items[0].unitId).not.toBe(first.body.items[0].unitId);
  });

  it("refuses an unknown parent and a cycle with 422, bad input with 400, other roles with 403", async () => {
    expectProblem(await world.admin.put("/units/u-x", { name: "x", parentId: "nope", kind: "grid" }), 422);
    expectProblem(
      await world.admin.put(`/units/${world.units.district}`, {
        name: "经开区",
        parentId: world.units.yatai,
        kind: "district",
      }),
      422,
    );
    const invalid = await world.admin.put("/units/u-x", { name: "", kind: 3 });
    expectProblem(invalid, 400);
    expect(invalid.body.errors.length).toBeGreaterThan(0);
    expectProblem(await world.official.put("/units/u-x", { name: "x", parentId: null, kind: "grid" }), 403);
    expectProblem(await world.admin.get("/units/nope"), 404);
    expectProblem(await world.admin.get("/units?limit=500"), 400);
    expectProblem(await world.admin.get("/units?cursor=garbage"), 400);
    const page = await world.admin.get(`/units?parentId=${world.units.district}&limit=1`);
    expectProblem(
      await world.admin.get(`/units?parentId=${world.units.airport}&cursor=${page.body.nextCursor}`),
      400,
    );
  });
});

describe("inspectors and templates", () => {
  it("registers an inspector against an existing home unit only", async () => {
    expect(
      (await world.organizer.put("/inspectors/i-new", { name: "李四", homeUnitId: world.units.airport }))
        .status,
    ).toBe(201);
    expectProblem(await world.organizer.put("/inspectors/i-bad", { name: "王五", homeUnitId: "nope" }), 422);
    // The pool, by id, page by page: every registered inspector once, the refused one absent.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { inspectorId: string }[]; nextCursor: string | null } } =
        await world.official.get(
          `/inspectors?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        );
      seen.push(...page.body.items.map((i) => i.inspectorId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toContain("i-new");
    expect(seen).not.toContain("i-bad");
    expect(seen).toEqual([...new Set(seen)].sort());
    expect(seen.length).toBeGreaterThanOrEqual(Object.keys(world.inspectors).length + 1);
    const inspector = await api.as("i-new", ["inspector"]);
    expectProblem(
      await inspector.put("/inspectors/i-new", { name: "x", homeUnitId: world.units.airport }),
      403,
    );
  });

  it("creates a template at version 1 with default grades and reads it back", async () => {
    const created = await world.organizer.post("/templates", {
      name: "校外培训机构检查",
      items: [{ code: "B1", title: "消防通道", maxPoints: 10 }],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      version: 1,
      grades: expect.arrayContaining([{ name: "优秀", minPercent: 90 }]),
    });
    const read = await world.inspectors[Object.keys(world.inspectors)[0] as string]?.get(
      `/templates/${created.body.templateId}`,
    );
    expect(read?.body.items[0]).toMatchObject({ code: "B1", critical: false });
    const listed = await world.inspectors[Object.keys(world.inspectors)[0] as string]?.get("/templates");
    expect(listed?.body.items[0]).toMatchObject({
      templateId: created.body.templateId,
      version: 1,
      maxPoints: 10,
    });
    expect(listed?.body.items.map((t: { templateId: string }) => t.templateId)).toContain(world.templateId);
    expectProblem(
      await world.organizer.post("/templates", {
        name: "x",
        items: [
          { code: "A", title: "t", maxPoints: 1 },
          { code: "A", title: "t", maxPoints: 1 },
        ],
      }),
      400,
    );
    expectProblem(
      await world.official.post("/templates", {
        name: "x",
        items: [{ code: "A", title: "t", maxPoints: 1 }],
      }),
      403,
    );
  });
});

describe("spot checks and the draw", () => {
  it("plans with a seed commitment, draws once, and hides the seed until the window ends", async () => {
    const planned = await world.organizer.post("/spot-checks", spotCheckBody(world, { sampleSize: 2 }));
    expect(planned.status).toBe(201);
    expect(planned.body).toMatchObject({
      status: "planned",
      seedCommitment: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const id = planned.body.spotCheckId;
    const drawn = await world.organizer.post(`/spot-checks/${id}/draw`);
    expect(drawn.status).toBe(200);
    expect(drawn.body.status).toBe("dispatched");
    expect(drawn.body.assignments).toHaveLength(2);
    for (const a of drawn.body.assignments) expect(a.inspectorIds).toHaveLength(2);
    expectProblem(await world.organizer.post(`/spot-checks/${id}/draw`), 409);

    // The list, newest first, shows the drawn state; which units were drawn only GET /spot-checks/{id} says.
    const listed = await world.official.get("/spot-checks?limit=1");
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.items[0]).toMatchObject({
      spotCheckId: id,
      status: "dispatched",
      title: expect.any(String),
    });
    expect(listed.body.items[0].assignments).toBeUndefined();
    expect(listed.body.items[0].assignmentIds).toBeUndefined();
    const next = await world.official.get(
      `/spot-checks?limit=1&cursor=${encodeURIComponent(listed.body.nextCursor)}`,
    );
    expect(next.body.items[0]?.spotCheckId).not.toBe(id);

    const read = await world.official.get(`/spot-checks/${id}`);
    expect(read.body.assignments).toHaveLength(2);
    const proof = await world.official.get(`/spot-checks/${id}/draw-proof`);
    expect(proof.body).toMatchObject({
      seedCommitment: planned.body.seedCommitment,
      selected: expect.any(Array),
    });
    expect(proof.body.seed).toBeUndefined();
  });

  it("reveals the seed after window.end and it hashes to the commitment", async () => {
    const planned = await world.organizer.post(
      "/spot-checks",
      spotCheckBody(world, { window: { start: isoIn(-60_000), end: isoIn(1500) } }),
    );
    await world.organizer.post(`/spot-checks/${planned.body.spotCheckId}/draw`);
    await new Promise((r) => setTimeout(r, 1600));
    const proof = await world.organizer.get(`/spot-checks/${planned.body.spotCheckId}/draw-proof`);
    const { createHash } = await import("node:crypto");
    expect(createHash("sha256").update(proof.body.seed, "utf8").digest("hex")).toBe(
      planned.body.seedCommitment,
    );
  });

  it("refuses plans the rules do not allow (422) and malformed ones (400)", async () => {
    expectProblem(
      await world.organizer.post(
        "/spot-checks",
        spotCheckBody(world, { window: { start: isoIn(-7200_000), end: isoIn(-3600_000) } }),
      ),
      422,
    );
    expectProblem(await world.organizer.post("/spot-checks", spotCheckBody(world, { sampleSize: 9 })), 422);
    expectProblem(
      await world.organizer.post(
        "/spot-checks",
        spotCheckBody(world, { window: { start: isoIn(0), end: isoIn(400 * 86400_000) } }),
      ),
      422,
    );
    expectProblem(
      await world.organizer.post("/spot-checks", spotCheckBody(world, { templateId: "nope" })),
      422,
    );
    expectProblem(
      await world.organizer.post(
        "/spot-checks",
        spotCheckBody(world, { parentUnitId: world.units.district }),
      ),
      400,
    );
    expectProblem(await world.official.post("/spot-checks", spotCheckBody(world)), 403);
  });

  it("draws every leaf under a parent unit", async () => {
    const body = spotCheckBody(world, { parentUnitId: world.units.district, sampleSize: 3 });
    delete (body as { candidateUnitIds?: unknown }).candidateUnitIds;
    const planned = await world.organizer.post("/spot-checks", body);
    expect(planned.status).toBe(201);
    expect(planned.body.candidateUnitIds).toEqual(
      expect.arrayContaining([world.units.yatai, world.units.dongjia, world.units.jiangchong]),
    );
  });

  it("refuses a draw the pool cannot staff without a conflict of interest (422)", async () => {
    const planned = await world.organizer.post(
      "/spot-checks",
      spotCheckBody(world, {
        candidateUnitIds: [world.units.yatai],
        inspectorIds: [`${world.prefix}-insp-minghu`],
        teamSize: 1,
      }),
    );
    expect(planned.status).toBe(201);
    expectProblem(await world.organizer.post(`/spot-checks/${planned.body.spotCheckId}/draw`), 422);
  });

  it("keeps spot checks from inspectors and units (404), and draws from officials (403)", async () => {
    const { spotCheckId } = await drawOne(world);
    const inspector = Object.values(world.inspectors)[0] as Client;
    expectProblem(await inspector.get(`/spot-checks/${spotCheckId}`), 404);
    expectProblem(
      await (await world.unitUser(world.units.yatai)).get(`/spot-checks/${spotCheckId}/bulletin`),
      404,
    );
    const planned = await world.organizer.post("/spot-checks", spotCheckBody(world));
    expectProblem(await world.official.post(`/spot-checks/${planned.body.spotCheckId}/draw`), 403);
  });
});

describe("assignments: secrecy, arrival and findings", () => {
  it("hides an assignment from its unit until the team arrives, and audits reads before arrival", async () => {
    const { assignment } = await drawOne(world);
    const unit = await world.unitUser(assignment.unitId);
    expectProblem(await unit.get(`/assignments/${assignment.assignmentId}`), 404);
    expect((await unit.get("/assignments")).body.items).toHaveLength(0);

    const team = world.inspectorFor(assignment);
    expect((await team.get(`/assignments/${assignment.assignmentId}`)).status).toBe(200);
    const outsider = Object.entries(world.inspectors).find(
      ([id]) => !assignment.inspectorIds.includes(id),
    )?.[1] as Client;
    expectProblem(await outsider.get(`/assignments/${assignment.assignmentId}`), 404);

    const arrived = await team.post(`/assignments/${assignment.assignmentId}/arrival`, {
      location: { lat: 34.7, lng: 113.7 },
    });
    expect(arrived.status).toBe(200);
    expect(arrived.body.arrival).toMatchObject({
      at: expect.any(String),
      location: { lat: 34.7, lng: 113.7 },
    });
    expectProblem(
      await team.post(`/assignments/${assignment.assignmentId}/arrival`, {
        location: { lat: 34.7, lng: 113.7 },
      }),
      409,
    );

    expect((await unit.get(`/assignments/${assignment.assignmentId}`)).body.status).toBe("on_site");
    expect(
      (await unit.get("/assignments")).body.items.map((a: { assignmentId: string }) => a.assignmentId),
    ).toContain(assignment.assignmentId);

    const audit = await world.official.get(`/audit/${assignment.assignmentId}`);
    const actions = audit.body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(["read_before_arrival", "refused_read_before_arrival", "arrived"]),
    );
  });

  it("flags an arrival outside the unit's radius instead of accepting it silently", async () => {
    const { assignment } = await drawOne(world, { candidateUnitIds: [world.units.yatai] });
    const res = await world
      .inspectorFor(assignment)
      .post(`/assignments/${assignment.assignmentId}/arrival`, { location: { lat: 34.75, lng: 113.7 } });
    expect(res.body.arrival.onSite).toBe(false);
    expect(res.body.arrival.distanceMeters).toBeGreaterThan(5000);
  });

  it("scores findings with a veto, refuses them before arrival (409) and against the rules (422)", async () => {
    const { assignment } = await drawOne(world, { candidateUnitIds: [world.units.dongjia] });
    const team = world.inspectorFor(assignment);
    const path = `/assignments/${assignment.assignmentId}/findings`;
    expectProblem(await team.post(path, { items: [], issues: [] }), 409);
    await team.post(`/assignments/${assignment.assignmentId}/arrival`, {
      location: { lat: 34.68, lng: 113.75 },
    });
    expectProblem(await team.post(path, { items: [{ code: "ZZ", deduction: 1 }], issues: [] }), 422);
    expectProblem(await team.post(path, { items: [{ code: "A1", deduction: 21 }], issues: [] }), 422);
    expectProblem(
      await team.post(path, {
        items: [],
        issues: [{ description: "x", severity: "minor", deadline: isoIn(-1000) }],
      }),
      422,
    );
    expectProblem(await team.post(path, { items: "nope" }), 400);
    expectProblem(await world.organizer.post(path, { items: [], issues: [] }), 403);

    const res = await team.post(path, {
      items: [
        { code: "A2", deduction: 5, note: "个别场所消杀记录不详" },
        { code: "A3", deduction: 2, note: "未测温" },
      ],
      issues: [
        {
          itemCode: "A2",
          description: "消杀记录不详，责令立即整改",
          severity: "major",
          rectifyWithinDays: 1,
        },
      ],
    });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe("scored");
    const read = await team.get(`/assignments/${assignment.assignmentId}`);
    expect(read.body.score).toEqual({
      points: 93,
      maxPoints: 100,
      percent: 93,
      grade: "不合格",
      vetoed: true,
    });
    expectProblem(await team.post(path, { items: [], issues: [] }), 409);
    await eventually(
      () => team.get(`/assignments/${assignment.assignmentId}`),
      (r) => r.body.status === "rectifying",
    );
  });

  it("closes an assignment with no issues straight away", async () => {
    const { assignment } = await drawOne(world, { candidateUnitIds: [world.units.jiangchong] });
    const team = world.inspectorFor(assignment);
    await team.post(`/assignments/${assignment.assignmentId}/arrival`, {
      location: { lat: 34.6, lng: 113.8 },
    });
    const res = await team.post(`/assignments/${assignment.assignmentId}/findings`, {
      items: [{ code: "A1", deduction: 1 }],
      issues: [],
    });
    expect(res.body.status).toBe("closed");
    expect((await team.get(`/assignments/${assignment.assignmentId}`)).body.score).toMatchObject({
      percent: 99,
      grade: "优秀",
    });
  });

  it("returns the first response for a repeated Idempotency-Key and refuses the key with another body", async () => {
    const { assignment } = await drawOne(world, { candidateUnitIds: [world.units.jiangchong] });
    const team = world.inspectorFor(assignment);
    const path = `/assignments/${assignment.assignmentId}/arrival`;
    const key = { "idempotency-key": "arrive-once-1" };
    const first = await team.post(path, { location: { lat: 34.6, lng: 113.8 } }, key);
    const again = await team.post(path, { location: { lat: 34.6, lng: 113.8 } }, key);
    expect(first.status).toBe(200);
    expect(again).toEqual(first);
    expectProblem(await team.post(path, { location: { lat: 34.61, lng: 113.8 } }, key), 422);
    expectProblem(await team.post(path, { location: { lat: 34.6, lng: 113.8 } }), 409);
  });
});

describe("rectifications, oversight and notifications", () => {
  it("walks a report, a rejection and an acceptance, with visibility per role", async () => {
    const { assignment, spotCheckId } = await drawOne(world, { candidateUnitIds: [world.units.yatai] });
    // Each human step waits until the workflow waits for it (people take longer than the change
    // relay), so the state counts at the end are those of the ordinary path.
    const waitsFor = (state: string, times: number) =>
      eventually(
        async () => system.stepFunctions.executionCounters(assignment.assignmentId).statesEntered[state],
        (n) => n === times,
      );
    const team = world.inspectorFor(assignment);
    await team.post(`/assignments/${assignment.assignmentId}/arrival`, {
      location: { lat: 34.7, lng: 113.7 },
    });
    await waitsFor("AwaitFindings", 1);
    const findings = await team.post(`/assignments/${assignment.assignmentId}/findings`, {
      items: [{ code: "A1", deduction: 10 }],
      issues: [{ itemCode: "A1", description: "员工健康档案缺失", severity: "minor", rectifyWithinDays: 7 }],
    });
    const [rectificationId] = findings.body.rectificationIds as string[];
    const unit = await world.unitUser(assignment.unitId);
    const otherUnit = await world.unitUser(world.units.jiangchong);

    const order = await unit.get(`/rectifications/${rectificationId}`);
    expect(order.body).toMatchObject({
      status: "open",
      overdue: false,
      escalationLevel: 0,
      light: "green",
      unitId: assignment.unitId,
    });
    expectProblem(await otherUnit.get(`/rectifications/${rectificationId}`), 404);
    expect(
      (await unit.get("/rectifications")).body.items.map(
        (r: { rectificationId: string }) => r.rectificationId,
      ),
    ).toContain(rectificationId);
    expect(
      (await otherUnit.get("/rectifications")).body.items.map(
        (r: { rectificationId: string }) => r.rectificationId,
      ),
    ).not.toContain(rectificationId);

    expectProblem(await team.post(`/rectifications/${rectificationId}/report`, { description: "x" }), 403);
    expectProblem(
      await team.post(`/rectifications/${rectificationId}/review`, { decision: "accept", comment: "" }),
      409,
    );
    await waitsFor("AwaitReport", 1);
    const reported = await unit.post(`/rectifications/${rectificationId}/report`, {
      description: "已建立员工健康动态管理档案",
      evidence: ["照片1"],
    });
    expect(reported.body.status).toBe("submitted");
    // A review has no deadline: the workflow waits for it quietly, it does not poll the order.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const waiting = system.stepFunctions.executionCounters(assignment.assignmentId);
    expect(waiting.statesEntered.AwaitReview).toBe(1);
    expect(waiting.statesEntered.EscalateOrder ?? 0).toBe(0);
    expectProblem(
      await unit.post(`/rectifications/${rectificationId}/report`, { description: "again" }),
      409,
    );
    expectProblem(
      await world.official.post(`/rectifications/${rectificationId}/review`, {
        decision: "accept",
        comment: "",
      }),
      403,
    );
    expectProblem(
      await team.post(`/rectifications/${rectificationId}/review`, { decision: "reject", comment: "不彻底" }),
      400,
    );

    const rejected = await team.post(`/rectifications/${rectificationId}/review`, {
      decision: "reject",
      comment: "档案不完整",
      deadline: isoIn(2 * 86400_000),
    });
    expect(rejected.body).toMatchObject({ status: "open", light: "yellow" });
    await waitsFor("AwaitReport", 2);
    await eventually(
      () => unit.post(`/rectifications/${rectificationId}/report`, { description: "已补充完整" }),
      (r) => r.status === 200,
    );
    await waitsFor("AwaitReview", 2);
    const accepted = await eventually(
      () =>
        world.organizer.post(`/rectifications/${rectificationId}/review`, {
          decision: "accept",
          comment: "销号",
        }),
      (r) => r.status === 200,
    );
    expect(accepted.body.status).toBe("closed");
    expect(accepted.body.history.map((h: { action: string }) => h.action)).toEqual([
      "issued",
      "reported",
      "rejected",
      "reported",
      "accepted",
    ]);

    await eventually(
      () => world.official.get(`/assignments/${assignment.assignmentId}`),
      (r) => r.body.status === "closed",
    );
    // The rejection routed back to the report wait; the acceptance ended the order with no Choice.
    expect(system.stepFunctions.executionCounters(assignment.assignmentId).statesEntered).toEqual({
      PrepareAssignment: 1,
      RouteAssignment: 1,
      AwaitFindings: 1,
      NotifyRectificationOrders: 1,
      FollowUpOrders: 1,
      AwaitReport: 2,
      AwaitReview: 2,
      ReadOrderStep: 1,
      RouteOrder: 1,
      CloseAssignment: 1,
    });
    const bulletin = await world.official.get(`/spot-checks/${spotCheckId}/bulletin`);
    expect(bulletin.body.ranking[0]).toMatchObject({
      unitId: assignment.unitId,
      unitName: "亚太社区",
      percent: 90,
      grade: "优秀",
    });
    const dashboard = await world.official.get("/dashboard");
    expect(dashboard.body.rectifications.closed).toBeGreaterThanOrEqual(1);
    expect(dashboard.body.rectifications.onTimeRate).toBeGreaterThan(0);
    // The same figures for this spot check alone: its one order, closed on time, and nothing else.
    const ofSpotCheck = await world.official.get(`/dashboard?spotCheckId=${spotCheckId}`);
    expect(ofSpotCheck.body).toMatchObject({
      spotCheckId,
      rectifications: { open: 0, submitted: 0, closed: 1, overdue: 0, onTimeRate: 1 },
      overdue: [],
      dueSoon: [],
      byUnit: [{ unitId: assignment.unitId, closed: 1, onTimeRate: 1 }],
    });
    expectProblem(await world.official.get("/dashboard?spotCheckId=no-such-spot-check"), 404);
    expectProblem(await world.official.get("/dashboard?spotCheckId=%20bad%20"), 400);
    expectProblem(await unit.get("/dashboard"), 403);
    expectProblem(await unit.get(`/audit/${rectificationId}`), 403);
    const notices = await unit.get("/me/notifications");
    expect(notices.body.items.map((n: { title: string }) => n.title)).toContain("整改通知");
  });
});
