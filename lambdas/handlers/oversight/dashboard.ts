import type * as z from "zod/mini";
import { isOverseer } from "../../api/auth";
import { httpRoute, json, type RouteRequest } from "../../api/http";
import * as schemas from "../../api/schemas";
import { ForbiddenError } from "../../domain/errors";
import { dashboardData } from "../../services/dashboard";

type Query = z.infer<typeof schemas.dashboardQuery>;

/** The rectification dashboard (整改督办看板) for officials and organizers; see `dashboardData`. */
async function dashboard({ caller, query, now }: RouteRequest<undefined, Query, undefined>) {
  if (!isOverseer(caller)) throw new ForbiddenError("整改督办看板仅供督查组织人员、管理员和领导查看。");
  return json(200, await dashboardData(now, query.spotCheckId));
}

export const handler = httpRoute({ query: schemas.dashboardQuery }, dashboard);
