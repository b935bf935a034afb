import { createHash } from "node:crypto";
import { SendTaskFailureCommand, SendTaskSuccessCommand, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { optionalEnv } from "../shared/config";
import { logger } from "../shared/logger";
import { sfnClient } from "../shared/sfn";
import { CALLBACK_CONTINUES, type CallbackKind, STEP_CHANGED } from "../workflow/contract";
import { assignmentStore, callbackStore, rectificationStore } from "./context";
import { assignmentStep, isAwaited, orderStep } from "./steps";

/**
 * Errors that mean the token is no longer waiting: the step was resumed already, timed out, or the
 * execution moved on. The database already holds the change and the workflow re-reads it at its next
 * step, so such a late or repeated resume is harmless and is not retried.
 */
const GONE = new Set(["TaskDoesNotExist", "TaskTimedOut", "InvalidToken"]);

/**
 * Resumes a waiting workflow step after the database change it waited for has been committed,
 * handing it the step that comes next: as the task's output when that is the step's usual
 * successor, otherwise as a `StepChanged` failure the workflow routes on (see `CALLBACK_CONTINUES`).
 * If Step Functions cannot be reached, the resume is kept for the scheduled resume job to retry
 * (the change itself was committed long before); the waiting step's own timer is the last safety net.
 */
export async function resumeWorkflow(
  taskToken: string,
  kind: CallbackKind,
  step: { readonly phase: string },
): Promise<void> {
  const output = JSON.stringify(step);
  const error = step.phase === CALLBACK_CONTINUES[kind] ? undefined : STEP_CHANGED;
  try {
    await sendResume(taskToken, output, error);
  } catch (failure) {
    logger.warn("Resuming the workflow failed; kept for the resume job", {
      error: failure instanceof Error ? failure.name : String(failure),
    });
    await callbackStore.putPendingResume(
      tokenHash(taskToken),
      taskToken,
      output,
      error,
      new Date().toISOString(),
    );
  }
}

/**
 * Completes a waiting callback task once its human step has happened: reads the entity it waits on
 * (strongly consistent) and, unless the entity is still in a status the wait is for, resumes the
 * task with the step that follows. The workflow calls this right after storing a token, and the
 * change relay after a committed change; whichever runs second sees the other's write. The entity's
 * current state decides, not the change that triggered the check, so a late or repeated trigger
 * cannot complete a later wait of the same entity. A report wait armed for a deadline that has since
 * moved (an approved extension) is resumed too, so that its timer is armed again for the new one.
 * True while the wait goes on.
 */
export async function settleWait(
  kind: CallbackKind,
  entityId: string,
  taskToken: string,
  now: Date,
  armedFor?: string,
): Promise<boolean> {
  if (kind === "findings") {
    const a = await assignmentStore.getAssignment(entityId);
    if (!a) throw new Error(`Assignment ${entityId} does not exist`);
    if (isAwaited(kind, a.status)) return true;
    await resumeWorkflow(taskToken, kind, assignmentStep(a, now));
  } else {
    const r = await rectificationStore.getRectification(entityId);
    if (!r) throw new Error(`Rectification order ${entityId} does not exist`);
    const stale = kind === "report" && armedFor !== undefined && armedFor !== r.deadline;
    if (isAwaited(kind, r.status) && !stale) return true;
    await resumeWorkflow(taskToken, kind, orderStep(r, now));
  }
  return false;
}

/**
 * Sends one resume (a success with `output`, or with `error` a failure whose cause is `output`);
 * true when it was delivered or is no longer wanted (the token is gone).
 */
export async function sendResume(taskToken: string, output: string, error?: string): Promise<boolean> {
  try {
    if (error === undefined) await sfnClient.send(new SendTaskSuccessCommand({ taskToken, output }));
    else await sfnClient.send(new SendTaskFailureCommand({ taskToken, error, cause: output }));
    return true;
  } catch (failure) {
    const name = failure instanceof Error ? failure.name : "";
    if (GONE.has(name)) {
      logger.info("Workflow step was no longer waiting for this token", { reason: name });
      return true;
    }
    throw failure;
  }
}

export function tokenHash(taskToken: string): string {
  return createHash("sha256").update(taskToken).digest("hex");
}

export async function startInspection(assignmentId: string): Promise<void> {
  const stateMachineArn = optionalEnv("STATE_MACHINE_ARN");
  if (!stateMachineArn) throw new Error("STATE_MACHINE_ARN is not configured for this function");
  try {
    // The execution name is the assignment id: a repeated start with the same input is a no-op.
    await sfnClient.send(
      new StartExecutionCommand({
        stateMachineArn,
        name: assignmentId,
        input: JSON.stringify({ assignmentId }),
      }),
    );
  } catch (error) {
    if (error instanceof Error && error.name === "ExecutionAlreadyExists") return;
    throw error;
  }
}
