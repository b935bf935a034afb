import type { DrawRecord, SpotCheckRecord } from "../data/records";
import { windowEnded } from "../domain/deadlines";

/**
 * The draw proof of a spot check (公开抽签证明), as `GET /spot-checks/{id}/draw-proof` returns it and
 * as the evidence pack carries it: the commitment, the recorded candidates, pool and unit lineage,
 * the units left out for 减负 (each with the last arrival that made it recent, as read at the draw),
 * the result, and — only once `window.end` has passed — the seed itself. `draw` is the spot check's
 * draw record (`SpotCheckStore.getDrawRecord`), undefined before the draw.
 */
export function drawProofOf(s: SpotCheckRecord, draw: DrawRecord | undefined, now: Date) {
  const revealed = windowEnded(s.window.end, now);
  return {
    spotCheckId: s.spotCheckId,
    status: s.status,
    seedCommitment: s.seedCommitment,
    ...(revealed ? { seed: s.seed } : {}),
    seedRevealed: revealed,
    revealAfter: s.window.end,
    algorithm: draw?.algorithm ?? "sha256-counter-v1",
    sampleSize: s.sampleSize,
    teamSize: s.teamSize,
    ...(s.excludeInspectedWithinDays ? { excludeInspectedWithinDays: s.excludeInspectedWithinDays } : {}),
    candidates: draw?.candidates ?? s.candidateUnitIds,
    pool: draw?.pool ?? s.inspectorIds.map((inspectorId) => ({ inspectorId })),
    ...(draw
      ? {
          excluded: draw.exclusion?.excluded ?? [],
          lineage: draw.lineage,
          selected: draw.selected,
          drawnAt: draw.drawnAt,
        }
      : { selected: [] }),
  };
}
