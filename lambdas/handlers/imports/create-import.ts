import { randomUUID } from "node:crypto";
import type * as z from "zod/mini";
import { httpRoute, json, type RouteRequest } from "../../api/idempotent-http";
import * as schemas from "../../api/schemas";
import type { ImportRecord } from "../../data/records";
import { RuleViolationError } from "../../domain/errors";
import { IMPORT_UPLOAD_SECONDS, importFileProblems, importObjectKeys } from "../../domain/imports";
import { importStore } from "../../services/context";
import { assertMayImport } from "../../services/imports";
import { presignUpload } from "../../shared/object-urls";

type Body = z.infer<typeof schemas.createImport>;

/**
 * Starts a spreadsheet import (导入单位 / 导入人员): a `pending` import and a presigned PUT of at
 * most 15 minutes to a key the server chose, with the declared type signed (and the size, when
 * given). The bucket's own upload event runs the import; nothing here reads the file. Only `.xlsx`
 * and `.csv` are taken, at most 10 MiB (422 before any URL exists).
 */
async function createImport({ caller, body, now }: RouteRequest<Body, undefined, undefined>) {
  assertMayImport(caller, body.kind);
  const { format, problems } = importFileProblems(body);
  if (!format) throw new RuleViolationError("导入文件不符合要求。", problems);

  const importId = randomUUID();
  const at = now.toISOString();
  const uploadExpiresAt = new Date(now.getTime() + IMPORT_UPLOAD_SECONDS * 1000).toISOString();
  const contentType = body.contentType.split(";")[0]?.trim().toLowerCase() ?? body.contentType;
  const record: ImportRecord = {
    importId,
    kind: body.kind,
    status: "pending",
    fileName: body.fileName,
    contentType,
    format,
    ...(body.size !== undefined ? { size: body.size } : {}),
    inspectorsOnly: !caller.roles.has("admin"),
    createdAt: at,
    createdBy: caller.sub,
    updatedAt: at,
    uploadExpiresAt,
    total: 0,
    done: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    errorCount: 0,
  };
  const upload = await presignUpload(
    importObjectKeys(importId).upload,
    contentType,
    body.size,
    IMPORT_UPLOAD_SECONDS,
  );
  await importStore.create(record, {
    entityId: importId,
    actor: caller.sub,
    action: "import_requested",
    at,
    created: true,
    detail: {
      kind: body.kind,
      fileName: body.fileName,
      contentType,
      ...(body.size ? { size: body.size } : {}),
    },
  });
  return json(201, {
    importId,
    kind: body.kind,
    status: "pending",
    upload: { method: "PUT", url: upload.url, headers: upload.headers },
    expiresAt: uploadExpiresAt,
  });
}

export const handler = httpRoute({ body: schemas.createImport, idempotent: true }, createImport);
