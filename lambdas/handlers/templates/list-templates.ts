import type * as z from "zod/mini";
import { httpRoute, json, type RouteRequest } from "../../api/http";
import * as schemas from "../../api/schemas";
import { pageOf } from "../../api/schemas";
import { templateStore } from "../../services/context";
import { templateView } from "../../services/views";

type Query = z.infer<typeof schemas.page>;

/** Every checklist template (考评细则), newest first, for anyone signed in (as `GET /templates/{id}`). */
async function listTemplates({ query }: RouteRequest<undefined, Query, undefined>) {
  const page = await templateStore.listTemplates(pageOf(query));
  return json(200, { items: page.items.map(templateView), nextCursor: page.nextCursor });
}

export const handler = httpRoute({ query: schemas.page }, listTemplates);
