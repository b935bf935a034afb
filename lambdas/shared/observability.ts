import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { captureLambdaHandler } from "@aws-lambda-powertools/tracer/middleware";
import { logger } from "./logger";
import { tracer } from "./tracer";

/**
 * The outermost middlewares of every handler's middy stack (HTTP routes, workflow tasks, the change
 * relay, the bucket's upload handlers, the scheduled jobs): each log line carries the invocation
 * (request id, function, cold start) and keys appended during it are dropped at its end; the
 * invocation is an X-Ray subsegment (`## index.handler`) with its error, without its response (which
 * may name people). Outermost, so that the logs and the trace see what every inner step did.
 */
export function observability() {
  return [
    injectLambdaContext(logger, { resetKeys: true }),
    captureLambdaHandler(tracer, { captureResponse: false }),
  ];
}
