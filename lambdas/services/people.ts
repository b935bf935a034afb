import type { InspectorRecord, PersonRecord } from "../data/records";
import { type FieldError, RuleViolationError } from "../domain/errors";
import { normalizePhone, temporaryPassword, unitRequirements } from "../domain/people";
import type { Role } from "../domain/roles";
import {
  createAccount,
  disableAccount,
  enableAccount,
  setGroups,
  setTemporaryPassword,
  updateAccount,
  usernameTaken,
} from "../shared/identity";
import { inspectorStore, peopleStore, unitStore } from "./context";

/** What a person is made of, as the people routes and the import take it. */
export interface PersonInput {
  readonly name: string;
  readonly phone?: string | undefined;
  readonly username: string;
  readonly roles: readonly Role[];
  readonly unitId?: string | undefined;
  readonly homeUnitId?: string | undefined;
}

export interface PersonChange {
  readonly name?: string | undefined;
  readonly phone?: string | null | undefined;
  readonly roles?: readonly Role[] | undefined;
  readonly unitId?: string | null | undefined;
  readonly homeUnitId?: string | null | undefined;
  readonly enabled?: boolean | undefined;
}

/** The rules a person's fields must meet (Chinese messages, paths under `prefix`). */
export async function personProblems(
  p: {
    phone?: string | undefined;
    roles: readonly string[];
    unitId?: string | undefined;
    homeUnitId?: string | undefined;
  },
  prefix: string,
): Promise<FieldError[]> {
  const problems = unitRequirements(p, (field) => `${prefix}.${field}`);
  if (p.phone !== undefined && normalizePhone(p.phone) === undefined)
    problems.push({ path: `${prefix}.phone`, message: "手机号格式不正确（应为 11 位大陆手机号）" });
  const wanted = [p.unitId, p.homeUnitId].filter((u): u is string => u !== undefined);
  if (wanted.length > 0) {
    const units = await unitStore.getUnits(wanted);
    if (p.unitId && !units.has(p.unitId))
      problems.push({ path: `${prefix}.unitId`, message: "没有这个单位" });
    if (p.homeUnitId && !units.has(p.homeUnitId))
      problems.push({ path: `${prefix}.homeUnitId`, message: "没有这个单位" });
  }
  return problems;
}

/** The inspector profile of a person with the `inspector` role (the draw's pool reads it). */
async function inspectorProfile(p: PersonRecord, at: string): Promise<InspectorRecord | undefined> {
  const existing = await inspectorStore.getInspector(p.personId);
  const homeUnitId = p.homeUnitId ?? existing?.homeUnitId;
  if (!homeUnitId) return undefined;
  const isInspector = p.roles.includes("inspector");
  if (!isInspector && !existing) return undefined;
  return {
    inspectorId: p.personId,
    name: p.name,
    homeUnitId,
    // No longer an inspector, or disabled: kept for the record, left out of every pool.
    enabled: isInspector && p.enabled,
    version: (existing?.version ?? 0) + 1,
    createdAt: existing?.createdAt ?? at,
    updatedAt: at,
  };
}

/**
 * Creates a person: the account in the user pool (temporary password, groups, `custom:unitId`),
 * then the person, the username claim, the role memberships and, for an inspector, the inspector
 * profile in one transaction. A retry after a failure between the two completes the same account.
 */
export async function createPerson(
  input: PersonInput,
  actor: string,
  now: Date,
): Promise<{ person: PersonRecord; temporaryPassword: string }> {
  const problems = await personProblems(input, "body");
  if (problems.length > 0) throw new RuleViolationError("人员信息不符合要求。", problems);
  if (await peopleStore.personIdOfUsername(input.username)) throw usernameTaken(input.username);
  const phone = input.phone ? normalizePhone(input.phone) : undefined;
  const password = temporaryPassword();
  const unitId = input.roles.includes("unit") ? input.unitId : undefined;
  const personId = await createAccount(
    input.username,
    { name: input.name, phone, unitId },
    input.roles,
    password,
  );
  const at = now.toISOString();
  const person: PersonRecord = {
    personId,
    username: input.username,
    name: input.name,
    ...(phone ? { phone } : {}),
    roles: [...input.roles],
    ...(unitId ? { unitId } : {}),
    ...(input.roles.includes("inspector") && input.homeUnitId ? { homeUnitId: input.homeUnitId } : {}),
    enabled: true,
    createdAt: at,
    updatedAt: at,
    createdBy: actor,
    version: 1,
  };
  const profile = await inspectorProfile(person, at);
  await peopleStore.createPerson(person, profile ? [inspectorStore.inspectorPut(profile)] : [], {
    entityId: personId,
    actor,
    action: "person_created",
    at,
    created: true,
    detail: {
      username: person.username,
      roles: person.roles,
      ...(person.unitId ? { unitId: person.unitId } : {}),
      ...(person.homeUnitId ? { homeUnitId: person.homeUnitId } : {}),
    },
  });
  return { person, temporaryPassword: password };
}

/** The person as it would be after `change`; undefined fields stay, null ones are cleared. */
export function applyChange(before: PersonRecord, change: PersonChange, at: string): PersonRecord {
  const pick = <K extends "phone" | "unitId" | "homeUnitId">(key: K) => {
    const value = change[key];
    if (value === undefined) return before[key] !== undefined ? { [key]: before[key] } : {};
    if (value === null) return {};
    return { [key]: key === "phone" ? (normalizePhone(value) ?? value) : value };
  };
  const { phone: _p, unitId: _u, homeUnitId: _h, ...rest } = before;
  return {
    ...rest,
    ...(change.name !== undefined ? { name: change.name } : {}),
    ...(change.roles !== undefined ? { roles: [...new Set(change.roles)] } : {}),
    ...(change.enabled !== undefined ? { enabled: change.enabled } : {}),
    ...pick("phone"),
    ...pick("unitId"),
    ...pick("homeUnitId"),
    updatedAt: at,
  };
}

/**
 * Changes a person: the account first (attributes, groups, enabled — disabling also signs it out
 * everywhere), then the record, roles and inspector profile in one transaction. Every change is
 * audited with the fields it changed.
 */
export async function changePerson(
  before: PersonRecord,
  change: PersonChange,
  actor: string,
  now: Date,
): Promise<PersonRecord> {
  const at = now.toISOString();
  const after = applyChange(before, change, at);
  const problems = await personProblems(
    { ...after, ...(change.phone ? { phone: change.phone } : {}) },
    "body",
  );
  if (after.roles.length === 0) problems.push({ path: "body.roles", message: "至少要有一个角色" });
  if (problems.length > 0) throw new RuleViolationError("人员信息不符合要求。", problems);
  const changed = (Object.keys(after) as (keyof PersonRecord)[]).filter(
    (k) => k !== "updatedAt" && JSON.stringify(after[k]) !== JSON.stringify(before[k]),
  );
  const removedKeys = (["phone", "unitId", "homeUnitId"] as const).filter(
    (k) => before[k] !== undefined && after[k] === undefined,
  );
  const fields = [...new Set([...changed, ...removedKeys])];
  if (fields.length === 0) return before;

  if (fields.some((f) => f === "name" || f === "phone" || f === "unitId" || f === "roles")) {
    await updateAccount(before.username, {
      name: after.name,
      phone: after.phone,
      unitId: after.roles.includes("unit") ? after.unitId : undefined,
    });
  }
  if (fields.includes("roles")) await setGroups(before.username, before.roles, after.roles);
  if (fields.includes("enabled")) {
    if (after.enabled) await enableAccount(before.username);
    else await disableAccount(before.username);
  }
  const profile = await inspectorProfile(after, at);
  await peopleStore.updatePerson(before, after, profile ? [inspectorStore.inspectorPut(profile)] : [], {
    entityId: before.personId,
    actor,
    action: fields.includes("enabled")
      ? after.enabled
        ? "person_enabled"
        : "person_disabled"
      : "person_updated",
    at,
    detail: { fields, ...Object.fromEntries(fields.map((f) => [f, after[f] ?? null])) },
  });
  return { ...after, version: before.version + 1 };
}

/** A new temporary password for a person (the old one and every session end). */
export async function resetPassword(person: PersonRecord, actor: string, now: Date): Promise<string> {
  const password = temporaryPassword();
  await setTemporaryPassword(person.username, password);
  await peopleStore.updatePerson(person, { ...person, updatedAt: now.toISOString() }, [], {
    entityId: person.personId,
    actor,
    action: "password_reset",
    at: now.toISOString(),
  });
  return password;
}

// Names by id live in ./names.ts, which does not load the user pool's client: a route that only
// shows names need not be configured with the pool.
export { actorsOf, namesOf } from "./names";

export { assertMayManage, loadPerson, personView } from "./people-records";
