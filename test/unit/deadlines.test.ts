import { describe, expect, it } from "vitest";
import { addDays, assignmentPhase } from "../../lambdas/domain/deadlines";

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
