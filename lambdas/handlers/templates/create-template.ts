import { randomUUID } from "node:crypto";
import type * as z from "zod/mini";
import { isPlanner } from "../../api/auth";
import { httpRoute, json, type RouteRequest } from "../../api/idempotent-http";
import * as schemas from "../../api/schemas";
import type { TemplateRecord } from "../../data/records";
import { ForbiddenError } from "../../domain/errors";
import { DEFAULT_GRADES } from "../../domain/scoring";
import { templateStore } from "../../services/context";
import { templateView } from "../../services/views";

type Body = z.infer<typeof schemas.createTemplate>;

/** A checklist template (考评细则), version 1. Versions never change once written. */
async function createTemplate({ caller, body, now }: RouteRequest<Body, undefined, undefined>) {
  if (!isPlanner(caller)) throw new ForbiddenError("只有督查组织人员和管理员可以编写考评细则。");
  const at = now.toISOString();
  const record: TemplateRecord = {
    templateId: randomUUID(),
    version: 1,
    name: body.name,
    items: body.items.map((i) => ({
      code: i.code,
      title: i.title,
      maxPoints: i.maxPoints,
      critical: i.critical ?? false,
    })),
    grades: [...(body.grades ?? DEFAULT_GRADES)].sort((a, b) => b.minPercent - a.minPercent),
    createdAt: at,
    createdBy: caller.sub,
  };
  await templateStore.createTemplate(record, {
    entityId: record.templateId,
    actor: caller.sub,
    action: "template_created",
    at,
    detail: { version: 1, items: record.items.length },
  });
  return json(201, templateView(record));
}

export const handler = httpRoute({ body: schemas.createTemplate, idempotent: true }, createTemplate);
