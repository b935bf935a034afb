import type * as z from "zod/mini";
import { isPlanner } from "../../api/auth";
import { httpRoute, json, type RouteRequest } from "../../api/idempotent-http";
import * as schemas from "../../api/schemas";
import type { TemplateRecord } from "../../data/records";
import { ForbiddenError, NotFoundError } from "../../domain/errors";
import { templateStore } from "../../services/context";
import { templateView } from "../../services/views";

type Body = z.infer<typeof schemas.publishTemplateVersion>;
type Params = z.infer<typeof schemas.templateParams>;

/**
 * The next version of a checklist template (考评细则): new items, and a new name or grades if given
 * (else the latest version's). Versions never change once written, and a spot check keeps the version
 * it was planned with; `GET /templates/{templateId}` answers the latest from now on.
 */
async function publishVersion({ caller, body, params, now }: RouteRequest<Body, undefined, Params>) {
  if (!isPlanner(caller)) throw new ForbiddenError("只有督查组织人员和管理员可以发布考评细则的新版本。");
  const at = now.toISOString();
  const published = await templateStore.publishVersion(params.templateId, (latest) => {
    const record: TemplateRecord = {
      templateId: latest.templateId,
      version: latest.version + 1,
      name: body.name ?? latest.name,
      items: body.items.map((i) => ({
        code: i.code,
        title: i.title,
        maxPoints: i.maxPoints,
        critical: i.critical ?? false,
      })),
      grades: [...(body.grades ?? latest.grades)].sort((a, b) => b.minPercent - a.minPercent),
      createdAt: at,
      createdBy: caller.sub,
    };
    return {
      record,
      audit: {
        entityId: record.templateId,
        actor: caller.sub,
        action: "template_version_published",
        at,
        detail: { version: record.version, previousVersion: latest.version, items: record.items.length },
      },
    };
  });
  if (!published) throw new NotFoundError();
  return json(201, templateView(published));
}

export const handler = httpRoute(
  { body: schemas.publishTemplateVersion, params: schemas.templateParams, idempotent: true },
  publishVersion,
);
