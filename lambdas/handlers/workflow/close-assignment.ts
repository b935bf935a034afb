import { assignmentStore, rectificationStore } from "../../services/context";
import { assignmentInput, workflowTask } from "../../workflow/task";

/** Raised if the follow-up ended with an order still open: the execution fails visibly (alarm). */
export class OrdersStillOpenError extends Error {
  constructor(assignmentId: string) {
    super(`Assignment ${assignmentId} still has open rectification orders`);
    this.name = "OrdersStillOpenError";
  }
}

/** Every order closed (销号): the assignment closes, and with it the execution. */
async function closeAssignment({ assignmentId }: { assignmentId: string }, now: Date) {
  const a = await assignmentStore.getAssignment(assignmentId);
  if (!a) throw new Error(`Assignment ${assignmentId} does not exist`);
  if (a.status === "closed") return { closed: true };
  const orders = await rectificationStore.getRectifications(a.rectificationIds ?? []);
  if (orders.some((o) => o.status !== "closed")) throw new OrdersStillOpenError(assignmentId);
  const at = now.toISOString();
  const closed = await assignmentStore.advanceAssignment(
    assignmentId,
    ["scored", "rectifying"],
    "closed",
    at,
    { entityId: assignmentId, actor: "workflow", action: "closed", at, detail: { orders: orders.length } },
    { closedAt: at },
  );
  return { closed };
}

export const handler = workflowTask(assignmentInput, closeAssignment);
