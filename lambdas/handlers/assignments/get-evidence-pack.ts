import type * as z from "zod/mini";
import { isOverseer } from "../../api/auth";
import { httpRoute, type RouteRequest } from "../../api/http";
import * as schemas from "../../api/schemas";
import { safeDocumentName, ZIP_CONTENT_TYPE } from "../../domain/documents";
import { ForbiddenError } from "../../domain/errors";
import { deliverDocument } from "../../services/downloads";
import { evidencePackOf } from "../../services/evidence-pack";
import { loadVisibleAssignment } from "../../services/visibility";

type Params = z.infer<typeof schemas.idParams>;

const VIA = "GET /assignments/{id}/evidence-pack";

/**
 * The evidence pack (证据包) of an assignment: a zip that `npm run verify-pack` checks offline
 * (lambdas/services/evidence-pack.ts). Usually larger than a response may be: then stored under
 * `exports/` and answered with 303 to a download URL. Organizers, admins and officials; others 403.
 */
async function getEvidencePack({ caller, params, now }: RouteRequest<undefined, undefined, Params>) {
  if (!isOverseer(caller)) throw new ForbiddenError("证据包仅供督查组织人员、管理员和领导导出。");
  const assignment = await loadVisibleAssignment(caller, params.id, VIA, now);
  const pack = await evidencePackOf(caller, assignment, now, VIA);
  return deliverDocument(pack.bytes, ZIP_CONTENT_TYPE, safeDocumentName(pack.fileName));
}

export const handler = httpRoute({ params: schemas.idParams }, getEvidencePack);
