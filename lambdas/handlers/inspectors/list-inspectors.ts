import type * as z from "zod/mini";
import { isOverseer } from "../../api/auth";
import { httpRoute, json, type RouteRequest } from "../../api/http";
import * as schemas from "../../api/schemas";
import { pageOf } from "../../api/schemas";
import { ForbiddenError } from "../../domain/errors";
import { inspectorStore } from "../../services/context";

type Query = z.infer<typeof schemas.page>;

/** The inspector pool (for planning a spot check), by id; for organizers, admins and officials. */
async function listInspectors({ caller, query }: RouteRequest<undefined, Query, undefined>) {
  if (!isOverseer(caller)) throw new ForbiddenError("只有督查组织人员、管理员和领导可以查看督查人员库。");
  const page = await inspectorStore.listInspectors(pageOf(query));
  return json(200, { items: page.items, nextCursor: page.nextCursor });
}

export const handler = httpRoute({ query: schemas.page }, listInspectors);
