import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { CDK_BUNDLING_COPY } from "../../bench/bundling";
import { handlerEntry } from "../../lib/constructs/inspection-function";

/**
 * Each handler's bundle carries only the data access it uses: the stores in `services/context.ts`
 * and the record schemas are marked pure, so esbuild drops the ones a handler does not touch. Without
 * that every handler would load every aggregate's code at each cold start (`npm run bench`, phase 1).
 * Bundles are built with the options CDK uses (`bench/bundling.ts`); each store is recognised by a
 * conflict message only it contains.
 */
const STORE_MARKERS = {
  spotChecks: "This spot check has been drawn already.",
  assignments: "Findings can only be submitted once, on site, before the window closes.",
  templates: "This template version exists already.",
  units: "The unit tree changed while this request was processed; try again.",
} as const;

async function bundleOf(handler: string): Promise<string> {
  const out = await build({
    ...CDK_BUNDLING_COPY,
    entryPoints: [handlerEntry(handler)],
    outfile: "index.mjs",
    write: false,
    logLevel: "silent",
  });
  return out.outputFiles.find((f) => f.path.endsWith(".mjs"))?.text ?? "";
}

/** The stores whose code is in a bundle, by their markers. */
async function storesIn(handler: string): Promise<string[]> {
  const code = await bundleOf(handler);
  return Object.entries(STORE_MARKERS)
    .filter(([, marker]) => code.includes(marker))
    .map(([store]) => store);
}

describe("handler bundles", () => {
  it("a template read carries the template store and no other aggregate's", async () => {
    expect(await storesIn("templates/get-template")).toEqual(["templates"]);
  });

  it("the findings route carries the stores it reads and writes, and not the unit tree's", async () => {
    expect(await storesIn("assignments/submit-findings")).toEqual(["spotChecks", "assignments", "templates"]);
  });
});
