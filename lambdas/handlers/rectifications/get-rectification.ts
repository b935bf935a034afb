import type * as z from "zod/mini";
import { httpRoute, json, type RouteRequest } from "../../api/http";
import * as schemas from "../../api/schemas";
import { unitStore } from "../../services/context";
import { namesOf } from "../../services/names";
import { rectificationView } from "../../services/views";
import { loadVisibleRectification } from "../../services/visibility";

type Params = z.infer<typeof schemas.idParams>;

/**
 * One rectification order with its deadline, traffic light, escalation level and history, with the
 * unit's name and the names of the team and of everyone in its history (reviewers by name).
 */
async function getRectification({ caller, params, now }: RouteRequest<undefined, undefined, Params>) {
  const r = await loadVisibleRectification(caller, params.id);
  const actors = [...r.inspectorIds, ...r.history.map((h) => h.actor), r.report?.by ?? ""];
  const [unit, names] = await Promise.all([unitStore.getUnit(r.unitId), namesOf(actors)]);
  return json(200, { ...rectificationView(r, now), ...(unit ? { unitName: unit.name } : {}), names });
}

export const handler = httpRoute({ params: schemas.idParams }, getRectification);
