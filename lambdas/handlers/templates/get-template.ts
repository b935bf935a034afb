import type * as z from "zod/mini";
import { httpRoute, json, type RouteRequest } from "../../api/http";
import * as schemas from "../../api/schemas";
import { NotFoundError } from "../../domain/errors";
import { templateStore } from "../../services/context";
import { templateView } from "../../services/views";

type Params = z.infer<typeof schemas.templateParams>;
type Query = z.infer<typeof schemas.templateQuery>;

/**
 * The latest version of a checklist, or `?version=` the one a spot check was planned with (an
 * assignment names it); inspectors read it to score on site.
 */
async function getTemplate({ params, query }: RouteRequest<undefined, Query, Params>) {
  const template = query.version
    ? await templateStore.getTemplateVersion(params.templateId, Number(query.version))
    : await templateStore.getLatestTemplate(params.templateId);
  if (!template) throw new NotFoundError();
  return json(200, templateView(template));
}

export const handler = httpRoute(
  { params: schemas.templateParams, query: schemas.templateQuery },
  getTemplate,
);
