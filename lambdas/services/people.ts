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

interface PersonFields {
  phone?: string | undefined;
  roles: readonly string[];
  unitId?: string | undefined;
  homeUnitId?: string | undefined;
}

/** The units a person's fields name. */
const unitsNamed = (p: PersonFields) => [p.unitId, p.homeUnitId].filter((u): u is string => u !== undefined);

/** The rules a person's fields must meet (Chinese messages, paths under `prefix`). */
export async function personProblems(p: PersonFields, prefix: string): Promise<FieldError[]> {
  const wanted = unitsNamed(p);
  const units = wanted.length > 0 ? await unitStore.getUnits(wanted) : new Map<string, unknown>();
  return problemsWith(p, prefix, (id) => units.has(id));
}

/** `personProblems` with the units' existence read already. */
function problemsWith(p: PersonFields, prefix: string, unitExists: (id: string) => boolean): FieldError[] {
  const problems = unitRequirements(p, (field) => `${prefix}.${field}`);
  if (p.phone !== undefined && normalizePhone(p.phone) === undefined)
    problems.push({ path: `${prefix}.phone`, message: "手机号格式不正确（应为 11 位大陆手机号）" });
  if (p.unitId && !unitExists(p.unitId)) problems.push({ path: `${prefix}.unitId`, message: "没有这个单位" });
  if (p.homeUnitId && !unitExists(p.homeUnitId))
    problems.push({ path: `${prefix}.homeUnitId`, message: "没有这个单位" });
  return problems;
}

/** The inspector profile of a person with the `inspector` role (the draw's pool reads it). */
async function inspectorProfile(p: PersonRecord, at: string): Promise<InspectorRecord | undefined> {
  return profileOf(p, await inspectorStore.getInspector(p.personId), at);
}

/** `inspectorProfile` with the stored profile (if any) read already. */
function profileOf(
  p: PersonRecord,
  existing: InspectorRecord | undefined,
  at: string,
): InspectorRecord | undefined {
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
  const account = await newAccount(input);
  const at = now.toISOString();
  const person = newPersonRecord(input, account, actor, at);
  await writeNewPerson(person, await inspectorProfile(person, at), actor, at);
  return { person, temporaryPassword: account.password };
}

export interface CreatePeopleOptions {
  /** People whose reads are made at once (a batch's units, usernames and inspector profiles). */
  readonly batchSize: number;
  /** Accounts made, and people's transactions sent, at a time. */
  readonly concurrency: number;
  /** Before each batch (throws to stop: what was done stays done). */
  readonly beforeBatch?: () => void;
  /** Told of each person as the transaction holding its records commits. */
  readonly created: (input: PersonInput, result: { person: PersonRecord; temporaryPassword: string }) => void;
}

/**
 * Creates people as `createPerson` does each of them, with the reads of a batch made at once: the
 * units the batch names and the usernames' claims (one read each, every person of the batch
 * checked before any of its accounts is made), then the accounts, then the inspector profiles
 * their ids may have (one read), then the records: each person's items as `createPerson`'s own, as
 * many people a transaction as fit (`PeopleStore.createPeople`). A batch's
 * records are written while the next batch's accounts are made (the user pool and the table are
 * two services; each still gets `concurrency` requests at a time). The first failure (a person's
 * fields, a username taken meanwhile, the pool or the table) stops what has not started and is
 * thrown once the writes under way end; what was done stays done, and a retry completes the
 * accounts made without their records as `createPerson`'s retry does.
 */
export async function createPeople(
  inputs: readonly PersonInput[],
  actor: string,
  options: CreatePeopleOptions,
): Promise<void> {
  let writing: Promise<void> = Promise.resolve();
  let failure: { error: unknown } | undefined;
  try {
    for (let i = 0; i < inputs.length && !failure; i += options.batchSize) {
      options.beforeBatch?.();
      const batch = inputs.slice(i, i + options.batchSize);
      const at = new Date().toISOString();
      const people = await newAccounts(batch, actor, at, options.concurrency);
      // One batch's records written at a time, in order.
      await writing;
      if (failure) break;
      writing = writeNewPeople(people, actor, at, options).catch((error: unknown) => {
        failure = { error };
      });
    }
  } finally {
    await writing;
  }
  if (failure) throw failure.error;
}

interface WithAccount {
  readonly input: PersonInput;
  readonly person: PersonRecord;
  readonly password: string;
}

/** A batch checked (one read of its units, one of its usernames), then its accounts. */
async function newAccounts(
  batch: readonly PersonInput[],
  actor: string,
  at: string,
  concurrency: number,
): Promise<WithAccount[]> {
  const [units, taken] = await Promise.all([
    unitStore.getUnits([...new Set(batch.flatMap(unitsNamed))]),
    peopleStore.takenUsernames(batch.map((p) => p.username)),
  ]);
  for (const input of batch) {
    const problems = problemsWith(input, "body", (id) => units.has(id));
    if (problems.length > 0) throw new RuleViolationError("人员信息不符合要求。", problems);
    if (taken.has(input.username.toLowerCase())) throw usernameTaken(input.username);
  }
  return mapLimited(batch, concurrency, async (input) => {
    const account = await newAccount(input);
    return { input, password: account.password, person: newPersonRecord(input, account, actor, at) };
  });
}

/**
 * A batch's inspector profiles (one read), then its people's records: as many people a
 * transaction as fit (`PeopleStore.createPeople`), each person's items as `createPerson`'s own.
 */
async function writeNewPeople(
  people: readonly WithAccount[],
  actor: string,
  at: string,
  options: CreatePeopleOptions,
): Promise<void> {
  const profiles = await inspectorStore.getInspectors(people.map((p) => p.person.personId));
  const byId = new Map(people.map((p) => [p.person.personId, p]));
  await peopleStore.createPeople(
    people.map(({ person }) =>
      newPersonWrite(person, profileOf(person, profiles.get(person.personId), at), actor, at),
    ),
    (person) => {
      const p = byId.get(person.personId);
      if (p) options.created(p.input, { person, temporaryPassword: p.password });
    },
  );
}

/** `step` over `items`, `limit` at a time, in order; the first failure stops the rest from starting. */
async function mapLimited<T, R>(items: readonly T[], limit: number, step: (item: T) => Promise<R>) {
  const out: R[] = [];
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        out[index] = await step(items[index] as T);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

interface NewAccount {
  readonly personId: string;
  readonly password: string;
  readonly phone: string | undefined;
  readonly unitId: string | undefined;
}

/** The account in the user pool, with a new temporary password (one left by a failed attempt is taken over). */
async function newAccount(input: PersonInput): Promise<NewAccount> {
  const phone = input.phone ? normalizePhone(input.phone) : undefined;
  const password = temporaryPassword();
  const unitId = input.roles.includes("unit") ? input.unitId : undefined;
  const personId = await createAccount(
    input.username,
    { name: input.name, phone, unitId },
    input.roles,
    password,
  );
  return { personId, password, phone, unitId };
}

function newPersonRecord(input: PersonInput, account: NewAccount, actor: string, at: string): PersonRecord {
  const { personId, phone, unitId } = account;
  return {
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
}

/** The person, the username claim, the role memberships and the inspector profile, with the audit event. */
async function writeNewPerson(
  person: PersonRecord,
  profile: InspectorRecord | undefined,
  actor: string,
  at: string,
): Promise<void> {
  const { extra, audit } = newPersonWrite(person, profile, actor, at);
  await peopleStore.createPerson(person, extra, audit);
}

/** What a new person's transaction holds besides the person: its inspector profile and audit event. */
function newPersonWrite(
  person: PersonRecord,
  profile: InspectorRecord | undefined,
  actor: string,
  at: string,
) {
  return {
    person,
    extra: profile ? [inspectorStore.inspectorPut(profile)] : [],
    audit: {
      entityId: person.personId,
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
    },
  };
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
