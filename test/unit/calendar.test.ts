import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  calendarCovers,
  calendarData,
  chinaDay,
  isWorkingDay,
  MAX_WORKDAYS,
  oneWorkingDayBefore,
  workdayDeadline,
} from "../../lambdas/domain/calendar";

const DAY_MS = 86_400_000;
/** Instants from the data's first year to a few years past its last. */
const instant = fc.date({
  min: new Date("2004-01-01T00:00:00Z"),
  max: new Date("2030-12-31T00:00:00Z"),
  noInvalidDate: true,
});
const WEEKDAY_NAMES = ["周日", "周一", "周二", "周三", "周四", "周五", "周六"] as const;

/** Every calendar day (YYYY-MM-DD) from `first` to `last`, both included. */
function daysBetween(first: string, last: string): string[] {
  const days: string[] = [];
  for (let ms = Date.parse(`${first}T00:00:00Z`); ms <= Date.parse(`${last}T00:00:00Z`); ms += DAY_MS) {
    days.push(new Date(ms).toISOString().slice(0, 10));
  }
  return days;
}

function weekdayName(day: string): string {
  return WEEKDAY_NAMES[new Date(`${day}T00:00:00Z`).getUTCDay()]!;
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

/**
 * The second source: the State Council's notices as published, transcribed by hand (not from the
 * package). Each holiday is the notice's span "from … to …" with the weekdays it names, each 上班
 * day with its weekday, so that a slip in the transcription shows up as a wrong weekday.
 * - 2025: 国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号，2024年11月12日）.
 * - 2026: 国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日，新华社11月4日电全文）.
 */
interface Notice {
  readonly holidays: readonly {
    readonly name: string;
    readonly from: [string, string];
    readonly to: [string, string];
  }[];
  readonly workingWeekends: readonly [string, string][];
}

const NOTICES: Readonly<Record<2025 | 2026, Notice>> = {
  2025: {
    holidays: [
      // 一、元旦：1月1日（周三）放假1天，不调休。
      { name: "元旦", from: ["2025-01-01", "周三"], to: ["2025-01-01", "周三"] },
      // 二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。
      { name: "春节", from: ["2025-01-28", "周二"], to: ["2025-02-04", "周二"] },
      // 三、清明节：4月4日（周五）至6日（周日）放假，共3天。
      { name: "清明节", from: ["2025-04-04", "周五"], to: ["2025-04-06", "周日"] },
      // 四、劳动节：5月1日（周四）至5日（周一）放假调休，共5天。
      { name: "劳动节", from: ["2025-05-01", "周四"], to: ["2025-05-05", "周一"] },
      // 五、端午节：5月31日（周六）至6月2日（周一）放假，共3天。
      { name: "端午节", from: ["2025-05-31", "周六"], to: ["2025-06-02", "周一"] },
      // 六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。
      { name: "国庆节、中秋节", from: ["2025-10-01", "周三"], to: ["2025-10-08", "周三"] },
    ],
    // 1月26日（周日）、2月8日（周六）上班；4月27日（周日）上班；9月28日（周日）、10月11日（周六）上班。
    workingWeekends: [
      ["2025-01-26", "周日"],
      ["2025-02-08", "周六"],
      ["2025-04-27", "周日"],
      ["2025-09-28", "周日"],
      ["2025-10-11", "周六"],
    ],
  },
  2026: {
    holidays: [
      // 一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。
      { name: "元旦", from: ["2026-01-01", "周四"], to: ["2026-01-03", "周六"] },
      // 二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。
      { name: "春节", from: ["2026-02-15", "周日"], to: ["2026-02-23", "周一"] },
      // 三、清明节：4月4日（周六）至6日（周一）放假，共3天。
      { name: "清明节", from: ["2026-04-04", "周六"], to: ["2026-04-06", "周一"] },
      // 四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。
      { name: "劳动节", from: ["2026-05-01", "周五"], to: ["2026-05-05", "周二"] },
      // 五、端午节：6月19日（周五）至21日（周日）放假，共3天。
      { name: "端午节", from: ["2026-06-19", "周五"], to: ["2026-06-21", "周日"] },
      // 六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
      { name: "中秋节", from: ["2026-09-25", "周五"], to: ["2026-09-27", "周日"] },
      // 七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。
      { name: "国庆节", from: ["2026-10-01", "周四"], to: ["2026-10-07", "周三"] },
    ],
    // 1月4日（周日）上班；2月14日（周六）、2月28日（周六）上班；5月9日（周六）上班；9月20日（周日）、10月10日（周六）上班。
    workingWeekends: [
      ["2026-01-04", "周日"],
      ["2026-02-14", "周六"],
      ["2026-02-28", "周六"],
      ["2026-05-09", "周六"],
      ["2026-09-20", "周日"],
      ["2026-10-10", "周六"],
    ],
  },
};

/** The working days of a year as the notice states them: Monday–Friday, less its holidays, plus its 上班 days. */
function workingDaysByNotice(year: 2025 | 2026): Map<string, boolean> {
  const notice = NOTICES[year];
  const off = new Set(notice.holidays.flatMap((h) => daysBetween(h.from[0], h.to[0])));
  const on = new Set(notice.workingWeekends.map(([day]) => day));
  const result = new Map<string, boolean>();
  for (const day of daysBetween(`${year}-01-01`, `${year}-12-31`)) {
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    result.set(day, on.has(day) || (weekday >= 1 && weekday <= 5 && !off.has(day)));
  }
  return result;
}

describe("the calendar's data", () => {
  it("is chinese-days, pinned, covering the notices from 2004 to at least 2026", () => {
    expect(calendarData().source).toBe("chinese-days");
    expect(calendarData().version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(calendarData().firstYear).toBe(2004);
    expect(calendarData().lastYear).toBeGreaterThanOrEqual(2026);
    expect(calendarCovers("2004-01-01")).toBe(true);
    expect(calendarCovers("2026-12-31")).toBe(true);
    expect(calendarCovers("2003-12-31")).toBe(false);
    expect(calendarCovers(`${calendarData().lastYear + 1}-01-01`)).toBe(false);
  });
});

describe("cross-check against the State Council's notices (a second source)", () => {
  it("the transcription names the right weekdays", () => {
    for (const notice of Object.values(NOTICES)) {
      for (const h of notice.holidays) {
        expect(weekdayName(h.from[0]), `${h.name} ${h.from[0]}`).toBe(h.from[1]);
        expect(weekdayName(h.to[0]), `${h.name} ${h.to[0]}`).toBe(h.to[1]);
      }
      for (const [day, name] of notice.workingWeekends) expect(weekdayName(day), day).toBe(name);
    }
  });

  for (const year of [2025, 2026] as const) {
    it(`every day of ${year} is a working day exactly when the notice makes it one`, () => {
      const expected = workingDaysByNotice(year);
      expect(expected.size).toBe(365);
      const mismatches = [...expected].filter(([day, working]) => isWorkingDay(day) !== working);
      expect(mismatches).toEqual([]);
    });
  }

  it("2025 and 2026 have 248 working days each (261 weekdays, less 18 / 19 weekday holidays, plus 5 / 6 调休 days)", () => {
    for (const year of [2025, 2026]) {
      expect(daysBetween(`${year}-01-01`, `${year}-12-31`).filter(isWorkingDay), `${year}`).toHaveLength(248);
    }
  });
});

describe("chinaDay", () => {
  it("is the calendar day in UTC+8: a day ends at 16:00 UTC", () => {
    expect(chinaDay(new Date("2025-01-01T15:59:59.999Z"))).toBe("2025-01-01");
    expect(chinaDay(new Date("2025-01-01T16:00:00.000Z"))).toBe("2025-01-02");
    expect(chinaDay(new Date("2024-12-31T16:00:00.000Z"))).toBe("2025-01-01");
  });
});

describe("workdayDeadline", () => {
  it("is 24:00 CST (16:00 UTC) of the n-th working day after the CST day of `from`", () => {
    // Monday 2025-03-10 → Tuesday, Wednesday, Thursday: 24:00 Thursday 2025-03-13.
    expect(workdayDeadline(new Date("2025-03-10T02:00:00Z"), 3)).toEqual({
      deadline: "2025-03-13T16:00:00.000Z",
      approximate: false,
    });
    // 17:00 UTC on Sunday 2025-03-09 is already Monday 01:00 in China: the same deadline.
    expect(workdayDeadline(new Date("2025-03-09T17:00:00Z"), 3).deadline).toBe("2025-03-13T16:00:00.000Z");
    // Friday 2025-03-14 → Monday 2025-03-17 (the weekend does not count).
    expect(workdayDeadline(new Date("2025-03-14T09:00:00Z"), 1).deadline).toBe("2025-03-17T16:00:00.000Z");
  });

  it("skips holidays and counts 调休 working weekends", () => {
    // Friday 2025-09-26: Sunday 9-28 (上班), Monday 9-29, Tuesday 9-30; 10-1…10-8 off; Thursday 10-9.
    expect(workdayDeadline(new Date("2025-09-26T03:00:00Z"), 3).deadline).toBe("2025-09-30T16:00:00.000Z");
    expect(workdayDeadline(new Date("2025-09-26T03:00:00Z"), 4).deadline).toBe("2025-10-09T16:00:00.000Z");
    // Friday 2026-02-13: Saturday 2-14 is a working day; then 2-15…2-23 are off; Tuesday 2-24.
    expect(workdayDeadline(new Date("2026-02-13T03:00:00Z"), 1).deadline).toBe("2026-02-14T16:00:00.000Z");
    expect(workdayDeadline(new Date("2026-02-13T03:00:00Z"), 2).deadline).toBe("2026-02-24T16:00:00.000Z");
  });

  it("refuses a count that is not an integer from 1 to 60", () => {
    const from = new Date("2025-03-10T02:00:00Z");
    expect(MAX_WORKDAYS).toBe(60);
    for (const n of [0, -1, 61, 1.5, Number.NaN]) expect(() => workdayDeadline(from, n)).toThrow(RangeError);
    expect(() => workdayDeadline(from, 60)).not.toThrow();
  });

  const count = fc.integer({ min: 1, max: MAX_WORKDAYS - 1 });

  it("property: a deadline always ends a working day, never a holiday or a plain weekend", () => {
    fc.assert(
      fc.property(instant, count, (from, n) => {
        const { deadline } = workdayDeadline(from, n);
        expect(deadline.slice(11)).toBe("16:00:00.000Z");
        expect(isWorkingDay(chinaDay(new Date(Date.parse(deadline) - 1)))).toBe(true);
      }),
    );
  });

  it("property: exactly n working days lie between the day of `from` and the deadline's day", () => {
    fc.assert(
      fc.property(instant, count, (from, n) => {
        const last = chinaDay(new Date(Date.parse(workdayDeadline(from, n).deadline) - 1));
        const days = daysBetween(nextDay(chinaDay(from)), last);
        expect(days.filter(isWorkingDay)).toHaveLength(n);
      }),
    );
  });

  it("property: the deadline for n, then the next working day, is the deadline for n + 1", () => {
    fc.assert(
      fc.property(instant, count, (from, n) => {
        const dn = workdayDeadline(from, n).deadline;
        const onLastDay = new Date(Date.parse(dn) - 1);
        expect(workdayDeadline(onLastDay, 1).deadline).toBe(workdayDeadline(from, n + 1).deadline);
      }),
    );
  });

  it("property: later for a larger count (strictly monotonic in n)", () => {
    fc.assert(
      fc.property(instant, count, count, (from, a, b) => {
        fc.pre(a !== b);
        const [lo, hi] = a < b ? [a, b] : [b, a];
        expect(Date.parse(workdayDeadline(from, lo).deadline)).toBeLessThan(
          Date.parse(workdayDeadline(from, hi).deadline),
        );
      }),
    );
  });
});

describe("a year the data does not cover", () => {
  const beyond = calendarData().lastYear + 1;

  it("counts Monday to Friday", () => {
    // Whatever the notice for that year will say, without it every weekday works and no weekend does.
    for (const day of daysBetween(`${beyond}-01-01`, `${beyond}-12-31`)) {
      const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
      expect(isWorkingDay(day), day).toBe(weekday >= 1 && weekday <= 5);
    }
  });

  it("makes a deadline approximate when a day counted lies in it, and only then", () => {
    const inside = workdayDeadline(new Date(`${beyond}-03-02T02:00:00Z`), 5);
    expect(inside.approximate).toBe(true);
    const weekday = new Date(Date.parse(inside.deadline) - 1);
    expect([1, 2, 3, 4, 5]).toContain(new Date(`${chinaDay(weekday)}T00:00:00Z`).getUTCDay());
    // From late December of the last covered year into the next one.
    expect(workdayDeadline(new Date(`${calendarData().lastYear}-12-28T02:00:00Z`), 10).approximate).toBe(
      true,
    );
    expect(workdayDeadline(new Date(`${calendarData().lastYear}-12-01T02:00:00Z`), 3).approximate).toBe(
      false,
    );
    expect(workdayDeadline(new Date("2025-06-10T02:00:00Z"), 60).approximate).toBe(false);
  });

  it("makes the reminder before such a deadline approximate", () => {
    expect(oneWorkingDayBefore(new Date(`${beyond}-03-04T16:00:00Z`)).approximate).toBe(true);
    expect(oneWorkingDayBefore(new Date("2025-03-04T16:00:00Z")).approximate).toBe(false);
  });

  it("before the first year too", () => {
    expect(isWorkingDay("2003-10-01")).toBe(true); // a Wednesday: Monday–Friday, the holiday is not known
    expect(workdayDeadline(new Date("2003-09-30T02:00:00Z"), 1)).toEqual({
      deadline: "2003-10-01T16:00:00.000Z",
      approximate: true,
    });
  });
});

describe("oneWorkingDayBefore", () => {
  it("a deadline of 24:00 Monday (00:00 Tuesday CST) gives 00:00 Monday CST", () => {
    const { at, approximate } = oneWorkingDayBefore(new Date("2025-03-10T16:00:00Z"));
    expect(at.toISOString()).toBe("2025-03-09T16:00:00.000Z");
    expect(approximate).toBe(false);
  });

  it("keeps the clock time and steps back over weekends and holidays", () => {
    // 10:30 CST on Monday 2025-03-10 → 10:30 CST on Friday 2025-03-07.
    expect(oneWorkingDayBefore(new Date("2025-03-10T02:30:00Z")).at.toISOString()).toBe(
      "2025-03-07T02:30:00.000Z",
    );
    // 24:00 on Thursday 2025-10-09 (00:00 Friday 10-10) → 00:00 on Thursday 10-09.
    expect(oneWorkingDayBefore(new Date("2025-10-09T16:00:00Z")).at.toISOString()).toBe(
      "2025-10-08T16:00:00.000Z",
    );
    // 09:00 CST on Thursday 2025-10-09 → 09:00 CST on Tuesday 9-30 (10-1…10-8 are off).
    expect(oneWorkingDayBefore(new Date("2025-10-09T01:00:00Z")).at.toISOString()).toBe(
      "2025-09-30T01:00:00.000Z",
    );
    // 09:00 CST on Monday 2026-02-16 (a holiday) → Saturday 2-14, a 调休 working day.
    expect(oneWorkingDayBefore(new Date("2026-02-16T01:00:00Z")).at.toISOString()).toBe(
      "2026-02-14T01:00:00.000Z",
    );
  });

  it("property: before a working-day deadline it is the 00:00 of the deadline's own working day", () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: MAX_WORKDAYS }), (from, n) => {
        const deadline = new Date(workdayDeadline(from, n).deadline);
        expect(oneWorkingDayBefore(deadline).at.getTime()).toBe(deadline.getTime() - DAY_MS);
      }),
    );
  });

  it("property: for any instant, the same clock time on the latest earlier working day", () => {
    fc.assert(
      fc.property(instant, (deadline) => {
        const { at } = oneWorkingDayBefore(deadline);
        expect(at.getTime()).toBeLessThan(deadline.getTime());
        expect((deadline.getTime() - at.getTime()) % DAY_MS).toBe(0);
        expect(isWorkingDay(chinaDay(at))).toBe(true);
        const later = daysBetween(nextDay(chinaDay(at)), chinaDay(deadline)).slice(0, -1);
        expect(later.filter(isWorkingDay)).toEqual([]);
      }),
    );
  });
});
