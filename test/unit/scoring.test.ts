import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RuleViolationError } from "../../lambdas/domain/errors";
import {
  type ChecklistItem,
  compareForRanking,
  DEFAULT_GRADES,
  gradeFor,
  gradeForPoints,
  type ItemDeduction,
  lowestGrade,
  percentForPoints,
  scoreFindings,
  sumPoints,
} from "../../lambdas/domain/scoring";

const items: ChecklistItem[] = [
  { code: "A1", title: "员工健康动态管理档案", maxPoints: 10, critical: false },
  { code: "A2", title: "消杀记录本", maxPoints: 20, critical: false },
  { code: "A3", title: "扫码测温", maxPoints: 30, critical: true },
  { code: "A4", title: "来访登记", maxPoints: 40, critical: false },
];

function refusal(run: () => unknown): RuleViolationError {
  try {
    run();
  } catch (e) {
    if (e instanceof RuleViolationError) return e;
    throw e;
  }
  throw new Error("expected a RuleViolationError");
}

describe("grades", () => {
  it("the default scale is 优秀 ≥ 90, 良好 ≥ 75, 合格 ≥ 60, 不合格 below", () => {
    expect(DEFAULT_GRADES).toEqual([
      { name: "优秀", minPercent: 90 },
      { name: "良好", minPercent: 75 },
      { name: "合格", minPercent: 60 },
      { name: "不合格", minPercent: 0 },
    ]);
  });

  it("a grade starts exactly at its minPercent: 90 → 优秀, 89.9 → 良好, 75 → 良好, 74.9 → 合格, 60 → 合格, 59.9 → 不合格", () => {
    expect(gradeFor(100, DEFAULT_GRADES)).toBe("优秀");
    expect(gradeFor(90, DEFAULT_GRADES)).toBe("优秀");
    expect(gradeFor(89.9, DEFAULT_GRADES)).toBe("良好");
    expect(gradeFor(75, DEFAULT_GRADES)).toBe("良好");
    expect(gradeFor(74.9, DEFAULT_GRADES)).toBe("合格");
    expect(gradeFor(60, DEFAULT_GRADES)).toBe("合格");
    expect(gradeFor(59.9, DEFAULT_GRADES)).toBe("不合格");
    expect(gradeFor(0, DEFAULT_GRADES)).toBe("不合格");
  });

  it("a template's own scale works in any order, and below every grade gives the lowest one", () => {
    const grades = [
      { name: "达标", minPercent: 80 },
      { name: "较差", minPercent: 50 },
      { name: "优", minPercent: 95 },
    ];
    expect(gradeFor(96, grades)).toBe("优");
    expect(gradeFor(80, grades)).toBe("达标");
    expect(gradeFor(50, grades)).toBe("较差");
    expect(gradeFor(10, grades)).toBe("较差");
    expect(lowestGrade(grades)).toBe("较差");
    expect(lowestGrade(DEFAULT_GRADES)).toBe("不合格");
  });
});

describe("scoreFindings", () => {
  it("points are the template's maximum minus the deductions; items without an entry deduct nothing", () => {
    const score = scoreFindings(items, DEFAULT_GRADES, [
      { code: "A1", deduction: 2, note: "档案不全" },
      { code: "A2", deduction: 5 },
    ]);
    expect(score).toEqual({ points: 93, maxPoints: 100, percent: 93, grade: "优秀", vetoed: false });
  });

  it("no deductions at all keep every point", () => {
    expect(scoreFindings(items, DEFAULT_GRADES, [])).toEqual({
      points: 100,
      maxPoints: 100,
      percent: 100,
      grade: "优秀",
      vetoed: false,
    });
  });

  it("points do not drift: 10 − 2.5 − 0.1 is exactly 7.4", () => {
    const small: ChecklistItem[] = [
      { code: "x", title: "x", maxPoints: 5, critical: false },
      { code: "y", title: "y", maxPoints: 5, critical: false },
    ];
    const score = scoreFindings(small, DEFAULT_GRADES, [
      { code: "x", deduction: 2.5 },
      { code: "y", deduction: 0.1 },
    ]);
    expect(score.points).toBe(7.4);
    expect(score.percent).toBe(74);
    expect(score.grade).toBe("合格");
  });

  it('percent is rounded to two decimals for display (API.md v2 "Scores")', () => {
    const three: ChecklistItem[] = [{ code: "x", title: "x", maxPoints: 3, critical: false }];
    expect(scoreFindings(three, DEFAULT_GRADES, [{ code: "x", deduction: 1 }]).percent).toBe(66.67);
    expect(scoreFindings(three, DEFAULT_GRADES, [{ code: "x", deduction: 2 }]).percent).toBe(33.33);
  });

  it("any deduction on a critical item vetoes (一票否决): the lowest grade whatever the points", () => {
    const score = scoreFindings(items, DEFAULT_GRADES, [{ code: "A3", deduction: 0.5 }]);
    expect(score.vetoed).toBe(true);
    expect(score.points).toBe(99.5);
    expect(score.grade).toBe("不合格");
  });

  it("a zero deduction on a critical item does not veto", () => {
    const score = scoreFindings(items, DEFAULT_GRADES, [{ code: "A3", deduction: 0 }]);
    expect(score.vetoed).toBe(false);
    expect(score.grade).toBe("优秀");
  });

  it("refuses a code that names no item of the template", () => {
    const e = refusal(() => scoreFindings(items, DEFAULT_GRADES, [{ code: "Z9", deduction: 1 }]));
    expect(e.errors).toEqual([{ path: "items[0].code", message: expect.stringContaining("Z9") }]);
  });

  it("refuses a code listed twice", () => {
    const e = refusal(() =>
      scoreFindings(items, DEFAULT_GRADES, [
        { code: "A1", deduction: 1 },
        { code: "A1", deduction: 2 },
      ]),
    );
    expect(e.errors.map((x) => x.path)).toEqual(["items[1].code"]);
  });

  it("refuses a negative deduction, one above the item's maxPoints, and non-finite numbers", () => {
    for (const deduction of [-0.5, 10.01, Number.NaN, Number.POSITIVE_INFINITY]) {
      const e = refusal(() => scoreFindings(items, DEFAULT_GRADES, [{ code: "A1", deduction }]));
      expect(e.errors.map((x) => x.path)).toEqual(["items[0].deduction"]);
    }
  });

  it("a deduction of exactly the item's maxPoints is allowed", () => {
    expect(scoreFindings(items, DEFAULT_GRADES, [{ code: "A4", deduction: 40 }]).points).toBe(60);
  });

  it("lists every problem at once, each with its path", () => {
    const e = refusal(() =>
      scoreFindings(items, DEFAULT_GRADES, [
        { code: "A1", deduction: 11 },
        { code: "nope", deduction: 1 },
        { code: "A2", deduction: -1 },
        { code: "A1", deduction: 1 },
      ]),
    );
    expect(e.errors.map((x) => x.path)).toEqual([
      "items[0].deduction",
      "items[1].code",
      "items[2].deduction",
      "items[3].code",
    ]);
  });

  const templateArb = fc.uniqueArray(
    fc.record({
      code: fc.string({ minLength: 1, maxLength: 5 }),
      title: fc.string(),
      maxPoints: fc.integer({ min: 1, max: 400 }).map((x) => x / 4),
      critical: fc.boolean(),
    }),
    { minLength: 1, maxLength: 12, selector: (i) => i.code },
  );
  const scoredArb = templateArb.chain((template) =>
    fc
      .subarray(template)
      .chain((chosen) =>
        fc
          .tuple(...chosen.map((item) => fc.double({ min: 0, max: item.maxPoints, noNaN: true })))
          .map((ds): ItemDeduction[] =>
            chosen.map((item, i) => ({ code: item.code, deduction: ds[i] ?? 0 })),
          ),
      )
      .map((deductions) => ({ template, deductions })),
  );

  it("property: 0 ≤ points ≤ maxPoints, percent in [0, 100], maxPoints is the template's total", () => {
    fc.assert(
      fc.property(scoredArb, ({ template, deductions }) => {
        const score = scoreFindings(template, DEFAULT_GRADES, deductions);
        expect(score.maxPoints).toBeCloseTo(
          template.reduce((s, i) => s + i.maxPoints, 0),
          9,
        );
        expect(score.points).toBeGreaterThanOrEqual(0);
        expect(score.points).toBeLessThanOrEqual(score.maxPoints);
        expect(score.percent).toBeGreaterThanOrEqual(0);
        expect(score.percent).toBeLessThanOrEqual(100);
        expect(Math.round(score.percent * 100) / 100).toBe(score.percent);
        expect(Math.abs(score.percent - (score.points / score.maxPoints) * 100)).toBeLessThan(0.01 + 1e-9);
      }),
    );
  });

  it("property: a veto happens exactly when a critical item loses points, and it forces the lowest grade", () => {
    fc.assert(
      fc.property(scoredArb, ({ template, deductions }) => {
        const score = scoreFindings(template, DEFAULT_GRADES, deductions);
        const critical = new Set(template.filter((i) => i.critical).map((i) => i.code));
        const expectVeto = deductions.some((d) => critical.has(d.code) && d.deduction > 0);
        expect(score.vetoed).toBe(expectVeto);
        expect(score.grade).toBe(expectVeto ? "不合格" : gradeFor(score.percent, DEFAULT_GRADES));
      }),
    );
  });
});

describe('grades and percent from the exact points (API.md v2 "Scores")', () => {
  /** A template of `n` items of `each` points. */
  const template = (n: number, each: number): ChecklistItem[] =>
    Array.from({ length: n }, (_, i) => ({
      code: `T${i}`,
      title: `第${i + 1}项`,
      maxPoints: each,
      critical: false,
    }));
  /** `deductions[i]` is taken from item i. */
  const scored = (n: number, each: number, ...deductions: number[]) =>
    scoreFindings(
      template(n, each),
      DEFAULT_GRADES,
      deductions.map((deduction, i) => ({ code: `T${i}`, deduction })),
    );

  it("179.98 of 200 is 89.99 %: 良好, not 优秀; 180 of 200 is 优秀", () => {
    expect(scored(2, 100, 20.02)).toEqual({
      points: 179.98,
      maxPoints: 200,
      percent: 89.99,
      grade: "良好",
      vetoed: false,
    });
    expect(scored(2, 100, 20)).toMatchObject({ points: 180, percent: 90, grade: "优秀" });
  });

  it("119.98 of 200 (59.99 %) fails 合格; 120 of 200 passes", () => {
    expect(scored(2, 100, 80.02)).toMatchObject({ points: 119.98, percent: 59.99, grade: "不合格" });
    expect(scored(2, 100, 80)).toMatchObject({ points: 120, percent: 60, grade: "合格" });
  });

  it("149.98 of 200 (74.99 %) is 合格; 150 of 200 is 良好", () => {
    expect(scored(2, 100, 50.02)).toMatchObject({ percent: 74.99, grade: "合格" });
    expect(scored(2, 100, 50)).toMatchObject({ percent: 75, grade: "良好" });
  });

  it("percent never crosses a grade boundary by rounding: 89.996 % and 89.995 % show 89.99", () => {
    // 10 items of 100: 899.96 of 1000 is 89.996 %; rounded half up it would read 90.00 (优秀).
    expect(scored(10, 100, 100, 0.04)).toMatchObject({ points: 899.96, percent: 89.99, grade: "良好" });
    expect(scored(10, 100, 100, 0.05)).toMatchObject({ points: 899.95, percent: 89.99, grade: "良好" });
    expect(scored(10, 100, 100, 0.06)).toMatchObject({ points: 899.94, percent: 89.99, grade: "良好" });
    // 59.996 % is 不合格 and shows 59.99, not 60.00.
    expect(scored(10, 100, 100, 100, 100, 100, 0.04)).toMatchObject({ percent: 59.99, grade: "不合格" });
  });

  it("away from a boundary, percent is simply rounded half up", () => {
    expect(scored(10, 100, 99.96)).toMatchObject({ points: 900.04, percent: 90, grade: "优秀" });
    expect(scored(10, 100, 100, 0.15)).toMatchObject({ points: 899.85, percent: 89.99, grade: "良好" }); // 89.985
    expect(scored(10, 100, 100, 0.16)).toMatchObject({ points: 899.84, percent: 89.98, grade: "良好" }); // 89.984
  });

  it("is exact where binary floating point is not: 0.27 of 0.1 + 0.2 is 90 %", () => {
    // In doubles 0.1 + 0.2 = 0.30000000000000004 and 0.27 / that × 100 = 89.99999999999997.
    const tiny: ChecklistItem[] = [
      { code: "a", title: "a", maxPoints: 0.1, critical: false },
      { code: "b", title: "b", maxPoints: 0.2, critical: false },
    ];
    expect(scoreFindings(tiny, DEFAULT_GRADES, [{ code: "b", deduction: 0.03 }])).toEqual({
      points: 0.27,
      maxPoints: 0.3,
      percent: 90,
      grade: "优秀",
      vetoed: false,
    });
    const thirds: ChecklistItem[] = [
      { code: "a", title: "a", maxPoints: 33.33, critical: false },
      { code: "b", title: "b", maxPoints: 33.33, critical: false },
      { code: "c", title: "c", maxPoints: 33.34, critical: false },
    ];
    expect(scoreFindings(thirds, DEFAULT_GRADES, [{ code: "c", deduction: 10.01 }])).toMatchObject({
      points: 89.99,
      maxPoints: 100,
      percent: 89.99,
      grade: "良好",
    });
  });

  it("a vetoed score keeps its percent but takes the lowest grade", () => {
    const withCritical: ChecklistItem[] = [
      { code: "a", title: "a", maxPoints: 100, critical: true },
      { code: "b", title: "b", maxPoints: 100, critical: false },
    ];
    expect(scoreFindings(withCritical, DEFAULT_GRADES, [{ code: "a", deduction: 0.02 }])).toEqual({
      points: 199.98,
      maxPoints: 200,
      percent: 99.99,
      grade: "不合格",
      vetoed: true,
    });
  });

  it("a template's boundary with more decimals is kept too (more places only when two cannot)", () => {
    const grades = [
      { name: "甲", minPercent: 90 },
      { name: "乙", minPercent: 89.993 },
      { name: "丙", minPercent: 0 },
    ];
    expect(gradeForPoints(899.94, 1000, grades)).toBe("乙");
    expect(percentForPoints(899.94, 1000, grades)).toBe(89.994); // 89.99 is 丙, 90.00 is 甲
    expect(percentForPoints(899.92, 1000, grades)).toBe(89.99); // 丙 either way
    expect(percentForPoints(899.97, 1000, grades)).toBe(89.997);
  });

  it("gradeForPoints and percentForPoints read stored points the same way", () => {
    expect(gradeForPoints(179.98, 200, DEFAULT_GRADES)).toBe("良好");
    expect(percentForPoints(179.98, 200, DEFAULT_GRADES)).toBe(89.99);
    expect(gradeForPoints(179.99, 200, DEFAULT_GRADES)).toBe("良好"); // 89.995 %
    expect(percentForPoints(179.99, 200, DEFAULT_GRADES)).toBe(89.99);
  });

  it("property: the percent shown is within 0.01 of the exact one and in the same grade", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        (maxHundredths, keptHundredths) => {
          fc.pre(keptHundredths <= maxHundredths);
          const maxPoints = maxHundredths / 100;
          const points = keptHundredths / 100;
          const percent = percentForPoints(points, maxPoints, DEFAULT_GRADES);
          expect(Math.round(percent * 100) / 100).toBe(percent);
          expect(Math.abs(percent - (keptHundredths / maxHundredths) * 100)).toBeLessThan(0.01 + 1e-9);
          expect(gradeFor(percent, DEFAULT_GRADES)).toBe(gradeForPoints(points, maxPoints, DEFAULT_GRADES));
          // The exact grade, by integers: kept / max ≥ minPercent / 100.
          const exact = DEFAULT_GRADES.find((g) => keptHundredths * 100 >= g.minPercent * maxHundredths);
          expect(gradeForPoints(points, maxPoints, DEFAULT_GRADES)).toBe(exact?.name);
        },
      ),
    );
  });
});

describe("compareForRanking (the bulletin's order)", () => {
  const rank = (scores: { id: string; points: number; maxPoints: number; vetoed?: boolean }[]) =>
    scores
      .map((s) => ({ ...s, vetoed: s.vetoed ?? false }))
      .sort((a, b) => compareForRanking(a, b) || a.id.localeCompare(b.id))
      .map((s) => s.id);

  it("by the exact percent, best first: 180 of 200 above 179.98 of 200", () => {
    expect(
      rank([
        { id: "a", points: 179.98, maxPoints: 200 },
        { id: "b", points: 180, maxPoints: 200 },
        { id: "c", points: 179.99, maxPoints: 200 },
      ]),
    ).toEqual(["b", "c", "a"]);
  });

  it("ties on the exact percent go by points; 89.996 % stays above 89.99 % though both show 89.99", () => {
    expect(
      rank([
        { id: "a", points: 90, maxPoints: 100 },
        { id: "b", points: 180, maxPoints: 200 },
        { id: "c", points: 899.96, maxPoints: 1000 },
        { id: "d", points: 89.99, maxPoints: 100 },
      ]),
    ).toEqual(["b", "a", "c", "d"]);
  });

  it("vetoed units last, whatever their points, ranked among themselves the same way", () => {
    expect(
      rank([
        { id: "v1", points: 100, maxPoints: 100, vetoed: true },
        { id: "low", points: 10, maxPoints: 100 },
        { id: "v2", points: 99, maxPoints: 100, vetoed: true },
      ]),
    ).toEqual(["low", "v1", "v2"]);
  });

  it("exact, not floating point: 0.27 of 0.3 ties 90 of 100 on percent", () => {
    expect(
      compareForRanking(
        { points: 0.27, maxPoints: 0.3, vetoed: false },
        { points: 27, maxPoints: 30, vetoed: false },
      ),
    ).toBeGreaterThan(0);
    expect(
      compareForRanking(
        { points: 0.27, maxPoints: 0.3, vetoed: false },
        { points: 0.27, maxPoints: 0.3, vetoed: false },
      ),
    ).toBe(0);
  });
});

describe("sumPoints", () => {
  it("adds decimal points exactly, as they were written", () => {
    expect(sumPoints([0.1, 0.2])).toBe(0.3);
    expect(sumPoints([33.3, 33.3, 33.4])).toBe(100);
    expect(sumPoints([])).toBe(0);
  });
});
