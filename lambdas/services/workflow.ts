import { SendTaskSuccessCommand, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { sfnClient } from "../shared/aws";
import { optionalEnv } from "../shared/config";
import { logger } from "../shared/logger";

/**
 * Errors that mean the token is no longer waiting: the step was resumed already, timed out, or the
 * execution moved on. The database already holds the change and the workflow re-reads it at its next
 * step, so such a late or repeated resume is harmless and is not retried.
 */
const GONE = new Set(["TaskDoesNotExist", "TaskTimedOut", "InvalidToken"]);

/** Resumes a waiting workflow step after the database change it waited for has been committed. */
export async function resumeWorkflow(taskToken: string | undefined, output: object): Promise<void> {
  if (!taskToken) return;
  try {
    await sfnClient.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    if (GONE.has(name)) {
      logger.info("Workflow step was no longer waiting for this token", { reason: name });
      return;
    }
    throw error;
  }
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
