import type * as z from "zod/mini";
import { httpRoute, json, type RouteRequest } from "../../api/http";
import * as schemas from "../../api/schemas";
import { assignmentView } from "../../services/views";
import { loadVisibleAssignment } from "../../services/visibility";

type Params = z.infer<typeof schemas.idParams>;

/** One assignment, for those who may see it; anyone else (the unit before arrival included) gets 404. */
async function getAssignment({ caller, params, now }: RouteRequest<undefined, undefined, Params>) {
  const a = await loadVisibleAssignment(caller, params.id, "GET /assignments/{id}", now);
  return json(200, assignmentView(a));
}

export const handler = httpRoute({ params: schemas.idParams }, getAssignment);
