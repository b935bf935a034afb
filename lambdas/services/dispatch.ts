import { logger } from "../shared/logger";
import { store } from "./context";
import { startInspection } from "./workflow";

/**
 * Second half of a draw, safe to run any number of times: team memberships, one workflow execution
 * per assignment, then the spot check leaves the outbox. Called right after the draw commits and,
 * for a draw whose dispatch was cut short, by the scheduled outbox job.
 */
export async function dispatchSpotCheck(spotCheckId: string): Promise<boolean> {
  const spotCheck = await store.getSpotCheck(spotCheckId);
  if (spotCheck?.status !== "dispatched") return false;
  const assignments = await store.getAssignments(spotCheck.assignmentIds ?? []);
  await store.putMemberships(assignments);
  try {
    for (const a of assignments) await startInspection(a.assignmentId);
  } catch (error) {
    logger.warn("Could not start every inspection; the outbox job will retry", {
      spotCheckId,
      error: error instanceof Error ? error.name : String(error),
    });
    return false;
  }
  await store.completeDispatch(spotCheckId);
  return true;
}
