import { keys } from "../data/keys";
import type { AssignmentRecord, RectificationRecord } from "../data/records";
import { assignmentPhase } from "../domain/deadlines";
import { orderPhase } from "../domain/rectification-order";
import {
  ASSIGNMENT_PHASE,
  type AssignmentStep,
  CALLBACK_WAITS,
  type CallbackKind,
  ORDER_PHASE,
  type OrderStep,
} from "../workflow/contract";

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

/** The key of the entity a callback task of `kind` waits on (where its token is kept beside it). */
export function waitedEntity(kind: CallbackKind, id: string): { pk: string; sk: string } {
  return keys[CALLBACK_WAITS[kind].entity](id);
}

/** Whether the human step a callback task of `kind` waits for is still awaited in `status`. */
export function isAwaited(kind: CallbackKind, status: string): boolean {
  const awaited: readonly string[] = CALLBACK_WAITS[kind].awaited;
  return awaited.includes(status);
}

export function assignmentStep(a: AssignmentRecord, now: Date): AssignmentStep {
  const phase = assignmentPhase({ status: a.status, windowEnd: a.window.end }, now);
  return {
    phase: phase.phase,
    timerSeconds: phase.phase === ASSIGNMENT_PHASE.awaitFindings ? waitSeconds(phase.timerSeconds) : 1,
    orders: a.rectificationIds ?? [],
  };
}

export function orderStep(r: RectificationRecord, now: Date): OrderStep {
  const phase = orderPhase(r, now);
  const deadline = r.deadline;
  switch (phase.phase) {
    case ORDER_PHASE.awaitReportUntil:
      return { phase: phase.phase, timerSeconds: waitSeconds(phase.timerSeconds), deadline };
    // No deadline: the wait is only the safety net of a lost resume, so it is the longest one.
    case ORDER_PHASE.awaitReview:
    case ORDER_PHASE.awaitReport:
      return { phase: phase.phase, timerSeconds: MAX_WAIT_SECONDS, deadline };
    // Routed on at once; no wait is armed.
    case ORDER_PHASE.closed:
    case ORDER_PHASE.escalate:
      return { phase: phase.phase, timerSeconds: 1, deadline };
  }
}
