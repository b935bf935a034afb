import * as z from "zod/mini";
import { keys } from "../../data/keys";
import { store } from "../../services/context";
import { settleWait } from "../../services/workflow";
import { workflowTask } from "../../workflow/task";

const input = z.object({
  kind: z.enum(["findings", "report", "review"]),
  id: z.string().check(z.minLength(1)),
  taskToken: z.string().check(z.minLength(1)),
});

/**
 * Keeps the callback token where the change relay will find it, then reads the entity: if the human
 * step already happened, the step is completed at once with what comes next. The relay reads the
 * token only after the change is committed, so a resume can never fall between the two (see
 * `putCallbackToken`).
 */
async function registerCallback({ kind, id, taskToken }: z.infer<typeof input>, now: Date) {
  const entity = kind === "findings" ? keys.assignment(id) : keys.rect(id);
  await store.putCallbackToken(entity, kind, taskToken, now.toISOString());
  return { stored: await settleWait(kind, id, taskToken, now) };
}

export const handler = workflowTask(input, registerCallback);
