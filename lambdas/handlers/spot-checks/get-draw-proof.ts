import type * as z from "zod/mini";
import { isOverseer } from "../../api/auth";
import { httpRoute, json, type RouteRequest } from "../../api/http";
import * as schemas from "../../api/schemas";
import { NotFoundError } from "../../domain/errors";
import { assignmentStore, journal, spotCheckStore } from "../../services/context";
import { auditPreArrivalReads } from "../../services/visibility";

type Params = z.infer<typeof schemas.idParams>;

/**
 * Everything needed to re-compute the draw: the commitment, the recorded candidates, pool and unit
 * lineage, the units left out for 减负 (each with the last arrival that made it recent, as read at the
 * draw), the result, and — only once `window.end` has passed — the seed itself.
 */
async function getDrawProof({ caller, params, now }: RouteRequest<undefined, undefined, Params>) {
  if (!isOverseer(caller)) throw new NotFoundError();
  const s = await spotCheckStore.getSpotCheck(params.id);
  if (!s) throw new NotFoundError();
  const revealed = now.getTime() >= new Date(s.window.end).getTime();
  // `selected` names the drawn units and teams: before arrival, a read of each assignment's secret.
  const assignments = s.draw ? await assignmentStore.getAssignments(s.assignmentIds ?? []) : [];
  await auditPreArrivalReads(caller, assignments, "GET /spot-checks/{id}/draw-proof", now.toISOString());
  await journal.appendAudit([
    {
      entityId: s.spotCheckId,
      actor: caller.sub,
      action: "draw_proof_read",
      at: now.toISOString(),
      detail: { revealed },
    },
  ]);
  return json(200, {
    spotCheckId: s.spotCheckId,
    status: s.status,
    seedCommitment: s.seedCommitment,
    ...(revealed ? { seed: s.seed } : {}),
    seedRevealed: revealed,
    revealAfter: s.window.end,
    algorithm: s.draw?.algorithm ?? "sha256-counter-v1",
    sampleSize: s.sampleSize,
    teamSize: s.teamSize,
    ...(s.excludeInspectedWithinDays ? { excludeInspectedWithinDays: s.excludeInspectedWithinDays } : {}),
    candidates: s.draw?.candidates ?? s.candidateUnitIds,
    pool: s.draw?.pool ?? s.inspectorIds.map((inspectorId) => ({ inspectorId })),
    ...(s.draw
      ? {
          excluded: s.draw.exclusion?.excluded ?? [],
          lineage: s.draw.lineage,
          selected: s.draw.selected,
          drawnAt: s.draw.drawnAt,
        }
      : { selected: [] }),
  });
}

export const handler = httpRoute({ params: schemas.idParams }, getDrawProof);
