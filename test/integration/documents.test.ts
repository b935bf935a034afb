import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ExcelJS from "exceljs";
import JSZip from "jszip";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mmToTwip, OFFICIAL_LAYOUT } from "../../lambdas/domain/documents";
import { PACK_PATHS, sha256Hex } from "../../lambdas/domain/evidence-pack";
import { DOCUMENT_FONT_NAMES } from "../../lambdas/shared/document-fonts";
import type { LocalSystem } from "../../lib/local/system";
import { Api, type Client, eventually, isoIn } from "../support/api";
import { tempDataDir } from "../support/local";
import { jpeg } from "../support/photos";
import { buildWorld, spotCheckBody, type World } from "../support/scenario";
import { startTestSystem } from "../support/system";

/**
 * Documents and exports (API.md v2): the 督查通报 as Word and PDF from a seeded inspection, opened and
 * read back (page size, margins, fonts named or embedded, the title, every ranked unit); the
 * evidence pack, delivered by 303 when it outgrows a response, checked by `npm run verify-pack`, which
 * passes the intact pack and catches an edited photo and an edited order; the dashboard workbook,
 * where a unit named like a formula stays text.
 */
const EVIL = '=HYPERLINK("http://example.com","点我")';
const TITLE = "经开区重点场所四不两直督查";

let system: LocalSystem;
let world: World;
let spotCheckId = "";
let ranked: string[] = [];
const assignmentOf: Record<string, string> = {};
let photo: Buffer = Buffer.alloc(0);
let bigPhoto: Buffer = Buffer.alloc(0);
const work = mkdtempSync(join(tmpdir(), "documents-"));

async function raw(client: Client, path: string, redirect: "follow" | "manual" = "follow") {
  const res = await fetch(`${client.baseUrl}${path}`, {
    headers: { authorization: `Bearer ${client.bearer}` },
    redirect,
  });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

async function upload(client: Client, assignmentId: string, bytes: Buffer, fileName: string) {
  const asked = await client.post("/evidence", {
    subject: { kind: "assignment", id: assignmentId },
    purpose: "finding",
    fileName,
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
  const settled = await eventually(
    () => client.get(`/evidence/${asked.body.evidenceId}`),
    (r) => r.status === 200 && r.body.status !== "pending",
  );
  expect(settled.body.status).toBe("verified");
  return settled.body.evidenceId as string;
}

beforeAll(async () => {
  const dataDir = tempDataDir("documents");
  system = await startTestSystem({ dataDir });
  world = await buildWorld(new Api(system.url, dataDir), "doc");
  const evil = `${world.prefix}-evil`;
  expect(
    (
      await world.admin.put(`/units/${evil}`, {
        name: EVIL,
        parentId: world.units.jinghang,
        kind: "community",
      })
    ).status,
  ).toBe(201);

  const planned = await world.organizer.post(
    "/spot-checks",
    spotCheckBody(world, {
      title: TITLE,
      candidateUnitIds: [world.units.yatai, world.units.dongjia, world.units.jiangchong, evil],
      sampleSize: 4,
    }),
  );
  expect(planned.status).toBe(201);
  spotCheckId = planned.body.spotCheckId;
  const drawn = await world.organizer.post(`/spot-checks/${spotCheckId}/draw`);
  expect(drawn.status).toBe(200);

  // 亚太 98 (优秀, commended), 东贾 85 (良好, an order that falls overdue: 催办), 蒋冲村 vetoed, the
  // formula-named unit 70 (合格).
  const plans: Record<string, () => { items: unknown[]; issues: unknown[] }> = {
    [world.units.yatai]: () => ({
      items: [{ code: "A1", deduction: 2 }],
      issues: [
        { itemCode: "A1", description: "健康档案缺两名新员工", severity: "minor", rectifyWithinDays: 5 },
      ],
    }),
    [world.units.dongjia]: () => ({
      items: [{ code: "A2", deduction: 15 }],
      issues: [
        { itemCode: "A2", description: "消杀记录本缺一周记录", severity: "major", deadline: isoIn(2500) },
      ],
    }),
    [world.units.jiangchong]: () => ({
      items: [{ code: "A3", deduction: 5 }],
      issues: [{ itemCode: "A3", description: "入口未测温", severity: "critical", rectifyWithinDays: 3 }],
    }),
    [evil]: () => ({
      items: [{ code: "A4", deduction: 30 }],
      issues: [{ itemCode: "A4", description: "=1+1 来访登记缺失", severity: "minor", rectifyWithinDays: 2 }],
    }),
  };
  for (const a of drawn.body.assignments as {
    assignmentId: string;
    unitId: string;
    inspectorIds: string[];
  }[]) {
    assignmentOf[a.unitId] = a.assignmentId;
    const team = world.inspectorFor(a);
    const arrival = await team.post(`/assignments/${a.assignmentId}/arrival`, {
      location: { lat: 34.7, lng: 113.7 },
    });
    expect(arrival.status, JSON.stringify(arrival.body)).toBe(200);
    if (a.unitId === world.units.yatai) {
      photo = jpeg({
        dateTimeOriginal: "2026:12:03 10:15:30",
        offsetTimeOriginal: "+08:00",
        lat: 34.7,
        lng: 113.7,
      });
      await upload(team, a.assignmentId, photo, "健康档案.jpg");
      // A photo of 5 MB: the pack outgrows a response and comes by 303.
      bigPhoto = Buffer.concat([jpeg(), Buffer.alloc(5 * 1024 * 1024, 7)]);
      await upload(team, a.assignmentId, bigPhoto, "现场全景.jpg");
    }
    const findings = await team.post(`/assignments/${a.assignmentId}/findings`, plans[a.unitId]?.());
    expect(findings.status, JSON.stringify(findings.body)).toBe(202);
  }
  // The workflow reminds (催办) at 东贾's deadline.
  const dongjia = await eventually(
    () => world.organizer.get(`/assignments/${assignmentOf[world.units.dongjia]}`),
    (r) => (r.body.rectificationIds ?? []).length > 0,
  );
  await eventually(
    () => world.organizer.get(`/rectifications/${dongjia.body.rectificationIds[0]}`),
    (r) => r.body.escalationLevel === 1,
    { timeoutMs: 30_000 },
  );
  const bulletin = await world.official.get(`/spot-checks/${spotCheckId}/bulletin`);
  expect(bulletin.status).toBe(200);
  ranked = bulletin.body.ranking.map((r: { unitName: string }) => r.unitName);
  expect(ranked).toEqual(["亚太社区", "东贾社区", EVIL, "蒋冲村"]);
  expect(bulletin.body.commended.map((c: { unitName: string }) => c.unitName)).toEqual(["亚太社区"]);
  expect(bulletin.body.escalations).toHaveLength(1);
}, 240_000);

afterAll(async () => {
  await system?.stop();
});

/** The text of every `<w:t>` of a WordprocessingML part, entities decoded. */
function wordText(xml: string): string {
  return [...xml.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>/g)]
    .map((m) =>
      (m[1] ?? "")
        .replace(/&lt;/g, "<")
        .replace(/&gt;/g, ">")
        .replace(/&quot;/g, '"')
        .replace(/&apos;/g, "'")
        .replace(/&amp;/g, "&"),
    )
    .join("");
}

describe("the 督查通报 as a Word document", () => {
  it("is A4 with the GB/T 9704 margins, names the official fonts, and holds the title and every ranked unit", async () => {
    const { res, bytes } = await raw(world.official, `/spot-checks/${spotCheckId}/bulletin.docx`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    );
    expect(res.headers.get("content-disposition")).toContain(".docx");
    writeFileSync(join(work, "bulletin.docx"), bytes);

    const docx = await JSZip.loadAsync(bytes);
    const xml = (await docx.file("word/document.xml")?.async("string")) ?? "";
    const sectPr = /<w:sectPr\b.*?<\/w:sectPr>/s.exec(xml)?.[0] ?? "";
    expect(sectPr).toMatch(/<w:pgSz w:w="11906" w:h="16838"/);
    const margins = OFFICIAL_LAYOUT.marginsMm;
    expect(sectPr).toContain(`w:top="${mmToTwip(margins.top)}"`);
    expect(sectPr).toContain(`w:bottom="${mmToTwip(margins.bottom)}"`);
    expect(sectPr).toContain(`w:left="${mmToTwip(margins.left)}"`);
    expect(sectPr).toContain(`w:right="${mmToTwip(margins.right)}"`);
    // Title 22 pt (44 half-points) in 方正小标宋简体; body 16 pt (32 half-points) in 仿宋_GB2312.
    const runOf = (font: string, halfPoints: number) =>
      new RegExp(
        `<w:rPr><w:rFonts [^>]*w:eastAsia="${font}"[^>]*/>(?:(?!</w:rPr>).)*<w:sz w:val="${halfPoints}"/>`,
      );
    expect(xml).toMatch(runOf("方正小标宋简体", 44));
    expect(xml).toMatch(runOf("仿宋_GB2312", 32));

    const text = wordText(xml);
    expect(text).toContain(`关于${TITLE}情况的通报`);
    for (const unit of ranked) expect(text).toContain(unit);
    expect(text).toContain("亚太社区评为“优秀”等次，予以通报表扬");
    expect(text).toContain("催办");
    expect(text).toMatch(/\d{4}年\d{1,2}月\d{1,2}日/);
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T/);

    // Page numbers at the foot: `— n —`, the PAGE field, odd pages right and even pages left.
    const settings = (await docx.file("word/settings.xml")?.async("string")) ?? "";
    expect(settings).toContain("<w:evenAndOddHeaders");
    const footers = await Promise.all(
      Object.keys(docx.files)
        .filter((name) => /^word\/footer\d+\.xml$/.test(name))
        .map((name) => docx.file(name)?.async("string") ?? ""),
    );
    expect(footers).toHaveLength(2);
    for (const footer of footers) {
      expect(footer).toContain("PAGE");
      expect(wordText(footer)).toBe("—  —");
      expect(footer).toContain('w:eastAsia="宋体"');
      expect(footer).toContain('<w:sz w:val="28"/>');
    }
  });
});

describe("the 督查通报 as a PDF", () => {
  it("is A4, embeds the free CJK font as a subset, and holds the title and every ranked unit", async () => {
    const { res, bytes } = await raw(world.organizer, `/spot-checks/${spotCheckId}/bulletin.pdf`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    writeFileSync(join(work, "bulletin.pdf"), bytes);

    const latin = bytes.toString("latin1");
    for (const name of Object.values(DOCUMENT_FONT_NAMES)) {
      // A subset: six capitals and a plus sign before the font's name.
      expect(latin).toMatch(new RegExp(`/BaseFont /[A-Z]{6}\\+${name}\\b`));
    }
    expect(latin).toContain("/FontFile2");
    expect(bytes.length).toBeLessThan(2 * 1024 * 1024);

    const pdf = await getDocument({ data: new Uint8Array(bytes), useSystemFonts: false }).promise;
    let text = "";
    for (let n = 1; n <= pdf.numPages; n++) {
      const page = await pdf.getPage(n);
      const [, , width, height] = page.view;
      expect([Math.round(width ?? 0), Math.round(height ?? 0)]).toEqual([595, 842]);
      const content = await page.getTextContent();
      text += content.items.map((item) => ("str" in item ? item.str : "")).join("");
    }
    const compact = text.replace(/\s+/g, "");
    expect(compact).toContain(`关于${TITLE}情况的通报`);
    for (const unit of ranked) expect(compact).toContain(unit.replace(/\s+/g, ""));
    expect(compact).toContain("—1—");
    await pdf.destroy();
  });

  it("is refused to other roles (403) and unknown to its roles (404)", async () => {
    const team = world.inspectors[`${world.prefix}-insp-a`] as Client;
    expect((await team.get(`/spot-checks/${spotCheckId}/bulletin.pdf`)).status).toBe(403);
    expect((await world.official.get("/spot-checks/no-such-check/bulletin.pdf")).status).toBe(404);
  });
});

/** A pack with some files replaced and, if asked, its manifest re-computed as a careful forger would. */
async function tampered(
  original: Buffer,
  change: (files: Map<string, Uint8Array>) => void,
  recomputeManifest: boolean,
): Promise<string> {
  const zip = await JSZip.loadAsync(original);
  const files = new Map<string, Uint8Array>();
  for (const entry of Object.values(zip.files)) {
    if (!entry.dir) files.set(entry.name, await entry.async("uint8array"));
  }
  change(files);
  if (recomputeManifest) {
    const manifest = JSON.parse(Buffer.from(files.get(PACK_PATHS.manifest) ?? []).toString("utf8"));
    for (const entry of manifest.files) {
      const bytes = files.get(entry.path) ?? new Uint8Array();
      entry.sha256 = sha256Hex(bytes);
      entry.size = bytes.length;
    }
    files.set(PACK_PATHS.manifest, Buffer.from(JSON.stringify(manifest)));
  }
  const out = new JSZip();
  for (const [path, bytes] of files) out.file(path, bytes);
  const path = join(work, `tampered-${Math.random().toString(36).slice(2)}.zip`);
  writeFileSync(path, await out.generateAsync({ type: "nodebuffer" }));
  return path;
}

function verifyPack(path: string) {
  const run = spawnSync("npm", ["run", "--silent", "verify-pack", "--", path], { encoding: "utf8" });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe("the evidence pack", () => {
  let pack: Buffer = Buffer.alloc(0);
  let packPath = "";

  it("outgrows a response with a 5 MB photo: 303 to a short-lived download of the zip", async () => {
    const id = assignmentOf[world.units.yatai];
    const { res } = await raw(world.organizer, `/assignments/${id}/evidence-pack`, "manual");
    expect(res.status).toBe(303);
    const location = res.headers.get("location") ?? "";
    expect(location).toContain("exports/");
    expect(location).toContain("X-Amz-Expires=300");
    const download = await fetch(location);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toBe("application/zip");
    expect(download.headers.get("content-disposition")).toContain(encodeURIComponent("证据包-亚太社区"));
    pack = Buffer.from(await download.arrayBuffer());
    expect(pack.length).toBeGreaterThan(5 * 1024 * 1024);
    packPath = join(work, "pack.zip");
    writeFileSync(packPath, pack);

    const zip = await JSZip.loadAsync(pack);
    const names = Object.keys(zip.files);
    expect(names).toEqual(
      expect.arrayContaining([
        PACK_PATHS.manifest,
        PACK_PATHS.assignment,
        PACK_PATHS.drawProof,
        PACK_PATHS.evidenceIndex,
        PACK_PATHS.readme,
        PACK_PATHS.audit(id ?? ""),
        PACK_PATHS.audit(spotCheckId),
      ]),
    );
    const files = await Promise.all(
      names.filter((n) => n.startsWith("evidence/")).map(async (n) => zip.file(n)?.async("nodebuffer")),
    );
    expect(files.map((f) => sha256Hex(f ?? Buffer.alloc(0))).sort()).toEqual(
      [sha256Hex(photo), sha256Hex(bigPhoto)].sort(),
    );
    const orders = names.filter((n) => n.startsWith("orders/"));
    expect(orders).toHaveLength(1);
    const order = JSON.parse((await zip.file(orders[0] ?? "")?.async("string")) ?? "{}");
    expect(order).toMatchObject({ unitName: "亚太社区", description: "健康档案缺两名新员工" });
    expect(order.history.length).toBeGreaterThan(0);
  });

  it("passes npm run verify-pack intact, and its seal is the one the assignment's audit trail recorded", async () => {
    const run = verifyPack(packPath);
    expect(run.output).toContain("核验通过");
    expect(run.status).toBe(0);
    const seal = /证据包封存值（SHA-256）：([0-9a-f]{64})/.exec(run.output)?.[1];
    const audit = await world.organizer.get(`/audit/${assignmentOf[world.units.yatai]}?limit=200`);
    const exported = audit.body.items.filter(
      (i: { action: string }) => i.action === "evidence_pack_exported",
    );
    expect(exported.map((e: { seal: string }) => e.seal)).toContain(seal);
  });

  it("catches an edited photo, with the manifest left as it was or re-computed", async () => {
    const edit = (files: Map<string, Uint8Array>) => {
      const path = [...files.keys()].find(
        (p) => p.startsWith("evidence/") && files.get(p)?.length === photo.length,
      );
      const bytes = Buffer.from(files.get(path ?? "") ?? []);
      bytes[bytes.length - 3] = (bytes[bytes.length - 3] ?? 0) ^ 0xff;
      files.set(path ?? "", bytes);
    };
    const naive = verifyPack(await tampered(pack, edit, false));
    expect(naive.status).toBe(1);
    expect(naive.output).toContain("文件已被改动（SHA-256 与清单不符）：evidence/");
    const careful = verifyPack(await tampered(pack, edit, true));
    expect(careful.status).toBe(1);
    expect(careful.output).toContain("与上传时审计链记录的 SHA-256 不符");
    expect(careful.output).toContain("封存值不符");
  });

  it("catches an edited order, with the manifest left as it was or re-computed", async () => {
    const edit = (files: Map<string, Uint8Array>) => {
      const path = [...files.keys()].find((p) => p.startsWith("orders/")) ?? "";
      const order = JSON.parse(Buffer.from(files.get(path) ?? []).toString("utf8"));
      order.status = "closed";
      order.description = "已整改";
      files.set(path, Buffer.from(JSON.stringify(order, null, 2)));
    };
    const naive = verifyPack(await tampered(pack, edit, false));
    expect(naive.status).toBe(1);
    expect(naive.output).toContain("文件已被改动（SHA-256 与清单不符）：orders/");
    const careful = verifyPack(await tampered(pack, edit, true));
    expect(careful.status).toBe(1);
    expect(careful.output).toContain("封存值不符");
  });

  it("catches an edited audit chain", async () => {
    const id = assignmentOf[world.units.yatai] ?? "";
    const edit = (files: Map<string, Uint8Array>) => {
      const path = PACK_PATHS.audit(id);
      const chain = JSON.parse(Buffer.from(files.get(path) ?? []).toString("utf8"));
      chain.events[0].actor = "someone-else";
      files.set(path, Buffer.from(JSON.stringify(chain)));
    };
    const run = verifyPack(await tampered(pack, edit, true));
    expect(run.status).toBe(1);
    expect(run.output).toContain("在第 1 条记录处断开");
  });

  it("is refused to other roles (403), whatever they may see of the assignment", async () => {
    const id = assignmentOf[world.units.yatai] ?? "";
    const unit = await world.unitUser(world.units.yatai);
    expect((await unit.get(`/assignments/${id}/evidence-pack`)).status).toBe(403);
    expect((await world.organizer.get("/assignments/no-such-assignment/evidence-pack")).status).toBe(404);
  });
});

describe("the dashboard as a workbook", () => {
  it("lays out the dashboard's lists with Chinese headers, CST times and names; a formula-like name stays text", async () => {
    const { res, bytes } = await raw(world.official, `/dashboard.xlsx?spotCheckId=${spotCheckId}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    );
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(bytes as unknown as ArrayBuffer);
    expect(book.worksheets.map((w) => w.name)).toEqual(["概况", "逾期整改", "临期整改", "按单位"]);

    const byUnit = book.getWorksheet("按单位");
    expect(byUnit?.getRow(1).values).toContain("按期整改率");
    const names: unknown[] = [];
    byUnit?.eachRow((row, n) => {
      if (n > 1) names.push(row.getCell(1).value);
    });
    expect(names).toContain(`'${EVIL}`);
    expect(names).toContain("东贾社区");
    byUnit?.eachRow((row) => {
      const cell = row.getCell(1);
      expect(cell.type).not.toBe(ExcelJS.ValueType.Formula);
      expect(cell.formula).toBeUndefined();
    });

    const overdue = book.getWorksheet("逾期整改");
    const first = overdue?.getRow(2);
    expect(first?.getCell(1).value).toBe("东贾社区");
    expect(String(first?.getCell(4).value)).toMatch(/^\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}$/);
    expect(first?.getCell(7).value).toBe("催办");

    // An issue described like a formula is neutralised too.
    const soon = book.getWorksheet("临期整改");
    const descriptions: unknown[] = [];
    soon?.eachRow((row) => descriptions.push(row.getCell(2).value));
    expect(descriptions).toContain("'=1+1 来访登记缺失");

    const unit = await world.unitUser(world.units.yatai);
    expect((await unit.get("/dashboard.xlsx")).status).toBe(403);
  });
});
