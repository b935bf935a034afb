/**
 * Where the API is and how to sign in. `config.json` beside index.html says which: the local server
 * answers `{ mode: "local" }` (paste a token from `npm run token`); the cloud deployment writes
 * `{ mode: "cognito", apiUrl, cognitoDomain, clientId, ... }` (Cognito managed login, OAuth 2.0
 * authorization code flow with PKCE — no client secret, nothing secret in the bundle).
 */
export interface ConsoleConfig {
  mode: "local" | "cognito";
  /** API base URL without a trailing slash; "" = same origin. */
  apiUrl: string;
  region?: string;
  userPoolId?: string;
  clientId?: string;
  /** `https://<prefix>.auth.<region>.amazoncognito.com` */
  cognitoDomain?: string;
}

export type Role = "admin" | "organizer" | "inspector" | "unit" | "official";

export interface Session {
  token: string;
  sub: string;
  name?: string;
  roles: Role[];
  unitId?: string;
  expiresAt: number;
}

const TOKEN_KEY = "spot.console.token";
const PKCE_KEY = "spot.console.pkce";

export async function loadConfig(): Promise<ConsoleConfig> {
  try {
    const res = await fetch("config.json", { cache: "no-store" });
    if (res.ok) {
      const c = (await res.json()) as Partial<ConsoleConfig>;
      return {
        mode: c.mode === "cognito" ? "cognito" : "local",
        ...c,
        apiUrl: (c.apiUrl ?? "").replace(/\/$/, ""),
      };
    }
  } catch {
    // fall through: same-origin local server
  }
  return { mode: "local", apiUrl: "" };
}

function base64UrlDecode(part: string): string {
  const b64 = part
    .replace(/-/g, "+")
    .replace(/_/g, "/")
    .padEnd(Math.ceil(part.length / 4) * 4, "=");
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** Reads (does not verify: the API does) the claims the console needs to choose pages. */
export function sessionFromToken(token: string): Session {
  const parts = token.trim().split(".");
  if (parts.length !== 3 || !parts[1]) throw new Error("这不是一个 JWT 令牌");
  const claims = JSON.parse(base64UrlDecode(parts[1])) as Record<string, unknown>;
  const groupsClaim = claims["cognito:groups"];
  const groups = Array.isArray(groupsClaim)
    ? groupsClaim.map(String)
    : typeof groupsClaim === "string"
      ? groupsClaim.replace(/^\[|\]$/g, "").split(/[\s,]+/)
      : [];
  const roles = groups.filter((g): g is Role =>
    ["admin", "organizer", "inspector", "unit", "official"].includes(g),
  );
  const exp = typeof claims.exp === "number" ? claims.exp * 1000 : Date.now() + 3600_000;
  return {
    token: token.trim(),
    sub: String(claims.sub ?? ""),
    ...(typeof claims.name === "string" ? { name: claims.name } : {}),
    roles,
    ...(typeof claims["custom:unitId"] === "string" ? { unitId: claims["custom:unitId"] } : {}),
    expiresAt: exp,
  };
}

export function storedSession(): Session | undefined {
  const token = localStorage.getItem(TOKEN_KEY);
  if (!token) return undefined;
  try {
    const s = sessionFromToken(token);
    if (s.expiresAt > Date.now()) return s;
  } catch {
    // a broken token is dropped
  }
  localStorage.removeItem(TOKEN_KEY);
  return undefined;
}

export function saveToken(token: string): Session {
  const s = sessionFromToken(token);
  if (s.expiresAt <= Date.now()) throw new Error("令牌已过期，请重新生成");
  if (s.roles.length === 0) throw new Error("令牌中没有角色（cognito:groups）");
  localStorage.setItem(TOKEN_KEY, s.token);
  return s;
}

export function clearToken(): void {
  localStorage.removeItem(TOKEN_KEY);
}

function base64Url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function redirectUri(): string {
  return `${location.origin}${location.pathname}`;
}

/** Sends the browser to Cognito managed login (authorization code + PKCE S256). */
export async function startCognitoSignIn(config: ConsoleConfig): Promise<void> {
  if (!config.cognitoDomain || !config.clientId) throw new Error("config.json 缺少 Cognito 设置");
  const verifier = base64Url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64Url(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = base64Url(
    new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))),
  );
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state, hash: location.hash }));
  const q = new URLSearchParams({
    response_type: "code",
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    scope: "openid email profile",
    state,
    code_challenge_method: "S256",
    code_challenge: challenge,
  });
  location.assign(`${config.cognitoDomain}/oauth2/authorize?${q}`);
}

/** On return from Cognito (`?code=&state=`): exchanges the code for tokens and keeps the ID token. */
export async function completeCognitoSignIn(config: ConsoleConfig): Promise<Session | undefined> {
  const params = new URLSearchParams(location.search);
  const code = params.get("code");
  if (!code || !config.cognitoDomain || !config.clientId) return undefined;
  const saved = JSON.parse(sessionStorage.getItem(PKCE_KEY) ?? "{}") as {
    verifier?: string;
    state?: string;
    hash?: string;
  };
  sessionStorage.removeItem(PKCE_KEY);
  history.replaceState(null, "", `${redirectUri()}${saved.hash ?? ""}`);
  if (!saved.verifier || saved.state !== params.get("state")) throw new Error("登录状态不匹配，请重新登录");
  const res = await fetch(`${config.cognitoDomain}/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: config.clientId,
      code,
      redirect_uri: redirectUri(),
      code_verifier: saved.verifier,
    }),
  });
  if (!res.ok) throw new Error(`Cognito 登录失败（${res.status}）`);
  const tokens = (await res.json()) as { id_token?: string };
  if (!tokens.id_token) throw new Error("Cognito 未返回 ID 令牌");
  // The API's JWT authorizer takes the ID token (its audience is the app client id).
  return saveToken(tokens.id_token);
}

export function cognitoSignOutUrl(config: ConsoleConfig): string | undefined {
  if (config.mode !== "cognito" || !config.cognitoDomain || !config.clientId) return undefined;
  const q = new URLSearchParams({ client_id: config.clientId, logout_uri: redirectUri() });
  return `${config.cognitoDomain}/logout?${q}`;
}
