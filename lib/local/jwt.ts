import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  createRemoteJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from "jose";
import * as z from "zod/mini";

/**
 * The local user pool's identity and signing key, kept under DATA_DIR/identity: the pool and app
 * client ids (the issuer and the audience of every local token) and an RS256 key pair, as Cognito
 * signs. The local identity service (./identity.ts) signs sign-in tokens with it and serves its JWKS;
 * `npm run token` signs script tokens with it directly; the local gateway verifies both through the
 * JWKS, the issuer and the audience, as API Gateway's JWT authorizer does.
 */
export const SIGNING_ALG = "RS256";

interface KeyFiles {
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
}

const Jwk = z.looseObject({ kty: z.string(), kid: z.optional(z.string()), alg: z.optional(z.string()) });
const KeyFilesSchema = z.object({ privateJwk: Jwk, publicJwk: Jwk });
const PoolSchema = z.object({ userPoolId: z.string(), clientId: z.string() });

function identityDir(dataDir: string) {
  const dir = join(dataDir, "identity");
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Writes a file only if it does not exist yet, so concurrent first starts agree on one value. */
function createOnce<T>(path: string, schema: z.ZodMiniType<T>, make: () => T): T {
  if (!existsSync(path)) {
    try {
      writeFileSync(path, JSON.stringify(make()), { mode: 0o600, flag: "wx" });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  return readJson(path, schema);
}

/** Files read back from disk are parsed, not trusted. */
function readJson<T>(path: string, schema: z.ZodMiniType<T>): T {
  const parsed = z.safeParse(schema, JSON.parse(readFileSync(path, "utf8")));
  if (!parsed.success) throw new Error(`${path} is damaged; delete it to start a new local user pool`);
  return parsed.data;
}

export interface LocalPool {
  readonly userPoolId: string;
  readonly clientId: string;
  /** The `iss` of every local token: the pool's URL, as Cognito names it by its pool. */
  readonly issuer: string;
}

export async function localPool(dataDir: string): Promise<LocalPool> {
  const ids = createOnce(join(identityDir(dataDir), "pool.json"), PoolSchema, () => ({
    userPoolId: `local_${randomBytes(6).toString("hex")}`,
    clientId: randomBytes(13).toString("hex"),
  }));
  return { ...ids, issuer: `http://localhost/${ids.userPoolId}` };
}

const signingKeyPath = (dataDir: string) => join(dataDir, "identity", "signing-key.json");

/** Whether DATA_DIR holds a local server's signing key (a script's token is useless without it). */
export function localSigningKeyExists(dataDir: string): boolean {
  return existsSync(signingKeyPath(dataDir));
}

export async function ensureSigningKey(dataDir: string): Promise<KeyFiles> {
  identityDir(dataDir);
  const path = signingKeyPath(dataDir);
  if (existsSync(path)) return readJson(path, KeyFilesSchema);
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const kid = randomBytes(8).toString("hex");
  const files = {
    privateJwk: { ...(await exportJWK(privateKey)), kty: "RSA", kid, alg: SIGNING_ALG },
    publicJwk: { ...(await exportJWK(publicKey)), kty: "RSA", kid, alg: SIGNING_ALG },
  };
  return createOnce(path, KeyFilesSchema, () => files);
}

export interface TokenClaims {
  readonly sub: string;
  readonly groups: readonly string[];
  readonly unitId?: string | undefined;
  readonly ttlSeconds?: number;
}

/** A script token (`npm run token`): an ID token of the local pool for any subject and groups. */
export async function issueToken(dataDir: string, claims: TokenClaims): Promise<string> {
  const [{ privateJwk }, pool] = await Promise.all([ensureSigningKey(dataDir), localPool(dataDir)]);
  const key = await importJWK(privateJwk, SIGNING_ALG);
  return new SignJWT({
    "cognito:groups": [...claims.groups],
    ...(claims.unitId ? { "custom:unitId": claims.unitId } : {}),
    "cognito:username": claims.sub,
    token_use: "id",
  })
    .setProtectedHeader({ alg: SIGNING_ALG, kid: privateJwk.kid ?? "local", typ: "JWT" })
    .setSubject(claims.sub)
    .setIssuer(pool.issuer)
    .setAudience(pool.clientId)
    .setIssuedAt()
    .setExpirationTime(`${claims.ttlSeconds ?? 12 * 3600}s`)
    .sign(key);
}

export type TokenVerifier = (token: string) => Promise<JWTPayload>;

/** Verifies as API Gateway's JWT authorizer does: signature by the pool's JWKS, issuer, audience, expiry. */
export function tokenVerifier(
  jwksUrl: string,
  issuer: string,
  audience: string,
): TokenVerifier & { loadKeys(): Promise<void> } {
  const jwks = createRemoteJWKSet(new URL(jwksUrl));
  const verify = async (token: string) => {
    const { payload } = await jwtVerify(token, jwks, { issuer, audience, algorithms: [SIGNING_ALG] });
    return payload;
  };
  // The keys fetched before the first request: a first fetch while the process is still busy
  // loading handlers could pass jose's 5 s timeout and turn a valid token into a 401.
  return Object.assign(verify, { loadKeys: () => jwks.reload() });
}

/**
 * API Gateway's JWT authorizer hands claims to the Lambda as strings, flattening arrays into
 * `"[a b]"`; the local server does the same so the handlers see exactly what they see in the cloud.
 */
export function claimsAsApiGatewayPassesThem(payload: JWTPayload): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (Array.isArray(value)) out[name] = `[${value.join(" ")}]`;
    else if (typeof value === "object" && value !== null) out[name] = JSON.stringify(value);
    else out[name] = String(value);
  }
  return out;
}
