import type { AddressInfo } from "node:net";
import type { Context } from "aws-lambda";
import { generateKeyPair, jwtVerify, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HttpEvent, type HttpResult, httpRoute, json } from "../../lambdas/api/http";
import { handler as health } from "../../lambdas/handlers/meta/health";
import { createApiGateway, type HttpHandler } from "../../lib/local/api-gateway";
import { LocalQueue } from "../../lib/local/failure-queue";
import { claimsAsApiGatewayPassesThem } from "../../lib/local/jwt";
import type { LocalRoute } from "../../lib/local/template";
import { checkResponse } from "../support/api";

/**
 * The local gateway in front of real route handlers, as API Gateway's HTTP API:
 *
 * - "Controlling access to HTTP APIs with JWT authorizers"
 *   (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html) and
 *   the payload format 2.0 of "Create AWS Lambda proxy integrations for HTTP APIs"
 *   (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html):
 *   the verified token's claims reach the function in `requestContext.authorizer.jwt.claims` as
 *   strings; an array claim such as `cognito:groups` arrives as `"[organizer official]"`, numbers as
 *   their text.
 * - API.md: `GET /health` answers `{ status: "ok" }`; the local runtime adds the depth of the change
 *   relay's failure queue (`relayFailures`), the queue the stack's alarm watches in the cloud, and
 *   keeps `status` as it is.
 */

const context = {
  functionName: "fidelity-gateway",
  awsRequestId: "test",
  getRemainingTimeInMillis: () => 10_000,
} as Context;

const invoked =
  (handler: (event: HttpEvent, context: Context) => Promise<HttpResult>): HttpHandler =>
  (event) =>
    handler(event, context);

let seenClaims: Record<string, string> | undefined;
const handlers: Record<string, HttpHandler> = {
  health: invoked(health as (event: HttpEvent, context: Context) => Promise<HttpResult>),
  // The API's own middleware reads the caller from the claims as in the cloud.
  whoami: invoked(
    httpRoute({ auth: "jwt" }, async ({ caller, event }) => {
      seenClaims = event.requestContext.authorizer.jwt.claims as Record<string, string>;
      return json(200, { sub: caller.sub, roles: [...caller.roles].sort(), unitId: caller.unitId ?? null });
    }),
  ),
};

const routes: LocalRoute[] = [
  { routeKey: "GET /health", method: "GET", path: "/health", auth: "NONE", functionLogicalId: "health" },
  { routeKey: "GET /whoami", method: "GET", path: "/whoami", auth: "JWT", functionLogicalId: "whoami" },
];

const queue = new LocalQueue("RelayFailures", 14 * 86_400);
let url = "";
let token = "";
let server: ReturnType<typeof createApiGateway>;

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const issuer = "http://localhost/local_pool";
  server = createApiGateway({
    routes,
    handlerFor: (route) => handlers[route.functionLogicalId] as HttpHandler,
    verify: async (jwt) => (await jwtVerify(jwt, publicKey, { issuer, audience: "client" })).payload,
    healthDetails: () => ({ relayFailures: queue.depth }),
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  token = await new SignJWT({
    "cognito:groups": ["organizer", "official"],
    "custom:unitId": "u-1",
    token_use: "id",
  })
    .setProtectedHeader({ alg: "RS256" })
    .setSubject("person-1")
    .setIssuer(issuer)
    .setAudience("client")
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(privateKey);
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("GET /health on the local runtime", () => {
  it("keeps status ok and adds the failure queue's depth, which the response schema documents", async () => {
    const empty = await (await fetch(`${url}/health`)).json();
    expect(empty).toEqual({ status: "ok", relayFailures: 0 });
    queue.send({ requestContext: { condition: "RetryAttemptsExhausted" } });
    queue.send({ requestContext: { condition: "RecordAgeExceeded" } });
    const body = await (await fetch(`${url}/health`)).json();
    expect(body).toEqual({ status: "ok", relayFailures: 2 });
    expect(() => checkResponse("GET", "/health", body)).not.toThrow();
  });
});

describe("claims as API Gateway's JWT authorizer passes them", () => {
  it("an array claim arrives as one string in brackets, and the API reads its roles from it", async () => {
    const res = await fetch(`${url}/whoami`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sub: "person-1", roles: ["official", "organizer"], unitId: "u-1" });
    expect(seenClaims?.["cognito:groups"]).toBe("[organizer official]");
    expect(seenClaims?.exp).toMatch(/^\d+$/);
    expect(Object.values(seenClaims ?? {}).every((v) => typeof v === "string")).toBe(true);
  });

  it("a one-element array keeps its brackets", () => {
    expect(claimsAsApiGatewayPassesThem({ "cognito:groups": ["admin"], iat: 1 })).toEqual({
      "cognito:groups": "[admin]",
      iat: "1",
    });
  });
});
