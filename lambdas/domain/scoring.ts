/**
 * On-site quantitative scoring (量化评分, 现场打分) against a checklist template (考评细则).
 *
 * Score = points kept out of the template's maximum. Points are decimals (a deduction may be 0.5 or
 * 0.25), so they are added up and compared as exact decimals, never in binary floating point: the
 * grade comes from the exact percentage (179.98 of 200 is 89.99 %: 良好, not 优秀), and so does the
 * bulletin's order. `percent` is the exact percentage rounded to two decimals for display, never
 * across a grade boundary (89.996 % shows 89.99, not 90.00). Any deduction on a critical item is a
 * veto (一票否决): the lowest grade whatever the points.
 */
import { type FieldError, RuleViolationError } from "./errors";

export interface ChecklistItem {
  readonly code: string;
  readonly title: string;
  readonly maxPoints: number;
  readonly critical: boolean;
}

export interface Grade {
  readonly name: string;
  readonly minPercent: number;
}

/** 优秀 ≥ 90, 良好 ≥ 75, 合格 ≥ 60, 不合格 below. */
export const DEFAULT_GRADES: readonly Grade[] = Object.freeze([
  Object.freeze({ name: "优秀", minPercent: 90 }),
  Object.freeze({ name: "良好", minPercent: 75 }),
  Object.freeze({ name: "合格", minPercent: 60 }),
  Object.freeze({ name: "不合格", minPercent: 0 }),
]);

export interface ItemDeduction {
  readonly code: string;
  readonly deduction: number;
  readonly note?: string;
}

export interface Score {
  readonly points: number;
  readonly maxPoints: number;
  /** The exact percentage rounded to two decimals, in the same grade as the exact one. */
  readonly percent: number;
  readonly grade: string;
  readonly vetoed: boolean;
}

function requireGrades(grades: readonly Grade[]): void {
  if (grades.length === 0) {
    throw new RuleViolationError("等次设置至少要有一个等次。", [
      { path: "grades", message: "至少要有一个等次" },
    ]);
  }
}

/** The grade with the smallest `minPercent` (the first one listed wins a tie). */
export function lowestGrade(grades: readonly Grade[]): string {
  requireGrades(grades);
  let lowest = grades[0]!;
  for (const g of grades) if (g.minPercent < lowest.minPercent) lowest = g;
  return lowest.name;
}

// ---- exact decimals ----------------------------------------------------------------------------

/** An exact rational number num / den (den > 0). */
interface Fraction {
  readonly num: bigint;
  readonly den: bigint;
}

const ZERO: Fraction = { num: 0n, den: 1n };
const DECIMAL_TEXT = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/;

/**
 * The decimal a number was written as — the shortest decimal that reads back as the same double, as
 * `String` gives it — exactly: 179.98 is 17998/100, not the binary 179.97999999999998977….
 */
function exactDecimal(x: number): Fraction {
  const match = DECIMAL_TEXT.exec(String(x));
  if (match === null) throw new RangeError(`Not a finite number: ${x}`);
  const [, sign = "", whole = "0", fraction = "", exponent = "0"] = match;
  const shift = Number(exponent) - fraction.length;
  const digits = BigInt(`${sign}${whole}${fraction}`);
  return shift >= 0
    ? { num: digits * 10n ** BigInt(shift), den: 1n }
    : { num: digits, den: 10n ** BigInt(-shift) };
}

function plus(a: Fraction, b: Fraction): Fraction {
  // Decimals have powers of ten below: the larger one is a common denominator.
  if (a.den % b.den === 0n) return { num: a.num + b.num * (a.den / b.den), den: a.den };
  if (b.den % a.den === 0n) return { num: a.num * (b.den / a.den) + b.num, den: b.den };
  return { num: a.num * b.den + b.num * a.den, den: a.den * b.den };
}

function minus(a: Fraction, b: Fraction): Fraction {
  return plus(a, { num: -b.num, den: b.den });
}

/** Negative, zero or positive as a is below, equal to or above b. */
function compare(a: Fraction, b: Fraction): number {
  const d = a.num * b.den - b.num * a.den;
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** The double nearest to x (through its decimal text when x is a decimal, so 17998/100 is 179.98). */
function toNumber(x: Fraction): number {
  let den = x.den;
  let places = 0;
  while (den % 10n === 0n) {
    den /= 10n;
    places++;
  }
  if (den === 1n) return Number(`${x.num}e-${places}`);
  return Number(x.num) / Number(x.den);
}

/** The exact sum of decimal points (0.1 + 0.2 is 0.3, not 0.30000000000000004). */
export function sumPoints(values: readonly number[]): number {
  return toNumber(values.reduce<Fraction>((sum, v) => plus(sum, exactDecimal(v)), { num: 0n, den: 1n }));
}

/** ⌊n / d⌋ for d > 0. */
function floorDiv(n: bigint, d: bigint): bigint {
  return n >= 0n ? n / d : -((-n + d - 1n) / d);
}

/** x to `places` decimals: half up, down (toward −∞) or up (toward +∞). */
function roundTo(x: Fraction, places: number, mode: "half-up" | "down" | "up"): Fraction {
  const den = 10n ** BigInt(places);
  const scaled = x.num * den;
  switch (mode) {
    case "half-up":
      return { num: floorDiv(2n * scaled + x.den, 2n * x.den), den };
    case "down":
      return { num: floorDiv(scaled, x.den), den };
    case "up":
      return { num: -floorDiv(-scaled, x.den), den };
  }
}

/** The exact percentage of `points` out of `maxPoints` (0 for a maximum of 0). */
function percentOf(points: Fraction, maxPoints: Fraction): Fraction {
  if (maxPoints.num === 0n) return ZERO;
  const num = 100n * points.num * maxPoints.den;
  const den = points.den * maxPoints.num;
  return den < 0n ? { num: -num, den: -den } : { num, den };
}

// ---- grades and percentages --------------------------------------------------------------------

/** The grade of an exact percentage: see `gradeFor`. */
function gradeOfPercent(percent: Fraction, grades: readonly Grade[]): string {
  requireGrades(grades);
  let best: Grade | undefined;
  for (const g of grades) {
    const reached = compare(exactDecimal(g.minPercent), percent) <= 0;
    if (reached && (best === undefined || g.minPercent > best.minPercent)) best = g;
  }
  return best === undefined ? lowestGrade(grades) : best.name;
}

/**
 * The highest grade whose `minPercent` is at most `percent`; below every grade, the lowest grade.
 * The first one listed wins a tie.
 */
export function gradeFor(percent: number, grades: readonly Grade[]): string {
  return gradeOfPercent(exactDecimal(percent), grades);
}

/** The grade of `points` out of `maxPoints`, from the exact percentage (nothing rounded first). */
export function gradeForPoints(points: number, maxPoints: number, grades: readonly Grade[]): string {
  return gradeOfPercent(percentOf(exactDecimal(points), exactDecimal(maxPoints)), grades);
}

/**
 * The percentage shown: the exact one rounded half up to two decimals, unless that would land in
 * another grade (89.996 % under 优秀 ≥ 90 would show 90.00); then rounded toward the exact value's own
 * grade instead (89.99). Only a grade boundary with more than two decimals can need more places.
 */
function displayPercent(exact: Fraction, grades: readonly Grade[]): number {
  const grade = gradeOfPercent(exact, grades);
  for (let places = 2; ; places++) {
    for (const mode of ["half-up", "down", "up"] as const) {
      const shown = roundTo(exact, places, mode);
      if (gradeOfPercent(shown, grades) === grade) return toNumber(shown);
    }
  }
}

/** The percentage shown for `points` out of `maxPoints`: two decimals, in the exact value's grade. */
export function percentForPoints(points: number, maxPoints: number, grades: readonly Grade[]): number {
  return displayPercent(percentOf(exactDecimal(points), exactDecimal(maxPoints)), grades);
}

/** What the bulletin ranks by. */
export interface RankedScore {
  readonly points: number;
  readonly maxPoints: number;
  readonly vetoed: boolean;
}

/**
 * The bulletin's order, best first (a negative result puts `a` first): units not vetoed before
 * vetoed ones, then by the exact percentage (points / maxPoints, never the rounded `percent`), then by
 * points. 0 when the two rank equal.
 */
export function compareForRanking(a: RankedScore, b: RankedScore): number {
  if (a.vetoed !== b.vetoed) return a.vetoed ? 1 : -1;
  const pointsA = exactDecimal(a.points);
  const pointsB = exactDecimal(b.points);
  return (
    compare(percentOf(pointsB, exactDecimal(b.maxPoints)), percentOf(pointsA, exactDecimal(a.maxPoints))) ||
    compare(pointsB, pointsA)
  );
}

// ---- scoring findings --------------------------------------------------------------------------

/**
 * Scores the deductions (扣分) given on site against the template's items. Items without a deduction
 * entry keep all their points. Refuses (RuleViolationError, every problem listed) a code that names no
 * item, a code listed twice, a non-finite deduction and a deduction outside 0…the item's `maxPoints`.
 */
export function scoreFindings(
  items: readonly ChecklistItem[],
  grades: readonly Grade[],
  deductions: readonly ItemDeduction[],
): Score {
  const byCode = new Map<string, ChecklistItem>();
  for (const item of items) if (!byCode.has(item.code)) byCode.set(item.code, item);

  const errors: FieldError[] = [];
  const seen = new Set<string>();
  const deducted: Fraction[] = [];
  let vetoed = false;
  deductions.forEach((d, i) => {
    const item = byCode.get(d.code);
    if (item === undefined) {
      errors.push({ path: `items[${i}].code`, message: `考评细则中没有 ${d.code} 项` });
    } else if (seen.has(d.code)) {
      errors.push({ path: `items[${i}].code`, message: `${d.code} 项重复填报` });
    }
    seen.add(d.code);
    if (!Number.isFinite(d.deduction)) {
      errors.push({ path: `items[${i}].deduction`, message: "须为有限的数值" });
      return;
    }
    if (d.deduction < 0) {
      errors.push({ path: `items[${i}].deduction`, message: "不能为负数" });
      return;
    }
    if (item === undefined) return;
    if (d.deduction > item.maxPoints) {
      errors.push({
        path: `items[${i}].deduction`,
        message: `不能超过该项满分（${item.maxPoints}）`,
      });
      return;
    }
    deducted.push(exactDecimal(d.deduction));
    if (item.critical && d.deduction > 0) vetoed = true;
  });
  items.forEach((item, i) => {
    if (!Number.isFinite(item.maxPoints)) {
      errors.push({ path: `template.items[${i}].maxPoints`, message: "须为有限的数值" });
    }
  });
  if (errors.length > 0) throw new RuleViolationError("现场评分与考评细则不符。", errors);

  const maxPoints = items.map((item) => exactDecimal(item.maxPoints)).reduce(plus, ZERO);
  const points = minus(maxPoints, deducted.reduce(plus, ZERO));
  const percent = percentOf(points, maxPoints);
  return {
    points: toNumber(points),
    maxPoints: toNumber(maxPoints),
    percent: displayPercent(percent, grades),
    grade: vetoed ? lowestGrade(grades) : gradeOfPercent(percent, grades),
    vetoed,
  };
}
