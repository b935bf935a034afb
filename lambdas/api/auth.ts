import { UnauthenticatedError } from "../domain/errors";
import { type Caller, isRole } from "../domain/roles";

// The HTTP layer's handlers ask the role predicates through here; they are written once in the domain.
export {
  type Caller,
  hasRole,
  isOverseer,
  isPlanner,
  isTeamInspector,
  ROLES,
  type Role,
  unitOf,
} from "../domain/roles";

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
