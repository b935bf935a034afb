/**
 * The Lambda task handlers of the inspection workflow, written once: the CDK workflow construct
 * creates one function per entry and the local runtime runs the same modules.
 * Values are handler modules under `lambdas/handlers/`.
 */
export const workflowTasks = {
  /** Reads the assignment and says what the execution waits for next (findings, follow-up, done). */
  prepareAssignment: "workflow/prepare-assignment",
  /** Stores a callback task token on the assignment or order; completes it at once if the step is already done. */
  registerCallback: "workflow/register-callback",
  /** At `window.end` with no findings: the assignment is `missed`. */
  markMissed: "workflow/mark-missed",
  /** Tells the inspected unit of its rectification orders (整改通知); lists the orders to follow up. */
  notifyOrders: "workflow/notify-orders",
  /** Reads one rectification order and says what it waits for next (report, review, escalation, closed). */
  prepareOrder: "workflow/prepare-order",
  /** Deadline passed: level 1 reminder (催办), after the grace period level 2 accountability (问责). */
  escalateOrder: "workflow/escalate-order",
  /** Every order closed (销号): the assignment closes. */
  closeAssignment: "workflow/close-assignment",
} as const;

export type WorkflowTask = keyof typeof workflowTasks;
