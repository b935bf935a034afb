import { commitSeed, type DrawnAssignment, drawTargets, type PoolMember } from "./draw";

/**
 * Re-computation of a published draw, for anyone holding its proof (`GET /spot-checks/{id}/draw-proof`
 * after `window.end`): the seed must hash to the commitment published at planning, and the draw
 * re-run from the seed and the recorded candidates, pool and unit lineage must give the same teams.
 */
export interface DrawProof {
  readonly seedCommitment: string;
  readonly seed?: string;
  readonly candidates: readonly string[];
  readonly pool: readonly PoolMember[];
  readonly lineage: Readonly<Record<string, readonly string[]>>;
  readonly sampleSize: number;
  readonly teamSize: number;
  readonly selected: readonly DrawnAssignment[];
}

export type DrawVerdict =
  | { readonly outcome: "seed_not_revealed" }
  | { readonly outcome: "commitment_mismatch"; readonly computedCommitment: string }
  | { readonly outcome: "draw_mismatch"; readonly recomputed: readonly DrawnAssignment[] }
  | { readonly outcome: "verified"; readonly recomputed: readonly DrawnAssignment[] };

const canonical = (selected: readonly DrawnAssignment[]) =>
  JSON.stringify(selected.map((s) => ({ unitId: s.unitId, inspectorIds: [...s.inspectorIds].sort() })));

export function verifyDrawProof(proof: DrawProof): DrawVerdict {
  if (!proof.seed) return { outcome: "seed_not_revealed" };
  const computedCommitment = commitSeed(proof.seed);
  if (computedCommitment !== proof.seedCommitment)
    return { outcome: "commitment_mismatch", computedCommitment };
  const { selected } = drawTargets({
    seed: proof.seed,
    candidates: proof.candidates,
    pool: proof.pool,
    sampleSize: proof.sampleSize,
    teamSize: proof.teamSize,
    lineage: proof.lineage,
  });
  return canonical(selected) === canonical(proof.selected)
    ? { outcome: "verified", recomputed: selected }
    : { outcome: "draw_mismatch", recomputed: selected };
}
