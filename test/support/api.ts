import { expect } from "vitest";
import * as z from "zod/mini";
import { responses } from "../../lambdas/api/responses";
import { type RouteKey, routes } from "../../lambdas/api/routes";
import { issueToken } from "../../lib/local/jwt";

/** A small HTTP client for the tests: JSON in and out, a bearer token per role. */
export interface ApiResponse<T = any> {
  readonly status: number;
  readonly body: T;
  readonly contentType: string;
}

export class Api {
  constructor(
    readonly baseUrl: string,
    readonly dataDir: string,
  ) {}

  token(sub: string, groups: string[], unitId?: string): Promise<string> {
    return issueToken(this.dataDir, { sub, groups, unitId });
  }

  async as(sub: string, groups: string[], unitId?: string): Promise<Client> {
    return new Client(this.baseUrl, await this.token(sub, groups, unitId));
  }

  anonymous(): Client {
    return new Client(this.baseUrl, undefined);
  }
}

export class Client {
  constructor(
    readonly baseUrl: string,
    readonly bearer: string | undefined,
  ) {}

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(this.bearer ? { authorization: `Bearer ${this.bearer}` } : {}),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // keep the text
    }
    const contentType = res.headers.get("content-type") ?? "";
    if (res.status >= 200 && res.status < 300 && /^application\/json\b/i.test(contentType) && text) {
      checkResponse(method, path, parsed);
    }
    return { status: res.status, body: parsed as T, contentType };
  }

  get<T = any>(path: string) {
    return this.request<T>("GET", path);
  }
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>("POST", path, body ?? {}, headers);
  }
  put<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>("PUT", path, body ?? {}, headers);
  }
}

/** English messages for this check only (zod/mini loads no locale; a global one would reach the handlers). */
const english = z.locales.en().localeError;

/** Each route key as a matcher of `METHOD /path` (a `{param}` is one path segment). */
const routeMatchers = routes.map((r) => {
  const [method = "", path = ""] = r.routeKey.split(" ");
  const pattern = path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{\w+\}/g, "[^/]+");
  return { routeKey: r.routeKey as RouteKey, method, regex: new RegExp(`^${pattern}$`) };
});

/**
 * Every 2xx JSON body must match its route's response schema (lambdas/api/responses.ts, published
 * in the OpenAPI document): an undocumented or mis-documented field fails the test that saw it.
 */
export function checkResponse(method: string, path: string, body: unknown): void {
  const pathname = path.split(/[?#]/)[0] ?? path;
  const route = routeMatchers.find((r) => r.method === method.toUpperCase() && r.regex.test(pathname));
  if (!route) return; // not an API route (the API answers 404 to those)
  const result = z.safeParse(responses[route.routeKey], body, { error: english });
  if (!result.success) {
    throw new Error(
      `Response of ${route.routeKey} (${method} ${path}) does not match its documented schema:\n${z.prettifyError(result.error)}`,
    );
  }
}

export async function eventually<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  { timeoutMs = 20_000, intervalMs = 100 } = {},
): Promise<T> {
  const started = Date.now();
  let last: T = await probe();
  while (!accept(last)) {
    if (Date.now() - started > timeoutMs) {
      throw new Error(`Condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
    last = await probe();
  }
  return last;
}

export const isoIn = (ms: number) => new Date(Date.now() + ms).toISOString();

/** An RFC 9457 problem with the given status: the problem media type, a `type` URI, a title and a detail. */
export function expectProblem(res: { status: number; contentType: string; body: any }, status: number): void {
  expect(res.status).toBe(status);
  expect(res.contentType).toContain("application/problem+json");
  expect(res.body).toMatchObject({
    status,
    type: expect.any(String),
    title: expect.any(String),
    detail: expect.any(String),
  });
}
