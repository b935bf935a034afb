import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addDays,
  assignmentPhase,
  DUE_SOON_DAYS,
  escalationDue,
  isOverdue,
  type OrderState,
  orderPhase,
  type RectificationStatus,
  trafficLight,
} from "../../lambdas/domain/deadlines";

const now = new Date("2022-01-10T08:00:00.000Z");
const iso = (d: Date) => d.toISOString();
const HOUR = 3_600_000;
const at = (hoursFromNow: number) => iso(new Date(now.getTime() + hoursFromNow * HOUR));

describe("addDays", () => {
  it("adds whole and fractional days (0.5 = 12 h)", () => {
    expect(iso(addDays(now, 7))).toBe("2022-01-17T08:00:00.000Z");
    expect(iso(addDays(now, 0.5))).toBe("2022-01-10T20:00:00.000Z");
    expect(iso(addDays(now, -1))).toBe("2022-01-09T08:00:00.000Z");
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
  const open = (deadlineHours: number, escalationLevel: number): OrderState => ({
    status: "open",
    deadline: at(deadlineHours),
    escalationLevel,
    escalateAfterHours: 72,
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

describe("escalationDue", () => {
  const order = (
    status: RectificationStatus,
    deadlineHours: number,
    escalationLevel: number,
  ): OrderState => ({
    status,
    deadline: at(deadlineHours),
    escalationLevel,
    escalateAfterHours: 72,
  });

  it("nothing is due before the deadline", () => {
    expect(escalationDue(order("open", 1, 0), now)).toBeNull();
  });

  it("level 1 is due at the deadline", () => {
    expect(escalationDue(order("open", 0, 0), now)).toBe(1);
  });

  it("level 2 is due once the grace period after the deadline has passed", () => {
    expect(escalationDue(order("open", -71, 1), now)).toBeNull();
    expect(escalationDue(order("open", -72, 1), now)).toBe(2);
  });

  it("raises one level at a time, so the reminder is never skipped", () => {
    expect(escalationDue(order("open", -500, 0), now)).toBe(1);
  });

  it("nothing is due beyond level 2, nor for a submitted or closed order", () => {
    expect(escalationDue(order("open", -500, 2), now)).toBeNull();
    expect(escalationDue(order("submitted", -500, 0), now)).toBeNull();
    expect(escalationDue(order("closed", -500, 1), now)).toBeNull();
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
            status,
            deadline: iso(new Date(now.getTime() + deadlineSeconds * 1000)),
            escalationLevel,
            escalateAfterHours,
          };
          const due = escalationDue(o, now);
          expect(due !== null).toBe(orderPhase(o, now).phase === "escalate");
          if (due !== null) expect(due).toBe(escalationLevel + 1);
        },
      ),
    );
  });
});

describe("assignmentPhase: what an assignment's workflow waits for", () => {
  it("dispatched or on site before the window ends: wait for findings until the window end", () => {
    expect(assignmentPhase({ status: "dispatched", windowEnd: at(2) }, now)).toEqual({
      phase: "await_findings",
      timerSeconds: 7200,
    });
    expect(assignmentPhase({ status: "on_site", windowEnd: at(0.5) }, now)).toEqual({
      phase: "await_findings",
      timerSeconds: 1800,
    });
  });

  it("dispatched or on site once the window has ended: mark missed", () => {
    expect(assignmentPhase({ status: "dispatched", windowEnd: at(0) }, now)).toEqual({
      phase: "mark_missed",
    });
    expect(assignmentPhase({ status: "on_site", windowEnd: at(-1) }, now)).toEqual({ phase: "mark_missed" });
  });

  it("scored or rectifying: follow up the rectifications", () => {
    expect(assignmentPhase({ status: "scored", windowEnd: at(-1) }, now)).toEqual({ phase: "follow_up" });
    expect(assignmentPhase({ status: "rectifying", windowEnd: at(1) }, now)).toEqual({ phase: "follow_up" });
  });

  it("closed or missed: done", () => {
    expect(assignmentPhase({ status: "closed", windowEnd: at(1) }, now)).toEqual({ phase: "done" });
    expect(assignmentPhase({ status: "missed", windowEnd: at(-1) }, now)).toEqual({ phase: "done" });
  });
});
