import { ROLES, type Role } from "../../lambdas/domain/roles";

/**
 * Where the API is and how people sign in. `config.json` beside index.html says where: the local
 * server answers `{ mode: "local", apiUrl: "", signIn: { endpoint, clientId, userPoolId } }` (the
 * local user pool), the cloud deployment `{ mode: "cognito", apiUrl, region, clientId, userPoolId,
 * signIn: { … } }`. Both speak the Cognito Identity Provider API, so the console signs in the same
 * way in both targets: username and password (USER_PASSWORD_AUTH, over TLS in the cloud), the
 * forced new password at the first sign-in, and a session that renews its 5-minute ID token with the
 * refresh token until the person is disabled or signs out (RevokeToken). Scripts and tests may still
 * paste a token of `npm run token` on this machine; such a session cannot renew and ends with its token.
 */
export interface ConsoleConfig {
  mode: "local" | "cognito";
  /** API base URL without a trailing slash; "" = same origin. */
  apiUrl: string;
  region?: string;
  userPoolId?: string;
  clientId?: string;
  /** The user pool's own API (Cognito Identity Provider, JSON 1.1). */
  signIn?: { endpoint?: string; clientId?: string; userPoolId?: string };
}

export type { Role };

export interface Session {
  /** The ID token: the bearer the API's JWT authorizer takes (its audience is the app client). */
  token: string;
  sub: string;
  name?: string;
  username?: string;
  roles: Role[];
  unitId?: string;
  /**
   * When the token expires, by this device's clock: a script token's `exp`; a signed-in token's
   * lifetime counted from its receipt, so that a device whose clock is off (field devices often are)
   * still renews on time.
   */
  expiresAt: number;
  /** `password`: signed in with username and password (renews itself); `script`: a pasted token. */
  kind: "password" | "script";
}

/** A script token pasted on the sign-in page (`npm run token`); the e2e tests set it directly. */
const TOKEN_KEY = "spot.console.token";
/** The signed-in person's tokens: `{ idToken, refreshToken }`. */
const SESSION_KEY = "spot.console.session";
/** Renew this long before the ID token expires. */
const RENEW_BEFORE_MS = 60_000;
/** A token this close to its expiry is renewed before an API call uses it. */
const FRESH_ENOUGH_MS = 20_000;
const RETRY_MS = 15_000;

export async function loadConfig(): Promise<ConsoleConfig> {
  try {
    const res = await fetch("config.json", { cache: "no-store" });
    if (res.ok) {
      const c = (await res.json()) as Partial<ConsoleConfig>;
      return {
        ...c,
        mode: c.mode === "cognito" ? "cognito" : "local",
        apiUrl: (c.apiUrl ?? "").replace(/\/$/, ""),
      };
    }
  } catch {
    // fall through: same-origin local server
  }
  return { mode: "local", apiUrl: "" };
}

/** The user pool's API endpoint and app client, from `signIn` or else from region and clientId. */
export function signInSettings(config: ConsoleConfig): { endpoint: string; clientId: string } | undefined {
  const clientId = config.signIn?.clientId ?? config.clientId;
  const endpoint =
    config.signIn?.endpoint ??
    (config.region ? `https://cognito-idp.${config.region}.amazonaws.com/` : undefined);
  return clientId && endpoint ? { endpoint, clientId } : undefined;
}

function base64UrlDecode(part: string): string {
  const b64 = part
    .replace(/-/g, "+")
    .replace(/_/g, "/")
    .padEnd(Math.ceil(part.length / 4) * 4, "=");
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/**
 * Reads (does not verify: the API does) the claims the console needs to choose pages and to greet.
 * `lifetimeSeconds`: the token was just received and lives that long (`ExpiresIn`).
 */
export function sessionFromToken(
  token: string,
  kind: Session["kind"] = "script",
  lifetimeSeconds?: number,
): Session {
  const parts = token.trim().split(".");
  if (parts.length !== 3 || !parts[1]) throw new Error("这不是有效的登录令牌");
  const claims = JSON.parse(base64UrlDecode(parts[1])) as Record<string, unknown>;
  const groupsClaim = claims["cognito:groups"];
  const groups = Array.isArray(groupsClaim)
    ? groupsClaim.map(String)
    : typeof groupsClaim === "string"
      ? groupsClaim.replace(/^\[|\]$/g, "").split(/[\s,]+/)
      : [];
  const roles = ROLES.filter((r) => groups.includes(r));
  const exp =
    lifetimeSeconds !== undefined
      ? Date.now() + lifetimeSeconds * 1000
      : typeof claims.exp === "number"
        ? claims.exp * 1000
        : Date.now() + 3600_000;
  const name = typeof claims.name === "string" && claims.name.trim() ? claims.name.trim() : undefined;
  const username = claims["cognito:username"];
  return {
    token: token.trim(),
    sub: String(claims.sub ?? ""),
    ...(name ? { name } : {}),
    ...(typeof username === "string" ? { username } : {}),
    roles,
    ...(typeof claims["custom:unitId"] === "string" ? { unitId: claims["custom:unitId"] } : {}),
    expiresAt: exp,
    kind,
  };
}

// ---------- the user pool's API ----------

/** An error of the user pool, with the Chinese words the console shows for it. */
export class SignInError extends Error {
  constructor(
    /** Cognito's `__type`, e.g. `NotAuthorizedException`; `NetworkError` when it could not be reached. */
    readonly type: string,
    /** Cognito's own (English) message, kept for telling cases apart. */
    readonly detail: string,
    message: string,
  ) {
    super(message);
  }
}

export const PASSWORD_RULE = "新密码不符合要求：至少 12 位，含大小写字母、数字和符号";

/** The Chinese message for a user pool error. */
export function signInMessage(type: string, detail: string): string {
  switch (type) {
    case "NotAuthorizedException":
      if (/disabled/i.test(detail)) return "账号已停用，请联系管理员";
      if (/temporary password has expired/i.test(detail)) return "临时密码已过期，请联系管理员重置密码";
      if (/session/i.test(detail)) return "设置新密码的时限已过，请重新登录";
      if (/refresh token|revoked|expired/i.test(detail)) return "登录已失效，请重新登录";
      return "用户名或密码错误";
    case "UserNotFoundException":
      return "用户名或密码错误";
    case "InvalidPasswordException":
      return PASSWORD_RULE;
    case "PasswordResetRequiredException":
      return "密码已被管理员重置，请使用新的临时密码登录";
    case "UserNotConfirmedException":
      return "账号尚未启用，请联系管理员";
    case "TooManyRequestsException":
    case "LimitExceededException":
    case "TooManyFailedAttemptsException":
      return "尝试次数过多，请稍后再试";
    case "CodeMismatchException":
    case "ExpiredCodeException":
      return "设置新密码的时限已过，请重新登录";
    case "NetworkError":
      return "无法连接登录服务，请检查网络后重试";
    default:
      return "登录服务暂时不可用，请稍后再试";
  }
}

async function userPool<T>(
  config: ConsoleConfig,
  operation: string,
  body: (clientId: string) => Record<string, unknown>,
): Promise<T> {
  const settings = signInSettings(config);
  if (!settings) throw new SignInError("Config", "", "控制台配置中缺少登录服务设置，请联系管理员");
  let res: Response;
  try {
    res = await fetch(settings.endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": `AWSCognitoIdentityProviderService.${operation}`,
      },
      body: JSON.stringify(body(settings.clientId)),
      cache: "no-store",
      credentials: "omit",
    });
  } catch {
    throw new SignInError("NetworkError", "", signInMessage("NetworkError", ""));
  }
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    // not JSON: an error page in between
  }
  if (!res.ok) {
    const type = String(parsed.__type ?? res.headers.get("x-amzn-errortype") ?? "")
      .split("#")
      .pop()!
      .split(":")[0]!;
    const detail = String(parsed.message ?? parsed.Message ?? "");
    throw new SignInError(type || `HTTP ${res.status}`, detail, signInMessage(type, detail));
  }
  return parsed as T;
}

interface AuthenticationResult {
  IdToken?: string;
  AccessToken?: string;
  RefreshToken?: string;
  ExpiresIn?: number;
}
/** How long a token just received lives: `ExpiresIn`, else its own `exp - iat`. */
function lifetimeOf(result: AuthenticationResult | undefined): number | undefined {
  if (typeof result?.ExpiresIn === "number" && result.ExpiresIn > 0) return result.ExpiresIn;
  try {
    const claims = JSON.parse(base64UrlDecode(result?.IdToken?.split(".")[1] ?? "")) as {
      exp?: number;
      iat?: number;
    };
    if (typeof claims.exp === "number" && typeof claims.iat === "number") return claims.exp - claims.iat;
  } catch {
    // fall back to exp
  }
  return undefined;
}

interface InitiateAuthResponse {
  AuthenticationResult?: AuthenticationResult;
  ChallengeName?: string;
  Session?: string;
}

/** What the first password step led to: signed in, or a new password must be set first. */
export type SignInStep =
  | { kind: "signedIn"; session: Session }
  | { kind: "newPassword"; username: string; challenge: string };

/** What the policy asks of a new password that this one lacks (empty when it meets it). */
export function passwordProblems(password: string): string[] {
  const problems: string[] = [];
  if ([...password].length < 12) problems.push("至少 12 位");
  if (!/[a-z]/.test(password)) problems.push("小写字母");
  if (!/[A-Z]/.test(password)) problems.push("大写字母");
  if (!/[0-9]/.test(password)) problems.push("数字");
  if (!/[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+\- ]/.test(password)) problems.push("符号");
  return problems;
}

/** The sign-in service could not be reached (no network), as opposed to refusing. */
export function isUnreachable(error: unknown): boolean {
  return error instanceof TypeError || (error instanceof SignInError && error.type === "NetworkError");
}

/** Whether someone is signed in on this device (a session or a script token is stored). */
export function hasStoredSession(storage: Storage = localStorage): boolean {
  return storage.getItem(SESSION_KEY) !== null || storage.getItem(TOKEN_KEY) !== null;
}

// ---------- the session ----------

interface Stored {
  session: Session;
  refreshToken?: string;
}
type Listener = (session: Session | undefined, notice?: string) => void;

/**
 * The signed-in session: kept in localStorage (so a reload and other tabs keep it), renewed a
 * minute before its ID token expires and before any API call would use an almost expired token.
 * A renewal refused by the pool (the person was disabled, the password reset, the session revoked)
 * ends the session with a notice.
 */
export class Auth {
  private current: Stored | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private renewing: Promise<void> | undefined;
  private readonly listeners = new Set<Listener>();

  constructor(
    private readonly config: ConsoleConfig,
    private readonly storage: Storage = localStorage,
  ) {
    if (typeof window !== "undefined") {
      window.addEventListener("storage", (e) => {
        if (e.key === SESSION_KEY || e.key === TOKEN_KEY) this.adoptFromStorage();
      });
    }
  }

  get session(): Session | undefined {
    return this.current?.session;
  }

  /** Username and password sign-in is offered when config.json names the user pool. */
  get passwordSignIn(): boolean {
    return signInSettings(this.config) !== undefined;
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** At start: the stored session, renewed first when its ID token has (almost) expired. */
  async restore(): Promise<string | undefined> {
    const stored = this.read();
    if (!stored) return undefined;
    this.current = stored;
    if (stored.refreshToken && stored.session.expiresAt - Date.now() < FRESH_ENOUGH_MS) {
      try {
        await this.renew();
      } catch (e) {
        // Refused: end() has forgotten it. Unreachable (no network in the field): the person stays
        // signed in on this device — the pages work from what it kept, records wait on it — and the
        // renewal is tried again until the network returns (docs/offline.md).
        if (this.current && isUnreachable(e)) return undefined;
        clearTimeout(this.timer);
        this.current = undefined;
        return e instanceof Error ? e.message : String(e);
      }
      return this.current ? undefined : "登录已失效，请重新登录";
    }
    this.schedule();
    return undefined;
  }

  async signIn(username: string, password: string): Promise<SignInStep> {
    const res = await userPool<InitiateAuthResponse>(this.config, "InitiateAuth", (ClientId) => ({
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId,
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }));
    if (res.ChallengeName === "NEW_PASSWORD_REQUIRED" && res.Session)
      return { kind: "newPassword", username, challenge: res.Session };
    if (res.ChallengeName)
      throw new SignInError(res.ChallengeName, "", "该账号需要的登录方式本系统暂不支持，请联系管理员");
    return { kind: "signedIn", session: this.accept(res.AuthenticationResult) };
  }

  /** The first sign-in's second step: replaces the temporary password and signs in. */
  async setNewPassword(
    step: Extract<SignInStep, { kind: "newPassword" }>,
    newPassword: string,
  ): Promise<Session> {
    const res = await userPool<InitiateAuthResponse>(this.config, "RespondToAuthChallenge", (ClientId) => ({
      ClientId,
      ChallengeName: "NEW_PASSWORD_REQUIRED",
      Session: step.challenge,
      ChallengeResponses: { USERNAME: step.username, NEW_PASSWORD: newPassword },
    }));
    if (res.ChallengeName)
      throw new SignInError(res.ChallengeName, "", "该账号需要的登录方式本系统暂不支持，请联系管理员");
    return this.accept(res.AuthenticationResult);
  }

  /** Signs in with a token of `npm run token` (scripts, tests, this machine). */
  useToken(token: string): Session {
    const session = sessionFromToken(token, "script");
    if (session.expiresAt <= Date.now()) throw new Error("令牌已过期，请重新生成");
    if (session.roles.length === 0) throw new Error("令牌中没有角色，请重新生成带角色的令牌");
    this.storage.removeItem(SESSION_KEY);
    this.storage.setItem(TOKEN_KEY, session.token);
    this.set({ session });
    return session;
  }

  /** The bearer for the next API call, renewed first if it is about to expire. */
  async token(): Promise<string | undefined> {
    const c = this.current;
    if (!c) return undefined;
    if (c.refreshToken && c.session.expiresAt - Date.now() < FRESH_ENOUGH_MS) {
      await this.renew();
      return this.current?.session.token;
    }
    return c.session.token;
  }

  /**
   * Renews the ID token with the refresh token (REFRESH_TOKEN_AUTH). A refusal (NotAuthorized: the
   * person was disabled, the password reset, every session revoked) ends the session with a notice;
   * an unreachable pool is retried while the token still lives.
   */
  renew(): Promise<void> {
    this.renewing ??= this.doRenew().finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  private async doRenew(): Promise<void> {
    const c = this.current;
    if (!c?.refreshToken) return;
    const refreshToken = c.refreshToken;
    try {
      const res = await userPool<InitiateAuthResponse>(this.config, "InitiateAuth", (ClientId) => ({
        AuthFlow: "REFRESH_TOKEN_AUTH",
        ClientId,
        AuthParameters: { REFRESH_TOKEN: refreshToken },
      }));
      if (this.current?.refreshToken !== refreshToken) return; // signed out or replaced meanwhile
      const idToken = res.AuthenticationResult?.IdToken;
      if (!idToken) throw new SignInError("NoToken", "", "登录服务未返回令牌");
      const session = sessionFromToken(idToken, "password", lifetimeOf(res.AuthenticationResult));
      const next = { session, refreshToken: res.AuthenticationResult?.RefreshToken ?? refreshToken };
      this.write(next);
      this.set(next);
    } catch (e) {
      if (this.current?.refreshToken !== refreshToken) return;
      if (e instanceof SignInError && e.type === "NotAuthorizedException") {
        const notice = /disabled/i.test(e.detail)
          ? "账号已停用，已退出登录。如有疑问请联系管理员。"
          : "登录已失效（账号可能已被停用或密码已被重置），请重新登录。";
        this.end(notice);
        throw new SignInError(e.type, e.detail, notice);
      }
      // The pool could not be reached: try again while the ID token still lives.
      this.schedule(RETRY_MS);
      throw e;
    }
  }

  /** 退出: revokes the refresh token (every token it renewed stops renewing), then forgets the session. */
  async signOut(): Promise<void> {
    const refreshToken = this.current?.refreshToken;
    this.clear();
    this.emit(undefined);
    if (refreshToken) {
      await userPool(this.config, "RevokeToken", (ClientId) => ({ ClientId, Token: refreshToken })).catch(
        () => undefined,
      );
    }
  }

  /** Ends the session without asking the pool (it refused it, or the API did), with a notice. */
  end(notice?: string): void {
    if (!this.current) return;
    this.clear();
    this.emit(undefined, notice);
  }

  private accept(result: AuthenticationResult | undefined): Session {
    if (!result?.IdToken) throw new SignInError("NoToken", "", "登录服务未返回令牌");
    const session = sessionFromToken(result.IdToken, "password", lifetimeOf(result));
    if (session.roles.length === 0) throw new Error("该账号尚未分配角色，请联系管理员");
    const next = { session, ...(result.RefreshToken ? { refreshToken: result.RefreshToken } : {}) };
    this.storage.removeItem(TOKEN_KEY);
    this.write(next);
    this.set(next);
    return session;
  }

  private set(next: Stored): void {
    this.current = next;
    this.schedule();
    this.emit(next.session);
  }

  private emit(session: Session | undefined, notice?: string): void {
    for (const listener of this.listeners) listener(session, notice);
  }

  private clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.current = undefined;
    this.storage.removeItem(SESSION_KEY);
    this.storage.removeItem(TOKEN_KEY);
  }

  /** Renews a minute before expiry; a script token's session simply ends when its token does. */
  private schedule(delay?: number): void {
    clearTimeout(this.timer);
    const c = this.current;
    if (!c) return;
    const left = c.session.expiresAt - Date.now();
    const wait = Math.min(
      2 ** 31 - 1,
      Math.max(1000, delay ?? (c.refreshToken ? left - RENEW_BEFORE_MS : left)),
    );
    this.timer = setTimeout(() => {
      if (this.current !== c) return;
      if (c.refreshToken) void this.renew().catch(() => undefined);
      else if (c.session.expiresAt <= Date.now())
        this.end(c.session.kind === "script" ? "令牌已过期，请重新生成后登录。" : "登录已过期，请重新登录。");
      else this.schedule();
    }, wait);
  }

  private read(): Stored | undefined {
    const raw = this.storage.getItem(SESSION_KEY);
    if (raw) {
      try {
        const { idToken, refreshToken, expiresAt } = JSON.parse(raw) as {
          idToken?: string;
          refreshToken?: string;
          expiresAt?: number;
        };
        if (idToken) {
          const session = sessionFromToken(idToken, "password");
          if (typeof expiresAt === "number") session.expiresAt = expiresAt;
          if (refreshToken) return { session, refreshToken };
          if (session.expiresAt > Date.now()) return { session };
        }
      } catch {
        // a broken entry is dropped
      }
      this.storage.removeItem(SESSION_KEY);
    }
    const token = this.storage.getItem(TOKEN_KEY);
    if (token) {
      try {
        const session = sessionFromToken(token, "script");
        if (session.expiresAt > Date.now()) return { session };
      } catch {
        // a broken token is dropped
      }
      this.storage.removeItem(TOKEN_KEY);
    }
    return undefined;
  }

  private write(next: Stored): void {
    this.storage.setItem(
      SESSION_KEY,
      JSON.stringify({
        idToken: next.session.token,
        refreshToken: next.refreshToken,
        expiresAt: next.session.expiresAt,
      }),
    );
  }

  /** Another tab signed in, renewed or signed out: follow it. */
  private adoptFromStorage(): void {
    const stored = this.read();
    if (!stored) {
      if (this.current) {
        clearTimeout(this.timer);
        this.current = undefined;
        this.emit(undefined, "已在其他窗口退出登录。");
      }
      return;
    }
    if (stored.session.token === this.current?.session.token) return;
    this.set(stored);
  }
}
