import type { Context } from "aws-lambda";
import type { HttpEvent } from "../../lambdas/api/http";

/**
 * Lambda's invocation context and API Gateway's payload 2.0 events, for driving a handler's middy
 * stack in-process (the unit layer: no server, no database).
 */

export function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: "unit-test",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:local:000000000000:function:unit-test",
    memoryLimitInMB: "256",
    awsRequestId: "request-1",
    logGroupName: "/aws/lambda/unit-test",
    logStreamName: "local",
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export function httpEvent(over: {
  routeKey?: string;
  path?: string;
  body?: string;
  headers?: Record<string, string>;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  claims?: Record<string, unknown> | null;
}): HttpEvent {
  const [method = "POST", path = "/things"] = (over.routeKey ?? "POST /things").split(" ");
  return {
    version: "2.0",
    routeKey: over.routeKey ?? "POST /things",
    rawPath: over.path ?? path,
    rawQueryString: "",
    headers: { "content-type": "application/json", ...over.headers },
    ...(over.query ? { queryStringParameters: over.query } : {}),
    ...(over.pathParameters ? { pathParameters: over.pathParameters } : {}),
    ...(over.body !== undefined ? { body: over.body } : {}),
    isBase64Encoded: false,
    requestContext: {
      accountId: "000000000000",
      apiId: "api",
      domainName: "localhost",
      domainPrefix: "localhost",
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "vitest" },
      requestId: "api-request-1",
      routeKey: over.routeKey ?? "POST /things",
      stage: "$default",
      time: "03/Dec/2026:00:00:00 +0000",
      timeEpoch: 0,
      authorizer: {
        principalId: "",
        integrationLatency: 0,
        jwt: {
          claims: (over.claims === null
            ? {}
            : (over.claims ?? { sub: "u-1", "cognito:groups": "[organizer]" })) as Record<string, string>,
          scopes: [],
        },
      },
    },
  } as HttpEvent;
}
