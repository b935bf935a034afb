import type * as z from "zod/mini";
import { isOverseer } from "../../api/auth";
import { httpRoute, json, type RouteRequest } from "../../api/http";
import * as schemas from "../../api/schemas";
import { NotFoundError } from "../../domain/errors";
import { assignmentStore, spotCheckStore } from "../../services/context";
import { assignmentSummary, spotCheckView } from "../../services/views";
import { auditPreArrivalReads } from "../../services/visibility";

type Params = z.infer<typeof schemas.idParams>;

/** A spot check with its assignments, for organizers, admins and officials; reading targets before arrival is audited. */
async function getSpotCheck({ caller, params, now }: RouteRequest<undefined, undefined, Params>) {
  if (!isOverseer(caller)) throw new NotFoundError();
  const spotCheck = await spotCheckStore.getSpotCheck(params.id);
  if (!spotCheck) throw new NotFoundError();
  const assignments = await assignmentStore.getAssignments(spotCheck.assignmentIds ?? []);
  await auditPreArrivalReads(caller, assignments, "GET /spot-checks/{id}", now.toISOString());
  return json(200, {
    ...spotCheckView(spotCheck),
    assignments: assignments.map((a) => ({
      ...assignmentSummary(a),
      ...(a.score ? { score: a.score } : {}),
    })),
  });
}

export const handler = httpRoute({ params: schemas.idParams }, getSpotCheck);
