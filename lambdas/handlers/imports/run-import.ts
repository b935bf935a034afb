import middy from "@middy/core";
import type { Context } from "aws-lambda";
import * as z from "zod/mini";
import { importIdOfKey } from "../../domain/imports";
import { runImport } from "../../services/import-runner";
import { logger } from "../../shared/logger";
import { deleteObject } from "../../shared/object-store";
import { observability } from "../../shared/observability";

/** The part of the bucket's "Object Created" event (EventBridge) the run reads. */
const objectCreated = z.object({
  "detail-type": z.literal("Object Created"),
  detail: z.object({ object: z.object({ key: z.string() }) }),
});

/**
 * The bucket's event for a file uploaded under `imports/` (S3 → EventBridge → Lambda,
 * asynchronous: a failure is retried, then lands in the dead-letter queue with an alarm; locally the
 * object store plays the same event, durably). Runs the import, or resumes it; see
 * `services/import-runner.ts` for why a second delivery is harmless.
 */
async function runImportEvent(event: unknown, context: Context): Promise<void> {
  const parsed = z.safeParse(objectCreated, event);
  if (!parsed.success) {
    // Not retried: the same malformed event would fail the same way every time.
    logger.error("Import runner received an event that is not an object creation");
    return;
  }
  const key = parsed.data.detail.object.key;
  const importId = importIdOfKey(key);
  if (!importId) {
    logger.warn("Object under imports/ that names no import discarded", { key });
    await deleteObject(key);
    return;
  }
  await runImport(importId, () => context.getRemainingTimeInMillis());
}

export const handler = middy<unknown, void>().use(observability()).handler(runImportEvent);
