import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { commitSeed, drawTargets } from "../../lambdas/domain/draw";
import { RuleViolationError } from "../../lambdas/domain/errors";
import { recomputeDraw } from "../../web/src/draw-check";

/**
 * The console re-computes a published draw in the browser with its own implementation of the
 * algorithm over WebCrypto (web/src/draw-check.ts). It must give exactly what the server's
 * lambdas/domain/draw.ts gives, on any input, or the page would say 不一致 for an honest draw.
 */

/** A random unit forest: unit i's parent is an earlier unit or none; `lineage` lists ancestors root first. */
const forestArb = fc.integer({ min: 1, max: 12 }).chain((n) =>
  fc.tuple(...Array.from({ length: n }, (_, i) => fc.integer({ min: -1, max: i - 1 }))).map((parents) => {
    const units = parents.map((_, i) => `u${i}`);
    const lineage: Record<string, string[]> = {};
    parents.forEach((p, i) => {
      lineage[`u${i}`] = p < 0 ? [] : [...(lineage[`u${p}`] ?? []), `u${p}`];
    });
    return { units, lineage };
  }),
);

const inputArb = forestArb.chain(({ units, lineage }) =>
  fc.record({
    seed: fc.string({ minLength: 1, maxLength: 24 }),
    candidates: fc.uniqueArray(fc.constantFrom(...units), { minLength: 1, maxLength: units.length }),
    excluded: fc.uniqueArray(fc.constantFrom(...units), { maxLength: 3 }),
    pool: fc.uniqueArray(
      fc.record({
        inspectorId: fc.string({ minLength: 1, maxLength: 5 }),
        homeUnitId: fc.constantFrom(...units),
      }),
      { minLength: 1, maxLength: 10, selector: (m) => m.inspectorId },
    ),
    sampleSize: fc.integer({ min: 1, max: units.length }),
    teamSize: fc.integer({ min: 1, max: 3 }),
    lineage: fc.constant(lineage),
  }),
);

describe("the console's re-computation of the draw (web/src/draw-check.ts)", () => {
  it("gives the server's teams, in the server's order, and refuses exactly what the server refuses", async () => {
    await fc.assert(
      fc.asyncProperty(inputArb, async (input) => {
        let server: { unitId: string; inspectorIds: readonly string[] }[] | undefined;
        try {
          server = [...drawTargets(input).selected];
        } catch (error) {
          if (!(error instanceof RuleViolationError)) throw error;
        }
        const trace = await recomputeDraw({
          seedCommitment: commitSeed(input.seed),
          seed: input.seed,
          candidates: [...input.candidates],
          excluded: input.excluded.map((unitId) => ({
            unitId,
            unitName: unitId,
            lastArrivalAt: "2026-01-01T00:00:00.000Z",
          })),
          pool: [...input.pool],
          lineage: input.lineage,
          sampleSize: input.sampleSize,
          teamSize: input.teamSize,
          selected: (server ?? []).map((t) => ({ unitId: t.unitId, inspectorIds: [...t.inspectorIds] })),
        });
        expect(trace.commitment.matches).toBe(true);
        if (server === undefined) {
          expect(trace.refusals.length).toBeGreaterThan(0);
          return;
        }
        expect(trace.refusals).toEqual([]);
        expect(trace.selected).toEqual(
          server.map((t) => ({ unitId: t.unitId, inspectorIds: [...t.inspectorIds] })),
        );
        expect(trace.matches).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it("says 不一致 when a team, the order or the seed differs from what was published", async () => {
    const input = {
      seed: "a1b2c3",
      candidates: ["u1", "u2", "u3", "u4"],
      pool: [
        { inspectorId: "p1", homeUnitId: "u9" },
        { inspectorId: "p2", homeUnitId: "u9" },
        { inspectorId: "p3", homeUnitId: "u1" },
      ],
      sampleSize: 2,
      teamSize: 2,
      lineage: {},
    };
    const honest = drawTargets(input).selected.map((t) => ({
      unitId: t.unitId,
      inspectorIds: [...t.inspectorIds],
    }));
    const proof = { ...input, seedCommitment: commitSeed(input.seed), selected: honest };
    expect((await recomputeDraw(proof)).matches).toBe(true);

    const swapped = [...honest].reverse();
    const reordered = await recomputeDraw({ ...proof, selected: swapped });
    expect(reordered.matches).toBe(false);

    const otherTeam = honest.map((t, i) => (i === 0 ? { ...t, inspectorIds: ["p9", "p8"] } : t));
    const edited = await recomputeDraw({ ...proof, selected: otherTeam });
    expect(edited.matches).toBe(false);
    expect(edited.differences.join()).toContain(honest[0]!.unitId);

    const wrongSeed = await recomputeDraw({ ...proof, seed: "a1b2c4" });
    expect(wrongSeed.commitment.matches).toBe(false);
    expect(wrongSeed.matches).toBe(false);
  });
});
