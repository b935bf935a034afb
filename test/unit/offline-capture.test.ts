import { describe, expect, it } from "vitest";
import {
  CAPTURE_CLOCK_SKEW_MS,
  capturedAtProblem,
  DELAYED_SYNC_AFTER_MS,
  isDelayedSync,
} from "../../lambdas/domain/offline-capture";

const at = (ms: number) => new Date(ms).toISOString();
const NOW = Date.parse("2026-04-01T02:00:00.000Z");
const DISPATCHED = NOW - 3 * 3_600_000;

describe("offline capture (离线采集)", () => {
  it("the constants are those of the API: 2 minutes of clock skew, delayed after 10 minutes", () => {
    expect(CAPTURE_CLOCK_SKEW_MS).toBe(120_000);
    expect(DELAYED_SYNC_AFTER_MS).toBe(600_000);
  });

  it("accepts a capture from the dispatch up to now plus the clock skew, both ends included", () => {
    const bounds = { now: new Date(NOW), dispatchedAt: at(DISPATCHED) };
    for (const t of [DISPATCHED, NOW - 1, NOW, NOW + CAPTURE_CLOCK_SKEW_MS]) {
      expect(capturedAtProblem(at(t), bounds)).toBeUndefined();
    }
  });

  it("refuses a capture in the future beyond the skew, or before the dispatch, naming the field", () => {
    const bounds = { now: new Date(NOW), dispatchedAt: at(DISPATCHED) };
    expect(capturedAtProblem(at(NOW + CAPTURE_CLOCK_SKEW_MS + 1), bounds)).toContain("晚于当前时间");
    expect(capturedAtProblem(at(DISPATCHED - 1), bounds)).toContain("早于该检查任务的下达时间");
    for (const t of [NOW + CAPTURE_CLOCK_SKEW_MS + 1, DISPATCHED - 1]) {
      expect(capturedAtProblem(at(t), bounds)).toContain("capturedAt");
    }
    expect(capturedAtProblem("not a time", bounds)).toContain("capturedAt");
  });

  it("a sync is delayed when more than 10 minutes lie between capture and receipt (exactly 10 is not)", () => {
    expect(isDelayedSync(undefined, at(NOW))).toBe(false);
    expect(isDelayedSync(at(NOW - DELAYED_SYNC_AFTER_MS), at(NOW))).toBe(false);
    expect(isDelayedSync(at(NOW - DELAYED_SYNC_AFTER_MS - 1), at(NOW))).toBe(true);
    expect(isDelayedSync(at(NOW), at(NOW))).toBe(false);
    expect(isDelayedSync(at(NOW + 60_000), at(NOW))).toBe(false);
  });
});
