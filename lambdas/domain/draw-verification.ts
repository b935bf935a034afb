import {
  commitSeed,
  type DrawnAssignment,
  drawTargets,
  inspectedWithin,
  type PoolMember,
  type UnitLastArrival,
} from "./draw";
import { RuleViolationError } from "./errors";

/**
 * Re-computation of a published draw, for anyone holding its proof (`GET /spot-checks/{id}/draw-proof`
 * after `window.end`): the seed must hash to the commitment published at planning, the units left out
 * for 减负 must be candidates whose recorded last arrival lies within `excludeInspectedWithinDays` days
 * before `drawnAt`, and the draw re-run from the seed, the remaining candidates, the pool and the unit
 * lineage must give the same teams.
 */
export interface DrawProof {
  readonly seedCommitment: string;
  readonly seed?: string | undefined;
  readonly candidates: readonly string[];
  readonly pool: readonly PoolMember[];
  readonly lineage: Readonly<Record<string, readonly string[]>>;
  readonly sampleSize: number;
  readonly teamSize: number;
  readonly selected: readonly DrawnAssignment[];
  readonly drawnAt?: string | undefined;
  readonly excludeInspectedWithinDays?: number | undefined;
  readonly excluded?: readonly UnitLastArrival[] | undefined;
}

export type DrawVerdict =
  | { readonly outcome: "seed_not_revealed" }
  | { readonly outcome: "commitment_mismatch"; readonly computedCommitment: string }
  | { readonly outcome: "exclusion_mismatch"; readonly problems: readonly string[] }
  | {
      readonly outcome: "draw_mismatch";
      readonly recomputed: readonly DrawnAssignment[];
      /** Set when the proof's inputs do not allow a draw at all (the rules refuse them). */
      readonly refused?: string;
    }
  | { readonly outcome: "verified"; readonly recomputed: readonly DrawnAssignment[] };

const canonical = (selected: readonly DrawnAssignment[]) =>
  JSON.stringify(selected.map((s) => ({ unitId: s.unitId, inspectorIds: [...s.inspectorIds].sort() })));

/** What is wrong with the proof's list of excluded units (empty when it is consistent). */
function exclusionProblems(proof: DrawProof): string[] {
  const excluded = proof.excluded ?? [];
  if (excluded.length === 0) return [];
  const days = proof.excludeInspectedWithinDays;
  if (days === undefined) return ["证明列出了排除的单位，却没有给出 excludeInspectedWithinDays"];
  if (!proof.drawnAt) return ["证明列出了排除的单位，却没有给出抽签时间 drawnAt"];
  const drawnAt = proof.drawnAt;
  const candidates = new Set(proof.candidates);
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const e of excluded) {
    if (seen.has(e.unitId)) problems.push(`单位 "${e.unitId}" 被重复列为排除单位`);
    seen.add(e.unitId);
    if (!candidates.has(e.unitId)) problems.push(`排除的单位 "${e.unitId}" 不在候选单位中`);
    if (Number.isNaN(Date.parse(e.lastArrivalAt))) {
      problems.push(`排除的单位 "${e.unitId}" 的最近到达时间 "${e.lastArrivalAt}" 不是有效时间`);
    } else if (!inspectedWithin(e.lastArrivalAt, days, drawnAt)) {
      problems.push(
        `排除的单位 "${e.unitId}" 最近一次到达在 ${e.lastArrivalAt}，不在抽签（${drawnAt}）前 ${days} 天之内`,
      );
    }
  }
  return problems;
}

export function verifyDrawProof(proof: DrawProof): DrawVerdict {
  if (!proof.seed) return { outcome: "seed_not_revealed" };
  const computedCommitment = commitSeed(proof.seed);
  if (computedCommitment !== proof.seedCommitment)
    return { outcome: "commitment_mismatch", computedCommitment };
  const problems = exclusionProblems(proof);
  if (problems.length > 0) return { outcome: "exclusion_mismatch", problems };
  let selected: readonly DrawnAssignment[];
  try {
    ({ selected } = drawTargets({
      seed: proof.seed,
      candidates: proof.candidates,
      excluded: (proof.excluded ?? []).map((e) => e.unitId),
      pool: proof.pool,
      sampleSize: proof.sampleSize,
      teamSize: proof.teamSize,
      lineage: proof.lineage,
    }));
  } catch (error) {
    if (!(error instanceof RuleViolationError)) throw error;
    const refused = [error.message, ...error.errors.map((e) => `${e.path}: ${e.message}`)].join(" ");
    return { outcome: "draw_mismatch", recomputed: [], refused };
  }
  return canonical(selected) === canonical(proof.selected)
    ? { outcome: "verified", recomputed: selected }
    : { outcome: "draw_mismatch", recomputed: selected };
}
