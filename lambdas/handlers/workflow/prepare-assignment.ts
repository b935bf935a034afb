import { assignmentPhase } from "../../domain/deadlines";
import { store } from "../../services/context";
import { assignmentInput, waitSeconds, workflowTask } from "../../workflow/task";

/**
 * What the execution waits for next, read from the assignment itself — so an execution started
 * again from the top (after a crash of the local runner) lands where the data says it is.
 */
async function prepareAssignment({ assignmentId }: { assignmentId: string }, now: Date) {
  const a = await store.getAssignment(assignmentId);
  if (!a) throw new Error(`Assignment ${assignmentId} does not exist`);
  const phase = assignmentPhase({ status: a.status, windowEnd: a.window.end }, now);
  return {
    phase: phase.phase,
    timerSeconds: phase.phase === "await_findings" ? waitSeconds(phase.timerSeconds) : 1,
    orders: a.rectificationIds ?? [],
  };
}

export const handler = workflowTask(assignmentInput, prepareAssignment);
