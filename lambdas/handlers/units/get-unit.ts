import type * as z from "zod/mini";
import { httpRoute, json, type RouteRequest } from "../../api/http";
import * as schemas from "../../api/schemas";
import { NotFoundError } from "../../domain/errors";
import { unitStore } from "../../services/context";
import { unitView } from "../../services/views";

type Params = z.infer<typeof schemas.unitParams>;

/** One unit with its `path` of ids from the root; any signed-in role may read the unit tree. */
async function getUnit({ params }: RouteRequest<undefined, undefined, Params>) {
  const { ancestors, units } = await unitStore.lineage([params.unitId]);
  const unit = units.get(params.unitId);
  if (!unit) throw new NotFoundError();
  return json(200, unitView(unit, [...(ancestors[params.unitId] ?? []), unit.unitId]));
}

export const handler = httpRoute({ params: schemas.unitParams }, getUnit);
