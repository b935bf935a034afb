import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterEach, describe, expect, it, vi } from "vitest";

/**
 * SDK tracing (lambdas/shared/tracer.ts) is a build-time switch: bundles for `-c sdkTracing=true` get
 * `process.env.SPOT_SDK_TRACING` = "true" (esbuild define), others "false"; unbundled it is read from the
 * environment. Each case imports the modules afresh, as a cold start does.
 */
async function load(env: Record<string, string | undefined>) {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  vi.resetModules();
  const { traced, tracer } = await import("../../lambdas/shared/tracer");
  const { observability } = await import("../../lambdas/shared/observability");
  const client = traced(new DynamoDBClient({ region: "local" }));
  const instrumented = client.middlewareStack.identify().some((m) => m.startsWith("XRaySDKInstrumentation"));
  return { tracer, instrumented, middlewares: observability().length };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("SDK tracing", () => {
  it("off (the default build, the local runtime): no tracer, clients as they are, the logger's middleware only", async () => {
    expect(await load({ SPOT_SDK_TRACING: undefined })).toEqual({
      tracer: undefined,
      instrumented: false,
      middlewares: 1,
    });
  });

  it("on, in Lambda: every client's calls are X-Ray subsegments and the invocation is traced", async () => {
    const on = await load({
      SPOT_SDK_TRACING: "true",
      AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
      // Manual mode: no async hook in this test process (in Lambda the SDK runs in automatic mode).
      AWS_XRAY_MANUAL_MODE: "true",
    });
    expect(on.tracer?.isTracingEnabled()).toBe(true);
    expect(on.instrumented).toBe(true);
    expect(on.middlewares).toBe(2);
  });
});
