import { describe, expect, it } from "vitest";
import {
  addDays,
  assignmentPhase,
  MAX_HORIZON_DAYS,
  windowEnded,
  windowProblems,
  withinHorizon,
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

describe("the window's end", () => {
  it("is reached at its exact instant, as the workflow marks the assignment missed", () => {
    expect(windowEnded(at(0), now)).toBe(true);
    expect(windowEnded(iso(new Date(now.getTime() + 1)), now)).toBe(false);
    expect(windowEnded(at(-1), now)).toBe(true);
    expect(
      assignmentPhase({ status: "on_site", windowEnd: iso(new Date(now.getTime() + 1)) }, now).phase,
    ).toBe("await_findings");
  });
});

describe("times set ahead", () => {
  it("lie after now and at most a year ahead, both ends exact", () => {
    const horizon = now.getTime() + MAX_HORIZON_DAYS * 24 * HOUR;
    expect(withinHorizon(at(0), now)).toBe(false);
    expect(withinHorizon(iso(new Date(now.getTime() + 1)), now)).toBe(true);
    expect(withinHorizon(iso(new Date(horizon)), now)).toBe(true);
    expect(withinHorizon(iso(new Date(horizon + 1)), now)).toBe(false);
  });

  it("a planned window: its end ahead within a year, its start before its end (Chinese messages by field)", () => {
    expect(windowProblems({ start: at(1), end: at(48) }, now)).toEqual([]);
    expect(windowProblems({ start: at(-48), end: at(-1) }, now)).toEqual([
      { path: "body.window.end", message: "须在今后一年之内" },
    ]);
    expect(windowProblems({ start: at(48), end: at(48) }, now)).toEqual([
      { path: "body.window.start", message: "须早于结束时间" },
    ]);
    expect(windowProblems({ start: at(1), end: at(24 * 400) }, now)).toEqual([
      { path: "body.window.end", message: "须在今后一年之内" },
    ]);
  });
});
