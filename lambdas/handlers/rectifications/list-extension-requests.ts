import type * as z from "zod/mini";
import { isPlanner } from "../../api/auth";
import { httpRoute, json, type RouteRequest } from "../../api/http";
import * as schemas from "../../api/schemas";
import { pageOf } from "../../api/schemas";
import { ForbiddenError } from "../../domain/errors";
import { rectificationStore, unitStore } from "../../services/context";
import { namesOf } from "../../services/names";

type Query = z.infer<typeof schemas.listExtensionRequests>;

/** The organizers' queue of pending extension requests (延期申请待审批), oldest first, with names. */
async function listExtensionRequests({ caller, query }: RouteRequest<undefined, Query, undefined>) {
  if (!isPlanner(caller)) throw new ForbiddenError("只有督查组织人员或管理员可以审批延期申请。");
  const page = await rectificationStore.pagePendingExtensions(pageOf(query));
  const [units, names] = await Promise.all([
    unitStore.getUnits([...new Set(page.items.map((p) => p.unitId))]),
    namesOf([...new Set(page.items.map((p) => p.requestedBy))]),
  ]);
  return json(200, {
    items: page.items.map((p) => ({
      ...p,
      unitName: units.get(p.unitId)?.name ?? p.unitId,
      ...(names[p.requestedBy] ? { requestedByName: names[p.requestedBy] } : {}),
    })),
    nextCursor: page.nextCursor,
  });
}

export const handler = httpRoute({ query: schemas.listExtensionRequests }, listExtensionRequests);
