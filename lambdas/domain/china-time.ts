/**
 * Times as people read them: China Standard Time (UTC+8, no daylight saving), written the Chinese
 * way — `2026年12月3日 15:46`. The API keeps ISO 8601 UTC; notices and documents use this.
 */
const CST_OFFSET_MS = 8 * 3_600_000;

/** `2026年12月3日 15:46` for an ISO time; a deadline at 24:00 reads as 24:00 of its day, as offices write it. */
export function formatChinaTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const cst = new Date(ms + CST_OFFSET_MS);
  let day = cst;
  let clock = `${String(cst.getUTCHours()).padStart(2, "0")}:${String(cst.getUTCMinutes()).padStart(2, "0")}`;
  if (clock === "00:00" && cst.getUTCSeconds() === 0 && cst.getUTCMilliseconds() === 0) {
    day = new Date(cst.getTime() - 1);
    clock = "24:00";
  }
  return `${formatChinaDay(day)} ${clock}`;
}

/** `2026年12月3日` of a Date already shifted to CST. */
function formatChinaDay(cst: Date): string {
  return `${cst.getUTCFullYear()}年${cst.getUTCMonth() + 1}月${cst.getUTCDate()}日`;
}

/** `2026年12月3日` for an ISO time, in China Standard Time. */
export function formatChinaDate(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : formatChinaDay(new Date(ms + CST_OFFSET_MS));
}
