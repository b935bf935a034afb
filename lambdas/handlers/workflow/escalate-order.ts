import { escalationDue } from "../../domain/deadlines";
import { ConflictError } from "../../domain/errors";
import { store } from "../../services/context";
import { escalationNotices } from "../../services/notices";
import { publishNotices } from "../../services/publish";
import { orderInput, workflowTask } from "../../workflow/task";

/**
 * At the deadline an open order becomes overdue and the unit and organizer are reminded (催办,
 * level 1); still open after the grace period it is escalated for accountability (问责, level 2),
 * which officials see. The level is raised with a version check, so each notice goes out once.
 */
async function escalateOrder({ rectificationId }: { rectificationId: string }, now: Date) {
  const r = await store.getRectification(rectificationId);
  if (!r) throw new Error(`Rectification order ${rectificationId} does not exist`);
  const level = escalationDue(r, now);
  if (level === null) return { escalated: false };
  const unit = await store.getUnit(r.unitId);
  const at = now.toISOString();
  const notices = escalationNotices(r, level, unit?.name ?? r.unitId, at);
  try {
    await store.saveRectification(
      r,
      {
        ...r,
        escalationLevel: level,
        history: [
          ...r.history,
          { at, actor: "workflow", action: level === 1 ? "overdue_reminder" : "escalated", level },
        ],
      },
      {
        audits: [
          {
            entityId: r.rectificationId,
            actor: "workflow",
            action: level === 1 ? "overdue_reminder" : "escalated",
            at,
            detail: { level },
          },
        ],
        notifications: notices,
      },
      "order changed",
    );
  } catch (error) {
    // The unit reported (or a reviewer acted) at the same moment: the next PrepareOrder re-reads it.
    if (error instanceof ConflictError) return { escalated: false };
    throw error;
  }
  await publishNotices(notices);
  return { escalated: true, level };
}

export const handler = workflowTask(orderInput, escalateOrder);
