import { assignmentPhase } from "../../domain/deadlines";
import { assignmentStore } from "../../services/context";
import { assignmentStep } from "../../services/steps";
import { assignmentInput, workflowTask } from "../../workflow/task";

/**
 * `window.end` came with no findings: the inspection is marked missed, not forgotten. The time is
 * checked again here, so a timer that fired early (or a replay) changes nothing. Returns what the
 * assignment waits for next.
 */
async function markMissed({ assignmentId }: { assignmentId: string }, now: Date) {
  const a = await assignmentStore.getAssignment(assignmentId);
  if (!a) throw new Error(`Assignment ${assignmentId} does not exist`);
  if (assignmentPhase({ status: a.status, windowEnd: a.window.end }, now).phase !== "mark_missed") {
    return assignmentStep(a, now);
  }
  const at = now.toISOString();
  await assignmentStore.advanceAssignment(
    assignmentId,
    ["dispatched", "on_site"],
    "missed",
    at,
    { entityId: assignmentId, actor: "workflow", action: "missed", at, detail: { windowEnd: a.window.end } },
    { missedAt: at },
  );
  const after = await assignmentStore.getAssignment(assignmentId);
  return assignmentStep(after ?? a, now);
}

export const handler = workflowTask(assignmentInput, markMissed);
