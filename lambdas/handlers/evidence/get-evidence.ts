import type * as z from "zod/mini";
import { httpRoute, json, type RouteRequest } from "../../api/http";
import * as schemas from "../../api/schemas";
import { loadVisibleEvidence } from "../../services/evidence";
import { evidenceView } from "../../services/evidence-view";

type Params = z.infer<typeof schemas.idParams>;

/**
 * One photo or document: its checked facts (SHA-256, type, size, EXIF time and place) and, once
 * verified, a download URL of at most five minutes — only for those who may see its subject.
 */
async function getEvidence({ caller, params, now }: RouteRequest<undefined, undefined, Params>) {
  const e = await loadVisibleEvidence(caller, params.id, "GET /evidence/{id}", now);
  return json(200, await evidenceView(e, now));
}

export const handler = httpRoute({ params: schemas.idParams }, getEvidence);
