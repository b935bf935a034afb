import type * as z from "zod/mini";
import { httpRoute, json, type RouteRequest } from "../../api/http";
import * as schemas from "../../api/schemas";
import { rectificationView } from "../../services/views";
import { loadVisibleRectification } from "../../services/visibility";

type Params = z.infer<typeof schemas.idParams>;

/** One rectification order with its deadline, traffic light, escalation level and history. */
async function getRectification({ caller, params, now }: RouteRequest<undefined, undefined, Params>) {
  const r = await loadVisibleRectification(caller, params.id);
  return json(200, rectificationView(r, now));
}

export const handler = httpRoute({ params: schemas.idParams }, getRectification);
