import { ConflictError } from "../domain/errors";

/** Attempts of a person's step on an order before a concurrent change is reported to them (409). */
const ATTEMPTS = 3;

/**
 * Runs a load → decide → save step again when its save lost to a concurrent change of the same
 * record (the version check failed): most often the workflow's own clock — a 临期提醒 or 催办 written
 * at the instant a unit reports. The step decides afresh on what is stored now, so a person's step
 * that is still valid is not refused for the system's write, and one that is no longer valid (a
 * second accept by the same reviewer, a report already made) gets the rules' own answer.
 */
export async function retryOnConcurrentChange<T>(step: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt + Math.random() * 30));
    }
  }
}
