import { store } from "../../services/context";
import { rectificationIssuedNotice } from "../../services/notices";
import { publishNotices } from "../../services/publish";
import { assignmentInput, workflowTask } from "../../workflow/task";

/**
 * The unit is told of its rectification orders (整改通知) and the assignment moves from scored to
 * rectifying, in one transaction, so the notice is sent exactly once however often this runs.
 */
async function notifyOrders({ assignmentId }: { assignmentId: string }, now: Date) {
  const a = await store.getAssignment(assignmentId);
  if (!a) throw new Error(`Assignment ${assignmentId} does not exist`);
  if (a.status !== "scored") return { notified: false };
  const unit = await store.getUnit(a.unitId);
  const at = now.toISOString();
  const notice = rectificationIssuedNotice(a, unit?.name ?? a.unitId, at);
  const moved = await store.advanceAssignment(
    assignmentId,
    ["scored"],
    "rectifying",
    at,
    { entityId: assignmentId, actor: "workflow", action: "rectification_started", at },
    {},
    [store.notificationPut(notice)],
  );
  if (moved) await publishNotices([notice]);
  return { notified: moved };
}

export const handler = workflowTask(assignmentInput, notifyOrders);
