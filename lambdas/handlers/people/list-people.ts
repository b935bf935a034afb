import type * as z from "zod/mini";
import { httpRoute, json, type RouteRequest } from "../../api/http";
import * as schemas from "../../api/schemas";
import { pageOf } from "../../api/schemas";
import { organizerMayManage } from "../../domain/people";
import { peopleStore } from "../../services/context";
import { assertMayManage, personView } from "../../services/people-records";

type Query = z.infer<typeof schemas.listPeople>;

/**
 * People by username, optionally of one role and of one unit (a unit user's unit or an inspector's
 * home unit). Organizers list inspectors only: `role=inspector` is implied, and people with a
 * second role are left out.
 */
async function listPeople({ caller, query }: RouteRequest<undefined, Query, undefined>) {
  const admin = caller.roles.has("admin");
  if (!admin) assertMayManage(caller, [query.role ?? "inspector"]);
  const role = admin ? query.role : "inspector";
  const page = await peopleStore.pagePeople(
    { ...(role ? { role } : {}), ...(query.unitId ? { unitId: query.unitId } : {}) },
    pageOf(query),
  );
  const visible = admin ? page.items : page.items.filter((p) => organizerMayManage(p.roles));
  return json(200, { items: visible.map(personView), nextCursor: page.nextCursor });
}

export const handler = httpRoute({ query: schemas.listPeople }, listPeople);
