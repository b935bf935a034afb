import type * as z from "zod/mini";
import { isOverseer } from "../../api/auth";
import { httpRoute, json, type RouteRequest } from "../../api/http";
import * as schemas from "../../api/schemas";
import { NotFoundError } from "../../domain/errors";
import { bulletinOf } from "../../services/bulletin";

type Params = z.infer<typeof schemas.idParams>;

/** The bulletin (通报) of a spot check as JSON; see `bulletinOf` (the Word and PDF documents print the same). */
async function getBulletin({ caller, params, now }: RouteRequest<undefined, undefined, Params>) {
  if (!isOverseer(caller)) throw new NotFoundError();
  return json(200, await bulletinOf(caller, params.id, now, "GET /spot-checks/{id}/bulletin"));
}

export const handler = httpRoute({ params: schemas.idParams }, getBulletin);
