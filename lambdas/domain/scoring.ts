/**
 * On-site quantitative scoring (量化评分, 现场打分) against a checklist template (考评细则).
 *
 * Score = points kept out of the template's maximum, as a percentage rounded to one decimal. Any
 * deduction on a critical item is a veto (一票否决): the lowest grade whatever the points.
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

/**
 * The highest grade whose `minPercent` is at most `percent`; below every grade, the lowest grade.
 * The first one listed wins a tie.
 */
export function gradeFor(percent: number, grades: readonly Grade[]): string {
  requireGrades(grades);
  let best: Grade | undefined;
  for (const g of grades) {
    if (g.minPercent <= percent && (best === undefined || g.minPercent > best.minPercent)) best = g;
  }
  return best === undefined ? lowestGrade(grades) : best.name;
}

/** Rounds to 2 decimals, so that 10 − 2.5 − 0.1 is 7.4 and not 7.3999999999999995. */
function roundPoints(x: number): number {
  return Math.round(x * 100) / 100;
}

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
  let total = 0;
  let vetoed = false;
  deductions.forEach((d, i) => {
    const item = byCode.get(d.code);
    if (item === undefined) {
      errors.push({ path: `items[${i}].code`, message: `"${d.code}" names no item of the template` });
    } else if (seen.has(d.code)) {
      errors.push({ path: `items[${i}].code`, message: `"${d.code}" is listed more than once` });
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
    total += d.deduction;
    if (item.critical && d.deduction > 0) vetoed = true;
  });
  items.forEach((item, i) => {
    if (!Number.isFinite(item.maxPoints)) {
      errors.push({ path: `template.items[${i}].maxPoints`, message: "须为有限的数值" });
    }
  });
  if (errors.length > 0) throw new RuleViolationError("现场评分与考评细则不符。", errors);

  const maxPoints = roundPoints(items.reduce((sum, item) => sum + item.maxPoints, 0));
  const points = roundPoints(maxPoints - total);
  const percent = Math.round((points / maxPoints) * 100 * 10) / 10;
  const grade = vetoed ? lowestGrade(grades) : gradeFor(percent, grades);
  return { points, maxPoints, percent, grade, vetoed };
}
