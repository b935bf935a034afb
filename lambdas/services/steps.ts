import { keys } from "../data/keys";
import type { AssignmentRecord, CallbackKind, RectificationRecord } from "../data/records";
import { assignmentPhase } from "../domain/deadlines";
import { orderPhase } from "../domain/rectification-order";

/**
 * What the workflow does next, computed from the stored record. Whoever moves a record on — the
 * API after a human step, a task after a timer — hands the workflow this step, so the state machine
 * routes on it at once instead of spending a transition on reading it back.
 */

/**
 * The longest single wait the workflow arms, and the wait of the steps with no deadline (a review,
 * a report after accountability). A longer deadline is reached in steps: when the timer fires early
 * the escalation/missed step finds nothing due and arms the next one. The bound is also the safety
 * net of a lost resume (the process died between its commit and `SendTaskSuccess`): within it the
 * workflow re-reads the record and moves on by itself.
 */
export const MAX_WAIT_SECONDS = 7 * 24 * 60 * 60;

export function waitSeconds(seconds: number): number {
  return Math.max(1, Math.min(MAX_WAIT_SECONDS, Math.ceil(seconds)));
}

export type { CallbackKind };

/**
 * What each callback task waits on: the entity (its key by id) and the statuses in which the human
 * step is still awaited. A change of that entity out of those statuses is what resumes the task —
 * the table's change stream is filtered on exactly these transitions (`relayedChanges`).
 */
export const CALLBACK_WAITS = {
  findings: { entity: keys.assignment, awaited: ["dispatched", "on_site"] },
  report: { entity: keys.rect, awaited: ["open"] },
  review: { entity: keys.rect, awaited: ["submitted"] },
} as const satisfies Record<
  CallbackKind,
  { entity: (id: string) => { pk: string; sk: string }; awaited: readonly string[] }
>;

export function isAwaited(kind: CallbackKind, status: string): boolean {
  const awaited: readonly string[] = CALLBACK_WAITS[kind].awaited;
  return awaited.includes(status);
}

/**
 * The step each callback task goes on to when it succeeds: findings lead to the orders' follow-up,
 * a report to its review (回头看), an accepted review ends the order (销号). Any other outcome (no
 * issues found, a rejected report, a step that had already moved on) fails the task with
 * `STEP_CHANGED` carrying the step, and the workflow routes on it. Ordinary outcomes thus cost no
 * routing transition, which is most of what Step Functions Standard bills per inspection.
 */
export const CALLBACK_CONTINUES = {
  findings: "follow_up",
  report: "await_review",
  review: "closed",
} as const satisfies Record<CallbackKind, string>;

/** The error a callback task fails with when the step it hands over is not its usual successor. */
export const STEP_CHANGED = "StepChanged";

export interface AssignmentStep {
  readonly phase: "await_findings" | "mark_missed" | "follow_up" | "done";
  readonly timerSeconds: number;
  readonly orders: readonly string[];
}

export function assignmentStep(a: AssignmentRecord, now: Date): AssignmentStep {
  const phase = assignmentPhase({ status: a.status, windowEnd: a.window.end }, now);
  return {
    phase: phase.phase,
    timerSeconds: phase.phase === "await_findings" ? waitSeconds(phase.timerSeconds) : 1,
    orders: a.rectificationIds ?? [],
  };
}

export interface OrderStep {
  readonly phase: "closed" | "await_review" | "await_report_until" | "await_report" | "escalate";
  readonly timerSeconds: number;
  /**
   * The deadline the step was computed against. A report wait is armed with it; when an extension
   * moves the deadline, the wait's timer is stale and the change relay resumes it with a new step.
   */
  readonly deadline: string;
}

export function orderStep(r: RectificationRecord, now: Date): OrderStep {
  const phase = orderPhase(r, now);
  const deadline = r.deadline;
  switch (phase.phase) {
    case "await_report_until":
      return { phase: phase.phase, timerSeconds: waitSeconds(phase.timerSeconds), deadline };
    // No deadline: the wait is only the safety net of a lost resume, so it is the longest one.
    case "await_review":
    case "await_report":
      return { phase: phase.phase, timerSeconds: MAX_WAIT_SECONDS, deadline };
    // Routed on at once; no wait is armed.
    case "closed":
    case "escalate":
      return { phase: phase.phase, timerSeconds: 1, deadline };
  }
}
