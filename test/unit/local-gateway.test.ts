import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { Context } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  file,
  fitsInResponse,
  type HttpEvent,
  type HttpResult,
  httpRoute,
  json,
  MAX_RESPONSE_BYTES,
  seeOther,
} from "../../lambdas/api/http";
import { createApiGateway, type HttpHandler } from "../../lib/local/api-gateway";
import type { LocalRoute } from "../../lib/local/template";

/**
 * The local gateway in front of real route handlers (the HTTP middleware of lambdas/api/http.ts):
 * binary bodies travel base64-encoded and arrive as the same bytes, a `303 See Other` reaches the
 * client with its Location, and a result larger than a Lambda response may be fails as it would in
 * the cloud.
 */
const small = randomBytes(300_000);
const large = randomBytes(5_000_000);

const context = {
  functionName: "local-gateway-test",
  awsRequestId: "test",
  getRemainingTimeInMillis: () => 10_000,
} as Context;

/** A route handler as the local runtime invokes it (event and context). */
const invoked =
  (handler: (event: HttpEvent, context: Context) => Promise<HttpResult>): HttpHandler =>
  (event) =>
    handler(event, context);

const handlers: Record<string, HttpHandler> = {
  small: invoked(
    httpRoute({ auth: "none" }, async () => file(200, small, "application/pdf", "督查通报.pdf")),
  ),
  moved: invoked(httpRoute({ auth: "none" }, async () => seeOther("http://127.0.0.1:1/exports/x"))),
  large: invoked(httpRoute({ auth: "none" }, async () => file(200, large, "application/zip", "证据包.zip"))),
  // A handler that ignores the limit, as a bug would: the gateway stops it as Lambda does.
  raw: async () => ({
    statusCode: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ filler: "x".repeat(MAX_RESPONSE_BYTES) }),
  }),
  ok: invoked(httpRoute({ auth: "none" }, async () => json(200, { status: "ok" }))),
};

const routes: LocalRoute[] = Object.keys(handlers).map((name) => ({
  routeKey: `GET /${name}`,
  method: "GET",
  path: `/${name}`,
  auth: "NONE",
  functionLogicalId: name,
}));

const server = createApiGateway({
  routes,
  handlerFor: (route) => {
    const handler = handlers[route.functionLogicalId];
    if (!handler) throw new Error(`no handler ${route.functionLogicalId}`);
    return handler;
  },
  verify: async () => {
    throw new Error("no tokens here");
  },
});
let base = "";

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("the local gateway and the HTTP middleware with binary bodies", () => {
  it("a file travels base64-encoded and arrives as the same bytes, named in Chinese", async () => {
    const res = await fetch(`${base}/small`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("content-disposition")).toContain(encodeURIComponent("督查通报.pdf"));
    expect(Buffer.from(await res.arrayBuffer()).equals(small)).toBe(true);
  });

  it("303 See Other reaches the client with its Location", async () => {
    const res = await fetch(`${base}/moved`, { redirect: "manual" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("http://127.0.0.1:1/exports/x");
  });

  it("a result over Lambda's 6 MB fails, as it would in the cloud", async () => {
    const res = await fetch(`${base}/raw`);
    expect(res.status).toBe(502);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const problem = (await res.json()) as { detail: string };
    expect(problem.detail).toContain("6 MB");
    expect((await fetch(`${base}/ok`)).status).toBe(200);
  });

  it("a route never hands over a file that cannot fit: the middleware refuses it", async () => {
    expect(fitsInResponse(small.length)).toBe(true);
    expect(fitsInResponse(large.length)).toBe(false);
    expect(fitsInResponse(4 * 1024 * 1024)).toBe(true);
    const res = await fetch(`${base}/large`);
    expect(res.status).toBe(500);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });
});
