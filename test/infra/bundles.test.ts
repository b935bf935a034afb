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
  spotChecks: "该督查任务已经抽过签。",
  assignments: "现场评分只能在到达后、督查时段结束前提交一次。",
  templates: "该版本的考评细则已存在。",
  units: "单位树刚被修改，请重试。",
} as const;

async function bundleOf(handler: string): Promise<string> {
  const out = await build({
    ...CDK_BUNDLING_COPY,
    entryPoints: [handlerEntry(handler)],
    outfile: "index.mjs",
    write: false,
    logLevel: "silent",
  });
  const text = out.outputFiles.find((f) => f.path.endsWith(".mjs"))?.text ?? "";
  // esbuild writes non-ASCII text as \u escapes; the markers are Chinese.
  return text.replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
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
