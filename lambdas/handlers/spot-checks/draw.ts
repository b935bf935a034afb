import { randomUUID } from "node:crypto";
import type * as z from "zod/mini";
import { isOverseer, isPlanner } from "../../api/auth";
import { httpRoute, json, type RouteRequest } from "../../api/idempotent-http";
import * as schemas from "../../api/schemas";
import type { AssignmentRecord, DrawRecord } from "../../data/records";
import { drawTargets, recentlyInspected } from "../../domain/draw";
import { ConflictError, ForbiddenError, NotFoundError } from "../../domain/errors";
import { assignmentStore, inspectorStore, spotCheckStore, unitStore } from "../../services/context";
import { assignmentSummary } from "../../services/views";
import { countBusinessEvent } from "../../shared/metrics";

type Params = z.infer<typeof schemas.idParams>;

/**
 * The double random draw (双随机): targets from the candidates, teams from the pool, with no
 * inspector on a unit above, below or equal to their home unit. Deterministic from the committed
 * seed, so anyone can re-compute it once the seed is revealed. Commits the assignments with the spot
 * check marked for dispatch (its outbox entry); the change relay starts one workflow execution per
 * assignment from that change, and the scheduled sweep finishes any dispatch cut short.
 *
 * 减负: with `excludeInspectedWithinDays`, the candidates a team arrived at within that many days
 * before now are left out; which ones is fixed here, from the recorded arrivals, and kept in the draw
 * record with each one's last arrival, so the draw proof shows them and the re-computation uses the
 * remaining candidates.
 */
async function draw({ caller, params, now }: RouteRequest<undefined, undefined, Params>) {
  const spotCheck = await spotCheckStore.getSpotCheck(params.id);
  if (!spotCheck || !isOverseer(caller)) throw new NotFoundError();
  if (!isPlanner(caller)) throw new ForbiddenError("只有督查组织人员和管理员可以抽签。");
  if (spotCheck.status !== "planned") throw new ConflictError("该督查任务已经抽过签。");

  const at = now.toISOString();
  const withinDays = spotCheck.excludeInspectedWithinDays;
  const [inspectors, lastArrivals] = await Promise.all([
    inspectorStore.getInspectors(spotCheck.inspectorIds),
    withinDays ? unitStore.lastArrivals(spotCheck.candidateUnitIds) : undefined,
  ]);
  const pool = [...inspectors.values()].map((i) => ({
    inspectorId: i.inspectorId,
    homeUnitId: i.homeUnitId,
  }));
  const { ancestors, units } = await unitStore.lineage([
    ...spotCheck.candidateUnitIds,
    ...pool.map((p) => p.homeUnitId),
  ]);
  const excluded =
    withinDays && lastArrivals
      ? recentlyInspected(spotCheck.candidateUnitIds, lastArrivals.values(), withinDays, at)
      : [];
  const result = drawTargets({
    seed: spotCheck.seed,
    candidates: spotCheck.candidateUnitIds,
    excluded: excluded.map((e) => e.unitId),
    pool,
    sampleSize: spotCheck.sampleSize,
    teamSize: spotCheck.teamSize,
    lineage: ancestors,
  });

  const drawRecord: DrawRecord = {
    algorithm: result.algorithm,
    candidates: [...result.candidates],
    pool: result.pool.map((p) => ({ ...p })),
    lineage: ancestors,
    selected: result.selected.map((s) => ({ unitId: s.unitId, inspectorIds: [...s.inspectorIds] })),
    drawnAt: at,
    drawnBy: caller.sub,
    ...(withinDays
      ? {
          exclusion: {
            withinDays,
            excluded: excluded.map((e) => ({
              unitId: e.unitId,
              unitName: units.get(e.unitId)?.name ?? e.unitId,
              lastArrivalAt: e.lastArrivalAt,
              assignmentId: e.assignmentId,
            })),
          },
        }
      : {}),
  };
  const assignments: AssignmentRecord[] = result.selected.map((s) => ({
    assignmentId: randomUUID(),
    spotCheckId: spotCheck.spotCheckId,
    unitId: s.unitId,
    inspectorIds: [...s.inspectorIds],
    organizerId: spotCheck.createdBy,
    templateId: spotCheck.templateId,
    templateVersion: spotCheck.templateVersion,
    status: "dispatched",
    window: spotCheck.window,
    createdAt: at,
    updatedAt: at,
    version: 1,
  }));
  await spotCheckStore.commitDraw(spotCheck, drawRecord, assignments, {
    entityId: spotCheck.spotCheckId,
    actor: caller.sub,
    action: "drawn",
    at,
    detail: {
      algorithm: result.algorithm,
      assignments: assignments.length,
      ...(withinDays ? { excludeInspectedWithinDays: withinDays, excluded: result.excluded.length } : {}),
    },
  });
  countBusinessEvent("Draws");
  // Inspectors see their assignments as soon as the draw answers; the workflow executions are
  // started by the change relay from the committed draw (the spot check's outbox entry).
  await assignmentStore.putMemberships(assignments);
  return json(200, {
    spotCheckId: spotCheck.spotCheckId,
    status: "dispatched",
    seedCommitment: spotCheck.seedCommitment,
    assignments: assignments.map(assignmentSummary),
  });
}

export const handler = httpRoute({ params: schemas.idParams, idempotent: true }, draw);
