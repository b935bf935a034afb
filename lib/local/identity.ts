import { createHash, randomBytes, randomUUID, scrypt, timingSafeEqual } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { join } from "node:path";
import { importJWK, SignJWT } from "jose";
import * as z from "zod/mini";
import { freePort } from "./dynamodb-local";
import { ensureSigningKey, localPool, SIGNING_ALG } from "./jwt";
import type { LocalUserPool } from "./template";

/**
 * The user pool on this machine: the Cognito Identity Provider API (JSON 1.1, the operations this
 * system uses) with Cognito's own semantics, so the same `@aws-sdk/client-cognito-identity-provider`
 * code — the people routes' admin calls and the console's sign-in — runs against it unchanged.
 *
 * Why not cognito-local (docs/people.md): it lets a disabled user sign in, does not
 * check the temporary password or the challenge session, enforces no password policy, and lacks
 * AdminUserGlobalSignOut. Those are exactly the rules a supervision office relies on, so this
 * service implements them: passwords are scrypt hashes, a disabled user and a wrong password get
 * `NotAuthorizedException`, a temporary password must be replaced at first sign-in through a
 * single-use session, refresh tokens are revoked by global sign-out and by disabling. The password
 * policy and token lifetimes are read from the synthesized user pool and app client. Tokens are
 * RS256 JWTs with Cognito's claims, verified by the local gateway through this service's JWKS.
 * State is kept under DATA_DIR/identity (written atomically on every change).
 */

export type PasswordPolicy = LocalUserPool["passwordPolicy"];
export type TokenLifetimes = LocalUserPool["tokens"];

export interface LocalIdentityOptions {
  readonly dataDir: string;
  readonly passwordPolicy: PasswordPolicy;
  readonly tokens: TokenLifetimes;
  /** The groups of the pool (the roles). */
  readonly groups: readonly string[];
  /** Access keys whose signed requests may call the admin operations (the handlers' credentials). */
  readonly adminAccessKeyId: string;
  readonly host?: string;
  /** Origins allowed to call the public operations from a browser (the console). */
  readonly allowedOrigins?: () => readonly string[];
}

const storedUser = z.object({
  username: z.string(),
  sub: z.string(),
  attributes: z.record(z.string(), z.string()),
  groups: z.array(z.string()),
  enabled: z.boolean(),
  status: z.enum(["FORCE_CHANGE_PASSWORD", "CONFIRMED"]),
  passwordHash: z.string(),
  passwordSalt: z.string(),
  /** When a temporary password stops working. */
  temporaryPasswordExpires: z.optional(z.number()),
  created: z.number(),
  modified: z.number(),
});
type StoredUser = z.infer<typeof storedUser>;

const storedState = z.object({
  users: z.record(z.string(), storedUser),
  /** Refresh token hash → its user and expiry. */
  refreshTokens: z.record(z.string(), z.object({ username: z.string(), expires: z.number() })),
});
type StoredState = z.infer<typeof storedState>;
const journalLine = z.object({ u: z.optional(storedUser), r: z.optional(storedState.shape.refreshTokens) });

/** A Cognito service error, answered as the JSON 1.1 protocol does (`__type` and `message`). */
class CognitoError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }
}

const notAuthorized = (message = "Incorrect username or password.") =>
  new CognitoError("NotAuthorizedException", message);

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/**
 * scrypt with N = 2^12: about 10 ms a hash here, so that bringing in an organisation (1,845 accounts
 * in one import) is not held up by hashing; this pool guards a developer's machine, not the cloud's.
 * Hashed off the event loop (libuv's thread pool): the service shares its process with the local
 * gateway and the handlers, which go on meanwhile (hashed on it, the 1,845 accounts of an import
 * held everything else up for 20-27 s).
 */
const SCRYPT = { N: 4096, r: 8, p: 1 };
const scryptAsync = (password: string, salt: string) =>
  new Promise<Buffer>((resolve, reject) =>
    scrypt(password, salt, 32, SCRYPT, (error, key) => (error ? reject(error) : resolve(key))),
  );

async function hashPassword(password: string, salt = randomBytes(16).toString("hex")) {
  const hash = await scryptAsync(password, salt);
  return { passwordHash: hash.toString("hex"), passwordSalt: salt };
}

async function passwordMatches(user: StoredUser, password: string): Promise<boolean> {
  const candidate = await scryptAsync(password, user.passwordSalt);
  const stored = Buffer.from(user.passwordHash, "hex");
  return candidate.length === stored.length && timingSafeEqual(candidate, stored);
}

/** Cognito's own check of a password against the pool's policy. */
export function policyViolation(policy: PasswordPolicy, password: string): string | undefined {
  const missing: string[] = [];
  if (password.length < policy.minimumLength) missing.push(`at least ${policy.minimumLength} characters`);
  if (policy.requireLowercase && !/[a-z]/.test(password)) missing.push("a lowercase letter");
  if (policy.requireUppercase && !/[A-Z]/.test(password)) missing.push("an uppercase letter");
  if (policy.requireNumbers && !/[0-9]/.test(password)) missing.push("a number");
  if (policy.requireSymbols && !/[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+-]/.test(password))
    missing.push("a symbol");
  return missing.length > 0 ? `Password does not conform to policy: needs ${missing.join(", ")}` : undefined;
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

export interface LocalIdentity {
  readonly endpoint: string;
  readonly userPoolId: string;
  readonly clientId: string;
  readonly issuer: string;
  readonly jwksUrl: string;
  stop(): Promise<void>;
}

export async function startLocalIdentity(options: LocalIdentityOptions): Promise<LocalIdentity> {
  const dir = join(options.dataDir, "identity");
  mkdirSync(dir, { recursive: true });
  const stateFile = join(dir, "users.json");
  const pool = await localPool(options.dataDir);
  const keys = await ensureSigningKey(options.dataDir);
  const privateKey = await importJWK(keys.privateJwk, SIGNING_ALG);

  // A snapshot plus a journal of changes since: each change appends one line (the changed user, or
  // the refresh tokens) before it is answered, so a change is durable without rewriting every
  // account; at start the journal is replayed (a torn last line is skipped) and folded in.
  const journalFile = join(dir, "users.journal");
  const state: StoredState = existsSync(stateFile)
    ? storedState.parse(JSON.parse(readFileSync(stateFile, "utf8")))
    : { users: {}, refreshTokens: {} };
  if (existsSync(journalFile)) {
    for (const line of readFileSync(journalFile, "utf8").split("\n")) {
      if (line.trim() === "") continue;
      try {
        const change = journalLine.parse(JSON.parse(line));
        if (change.u) state.users[change.u.username] = change.u;
        if (change.r) state.refreshTokens = change.r;
      } catch {
        // a line torn by a crash in the middle of its append: the change was never answered
      }
    }
  }
  const tmp = `${stateFile}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
  renameSync(tmp, stateFile);
  writeFileSync(journalFile, "", { mode: 0o600 });
  let tokensChanged = false;
  const save = (...users: StoredUser[]) => {
    const lines = users.map((u) => JSON.stringify({ u }));
    if (tokensChanged) lines.push(JSON.stringify({ r: state.refreshTokens }));
    tokensChanged = false;
    if (lines.length > 0) appendFileSync(journalFile, `${lines.join("\n")}\n`);
  };
  /** Challenge sessions: single use, three minutes, in memory (a restart asks to sign in again). */
  const sessions = new Map<string, { username: string; expires: number }>();

  // Accounts by lower-case username and by sub (a pool of thousands is looked up on every call).
  const byName = new Map<string, StoredUser>();
  const bySub = new Map<string, StoredUser>();
  const index = (u: StoredUser) => {
    byName.set(u.username.toLowerCase(), u);
    bySub.set(u.sub, u);
  };
  for (const u of Object.values(state.users)) index(u);
  const findUser = (name: string): StoredUser | undefined =>
    byName.get(name.toLowerCase()) ?? bySub.get(name);
  const requireUser = (name: unknown): StoredUser => {
    const user = typeof name === "string" ? findUser(name) : undefined;
    if (!user) throw new CognitoError("UserNotFoundException", "User does not exist.");
    return user;
  };
  const requirePool = (body: Record<string, unknown>) => {
    if (body.UserPoolId !== pool.userPoolId)
      throw new CognitoError(
        "ResourceNotFoundException",
        `User pool ${String(body.UserPoolId)} does not exist.`,
      );
  };
  const requireClient = (body: Record<string, unknown>) => {
    if (body.ClientId !== pool.clientId)
      throw new CognitoError("ResourceNotFoundException", "User pool client does not exist.");
  };
  const attributeList = (u: StoredUser) =>
    Object.entries({ ...u.attributes, sub: u.sub }).map(([Name, Value]) => ({ Name, Value }));
  const userView = (u: StoredUser) => ({
    Username: u.username,
    Attributes: attributeList(u),
    UserAttributes: attributeList(u),
    UserCreateDate: u.created / 1000,
    UserLastModifiedDate: u.modified / 1000,
    Enabled: u.enabled,
    UserStatus: u.status,
  });
  const readAttributes = (list: unknown): Record<string, string> => {
    const out: Record<string, string> = {};
    if (Array.isArray(list)) {
      for (const a of list) {
        const name = str((a as { Name?: unknown }).Name);
        const value = str((a as { Value?: unknown }).Value);
        if (name && value !== undefined && name !== "sub") out[name] = value;
      }
    }
    return out;
  };
  const setPassword = async (user: StoredUser, password: string, temporary: boolean) => {
    const violation = policyViolation(options.passwordPolicy, password);
    if (violation) throw new CognitoError("InvalidPasswordException", violation);
    Object.assign(user, await hashPassword(password), {
      status: temporary ? "FORCE_CHANGE_PASSWORD" : "CONFIRMED",
      temporaryPasswordExpires: temporary
        ? Date.now() + options.passwordPolicy.temporaryPasswordValidityDays * 86_400_000
        : undefined,
      modified: Date.now(),
    });
  };
  const revokeRefreshTokens = (username: string) => {
    tokensChanged = true;
    for (const [hash, t] of Object.entries(state.refreshTokens))
      if (t.username === username) delete state.refreshTokens[hash];
  };

  const tokensFor = async (user: StoredUser, withRefresh: boolean) => {
    const now = Math.floor(Date.now() / 1000);
    const sign = (claims: Record<string, unknown>, ttl: number) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: SIGNING_ALG, kid: keys.publicJwk.kid ?? "local", typ: "JWT" })
        .setSubject(user.sub)
        .setIssuer(pool.issuer)
        .setIssuedAt(now)
        .setExpirationTime(now + ttl)
        .setJti(randomUUID())
        .sign(privateKey);
    const groups = user.groups.length > 0 ? { "cognito:groups": user.groups } : {};
    const IdToken = await sign(
      {
        ...groups,
        ...user.attributes,
        "cognito:username": user.username,
        aud: pool.clientId,
        token_use: "id",
        auth_time: now,
      },
      options.tokens.idTokenSeconds,
    );
    const AccessToken = await sign(
      {
        ...groups,
        client_id: pool.clientId,
        username: user.username,
        token_use: "access",
        scope: "aws.cognito.signin.user.admin",
      },
      options.tokens.accessTokenSeconds,
    );
    let RefreshToken: string | undefined;
    if (withRefresh) {
      RefreshToken = randomBytes(48).toString("base64url");
      tokensChanged = true;
      state.refreshTokens[sha256(RefreshToken)] = {
        username: user.username,
        expires: Date.now() + options.tokens.refreshTokenSeconds * 1000,
      };
      save();
    }
    return {
      AuthenticationResult: {
        IdToken,
        AccessToken,
        ...(RefreshToken ? { RefreshToken } : {}),
        ExpiresIn: options.tokens.idTokenSeconds,
        TokenType: "Bearer",
      },
      ChallengeParameters: {},
    };
  };

  const operations: Record<string, (body: Record<string, unknown>) => Promise<unknown> | unknown> = {
    AdminCreateUser: async (body) => {
      requirePool(body);
      const username = str(body.Username);
      if (!username || !/^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u.test(username))
        throw new CognitoError("InvalidParameterException", "Invalid username.");
      if (findUser(username))
        throw new CognitoError("UsernameExistsException", "User account already exists.");
      const temporary = str(body.TemporaryPassword) ?? `Tmp-${randomBytes(9).toString("base64url")}1a!`;
      const user: StoredUser = {
        username,
        sub: randomUUID(),
        attributes: readAttributes(body.UserAttributes),
        groups: [],
        enabled: true,
        status: "FORCE_CHANGE_PASSWORD",
        passwordHash: "",
        passwordSalt: "",
        created: Date.now(),
        modified: Date.now(),
      };
      await setPassword(user, temporary, true);
      // Another call may have created the same username while this one hashed.
      if (findUser(username))
        throw new CognitoError("UsernameExistsException", "User account already exists.");
      state.users[user.username] = user;
      index(user);
      save(user);
      return { User: userView(user) };
    },
    AdminGetUser: (body) => {
      requirePool(body);
      return userView(requireUser(body.Username));
    },
    AdminUpdateUserAttributes: (body) => {
      requirePool(body);
      const user = requireUser(body.Username);
      Object.assign(user.attributes, readAttributes(body.UserAttributes));
      user.modified = Date.now();
      save(user);
      return {};
    },
    AdminDeleteUserAttributes: (body) => {
      requirePool(body);
      const user = requireUser(body.Username);
      for (const name of Array.isArray(body.UserAttributeNames) ? body.UserAttributeNames : [])
        if (typeof name === "string") delete user.attributes[name];
      save(user);
      return {};
    },
    AdminAddUserToGroup: (body) => {
      requirePool(body);
      const user = requireUser(body.Username);
      const group = str(body.GroupName);
      if (!group || !options.groups.includes(group))
        throw new CognitoError("ResourceNotFoundException", "Group not found.");
      if (!user.groups.includes(group)) user.groups.push(group);
      save(user);
      return {};
    },
    AdminRemoveUserFromGroup: (body) => {
      requirePool(body);
      const user = requireUser(body.Username);
      user.groups = user.groups.filter((g) => g !== body.GroupName);
      save(user);
      return {};
    },
    AdminListGroupsForUser: (body) => {
      requirePool(body);
      return { Groups: requireUser(body.Username).groups.map((GroupName) => ({ GroupName })) };
    },
    AdminDisableUser: (body) => {
      requirePool(body);
      const user = requireUser(body.Username);
      user.enabled = false;
      // Cognito also refuses a disabled user's refresh tokens.
      revokeRefreshTokens(user.username);
      save(user);
      return {};
    },
    AdminEnableUser: (body) => {
      requirePool(body);
      const user = requireUser(body.Username);
      user.enabled = true;
      save(user);
      return {};
    },
    AdminSetUserPassword: async (body) => {
      requirePool(body);
      const user = requireUser(body.Username);
      await setPassword(user, str(body.Password) ?? "", body.Permanent !== true);
      if (body.Permanent !== true) revokeRefreshTokens(user.username);
      save(user);
      return {};
    },
    AdminUserGlobalSignOut: (body) => {
      requirePool(body);
      revokeRefreshTokens(requireUser(body.Username).username);
      save();
      return {};
    },
    InitiateAuth: async (body) => {
      requireClient(body);
      const params = (body.AuthParameters ?? {}) as Record<string, unknown>;
      if (body.AuthFlow === "USER_PASSWORD_AUTH") {
        const user = findUser(str(params.USERNAME) ?? "");
        // The same answer for an unknown user and a wrong password (preventUserExistenceErrors).
        if (!user || !(await passwordMatches(user, str(params.PASSWORD) ?? ""))) throw notAuthorized();
        if (!user.enabled) throw notAuthorized("User is disabled.");
        if (user.status === "FORCE_CHANGE_PASSWORD") {
          if ((user.temporaryPasswordExpires ?? 0) < Date.now())
            throw notAuthorized("Temporary password has expired and must be reset by an administrator.");
          const session = randomBytes(32).toString("base64url");
          sessions.set(session, { username: user.username, expires: Date.now() + 3 * 60_000 });
          return {
            ChallengeName: "NEW_PASSWORD_REQUIRED",
            Session: session,
            ChallengeParameters: {
              USER_ID_FOR_SRP: user.username,
              requiredAttributes: "[]",
              userAttributes: "{}",
            },
          };
        }
        return tokensFor(user, true);
      }
      if (body.AuthFlow === "REFRESH_TOKEN_AUTH" || body.AuthFlow === "REFRESH_TOKEN") {
        const token = str(params.REFRESH_TOKEN) ?? "";
        const known = state.refreshTokens[sha256(token)];
        if (!known || known.expires < Date.now()) throw notAuthorized("Invalid Refresh Token.");
        const user = findUser(known.username);
        if (!user) throw notAuthorized("Invalid Refresh Token.");
        if (!user.enabled) throw notAuthorized("User is disabled.");
        return tokensFor(user, false);
      }
      throw new CognitoError(
        "InvalidParameterException",
        `Auth flow ${String(body.AuthFlow)} is not enabled for this client.`,
      );
    },
    RespondToAuthChallenge: async (body) => {
      requireClient(body);
      if (body.ChallengeName !== "NEW_PASSWORD_REQUIRED")
        throw new CognitoError("InvalidParameterException", "Unsupported challenge.");
      const session = sessions.get(str(body.Session) ?? "");
      sessions.delete(str(body.Session) ?? "");
      if (!session || session.expires < Date.now())
        throw notAuthorized("Invalid session for the user, session is expired.");
      const responses = (body.ChallengeResponses ?? {}) as Record<string, unknown>;
      const user = requireUser(session.username);
      if (str(responses.USERNAME) && findUser(str(responses.USERNAME) ?? "") !== user)
        throw notAuthorized("Invalid session for the user.");
      if (!user.enabled) throw notAuthorized("User is disabled.");
      await setPassword(user, str(responses.NEW_PASSWORD) ?? "", false);
      save(user);
      return tokensFor(user, true);
    },
    RevokeToken: (body) => {
      requireClient(body);
      delete state.refreshTokens[sha256(str(body.Token) ?? "")];
      tokensChanged = true;
      save();
      return {};
    },
  };
  const publicOperations = new Set(["InitiateAuth", "RespondToAuthChallenge", "RevokeToken"]);

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const origin = req.headers.origin;
    const allowed = origin && (options.allowedOrigins?.() ?? []).includes(origin);
    const cors: Record<string, string> = allowed
      ? {
          "access-control-allow-origin": origin,
          "access-control-allow-methods": "POST",
          "access-control-allow-headers": "content-type, x-amz-target, x-amz-user-agent",
          "access-control-max-age": "3600",
          vary: "origin",
        }
      : {};
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, { "content-type": "application/x-amz-json-1.1", ...cors });
      res.end(JSON.stringify(payload));
    };
    if (req.method === "OPTIONS") {
      res.writeHead(allowed ? 204 : 403, cors);
      res.end();
      return;
    }
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method === "GET" && url.pathname === `/${pool.userPoolId}/.well-known/jwks.json`) {
      const { d: _private, ...publicJwk } = keys.publicJwk;
      res.writeHead(200, { "content-type": "application/json", ...cors });
      res.end(JSON.stringify({ keys: [{ ...publicJwk, use: "sig" }] }));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers["x-amz-target"] ?? "");
    const operation = target.startsWith("AWSCognitoIdentityProviderService.")
      ? target.slice("AWSCognitoIdentityProviderService.".length)
      : "";
    try {
      const run = operations[operation];
      if (!run)
        throw new CognitoError("UnknownOperationException", `Not supported locally: ${operation || target}`);
      if (!publicOperations.has(operation)) {
        // Admin operations are signed with the handlers' credentials (SigV4), as IAM requires in AWS.
        const auth = String(req.headers.authorization ?? "");
        if (!auth.includes(`Credential=${options.adminAccessKeyId}/`))
          throw new CognitoError(
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
            403,
          );
      }
      let body: Record<string, unknown> = {};
      try {
        body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : {};
      } catch {
        throw new CognitoError("SerializationException", "Malformed JSON");
      }
      reply(200, await run(body));
    } catch (error) {
      if (error instanceof CognitoError) reply(error.status, { __type: error.type, message: error.message });
      else
        reply(500, {
          __type: "InternalErrorException",
          message: error instanceof Error ? error.message : String(error),
        });
    }
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });
  const host = options.host ?? "127.0.0.1";
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const endpoint = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`;
  return {
    endpoint,
    userPoolId: pool.userPoolId,
    clientId: pool.clientId,
    issuer: pool.issuer,
    jwksUrl: `${endpoint}/${pool.userPoolId}/.well-known/jwks.json`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
