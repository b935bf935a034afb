import type { AssignmentStatus, RectificationStatus } from "../domain/statuses";

/**
 * The inspection workflow's vocabulary, written once for both sides of it: the CDK construct that
 * builds the state machine (lib/constructs/workflow.ts) and the code that runs inside it or talks to
 * it (the domain's phases, the steps in services/steps.ts, the stored callback tokens, the change
 * relay, the local runtime). It imports nothing at run time, so the CDK app reads it at synth without
 * loading handler code or record schemas, and every layer of lambdas/ may import it.
 */

/** What an assignment's workflow does next: RouteAssignment routes on it (`$.prepared.phase`). */
export const ASSIGNMENT_PHASE = {
  /** dispatched / on site: wait for the findings until `window.end`. */
  awaitFindings: "await_findings",
  /** `window.end` passed with no findings. */
  markMissed: "mark_missed",
  /** Findings with issues: follow up on the rectification orders. */
  followUp: "follow_up",
  /** Closed or missed: the execution ends. */
  done: "done",
} as const;
export type AssignmentPhaseName = (typeof ASSIGNMENT_PHASE)[keyof typeof ASSIGNMENT_PHASE];

/** What a rectification order's iteration does next: RouteOrder routes on it (`$.prepared.phase`). */
export const ORDER_PHASE = {
  /** Open: wait for the report until the next deadline step (reminder, 催办, 问责). */
  awaitReportUntil: "await_report_until",
  /** Open after 问责: wait for the report with no deadline step left. */
  awaitReport: "await_report",
  /** Submitted: wait for the review (回头看). */
  awaitReview: "await_review",
  /** A deadline step is due now. */
  escalate: "escalate",
  /** Closed (销号): the iteration ends. */
  closed: "closed",
} as const;
export type OrderPhaseName = (typeof ORDER_PHASE)[keyof typeof ORDER_PHASE];

/** What comes next, as a task hands it to the state machine (`$.prepared` on the assignment's path). */
export interface AssignmentStep {
  readonly phase: AssignmentPhaseName;
  /** The wait of `await_findings` (1 for the others): AwaitFindings' `TimeoutSecondsPath`. */
  readonly timerSeconds: number;
  /** The assignment's orders, for the follow-up. */
  readonly orders: readonly string[];
}

/** What comes next on an order's path (`$.prepared` in the Map's iteration). */
export interface OrderStep {
  readonly phase: OrderPhaseName;
  /** The wait of the step (1 for the ones routed on at once). */
  readonly timerSeconds: number;
  /**
   * The deadline the step was computed against. A report wait is armed with it; when an extension
   * moves the deadline, the wait's timer is stale and the change relay resumes it with a new step.
   */
  readonly deadline: string;
}

/** The human steps the workflow waits for with a callback task (a task token). */
export const CALLBACK_KINDS = ["findings", "report", "review"] as const;
export type CallbackKind = (typeof CALLBACK_KINDS)[number];

/**
 * What each callback task waits on: the entity (by the name of its key in lambdas/data/keys.ts) and
 * the statuses in which the human step is still awaited. A change of that entity out of those
 * statuses is what resumes the task — the table's change stream is filtered on exactly these
 * transitions (`relayedChanges`).
 */
export const CALLBACK_WAITS = {
  findings: { entity: "assignment", awaited: ["dispatched", "on_site"] },
  report: { entity: "rect", awaited: ["open"] },
  review: { entity: "rect", awaited: ["submitted"] },
} as const satisfies {
  readonly findings: { readonly entity: "assignment"; readonly awaited: readonly AssignmentStatus[] };
  readonly report: { readonly entity: "rect"; readonly awaited: readonly RectificationStatus[] };
  readonly review: { readonly entity: "rect"; readonly awaited: readonly RectificationStatus[] };
};

/**
 * The step each callback task goes on to when it succeeds: findings lead to the orders' follow-up,
 * a report to its review (回头看), an accepted review ends the order (销号). Any other outcome (no
 * issues found, a rejected report, a step that had already moved on) fails the task with
 * `STEP_CHANGED` carrying the step, and the workflow routes on it. Ordinary outcomes thus cost no
 * routing transition, which is most of what Step Functions Standard bills per inspection.
 */
export const CALLBACK_CONTINUES = {
  findings: ASSIGNMENT_PHASE.followUp,
  report: ORDER_PHASE.awaitReview,
  review: ORDER_PHASE.closed,
} as const satisfies Record<CallbackKind, AssignmentPhaseName | OrderPhaseName>;

/** The error a callback task fails with when the step it hands over is not its usual successor. */
export const STEP_CHANGED = "StepChanged";

/**
 * The task functions of the state machine, by name (their handlers and permissions are in
 * lambdas/workflow/tasks.ts).
 */
export const WORKFLOW_TASKS = [
  "prepareAssignment",
  "registerCallback",
  "markMissed",
  "notifyOrders",
  "escalateOrder",
  "closeAssignment",
] as const;
export type WorkflowTask = (typeof WORKFLOW_TASKS)[number];

/** Exact state names of the inspection state machine (executions' histories, the bench and the local engine show them). */
export const STATE_NAMES = {
  prepareAssignment: "PrepareAssignment",
  routeAssignment: "RouteAssignment",
  awaitFindings: "AwaitFindings",
  markMissed: "MarkMissed",
  notifyOrders: "NotifyRectificationOrders",
  followUpOrders: "FollowUpOrders",
  routeOrder: "RouteOrder",
  awaitReport: "AwaitReport",
  awaitReportEscalated: "AwaitReportEscalated",
  awaitReview: "AwaitReview",
  escalateOrder: "EscalateOrder",
  orderClosed: "OrderClosed",
  readAssignmentStep: "ReadAssignmentStep",
  readOrderStep: "ReadOrderStep",
  closeAssignment: "CloseAssignment",
  inspectionDone: "InspectionDone",
} as const;
