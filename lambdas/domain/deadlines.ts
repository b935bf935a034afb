import { ASSIGNMENT_PHASE } from "../workflow/contract";
import type { FieldError } from "./errors";
import type { AssignmentStatus } from "./statuses";

/**
 * The assignment's deadline (its window) and what its workflow waits for next; day arithmetic for
 * deadlines set in days. An order's own deadlines live in rectification-order.ts. Pure functions of
 * the stored state and `now`; times are ISO 8601 strings.
 */

const DAY_MS = 86_400_000;

function parseTime(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`Not a valid time: ${JSON.stringify(iso)}`);
  return ms;
}

/** Seconds from `now` until `atMs`, rounded up and at least 1 (a timer of 0 s would fire before `atMs`). */
function timerSecondsUntil(atMs: number, now: Date): number {
  return Math.max(1, Math.ceil((atMs - now.getTime()) / 1000));
}

/** `from` plus `days` days; `days` may be fractional (0.5 = 12 h). */
export function addDays(from: Date, days: number): Date {
  return new Date(from.getTime() + Math.round(days * DAY_MS));
}

/**
 * How far ahead anyone may set a time (an inspection window's end, an order's deadline): a year, the
 * longest a Standard workflow execution lives.
 */
export const MAX_HORIZON_DAYS = 365;

/** Whether `at` lies after `now` and at most `MAX_HORIZON_DAYS` ahead: the rule of every time set ahead. */
export function withinHorizon(at: string, now: Date): boolean {
  const ms = parseTime(at);
  return ms > now.getTime() && ms <= now.getTime() + MAX_HORIZON_DAYS * DAY_MS;
}

/** What is wrong with a planned inspection window: its end must lie ahead within the horizon, its start before it. */
export function windowProblems(
  window: { readonly start: string; readonly end: string },
  now: Date,
): FieldError[] {
  const problems: FieldError[] = [];
  if (!withinHorizon(window.end, now))
    problems.push({ path: "body.window.end", message: "须在今后一年之内" });
  if (parseTime(window.start) >= parseTime(window.end)) {
    problems.push({ path: "body.window.start", message: "须早于结束时间" });
  }
  return problems;
}

/**
 * The window's end, defined once: from its exact instant on the team can no longer arrive or submit
 * findings, and the workflow marks the assignment missed.
 */
export function windowEnded(windowEnd: string, now: Date): boolean {
  return now.getTime() >= parseTime(windowEnd);
}

export type AssignmentPhase =
  | { readonly phase: typeof ASSIGNMENT_PHASE.awaitFindings; readonly timerSeconds: number }
  | { readonly phase: typeof ASSIGNMENT_PHASE.markMissed }
  | { readonly phase: typeof ASSIGNMENT_PHASE.followUp }
  | { readonly phase: typeof ASSIGNMENT_PHASE.done };

/**
 * dispatched/on_site: wait for findings until `windowEnd`, then mark missed; scored/rectifying:
 * follow up on the rectifications; closed/missed: done.
 */
export function assignmentPhase(
  a: { readonly status: AssignmentStatus; readonly windowEnd: string },
  now: Date,
): AssignmentPhase {
  switch (a.status) {
    case "dispatched":
    case "on_site": {
      if (windowEnded(a.windowEnd, now)) return { phase: ASSIGNMENT_PHASE.markMissed };
      return {
        phase: ASSIGNMENT_PHASE.awaitFindings,
        timerSeconds: timerSecondsUntil(parseTime(a.windowEnd), now),
      };
    }
    case "scored":
    case "rectifying":
      return { phase: ASSIGNMENT_PHASE.followUp };
    case "closed":
    case "missed":
      return { phase: ASSIGNMENT_PHASE.done };
  }
}
