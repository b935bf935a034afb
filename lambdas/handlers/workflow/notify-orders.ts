import { assignmentStore, journal, rectificationStore, unitStore } from "../../services/context";
import { rectificationIssuedNotice } from "../../services/notices";
import { publishNotices } from "../../services/publish";
import { orderStep } from "../../services/steps";
import { assignmentInput, workflowTask } from "../../workflow/task";

/**
 * The unit is told of its rectification orders (整改通知) and the assignment moves from scored to
 * rectifying, in one transaction, so the notice is sent exactly once however often this runs.
 * Returns each order with what it waits for, which starts the follow-up of each.
 */
async function notifyOrders({ assignmentId }: { assignmentId: string }, now: Date) {
  const a = await assignmentStore.getAssignment(assignmentId);
  if (!a) throw new Error(`Assignment ${assignmentId} does not exist`);
  const orders = await rectificationStore.getRectifications(a.rectificationIds ?? []);
  if (a.status === "scored") {
    // Repairs the inspectors' links if the findings request died between its commit and writing them.
    await assignmentStore.linkOrdersToInspectors(orders, true);
    const unit = await unitStore.getUnit(a.unitId);
    const at = now.toISOString();
    const notice = rectificationIssuedNotice(a, unit?.name ?? a.unitId, at);
    const moved = await assignmentStore.advanceAssignment(
      assignmentId,
      ["scored"],
      "rectifying",
      at,
      { entityId: assignmentId, actor: "workflow", action: "rectification_started", at },
      {},
      [journal.notificationPut(notice)],
    );
    if (moved) await publishNotices([notice]);
  }
  return { orders: orders.map((r) => ({ rectificationId: r.rectificationId, prepared: orderStep(r, now) })) };
}

export const handler = workflowTask(assignmentInput, notifyOrders);
