import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiClient } from "../../web/src/api";
import { isRetryable, RETRY_POLICY, retryAfterMs, retryDelay } from "../../web/src/retry";

/**
 * The console asks again by itself when an answer says "not now" (web/src/retry.ts): 429 and 503
 * after Retry-After or a backoff of its own, API Gateway's own 5xx (the function never answered), a
 * bounded number of times, a write with the same Idempotency-Key.
 */
const answer = (
  status: number,
  retryAfter: string | null = null,
  contentType = "application/problem+json",
) => ({
  status,
  contentType,
  retryAfter,
});

describe("the console's retry policy", () => {
  it("retries 429 and 503, and API Gateway's own 5xx, but not the system's problems or a client's error", () => {
    expect(isRetryable(429, "application/problem+json")).toBe(true);
    expect(isRetryable(429, "application/json")).toBe(true);
    expect(isRetryable(503, "application/problem+json")).toBe(true);
    expect(isRetryable(500, "application/json")).toBe(true); // {"message":"Internal Server Error"}
    expect(isRetryable(504, null)).toBe(true);
    expect(isRetryable(500, "application/problem+json")).toBe(false);
    for (const status of [200, 400, 401, 403, 404, 409, 413, 422])
      expect(isRetryable(status, null)).toBe(false);
  });

  it("waits what Retry-After says (seconds or a date), spread by up to a quarter more", () => {
    const now = Date.parse("2026-12-04T08:00:00Z");
    expect(retryAfterMs("2", now)).toBe(2000);
    expect(retryAfterMs("Fri, 04 Dec 2026 08:00:03 GMT", now)).toBe(3000);
    expect(retryAfterMs("soon", now)).toBeUndefined();
    expect(retryDelay(answer(429, "2"), 0, () => 0, now)).toBe(2000);
    expect(retryDelay(answer(429, "2"), 0, () => 0.999, now)).toBeLessThanOrEqual(2500);
    expect(retryDelay(answer(429, "2"), 0, () => 0.999, now)).toBeGreaterThan(2400);
  });

  it("backs off on its own without Retry-After (full jitter, capped), and gives up after the last attempt or a far Retry-After", () => {
    const max = (retry: number) => retryDelay(answer(429, null, "application/json"), retry, () => 0.999_999);
    expect(max(0)).toBe(RETRY_POLICY.baseMs);
    expect(max(1)).toBe(2 * RETRY_POLICY.baseMs);
    expect(retryDelay(answer(503), 1, () => 0)).toBe(0);
    expect(max(RETRY_POLICY.attempts - 1)).toBeUndefined();
    expect(retryDelay(answer(429, "3600"), 0)).toBeUndefined();
    expect(retryDelay(answer(400), 0)).toBeUndefined();
  });
});

describe("the console's client", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it("sends a shed write again with the same Idempotency-Key after Retry-After, and returns the answer", async () => {
    const sent: { key: string | undefined; at: number }[] = [];
    const answers = [
      new Response(JSON.stringify({ type: "urn:spot-inspections:problem:throttled", status: 429 }), {
        status: 429,
        headers: { "content-type": "application/problem+json", "retry-after": "1" },
      }),
      new Response(JSON.stringify({ message: "Internal Server Error" }), {
        status: 500,
        headers: { "content-type": "application/json" },
      }),
      new Response(JSON.stringify({ spotCheckId: "s1" }), {
        status: 201,
        headers: { "content-type": "application/json" },
      }),
    ];
    vi.stubGlobal("fetch", async (_url: string, init: RequestInit) => {
      const headers = init.headers as Record<string, string>;
      sent.push({ key: headers["idempotency-key"], at: Date.now() });
      const next = answers.shift();
      if (!next) throw new Error("asked once too often");
      return next;
    });
    const client = new ApiClient("http://api.test", () => "token");
    const result = await client.call("planSpotCheck", {
      body: {} as never,
      idempotencyKey: "k-1",
    });
    expect(result).toEqual({ spotCheckId: "s1" });
    expect(sent.map((s) => s.key)).toEqual(["k-1", "k-1", "k-1"]);
    expect((sent[1]?.at ?? 0) - (sent[0]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
  });

  it("shows a problem the system answered at once, without asking again", async () => {
    let calls = 0;
    vi.stubGlobal("fetch", async () => {
      calls++;
      return new Response(JSON.stringify({ title: "状态冲突", detail: "已抽签", status: 409 }), {
        status: 409,
        headers: { "content-type": "application/problem+json" },
      });
    });
    const client = new ApiClient("http://api.test", () => "token");
    await expect(client.call("planSpotCheck", { body: {} as never })).rejects.toMatchObject({ status: 409 });
    expect(calls).toBe(1);
  });
});
