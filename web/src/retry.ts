/**
 * When the console asks again by itself. An answer that says "not now" is retried with the same
 * request — a write keeps its `Idempotency-Key`, so it takes effect at most once — a few times, then
 * shown:
 * - `429` (throttled: API Gateway's stage limits in the cloud, a function's concurrency locally) and
 *   `503` (a dependency busy), after `Retry-After` when the answer has it (the local server and the
 *   handlers' 503 send it) and else after a backoff of its own (API Gateway's own 429 has none);
 * - `500`, `502` and `504` that are API Gateway's own answer (`{"message": …}` as `application/json`,
 *   not a problem): the function never answered — throttled by Lambda (which an HTTP API reports as
 *   500), or past its time. A problem+json 500 is the system's own fault and is shown at once.
 *
 * Pure, so that the policy is tested without a browser (test/unit/console-retry.test.ts).
 */
export const RETRY_POLICY = {
  /** Attempts in all, the first included. */
  attempts: 4,
  /** Backoff without `Retry-After`: a random wait up to base × 2^retry, at most `capMs` ("full jitter"). */
  baseMs: 500,
  capMs: 8_000,
  /** A `Retry-After` further off than this is not waited for: the error is shown. */
  maxRetryAfterMs: 30_000,
  /** Added to `Retry-After`, at random up to this share of it, so that callers told the same second spread out. */
  jitter: 0.25,
} as const;

/** Whether an answer with this status and content type is asked again (see above). */
export function isRetryable(status: number, contentType: string | null): boolean {
  if (status === 429 || status === 503) return true;
  if (status === 500 || status === 502 || status === 504)
    return !/^application\/problem\+json\b/i.test(contentType ?? "");
  return false;
}

/** `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date (RFC 9110 §10.2.3); else undefined. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * How long to wait before asking again after the `retry`-th failed attempt (0 for the first), or
 * undefined to give up and show the answer.
 */
export function retryDelay(
  answer: { status: number; contentType: string | null; retryAfter: string | null },
  retry: number,
  random: () => number = Math.random,
  now: number = Date.now(),
): number | undefined {
  if (!isRetryable(answer.status, answer.contentType) || retry + 1 >= RETRY_POLICY.attempts) return undefined;
  const told = retryAfterMs(answer.retryAfter, now);
  if (told !== undefined) {
    if (told > RETRY_POLICY.maxRetryAfterMs) return undefined;
    return Math.round(told * (1 + RETRY_POLICY.jitter * random()));
  }
  return Math.round(random() * Math.min(RETRY_POLICY.capMs, RETRY_POLICY.baseMs * 2 ** retry));
}
