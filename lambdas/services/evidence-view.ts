import type { EvidenceRecord } from "../data/records";
import { DOWNLOAD_URL_SECONDS, evidenceObjectKeys } from "../domain/evidence";
import { presignDownload } from "../shared/object-urls";

/*
 * Apart from services/evidence.ts: the presigner (../shared/object-urls.ts) needs EVIDENCE_BUCKET when it loads,
 * which only the routes that hand out downloads are given — the routes that merely check cited
 * evidence (findings, report, review) must load without it.
 */

/** What identifies a piece of evidence and its file: the start of its view and its evidence pack entry. */
export function evidenceFileFields(e: EvidenceRecord) {
  return {
    evidenceId: e.evidenceId,
    subject: e.subject,
    purpose: e.purpose,
    status: e.status,
    fileName: e.fileName,
    contentType: e.contentType,
    size: e.size,
    ...(e.sha256 ? { sha256: e.sha256 } : {}),
  };
}

/** The wire shape of evidence; verified files carry a download URL of at most five minutes. */
export async function evidenceView(e: EvidenceRecord, now: Date) {
  const downloadUrl =
    e.status === "verified"
      ? await presignDownload(evidenceObjectKeys(e.evidenceId).stored, DOWNLOAD_URL_SECONDS)
      : undefined;
  return {
    ...evidenceFileFields(e),
    ...(e.capturedAt ? { capturedAt: e.capturedAt } : {}),
    ...(e.location ? { location: e.location } : {}),
    ...(e.captureSource ? { captureSource: e.captureSource } : {}),
    uploadedBy: e.uploadedBy,
    ...(e.uploadedAt ? { uploadedAt: e.uploadedAt } : {}),
    ...(e.reason ? { reason: e.reason } : {}),
    createdAt: e.createdAt,
    expiresAt: e.expiresAt,
    ...(downloadUrl
      ? {
          downloadUrl,
          downloadExpiresAt: new Date(now.getTime() + DOWNLOAD_URL_SECONDS * 1000).toISOString(),
        }
      : {}),
  };
}
