import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  commitSeed,
  DRAW_ALGORITHM,
  type DrawInput,
  type DrawResult,
  drawTargets,
  hasConflict,
  inspectedWithin,
  newSeed,
  type PoolMember,
  recentlyInspected,
} from "../../lambdas/domain/draw";
import { verifyDrawProof } from "../../lambdas/domain/draw-verification";
import { RuleViolationError } from "../../lambdas/domain/errors";

/** A random unit forest: unit i's parent is an earlier unit or none; `lineage` lists ancestors root first. */
const forestArb = fc.integer({ min: 1, max: 14 }).chain((n) =>
  fc.tuple(...Array.from({ length: n }, (_, i) => fc.integer({ min: -1, max: i - 1 }))).map((parents) => {
    const units = parents.map((_, i) => `u${i}`);
    const lineage: Record<string, string[]> = {};
    parents.forEach((p, i) => {
      lineage[`u${i}`] = p < 0 ? [] : [...(lineage[`u${p}`] ?? []), `u${p}`];
    });
    return { units, lineage };
  }),
);

/** A draw input over a random forest; it may or may not be staffable. */
const drawInputArb: fc.Arbitrary<DrawInput> = forestArb.chain(({ units, lineage }) =>
  fc
    .record({
      seed: fc.string({ minLength: 1, maxLength: 20 }),
      candidates: fc.uniqueArray(fc.constantFrom(...units), { minLength: 1, maxLength: units.length }),
      pool: fc.uniqueArray(
        fc.record({
          inspectorId: fc.string({ minLength: 1, maxLength: 4 }),
          homeUnitId: fc.constantFrom(...units),
        }),
        { minLength: 1, maxLength: 10, selector: (m) => m.inspectorId },
      ),
      teamSize: fc.integer({ min: 1, max: 3 }),
      sampleFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    .map(({ sampleFraction, ...rest }) => ({
      ...rest,
      sampleSize: Math.max(1, Math.ceil(sampleFraction * rest.candidates.length)),
      lineage,
    })),
);

function unstaffable(input: DrawInput): string[] {
  return input.candidates.filter(
    (u) => input.pool.filter((m) => !hasConflict(m.homeUnitId, u, input.lineage)).length < input.teamSize,
  );
}

/** Runs the draw; `undefined` when it is refused. Fails on any error other than a rule refusal. */
function tryDraw(input: DrawInput): DrawResult | undefined {
  try {
    return drawTargets(input);
  } catch (e) {
    if (e instanceof RuleViolationError) return undefined;
    throw e;
  }
}

/** Shuffles an array with a fast-check-provided permutation key. */
const permuted = <T>(items: readonly T[], keys: readonly number[]): T[] =>
  items
    .map((item, i) => ({ item, key: keys[i % Math.max(1, keys.length)] ?? 0, i }))
    .sort((a, b) => a.key - b.key || b.i - a.i)
    .map((x) => x.item);

describe("seed commitment", () => {
  it("newSeed gives 64 lowercase hex characters (32 random bytes), different every time", () => {
    const a = newSeed();
    const b = newSeed();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toBe(b);
  });

  it("commitSeed is the lowercase hex SHA-256 of the seed's UTF-8 bytes", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (seed) => {
        const expected = createHash("sha256").update(Buffer.from(seed, "utf8")).digest("hex");
        expect(commitSeed(seed)).toBe(expected);
      }),
    );
    expect(commitSeed("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(commitSeed("四不两直")).toBe(createHash("sha256").update("四不两直", "utf8").digest("hex"));
  });
});

describe("hasConflict (回避)", () => {
  const lineage = {
    district: [],
    street: ["district"],
    community: ["district", "street"],
    other: ["district"],
  };

  it("an inspector conflicts with their own home unit", () => {
    expect(hasConflict("street", "street", lineage)).toBe(true);
  });

  it("an inspector conflicts with every unit below their home unit", () => {
    expect(hasConflict("district", "community", lineage)).toBe(true);
    expect(hasConflict("street", "community", lineage)).toBe(true);
  });

  it("an inspector conflicts with every unit above their home unit", () => {
    expect(hasConflict("community", "district", lineage)).toBe(true);
    expect(hasConflict("community", "street", lineage)).toBe(true);
  });

  it("siblings and cousins do not conflict", () => {
    expect(hasConflict("street", "other", lineage)).toBe(false);
    expect(hasConflict("community", "other", lineage)).toBe(false);
  });

  it("a unit missing from the lineage has no ancestors", () => {
    expect(hasConflict("nowhere", "street", lineage)).toBe(false);
    expect(hasConflict("district", "nowhere", lineage)).toBe(false);
  });
});

describe("drawTargets: the verifiable random draw (双随机)", () => {
  it("known answer: a fixed seed, candidates and pool give exactly this draw (catches any change to the algorithm)", () => {
    const lineage = {
      zy: ["zz"],
      "zy-jianshelu": ["zz", "zy"],
      "zy-qinlinglu": ["zz", "zy"],
      "zy-tongbailu": ["zz", "zy"],
      "zy-lianhu": ["zz", "zy"],
      "zy-sanguanmiao": ["zz", "zy"],
      "zy-linshanzhai": ["zz", "zy"],
      "zy-zhongyuanxilu": ["zz", "zy"],
      "gc-zijingshannanlu": ["zz", "gc"],
      "js-fengchanlu": ["zz", "js"],
    };
    const result = drawTargets({
      seed: "4f2c9a0e6b1d83c57e90a4b2d6f1c3e85a7b9d0c2e4f6a8b1c3d5e7f90a2b4c6",
      candidates: [
        "zy-jianshelu",
        "zy-qinlinglu",
        "zy-tongbailu",
        "zy-lianhu",
        "zy-sanguanmiao",
        "zy-linshanzhai",
        "zy-zhongyuanxilu",
      ],
      pool: [
        { inspectorId: "insp-01", homeUnitId: "zy-jianshelu" },
        { inspectorId: "insp-02", homeUnitId: "zy" },
        { inspectorId: "insp-03", homeUnitId: "gc-zijingshannanlu" },
        { inspectorId: "insp-04", homeUnitId: "zy-lianhu" },
        { inspectorId: "insp-05", homeUnitId: "js-fengchanlu" },
        { inspectorId: "insp-06", homeUnitId: "zy-qinlinglu" },
      ],
      sampleSize: 3,
      teamSize: 2,
      lineage,
    });
    expect(result.algorithm).toBe(DRAW_ALGORITHM);
    expect(DRAW_ALGORITHM).toBe("sha256-counter-v1");
    expect(result.candidates).toEqual([
      "zy-jianshelu",
      "zy-lianhu",
      "zy-linshanzhai",
      "zy-qinlinglu",
      "zy-sanguanmiao",
      "zy-tongbailu",
      "zy-zhongyuanxilu",
    ]);
    expect(result.pool.map((m) => m.inspectorId)).toEqual([
      "insp-01",
      "insp-02",
      "insp-03",
      "insp-04",
      "insp-05",
      "insp-06",
    ]);
    // Computed once with this implementation and cross-checked with an independent re-implementation.
    expect(result.selected).toEqual([
      { unitId: "zy-zhongyuanxilu", inspectorIds: ["insp-01", "insp-04"] },
      { unitId: "zy-lianhu", inspectorIds: ["insp-03", "insp-06"] },
      { unitId: "zy-qinlinglu", inspectorIds: ["insp-01", "insp-05"] },
    ]);
  });

  it("the draw is refused exactly when some candidate cannot be staffed, whatever the seed", () => {
    fc.assert(
      fc.property(drawInputArb, (input) => {
        const result = tryDraw(input);
        expect(result === undefined).toBe(unstaffable(input).length > 0);
      }),
    );
  });

  it("a refusal lists every unstaffable candidate under path `candidates`", () => {
    fc.assert(
      fc.property(drawInputArb, (input) => {
        const bad = unstaffable(input);
        fc.pre(bad.length > 0);
        try {
          drawTargets(input);
          expect.unreachable("the draw should have been refused");
        } catch (e) {
          expect(e).toBeInstanceOf(RuleViolationError);
          const errors = (e as RuleViolationError).errors;
          expect(errors.filter((x) => x.path === "candidates")).toHaveLength(bad.length);
          for (const unitId of bad) expect(errors.some((x) => x.message.includes(`"${unitId}"`))).toBe(true);
        }
      }),
    );
  });

  it("never assigns an inspector to a unit they have a conflict of interest with", () => {
    fc.assert(
      fc.property(drawInputArb, (input) => {
        const result = tryDraw(input);
        if (result === undefined) return;
        const home = new Map(input.pool.map((m) => [m.inspectorId, m.homeUnitId]));
        for (const a of result.selected) {
          for (const id of a.inspectorIds) {
            expect(hasConflict(home.get(id) ?? "", a.unitId, input.lineage)).toBe(false);
          }
        }
      }),
    );
  });

  it("selects exactly sampleSize distinct targets, all from the candidates", () => {
    fc.assert(
      fc.property(drawInputArb, (input) => {
        const result = tryDraw(input);
        if (result === undefined) return;
        const units = result.selected.map((a) => a.unitId);
        expect(units).toHaveLength(input.sampleSize);
        expect(new Set(units).size).toBe(input.sampleSize);
        for (const u of units) expect(input.candidates).toContain(u);
      }),
    );
  });

  it("gives each target a team of teamSize distinct pool members, ids sorted ascending", () => {
    fc.assert(
      fc.property(drawInputArb, (input) => {
        const result = tryDraw(input);
        if (result === undefined) return;
        const ids = new Set(input.pool.map((m) => m.inspectorId));
        for (const a of result.selected) {
          expect(a.inspectorIds).toHaveLength(input.teamSize);
          expect(new Set(a.inspectorIds).size).toBe(input.teamSize);
          for (const id of a.inspectorIds) expect(ids.has(id)).toBe(true);
          expect([...a.inspectorIds]).toEqual(
            [...a.inspectorIds].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)),
          );
        }
      }),
    );
  });

  it("the same seed gives the same draw whatever the order (and repetition) of candidates and pool", () => {
    fc.assert(
      fc.property(
        drawInputArb,
        fc.array(fc.integer(), { minLength: 1 }),
        fc.array(fc.integer(), { minLength: 1 }),
        (input, candidateKeys, poolKeys) => {
          const result = tryDraw(input);
          if (result === undefined) return;
          const reordered = tryDraw({
            ...input,
            candidates: permuted([...input.candidates, ...input.candidates], candidateKeys),
            pool: permuted(input.pool, poolKeys).flatMap((m) => [m, { ...m }]),
          });
          expect(reordered).toEqual(result);
        },
      ),
    );
  });

  it("different seeds usually give different draws", () => {
    const units = Array.from({ length: 10 }, (_, i) => `unit-${i}`);
    const pool: PoolMember[] = Array.from({ length: 8 }, (_, i) => ({
      inspectorId: `insp-${i}`,
      homeUnitId: "elsewhere",
    }));
    const lineage = Object.fromEntries([...units, "elsewhere"].map((u) => [u, ["root"]]));
    const draws = new Set<string>();
    const runs = 200;
    for (let i = 0; i < runs; i++) {
      const result = drawTargets({
        seed: `seed-${i}`,
        candidates: units,
        pool,
        sampleSize: 3,
        teamSize: 2,
        lineage,
      });
      draws.add(JSON.stringify(result.selected));
    }
    // 720 ordered target triples alone; 200 seeds colliding more than a few times would mean a broken stream.
    expect(draws.size).toBeGreaterThan(runs * 0.9);
  });

  it("spreads the load: with no conflicts, inspectors' assignment counts differ by at most 1", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 8 }),
        (seed, candidateCount, poolSize, sampleWish, teamWish) => {
          const candidates = Array.from({ length: candidateCount }, (_, i) => `unit-${i}`);
          const pool = Array.from({ length: poolSize }, (_, i) => ({
            inspectorId: `insp-${i}`,
            homeUnitId: "hq",
          }));
          const lineage = Object.fromEntries([...candidates, "hq"].map((u) => [u, ["root"]]));
          const sampleSize = Math.min(sampleWish, candidateCount);
          const teamSize = Math.min(teamWish, poolSize);
          const result = drawTargets({ seed, candidates, pool, sampleSize, teamSize, lineage });
          const load = new Map(pool.map((m) => [m.inspectorId, 0]));
          for (const a of result.selected)
            for (const id of a.inspectorIds) load.set(id, (load.get(id) ?? 0) + 1);
          const counts = [...load.values()];
          expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
        },
      ),
    );
  });

  it("refuses a sample size below 1 or above the number of candidates, and a team size below 1", () => {
    const base = {
      seed: "s",
      candidates: ["a", "b"],
      pool: [{ inspectorId: "i", homeUnitId: "x" }],
      lineage: {},
    };
    expect(() => drawTargets({ ...base, sampleSize: 0, teamSize: 1 })).toThrow(RuleViolationError);
    expect(() => drawTargets({ ...base, sampleSize: 3, teamSize: 1 })).toThrow(RuleViolationError);
    expect(() => drawTargets({ ...base, sampleSize: 1, teamSize: 0 })).toThrow(RuleViolationError);
    expect(() => drawTargets({ ...base, sampleSize: 1.5, teamSize: 1 })).toThrow(RuleViolationError);
    expect(drawTargets({ ...base, sampleSize: 2, teamSize: 1 }).selected).toHaveLength(2);
  });

  it("refuses a pool too small for the team size even if no one has a conflict", () => {
    try {
      drawTargets({
        seed: "s",
        candidates: ["a", "b"],
        pool: [{ inspectorId: "i", homeUnitId: "x" }],
        sampleSize: 1,
        teamSize: 2,
        lineage: {},
      });
      expect.unreachable("the draw should have been refused");
    } catch (e) {
      expect(e).toBeInstanceOf(RuleViolationError);
      expect((e as RuleViolationError).errors.map((x) => x.path)).toEqual(["candidates", "candidates"]);
    }
  });

  it("refuses the whole draw when a candidate not even drawn could not be staffed (the outcome is never luck)", () => {
    // Only one inspector, whose home is "b": "b" can never be staffed, so no seed may succeed.
    const input = {
      candidates: ["a", "b", "c"],
      pool: [{ inspectorId: "i", homeUnitId: "b" }],
      sampleSize: 1,
      teamSize: 1,
      lineage: { a: [], b: [], c: [] },
    };
    for (let i = 0; i < 20; i++) {
      expect(() => drawTargets({ ...input, seed: `seed-${i}` })).toThrow(RuleViolationError);
    }
  });
});

describe("减负: candidates inspected recently are left out of the draw", () => {
  /** A draw input with a random subset of its candidates excluded. */
  const withExclusionArb = drawInputArb.chain((input) =>
    fc.subarray([...input.candidates]).map((excluded) => ({ input, excluded })),
  );

  it("draws exactly as over the remaining candidates, and never selects an excluded unit", () => {
    fc.assert(
      fc.property(withExclusionArb, ({ input, excluded }) => {
        const result = tryDraw({ ...input, excluded });
        const remaining = input.candidates.filter((u) => !excluded.includes(u));
        const plain = remaining.length > 0 ? tryDraw({ ...input, candidates: remaining }) : undefined;
        expect(result?.selected).toEqual(plain?.selected);
        if (result === undefined) return;
        for (const a of result.selected) expect(excluded).not.toContain(a.unitId);
        expect(result.candidates).toEqual([...new Set(input.candidates)].sort());
        expect(result.excluded).toEqual([...excluded].sort());
      }),
    );
  });

  it("with nothing excluded the draw is unchanged", () => {
    fc.assert(
      fc.property(drawInputArb, (input) => {
        expect(tryDraw({ ...input, excluded: [] })).toEqual(tryDraw(input));
      }),
    );
  });

  it("ignores excluded ids that are no candidate", () => {
    const input = {
      seed: "s",
      candidates: ["a", "b", "c"],
      pool: [{ inspectorId: "i", homeUnitId: "x" }],
      sampleSize: 2,
      teamSize: 1,
      lineage: {},
    };
    const result = drawTargets({ ...input, excluded: ["z", "b"] });
    expect(result.excluded).toEqual(["b"]);
    expect(result.selected.map((s) => s.unitId).sort()).toEqual(["a", "c"]);
  });

  it("refuses the draw (422) when every candidate is excluded, or too few remain for sampleSize", () => {
    const base = {
      seed: "s",
      candidates: ["a", "b", "c"],
      pool: [{ inspectorId: "i", homeUnitId: "x" }],
      teamSize: 1,
      lineage: {},
    };
    const refusal = (input: DrawInput) => {
      try {
        drawTargets(input);
      } catch (e) {
        if (e instanceof RuleViolationError) return e.errors;
        throw e;
      }
      return expect.unreachable("the draw should have been refused");
    };
    expect(refusal({ ...base, sampleSize: 1, excluded: ["a", "b", "c"] })).toEqual([
      {
        path: "excludeInspectedWithinDays",
        message: "全部 3 个候选单位近期都已检查过，按减负要求排除后没有可抽取的单位",
      },
    ]);
    expect(refusal({ ...base, sampleSize: 2, excluded: ["a", "c"] })).toEqual([
      {
        path: "excludeInspectedWithinDays",
        message: "排除近期已检查过的 2 个单位后只剩 1 个候选单位，不足抽取 2 个",
      },
    ]);
    expect(drawTargets({ ...base, sampleSize: 1, excluded: ["a", "c"] }).selected).toEqual([
      { unitId: "b", inspectorIds: ["i"] },
    ]);
  });

  it("an excluded unit that no one could staff does not refuse the draw", () => {
    const input = {
      seed: "s",
      candidates: ["a", "b", "c"],
      pool: [{ inspectorId: "i", homeUnitId: "b" }],
      sampleSize: 1,
      teamSize: 1,
      lineage: { a: [], b: [], c: [] },
    };
    expect(() => drawTargets(input)).toThrow(RuleViolationError);
    expect(drawTargets({ ...input, excluded: ["b"] }).selected).toHaveLength(1);
  });

  it("recentlyInspected: within N × 24 h before the draw, the boundary instant included", () => {
    const drawnAt = "2026-03-31T02:00:00.000Z";
    const arrivals = [
      { unitId: "c", lastArrivalAt: "2026-03-01T02:00:00.000Z", assignmentId: "x3" }, // exactly 30 days
      { unitId: "a", lastArrivalAt: "2026-03-30T10:00:00.000Z", assignmentId: "x1" },
      { unitId: "b", lastArrivalAt: "2026-03-01T01:59:59.999Z", assignmentId: "x2" }, // 1 ms too early
      { unitId: "d", lastArrivalAt: "2026-03-31T02:00:00.500Z", assignmentId: "x4" }, // while the draw ran
      { unitId: "elsewhere", lastArrivalAt: "2026-03-30T00:00:00.000Z", assignmentId: "x5" },
    ];
    expect(recentlyInspected(["a", "b", "c", "d", "e"], arrivals, 30, drawnAt)).toEqual([
      arrivals[1],
      arrivals[0],
      arrivals[3],
    ]);
    expect(inspectedWithin("2026-03-30T02:00:00.000Z", 1, drawnAt)).toBe(true);
    expect(inspectedWithin("2026-03-30T01:59:59.999Z", 1, drawnAt)).toBe(false);
  });
});

describe("verifyDrawProof with units left out (减负)", () => {
  const seed = "4f2c9a0e6b1d83c57e90a4b2d6f1c3e85a7b9d0c2e4f6a8b1c3d5e7f90a2b4c6";
  const candidates = ["u1", "u2", "u3", "u4", "u5", "u6"];
  const pool = [
    { inspectorId: "i1", homeUnitId: "hq" },
    { inspectorId: "i2", homeUnitId: "hq" },
  ];
  const drawnAt = "2026-03-31T02:00:00.000Z";
  const excluded = [
    { unitId: "u2", lastArrivalAt: "2026-03-20T08:00:00.000Z" },
    { unitId: "u5", lastArrivalAt: "2026-03-30T08:00:00.000Z" },
  ];
  const drawn = drawTargets({
    seed,
    candidates,
    excluded: excluded.map((e) => e.unitId),
    pool,
    sampleSize: 3,
    teamSize: 1,
    lineage: {},
  });
  const proof = {
    seedCommitment: commitSeed(seed),
    seed,
    candidates,
    pool,
    lineage: {},
    sampleSize: 3,
    teamSize: 1,
    selected: drawn.selected,
    drawnAt,
    excludeInspectedWithinDays: 30,
    excluded,
  };

  it("verifies a draw over the remaining candidates", () => {
    expect(verifyDrawProof(proof)).toMatchObject({ outcome: "verified" });
    for (const s of drawn.selected) expect(["u2", "u5"]).not.toContain(s.unitId);
  });

  it("a proof that hides an exclusion does not re-compute to the same draw", () => {
    // Over all six candidates, this seed draws a different triple (a different shuffle of six).
    expect(verifyDrawProof({ ...proof, excluded: [] }).outcome).toBe("draw_mismatch");
    expect(verifyDrawProof({ ...proof, excluded: [excluded[0]!] }).outcome).toBe("draw_mismatch");
  });

  it("catches an excluded unit whose last arrival is too old, or that is no candidate", () => {
    const stale = verifyDrawProof({
      ...proof,
      excluded: [excluded[0]!, { unitId: "u5", lastArrivalAt: "2026-02-01T00:00:00.000Z" }],
    });
    expect(stale).toMatchObject({ outcome: "exclusion_mismatch" });
    expect(verifyDrawProof({ ...proof, excludeInspectedWithinDays: 5 }).outcome).toBe("exclusion_mismatch");
    expect(
      verifyDrawProof({ ...proof, excluded: [...excluded, { unitId: "u9", lastArrivalAt: drawnAt }] })
        .outcome,
    ).toBe("exclusion_mismatch");
    expect(verifyDrawProof({ ...proof, excludeInspectedWithinDays: undefined }).outcome).toBe(
      "exclusion_mismatch",
    );
  });

  it("a proof whose remaining candidates cannot give the sample is a mismatch, not a crash", () => {
    const verdict = verifyDrawProof({ ...proof, sampleSize: 5 });
    expect(verdict).toMatchObject({ outcome: "draw_mismatch", recomputed: [] });
    expect(verdict.outcome === "draw_mismatch" && verdict.refused).toContain("只剩 4 个候选单位");
  });
});
