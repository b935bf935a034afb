import * as z from "zod/mini";
import { keys } from "../../data/keys";
import { store } from "../../services/context";
import { assignmentStep, orderStep } from "../../services/steps";
import { resumeWorkflow } from "../../services/workflow";
import { workflowTask } from "../../workflow/task";

const input = z.object({
  kind: z.enum(["findings", "report", "review"]),
  id: z.string().check(z.minLength(1)),
  taskToken: z.string().check(z.minLength(1)),
});

/** The statuses in which each human step is still awaited. */
const WAITING = {
  findings: { key: keys.assignment, statuses: ["dispatched", "on_site"] },
  report: { key: keys.rect, statuses: ["open"] },
  review: { key: keys.rect, statuses: ["submitted"] },
} as const;

/**
 * Stores the callback token where the API will find it. If the human step already happened (the
 * conditional write finds another status), the step is completed at once with what comes next: the
 * API's change and this write are ordered on the same item, so a resume can never fall between them.
 */
async function registerCallback({ kind, id, taskToken }: z.infer<typeof input>, now: Date) {
  const waiting = WAITING[kind];
  if (await store.storeTaskToken(waiting.key(id), taskToken, waiting.statuses)) return { stored: true };
  if (kind === "findings") {
    const a = await store.getAssignment(id);
    if (!a) throw new Error(`Assignment ${id} does not exist`);
    await resumeWorkflow(taskToken, kind, assignmentStep(a, now));
  } else {
    const r = await store.getRectification(id);
    if (!r) throw new Error(`Rectification order ${id} does not exist`);
    await resumeWorkflow(taskToken, kind, orderStep(r, now));
  }
  return { stored: false };
}

export const handler = workflowTask(input, registerCallback);
