import type * as z from "zod/mini";
import { httpRoute, json, type RouteRequest } from "../../api/http";
import * as schemas from "../../api/schemas";
import { unitStore } from "../../services/context";
import { namesOf } from "../../services/names";
import { assignmentView } from "../../services/views";
import { loadVisibleAssignment } from "../../services/visibility";

type Params = z.infer<typeof schemas.idParams>;

/**
 * One assignment, for those who may see it; anyone else (the unit before arrival included) gets 404.
 * With the unit's name and the names of the team and of whoever acted on it, so that every page
 * shows people by name (an inspector sees their teammates').
 */
async function getAssignment({ caller, params, now }: RouteRequest<undefined, undefined, Params>) {
  const a = await loadVisibleAssignment(caller, params.id, "GET /assignments/{id}", now);
  const actors = [...a.inspectorIds, a.arrival?.by ?? "", a.findings?.submittedBy ?? ""];
  const [unit, names] = await Promise.all([unitStore.getUnit(a.unitId), namesOf(actors)]);
  return json(200, { ...assignmentView(a), ...(unit ? { unitName: unit.name } : {}), names });
}

export const handler = httpRoute({ params: schemas.idParams }, getAssignment);
