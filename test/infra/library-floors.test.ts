import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import JSZip from "jszip";
import { describe, expect, it } from "vitest";
import { CDK_BUNDLING_COPY } from "../../bench/bundling";
import { LIBRARY_FLOORS, libraryFloorOf } from "../../bench/library-floors";
import { routes } from "../../lambdas/api/routes";
import { DOCUMENT_FONT_NAMES, DOCUMENT_FONTS, documentFontFiles } from "../../lambdas/shared/document-fonts";
import { importRunner } from "../../lambdas/workflow/tasks";
import { handlerEntry } from "../../lib/constructs/inspection-function";

/**
 * The library floors of the bench's phase 1 (issue 19): the functions that make files are measured
 * against the cold-start floor plus their rendering library alone. Each floor must carry the same
 * rendering library as the functions it stands for and no project code, and must really make a file
 * with it once bundled as CDK bundles (else it would be a floor of nothing).
 */
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const floorEntry = (name: string) => join(ROOT, "bench", "floor", `${name}.ts`);

/** Bytes in the bundle by npm package, and the project's own sources in it (esbuild's metafile). */
async function compositionOf(entry: string) {
  const out = await build({
    ...CDK_BUNDLING_COPY,
    entryPoints: [entry],
    outfile: "index.mjs",
    write: false,
    metafile: true,
    absWorkingDir: ROOT,
    logLevel: "silent",
  });
  const output = Object.entries(out.metafile.outputs).find(([file]) => file.endsWith(".mjs"))?.[1];
  const bytes = new Map<string, number>();
  const sources: string[] = [];
  for (const [path, input] of Object.entries(output?.inputs ?? {})) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
    if (m?.[1]) bytes.set(m[1], (bytes.get(m[1]) ?? 0) + input.bytesInOutput);
    else sources.push(path);
  }
  return { shares: [...bytes].map(([module, b]) => ({ module, bytes: b })), sources };
}

const RENDERING = ["docx", "pdfkit", "fontkit", "jszip", "exceljs"];
const renderingIn = (shares: { module: string; bytes: number }[]) =>
  RENDERING.filter((l) => shares.some((s) => s.module === l && s.bytes > 0));

const MAKES_FILES = [
  ...routes.flatMap((r) => ("document" in r ? [r.handler] : [])),
  importRunner.handler,
].sort();

describe("library floors", () => {
  it("picks the library with the most bytes in a bundle, and none for a bundle without one", () => {
    expect(
      libraryFloorOf([
        { module: "jszip", bytes: 70_000 },
        { module: "exceljs", bytes: 250_000 },
      ]),
    ).toBe("plus-exceljs");
    expect(libraryFloorOf([{ module: "jszip", bytes: 70_000 }])).toBe("plus-jszip");
    expect(libraryFloorOf([{ module: "@aws-sdk/client-dynamodb", bytes: 30_000 }])).toBeNull();
  });

  it("every function that makes files gets the floor of the library it carries, with the same rendering libraries; the JSON routes none", async () => {
    expect(MAKES_FILES).toEqual([
      "assignments/get-evidence-pack",
      "imports/run-import",
      "oversight/dashboard-xlsx",
      "spot-checks/get-bulletin-docx",
      "spot-checks/get-bulletin-pdf",
    ]);
    const expected: Record<string, string> = {
      "assignments/get-evidence-pack": "plus-jszip",
      "imports/run-import": "plus-exceljs",
      "oversight/dashboard-xlsx": "plus-exceljs",
      "spot-checks/get-bulletin-docx": "plus-docx",
      "spot-checks/get-bulletin-pdf": "plus-pdfkit",
    };
    const floors = new Map<string, string[]>();
    for (const { name } of LIBRARY_FLOORS) {
      const { shares, sources } = await compositionOf(floorEntry(name));
      floors.set(name, renderingIn(shares));
      // The library alone: nothing of the project's code (lambdas/, lib/) is in a floor.
      expect(
        sources.filter((s) => !s.startsWith("bench/floor/")),
        name,
      ).toEqual([]);
    }
    for (const handler of MAKES_FILES) {
      const { shares } = await compositionOf(handlerEntry(handler));
      const floor = libraryFloorOf(shares);
      expect(floor, handler).toBe(expected[handler]);
      expect(floors.get(floor ?? ""), handler).toEqual(renderingIn(shares));
    }
    for (const handler of ["spot-checks/get-bulletin", "oversight/dashboard", "imports/create-import"]) {
      expect(libraryFloorOf((await compositionOf(handlerEntry(handler))).shares), handler).toBeNull();
    }
  });

  it("each library floor, bundled as CDK bundles and run away from node_modules, makes its file", async () => {
    const outdir = mkdtempSync(join(tmpdir(), "library-floors-"));
    const made = new Map<string, Buffer>();
    for (const { name } of LIBRARY_FLOORS) {
      const dir = join(outdir, name);
      await build({
        ...CDK_BUNDLING_COPY,
        entryPoints: [floorEntry(name)],
        outfile: join(dir, "index.mjs"),
        absWorkingDir: ROOT,
        logLevel: "silent",
      });
      // As the construct copies the PDF route's fonts beside its bundle.
      if (name === "plus-pdfkit")
        for (const { from, to } of documentFontFiles()) {
          mkdirSync(dirname(join(dir, to)), { recursive: true });
          copyFileSync(from, join(dir, to));
        }
      const run = spawnSync(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          "import { writeFileSync } from 'node:fs'; const m = await import('./index.mjs'); writeFileSync('out', await m.render(process.argv[1]));",
          join(dir, DOCUMENT_FONTS.regular.bundled),
        ],
        { cwd: dir, encoding: "utf8", env: { PATH: process.env.PATH ?? "", AWS_REGION: "eu-west-1" } },
      );
      expect(run.status, `${name}: ${run.stderr}`).toBe(0);
      made.set(name, readFileSync(join(dir, "out")));
    }
    const entries = async (name: string) => Object.keys((await JSZip.loadAsync(made.get(name) ?? "")).files);
    expect(await entries("plus-docx")).toContain("word/document.xml");
    expect(await entries("plus-exceljs")).toContain("xl/workbook.xml");
    expect(await entries("plus-jszip")).toEqual(["清单.json"]);
    const pdf = made.get("plus-pdfkit")?.toString("latin1") ?? "";
    expect(pdf.startsWith("%PDF-")).toBe(true);
    expect(pdf).toMatch(new RegExp(`/BaseFont /[A-Z]{6}\\+${DOCUMENT_FONT_NAMES.regular}\\b`));
    expect(pdf).toContain("/FontFile2");
  });
});
