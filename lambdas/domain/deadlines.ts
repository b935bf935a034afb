/**
 * Deadlines, traffic lights and escalation (催办、预警、问责) of rectification orders, and what the
 * workflows wait for next. Pure functions of the stored state and `now`; times are ISO 8601 strings.
 */

export type Light = "green" | "yellow" | "red";
export type RectificationStatus = "open" | "submitted" | "closed";

/** With this many days or fewer left, an open order shows yellow. */
export const DUE_SOON_DAYS = 3;

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

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
 * Whether the deadline has passed (reached) while the order is not closed. A report submitted late
 * still counts as late, so `submitted` can be overdue.
 */
export function isOverdue(deadline: string, status: RectificationStatus, now: Date): boolean {
  return status !== "closed" && now.getTime() >= parseTime(deadline);
}

/** closed → green; overdue → red; 3 days or less left → yellow; else green. */
export function trafficLight(deadline: string, status: RectificationStatus, now: Date): Light {
  if (status === "closed") return "green";
  if (isOverdue(deadline, status, now)) return "red";
  return parseTime(deadline) - now.getTime() <= DUE_SOON_DAYS * DAY_MS ? "yellow" : "green";
}

/** What a rectification order's workflow waits for next. */
export type OrderPhase =
  | { readonly phase: "closed" }
  | { readonly phase: "await_review" }
  | { readonly phase: "await_report_until"; readonly timerSeconds: number } // wait for the report, escalate when the timer fires
  | { readonly phase: "await_report" } // escalated to level 2: wait without a timer
  | { readonly phase: "escalate" }; // an escalation is due now

/** The state of a rectification order that its deadlines depend on. */
export interface OrderState {
  readonly status: RectificationStatus;
  readonly deadline: string;
  readonly escalationLevel: number;
  readonly escalateAfterHours: number;
}

/**
 * When an open order at its current level should be raised to the next level: level 0 at the
 * deadline (催办), level 1 `escalateAfterHours` after it (问责); level 2 is the last, so none.
 */
function nextEscalationMs(order: OrderState): number | null {
  if (order.escalationLevel <= 0) return parseTime(order.deadline);
  if (order.escalationLevel === 1) return parseTime(order.deadline) + order.escalateAfterHours * HOUR_MS;
  return null;
}

/**
 * closed → closed; submitted → await_review; open: escalate when the next escalation time has come,
 * else wait for the report until it (no timer once at level 2).
 */
export function orderPhase(order: OrderState, now: Date): OrderPhase {
  if (order.status === "closed") return { phase: "closed" };
  if (order.status === "submitted") return { phase: "await_review" };
  const next = nextEscalationMs(order);
  if (next === null) return { phase: "await_report" };
  if (next <= now.getTime()) return { phase: "escalate" };
  return { phase: "await_report_until", timerSeconds: timerSecondsUntil(next, now) };
}

/**
 * The level an open order should be raised to now (1 or 2), or null if none is due. Raises one level
 * at a time, so the overdue reminder (level 1) is never skipped: an order found at level 0 long after
 * its grace period gets 1 now, and 2 on the next call. Non-null exactly when `orderPhase` says escalate.
 */
export function escalationDue(order: OrderState, now: Date): number | null {
  if (order.status !== "open") return null;
  const next = nextEscalationMs(order);
  if (next === null || next > now.getTime()) return null;
  return order.escalationLevel <= 0 ? 1 : 2;
}

export type AssignmentStatus = "dispatched" | "on_site" | "scored" | "rectifying" | "closed" | "missed";

export type AssignmentPhase =
  | { readonly phase: "await_findings"; readonly timerSeconds: number }
  | { readonly phase: "mark_missed" }
  | { readonly phase: "follow_up" }
  | { readonly phase: "done" };

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
      const end = parseTime(a.windowEnd);
      if (end <= now.getTime()) return { phase: "mark_missed" };
      return { phase: "await_findings", timerSeconds: timerSecondsUntil(end, now) };
    }
    case "scored":
    case "rectifying":
      return { phase: "follow_up" };
    case "closed":
    case "missed":
      return { phase: "done" };
  }
}

/** The statuses of a rectification order as people read them. */
export const RECTIFICATION_STATUS_NAMES: Readonly<Record<"open" | "submitted" | "closed", string>> = {
  open: "待整改",
  submitted: "已报告待复核",
  closed: "已销号",
};
