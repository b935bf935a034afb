import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, eventually, isoIn } from "../support/api";
import { ServerProcess } from "../support/local";
import { buildWorld, drawOne, type World } from "../support/scenario";

/**
 * End to end over HTTP against `npm start` run as its own process, with DynamoDB Local on disk
 * under its DATA_DIR: whole inspections through the workflow, deadlines that fire, and crashes.
 */
let server: ServerProcess;
let api: Api;
let world: World;

beforeAll(async () => {
  server = await ServerProcess.create("e2e");
  await server.start();
  api = new Api(server.url, server.dataDir);
  world = await buildWorld(api, "e");
});

afterAll(async () => {
  await server?.stop("SIGTERM");
});

// Three inspections of their own (each its own spot check and draw), at once: two of them mostly
// wait for a deadline of the workflow to pass.
describe.concurrent("the life of one inspection", () => {
  it("goes from plan to closed: draw, arrival, findings, report, review (销号)", async ({ expect }) => {
    const { assignment } = await drawOne(world, { candidateUnitIds: [world.units.dongjia] });
    const team = world.inspectorFor(assignment);
    const unit = await world.unitUser(assignment.unitId);
    await team.post(`/assignments/${assignment.assignmentId}/arrival`, {
      location: { lat: 34.68, lng: 113.75 },
    });
    const findings = await team.post(`/assignments/${assignment.assignmentId}/findings`, {
      items: [{ code: "A2", deduction: 4 }],
      issues: [
        { itemCode: "A2", description: "消杀记录不详", severity: "major", rectifyWithinDays: 1 },
        { description: "来访登记不全", severity: "minor" },
      ],
    });
    expect(findings.status).toBe(202);
    await eventually(
      () => team.get(`/assignments/${assignment.assignmentId}`),
      (r) => r.body.status === "rectifying",
    );
    for (const id of findings.body.rectificationIds as string[]) {
      await unit.post(`/rectifications/${id}/report`, { description: "已整改", evidence: ["整改照片"] });
      const reviewed = await eventually(
        () => team.post(`/rectifications/${id}/review`, { decision: "accept", comment: "回头看：整改到位" }),
        (r) => r.status === 200,
      );
      expect(reviewed.body.status).toBe("closed");
    }
    const closed = await eventually(
      () => world.official.get(`/assignments/${assignment.assignmentId}`),
      (r) => r.body.status === "closed",
    );
    expect(closed.body.score).toMatchObject({ percent: 96, grade: "优秀", vetoed: false });
  });

  it("marks an inspection missed when no findings arrive by window.end", async ({ expect }) => {
    // The plan must reach the server before the window ends; with the other two inspections planned
    // at the same moment its handler may still be loading (3.5 s; the escalation test takes longer).
    const { assignment } = await drawOne(world, { window: { start: isoIn(-60_000), end: isoIn(3500) } });
    const done = await eventually(
      () => world.official.get(`/assignments/${assignment.assignmentId}`),
      (r) => r.body.status === "missed",
      { timeoutMs: 15_000 },
    );
    expect(done.body.missedAt).toEqual(expect.any(String));
  });

  it("turns an order red at its deadline, reminds (催办, level 1), then escalates (问责, level 2)", async ({
    expect,
  }) => {
    const { assignment } = await drawOne(world, {
      candidateUnitIds: [world.units.yatai],
      escalateAfterHours: 0.0005, // 1.8 s after the deadline
    });
    const team = world.inspectorFor(assignment);
    await team.post(`/assignments/${assignment.assignmentId}/arrival`, {
      location: { lat: 34.7, lng: 113.7 },
    });
    const findings = await team.post(`/assignments/${assignment.assignmentId}/findings`, {
      items: [],
      // Ahead when the findings arrive, though the first test's findings may be loading their handler.
      issues: [{ description: "消防通道堵塞", severity: "critical", deadline: isoIn(3000) }],
    });
    const [id] = findings.body.rectificationIds as string[];
    const unit = await world.unitUser(assignment.unitId);
    const overdue = await eventually(
      () => unit.get(`/rectifications/${id}`),
      (r) => r.body.escalationLevel >= 1,
      { timeoutMs: 15_000 },
    );
    expect(overdue.body).toMatchObject({ overdue: true, light: "red" });
    const escalated = await eventually(
      () => unit.get(`/rectifications/${id}`),
      (r) => r.body.escalationLevel === 2,
      { timeoutMs: 15_000 },
    );
    expect(escalated.body.history.map((h: { action: string }) => h.action)).toEqual([
      "issued",
      "overdue_reminder",
      "escalated",
    ]);

    const unitNotices = (await unit.get("/me/notifications")).body.items.map(
      (n: { title: string }) => n.title,
    );
    expect(unitNotices).toEqual(expect.arrayContaining(["逾期催办", "问责提醒"]));
    const organizerNotices = (await world.organizer.get("/me/notifications")).body.items.map(
      (n: { kind: string }) => n.kind,
    );
    expect(organizerNotices).toEqual(expect.arrayContaining(["overdue_reminder", "escalation"]));
    const officialNotices = (await world.official.get("/me/notifications")).body.items.map(
      (n: { kind: string }) => n.kind,
    );
    expect(officialNotices).toContain("escalation");
    const dashboard = await world.official.get("/dashboard");
    expect(dashboard.body.overdue.map((o: { rectificationId: string }) => o.rectificationId)).toContain(id);

    // A late report still counts as late; a critical order closes on two accepts by two reviewers
    // (四眼销号), which closes the assignment; the record of lateness stays.
    const late = await unit.post(`/rectifications/${id}/report`, { description: "已清理消防通道" });
    expect(late.body.report.late).toBe(true);
    const first = await eventually(
      () => team.post(`/rectifications/${id}/review`, { decision: "accept", comment: "同意销号" }),
      (r) => r.status === 200,
    );
    expect(first.body).toMatchObject({ status: "submitted", accepts: 1, acceptsRequired: 2 });
    const closed = await world.organizer.post(`/rectifications/${id}/review`, {
      decision: "accept",
      comment: "复核销号",
    });
    expect(closed.body).toMatchObject({ status: "closed", closedLate: true, maxEscalationLevel: 2 });
    await eventually(
      () => world.official.get(`/assignments/${assignment.assignmentId}`),
      (r) => r.body.status === "closed",
    );
  });
});

describe("a restart in the middle", () => {
  it("loses nothing across SIGKILL: accepted requests stay, waiting steps resume, deadlines that passed fire", async () => {
    const { assignment } = await drawOne(world, { candidateUnitIds: [world.units.jiangchong] });
    const team = world.inspectorFor(assignment);
    const unit = await world.unitUser(assignment.unitId);
    await team.post(`/assignments/${assignment.assignmentId}/arrival`, {
      location: { lat: 34.6, lng: 113.8 },
    });
    const secondDeadline = isoIn(4000);
    const findings = await team.post(`/assignments/${assignment.assignmentId}/findings`, {
      items: [{ code: "A4", deduction: 6 }],
      issues: [
        { description: "学校访客登记缺失", severity: "major", rectifyWithinDays: 7 },
        { description: "食堂防控措施不到位", severity: "minor", deadline: secondDeadline },
      ],
    });
    const [first, second] = findings.body.rectificationIds as string[];
    await eventually(
      () => team.get(`/assignments/${assignment.assignmentId}`),
      (r) => r.body.status === "rectifying",
    );
    const reported = await unit.post(`/rectifications/${first}/report`, { description: "已补登记" });
    expect(reported.status).toBe(200);

    expect(await server.stop("SIGKILL")).toBeNull();
    // The second order's deadline passes while the server is down.
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(secondDeadline) + 250 - Date.now())));
    await server.start();

    // The report accepted before the crash is still there, and the review resumes the workflow.
    expect((await unit.get(`/rectifications/${first}`)).body.status).toBe("submitted");
    const accepted = await eventually(
      () => team.post(`/rectifications/${first}/review`, { decision: "accept", comment: "回头看通过" }),
      (r) => r.status === 200,
    );
    expect(accepted.body.status).toBe("closed");
    // The deadline that passed while the server was down fires on start.
    await eventually(
      () => unit.get(`/rectifications/${second}`),
      (r) => r.body.escalationLevel >= 1,
      { timeoutMs: 20_000 },
    );
    await unit.post(`/rectifications/${second}/report`, { description: "已落实食堂措施" });
    await eventually(
      () => team.post(`/rectifications/${second}/review`, { decision: "accept", comment: "销号" }),
      (r) => r.status === 200,
    );
    await eventually(
      () => world.official.get(`/assignments/${assignment.assignmentId}`),
      (r) => r.body.status === "closed",
      {
        timeoutMs: 20_000,
      },
    );
  });

  it("shuts down cleanly on SIGTERM and comes back with its data", async () => {
    expect(await server.stop("SIGTERM")).toBe(0);
    await server.start();
    expect((await world.official.get(`/units/${world.units.yatai}`)).body.name).toBe("亚太社区");
  });
});
