import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logger } from "./logger";
import { tracer } from "./tracer";

/** The tracer's middleware, bundled only with the tracer (see `./tracer.ts`). */
const captureLambdaHandler =
  process.env.SPOT_SDK_TRACING === "true"
    ? (await import("@aws-lambda-powertools/tracer/middleware")).captureLambdaHandler
    : undefined;

/**
 * The outermost middlewares of every handler's middy stack (HTTP routes, workflow tasks, the change
 * relay, the bucket's upload handlers, the scheduled jobs): each log line carries the invocation
 * (request id, function, cold start) and keys appended during it are dropped at its end. With SDK
 * tracing built in, the invocation is also an X-Ray subsegment with its error, without its response
 * (which may name people). Outermost, so that the logs and the trace see what every inner step did.
 */
export function observability() {
  return [
    injectLambdaContext(logger, { resetKeys: true }),
    ...(tracer && captureLambdaHandler ? [captureLambdaHandler(tracer, { captureResponse: false })] : []),
  ];
}
