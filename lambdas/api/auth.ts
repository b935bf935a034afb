import { UnauthenticatedError } from "../domain/errors";

export const ROLES = ["admin", "organizer", "inspector", "unit", "official"] as const;
export type Role = (typeof ROLES)[number];

/** The signed-in user, from the JWT claims the authorizer verified. */
export interface Caller {
  readonly sub: string;
  readonly roles: ReadonlySet<Role>;
  /** The home unit of a `unit` user (`custom:unitId`). */
  readonly unitId: string | undefined;
}

function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/**
 * `cognito:groups` arrives as a real array from the local server's tests, and as the string
 * `"[organizer official]"` from API Gateway's JWT authorizer (it flattens array claims). Both
 * forms, and a comma-separated one, are read the same way.
 */
export function parseGroups(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.filter((g): g is string => typeof g === "string");
  if (typeof claim !== "string") return [];
  const inner = claim.trim().replace(/^\[/, "").replace(/\]$/, "");
  return inner
    .split(/[\s,]+/)
    .map((g) => g.trim().replace(/^"|"$/g, ""))
    .filter((g) => g.length > 0);
}

export function callerFromClaims(claims: Record<string, unknown> | undefined): Caller {
  const sub = claims?.sub;
  if (typeof sub !== "string" || sub === "") throw new UnauthenticatedError();
  const roles = new Set(parseGroups(claims?.["cognito:groups"]).filter(isRole));
  const unitClaim = claims?.["custom:unitId"];
  const unitId = typeof unitClaim === "string" && unitClaim !== "" ? unitClaim : undefined;
  return { sub, roles, unitId };
}

export function hasRole(caller: Caller, ...roles: readonly Role[]): boolean {
  return roles.some((r) => caller.roles.has(r));
}

/** Organizers and admins plan and run inspections. */
export const isPlanner = (c: Caller) => hasRole(c, "admin", "organizer");
/** Those who oversee everything read-only, plus the planners. */
export const isOverseer = (c: Caller) => hasRole(c, "admin", "organizer", "official");
/** A `unit` user bound to a home unit. */
export const unitOf = (c: Caller): string | undefined => (c.roles.has("unit") ? c.unitId : undefined);
