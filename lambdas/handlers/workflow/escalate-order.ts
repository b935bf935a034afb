import { escalationDue } from "../../domain/deadlines";
import { ConflictError } from "../../domain/errors";
import { rectificationStore, unitStore } from "../../services/context";
import { escalationNotices } from "../../services/notices";
import { publishNotices } from "../../services/publish";
import { orderStep } from "../../services/steps";
import { orderInput, workflowTask } from "../../workflow/task";

/**
 * At the deadline an open order becomes overdue and the unit and organizer are reminded (催办,
 * level 1); still open after the grace period it is escalated for accountability (问责, level 2),
 * which officials see. The level is raised with a version check, so each notice goes out once.
 * Returns what the order waits for next.
 */
async function escalateOrder({ rectificationId }: { rectificationId: string }, now: Date) {
  const r = await rectificationStore.getRectification(rectificationId);
  if (!r) throw new Error(`Rectification order ${rectificationId} does not exist`);
  const level = escalationDue(r, now);
  if (level === null) return orderStep(r, now);
  const unit = await unitStore.getUnit(r.unitId);
  const at = now.toISOString();
  const notices = escalationNotices(r, level, unit?.name ?? r.unitId, at);
  const action = level === 1 ? "overdue_reminder" : "escalated";
  const after = {
    ...r,
    escalationLevel: level,
    history: [...r.history, { at, actor: "workflow", action, level }],
  };
  try {
    await rectificationStore.saveRectification(
      r,
      after,
      {
        audits: [{ entityId: r.rectificationId, actor: "workflow", action, at, detail: { level } }],
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
  await publishNotices(notices);
  return orderStep(after, now);
}

export const handler = workflowTask(orderInput, escalateOrder);
