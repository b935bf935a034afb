import { createReadStream, readFileSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, gzipSync, constants as zlibConstants } from "node:zlib";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The built web console (`npm run build:web`); `CONSOLE_DIR` points elsewhere (the tests build their own). */
export const DEFAULT_CONSOLE_DIR = join(ROOT, "web", "dist");

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".webmanifest": "application/manifest+json",
};

/** Text the console's files are compressed for, as CloudFront compresses them in the cloud (`compress: true`). */
const COMPRESSIBLE = /^(text\/|application\/(json|javascript|manifest\+json)|image\/svg)/;

/** Brotli when the browser takes it, else gzip (what CloudFront picks too), else none. */
function acceptedEncoding(req: IncomingMessage): "br" | "gzip" | undefined {
  const accept = String(req.headers["accept-encoding"] ?? "");
  const takes = (name: string) =>
    accept.split(",").some((part) => {
      const [token, ...params] = part.trim().split(";");
      const q = params.find((p) => p.trim().startsWith("q="));
      return token?.trim() === name && (q === undefined || Number(q.trim().slice(2)) > 0);
    });
  if (takes("br")) return "br";
  if (takes("gzip")) return "gzip";
  return undefined;
}

/** Each file compressed once per build (by path and modification time), at the strongest setting. */
const compressedFiles = new Map<string, Buffer>();
function compressed(file: string, modified: number, encoding: "br" | "gzip"): Buffer {
  const key = `${encoding} ${modified} ${file}`;
  let body = compressedFiles.get(key);
  if (!body) {
    const raw = readFileSync(file);
    body =
      encoding === "br"
        ? brotliCompressSync(raw, {
            params: {
              [zlibConstants.BROTLI_PARAM_QUALITY]: 11,
              [zlibConstants.BROTLI_PARAM_SIZE_HINT]: raw.length,
            },
          })
        : gzipSync(raw, { level: 9 });
    if (compressedFiles.size > 500) compressedFiles.clear();
    compressedFiles.set(key, body);
  }
  return body;
}

/** The same headers CloudFront adds in the cloud (lib/constructs/web-console.ts). */
const SECURITY_HEADERS: Record<string, string> = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
};

/**
 * The console's content security policy: its own origin, plus the local parts the browser talks to
 * directly — the object store (presigned uploads and downloads of evidence) and the identity
 * service (sign-in) — as the cloud console's policy names S3 and Cognito.
 */
function contentSecurityPolicy(origins: readonly string[]): string {
  const extra = origins.length > 0 ? ` ${origins.join(" ")}` : "";
  return (
    `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:${extra}; ` +
    `connect-src 'self'${extra}; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'`
  );
}

/**
 * What `config.json` says on this machine: the same-origin API, and where people sign in (the local
 * identity service's Cognito API and the app client's id). A token from `npm run token` also works.
 */
export interface LocalConsoleConfig {
  readonly mode: "local";
  readonly apiUrl: "";
  readonly signIn?: { readonly endpoint: string; readonly clientId: string; readonly userPoolId: string };
}

const NOT_BUILT = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>控制台尚未构建</title>
<body style="font-family:sans-serif;max-width:40rem;margin:3rem auto;line-height:1.6">
<h1>Web 控制台尚未构建</h1><p>运行 <code>npm run build:web</code>（或重新运行 <code>npm start</code>，它会先构建），然后刷新本页。
API 照常可用：<a href="/openapi.json">/openapi.json</a>。</p></body></html>`;

export interface ConsoleOptions {
  /** @default process.env.CONSOLE_DIR ?? web/dist */
  readonly dir?: string;
  /** `config.json`. */
  readonly config?: LocalConsoleConfig;
  /** Origins of the local parts the browser calls directly (object store, identity service). */
  readonly origins?: readonly string[];
}

/**
 * Serves the web console for the local API gateway's `fallback`: `GET`/`HEAD` of `/` (index.html),
 * `/config.json` and the files of the built bundle. Anything else — other methods, paths that are no
 * file of the bundle, attempts to leave its directory — is left to the gateway, which answers its
 * usual 404 problem, so the API answers exactly as it does without the console.
 */
export function createConsoleHandler(options: ConsoleOptions = {}) {
  const dir = resolve(options.dir ?? process.env.CONSOLE_DIR ?? DEFAULT_CONSOLE_DIR);
  const headers = {
    ...SECURITY_HEADERS,
    "content-security-policy": contentSecurityPolicy(options.origins ?? []),
  };
  const config: LocalConsoleConfig = options.config ?? { mode: "local", apiUrl: "" };

  const send = (
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    type: string,
    body: string | Buffer,
  ) => {
    res.writeHead(status, {
      ...headers,
      "content-type": type,
      "content-length": Buffer.byteLength(body),
      "cache-control": "no-cache",
    });
    res.end(req.method === "HEAD" ? undefined : body);
  };

  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const method = (req.method ?? "GET").toUpperCase();
    if (method !== "GET" && method !== "HEAD") return false;
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    } catch {
      return false;
    }
    if (pathname.includes("\0") || pathname.includes("\\")) return false;
    if (pathname.split("/").some((segment) => segment === ".." || segment === ".")) return false;

    if (pathname === "/config.json") {
      send(req, res, 200, CONTENT_TYPES[".json"]!, JSON.stringify(config));
      return true;
    }
    const relative = pathname === "/" ? "index.html" : pathname.slice(1);
    const file = resolve(dir, relative);
    if (file !== dir && !file.startsWith(dir + sep)) return false;

    let size: number;
    let modified: number;
    try {
      const stat = statSync(file);
      if (!stat.isFile()) return false;
      size = stat.size;
      modified = stat.mtimeMs;
    } catch {
      if (pathname === "/" || pathname === "/index.html") {
        send(req, res, 503, CONTENT_TYPES[".html"]!, NOT_BUILT);
        return true;
      }
      return false;
    }
    const hashed = relative.startsWith("assets/");
    const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? "application/octet-stream";
    const common = {
      ...headers,
      "content-type": type,
      // Vite names assets by content hash; index.html and sw.js must be revalidated to pick up a new build.
      "cache-control": hashed ? "public, max-age=31536000, immutable" : "no-cache",
    };
    const encoding = COMPRESSIBLE.test(type) && size >= 1024 ? acceptedEncoding(req) : undefined;
    if (encoding) {
      const body = compressed(file, modified, encoding);
      res.writeHead(200, {
        ...common,
        "content-encoding": encoding,
        "content-length": body.length,
        vary: "accept-encoding",
      });
      res.end(method === "HEAD" ? undefined : body);
      return true;
    }
    res.writeHead(200, { ...common, "content-length": size, vary: "accept-encoding" });
    if (method === "HEAD") {
      res.end();
      return true;
    }
    createReadStream(file)
      .on("error", () => res.destroy())
      .pipe(res);
    return true;
  };
}
