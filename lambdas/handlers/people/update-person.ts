import type * as z from "zod/mini";
import { httpRoute, json, type RouteRequest } from "../../api/idempotent-http";
import * as schemas from "../../api/schemas";
import { RuleViolationError } from "../../domain/errors";
import { assertMayManage, changePerson, loadPerson, personView } from "../../services/people";

type Body = z.infer<typeof schemas.updatePerson>;
type Params = z.infer<typeof schemas.personParams>;

/**
 * Changes a person's name, phone, roles, unit or home unit, or disables (停用) or enables the
 * account. A disabled person can no longer sign in, and their tokens stop working within 5 minutes.
 */
async function updatePerson({ caller, body, params, now }: RouteRequest<Body, undefined, Params>) {
  const before = await loadPerson(params.personId);
  assertMayManage(caller, before.roles, body.roles ?? before.roles);
  if (body.enabled === false && before.personId === caller.sub) {
    throw new RuleViolationError("不能停用自己的账号。", [{ path: "body.enabled", message: "不能停用自己" }]);
  }
  const after = await changePerson(before, body, caller.sub, now);
  return json(200, personView(after));
}

export const handler = httpRoute(
  { body: schemas.updatePerson, params: schemas.personParams, idempotent: true },
  updatePerson,
);
