import type * as z from "zod/mini";
import { httpRoute, json, type RouteRequest } from "../../api/http";
import { schemas } from "../../api/schemas";
import { NotFoundError } from "../../domain/errors";
import { store } from "../../services/context";
import { templateView } from "../../services/views";

type Params = z.infer<typeof schemas.templateParams>;

/** The latest version of a checklist; inspectors read it to score on site. */
async function getTemplate({ params }: RouteRequest<undefined, undefined, Params>) {
  const template = await store.getLatestTemplate(params.templateId);
  if (!template) throw new NotFoundError();
  return json(200, templateView(template));
}

export const handler = httpRoute({ params: schemas.templateParams }, getTemplate);
