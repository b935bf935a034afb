import { store } from "../../services/context";
import { assignmentInput, workflowTask } from "../../workflow/task";

/** Every order closed (销号): the assignment closes. */
async function closeAssignment({ assignmentId }: { assignmentId: string }, now: Date) {
  const a = await store.getAssignment(assignmentId);
  if (!a) throw new Error(`Assignment ${assignmentId} does not exist`);
  const orders = await store.getRectifications(a.rectificationIds ?? []);
  if (orders.some((o) => o.status !== "closed")) return { closed: false };
  const at = now.toISOString();
  const closed = await store.advanceAssignment(
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
