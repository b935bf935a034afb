import { assignmentStore } from "../../services/context";
import { assignmentStep } from "../../services/steps";
import { assignmentInput, workflowTask } from "../../workflow/task";

/**
 * What the execution waits for next, read from the assignment itself — so an execution started
 * again from the top (after a crash of the local runner) lands where the data says it is.
 */
async function prepareAssignment({ assignmentId }: { assignmentId: string }, now: Date) {
  const a = await assignmentStore.getAssignment(assignmentId);
  if (!a) throw new Error(`Assignment ${assignmentId} does not exist`);
  return assignmentStep(a, now);
}

export const handler = workflowTask(assignmentInput, prepareAssignment);
