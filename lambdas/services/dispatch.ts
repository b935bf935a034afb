import { logger } from "../shared/logger";
import { assignmentStore, spotCheckStore } from "./context";
import { startInspection } from "./workflow";

/**
 * Second half of a draw, safe to run any number of times: team memberships, one workflow execution
 * per assignment, then the spot check leaves the outbox. Called by the change relay when the draw's
 * commit reaches the table's stream and, for a dispatch cut short, by the scheduled outbox job. The
 * draw writes the memberships itself, so that inspectors see their assignments as soon as it answers;
 * they are written again here (same keys) because a draw cut short before them is finished only here.
 */
export async function dispatchSpotCheck(spotCheckId: string): Promise<boolean> {
  const spotCheck = await spotCheckStore.getSpotCheck(spotCheckId);
  // Dispatched already (a repeated trigger): nothing to do.
  if (spotCheck?.status !== "dispatched" || spotCheck.pendingDispatch !== true) return false;
  const assignments = await assignmentStore.getAssignments(spotCheck.assignmentIds ?? []);
  await assignmentStore.putMemberships(assignments);
  try {
    for (const a of assignments) await startInspection(a.assignmentId);
  } catch (error) {
    logger.warn("Could not start every inspection; the outbox job will retry", {
      spotCheckId,
      error: error instanceof Error ? error.name : String(error),
    });
    return false;
  }
  await spotCheckStore.completeDispatch(spotCheckId);
  return true;
}
