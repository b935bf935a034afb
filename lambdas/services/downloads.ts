import { randomUUID } from "node:crypto";
import { file, fitsInResponse, type HttpResponse, seeOther } from "../api/http";
import { EXPORT_URL_SECONDS, exportObjectKey } from "../domain/documents";
import { requiredEnv } from "../shared/config";

// The bucket is configuration like any other, checked at start; the S3 client is loaded only for a
// document too large for a response, which the Word, PDF and workbook routes seldom make, so their
// cold start does not pay for it (≈ 10 ms of the Word route's import; docs/performance.md, phase 1).
requiredEnv("EVIDENCE_BUCKET");

/**
 * A document for its caller: the bytes in the response when they fit into a Lambda response (6 MB,
 * base64 included), else stored under `exports/` (deleted by the bucket's lifecycle after a day) and
 * answered with `303 See Other` to a download URL of five minutes, which clients follow. The stored
 * object carries the type and the (Chinese) file name, so the download is named as the response
 * would have named it. Routes that use it are granted `objects: "exports"` (lambdas/api/routes.ts).
 */
export async function deliverDocument(
  bytes: Uint8Array,
  contentType: string,
  fileName: string,
): Promise<HttpResponse> {
  if (fitsInResponse(bytes.length)) return file(200, bytes, contentType, fileName);
  const { presignDownload, putObject } = await import("../shared/object-store");
  const key = exportObjectKey(randomUUID(), fileName);
  await putObject(key, bytes, { contentType, fileName });
  return seeOther(await presignDownload(key, EXPORT_URL_SECONDS));
}
