import type { Bodies, Page, Responses } from "./api-types";
import { type Endpoint, type EndpointName, endpoints } from "./endpoints";
import { retryDelay } from "./retry";

/**
 * The wire types of the API (the contract: docs/api.md, GET /openapi.json), derived from the server's own schemas in
 * ./api-types.ts (types only: no zod code in the bundle). Pages import them from here or from there.
 */
export type * from "./api-types";

/** `{unitId}` in a path template → `{ unitId: string }`. */
type ParamNames<P extends string> = P extends `${string}{${infer N}}${infer Rest}`
  ? N | ParamNames<Rest>
  : never;
type ParamsOf<N extends EndpointName> = { [K in ParamNames<(typeof endpoints)[N]["path"]>]: string };

export type CallOptions<N extends EndpointName> = {
  query?: Record<string, string | undefined>;
  /** A write's own `Idempotency-Key`, kept by the caller to send it again (offline capture); else a fresh one. */
  idempotencyKey?: string;
} & (ParamNames<(typeof endpoints)[N]["path"]> extends never
  ? { params?: undefined }
  : { params: ParamsOf<N> }) &
  (N extends keyof Bodies ? { body: Bodies[N] } : { body?: undefined });

/** An RFC 9457 problem answered by the API. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors: { path: string; message: string }[] = [],
  ) {
    super(`${status} ${title}: ${detail}`);
  }
}

function randomId(): string {
  const c = globalThis.crypto;
  if (typeof c.randomUUID === "function") return c.randomUUID();
  const bytes = c.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The typed client: only operations of `endpoints` can be called, with their body and result types. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: () => string | undefined | Promise<string | undefined>,
    private readonly onUnauthorized: () => void = () => undefined,
  ) {}

  async call<N extends EndpointName>(name: N, options: CallOptions<N>): Promise<Responses[N]> {
    const res = await this.send(name, options);
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!res.ok) this.fail(res, parsed, text);
    return parsed as Responses[N];
  }

  /** A binary answer (a spreadsheet, a document) with the file name the server gave it. */
  async blob<N extends EndpointName>(
    name: N,
    options: CallOptions<N>,
  ): Promise<{ blob: Blob; fileName: string | undefined }> {
    const res = await this.send(name, options, "*/*");
    if (!res.ok) {
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      this.fail(res, parsed, text);
    }
    const disposition = res.headers.get("content-disposition") ?? "";
    const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1];
    const plain = /filename="?([^";]+)"?/i.exec(disposition)?.[1];
    let fileName: string | undefined;
    try {
      fileName = star ? decodeURIComponent(star) : plain;
    } catch {
      fileName = plain;
    }
    return { blob: await res.blob(), fileName };
  }

  private fail(res: Response, parsed: unknown, text: string): never {
    if (res.status === 401) this.onUnauthorized();
    const p = (parsed ?? {}) as {
      title?: string;
      detail?: string;
      errors?: { path: string; message: string }[];
    };
    throw new ApiError(res.status, p.title ?? res.statusText, p.detail ?? text, p.errors ?? []);
  }

  private async send<N extends EndpointName>(
    name: N,
    options: CallOptions<N>,
    accept = "application/json",
  ): Promise<Response> {
    const endpoint = endpoints[name] as Endpoint;
    const params = (options.params ?? {}) as Record<string, string>;
    const path = endpoint.path.replace(/\{(\w+)\}/g, (_, key: string) => {
      const value = params[key];
      if (value === undefined) throw new Error(`missing path parameter ${key}`);
      return encodeURIComponent(value);
    });
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(options.query ?? {}))
      if (v !== undefined && v !== "") search.set(k, v);
    const qs = search.toString();
    const headers: Record<string, string> = { accept };
    const bearer = await this.token();
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    if (endpoint.method !== "GET") {
      headers["content-type"] = "application/json";
      if (endpoint.method === "POST" || endpoint.method === "PATCH")
        headers["idempotency-key"] = options.idempotencyKey ?? randomId();
    }
    // A shed or unanswered request is asked again as it was (a write with the same Idempotency-Key),
    // after Retry-After or a backoff of its own (./retry.ts); the last answer is the caller's.
    for (let retry = 0; ; retry++) {
      const res = await fetch(`${this.baseUrl}${path}${qs ? `?${qs}` : ""}`, {
        method: endpoint.method,
        headers,
        ...(endpoint.method !== "GET" ? { body: JSON.stringify(options.body ?? {}) } : {}),
      });
      const delay = retryDelay(
        {
          status: res.status,
          contentType: res.headers.get("content-type"),
          retryAfter: res.headers.get("retry-after"),
        },
        retry,
      );
      if (delay === undefined) return res;
      await res.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  /** Follows `nextCursor` up to `max` items. */
  async all<
    N extends
      | "listUnits"
      | "listInspectors"
      | "listTemplates"
      | "listSpotChecks"
      | "listAssignments"
      | "listRectifications"
      | "listEvidence"
      | "notifications"
      | "listPeople"
      | "listExtensionRequests",
  >(
    name: N,
    options: CallOptions<N>,
    max = 1000,
    /** Stops paging after the page whose last item this says is far enough (lists are ordered). */
    enough?: (last: Responses[N]["items"][number]) => boolean,
  ): Promise<Responses[N]["items"]> {
    const items: Responses[N]["items"][number][] = [];
    let cursor: string | undefined;
    do {
      const page = (await this.call(name, {
        ...options,
        query: { ...options.query, limit: "200", ...(cursor ? { cursor } : {}) },
      } as CallOptions<N>)) as Page<Responses[N]["items"][number]>;
      items.push(...page.items);
      cursor = page.nextCursor ?? undefined;
      const last = page.items.at(-1);
      if (enough && last !== undefined && enough(last)) break;
    } while (cursor && items.length < max);
    return items as Responses[N]["items"];
  }
}
