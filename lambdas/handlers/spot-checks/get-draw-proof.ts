import type * as z from "zod/mini";
import { isOverseer } from "../../api/auth";
import { httpRoute, json, type RouteRequest } from "../../api/http";
import * as schemas from "../../api/schemas";
import { NotFoundError } from "../../domain/errors";
import { assignmentStore, spotCheckStore } from "../../services/context";
import { drawProofOf } from "../../services/draw-proof";
import { auditPreArrivalReads } from "../../services/visibility";

type Params = z.infer<typeof schemas.idParams>;

/**
 * Everything needed to re-compute the draw (`drawProofOf`, which the evidence pack carries too); each
 * read is audited on the spot check, and before arrival on each assignment it names.
 */
async function getDrawProof({ caller, params, now }: RouteRequest<undefined, undefined, Params>) {
  if (!isOverseer(caller)) throw new NotFoundError();
  const s = await spotCheckStore.getSpotCheck(params.id);
  if (!s) throw new NotFoundError();
  // The draw record is in items of its own; the assignments it names are read with it, at once.
  const [draw, assignments] = await Promise.all([
    spotCheckStore.getDrawRecord(s),
    s.drawn || s.draw ? assignmentStore.getAssignments(s.assignmentIds ?? []) : [],
  ]);
  const proof = drawProofOf(s, draw, now);
  // `selected` names the drawn units and teams: before arrival, a read of each assignment's secret.
  await auditPreArrivalReads(caller, assignments, "GET /spot-checks/{id}/draw-proof", now.toISOString(), [
    {
      entityId: s.spotCheckId,
      actor: caller.sub,
      action: "draw_proof_read",
      at: now.toISOString(),
      detail: { revealed: proof.seedRevealed },
    },
  ]);
  return json(200, proof);
}

export const handler = httpRoute({ params: schemas.idParams }, getDrawProof);
