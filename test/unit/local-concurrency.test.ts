import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { problemResponse, toProblem } from "../../lambdas/api/problem";
import { TransientDependencyError } from "../../lambdas/domain/errors";
import { createApiGateway } from "../../lib/local/api-gateway";
import { LocalConcurrency, localConcurrencyLimits, ThrottledError } from "../../lib/local/concurrency";
import { FunctionTimeoutError } from "../../lib/local/lambda-timeout";

/**
 * Lambda's concurrency as the local runtime plays it (lib/local/concurrency.ts): route invocations
 * take a slot of the process's account concurrency and of their function's reservation, wait briefly
 * and in order for one, and are shed past that; the runtime's own invocations hold slots but are never
 * refused.
 */
const limits = (account: number, maxWaitMs = 0, maxQueued = 0) => ({ account, maxWaitMs, maxQueued });

async function refusal(promise: Promise<unknown>): Promise<ThrottledError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ThrottledError)) throw new Error(`expected a throttle, got ${String(error)}`);
  return error;
}

describe("local concurrency", () => {
  it("admits up to the account's limit and sheds the next one with a Retry-After of at least 1 s", async () => {
    const c = new LocalConcurrency(limits(2));
    const a = await c.admit("f");
    await c.admit("g");
    const shed = await refusal(c.admit("h"));
    expect(shed.reason).toBe("account");
    expect(shed.name).toBe("TooManyRequestsException");
    expect(shed.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    a();
    a(); // releasing twice frees one slot only
    await c.admit("h");
    await refusal(c.admit("i"));
    expect(c.stats()).toMatchObject({ admitted: 3, throttled: { account: 2, function: 0 }, peakInFlight: 2 });
  });

  it("hands a freed slot to the oldest waiting invocation, and sheds those that waited too long", async () => {
    const c = new LocalConcurrency(limits(1, 200, 5));
    const first = await c.admit("f");
    const order: string[] = [];
    const second = c.admit("f").then((release) => {
      order.push("second");
      return release;
    });
    const third = c.admit("f").then((release) => {
      order.push("third");
      return release;
    });
    first();
    (await second)();
    (await third)();
    expect(order).toEqual(["second", "third"]);
    expect(c.stats().waited).toBe(2);

    const held = await c.admit("f");
    const late = await refusal(c.admit("f"));
    expect(late.reason).toBe("account");
    held();
  });

  it("sheds at once when the queue is full", async () => {
    const c = new LocalConcurrency(limits(1, 10_000, 1));
    const held = await c.admit("f");
    const waiting = c.admit("f");
    const started = performance.now();
    await refusal(c.admit("f"));
    expect(performance.now() - started).toBeLessThan(1_000);
    held();
    (await waiting)();
  });

  it("holds a function to its reserved concurrency while others still run, and a reservation of 0 to nothing", async () => {
    const reserved: Record<string, number> = { documents: 1, off: 0 };
    const c = new LocalConcurrency(limits(10), (fn) => reserved[fn]);
    const doc = await c.admit("documents");
    const shed = await refusal(c.admit("documents"));
    expect(shed.reason).toBe("function");
    expect(shed.limit).toBe(1);
    await c.admit("reads"); // the account still has room
    expect((await refusal(c.admit("off"))).reason).toBe("function");
    doc();
    await c.admit("documents");
  });

  it("counts the runtime's own invocations without ever refusing them, and routes wait behind them", async () => {
    const c = new LocalConcurrency(limits(1));
    let finish: () => void = () => undefined;
    const task = c.run("task", () => new Promise<string>((resolve) => (finish = () => resolve("done"))));
    // Past the limit, still run.
    await expect(c.run("relay", async () => "relayed")).resolves.toBe("relayed");
    await refusal(c.admit("route"));
    finish();
    await expect(task).resolves.toBe("done");
    (await c.admit("route"))();
    expect(c.stats()).toMatchObject({ background: 2, peakInFlight: 2 });
  });

  it("takes the account's figure from LOCAL_CONCURRENCY", () => {
    expect(localConcurrencyLimits({ LOCAL_CONCURRENCY: "3" }).account).toBe(3);
    expect(localConcurrencyLimits({ LOCAL_CONCURRENCY: "x" }).account).toBe(
      localConcurrencyLimits({}).account,
    );
  });

  it("is answered by the gateway: a shed invocation 429 with Retry-After and a problem, one past its timeout 500", async () => {
    const server = createApiGateway({
      routes: ["busy", "slow"].map((name) => ({
        routeKey: `GET /${name}`,
        method: "GET",
        path: `/${name}`,
        auth: "NONE" as const,
        functionLogicalId: name,
      })),
      handlerFor: (route) => async () => {
        throw route.functionLogicalId === "busy"
          ? new ThrottledError("account", 24, 3)
          : new FunctionTimeoutError(10);
      },
      verify: async () => {
        throw new Error("no tokens here");
      },
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const busy = await fetch(`${base}/busy`);
      expect(busy.status).toBe(429);
      expect(busy.headers.get("retry-after")).toBe("3");
      expect(busy.headers.get("content-type")).toBe("application/problem+json");
      expect(await busy.json()).toMatchObject({
        type: "urn:spot-inspections:problem:throttled",
        status: 429,
        title: expect.stringMatching(/[\u4e00-\u9fff]/),
        detail: expect.stringContaining("3 秒后重试"),
      });

      const slow = await fetch(`${base}/slow`);
      expect(slow.status).toBe(500);
      expect(slow.headers.get("retry-after")).toBeNull();
      expect(await slow.json()).toMatchObject({ type: "urn:spot-inspections:problem:function-timeout" });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("has the handlers' 503 (a dependency still throttled after the SDK's retries) say when to retry", () => {
    const busy = problemResponse(toProblem(new TransientDependencyError("ThrottlingException")));
    expect(busy.statusCode).toBe(503);
    expect(busy.headers?.["retry-after"]).toBe("1");
    const conflict = problemResponse({ type: "t", title: "状态冲突", status: 409, detail: "d" });
    expect(conflict.headers?.["retry-after"]).toBeUndefined();
  });
});
