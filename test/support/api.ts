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
    return { status: res.status, body: parsed as T, contentType: res.headers.get("content-type") ?? "" };
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
