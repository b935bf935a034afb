import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { CDK_BUNDLING_COPY } from "../../bench/bundling";
import { routes } from "../../lambdas/api/routes";
import { DOCUMENT_FONT_NAMES, documentFontFiles } from "../../lambdas/shared/document-fonts";
import { copyIntoBundle, handlerEntry } from "../../lib/constructs/inspection-function";

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

/** The npm packages a handler's bundle is built from (esbuild's metafile). */
async function packagesIn(handler: string): Promise<Set<string>> {
  const out = await build({
    ...CDK_BUNDLING_COPY,
    entryPoints: [handlerEntry(handler)],
    outfile: "index.mjs",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const packages = new Set<string>();
  for (const input of Object.keys(out.metafile.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m?.[1]) packages.add(m[1]);
  }
  return packages;
}

const DOCUMENT_LIBRARIES = ["docx", "pdfkit", "fontkit", "jszip", "exceljs"];

describe("document bundles", () => {
  it("the heavy document libraries are only in the routes that make documents, each in its own", async () => {
    const expected: Record<string, string[]> = {
      "spot-checks/get-bulletin-docx": ["docx"],
      "spot-checks/get-bulletin-pdf": ["pdfkit", "fontkit"],
      "assignments/get-evidence-pack": ["jszip"],
      // exceljs writes its zip with jszip.
      "oversight/dashboard-xlsx": ["exceljs", "jszip"],
    };
    for (const [handler, libraries] of Object.entries(expected)) {
      const packages = await packagesIn(handler);
      expect(
        DOCUMENT_LIBRARIES.filter((l) => packages.has(l)),
        handler,
      ).toEqual(DOCUMENT_LIBRARIES.filter((l) => libraries.includes(l)));
    }
    // The routes that serve the same data as JSON carry none of them.
    for (const handler of ["spot-checks/get-bulletin", "oversight/dashboard", "assignments/get-assignment"]) {
      const packages = await packagesIn(handler);
      expect(
        DOCUMENT_LIBRARIES.filter((l) => packages.has(l)),
        handler,
      ).toEqual([]);
    }
    expect(
      routes
        .filter((r) => "document" in r)
        .map((r) => r.handler)
        .sort(),
    ).toEqual(Object.keys(expected).sort());
  });

  it("the PDF writer, bundled as CDK bundles it and run away from node_modules, embeds the fonts the construct copies beside it", async () => {
    const outdir = mkdtempSync(join(tmpdir(), "pdf-bundle-"));
    await build({
      ...CDK_BUNDLING_COPY,
      entryPoints: [fileURLToPath(new URL("./fixtures/render-bulletin-pdf.ts", import.meta.url))],
      outfile: join(outdir, "index.mjs"),
      logLevel: "silent",
    });
    const copy = spawnSync("bash", ["-c", copyIntoBundle(documentFontFiles(), outdir).join(" && ")]);
    expect(copy.status, copy.stderr?.toString()).toBe(0);
    const pdfPath = join(outdir, "bulletin.pdf");
    const run = spawnSync(process.execPath, [join(outdir, "index.mjs"), pdfPath], {
      cwd: outdir,
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "" },
    });
    expect(run.status, run.stderr).toBe(0);
    const pdf = readFileSync(pdfPath).toString("latin1");
    for (const name of Object.values(DOCUMENT_FONT_NAMES)) {
      expect(pdf).toMatch(new RegExp(`/BaseFont /[A-Z]{6}\\+${name}\\b`));
    }
    expect(pdf).toContain("/FontFile2");
  });

  it("each document route's bundle loads in Node as Lambda loads it (no require left unresolved)", async () => {
    for (const route of routes.filter((r) => "document" in r)) {
      const outdir = mkdtempSync(join(tmpdir(), "doc-route-"));
      await build({
        ...CDK_BUNDLING_COPY,
        entryPoints: [handlerEntry(route.handler)],
        outfile: join(outdir, "index.mjs"),
        logLevel: "silent",
      });
      const run = spawnSync(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          "const m = await import('./index.mjs'); if (typeof m.handler !== 'function') process.exit(3);",
        ],
        {
          cwd: outdir,
          encoding: "utf8",
          env: {
            PATH: process.env.PATH ?? "",
            AWS_REGION: "eu-west-1",
            TABLE_NAME: "table",
            EVIDENCE_BUCKET: "bucket",
            POWERTOOLS_SERVICE_NAME: "spot-inspections",
          },
        },
      );
      expect(run.status, `${route.handler}: ${run.stderr}`).toBe(0);
    }
  });
});
