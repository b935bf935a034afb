import type * as z from "zod/mini";
import { isOverseer } from "../../api/auth";
import { httpRoute, json, type RouteRequest } from "../../api/http";
import * as schemas from "../../api/schemas";
import { pageOf } from "../../api/schemas";
import { ForbiddenError } from "../../domain/errors";
import { spotCheckStore } from "../../services/context";
import { spotCheckView } from "../../services/views";

type Query = z.infer<typeof schemas.page>;

/**
 * Every spot check, newest first, for organizers, admins and officials. Without assignments: the
 * targets are read (and audited before arrival) through `GET /spot-checks/{id}`.
 */
async function listSpotChecks({ caller, query }: RouteRequest<undefined, Query, undefined>) {
  if (!isOverseer(caller)) throw new ForbiddenError("只有督查组织人员、管理员和领导可以查看督查任务列表。");
  const page = await spotCheckStore.listSpotChecks(pageOf(query));
  return json(200, { items: page.items.map(spotCheckView), nextCursor: page.nextCursor });
}

export const handler = httpRoute({ query: schemas.page }, listSpotChecks);
