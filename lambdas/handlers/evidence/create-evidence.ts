import { randomUUID } from "node:crypto";
import type * as z from "zod/mini";
import { httpRoute, json, type RouteRequest } from "../../api/idempotent-http";
import * as schemas from "../../api/schemas";
import type { EvidenceRecord } from "../../data/records";
import { ConflictError, ForbiddenError, RuleViolationError } from "../../domain/errors";
import {
  EVIDENCE_TYPES,
  evidenceObjectKeys,
  MAX_EVIDENCE_BYTES,
  SUBJECT_OF_PURPOSE,
  UPLOAD_URL_SECONDS,
} from "../../domain/evidence";
import { evidenceStore } from "../../services/context";
import { loadVisibleSubject, mayAddEvidence, PURPOSE_NAMES } from "../../services/evidence";
import { presignUpload } from "../../shared/object-urls";

type Body = z.infer<typeof schemas.createEvidence>;

/**
 * Issues an upload (取证): a `pending` evidence item and a presigned PUT, at most 15 minutes, to a
 * key the server chose, with the declared type and length bound into the signature. The bytes go
 * straight to the bucket; the bucket's own upload event runs the check that verifies or rejects
 * them. Type and size are refused here (422) before any URL exists.
 */
async function createEvidence({ caller, body, now }: RouteRequest<Body, undefined, undefined>) {
  const problems = [];
  if (SUBJECT_OF_PURPOSE[body.purpose] !== body.subject.kind) {
    problems.push({
      path: "body.purpose",
      message: `「${PURPOSE_NAMES[body.purpose]}」应附在${body.subject.kind === "assignment" ? "整改单" : "督查任务"}上`,
    });
  }
  if (!(EVIDENCE_TYPES as readonly string[]).includes(body.contentType)) {
    problems.push({ path: "body.contentType", message: "只接受 JPEG、PNG、WebP 图片或 PDF 文件" });
  }
  if (body.size > MAX_EVIDENCE_BYTES) {
    problems.push({ path: "body.size", message: "文件最大 10 MiB（10485760 字节）" });
  }
  const subject = await loadVisibleSubject(caller, body.subject, "POST /evidence", now);
  if (problems.length > 0) throw new RuleViolationError("证据材料不符合要求。", problems);
  if (!mayAddEvidence(caller, body.purpose, subject)) {
    throw new ForbiddenError(`您不能为此事项上传「${PURPOSE_NAMES[body.purpose]}」材料。`);
  }
  if (subject.kind === "assignment" && !subject.assignment.arrival) {
    throw new ConflictError("请先记录到达现场，再上传问题照片。");
  }
  if (subject.kind === "assignment" && subject.assignment.status === "missed") {
    throw new ConflictError("该督查任务已错过检查时段，不再接收照片。");
  }
  if (subject.kind === "rectification" && subject.rectification.status === "closed") {
    throw new ConflictError("该整改单已销号，不再接收材料。");
  }

  const evidenceId = randomUUID();
  const at = now.toISOString();
  const expiresAt = new Date(now.getTime() + UPLOAD_URL_SECONDS * 1000).toISOString();
  const owner =
    subject.kind === "assignment"
      ? { unitId: subject.assignment.unitId, assignmentId: subject.assignment.assignmentId }
      : { unitId: subject.rectification.unitId, assignmentId: subject.rectification.assignmentId };
  const declaredCapture =
    body.capturedAt || body.location
      ? {
          ...(body.capturedAt ? { capturedAt: new Date(body.capturedAt).toISOString() } : {}),
          ...(body.location ? { location: body.location } : {}),
        }
      : undefined;
  const record: EvidenceRecord = {
    evidenceId,
    subject: body.subject,
    purpose: body.purpose,
    status: "pending",
    fileName: body.fileName,
    contentType: body.contentType,
    size: body.size,
    ...owner,
    uploadedBy: caller.sub,
    createdAt: at,
    expiresAt,
    ...(declaredCapture ? { declaredCapture } : {}),
  };
  const upload = await presignUpload(
    evidenceObjectKeys(evidenceId).upload,
    body.contentType,
    body.size,
    UPLOAD_URL_SECONDS,
  );
  await evidenceStore.createPending(record, {
    entityId: evidenceId,
    actor: caller.sub,
    action: "evidence_requested",
    at,
    created: true,
    detail: {
      subject: body.subject,
      purpose: body.purpose,
      fileName: body.fileName,
      contentType: body.contentType,
      size: body.size,
    },
  });
  return json(201, {
    evidenceId,
    status: "pending",
    upload: { method: "PUT", url: upload.url, headers: upload.headers },
    expiresAt,
  });
}

export const handler = httpRoute({ body: schemas.createEvidence, idempotent: true }, createEvidence);
