import type * as z from "zod/mini";
import { isOverseer } from "../../api/auth";
import { httpRoute, type RouteRequest } from "../../api/http";
import * as schemas from "../../api/schemas";
import { bulletinDocument } from "../../domain/bulletin-document";
import { DOCX_CONTENT_TYPE, safeDocumentName } from "../../domain/documents";
import { ForbiddenError } from "../../domain/errors";
import { bulletinOf } from "../../services/bulletin";
import { deliverDocument } from "../../services/downloads";
import { docxDocument } from "../../shared/docx-writer";

type Params = z.infer<typeof schemas.idParams>;

/**
 * The 督查通报 of a spot check as a Word document laid out per GB/T 9704 (lambdas/shared/docx-writer.ts):
 * the same content as the JSON bulletin and the PDF. Organizers, admins and officials; others 403.
 */
async function getBulletinDocx({ caller, params, now }: RouteRequest<undefined, undefined, Params>) {
  if (!isOverseer(caller)) throw new ForbiddenError("督查通报仅供督查组织人员、管理员和领导导出。");
  const bulletin = await bulletinOf(caller, params.id, now, "GET /spot-checks/{id}/bulletin.docx");
  const doc = bulletinDocument(bulletin);
  return deliverDocument(await docxDocument(doc), DOCX_CONTENT_TYPE, safeDocumentName(`${doc.title}.docx`));
}

export const handler = httpRoute({ params: schemas.idParams }, getBulletinDocx);
