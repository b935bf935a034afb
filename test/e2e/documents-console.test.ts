import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ExcelJS from "exceljs";
import JSZip from "jszip";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, type Client, eventually } from "../support/api";
import { buildConsole, launchChromium, SHOTS } from "../support/console";
import { ServerProcess } from "../support/local";
import { jpeg } from "../support/photos";
import { buildWorld, spotCheckBody, type World } from "../support/scenario";

/**
 * The documents from the console, in real headless Chromium against `npm start`: the organizer
 * downloads the 督查通报 as Word and as PDF from the bulletin page and the dashboard as a workbook;
 * the PDF's first page is rendered to PNG in the browser with pdfjs-dist (the CJK glyphs come from
 * the font embedded in the file — the page has no Chinese fonts of its own to fall back on) and kept
 * with the screenshots (test/e2e/screenshots/bulletin-pdf-page1.png). The assignment page exports the
 * evidence pack — with a 5 MB photo, larger than a response, so the browser follows the 303 to the
 * object store — and `npm run verify-pack` passes it.
 */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PDFJS = join(ROOT, "node_modules/pdfjs-dist/build");
const DESKTOP = { width: 1280, height: 900 };

let consoleDir: string;
let server: ServerProcess;
let world: World;
let browser: Browser;
let spotCheckId = "";
let packAssignment = "";

/** A verified 问题照片 of the assignment, uploaded through its presigned URL. */
async function uploadPhoto(team: Client, assignmentId: string, bytes: Buffer) {
  const asked = await team.post("/evidence", {
    subject: { kind: "assignment", id: assignmentId },
    purpose: "finding",
    fileName: "现场全景.jpg",
    contentType: "image/jpeg",
    size: bytes.length,
  });
  expect(asked.status).toBe(201);
  const put = await fetch(asked.body.upload.url, {
    method: "PUT",
    headers: asked.body.upload.headers,
    body: bytes,
  });
  expect(put.status).toBe(200);
  await eventually(
    () => team.get(`/evidence/${asked.body.evidenceId}`),
    (r) => r.status === 200 && r.body.status === "verified",
    { timeoutMs: 30_000 },
  );
}

beforeAll(async () => {
  consoleDir = buildConsole("documents-console");
  server = await ServerProcess.create("documents-console", { sharedDynamoDb: true, warmUp: false });
  await server.start();
  world = await buildWorld(new Api(server.url, server.dataDir), "dc");
  const planned = await world.organizer.post(
    "/spot-checks",
    spotCheckBody(world, { candidateUnitIds: [world.units.yatai, world.units.dongjia], sampleSize: 2 }),
  );
  spotCheckId = planned.body.spotCheckId;
  const drawn = await world.organizer.post(`/spot-checks/${spotCheckId}/draw`);
  const deductions: Record<string, number> = { [world.units.yatai]: 3, [world.units.dongjia]: 18 };
  for (const a of drawn.body.assignments as {
    assignmentId: string;
    unitId: string;
    inspectorIds: string[];
  }[]) {
    const team = world.inspectorFor(a);
    await team.post(`/assignments/${a.assignmentId}/arrival`, { location: { lat: 34.7, lng: 113.7 } });
    if (a.unitId === world.units.yatai) {
      packAssignment = a.assignmentId;
      await uploadPhoto(team, a.assignmentId, Buffer.concat([jpeg(), Buffer.alloc(5 * 1024 * 1024, 7)]));
    }
    const findings = await team.post(`/assignments/${a.assignmentId}/findings`, {
      items: [{ code: "A2", deduction: deductions[a.unitId] ?? 0 }],
      issues: [
        {
          itemCode: "A2",
          description: "消杀记录本缺少近一周的记录",
          severity: "major",
          rectifyWithinDays: 5,
        },
      ],
    });
    expect(findings.status).toBe(202);
  }
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (consoleDir) rmSync(consoleDir, { recursive: true, force: true });
});

async function contextFor(client: Client): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: DESKTOP,
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    acceptDownloads: true,
  });
  await context.addInitScript(
    (token) => localStorage.setItem("spot.console.token", token),
    client.bearer ?? "",
  );
  return context;
}

/** Clicks a button and returns the file the browser saved. */
async function downloaded(page: Page, button: string): Promise<{ name: string; bytes: Buffer }> {
  const [download] = await Promise.all([
    page.waitForEvent("download", { timeout: 60_000 }),
    page.getByRole("button", { name: button }).click(),
  ]);
  const path = await download.path();
  return { name: download.suggestedFilename(), bytes: readFileSync(path) };
}

/**
 * Renders page 1 of a PDF onto a canvas with pdfjs-dist, served to the page from node_modules, and
 * returns the share of inked pixels. (Scripts run in the page are strings: this project's Node
 * typings have no DOM.)
 */
async function renderFirstPage(page: Page, pdf: Buffer): Promise<number> {
  await page.route("http://pdfjs.local/**", (route) => {
    const name = new URL(route.request().url()).pathname.slice(1);
    if (name === "") {
      return route.fulfill({
        contentType: "text/html",
        body: '<!doctype html><html><body style="margin:0;background:#888"><canvas id="page"></canvas></body></html>',
      });
    }
    return route.fulfill({ contentType: "text/javascript", body: readFileSync(join(PDFJS, name)) });
  });
  await page.goto("http://pdfjs.local/");
  return (await page.evaluate(`(async (data) => {
    const pdfjs = await import("http://pdfjs.local/pdf.min.mjs");
    pdfjs.GlobalWorkerOptions.workerSrc = "http://pdfjs.local/pdf.worker.min.mjs";
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const doc = await pdfjs.getDocument({ data: bytes, useSystemFonts: false, disableFontFace: false }).promise;
    const first = await doc.getPage(1);
    const viewport = first.getViewport({ scale: 1.5 });
    const canvas = document.getElementById("page");
    canvas.width = viewport.width;
    canvas.height = viewport.height;
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    await first.render({ canvasContext: ctx, viewport }).promise;
    const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let inked = 0;
    for (let i = 0; i < pixels.length; i += 4) if (pixels[i] < 128) inked++;
    return inked / (pixels.length / 4);
  })(${JSON.stringify(pdf.toString("base64"))})`)) as number;
}

describe("documents from the console", () => {
  it("the bulletin page downloads the 督查通报 as Word and as PDF; the PDF's first page renders in the browser", async () => {
    const context = await contextFor(world.organizer);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${server.url}/#/spot-checks/${spotCheckId}/bulletin`);
    await page.getByRole("button", { name: "下载 PDF" }).waitFor();

    const word = await downloaded(page, "下载 Word");
    expect(word.name).toMatch(/\.docx$/);
    const docx = await JSZip.loadAsync(word.bytes);
    const xml = (await docx.file("word/document.xml")?.async("string")) ?? "";
    expect(xml).toContain("亚太社区");
    expect(xml).toContain("方正小标宋简体");

    const pdf = await downloaded(page, "下载 PDF");
    expect(pdf.name).toMatch(/督查.*\.pdf$/);
    expect(pdf.bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(errors).toEqual([]);

    const viewer = await context.newPage();
    const inked = await renderFirstPage(viewer, pdf.bytes);
    // Text and the ranking table's rules: a blank or glyph-less page would stay white.
    expect(inked).toBeGreaterThan(0.01);
    expect(inked).toBeLessThan(0.5);
    await viewer.locator("#page").screenshot({ path: join(SHOTS, "bulletin-pdf-page1.png") });
    await context.close();
  });

  it("the assignment page exports the evidence pack through the 303, and verify-pack passes it", async () => {
    const context = await contextFor(world.organizer);
    const page = await context.newPage();
    await page.goto(`${server.url}/#/assignments/${packAssignment}`);
    const pack = await downloaded(page, "导出证据包");
    expect(pack.bytes.length).toBeGreaterThan(5 * 1024 * 1024);
    const zip = await JSZip.loadAsync(pack.bytes);
    expect(Object.keys(zip.files)).toContain("manifest.json");
    const path = join(tmpdir(), `console-pack-${Date.now()}.zip`);
    writeFileSync(path, pack.bytes);
    const run = spawnSync("npm", ["run", "--silent", "verify-pack", "--", path], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(run.stdout).toContain("核验通过");
    expect(run.status).toBe(0);
    await page.screenshot({ path: join(SHOTS, "assignment-evidence-pack.png"), fullPage: true });
    await context.close();
  });

  it("the dashboard downloads its lists as a workbook", async () => {
    const context = await contextFor(world.official);
    const page = await context.newPage();
    await page.goto(`${server.url}/#/dashboard`);
    const workbook = await downloaded(page, "导出 Excel");
    expect(workbook.name).toMatch(/\.xlsx$/);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(workbook.bytes as unknown as ArrayBuffer);
    expect(book.worksheets.map((w) => w.name)).toEqual(["概况", "逾期整改", "临期整改", "按单位"]);
    const units: unknown[] = [];
    book.getWorksheet("按单位")?.eachRow((row) => units.push(row.getCell(1).value));
    expect(units).toEqual(expect.arrayContaining(["亚太社区", "东贾社区"]));
    await context.close();
  });
});
