/**
 * The unit tree (网格): district → street office → community/village → grid or venue.
 * A unit's `ancestors` are the ids above it, root first, excluding itself.
 */

/** The ids from the root down to `unitId`, inclusive. */
export function pathOf(unitId: string, ancestors: readonly string[]): string[] {
  return [...ancestors, unitId];
}

/**
 * Whether giving `unitId` the parent `newParentId` would make a cycle: the parent is the unit itself, or
 * the unit lies above the new parent. A root (`null` parent) never makes a cycle.
 */
export function wouldCreateCycle(
  unitId: string,
  newParentId: string | null,
  newParentAncestors: readonly string[],
): boolean {
  if (newParentId === null) return false;
  return newParentId === unitId || newParentAncestors.includes(unitId);
}

/** Whether `a` and `b` are the same unit, or one lies above the other (the 回避 relation). */
export function isAboveOrBelow(
  a: string,
  aAncestors: readonly string[],
  b: string,
  bAncestors: readonly string[],
): boolean {
  return a === b || aAncestors.includes(b) || bAncestors.includes(a);
}
