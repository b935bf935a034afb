import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import { VitePWA } from "vite-plugin-pwa";

/**
 * The web console: a static bundle in web/dist, served at `/` by the local server
 * (lib/local/console.ts) and from S3 + CloudFront in the cloud (lib/constructs/web-console.ts).
 * Assets go under /assets/, a prefix no API route uses; pages route by hash (#/dashboard).
 */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  plugins: [
    // An installable app that opens offline (docs/offline.md): the manifest and its icons (public/),
    // and web/src/sw.ts built into sw.js with the list of every file of the build to precache.
    VitePWA({
      strategies: "injectManifest",
      srcDir: "src",
      filename: "sw.ts",
      injectRegister: false,
      injectManifest: {
        globPatterns: ["**/*.{js,css,html}"],
        maximumFileSizeToCacheInBytes: 1024 * 1024,
      },
      // The manifest and its icons are precached by the plugin itself; these two besides.
      includeAssets: ["icons/favicon-32.png", "icons/apple-touch-icon.png"],
      manifest: {
        id: "./",
        name: "四不两直 · 督查督办平台",
        short_name: "督查督办",
        description: "四不两直督查：现场检查、取证和整改督办，没有网络时也能记录。",
        lang: "zh-CN",
        dir: "ltr",
        start_url: "./",
        scope: "./",
        display: "standalone",
        orientation: "portrait",
        background_color: "#f5f6f8",
        theme_color: "#b71c1c",
        icons: [
          { src: "icons/icon-192.png", sizes: "192x192", type: "image/png" },
          { src: "icons/icon-512.png", sizes: "512x512", type: "image/png" },
          { src: "icons/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
        ],
      },
    }),
  ],
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
