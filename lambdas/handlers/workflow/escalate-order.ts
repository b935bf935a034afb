import { ConflictError } from "../../domain/errors";
import { deadlineActionDue, escalateOrder, remindOrder } from "../../domain/rectification-order";
import { rectificationStore, unitStore } from "../../services/context";
import { deadlineNearNotice, escalationNotices } from "../../services/notices";
import { publishNotices } from "../../services/publish";
import { orderStep } from "../../services/steps";
import { countBusinessEvent } from "../../shared/metrics";
import { orderInput, workflowTask } from "../../workflow/task";

/**
 * The clock's steps on an open order: one working day before the deadline the unit is reminded
 * (临期提醒); at the deadline it becomes overdue and the unit and organizer are reminded (催办,
 * level 1); still open after the grace period it is escalated for accountability (问责, level 2),
 * which officials see. Each step is saved with a version check, so each notice goes out once.
 * Returns what the order waits for next.
 */
async function deadlineStep({ rectificationId }: { rectificationId: string }, now: Date) {
  const r = await rectificationStore.getRectification(rectificationId);
  if (!r) throw new Error(`Rectification order ${rectificationId} does not exist`);
  const due = deadlineActionDue(r, now);
  // A timer armed for an earlier deadline (the order was extended, reported, reviewed): nothing is due.
  if (due === null) return orderStep(r, now);
  const unit = await unitStore.getUnit(r.unitId);
  const unitName = unit?.name ?? r.unitId;
  const at = now.toISOString();
  const step = due === "remind" ? remindOrder(r, now) : escalateOrder(r, due, now);
  const notices =
    due === "remind" ? [deadlineNearNotice(r, unitName, at)] : escalationNotices(r, due, unitName, at);
  try {
    await rectificationStore.saveRectification(
      r,
      step.order,
      {
        audits: [
          { entityId: r.rectificationId, actor: "workflow", action: step.action, at, detail: step.detail },
        ],
        notifications: notices,
      },
      "order changed",
    );
  } catch (error) {
    // The unit reported (or a reviewer acted) at the same moment: route on what is stored now.
    if (!(error instanceof ConflictError)) throw error;
    const current = await rectificationStore.getRectification(rectificationId);
    return orderStep(current ?? r, now);
  }
  if (due !== "remind") countBusinessEvent(due === 1 ? "OrdersOverdue" : "Escalations");
  await publishNotices(notices);
  return orderStep(step.order, now);
}

export const handler = workflowTask(orderInput, deadlineStep);
