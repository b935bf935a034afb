import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { ThrottledError } from "./concurrency";
import { claimsAsApiGatewayPassesThem, type TokenVerifier } from "./jwt";
import { FunctionTimeoutError } from "./lambda-timeout";
import type { LocalRoute } from "./template";

/**
 * Plays API Gateway's HTTP API in front of the handlers: the routes of the synthesized template,
 * payload format 2.0 events, and the JWT authorizer (401 before any handler runs).
 */
export type HttpHandler = (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** API Gateway's own payload limit; handlers enforce a smaller one of their own. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

/**
 * Lambda's limit on what a synchronous invocation returns (the JSON result, a base64 body included):
 * a larger result fails the invocation in the cloud, so it fails here too. A route with large files
 * answers `303 See Other` to a download URL instead.
 */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;

interface CompiledRoute extends LocalRoute {
  readonly pattern: RegExp;
  readonly names: readonly string[];
}

function compile(route: LocalRoute): CompiledRoute {
  const names: string[] = [];
  const source = route.path
    .split("/")
    .map((segment) => {
      const m = /^\{(\w+)\}$/.exec(segment);
      if (m?.[1]) {
        names.push(m[1]);
        return "([^/]+)";
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return { ...route, pattern: new RegExp(`^${source}/?$`), names };
}

/** The gateway's own problems: the `type` keeps the machine key, the title and detail are for people. */
const GATEWAY_PROBLEMS = {
  "invalid-input": "输入有误",
  "not-found": "未找到",
  "payload-too-large": "请求体过大",
  "response-too-large": "响应过大",
  unauthenticated: "未登录或登录已失效",
  throttled: "请求过多，请稍后重试",
  "function-timeout": "处理超时",
  "internal-error": "服务器内部错误",
} as const;

function problem(
  res: ServerResponse,
  status: number,
  slug: keyof typeof GATEWAY_PROBLEMS,
  detail: string,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { "content-type": "application/problem+json", ...headers });
  res.end(
    JSON.stringify({
      type: `urn:spot-inspections:problem:${slug}`,
      title: GATEWAY_PROBLEMS[slug],
      status,
      detail,
    }),
  );
}

export interface ApiGatewayOptions {
  readonly routes: readonly LocalRoute[];
  readonly handlerFor: (route: LocalRoute) => HttpHandler;
  readonly verify: TokenVerifier;
  /** Serves anything that is not an API route (the web console). */
  readonly fallback?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /**
   * What the local runtime adds to the answer of `GET /health` (the depth of its failure queues);
   * `status` stays the handler's own `"ok"`.
   */
  readonly healthDetails?: () => Record<string, unknown>;
}

export function createApiGateway(options: ApiGatewayOptions): Server {
  const compiled = options.routes.map(compile);
  return createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://localhost");
      const method = (req.method ?? "GET").toUpperCase();
      let match: { route: CompiledRoute; params: Record<string, string> } | undefined;
      for (const route of compiled) {
        if (route.method !== method) continue;
        const m = route.pattern.exec(url.pathname);
        if (!m) continue;
        const params: Record<string, string> = {};
        let decodable = true;
        route.names.forEach((name, i) => {
          try {
            params[name] = decodeURIComponent(m[i + 1] ?? "");
          } catch {
            decodable = false;
          }
        });
        if (!decodable) return problem(res, 400, "invalid-input", "路径参数不是有效的百分号编码。");
        match = { route, params };
        break;
      }
      if (!match) {
        if (options.fallback?.(req, res)) return;
        return problem(res, 404, "not-found", `没有 ${method} ${url.pathname} 这个接口。`);
      }

      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > MAX_PAYLOAD_BYTES) return problem(res, 413, "payload-too-large", "请求体过大。");
        chunks.push(chunk as Buffer);
      }
      const rawBody = Buffer.concat(chunks);

      let claims: Record<string, string> | undefined;
      if (match.route.auth === "JWT") {
        const header = req.headers.authorization ?? "";
        const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
        if (!token) return problem(res, 401, "unauthenticated", "需要登录令牌（Authorization: Bearer …）。");
        try {
          claims = claimsAsApiGatewayPassesThem(await options.verify(token));
        } catch {
          return problem(res, 401, "unauthenticated", "登录令牌无效或已过期，请重新登录。");
        }
      }

      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(",") : value;
      }
      const query: Record<string, string> = {};
      for (const [name, value] of url.searchParams)
        query[name] = name in query ? `${query[name]},${value}` : value;
      const now = new Date();
      const textual =
        rawBody.length === 0 || /json|text|xml|urlencoded/i.test(headers["content-type"] ?? "json");
      const event: APIGatewayProxyEventV2WithJWTAuthorizer = {
        version: "2.0",
        routeKey: match.route.routeKey,
        rawPath: url.pathname,
        rawQueryString: url.search.replace(/^\?/, ""),
        headers,
        ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
        ...(match.route.names.length > 0 ? { pathParameters: match.params } : {}),
        requestContext: {
          accountId: "000000000000",
          apiId: "local",
          authorizer: { principalId: "", integrationLatency: 0, jwt: { claims: claims ?? {}, scopes: [] } },
          domainName: headers.host ?? "localhost",
          domainPrefix: "local",
          http: {
            method,
            path: url.pathname,
            protocol: `HTTP/${req.httpVersion}`,
            sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
            userAgent: headers["user-agent"] ?? "",
          },
          requestId: randomUUID(),
          routeKey: match.route.routeKey,
          stage: "$default",
          time: now.toUTCString(),
          timeEpoch: now.getTime(),
        },
        ...(rawBody.length > 0
          ? {
              body: textual ? rawBody.toString("utf8") : rawBody.toString("base64"),
              isBase64Encoded: !textual,
            }
          : { isBase64Encoded: false }),
      };
      let result = await options.handlerFor(match.route)(event);
      if (match.route.routeKey === "GET /health" && result.statusCode === 200 && options.healthDetails) {
        result = {
          ...result,
          body: JSON.stringify({ ...JSON.parse(result.body ?? "{}"), ...options.healthDetails() }),
        };
      }
      if (Buffer.byteLength(JSON.stringify(result), "utf8") > MAX_RESPONSE_BYTES) {
        console.error(`[local-api] ${match.route.routeKey} returned more than a Lambda response may carry`);
        return problem(res, 502, "response-too-large", "响应超过 6 MB 上限（Lambda 的响应上限），未能送出。");
      }
      const resultHeaders: Record<string, string> = {};
      for (const [k, v] of Object.entries(result.headers ?? {})) resultHeaders[k] = String(v);
      const body = result.body ?? "";
      res.writeHead(result.statusCode ?? 200, resultHeaders);
      // A binary body (a document, a workbook) arrives base64-encoded, as API Gateway receives it.
      res.end(result.isBase64Encoded ? Buffer.from(body, "base64") : body);
    } catch (error) {
      if (error instanceof ThrottledError && !res.headersSent) {
        // The function's concurrency is exhausted (lib/local/concurrency.ts): shed before it ran.
        const seconds = error.retryAfterSeconds;
        return problem(
          res,
          429,
          "throttled",
          `当前同时处理的请求已达上限，本次请求未被处理，请 ${seconds} 秒后重试（写操作请使用同一幂等键）。`,
          { "retry-after": String(seconds) },
        );
      }
      if (error instanceof FunctionTimeoutError && !res.headersSent) {
        // Lambda stopped the invocation at its timeout; API Gateway answers 500 for a function error.
        return problem(
          res,
          500,
          "function-timeout",
          `请求处理超过 ${error.seconds} 秒的时限，结果未送出；操作可能已生效，写操作请使用同一幂等键重试。`,
        );
      }
      console.error("[local-api] handler crashed", error);
      if (!res.headersSent) problem(res, 500, "internal-error", "本地服务器处理请求时出错。");
      else res.end();
    }
  });
}
