import middy from "@middy/core";
import * as z from "zod/mini";
import { logger } from "../shared/logger";
import { observability } from "../shared/observability";

/**
 * The one middy stack of every workflow task: parse the state's payload with its schema, run the
 * step, and let named errors propagate so the state machine's Retry/Catch can match them by name
 * (TransientDependencyError is retried; anything else fails the state visibly).
 */
export function workflowTask<I, O>(schema: z.ZodMiniType<I>, step: (input: I, now: Date) => Promise<O>) {
  return middy<unknown, O>()
    .use(observability())
    .handler(async (event) => {
      const parsed = z.safeParse(schema, event);
      if (!parsed.success) {
        logger.error("Workflow task received an invalid payload", { issues: z.prettifyError(parsed.error) });
        throw new InvalidTaskPayloadError(z.prettifyError(parsed.error));
      }
      return step(parsed.data, new Date());
    });
}

export class InvalidTaskPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidTaskPayloadError";
  }
}

export const assignmentInput = z.object({ assignmentId: z.string().check(z.minLength(1)) });
export const orderInput = z.object({ rectificationId: z.string().check(z.minLength(1)) });
