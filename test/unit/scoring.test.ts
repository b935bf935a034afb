import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RuleViolationError } from "../../lambdas/domain/errors";
import {
  type ChecklistItem,
  DEFAULT_GRADES,
  gradeFor,
  type ItemDeduction,
  lowestGrade,
  scoreFindings,
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

  it("percent is rounded to one decimal", () => {
    const three: ChecklistItem[] = [{ code: "x", title: "x", maxPoints: 3, critical: false }];
    expect(scoreFindings(three, DEFAULT_GRADES, [{ code: "x", deduction: 1 }]).percent).toBe(66.7);
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
        expect(Math.round(score.percent * 10) / 10).toBe(score.percent);
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
