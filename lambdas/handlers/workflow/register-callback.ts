import * as z from "zod/mini";
import { callbackKind } from "../../data/records";
import { callbackStore } from "../../services/context";
import { waitedEntity } from "../../services/steps";
import { settleWait } from "../../services/workflow";
import { workflowTask } from "../../workflow/task";

const input = z.object({
  kind: callbackKind,
  id: z.string().check(z.minLength(1)),
  taskToken: z.string().check(z.minLength(1)),
  armedFor: z.optional(z.string().check(z.minLength(1))),
});

/**
 * Keeps the callback token where the change relay will find it, then reads the entity: if the human
 * step already happened, the step is completed at once with what comes next. The relay reads the
 * token only after the change is committed, so a resume can never fall between the two (see
 * `putCallbackToken`).
 */
async function registerCallback({ kind, id, taskToken, armedFor }: z.infer<typeof input>, now: Date) {
  await callbackStore.putCallbackToken(waitedEntity(kind, id), kind, taskToken, now.toISOString(), armedFor);
  return { stored: await settleWait(kind, id, taskToken, now, armedFor) };
}

export const handler = workflowTask(input, registerCallback);
