import type * as z from "zod/mini";
import { httpRoute, json, type RouteRequest } from "../../api/idempotent-http";
import * as schemas from "../../api/schemas";
import { assertMayManage, loadPerson, resetPassword } from "../../services/people";

type Params = z.infer<typeof schemas.personParams>;

/** 重置密码: a new temporary password, returned once; the person changes it at the next sign-in. */
async function resetPasswordRoute({ caller, params, now }: RouteRequest<undefined, undefined, Params>) {
  const person = await loadPerson(params.personId);
  assertMayManage(caller, person.roles);
  return json(200, { temporaryPassword: await resetPassword(person, caller.sub, now) });
}

export const handler = httpRoute({ params: schemas.personParams, idempotent: true }, resetPasswordRoute);
