import type { PersonRecord } from "../data/records";
import { ForbiddenError, NotFoundError } from "../domain/errors";
import { organizerMayManage } from "../domain/people";
import { type Caller, isPlanner } from "../domain/roles";
import { peopleStore } from "./context";

/*
 * What the routes that only read people need, apart from services/people.ts: that module loads the
 * user pool's client, which requires USER_POOL_ID at load — a variable only the routes that change
 * accounts are given.
 */

/**
 * Admins manage everyone; organizers only people whose roles are `inspector` alone (403 for the
 * rest, which they may know exist: an organizer plans with inspectors, not with accounts).
 */
export function assertMayManage(caller: Caller, ...roleSets: (readonly string[])[]): void {
  if (caller.roles.has("admin")) return;
  if (!isPlanner(caller)) throw new ForbiddenError("只有管理员和督查组织人员可以管理人员。");
  if (!roleSets.every(organizerMayManage))
    throw new ForbiddenError("督查组织人员只能管理仅有“督查员”角色的人员；其他人员由管理员管理。");
}

export async function loadPerson(id: string): Promise<PersonRecord> {
  const p = await peopleStore.getPerson(id);
  if (!p) throw new NotFoundError("没有这个人员。");
  return p;
}

export function personView(p: PersonRecord) {
  return {
    personId: p.personId,
    name: p.name,
    username: p.username,
    ...(p.phone ? { phone: p.phone } : {}),
    roles: p.roles,
    ...(p.unitId ? { unitId: p.unitId } : {}),
    ...(p.homeUnitId ? { homeUnitId: p.homeUnitId } : {}),
    enabled: p.enabled,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}
