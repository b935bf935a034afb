import type * as z from "zod/mini";
import { isOverseer } from "../../api/auth";
import { httpRoute, json, type RouteRequest } from "../../api/http";
import * as schemas from "../../api/schemas";
import { NotFoundError } from "../../domain/errors";
import { inspectorStore } from "../../services/context";

type Params = z.infer<typeof schemas.inspectorParams>;

/** An inspector's profile: for overseers and for the inspector themselves. */
async function getInspector({ caller, params }: RouteRequest<undefined, undefined, Params>) {
  if (!isOverseer(caller) && caller.sub !== params.inspectorId) throw new NotFoundError();
  const inspector = await inspectorStore.getInspector(params.inspectorId);
  if (!inspector) throw new NotFoundError();
  return json(200, inspector);
}

export const handler = httpRoute({ params: schemas.inspectorParams }, getInspector);
