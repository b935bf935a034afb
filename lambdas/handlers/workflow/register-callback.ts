import * as z from "zod/mini";
import { keys } from "../../data/keys";
import { store } from "../../services/context";
import { assignmentStep, type CallbackKind, orderStep } from "../../services/steps";
import { resumeWorkflow } from "../../services/workflow";
import { workflowTask } from "../../workflow/task";

const input = z.object({
  kind: z.enum(["findings", "report", "review"]),
  id: z.string().check(z.minLength(1)),
  taskToken: z.string().check(z.minLength(1)),
});

/** The statuses in which each human step is still awaited. */
const WAITING = {
  findings: ["dispatched", "on_site"],
  report: ["open"],
  review: ["submitted"],
} as const satisfies Record<CallbackKind, readonly string[]>;

/**
 * Keeps the callback token where the API will find it, then reads the entity: if the human step
 * already happened, the step is completed at once with what comes next. The API commits its change
 * before it reads the token, so a resume can never fall between the two (see `putCallbackToken`).
 */
async function registerCallback({ kind, id, taskToken }: z.infer<typeof input>, now: Date) {
  const at = now.toISOString();
  const waiting: readonly string[] = WAITING[kind];
  if (kind === "findings") {
    await store.putCallbackToken(keys.assignment(id), taskToken, at);
    const a = await store.getAssignment(id);
    if (!a) throw new Error(`Assignment ${id} does not exist`);
    if (waiting.includes(a.status)) return { stored: true };
    await resumeWorkflow(taskToken, kind, assignmentStep(a, now));
  } else {
    await store.putCallbackToken(keys.rect(id), taskToken, at);
    const r = await store.getRectification(id);
    if (!r) throw new Error(`Rectification order ${id} does not exist`);
    if (waiting.includes(r.status)) return { stored: true };
    await resumeWorkflow(taskToken, kind, orderStep(r, now));
  }
  return { stored: false };
}

export const handler = workflowTask(input, registerCallback);
