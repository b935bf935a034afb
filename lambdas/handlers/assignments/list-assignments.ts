import type * as z from "zod/mini";
import { hasRole, isOverseer, unitOf } from "../../api/auth";
import { httpRoute, json, type RouteRequest } from "../../api/http";
import * as schemas from "../../api/schemas";
import { pageOf } from "../../api/schemas";
import { assignmentStore } from "../../services/context";
import { assignmentView } from "../../services/views";
import { auditPreArrivalReads } from "../../services/visibility";

type Query = z.infer<typeof schemas.page>;

/**
 * Assignments the caller may see: all for organizers, admins and officials; an inspector's own;
 * for a unit, only those whose team has arrived (the unit's index holds nothing before arrival).
 */
async function listAssignments({ caller, query, now }: RouteRequest<undefined, Query, undefined>) {
  const page = pageOf(query);
  const unitId = unitOf(caller);
  const result = isOverseer(caller)
    ? await assignmentStore.listAllAssignments(page)
    : hasRole(caller, "inspector")
      ? await assignmentStore.listAssignmentsOfInspector(caller.sub, page)
      : unitId
        ? await assignmentStore.listArrivedAssignmentsOfUnit(unitId, page)
        : { items: [], nextCursor: null };
  await auditPreArrivalReads(caller, result.items, "GET /assignments", now.toISOString());
  return json(200, { items: result.items.map(assignmentView), nextCursor: result.nextCursor });
}

export const handler = httpRoute({ query: schemas.page }, listAssignments);
