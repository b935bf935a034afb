import { describe, expect, it } from "vitest";
import { workdayDeadline } from "../../lambdas/domain/calendar";
import { eventually, expectProblem, isoIn } from "../support/api";
import { drawOne } from "../support/scenario";
import { useLocalWorld } from "../support/system";

/**
 * 督办 as supervision offices run it (API.md v2 "Deadlines as supervision offices run them"), over
 * HTTP against the real handlers, DynamoDB Local and the local state machine: extensions and the
 * workflow's timers moving with them, working-day deadlines, the record of lateness, 四眼销号 and
 * the notices.
 *
 * The tests are independent (each plans its own spot check, and what they read of shared mailboxes
 * and queues they find by id), so they run at once: the ones that wait on a real deadline wait
 * together, not one after another.
 */
const local = useLocalWorld("supervision", "s");

type Issue = Record<string, unknown>;

/**
 * One arrived-at assignment with the given issues; returns the team, the unit and the order ids.
 * Issues given as a function are made just before the findings are sent, so that a deadline a few
 * seconds ahead counts from the findings, not from the plan, the draw and the arrival before them.
 */
async function ordersWith(issuesAt: Issue[] | (() => Issue[]), overrides: Record<string, unknown> = {}) {
  const drawn = await drawOne(local.world, { candidateUnitIds: [local.world.units.dongjia], ...overrides });
  const team = local.world.inspectorFor(drawn.assignment);
  const unit = await local.world.unitUser(drawn.assignment.unitId);
  const arrived = await team.post(`/assignments/${drawn.assignment.assignmentId}/arrival`, {
    location: { lat: 34.68, lng: 113.75 },
  });
  expect(arrived.status).toBe(200);
  const issues = typeof issuesAt === "function" ? issuesAt() : issuesAt;
  const findings = await team.post(`/assignments/${drawn.assignment.assignmentId}/findings`, {
    items: [],
    issues,
  });
  expect(findings.status).toBe(202);
  return { ...drawn, team, unit, ids: findings.body.rectificationIds as string[] };
}

const actions = (order: { history: { action: string }[] }) => order.history.map((h) => h.action);

describe.concurrent("延期: extension requests", () => {
  it("the unit asks, the organizer approves; the order keeps its original deadline and lists the request", async () => {
    const { unit, ids } = await ordersWith([
      { description: "灭火器过期", severity: "major", rectifyWithinDays: 5 },
    ]);
    const id = ids[0] ?? "";
    const before = (await unit.get(`/rectifications/${id}`)).body;
    expect(before).toMatchObject({ maxExtensions: 1, extensionsUsed: 0, extensionRequests: [] });

    const requested = await unit.post(`/rectifications/${id}/extension-requests`, {
      reason: "新灭火器需从厂家调货",
      requestedDeadline: isoIn(10 * 86_400_000),
    });
    expect(requested.status).toBe(201);
    expect(requested.body).toMatchObject({ status: "pending", requestId: expect.any(String) });

    // A second request while one is pending: 409; a decision by the unit: 403.
    expectProblem(
      await unit.post(`/rectifications/${id}/extension-requests`, {
        reason: "再延",
        requestedDeadline: isoIn(12 * 86_400_000),
      }),
      409,
    );
    const decisionPath = `/rectifications/${id}/extension-requests/${requested.body.requestId}/decision`;
    expectProblem(await unit.post(decisionPath, { decision: "approve", comment: "" }), 403);

    const queue = await local.world.organizer.get("/extension-requests?status=pending");
    expect(queue.status).toBe(200);
    expect(queue.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          requestId: requested.body.requestId,
          rectificationId: id,
          unitName: "东贾社区",
        }),
      ]),
    );
    expect(
      (await local.world.organizer.get("/dashboard")).body.extensionRequests.pending,
    ).toBeGreaterThanOrEqual(1);

    const approvedAt = isoIn(8 * 86_400_000);
    const approved = await local.world.organizer.post(decisionPath, {
      decision: "approve",
      comment: "同意延期，但只延至8日后",
      deadline: approvedAt,
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      deadline: new Date(approvedAt).toISOString(),
      originalDeadline: before.deadline,
      extensionsUsed: 1,
      extensionRequests: [expect.objectContaining({ status: "approved", decidedBy: expect.any(String) })],
    });
    expect(actions(approved.body)).toEqual(["issued", "extension_requested", "extension_approved"]);

    // Deciding it again: 409; the queue no longer holds it; the extensions are used up: 409.
    expectProblem(await local.world.organizer.post(decisionPath, { decision: "refuse", comment: "" }), 409);
    const after = await local.world.organizer.get("/extension-requests?status=pending");
    expect(after.body.items.map((r: { requestId: string }) => r.requestId)).not.toContain(
      requested.body.requestId,
    );
    expectProblem(
      await unit.post(`/rectifications/${id}/extension-requests`, {
        reason: "还要再延",
        requestedDeadline: isoIn(20 * 86_400_000),
      }),
      409,
    );
    const notices = await unit.get("/me/notifications");
    expect(notices.body.items.map((n: { kind: string }) => n.kind)).toContain("extension_decided");
  });

  it("refuses bad requests with a clear 4xx and changes nothing", async () => {
    const { unit, ids } = await ordersWith([
      { description: "台账不全", severity: "minor", rectifyWithinDays: 5 },
    ]);
    const id = ids[0] ?? "";
    const path = `/rectifications/${id}/extension-requests`;
    // A requested date before the current deadline: 422, naming the field.
    const early = await unit.post(path, { reason: "理由", requestedDeadline: isoIn(2 * 86_400_000) });
    expectProblem(early, 422);
    expect(early.body.errors).toEqual([expect.objectContaining({ path: "body.requestedDeadline" })]);
    // No reason: 400. Someone else's unit: 404 (not theirs to see). An inspector: 403.
    expectProblem(await unit.post(path, { requestedDeadline: isoIn(9 * 86_400_000) }), 400);
    const stranger = await local.world.unitUser(local.world.units.jiangchong);
    expectProblem(await stranger.post(path, { reason: "x", requestedDeadline: isoIn(9 * 86_400_000) }), 404);
    const unchanged = await unit.get(`/rectifications/${id}`);
    expect(unchanged.body.extensionRequests).toEqual([]);
    expect(actions(unchanged.body)).toEqual(["issued"]);
  });

  it("a request after the deadline is refused (409)", async () => {
    const { unit, ids } = await ordersWith(() => [
      { description: "过期", severity: "minor", deadline: isoIn(4000) },
    ]);
    const order = await unit.get(`/rectifications/${ids[0]}`);
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(order.body.deadline) - Date.now() + 100)));
    expectProblem(
      await unit.post(`/rectifications/${ids[0]}/extension-requests`, {
        reason: "来不及",
        requestedDeadline: isoIn(5 * 86_400_000),
      }),
      409,
    );
  });

  it("moves the workflow's timers: the order goes overdue at the new deadline, not the old one", async () => {
    // The old deadline leaves 6 s for the findings, the workflow's wait, the request and its approval
    // (1.4 s with the file's other tests at once on two loaded cores); the new one is 5 s after it:
    // the order is looked at 2 s past the old deadline (the workflow records a reminder within
    // 0.1-0.5 s of its timer) and 3 s before the new one.
    let oldDeadline = 0;
    const { unit, ids } = await ordersWith(() => {
      oldDeadline = Date.now() + 6000;
      return [
        { description: "消防通道堵塞", severity: "major", deadline: new Date(oldDeadline).toISOString() },
      ];
    });
    const id = ids[0] ?? "";
    // The workflow waits for the report with its timer at the old deadline.
    await eventually(
      () => local.world.organizer.get(`/assignments/${id.replace(/-\d+$/, "")}`),
      (r) => r.body.status === "rectifying",
    );
    const requested = await unit.post(`/rectifications/${id}/extension-requests`, {
      reason: "需协调物业",
      requestedDeadline: new Date(oldDeadline + 5000).toISOString(),
    });
    expect(requested.status).toBe(201);
    const approved = await local.world.organizer.post(
      `/rectifications/${id}/extension-requests/${requested.body.requestId}/decision`,
      { decision: "approve", comment: "同意" },
    );
    expect(approved.status).toBe(200);
    const newDeadline = Date.parse(approved.body.deadline);
    // Past the old deadline: not overdue, no 催办.
    await new Promise((r) => setTimeout(r, Math.max(0, newDeadline - 3000 - Date.now())));
    expect(Date.now()).toBeGreaterThan(oldDeadline);
    const between = await local.world.organizer.get(`/rectifications/${id}`);
    expect(between.body).toMatchObject({ overdue: false, escalationLevel: 0, everOverdue: false });
    expect(actions(between.body)).not.toContain("overdue_reminder");
    // At the new deadline the workflow reminds (催办, level 1).
    const overdue = await eventually(
      () => local.world.organizer.get(`/rectifications/${id}`),
      (r) => r.body.escalationLevel === 1,
      { timeoutMs: 20_000 },
    );
    const reminder = overdue.body.history.find((h: { action: string }) => h.action === "overdue_reminder");
    expect(Date.parse(reminder.at)).toBeGreaterThanOrEqual(newDeadline);
    expect(overdue.body).toMatchObject({ overdue: true, everOverdue: true, maxEscalationLevel: 1 });
  });
});

describe.concurrent("the record of lateness and 四眼销号", () => {
  it("an order that was overdue and reopened stays counted as late when it closes", async () => {
    const { unit, team, ids } = await ordersWith(() => [
      { description: "应急预案未更新", severity: "minor", deadline: isoIn(3000) },
    ]);
    const id = ids[0] ?? "";
    await eventually(
      () => local.world.organizer.get(`/rectifications/${id}`),
      (r) => r.body.escalationLevel === 1,
      { timeoutMs: 20_000 },
    );
    await unit.post(`/rectifications/${id}/report`, { description: "已更新" });
    const rejected = await team.post(`/rectifications/${id}/review`, {
      decision: "reject",
      comment: "未组织演练",
      deadline: isoIn(86_400_000),
    });
    expect(rejected.body).toMatchObject({
      status: "open",
      overdue: false,
      light: "yellow",
      escalationLevel: 0,
      everOverdue: true,
      maxEscalationLevel: 1,
      closedLate: false,
    });
    await unit.post(`/rectifications/${id}/report`, { description: "已演练" });
    const closed = await eventually(
      () => team.post(`/rectifications/${id}/review`, { decision: "accept", comment: "到位" }),
      (r) => r.status === 200,
    );
    expect(closed.body).toMatchObject({
      status: "closed",
      everOverdue: true,
      closedLate: true,
      maxEscalationLevel: 1,
    });
  });

  it("a critical order closes only after two accepts by two different reviewers", async () => {
    const { unit, team, ids } = await ordersWith([
      { description: "燃气泄漏报警器失效", severity: "critical" },
    ]);
    const id = ids[0] ?? "";
    await unit.post(`/rectifications/${id}/report`, { description: "已更换报警器" });
    const first = await eventually(
      () => team.post(`/rectifications/${id}/review`, { decision: "accept", comment: "同意销号" }),
      (r) => r.status === 200,
    );
    expect(first.body).toMatchObject({ status: "submitted", accepts: 1, acceptsRequired: 2 });
    expectProblem(
      await team.post(`/rectifications/${id}/review`, { decision: "accept", comment: "再次" }),
      409,
    );
    const second = await local.world.organizer.post(`/rectifications/${id}/review`, {
      decision: "accept",
      comment: "复核同意",
    });
    expect(second.body).toMatchObject({ status: "closed", accepts: 2 });
  });
});

describe.concurrent("工作日 deadlines and notices", () => {
  it("a deadline in working days ends at 24:00 CST of the n-th working day after the findings' day", async () => {
    const { ids, team } = await ordersWith([
      { description: "安全出口标识缺失", severity: "minor", rectifyWithinWorkdays: 3 },
    ]);
    const order = await team.get(`/rectifications/${ids[0]}`);
    const issued = new Date(order.body.createdAt);
    const expected = workdayDeadline(issued, 3);
    expect(order.body).toMatchObject({
      deadline: expected.deadline,
      calendarApproximate: expected.approximate,
    });
    expect(order.body.deadline).toMatch(/T16:00:00\.000Z$/);
  });

  it("the spot check's working days apply when the issue names none; the issue's days win over them", async () => {
    const { ids, team } = await ordersWith(
      [
        { description: "按任务工作日", severity: "minor" },
        { description: "按问题天数", severity: "minor", rectifyWithinDays: 2 },
      ],
      { rectifyWithinWorkdays: 5 },
    );
    const first = await team.get(`/rectifications/${ids[0]}`);
    expect(first.body.deadline).toBe(workdayDeadline(new Date(first.body.createdAt), 5).deadline);
    const second = await team.get(`/rectifications/${ids[1]}`);
    expect(Date.parse(second.body.deadline) - Date.parse(second.body.createdAt)).toBe(2 * 86_400_000);
  });

  it("refuses a working-day count of 0 or over 60 (400) and changes nothing", async () => {
    const drawn = await drawOne(local.world, { candidateUnitIds: [local.world.units.jiangchong] });
    const team = local.world.inspectorFor(drawn.assignment);
    await team.post(`/assignments/${drawn.assignment.assignmentId}/arrival`, {
      location: { lat: 34.6, lng: 113.8 },
    });
    for (const n of [0, 61, 1.5]) {
      const res = await team.post(`/assignments/${drawn.assignment.assignmentId}/findings`, {
        items: [],
        issues: [{ description: "问题", severity: "minor", rectifyWithinWorkdays: n }],
      });
      expectProblem(res, 400);
    }
    expect((await team.get(`/assignments/${drawn.assignment.assignmentId}`)).body.status).toBe("on_site");
    expectProblem(
      await local.world.organizer.post("/spot-checks", {
        title: "t",
        templateId: local.world.templateId,
        candidateUnitIds: [local.world.units.yatai],
        sampleSize: 1,
        inspectorIds: Object.keys(local.world.inspectors),
        window: { start: isoIn(-1000), end: isoIn(86_400_000) },
        rectifyWithinWorkdays: 0,
      }),
      400,
    );
  });

  it("tells the team of its assignment at dispatch (never the unit), and reviewers of a report", async () => {
    const { team, unit, ids, assignment } = await ordersWith([
      { description: "值班记录缺失", severity: "minor" },
    ]);
    const teamNotices = await eventually(
      () => team.get("/me/notifications"),
      (r) =>
        r.body.items.some(
          (n: { kind: string; assignmentId?: string }) =>
            n.kind === "assignment_dispatched" && n.assignmentId === assignment.assignmentId,
        ),
    );
    expect(teamNotices.status).toBe(200);
    const unitNotices = await unit.get("/me/notifications");
    expect(unitNotices.body.items.map((n: { kind: string }) => n.kind)).not.toContain(
      "assignment_dispatched",
    );
    await unit.post(`/rectifications/${ids[0]}/report`, { description: "已补记" });
    const toReview = await team.get("/me/notifications");
    expect(toReview.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "report_received", rectificationId: ids[0], title: "待回头看" }),
      ]),
    );
  });
});
