/**
 * Roles (角色) and the caller: who may do what, as the services and the HTTP layer both ask it. The
 * HTTP layer (lambdas/api/auth.ts) builds the `Caller` from the verified JWT claims; everything
 * behind it reads the caller only through these predicates.
 */

/** The roles of a person, as the identity service's groups name them. */
export const ROLES = ["admin", "organizer", "inspector", "unit", "official"] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** The signed-in user, from the JWT claims the authorizer verified. */
export interface Caller {
  readonly sub: string;
  readonly roles: ReadonlySet<Role>;
  /** The home unit of a `unit` user (`custom:unitId`). */
  readonly unitId: string | undefined;
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
/** An inspector of the team an assignment or order belongs to. */
export const isTeamInspector = (c: Caller, of: { readonly inspectorIds: readonly string[] }): boolean =>
  hasRole(c, "inspector") && of.inspectorIds.includes(c.sub);
