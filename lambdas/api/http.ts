import middy, { type MiddlewareObj } from "@middy/core";
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from "aws-lambda";
import { zhCN } from "zod/locales";
import * as z from "zod/mini";
import { InvalidInputError } from "../domain/errors";
import { logger } from "../shared/logger";
import { observability } from "../shared/observability";
import { type Caller, callerFromClaims } from "./auth";
import { problemResponse, toProblem } from "./problem";

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type HttpResult = APIGatewayProxyStructuredResultV2;

/** Bodies above this are refused before parsing (OWASP API4). */
export const MAX_BODY_BYTES = 256 * 1024;

/** The longest `Idempotency-Key` header accepted (the OpenAPI document states it). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

export class PayloadTooLargeError extends Error {
  constructor() {
    super(`请求体超过 ${MAX_BODY_BYTES} 字节上限。`);
    this.name = "PayloadTooLargeError";
  }
}

export interface JsonResponse {
  readonly status: number;
  readonly body: unknown;
}

/** A file as the response body (a spreadsheet to download), sent base64-encoded through API Gateway. */
export interface FileResponse {
  readonly status: number;
  readonly file: { readonly bytes: Uint8Array; readonly contentType: string; readonly fileName: string };
}

/**
 * `303 See Other` to a short-lived download URL: what a document route answers instead of the bytes
 * when they would not fit into a Lambda response (`fitsInResponse`).
 */
export interface RedirectResponse {
  readonly status: 303;
  readonly location: string;
}

export type HttpResponse = JsonResponse | FileResponse | RedirectResponse;

/**
 * The most a synchronous Lambda invocation may return: 6 MB (6 MiB) of the JSON result API Gateway
 * receives, a base64 body and its headers included. The local gateway enforces the same limit.
 */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;

/** Room left in a response for its status, headers and JSON framing around a base64 body. */
const RESPONSE_FRAMING_BYTES = 16 * 1024;

/** Whether a file of `byteLength` bytes, base64-encoded, fits into one Lambda response. */
export function fitsInResponse(byteLength: number): boolean {
  return Math.ceil(byteLength / 3) * 4 + RESPONSE_FRAMING_BYTES <= MAX_RESPONSE_BYTES;
}

export interface RouteRequest<B, Q, P> {
  readonly caller: Caller;
  readonly body: B;
  readonly query: Q;
  readonly params: P;
  readonly now: Date;
  readonly event: HttpEvent;
}

export interface RouteOptions<B, Q, P> {
  /** Public routes (health, OpenAPI) have no caller. */
  readonly auth?: "jwt" | "none";
  readonly body?: z.ZodMiniType<B>;
  readonly query?: z.ZodMiniType<Q>;
  readonly params?: z.ZodMiniType<P>;
  /** Writes that create or advance something honour the `Idempotency-Key` header. */
  readonly idempotent?: boolean;
}

export type ParsedContext = Context & { spot?: RouteRequest<unknown, unknown, unknown> };

const ANONYMOUS: Caller = { sub: "", roles: new Set(), unitId: undefined };

function fieldErrors(where: string, error: z.core.$ZodError) {
  return error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join("."),
    message: issue.message,
  }));
}

/** Messages for people are Chinese (a limit a request exceeds is named in it); the `type` stays the key. */
const chineseMessages = zhCN().localeError;

/** The parts of a request, as people name them. */
const PART_NAMES: Record<string, string> = { path: "路径参数", query: "查询参数", body: "请求体" };

function parsePart<T>(schema: z.ZodMiniType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  const result = z.safeParse(schema, value, { error: chineseMessages });
  if (!result.success) {
    throw new InvalidInputError(
      `请求的${PART_NAMES[where] ?? where}不符合要求。`,
      fieldErrors(where, result.error),
    );
  }
  return result.data;
}

function readBody(event: HttpEvent): unknown {
  if (event.body === undefined || event.body === null || event.body === "") return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
  if (Buffer.byteLength(text, "utf8") > MAX_BODY_BYTES) throw new PayloadTooLargeError();
  const type = event.headers?.["content-type"] ?? "";
  if (type !== "" && !/^application\/([\w.+-]*\+)?json\b/i.test(type)) {
    throw new InvalidInputError("请求体须为 JSON（Content-Type: application/json）。", [
      { path: "headers.content-type", message: "须为 application/json" },
    ]);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidInputError("请求体不是有效的 JSON。", [{ path: "body", message: "JSON 格式错误" }]);
  }
}

/** Step 1: authenticate from the verified claims, then parse path, query and body with their schemas. */
function parseRequest<B, Q, P>(
  options: RouteOptions<B, Q, P>,
): MiddlewareObj<HttpEvent, HttpResult, Error, ParsedContext> {
  return {
    before: (request) => {
      const event = request.event;
      // API Gateway's request id: the access log's line and the function's lines share it.
      if (event.requestContext?.requestId) logger.setCorrelationId(event.requestContext.requestId);
      const caller =
        options.auth === "none" ? ANONYMOUS : callerFromClaims(event.requestContext?.authorizer?.jwt?.claims);
      const params = parsePart(options.params, event.pathParameters ?? {}, "path");
      const query = parsePart(options.query, event.queryStringParameters ?? {}, "query");
      const idempotencyKey = event.headers?.["idempotency-key"];
      if (idempotencyKey !== undefined && idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
        throw new InvalidInputError(
          `幂等键（Idempotency-Key）不能超过 ${MAX_IDEMPOTENCY_KEY_LENGTH} 个字符。`,
          [{ path: "headers.idempotency-key", message: `最多 ${MAX_IDEMPOTENCY_KEY_LENGTH} 个字符` }],
        );
      }
      const rawBody = readBody(event);
      const body = options.body ? parsePart(options.body, rawBody ?? null, "body") : undefined;
      request.context.spot = { caller, params, query, body, now: new Date(), event };
    },
  };
}

/** Last step: every error becomes an RFC 9457 problem response; only unknown errors are 500s. */
function problemResponses(): MiddlewareObj<HttpEvent, HttpResult, Error, ParsedContext> {
  return {
    onError: (request) => {
      request.response = problemResponse(toProblem(request.error));
    },
  };
}

export function json(status: number, body: unknown): HttpResponse {
  return { status, body };
}

/** A file to download, named in Chinese if need be (`filename*`, RFC 6266), with an ASCII fallback. */
export function file(status: number, bytes: Uint8Array, contentType: string, fileName: string): HttpResponse {
  return { status, file: { bytes, contentType, fileName } };
}

/** `303 See Other` to `location` (a presigned download URL); clients follow it. */
export function seeOther(location: string): HttpResponse {
  return { status: 303, location };
}

function toResult(response: HttpResponse): HttpResult {
  if ("location" in response) {
    return {
      statusCode: response.status,
      headers: { location: response.location, "cache-control": "no-store" },
      body: "",
    };
  }
  if ("file" in response) {
    const { bytes, contentType, fileName } = response.file;
    // A route whose file may be larger stores it and answers seeOther (lambdas/services/downloads.ts).
    if (!fitsInResponse(bytes.length))
      throw new Error(`A ${bytes.length}-byte file exceeds a Lambda response`);
    const extension = /\.[A-Za-z0-9]{1,8}$/.exec(fileName)?.[0] ?? "";
    return {
      statusCode: response.status,
      headers: {
        "content-type": contentType,
        "content-disposition": `attachment; filename="download${extension}"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
        "cache-control": "no-store",
      },
      body: Buffer.from(bytes).toString("base64"),
      isBase64Encoded: true,
    };
  }
  return {
    statusCode: response.status,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(response.body),
  };
}

/** A middy middleware of the HTTP stack (the idempotency middleware of `./idempotent-http.ts`). */
export type HttpMiddleware = MiddlewareObj<HttpEvent, HttpResult, Error, ParsedContext>;

/**
 * The one middy stack of every HTTP handler, in a fixed order: logs and traces with the invocation
 * (`shared/observability.ts`) → problem responses (so it sees every error) → parse and authenticate →
 * idempotency → the use case → JSON response (or a file, base64-encoded, for a use case that returns
 * one with `file(...)`).
 * `idempotency` is given only by `./idempotent-http.ts`, so that routes without `idempotent: true`
 * neither bundle nor load Powertools idempotency.
 */
export function buildRoute<B, Q, P>(
  options: RouteOptions<B, Q, P>,
  useCase: (request: RouteRequest<B, Q, P>) => Promise<HttpResponse>,
  idempotency?: () => HttpMiddleware,
) {
  const stack = middy<HttpEvent, HttpResult, Error, ParsedContext>()
    .use(observability())
    .use(problemResponses())
    .use(parseRequest(options));
  if (options.idempotent) {
    if (!idempotency) {
      throw new Error("An idempotent route takes httpRoute from lambdas/api/idempotent-http.ts");
    }
    stack.use(idempotency());
  }
  return stack.handler(async (_event, context): Promise<HttpResult> => {
    const parsed = context.spot as RouteRequest<B, Q, P>;
    return toResult(await useCase(parsed));
  });
}

/**
 * An HTTP handler without idempotency. Routes with `idempotent: true` import `httpRoute` from
 * `./idempotent-http.ts` instead (same signature).
 */
export function httpRoute<B = undefined, Q = undefined, P = undefined>(
  options: RouteOptions<B, Q, P> & { readonly idempotent?: false },
  useCase: (request: RouteRequest<B, Q, P>) => Promise<HttpResponse>,
) {
  return buildRoute(options, useCase);
}
