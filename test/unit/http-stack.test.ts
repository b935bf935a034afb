import { afterEach, describe, expect, it, vi } from "vitest";
import * as z from "zod/mini";
import { file as fileResponse, httpRoute, json, MAX_BODY_BYTES } from "../../lambdas/api/http";
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  RuleViolationError,
  TransientDependencyError,
} from "../../lambdas/domain/errors";
import { logger } from "../../lambdas/shared/logger";
import { httpEvent, lambdaContext } from "../support/lambda";

/**
 * The one middy stack of every HTTP handler (lambdas/api/http.ts), driven with API Gateway's payload 2.0
 * events in-process: parsing and authentication, RFC 9457 problem responses for every error, and the
 * response forms. No database and no server: these run in milliseconds.
 */

const thing = z.object({ name: z.string().check(z.minLength(1), z.maxLength(10)), count: z.int() });
const params = z.object({ id: z.string().check(z.maxLength(5)) });

/** A route that echoes what the stack parsed, or throws what it is told to. */
const route = httpRoute({ body: thing, params }, async ({ body, params, caller }) => {
  if (body.name === "notfound") throw new NotFoundError();
  if (body.name === "forbidden") throw new ForbiddenError();
  if (body.name === "conflict") throw new ConflictError("已经做过了。");
  if (body.name === "rule")
    throw new RuleViolationError("不符合规则。", [{ path: "body.count", message: "太多" }]);
  if (body.name === "busy") throw new TransientDependencyError("DynamoDB is throttling");
  if (body.name === "bug") throw new TypeError("Cannot read properties of undefined (reading 'x')");
  return json(201, {
    name: body.name,
    count: body.count,
    id: params.id,
    sub: caller.sub,
    roles: [...caller.roles],
  });
});

async function call(over: Parameters<typeof httpEvent>[0]) {
  const result = await route(httpEvent({ pathParameters: { id: "t-1" }, ...over }), lambdaContext());
  return {
    status: result.statusCode,
    type: result.headers?.["content-type"],
    body: JSON.parse(String(result.body)) as Record<string, unknown>,
  };
}

const problemOf = (slug: string, status: number) => ({
  type: `urn:spot-inspections:problem:${slug}`,
  status,
  title: expect.any(String),
  detail: expect.any(String),
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the HTTP stack", () => {
  it("parses path, body and the caller, and answers the use case's JSON", async () => {
    const res = await call({ body: JSON.stringify({ name: "a", count: 2 }) });
    expect(res).toEqual({
      status: 201,
      type: "application/json",
      body: { name: "a", count: 2, id: "t-1", sub: "u-1", roles: ["organizer"] },
    });
  });

  it("refuses an invalid body with a 400 problem naming each field, in Chinese", async () => {
    const res = await call({ body: JSON.stringify({ name: "", count: 1.5 }) });
    expect(res.status).toBe(400);
    expect(res.type).toBe("application/problem+json");
    expect(res.body).toMatchObject(problemOf("invalid-input", 400));
    expect(res.body.detail).toBe("请求的请求体不符合要求。");
    const errors = res.body.errors as { path: string; message: string }[];
    expect(errors.map((e) => e.path).sort()).toEqual(["body.count", "body.name"]);
    for (const e of errors) expect(e.message).toMatch(/[\u4e00-\u9fff]/);
  });

  it("refuses an invalid path parameter, malformed JSON and a body that is not JSON, each with 400", async () => {
    const badPath = await call({
      pathParameters: { id: "toolong" },
      body: JSON.stringify({ name: "a", count: 1 }),
    });
    expect(badPath.status).toBe(400);
    expect((badPath.body.errors as { path: string }[])[0]?.path).toBe("path.id");

    const malformed = await call({ body: "{" });
    expect(malformed).toMatchObject({ status: 400, body: { errors: [{ path: "body" }] } });

    const notJson = await call({
      body: "name=a",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(notJson).toMatchObject({ status: 400, body: { errors: [{ path: "headers.content-type" }] } });
  });

  it("refuses a body over the limit with 413 before parsing it", async () => {
    const res = await call({ body: JSON.stringify({ name: "a".repeat(MAX_BODY_BYTES), count: 1 }) });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject(problemOf("payload-too-large", 413));
  });

  it("refuses an Idempotency-Key over 255 characters with 400, and accepts one of 255", async () => {
    const body = JSON.stringify({ name: "a", count: 1 });
    const long = await call({ body, headers: { "idempotency-key": "k".repeat(256) } });
    expect(long).toMatchObject({ status: 400, body: { errors: [{ path: "headers.idempotency-key" }] } });
    const ok = await call({ body, headers: { "idempotency-key": "k".repeat(255) } });
    expect(ok.status).toBe(201);
  });

  it("answers 401 when the verified claims carry no subject", async () => {
    const res = await call({ body: JSON.stringify({ name: "a", count: 1 }), claims: null });
    expect(res).toMatchObject({ status: 401, body: problemOf("unauthenticated", 401) });
  });

  it.each([
    ["notfound", 404, "not-found"],
    ["forbidden", 403, "forbidden"],
    ["conflict", 409, "conflict"],
    ["rule", 422, "rule-violation"],
    ["busy", 503, "unavailable"],
  ])("turns the use case's %s error into a %i problem", async (name, status, slug) => {
    const warn = vi.spyOn(logger, "warn").mockImplementation(() => undefined);
    const res = await call({ body: JSON.stringify({ name, count: 1 }) });
    expect(res.status).toBe(status);
    expect(res.type).toBe("application/problem+json");
    expect(res.body).toMatchObject(problemOf(slug, status));
    if (name === "conflict") expect(res.body.detail).toBe("已经做过了。");
    if (name === "rule") expect(res.body.errors).toEqual([{ path: "body.count", message: "太多" }]);
    // A dependency's trouble is logged in English and told to people as 服务繁忙.
    if (name === "busy") {
      expect(res.body.detail).toBe("服务繁忙，请稍后重试。");
      expect(warn).toHaveBeenCalledWith("Dependency unavailable", expect.anything());
    }
  });

  it("answers an unexpected error with a 500 that reveals nothing, and logs it", async () => {
    const error = vi.spyOn(logger, "error").mockImplementation(() => undefined);
    const res = await call({ body: JSON.stringify({ name: "bug", count: 1 }) });
    expect(res).toMatchObject({ status: 500, body: problemOf("internal", 500) });
    expect(JSON.stringify(res.body)).not.toContain("undefined");
    expect(error).toHaveBeenCalledWith(
      "Unhandled error",
      expect.objectContaining({ error: expect.any(TypeError) }),
    );
  });

  it("carries the invocation and the API request id in every log line, and drops them after it", async () => {
    const lines: string[] = [];
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, "write").mockImplementation((chunk: string | Uint8Array) => {
        lines.push(String(chunk));
        return true;
      });
    }
    const logging = httpRoute({ auth: "none" }, async () => {
      logger.error("inside the use case");
      return json(200, {});
    });
    await logging(httpEvent({ routeKey: "GET /logged", claims: null }), lambdaContext());
    vi.restoreAllMocks();
    const line = JSON.parse(lines.find((l) => l.includes("inside the use case")) ?? "{}");
    expect(line).toMatchObject({
      level: "ERROR",
      function_request_id: "request-1",
      function_name: "unit-test",
      correlation_id: "api-request-1",
      cold_start: expect.any(Boolean),
    });
    expect(logger.getCorrelationId()).toBeUndefined();
  });

  it("sends a file base64-encoded, named in Chinese with an ASCII fallback", async () => {
    const download = httpRoute({ auth: "none" }, async () =>
      fileResponse(200, new Uint8Array([1, 2, 3]), "application/pdf", "督查通报.pdf"),
    );
    const result = await download(httpEvent({ routeKey: "GET /file", claims: null }), lambdaContext());
    expect(result).toMatchObject({
      statusCode: 200,
      isBase64Encoded: true,
      body: Buffer.from([1, 2, 3]).toString("base64"),
      headers: {
        "content-type": "application/pdf",
        "content-disposition": `attachment; filename="download.pdf"; filename*=UTF-8''${encodeURIComponent("督查通报.pdf")}`,
      },
    });
  });
});
