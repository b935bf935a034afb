/**
 * Lambda's concurrency, played in one process. In the cloud every invocation gets a sandbox of its
 * own, up to the account's concurrency in the region (1,000 by default) and, for a function with
 * reserved concurrency, up to its reservation; past either, Lambda refuses the invocation
 * (`TooManyRequestsException`, 429) instead of queueing it. Here every function shares one process,
 * one event loop, one AWS SDK client with its socket pool (50 sockets) and one DynamoDB Local: 200
 * requests at once all start, all slow down together, and some pass their function's timeout.
 *
 * So the local runtime has an account concurrency of its own, sized for one machine
 * ({@link DEFAULT_LOCAL_CONCURRENCY}), and each function's reserved concurrency from the template.
 * A route invocation is admitted when both have room; else it waits, briefly and in order, for a
 * slot (`maxWaitMs`, at most `maxQueued` waiting) and is shed past that (the gateway answers 429 with
 * `Retry-After`). Lambda's synchronous invocation has no such wait: the cloud has 1,000 slots where
 * this machine has a few dozen, so a burst the cloud absorbs without a throttle (a page's parallel
 * reads, a test's eight racing requests) waits here for a fraction of a second instead of being shed.
 *
 * Invocations nobody can be told to retry later — workflow tasks, the change relay, upload events,
 * schedules — are counted (they hold slots) but never wait or refused: in the cloud Step Functions'
 * retry and the event source mapping retry a throttled invocation; here they simply run.
 */
export interface ConcurrencyLimits {
  /** Invocations in flight at once in this process: the local stand-in for the account's concurrency. */
  readonly account: number;
  /** How long a route invocation may wait for a slot before it is shed (ms). */
  readonly maxWaitMs: number;
  /** Route invocations waiting at most; one more is shed at once. */
  readonly maxQueued: number;
}

/**
 * Two cores, one DynamoDB Local: 24 invocations at once keep the SDK's 50 sockets from queueing
 * (a write sends 2–8 requests at once at most) and a request within a second or two of its 10 s
 * timeout's start at 200 concurrent inspections (docs/performance.md, issue 19). A route waits up to
 * 5 s, 200 waiting at most, before it is shed: the workflow's own tasks after a draw (58 at once for
 * 管城区) or an import hold slots too, and what a person or a test sends meanwhile should be slow,
 * not refused — shedding is for a machine truly past its capacity. `LOCAL_CONCURRENCY` overrides the
 * account figure.
 */
export const DEFAULT_LOCAL_CONCURRENCY: ConcurrencyLimits = {
  account: 24,
  maxWaitMs: 5_000,
  maxQueued: 200,
};

/** The limits of `npm start` and the tests: the default, with `LOCAL_CONCURRENCY` if set. */
export function localConcurrencyLimits(env: NodeJS.ProcessEnv = process.env): ConcurrencyLimits {
  const account = Number(env.LOCAL_CONCURRENCY);
  return Number.isInteger(account) && account > 0
    ? {
        ...DEFAULT_LOCAL_CONCURRENCY,
        account,
        maxQueued: Math.max(DEFAULT_LOCAL_CONCURRENCY.maxQueued, 8 * account),
      }
    : DEFAULT_LOCAL_CONCURRENCY;
}

/** A route invocation refused for want of a slot (Lambda's `TooManyRequestsException`). */
export class ThrottledError extends Error {
  constructor(
    /** `account`: every slot of the process is busy; `function`: the function's reserved concurrency is. */
    readonly reason: "account" | "function",
    readonly limit: number,
    /** Seconds the caller should wait before trying again (the `Retry-After` header). */
    readonly retryAfterSeconds: number,
  ) {
    super(
      reason === "account"
        ? `Rate Exceeded. (ConcurrentInvocationLimitExceeded: ${limit})`
        : `Rate Exceeded. (ReservedFunctionConcurrentInvocationLimitExceeded: ${limit})`,
    );
    this.name = "TooManyRequestsException";
  }
}

export interface ConcurrencyStats {
  /** Route invocations admitted (at once, or after waiting). */
  readonly admitted: number;
  /** … of them after waiting for a slot. */
  readonly waited: number;
  /** Route invocations shed, by reason. */
  readonly throttled: { readonly account: number; readonly function: number };
  /** Invocations the runtime made itself (tasks, relay, events, schedules), counted but never refused. */
  readonly background: number;
  /** The most invocations in flight at once, and the most route invocations waiting at once. */
  readonly peakInFlight: number;
  readonly peakQueued: number;
  /** The longest a route invocation waited for its slot (ms). */
  readonly longestWaitMs: number;
}

interface Waiter {
  readonly fn: string;
  readonly grant: (release: () => void) => void;
  readonly refuse: (error: ThrottledError) => void;
  readonly since: number;
  timer?: ReturnType<typeof setTimeout>;
}

export class LocalConcurrency {
  private inFlight = 0;
  private readonly perFunction = new Map<string, number>();
  private readonly queue: Waiter[] = [];
  /** Moving average of how long a route invocation holds its slot, for `Retry-After`. */
  private holdMs = 500;
  private counts = {
    admitted: 0,
    waited: 0,
    throttledAccount: 0,
    throttledFunction: 0,
    background: 0,
    peakInFlight: 0,
    peakQueued: 0,
    longestWaitMs: 0,
  };

  constructor(
    readonly limits: ConcurrencyLimits,
    /** A function's reserved concurrency (the template's `ReservedConcurrentExecutions`), if it has one. */
    private readonly reservedOf: (fn: string) => number | undefined = () => undefined,
  ) {}

  /** Seconds a shed caller should wait: the time the queue ahead of it takes to drain, 1–10 s. */
  retryAfterSeconds(): number {
    const drainMs = ((this.queue.length + 1) * this.holdMs) / this.limits.account;
    return Math.min(10, Math.max(1, Math.ceil(drainMs / 1000)));
  }

  /**
   * A route invocation's slot: resolves with its release once it has one, or rejects with
   * {@link ThrottledError} when none came free within `maxWait` (or the queue is full).
   */
  admit(fn: string): Promise<() => void> {
    const reserved = this.reservedOf(fn);
    if (reserved !== undefined && reserved <= 0) return Promise.reject(this.throttle("function", reserved));
    // At once when there is room and nobody waiting could take it (waiters held by their function's reservation cannot).
    if (this.hasRoom(fn) && !this.queue.some((w) => this.hasRoom(w.fn))) {
      this.counts.admitted++;
      return Promise.resolve(this.take(fn, true));
    }
    if (this.queue.length >= this.limits.maxQueued || this.limits.maxWaitMs <= 0)
      return Promise.reject(this.throttleFor(fn));
    return new Promise((grant, refuse) => {
      const waiter: Waiter = { fn, grant, refuse, since: performance.now() };
      waiter.timer = setTimeout(() => {
        const at = this.queue.indexOf(waiter);
        if (at >= 0) this.queue.splice(at, 1);
        refuse(this.throttleFor(fn));
      }, this.limits.maxWaitMs);
      this.queue.push(waiter);
      this.counts.peakQueued = Math.max(this.counts.peakQueued, this.queue.length);
    });
  }

  /** Runs an invocation the runtime makes itself: it holds a slot while it runs, and never waits. */
  async run<T>(fn: string, call: () => Promise<T>): Promise<T> {
    this.counts.background++;
    const release = this.take(fn, false);
    try {
      return await call();
    } finally {
      release();
    }
  }

  stats(): ConcurrencyStats {
    const c = this.counts;
    return {
      admitted: c.admitted,
      waited: c.waited,
      throttled: { account: c.throttledAccount, function: c.throttledFunction },
      background: c.background,
      peakInFlight: c.peakInFlight,
      peakQueued: c.peakQueued,
      longestWaitMs: Math.round(c.longestWaitMs),
    };
  }

  private hasRoom(fn: string): boolean {
    const reserved = this.reservedOf(fn);
    return (
      this.inFlight < this.limits.account &&
      (reserved === undefined || (this.perFunction.get(fn) ?? 0) < reserved)
    );
  }

  private throttleFor(fn: string): ThrottledError {
    const reserved = this.reservedOf(fn);
    return reserved !== undefined && (this.perFunction.get(fn) ?? 0) >= reserved
      ? this.throttle("function", reserved)
      : this.throttle("account", this.limits.account);
  }

  private throttle(reason: "account" | "function", limit: number): ThrottledError {
    if (reason === "account") this.counts.throttledAccount++;
    else this.counts.throttledFunction++;
    return new ThrottledError(reason, limit, this.retryAfterSeconds());
  }

  private take(fn: string, route: boolean): () => void {
    this.inFlight++;
    this.perFunction.set(fn, (this.perFunction.get(fn) ?? 0) + 1);
    this.counts.peakInFlight = Math.max(this.counts.peakInFlight, this.inFlight);
    const started = performance.now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight--;
      this.perFunction.set(fn, (this.perFunction.get(fn) ?? 1) - 1);
      if (route) this.holdMs = 0.8 * this.holdMs + 0.2 * (performance.now() - started);
      this.grantWaiting();
    };
  }

  /** Hands free slots to the waiting route invocations, oldest first (skipping those whose function is full). */
  private grantWaiting(): void {
    for (let i = 0; i < this.queue.length && this.inFlight < this.limits.account; ) {
      const waiter = this.queue[i] as Waiter;
      if (!this.hasRoom(waiter.fn)) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      clearTimeout(waiter.timer);
      this.counts.admitted++;
      this.counts.waited++;
      this.counts.longestWaitMs = Math.max(this.counts.longestWaitMs, performance.now() - waiter.since);
      waiter.grant(this.take(waiter.fn, true));
    }
  }
}
