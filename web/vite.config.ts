import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/**
 * The web console: a static bundle in web/dist, served at `/` by the local server
 * (lib/local/console.ts) and from S3 + CloudFront in the cloud (lib/constructs/web-console.ts).
 * Assets go under /assets/, a prefix no API route uses; pages route by hash (#/dashboard).
 */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: { proxy: { "^/(?!src/|@|node_modules/|assets/|index\\.html|$).*": "http://localhost:3000" } },
});
