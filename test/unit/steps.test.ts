import { describe, expect, it } from "vitest";
import { MAX_WAIT_SECONDS, waitSeconds } from "../../lambdas/services/steps";

describe("workflow waits", () => {
  it("a deadline further than the longest wait is reached in steps of the longest wait", () => {
    expect(waitSeconds(30 * 86400)).toBe(MAX_WAIT_SECONDS);
    expect(waitSeconds(90.2)).toBe(91);
    expect(waitSeconds(-5)).toBe(1);
  });
});
