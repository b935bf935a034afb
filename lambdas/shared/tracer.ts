import type { Tracer } from "@aws-lambda-powertools/tracer";

/**
 * X-Ray subsegments of every AWS SDK call and of each invocation, by Powertools' Tracer — built into
 * the bundles only for a stack deployed with SDK tracing (`npx cdk deploy -c sdkTracing=true`). The
 * tracer carries the X-Ray SDK: about 121 KB in every bundle and a quarter more import time, which
 * would break the cold-start budget of every function (docs/performance.md). Without it the functions
 * still run with active tracing: Lambda records each invocation's segment (init, invocation).
 *
 * `process.env.SPOT_SDK_TRACING` is replaced when bundling (esbuild `define`, `InspectionFunction`), so
 * the branch not taken, and the import in it, is not in the bundle. Unbundled (the local runtime, the
 * tests) it is unset: no tracer, as Powertools would have it outside Lambda anyway.
 */
export const tracer: Tracer | undefined =
  process.env.SPOT_SDK_TRACING === "true"
    ? new (await import("@aws-lambda-powertools/tracer")).Tracer({
        serviceName: "spot-inspections",
        // The handlers make no HTTP calls but the SDK's, which the captured clients trace already.
        captureHTTPsRequests: false,
      })
    : undefined;

/** The client, its calls traced as X-Ray subsegments when SDK tracing is built in. */
export function traced<T>(client: T): T {
  return tracer ? tracer.captureAWSv3Client(client) : client;
}
