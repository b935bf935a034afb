import type * as z from "zod/mini";
import { isOverseer } from "../../api/auth";
import { httpRoute, type RouteRequest } from "../../api/http";
import * as schemas from "../../api/schemas";
import { bulletinDocument } from "../../domain/bulletin-document";
import { PDF_CONTENT_TYPE, safeDocumentName } from "../../domain/documents";
import { ForbiddenError } from "../../domain/errors";
import { bulletinOf } from "../../services/bulletin";
import { deliverDocument } from "../../services/downloads";
import { pdfDocument } from "../../shared/pdf-writer";

type Params = z.infer<typeof schemas.idParams>;

/**
 * The 督查通报 of a spot check as a PDF (lambdas/shared/pdf-writer.ts): the same content and layout as
 * the Word document, with a free CJK font embedded as a subset. Organizers, admins and officials; others 403.
 */
async function getBulletinPdf({ caller, params, now }: RouteRequest<undefined, undefined, Params>) {
  if (!isOverseer(caller)) throw new ForbiddenError("督查通报仅供督查组织人员、管理员和领导导出。");
  const bulletin = await bulletinOf(caller, params.id, now, "GET /spot-checks/{id}/bulletin.pdf");
  const doc = bulletinDocument(bulletin);
  return deliverDocument(await pdfDocument(doc, now), PDF_CONTENT_TYPE, safeDocumentName(`${doc.title}.pdf`));
}

export const handler = httpRoute({ params: schemas.idParams }, getBulletinPdf);
