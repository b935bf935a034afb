import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload, jwtVerify, SignJWT } from "jose";
import * as z from "zod/mini";

/**
 * The local stand-in for Cognito: an ES256 key pair generated on first start under DATA_DIR, used
 * by `npm run token` to sign tokens and by the local server to verify them, as API Gateway's JWT
 * authorizer does with the user pool's keys.
 */
export const LOCAL_ISSUER = "urn:spot-inspections:local";
export const LOCAL_AUDIENCE = "spot-inspections-local";
const ALG = "ES256";

interface KeyFiles {
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
}

const Jwk = z.looseObject({
  kty: z.string(),
  crv: z.optional(z.string()),
  x: z.optional(z.string()),
  y: z.optional(z.string()),
  d: z.optional(z.string()),
  kid: z.optional(z.string()),
  alg: z.optional(z.string()),
});
const KeyFilesSchema = z.object({ privateJwk: Jwk, publicJwk: Jwk });

/** The key file is read back from disk, so it is parsed rather than trusted. */
function readKeyFiles(path: string): KeyFiles {
  const parsed = KeyFilesSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
  if (!parsed.success)
    throw new Error(`${path} is not a signing key file; delete it to generate a new key pair`);
  return parsed.data;
}

function keyPath(dataDir: string) {
  return join(dataDir, "jwt-signing-key.json");
}

export async function ensureSigningKey(dataDir: string): Promise<KeyFiles> {
  const path = keyPath(dataDir);
  if (existsSync(path)) return readKeyFiles(path);
  mkdirSync(dataDir, { recursive: true });
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
  const files: KeyFiles = {
    privateJwk: { ...(await exportJWK(privateKey)), kid: "local-1", alg: ALG },
    publicJwk: { ...(await exportJWK(publicKey)), kid: "local-1", alg: ALG },
  };
  try {
    // Exclusive create: if `npm run token` and the server's first start race, both use the first key.
    writeFileSync(path, JSON.stringify(files), { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return readKeyFiles(path);
    throw error;
  }
  return files;
}

export interface TokenClaims {
  readonly sub: string;
  readonly groups: readonly string[];
  readonly unitId?: string | undefined;
  readonly ttlSeconds?: number;
}

export async function issueToken(dataDir: string, claims: TokenClaims): Promise<string> {
  const { privateJwk } = await ensureSigningKey(dataDir);
  const key = await importJWK(privateJwk, ALG);
  return new SignJWT({
    "cognito:groups": [...claims.groups],
    ...(claims.unitId ? { "custom:unitId": claims.unitId } : {}),
    token_use: "id",
  })
    .setProtectedHeader({ alg: ALG, kid: "local-1", typ: "JWT" })
    .setSubject(claims.sub)
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${claims.ttlSeconds ?? 12 * 3600}s`)
    .sign(key);
}

export type TokenVerifier = (token: string) => Promise<JWTPayload>;

export async function tokenVerifier(dataDir: string): Promise<TokenVerifier> {
  const { publicJwk } = await ensureSigningKey(dataDir);
  const key = await importJWK(publicJwk, ALG);
  return async (token) => {
    const { payload } = await jwtVerify(token, key, {
      issuer: LOCAL_ISSUER,
      audience: LOCAL_AUDIENCE,
      algorithms: [ALG],
    });
    return payload;
  };
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
