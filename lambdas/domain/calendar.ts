/**
 * The working-day calendar (工作日) of the State Council's yearly holiday notices
 * (国务院办公厅关于某年部分节假日安排的通知): public holidays, and the 调休 weekends that are working
 * days. The data is the `chinese-days` package's published `dist/chinese-days.json` (pinned in
 * package.json; docs/calendar.md says how to update it). A year the data does not cover yet — the
 * notice comes out late in the year before — counts Monday to Friday, and every result that rests on
 * such a year says it is approximate.
 *
 * Days are China Standard Time calendar days written `YYYY-MM-DD`; China has kept UTC+8 all year
 * since 1992, so a CST day D runs from 16:00 UTC of D−1 to 16:00 UTC of D.
 */

import calendarJson from "chinese-days/dist/chinese-days.json" with { type: "json" };
import calendarPackage from "chinese-days/package.json" with { type: "json" };
import * as z from "zod/mini";

const CST_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;
const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

import { MAX_WORKDAYS } from "./workdays";

export { MAX_WORKDAYS };

/** The package's data: for each listed day its name (e.g. "Spring Festival,春节,4"). */
const CalendarData = z.object({
  holidays: z.record(z.string().check(z.regex(DAY_PATTERN)), z.string()),
  workdays: z.record(z.string().check(z.regex(DAY_PATTERN)), z.string()),
});

interface LoadedCalendar {
  readonly holidays: ReadonlySet<string>;
  readonly workdays: ReadonlySet<string>;
  readonly firstYear: number;
  readonly lastYear: number;
}

let loaded: LoadedCalendar | undefined;

/**
 * The data, checked on first use rather than at import: most handlers that import the order rules
 * never count a working day, and their cold start should not pay for parsing the holidays.
 */
function calendar(): LoadedCalendar {
  if (loaded) return loaded;
  const data = CalendarData.parse(calendarJson);
  const holidays: ReadonlySet<string> = new Set(Object.keys(data.holidays));
  const workdays: ReadonlySet<string> = new Set(Object.keys(data.workdays));
  /** The years of the notices in the data: every year that has at least one holiday. */
  const noticeYears = [...holidays].map((day) => Number(day.slice(0, 4)));
  const firstYear = Math.min(...noticeYears);
  const lastYear = Math.max(...noticeYears);
  for (let year = firstYear; year <= lastYear; year++) {
    // A gap would make a year look covered that is not: refuse to load rather than count wrongly.
    if (!noticeYears.includes(year)) throw new Error(`chinese-days has no holidays for ${year}`);
  }
  for (const day of workdays) {
    if (holidays.has(day)) throw new Error(`chinese-days lists ${day} as both a holiday and a workday`);
  }
  loaded = { holidays, workdays, firstYear, lastYear };
  return loaded;
}

/** The data the calendar rests on, e.g. { source: "chinese-days", version: "1.x.y", firstYear: 2004, lastYear: 2026 }. */
export function calendarData(): {
  readonly source: string;
  readonly version: string;
  readonly firstYear: number;
  readonly lastYear: number;
} {
  const { firstYear, lastYear } = calendar();
  return { source: calendarPackage.name, version: calendarPackage.version, firstYear, lastYear };
}

/** Milliseconds of 00:00 UTC of a `YYYY-MM-DD` day; throws a RangeError for anything else. */
function dayStartUtc(day: string): number {
  const match = DAY_PATTERN.exec(day);
  if (match === null) throw new RangeError(`Not a day (YYYY-MM-DD): ${JSON.stringify(day)}`);
  const [, y, m, d] = match;
  const ms = Date.UTC(Number(y), Number(m) - 1, Number(d));
  if (new Date(ms).toISOString().slice(0, 10) !== day) {
    throw new RangeError(`Not a calendar day: ${JSON.stringify(day)}`);
  }
  return ms;
}

function dayOf(utcMidnightMs: number): string {
  return new Date(utcMidnightMs).toISOString().slice(0, 10);
}

function addCalendarDays(day: string, days: number): string {
  return dayOf(dayStartUtc(day) + days * DAY_MS);
}

function requireInstant(instant: Date): number {
  const ms = instant.getTime();
  if (Number.isNaN(ms)) throw new RangeError("Not a valid time");
  return ms;
}

/** The China Standard Time calendar day (YYYY-MM-DD) of an instant. */
export function chinaDay(instant: Date): string {
  return new Date(requireInstant(instant) + CST_OFFSET_MS).toISOString().slice(0, 10);
}

/** Whether the data covers the year of `day` (YYYY-MM-DD). */
export function calendarCovers(day: string): boolean {
  dayStartUtc(day);
  const year = Number(day.slice(0, 4));
  const { firstYear, lastYear } = calendar();
  return year >= firstYear && year <= lastYear;
}

/** Whether `day` (YYYY-MM-DD) is a working day: a weekday that is not a holiday, or a 调休 working weekend; Monday–Friday for a year the data does not cover. */
export function isWorkingDay(day: string): boolean {
  const weekday = new Date(dayStartUtc(day)).getUTCDay();
  const mondayToFriday = weekday >= 1 && weekday <= 5;
  if (!calendarCovers(day)) return mondayToFriday;
  const { workdays, holidays } = calendar();
  if (workdays.has(day)) return true;
  if (holidays.has(day)) return false;
  return mondayToFriday;
}

function requireWorkdays(workdays: number): void {
  if (!Number.isInteger(workdays) || workdays < 1 || workdays > MAX_WORKDAYS) {
    throw new RangeError(`A working-day count is an integer from 1 to ${MAX_WORKDAYS}: ${workdays}`);
  }
}

/** 24:00 China Standard Time of `day` (= 16:00 UTC of the same date), as an ISO UTC string. */
function endOfChinaDay(day: string): string {
  return new Date(dayStartUtc(day) + DAY_MS - CST_OFFSET_MS).toISOString();
}

/**
 * 24:00 China Standard Time of the n-th working day after the CST day of `from` (n in 1..60), as an
 * ISO UTC string; approximate when any day counted lies in a year the data does not cover.
 * "Counted" is every day looked at on the way, working or not: a weekend of an uncovered year may be
 * a 调休 working day once the notice is out.
 */
export function workdayDeadline(
  from: Date,
  workdays: number,
): { readonly deadline: string; readonly approximate: boolean } {
  requireWorkdays(workdays);
  let day = chinaDay(from);
  let approximate = false;
  for (let counted = 0; counted < workdays; ) {
    day = addCalendarDays(day, 1);
    if (!calendarCovers(day)) approximate = true;
    if (isWorkingDay(day)) counted++;
  }
  return { deadline: endOfChinaDay(day), approximate };
}

/**
 * One working day before `deadline`: the same CST clock time on the latest working day strictly before
 * the deadline's CST calendar day (a deadline of 24:00 Monday = 00:00 Tuesday CST gives 00:00 Monday
 * CST). Approximate when any day looked at lies in a year the data does not cover.
 */
export function oneWorkingDayBefore(deadline: Date): { readonly at: Date; readonly approximate: boolean } {
  const deadlineMs = requireInstant(deadline);
  const deadlineDay = chinaDay(deadline);
  const clockMs = deadlineMs + CST_OFFSET_MS - dayStartUtc(deadlineDay);
  let day = deadlineDay;
  let approximate = false;
  do {
    day = addCalendarDays(day, -1);
    if (!calendarCovers(day)) approximate = true;
  } while (!isWorkingDay(day));
  return { at: new Date(dayStartUtc(day) - CST_OFFSET_MS + clockMs), approximate };
}
