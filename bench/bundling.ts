import type { BuildOptions } from "esbuild";
import { ESM_REQUIRE_BANNER } from "../lib/constructs/inspection-function";

// ---- ONE CLEARLY MARKED COPY ----------------------------------------------------------------
// The esbuild options of InspectionFunction (lib/constructs/inspection-function.ts, `bundling`), as
// NodejsFunction passes them to esbuild. The construct keeps them inside its constructor, so they
// cannot be imported; this copy builds the bench's floor bundles and size breakdowns and the bundle
// test's handlers, and the cold-start run checks it: a handler built with it must be byte-identical
// to the CDK bundle of that handler.
export const CDK_BUNDLING_COPY: BuildOptions = {
  bundle: true,
  platform: "node",
  format: "esm",
  minify: true,
  sourcemap: true,
  target: "node22",
  mainFields: ["module", "main"],
  banner: { js: ESM_REQUIRE_BANNER },
  outExtension: { ".js": ".mjs" },
  // The default: no SDK tracing (`-c sdkTracing=true` builds the tracer in; lambdas/shared/tracer.ts).
  define: { "process.env.SPOT_SDK_TRACING": JSON.stringify("false") },
};
// ---- END OF COPY ----------------------------------------------------------------------------
