import { createHash } from "node:crypto";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import * as z from "zod/mini";
import type { AuditInput } from "../../data/journal";
import type { EvidenceRecord } from "../../data/records";
import { ConflictError } from "../../domain/errors";
import {
  checkUpload,
  evidenceIdOfUploadKey,
  evidenceObjectKeys,
  exifCaptureTime,
  exifLocation,
  safeFileName,
} from "../../domain/evidence";
import { evidenceStore } from "../../services/context";
import { readExifTags } from "../../shared/exif-reader";
import { logger } from "../../shared/logger";
import { copyObject, deleteObject, readObject } from "../../shared/object-store";
import { observability } from "../../shared/observability";

/**
 * The part of the bucket's "Object Created" event (EventBridge) the check reads. Upload keys are
 * `uploads/<uuid>`, the same whether or not a sender URL-encodes them.
 */
const objectCreated = z.object({
  "detail-type": z.literal("Object Created"),
  time: z.string(),
  detail: z.object({ object: z.object({ key: z.string() }) }),
});

/** The EXIF tags a capture time and place are read from (raw values: no time zone guessed). */
const EXIF_TAGS = [
  "DateTimeOriginal",
  "OffsetTimeOriginal",
  "GPSLatitude",
  "GPSLatitudeRef",
  "GPSLongitude",
  "GPSLongitudeRef",
];

async function readCapture(bytes: Uint8Array, contentType: string) {
  if (contentType === "application/pdf") return {};
  try {
    const tags: unknown = await readExifTags(bytes, EXIF_TAGS);
    if (typeof tags !== "object" || tags === null) return {};
    const t = tags as Record<string, unknown>;
    return {
      capturedAt: exifCaptureTime(t.DateTimeOriginal, t.OffsetTimeOriginal),
      location: exifLocation(t),
    };
  } catch (error) {
    // A photo whose EXIF does not parse is still a photo; it just says nothing of when or where.
    logger.warn("EXIF could not be read", { error: error instanceof Error ? error.message : String(error) });
    return {};
  }
}

/**
 * Checks one upload the bucket reported: the stored bytes against what was declared (size, type by
 * magic bytes), their SHA-256 computed here, the photo's EXIF time and place. Accepted bytes are
 * copied to the evidence key (which no upload URL can write) and the evidence is `verified`, its hash
 * entering the subject's audit chain; refused bytes make it `rejected` with the reason. The upload
 * itself is deleted last, so a retry after a crash finds it again. An upload for evidence that is
 * no longer pending (an upload URL used twice) or unknown is deleted and changes nothing.
 */
async function checkUploadedObject(key: string, uploadedAt: string): Promise<void> {
  const evidenceId = evidenceIdOfUploadKey(key);
  const e: EvidenceRecord | undefined = evidenceId ? await evidenceStore.getEvidence(evidenceId) : undefined;
  if (e?.status !== "pending") {
    logger.warn("Upload without pending evidence discarded", { key, status: e?.status ?? "unknown" });
    await deleteObject(key);
    return;
  }
  const { upload, stored } = evidenceObjectKeys(e.evidenceId);
  const object = await readObject(upload);
  const checkedAt = new Date().toISOString();
  const verdict = checkUpload(e, object.bytes.length, object.bytes.subarray(0, 16));
  const base = { actor: e.uploadedBy, at: checkedAt };
  try {
    if (!verdict.ok) {
      await evidenceStore.markRejected(e, verdict.reason, checkedAt, {
        ...base,
        entityId: e.evidenceId,
        action: "evidence_rejected",
        detail: { reason: verdict.reason, size: object.bytes.length },
      });
    } else {
      const sha256 = createHash("sha256").update(object.bytes).digest("hex");
      const exif = await readCapture(object.bytes, e.contentType);
      const declared = e.declaredCapture;
      const capturedAt = exif.capturedAt ?? declared?.capturedAt;
      const location = exif.location ?? declared?.location;
      const captureSource = exif.capturedAt || exif.location ? "exif" : declared ? "device" : undefined;
      await copyObject(upload, stored, object.etag, {
        contentType: e.contentType,
        fileName: safeFileName(e.fileName),
      });
      const detail = {
        evidenceId: e.evidenceId,
        purpose: e.purpose,
        sha256,
        size: object.bytes.length,
        contentType: e.contentType,
        ...(capturedAt ? { capturedAt } : {}),
        ...(location ? { location } : {}),
      };
      const audits: AuditInput[] = [
        { ...base, entityId: e.subject.id, action: "evidence_verified", detail },
        { ...base, entityId: e.evidenceId, action: "evidence_verified", detail },
      ];
      await evidenceStore.markVerified(
        e,
        { sha256, uploadedAt, checkedAt, capturedAt, location, captureSource },
        audits,
      );
    }
  } catch (error) {
    // Checked already by a concurrent delivery of the same event: nothing left to do but the upload.
    if (!(error instanceof ConflictError)) throw error;
  }
  await deleteObject(upload);
}

/**
 * The bucket's upload event (S3 → EventBridge → Lambda, asynchronous: a failure is retried and then
 * lands in the dead-letter queue). Locally the object store's own event plays the same event.
 */
async function verifyUpload(event: unknown, _context: Context): Promise<void> {
  const parsed = z.safeParse(objectCreated, event);
  if (!parsed.success) {
    // Not retried: the same malformed event would fail the same way every time.
    logger.error("Upload check received an event that is not an object creation");
    return;
  }
  const time = new Date(parsed.data.time);
  const uploadedAt = (Number.isNaN(time.getTime()) ? new Date() : time).toISOString();
  await checkUploadedObject(parsed.data.detail.object.key, uploadedAt);
}

export const handler = middy<unknown, void>().use(observability()).handler(verifyUpload);
