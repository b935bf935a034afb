import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { handlerEntry } from "../../lib/constructs/inspection-function";

/**
 * Each handler's bundle carries only the data access it uses: the stores in `services/context.ts`
 * and the record schemas are marked pure, so esbuild drops the ones a handler does not touch. Without
 * that every handler would load every aggregate's code at each cold start (`npm run bench`, phase 1).
 * Each store is recognised by a conflict message only it contains.
 */
const STORE_MARKERS = {
  spotChecks: "This spot check has been drawn already.",
  assignments: "Findings can only be submitted once, on site, before the window closes.",
  templates: "This template version exists already.",
  units: "The unit tree changed while this request was processed; try again.",
} as const;

async function bundleOf(handler: string): Promise<string> {
  const out = await build({
    entryPoints: [handlerEntry(handler)],
    bundle: true,
    platform: "node",
    format: "esm",
    minify: true,
    target: "node22",
    mainFields: ["module", "main"],
    write: false,
    logLevel: "silent",
  });
  return out.outputFiles[0]?.text ?? "";
}

describe("handler bundles", () => {
  it("a template read carries the template store and no other aggregate's", async () => {
    const code = await bundleOf("templates/get-template");
    expect(code).not.toContain(STORE_MARKERS.spotChecks);
    expect(code).not.toContain(STORE_MARKERS.assignments);
    expect(code).not.toContain(STORE_MARKERS.units);
    expect(code).toContain(STORE_MARKERS.templates);
  });

  it("the findings route carries the stores it reads and writes", async () => {
    const code = await bundleOf("assignments/submit-findings");
    expect(code).toContain(STORE_MARKERS.assignments);
    expect(code).toContain(STORE_MARKERS.spotChecks);
    expect(code).not.toContain(STORE_MARKERS.units);
  });
});
