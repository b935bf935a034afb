import { drawnAtOf } from "../data/spot-checks";
import { logger } from "../shared/logger";
import { assignmentStore, notificationStore, spotCheckStore, unitStore } from "./context";
import { assignmentDispatchedNotices } from "./notices";
import { publishNotices } from "./publish";
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
  await assignmentStore.putMemberships(assignments, true);
  try {
    for (const a of assignments) await startInspection(a.assignmentId);
  } catch (error) {
    logger.warn("Could not start every inspection; the outbox job will retry", {
      spotCheckId,
      error: error instanceof Error ? error.name : String(error),
    });
    return false;
  }
  // 督查任务派发: each team is told of its assignment (never the unit), once per assignment however
  // often this runs: the notices are keyed on the assignment and leave the outbox with the spot check.
  const at = drawnAtOf(spotCheck) ?? new Date().toISOString();
  const units = await unitStore.getUnits([...new Set(assignments.map((a) => a.unitId))]);
  const notices = assignments.flatMap((a) =>
    assignmentDispatchedNotices(spotCheck, a, units.get(a.unitId)?.name ?? a.unitId, at),
  );
  await notificationStore.deliverOnce(notices, (n) => `dispatch-${n.assignmentId ?? spotCheckId}`);
  await spotCheckStore.completeDispatch(spotCheckId);
  await publishNotices(notices);
  return true;
}
