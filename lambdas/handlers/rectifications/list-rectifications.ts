import type * as z from "zod/mini";
import { hasRole, isOverseer, unitOf } from "../../api/auth";
import { httpRoute, json, type RouteRequest } from "../../api/http";
import * as schemas from "../../api/schemas";
import { pageOf } from "../../api/schemas";
import type { Page } from "../../data/dynamo";
import type { RectificationRecord } from "../../data/records";
import { isOverdue } from "../../domain/rectification-order";
import { rectificationStore } from "../../services/context";
import { rectificationView } from "../../services/views";

type Query = z.infer<typeof schemas.listRectifications>;

/**
 * Rectification orders (整改单) the caller may see, filtered by `status`, `unitId` and `overdue`.
 * Organizers, admins and officials read the unit's or the global index (active and closed orders
 * apart, by deadline); a unit reads its own; an inspector the orders of their own assignments.
 */
async function listRectifications({ caller, query, now }: RouteRequest<undefined, Query, undefined>) {
  const page = pageOf(query);
  const at = now.toISOString();
  const overdueOnly = query.overdue === "true";
  const bucket =
    query.status === "closed" ? "closed" : query.status ? "active" : overdueOnly ? "active" : "all";
  const keep = (r: RectificationRecord) =>
    (query.status === undefined || r.status === query.status) &&
    (query.unitId === undefined || r.unitId === query.unitId) &&
    (query.overdue === undefined || isOverdue(r.deadline, r.status, now) === overdueOnly);

  let result: Page<RectificationRecord>;
  const ownUnit = unitOf(caller);
  if (isOverseer(caller)) {
    result = await rectificationStore.pageRectifications(
      {
        bucket,
        ...(query.unitId ? { unitId: query.unitId } : {}),
        ...(overdueOnly ? { overdueBefore: at } : {}),
        ...(query.status && query.status !== "closed" ? { status: query.status } : {}),
      },
      page,
    );
  } else if (hasRole(caller, "inspector")) {
    const ids = await rectificationStore.listRectificationIdsOfInspector(caller.sub, page);
    result = { items: await rectificationStore.getRectifications(ids.items), nextCursor: ids.nextCursor };
  } else if (ownUnit && (query.unitId === undefined || query.unitId === ownUnit)) {
    result = await rectificationStore.pageRectifications(
      {
        bucket,
        unitId: ownUnit,
        ...(overdueOnly ? { overdueBefore: at } : {}),
        ...(query.status && query.status !== "closed" ? { status: query.status } : {}),
      },
      page,
    );
  } else {
    result = { items: [], nextCursor: null };
  }
  return json(200, {
    items: result.items.filter(keep).map((r) => rectificationView(r, now)),
    nextCursor: result.nextCursor,
  });
}

export const handler = httpRoute({ query: schemas.listRectifications }, listRectifications);
