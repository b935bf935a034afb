import type * as z from "zod/mini";
import { httpRoute, json, type RouteRequest } from "../../api/idempotent-http";
import * as schemas from "../../api/schemas";
import { assertMayManage, createPerson, personView } from "../../services/people";

type Body = z.infer<typeof schemas.createPerson>;

/**
 * Creates a person with an account (开通账号): a temporary password, returned once, to be changed
 * at the first sign-in; an inspector also gets the inspector profile the draw uses. Admins create
 * anyone; organizers only inspectors.
 */
async function createPersonRoute({ caller, body, now }: RouteRequest<Body, undefined, undefined>) {
  assertMayManage(caller, body.roles);
  const { person, temporaryPassword } = await createPerson(body, caller.sub, now);
  return json(201, { ...personView(person), temporaryPassword });
}

export const handler = httpRoute({ body: schemas.createPerson, idempotent: true }, createPersonRoute);
