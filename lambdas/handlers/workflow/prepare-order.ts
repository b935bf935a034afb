import { orderPhase } from "../../domain/deadlines";
import { store } from "../../services/context";
import { orderInput, waitSeconds, workflowTask } from "../../workflow/task";

/** What one rectification order waits for next, read from the order (report, review, escalation, closed). */
async function prepareOrder({ rectificationId }: { rectificationId: string }, now: Date) {
  const r = await store.getRectification(rectificationId);
  if (!r) throw new Error(`Rectification order ${rectificationId} does not exist`);
  const phase = orderPhase(r, now);
  return {
    phase: phase.phase,
    timerSeconds: phase.phase === "await_report_until" ? waitSeconds(phase.timerSeconds) : 1,
  };
}

export const handler = workflowTask(orderInput, prepareOrder);
