import { UPLOAD_PREFIX } from "../domain/evidence";
import { IMPORT_PREFIX, IMPORT_RESULTS_PREFIX } from "../domain/imports";
import type { WorkflowTask } from "./contract";

/**
 * The Lambda task handlers of the inspection workflow and the scheduled jobs, written once: the CDK
 * constructs create one function per entry and the local runtime runs the same modules.
 * `handler` is a module under `lambdas/handlers/` exporting `handler`.
 */
export interface TaskSpec {
  readonly handler: string;
  /** Publishes reminders and escalations to the notification topic. */
  readonly publishes?: boolean;
  /** Completes its own callback token (SendTaskSuccess) when the awaited step is already done. */
  readonly completesCallbacks?: boolean;
  /** Starts workflow executions. */
  readonly startsExecutions?: boolean;
}

export const workflowTasks = {
  /** Reads the assignment and says what the execution waits for next (findings, follow-up, done). */
  prepareAssignment: { handler: "workflow/prepare-assignment" },
  /** Stores a callback task token on the assignment or order; completes it at once if the step is already done. */
  registerCallback: { handler: "workflow/register-callback", completesCallbacks: true },
  /** At `window.end` with no findings: the assignment is `missed`. */
  markMissed: { handler: "workflow/mark-missed" },
  /** Tells the inspected unit of its rectification orders (整改通知); lists the orders and what each waits for. */
  notifyOrders: { handler: "workflow/notify-orders", publishes: true },
  /** Deadline passed: level 1 reminder (催办), after the grace period level 2 accountability (问责). */
  escalateOrder: { handler: "workflow/escalate-order", publishes: true },
  /** Every order closed (销号): the assignment closes; the execution ends. */
  closeAssignment: { handler: "workflow/close-assignment" },
} as const satisfies Record<WorkflowTask, TaskSpec>;

/** Jobs run on a schedule (EventBridge in the cloud, a timer in the local runtime). */
export const scheduledJobs = {
  /**
   * Transactional outbox: starts the executions of drawn assignments whose start did not complete
   * (a crash between the draw's commit and StartExecution). StartExecution is idempotent by name.
   */
  dispatchPending: { handler: "jobs/dispatch-pending", startsExecutions: true, rateMinutes: 5 },
  /** Delivers workflow resumes that failed after the API had committed the change they report. */
  resumePending: { handler: "jobs/resume-pending", completesCallbacks: true, rateMinutes: 5 },
} as const satisfies Record<string, TaskSpec & { rateMinutes: number }>;

/**
 * The change relay, fed by the table's change stream (DynamoDB Streams in the cloud, a poller of
 * DynamoDB Local's stream in the local runtime) with the changes `relayedChanges` selects: it
 * resumes waiting callback tasks and starts the executions of a draw, so no API handler talks to
 * Step Functions.
 */
export const changeRelay = {
  handler: "workflow/relay-changes",
  startsExecutions: true,
  completesCallbacks: true,
  /** Tells each team of its assignment when a draw is dispatched (督查任务派发). */
  publishes: true,
} as const satisfies TaskSpec;

/**
 * The check of every evidence upload, run by the evidence bucket's own upload event (S3 event
 * notifications in the cloud, the local object store's events on this machine) for the objects
 * under `prefix`, never on the client's word.
 */
export const uploadCheck = { handler: "evidence/verify-upload", prefix: UPLOAD_PREFIX } as const;

/**
 * The run of every spreadsheet import, started by the evidence bucket's own upload event for the
 * files under `prefix` (the same way as the upload check, never through the API): it validates the
 * whole file, then writes units or people, and leaves the workbook of the temporary passwords of
 * the accounts it created under `resultsPrefix`.
 */
export const importRunner = {
  handler: "imports/run-import",
  prefix: IMPORT_PREFIX,
  resultsPrefix: IMPORT_RESULTS_PREFIX,
} as const;
