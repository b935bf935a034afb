import middy from "@middy/core";
import { callbackStore } from "../../services/context";
import { sendResume } from "../../services/workflow";
import { logger } from "../../shared/logger";
import { observability } from "../../shared/observability";

/** Scheduled sweep: delivers workflow resumes that failed when the API first sent them. */
async function resumePending() {
  const pending = await callbackStore.listPendingResumes(50);
  let delivered = 0;
  for (const p of pending) {
    try {
      if (await sendResume(p.taskToken, p.output, p.error)) {
        await callbackStore.deletePendingResume(p.tokenHash);
        delivered++;
      }
    } catch (error) {
      logger.warn("A pending resume failed again; next sweep retries", {
        error: error instanceof Error ? error.name : String(error),
      });
    }
  }
  return { pending: pending.length, delivered };
}

export const handler = middy().use(observability()).handler(resumePending);
