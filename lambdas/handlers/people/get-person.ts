import type * as z from "zod/mini";
import { httpRoute, json, type RouteRequest } from "../../api/http";
import * as schemas from "../../api/schemas";
import { assertMayManage, loadPerson, personView } from "../../services/people-records";

type Params = z.infer<typeof schemas.personParams>;

/** One person: admins see anyone, organizers inspectors, and everyone themselves. */
async function getPerson({ caller, params }: RouteRequest<undefined, undefined, Params>) {
  const person = await loadPerson(params.personId);
  if (person.personId !== caller.sub) assertMayManage(caller, person.roles);
  return json(200, personView(person));
}

export const handler = httpRoute({ params: schemas.personParams }, getPerson);
