import { randomInt } from "node:crypto";
import type { FieldError } from "./errors";
import { isRole, ROLES, type Role } from "./roles";

/**
 * People (人员) and their roles, with no AWS imports: which roles need which unit, who may manage
 * whom, phone numbers, temporary passwords, and the Chinese names of roles used by imports.
 */
/** The role names offices use in their spreadsheets (角色 column), beside the group names. */
export const ROLE_NAMES: Readonly<Record<Role, string>> = {
  admin: "管理员",
  organizer: "督查组织",
  inspector: "督查员",
  unit: "被检查单位",
  official: "领导",
};

/** A role from its group name or its Chinese name; undefined for anything else. */
export function roleFromName(name: string): Role | undefined {
  const trimmed = name.trim();
  if (isRole(trimmed)) return trimmed;
  return ROLES.find((r) => ROLE_NAMES[r] === trimmed);
}

/**
 * Organizers manage only inspectors: people whose roles are `inspector` alone. Everyone else —
 * admins, organizers, unit staff, officials, anyone with a second role — is the admin's.
 */
export function organizerMayManage(roles: readonly string[]): boolean {
  return roles.length === 1 && roles[0] === "inspector";
}

/** The unit a person needs for their roles: a unit user's unit, an inspector's home unit. */
export function unitRequirements(
  person: { roles: readonly string[]; unitId?: string | undefined; homeUnitId?: string | undefined },
  pathOf: (field: "unitId" | "homeUnitId") => string,
): FieldError[] {
  const errors: FieldError[] = [];
  if (person.roles.includes("unit") && !person.unitId)
    errors.push({ path: pathOf("unitId"), message: "被检查单位人员须填写所属单位" });
  if (person.roles.includes("inspector") && !person.homeUnitId)
    errors.push({ path: pathOf("homeUnitId"), message: "督查员须填写所属单位（回避规则依此判断）" });
  return errors;
}

/**
 * A mainland mobile number (11 digits starting 13–19), with or without +86, spaces or dashes;
 * undefined when it is not one. Returned in E.164 (`+8613800000000`), as Cognito stores it.
 */
export function normalizePhone(raw: string): string | undefined {
  const digits = raw.replace(/[\s-]/g, "");
  const m = /^(?:\+?86)?(1[3-9]\d{9})$/.exec(digits);
  return m ? `+86${m[1]}` : undefined;
}

const LOWER = "abcdefghijkmnpqrstuvwxyz";
const UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ";
const DIGITS = "23456789";
const SYMBOLS = "!@#%&*?+=";

/**
 * A temporary password that meets the pool's policy (12+ characters, lower, upper, digit, symbol),
 * without look-alike characters (0/O, 1/l/I), since it is read aloud or copied from a screen.
 */
export function temporaryPassword(length = 14): string {
  const all = LOWER + UPPER + DIGITS + SYMBOLS;
  const pick = (set: string) => set[randomInt(set.length)] ?? "x";
  const chars = [pick(LOWER), pick(UPPER), pick(DIGITS), pick(SYMBOLS)];
  while (chars.length < length) chars.push(pick(all));
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] ?? "", chars[i] ?? ""];
  }
  // Never a symbol first: a spreadsheet would take `=`, `+` or `@` for a formula, and the credentials
  // workbook writes such text with a leading `'` (lambdas/domain/spreadsheet-cells.ts).
  const first = chars.findIndex((c) => !SYMBOLS.includes(c));
  [chars[0], chars[first]] = [chars[first] ?? "", chars[0] ?? ""];
  return chars.join("");
}
