import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chinaDay, isWorkingDay } from "../../lambdas/domain/calendar";
import { ConflictError, NotFoundError, RuleViolationError } from "../../lambdas/domain/errors";
import {
  closedCountsOf,
  DUE_SOON_DAYS,
  deadlineActionDue,
  deadlinePassed,
  decideExtension,
  escalateOrder,
  isOverdue,
  issueOrder,
  lateness,
  newOrderDeadline,
  type Order,
  orderPhase,
  type RectificationStatus,
  reminderFor,
  remindOrder,
  reportOrder,
  requestExtension,
  reviewOrder,
  trafficLight,
} from "../../lambdas/domain/rectification-order";

const now = new Date("2022-01-10T08:00:00.000Z");
const iso = (d: Date) => d.toISOString();
const HOUR = 3_600_000;
const at = (hoursFromNow: number) => iso(new Date(now.getTime() + hoursFromNow * HOUR));
const later = (hours: number) => new Date(now.getTime() + hours * HOUR);

const base: Order = {
  status: "open",
  severity: "major",
  deadline: at(24 * 10),
  escalationLevel: 0,
  escalateAfterHours: 72,
  history: [],
};

describe("the deadline boundary", () => {
  it("is defined once, at the exact instant: late from the deadline's own millisecond on", () => {
    const deadline = at(5);
    expect(deadlinePassed(deadline, new Date(Date.parse(deadline) - 1))).toBe(false);
    expect(deadlinePassed(deadline, new Date(Date.parse(deadline)))).toBe(true);
    expect(isOverdue(deadline, "open", new Date(Date.parse(deadline)))).toBe(true);
    expect(trafficLight(deadline, "open", new Date(Date.parse(deadline)))).toBe("red");
  });

  it("a report at the deadline's instant is late, one millisecond before is not", () => {
    const o = { ...base, deadline: at(5) };
    expect(reportOrder(o, "u", new Date(Date.parse(o.deadline) - 1)).late).toBe(false);
    expect(reportOrder(o, "u", new Date(Date.parse(o.deadline))).late).toBe(true);
  });

  it("the deadline step (催办) falls due at the same instant as overdue", () => {
    const o = { ...base, deadline: at(5) };
    expect(deadlineActionDue(o, new Date(Date.parse(o.deadline) - 1))).toBeNull();
    expect(deadlineActionDue(o, new Date(Date.parse(o.deadline)))).toBe(1);
  });
});

describe("isOverdue", () => {
  it("is true once the deadline has passed while the order is not closed", () => {
    expect(isOverdue(at(-1), "open", now)).toBe(true);
    expect(isOverdue(at(0), "open", now)).toBe(true);
    expect(isOverdue(at(1), "open", now)).toBe(false);
  });

  it("a report submitted late still counts as late", () => {
    expect(isOverdue(at(-1), "submitted", now)).toBe(true);
  });

  it("a closed order is never overdue", () => {
    expect(isOverdue(at(-100), "closed", now)).toBe(false);
  });
});

describe("trafficLight", () => {
  it("is green with more than 3 days left", () => {
    expect(DUE_SOON_DAYS).toBe(3);
    expect(trafficLight(at(72 + 1 / 3600), "open", now)).toBe("green");
    expect(trafficLight(at(24 * 30), "open", now)).toBe("green");
  });

  it("is yellow with exactly 3 days or less left", () => {
    expect(trafficLight(at(72), "open", now)).toBe("yellow");
    expect(trafficLight(at(1), "submitted", now)).toBe("yellow");
  });

  it("is red once overdue, submitted or not", () => {
    expect(trafficLight(at(-1), "open", now)).toBe("red");
    expect(trafficLight(at(-1), "submitted", now)).toBe("red");
  });

  it("is green once closed, whatever the deadline", () => {
    expect(trafficLight(at(-100), "closed", now)).toBe("green");
    expect(trafficLight(at(1), "closed", now)).toBe("green");
  });
});

describe("orderPhase: what a rectification order's workflow waits for", () => {
  const open = (deadlineHours: number, escalationLevel: number): Order => ({
    ...base,
    status: "open",
    deadline: at(deadlineHours),
    escalationLevel,
  });

  it("a closed order is done", () => {
    expect(orderPhase({ ...open(-500, 2), status: "closed" }, now)).toEqual({ phase: "closed" });
  });

  it("a submitted order waits for review", () => {
    expect(orderPhase({ ...open(-5, 1), status: "submitted" }, now)).toEqual({ phase: "await_review" });
  });

  it("an open order before its deadline waits for the report until the deadline", () => {
    expect(orderPhase(open(48, 0), now)).toEqual({ phase: "await_report_until", timerSeconds: 48 * 3600 });
  });

  it("an open order at or after its deadline at level 0 is due its overdue reminder (催办)", () => {
    expect(orderPhase(open(0, 0), now)).toEqual({ phase: "escalate" });
    expect(orderPhase(open(-1, 0), now)).toEqual({ phase: "escalate" });
  });

  it("at level 1 it waits until the grace period after the deadline, then escalates (问责)", () => {
    expect(orderPhase(open(-1, 1), now)).toEqual({ phase: "await_report_until", timerSeconds: 71 * 3600 });
    expect(orderPhase(open(-72, 1), now)).toEqual({ phase: "escalate" });
  });

  it("at level 2 it waits for the report without a timer", () => {
    expect(orderPhase(open(-1000, 2), now)).toEqual({ phase: "await_report" });
  });

  it("timers are rounded up to whole seconds and at least 1", () => {
    const soon = iso(new Date(now.getTime() + 1500));
    expect(orderPhase({ ...open(0, 0), deadline: soon }, now)).toEqual({
      phase: "await_report_until",
      timerSeconds: 2,
    });
    const verySoon = iso(new Date(now.getTime() + 1));
    expect(orderPhase({ ...open(0, 0), deadline: verySoon }, now)).toEqual({
      phase: "await_report_until",
      timerSeconds: 1,
    });
  });
});

describe("deadlineActionDue", () => {
  const order = (status: RectificationStatus, deadlineHours: number, escalationLevel: number): Order => ({
    ...base,
    status,
    deadline: at(deadlineHours),
    escalationLevel,
  });

  it("nothing is due before the deadline", () => {
    expect(deadlineActionDue(order("open", 1, 0), now)).toBeNull();
  });

  it("level 1 is due at the deadline", () => {
    expect(deadlineActionDue(order("open", 0, 0), now)).toBe(1);
  });

  it("level 2 is due once the grace period after the deadline has passed", () => {
    expect(deadlineActionDue(order("open", -71, 1), now)).toBeNull();
    expect(deadlineActionDue(order("open", -72, 1), now)).toBe(2);
  });

  it("raises one level at a time, so the reminder is never skipped", () => {
    expect(deadlineActionDue(order("open", -500, 0), now)).toBe(1);
  });

  it("nothing is due beyond level 2, nor for a submitted or closed order", () => {
    expect(deadlineActionDue(order("open", -500, 2), now)).toBeNull();
    expect(deadlineActionDue(order("submitted", -500, 0), now)).toBeNull();
    expect(deadlineActionDue(order("closed", -500, 1), now)).toBeNull();
  });

  it("property: an escalation is due exactly when orderPhase says escalate", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<RectificationStatus>("open", "submitted", "closed"),
        fc.integer({ min: -1000 * 3600, max: 1000 * 3600 }),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 1, max: 240 }),
        (status, deadlineSeconds, escalationLevel, escalateAfterHours) => {
          const o = {
            ...base,
            status,
            deadline: iso(new Date(now.getTime() + deadlineSeconds * 1000)),
            escalationLevel,
            escalateAfterHours,
          };
          const due = deadlineActionDue(o, now);
          expect(due !== null).toBe(orderPhase(o, now).phase === "escalate");
          if (due !== null) expect(due).toBe(escalationLevel + 1);
        },
      ),
    );
  });
});

describe("四眼销号: a critical order closes only after two accepts by two different reviewers", () => {
  const submitted: Order = { ...base, severity: "critical", status: "submitted" };
  const accept = { decision: "accept" as const, comment: "整改到位" };

  it("the first accept leaves it submitted with one accept; the same reviewer again is refused", () => {
    const first = reviewOrder(submitted, "r1", accept, now);
    expect(first.order.status).toBe("submitted");
    expect(first.order.accepts).toHaveLength(1);
    expect(() => reviewOrder(first.order, "r1", accept, later(1))).toThrow(ConflictError);
    const second = reviewOrder(first.order, "r2", accept, later(1));
    expect(second.order.status).toBe("closed");
    expect(second.order.closedAt).toBe(at(1));
  });

  it("a minor or major order closes on one accept", () => {
    expect(reviewOrder({ ...submitted, severity: "major" }, "r1", accept, now).order.status).toBe("closed");
  });

  it("a reject after one accept reopens it and clears the accepts", () => {
    const first = reviewOrder(submitted, "r1", accept, now);
    const rejected = reviewOrder(
      first.order,
      "r2",
      { decision: "reject", comment: "不到位", deadline: at(48) },
      now,
    );
    expect(rejected.order.status).toBe("open");
    expect(rejected.order.accepts).toEqual([]);
  });
});

describe("the record of lateness is kept", () => {
  it("rejecting an overdue, escalated order reopens it green but keeps everOverdue and maxEscalationLevel", () => {
    let o: Order = { ...base, deadline: at(-100) };
    o = escalateOrder(o, 1, now).order;
    o = escalateOrder(o, 2, now).order;
    o = reportOrder(o, "unit", now).order;
    const reopened = reviewOrder(
      o,
      "r",
      { decision: "reject", comment: "返工", deadline: at(48) },
      now,
    ).order;
    expect(reopened.escalationLevel).toBe(0);
    expect(trafficLight(reopened.deadline, reopened.status, now)).toBe("yellow");
    expect(lateness(reopened, now)).toEqual({ everOverdue: true, maxEscalationLevel: 2, closedLate: false });
    const resubmitted = reportOrder(reopened, "unit", later(1)).order;
    const closed = reviewOrder(resubmitted, "r", { decision: "accept", comment: "好" }, later(2)).order;
    expect(lateness(closed, later(2))).toEqual({
      everOverdue: true,
      maxEscalationLevel: 2,
      closedLate: true,
    });
  });

  it("an order reported and closed on time was never overdue", () => {
    const reported = reportOrder(base, "unit", now).order;
    const closed = reviewOrder(reported, "r", { decision: "accept", comment: "好" }, later(1)).order;
    expect(lateness(closed, later(1))).toEqual({
      everOverdue: false,
      maxEscalationLevel: 0,
      closedLate: false,
    });
  });

  it("property: no sequence of steps lowers maxEscalationLevel or clears everOverdue", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("escalate", "report", "accept", "reject", "extend"), { maxLength: 12 }),
        (steps) => {
          let o: Order = { ...base, deadline: at(-1) };
          let t = 0;
          let seenOverdue = false;
          let maxLevel = 0;
          for (const step of steps) {
            t += 1;
            const when = later(t);
            seenOverdue ||= isOverdue(o.deadline, o.status, when);
            try {
              if (step === "escalate") {
                const due = deadlineActionDue(o, when);
                if (due === 1 || due === 2) o = escalateOrder(o, due, when).order;
              } else if (step === "report") o = reportOrder(o, "u", when).order;
              else if (step === "accept")
                o = reviewOrder(o, `r${t}`, { decision: "accept", comment: "" }, when).order;
              else if (step === "reject")
                o = reviewOrder(
                  o,
                  "r",
                  { decision: "reject", comment: "", deadline: at(t + 48) },
                  when,
                ).order;
              else {
                const asked = requestExtension(
                  o,
                  { requestId: `e${t}`, by: "u", reason: "理由", requestedDeadline: at(t + 500) },
                  when,
                );
                o = decideExtension(
                  asked.order,
                  `e${t}`,
                  { by: "o", decision: "approve", comment: "" },
                  when,
                ).order;
              }
            } catch (error) {
              if (!(error instanceof ConflictError) && !(error instanceof RuleViolationError)) throw error;
            }
            maxLevel = Math.max(maxLevel, o.escalationLevel);
            const kept = lateness(o, when);
            expect(kept.maxEscalationLevel).toBeGreaterThanOrEqual(maxLevel);
            if (seenOverdue) expect(kept.everOverdue).toBe(true);
          }
        },
      ),
    );
  });
});

describe("延期: extension requests and decisions", () => {
  const ask = (o: Order, requestedDeadline: string, when = now, requestId = "e1") =>
    requestExtension(o, { requestId, by: "unit-user", reason: "材料未到货", requestedDeadline }, when);

  it("a request before the deadline is pending; approval moves the deadline and keeps the original", () => {
    const asked = ask(base, at(24 * 20));
    expect(asked.request.status).toBe("pending");
    const approved = decideExtension(
      asked.order,
      "e1",
      { by: "org", decision: "approve", comment: "同意" },
      now,
    );
    expect(approved.order.deadline).toBe(at(24 * 20));
    expect(approved.order.originalDeadline).toBe(base.deadline);
    expect(approved.order.history.at(-1)).toMatchObject({
      action: "extension_approved",
      previousDeadline: base.deadline,
      deadline: at(24 * 20),
    });
  });

  it("the approver may choose another date, later than the current deadline", () => {
    const asked = ask(base, at(24 * 20));
    const approved = decideExtension(
      asked.order,
      "e1",
      { by: "o", decision: "approve", comment: "", deadline: at(24 * 15) },
      now,
    );
    expect(approved.order.deadline).toBe(at(24 * 15));
    expect(() =>
      decideExtension(
        asked.order,
        "e1",
        { by: "o", decision: "approve", comment: "", deadline: at(24 * 5) },
        now,
      ),
    ).toThrow(RuleViolationError);
  });

  it("refuses a request at or after the deadline, a second pending one, or one past maxExtensions", () => {
    expect(() => ask(base, at(24 * 20), new Date(Date.parse(base.deadline)))).toThrow(ConflictError);
    const asked = ask(base, at(24 * 20));
    expect(() => ask(asked.order, at(24 * 30), now, "e2")).toThrow(ConflictError);
    const approved = decideExtension(
      asked.order,
      "e1",
      { by: "o", decision: "approve", comment: "" },
      now,
    ).order;
    expect(() => ask(approved, at(24 * 30), now, "e2")).toThrow(/延期次数已用完/);
    const two = { ...base, maxExtensions: 2 };
    const first = decideExtension(
      ask(two, at(24 * 20)).order,
      "e1",
      { by: "o", decision: "approve", comment: "" },
      now,
    ).order;
    expect(ask(first, at(24 * 30), now, "e2").request.status).toBe("pending");
  });

  it("refuses a requested date before the current deadline (422), and an order not open (409)", () => {
    expect(() => ask(base, at(24 * 5))).toThrow(RuleViolationError);
    expect(() => ask({ ...base, status: "submitted" }, at(24 * 20))).toThrow(ConflictError);
  });

  it("deciding an unknown request is 404, a decided one 409; a refusal keeps the deadline", () => {
    const asked = ask(base, at(24 * 20));
    expect(() =>
      decideExtension(asked.order, "nope", { by: "o", decision: "refuse", comment: "" }, now),
    ).toThrow(NotFoundError);
    const refused = decideExtension(
      asked.order,
      "e1",
      { by: "o", decision: "refuse", comment: "理由不足" },
      now,
    );
    expect(refused.order.deadline).toBe(base.deadline);
    expect(refused.order.extensionRequests?.[0]).toMatchObject({
      status: "refused",
      comment: "理由不足",
      decidedBy: "o",
    });
    expect(() =>
      decideExtension(refused.order, "e1", { by: "o", decision: "approve", comment: "" }, now),
    ).toThrow(ConflictError);
  });

  it("after an approved extension the order's timer points at the new deadline, not the old one", () => {
    const o: Order = { ...base, deadline: at(48), reminder: undefined };
    const approved = decideExtension(
      ask(o, at(24 * 20)).order,
      "e1",
      { by: "o", decision: "approve", comment: "" },
      now,
    ).order;
    // At the old deadline nothing is due any more; at the new one the 催办 is.
    expect(deadlineActionDue({ ...approved, reminder: undefined }, later(48))).toBeNull();
    expect(deadlineActionDue({ ...approved, reminder: undefined }, later(24 * 20))).toBe(1);
    expect(orderPhase({ ...approved, reminder: undefined }, now)).toEqual({
      phase: "await_report_until",
      timerSeconds: 24 * 20 * 3600,
    });
  });
});

describe("临期提醒: one working day before the deadline", () => {
  it("is due one working day before; then the 催办 at the deadline", () => {
    const deadline = "2026-03-10T16:00:00.000Z"; // 24:00 CST, Tuesday 10 March 2026
    const issued = new Date("2026-03-02T02:00:00.000Z");
    const { reminder } = reminderFor(deadline, issued);
    expect(reminder?.at).toBe("2026-03-09T16:00:00.000Z"); // 00:00 CST Tuesday: one working day left
    const o: Order = { ...base, deadline, reminder };
    expect(deadlineActionDue(o, new Date("2026-03-09T15:59:59.999Z"))).toBeNull();
    expect(deadlineActionDue(o, new Date("2026-03-09T16:00:00.000Z"))).toBe("remind");
    const reminded = remindOrder(o, new Date("2026-03-09T16:00:00.000Z")).order;
    expect(deadlineActionDue(reminded, new Date("2026-03-09T17:00:00.000Z"))).toBeNull();
    expect(deadlineActionDue(reminded, new Date(deadline))).toBe(1);
  });

  it("none when the deadline is nearer than a working day when the order is made", () => {
    expect(
      reminderFor("2026-03-10T16:00:00.000Z", new Date("2026-03-10T01:00:00.000Z")).reminder,
    ).toBeUndefined();
  });

  it("property: the reminder falls on a working day, before the deadline", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 700 }), fc.integer({ min: 0, max: 23 }), (days, hour) => {
        const deadline = new Date(Date.UTC(2025, 0, 1 + days, hour));
        const { reminder } = reminderFor(deadline.toISOString(), new Date(Date.UTC(2024, 0, 1)));
        expect(reminder).toBeDefined();
        const at = new Date(reminder?.at ?? "");
        expect(at.getTime()).toBeLessThan(deadline.getTime());
        expect(isWorkingDay(chinaDay(at))).toBe(true);
      }),
    );
  });
});

describe("a new order (整改通知)", () => {
  const plan = { rectifyWithinDays: 7 };
  const path = "body.issues.0.deadline";

  it("takes its deadline from the problem's date, working days, days, then the spot check's", () => {
    expect(newOrderDeadline({ deadline: at(30) }, plan, now, now, path)).toEqual({
      deadline: at(30),
      approximate: false,
    });
    expect(
      newOrderDeadline({ rectifyWithinDays: 2 }, { ...plan, rectifyWithinWorkdays: 5 }, now, now, path),
    ).toEqual({
      deadline: at(48),
      approximate: false,
    });
    expect(newOrderDeadline({}, plan, now, now, path)).toEqual({ deadline: at(24 * 7), approximate: false });
    // Monday 2022-01-10: one working day from a capture on Friday 2022-01-07 ends Monday 24:00 CST.
    const friday = new Date("2022-01-07T02:00:00.000Z");
    expect(newOrderDeadline({ rectifyWithinWorkdays: 1 }, plan, now, friday, path)).toEqual({
      deadline: "2022-01-10T16:00:00.000Z",
      approximate: false,
    });
    expect(newOrderDeadline({}, { ...plan, rectifyWithinWorkdays: 1 }, now, friday, path).deadline).toBe(
      "2022-01-10T16:00:00.000Z",
    );
  });

  it("refuses a date not ahead within a year, at the problem's path", () => {
    expect(() => newOrderDeadline({ deadline: at(0) }, plan, now, now, path)).toThrow(RuleViolationError);
    try {
      newOrderDeadline({ deadline: at(24 * 400) }, plan, now, now, path);
      expect.unreachable();
    } catch (error) {
      expect((error as RuleViolationError).errors).toEqual([{ path, message: "须在今后一年之内" }]);
    }
  });

  it("is open, unescalated, reminded one working day before its deadline, and issued in its history", () => {
    const order = issueOrder(
      { severity: "critical", deadline: at(24 * 10), approximate: false, escalateAfterHours: 48 },
      "insp-1",
      now,
    );
    expect(order).toEqual({
      status: "open",
      severity: "critical",
      deadline: at(24 * 10),
      escalationLevel: 0,
      escalateAfterHours: 48,
      maxExtensions: 1,
      reminder: { at: reminderFor(at(24 * 10), now).reminder?.at },
      history: [{ at: iso(now), actor: "insp-1", action: "issued", deadline: at(24 * 10) }],
      createdAt: iso(now),
    });
    expect(orderPhase(order, now).phase).toBe("await_report_until");
  });

  it("has no reminder when its deadline is nearer than a working day, and keeps an approximate count", () => {
    const order = issueOrder(
      { severity: "minor", deadline: at(2), approximate: true, escalateAfterHours: 72, maxExtensions: 3 },
      "insp-1",
      now,
    );
    expect(order.reminder).toBeUndefined();
    expect(order.calendarApproximate).toBe(true);
    expect(order.maxExtensions).toBe(3);
  });
});

describe("what a closed order counts as (销号 statistics)", () => {
  const closed: Order = { ...base, status: "closed", closedAt: at(1) };
  it("closed on time, or late, from its kept record", () => {
    expect(closedCountsOf(closed)).toEqual(["closed", "closedOnTime"]);
    expect(closedCountsOf({ ...closed, closedLate: true })).toEqual(["closed", "closedLate"]);
    // Closed before closedLate was kept: a late report counts.
    expect(closedCountsOf({ ...closed, lateReported: true })).toEqual(["closed", "closedLate"]);
  });

  it("reminded (催办) and escalated (问责) by the highest level it reached, even after a reset", () => {
    expect(closedCountsOf({ ...closed, closedLate: true, maxEscalationLevel: 1 })).toEqual([
      "closed",
      "closedLate",
      "closedReminded",
    ]);
    expect(
      closedCountsOf({ ...closed, closedLate: true, escalationLevel: 0, maxEscalationLevel: 2 }),
    ).toEqual(["closed", "closedLate", "closedReminded", "closedEscalated"]);
    expect(closedCountsOf({ ...closed, escalationLevel: 2 })).toContain("closedEscalated");
  });
});
