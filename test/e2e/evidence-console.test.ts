import { rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, type Client, eventually } from "../support/api";
import { buildConsole, launchChromium, SHOTS } from "../support/console";
import { ServerProcess } from "../support/local";
import { type ExifFacts, jpeg, notAnImage, pdf } from "../support/photos";
import { buildWorld, drawOne, type World } from "../support/scenario";
import { settle, watchRequests } from "../support/settle";

/**
 * 取证 in the web console, in real headless Chromium against `npm start` as its own process (as
 * console.test.ts runs it): an inspector photographs a problem on the phone page — a 12-megapixel
 * photo with EXIF, shrunk on the device, uploaded with progress straight to the object store, checked
 * by the server — and cites it in the findings; the unit reports with an 整改后 photo and a PDF
 * beside the 问题照片; the reviewer (回头看) sees before and after side by side, opens one full size,
 * adds a photo of their own and accepts; the organizer sees the thumbnails on the assignment and the
 * order. Screenshots go to test/e2e/screenshots/ like the other console tests.
 */
const _ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 860 };

let consoleDir: string;
let server: ServerProcess;
let world: World;
let browser: Browser;

beforeAll(async () => {
  consoleDir = buildConsole("evidence-console");

  server = await ServerProcess.create("evidence-console", { sharedDynamoDb: true, warmUp: false });
  await server.start();
  world = await buildWorld(new Api(server.url, server.dataDir), "ec");
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (consoleDir) rmSync(consoleDir, { recursive: true, force: true });
});

/**
 * Every text an upload's status line showed, in order, recorded from the first paint. (Scripts run
 * in the page are strings: this project's Node typings have no DOM.)
 */
const RECORD_STATES = `
  window.uploadStates = [];
  new MutationObserver(() => {
    for (const el of document.querySelectorAll(".upload-status")) {
      const text = el.textContent || "";
      if (text && !window.uploadStates.includes(text)) window.uploadStates.push(text);
    }
  }).observe(document, { subtree: true, childList: true, characterData: true });
`;

async function contextFor(
  client: Client,
  viewport = PHONE,
  extra: Parameters<Browser["newContext"]>[0] = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport,
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    ...(viewport.width < 500 ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
    ...extra,
  });
  await context.addInitScript((token) => localStorage.setItem("spot.console.token", token), client.bearer!);
  await context.addInitScript({ content: RECORD_STATES });
  return context;
}

async function open(context: BrowserContext, hash: string): Promise<Page & { errors: string[] }> {
  const page = watchRequests((await context.newPage()) as Page & { errors: string[] });
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  await page.goto(`${server.url}/${hash}`);
  return page;
}

/** A screenshot once the page has loaded what it shows and stays still (test/support/settle.ts). */
async function shot(page: Page, name: string) {
  await settle(page);
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** The decoded width of the first image a selector matches, once it has loaded (0 while not). */
async function loadedWidth(page: Page, selector: string): Promise<number> {
  const img = page.locator(selector).first();
  await img.waitFor();
  await img.scrollIntoViewIfNeeded();
  let width = 0;
  await expect
    .poll(
      async () => {
        width = await img.evaluate((el) => {
          const i = el as unknown as { complete: boolean; naturalWidth: number };
          return i.complete ? i.naturalWidth : 0;
        });
        return width;
      },
      { timeout: 15_000 },
    )
    .toBeGreaterThan(0);
  return width;
}

/** An upload's state once it has settled, with its status line ("已校验", "未通过：…"). */
async function settledUpload(upload: Locator): Promise<string> {
  let line = "";
  await expect
    .poll(
      async () => {
        const state = await upload.getAttribute("data-state");
        line = `${state} ${await upload.locator(".upload-status").textContent()}`;
        return ["verified", "rejected", "failed"].includes(state ?? "");
      },
      { timeout: 30_000 },
    )
    .toBe(true);
  return line;
}

/** A 4032×3024 photo, as a phone camera takes it: made by Chromium's JPEG encoder, then given EXIF. */
async function twelveMegapixelPhoto(facts: ExifFacts): Promise<Buffer> {
  const page = await browser.newPage();
  const dataUrl = (await page.evaluate(`(() => {
    const canvas = document.createElement("canvas");
    canvas.width = 4032;
    canvas.height = 3024;
    const ctx = canvas.getContext("2d");
    const sky = ctx.createLinearGradient(0, 0, 0, 3024);
    sky.addColorStop(0, "#9cc3e6");
    sky.addColorStop(1, "#e9dcc4");
    ctx.fillStyle = sky;
    ctx.fillRect(0, 0, 4032, 3024);
    for (let i = 0; i < 60; i++) {
      ctx.fillStyle = "hsl(" + ((i * 37) % 360) + " 55% " + (35 + (i % 5) * 8) + "%)";
      ctx.fillRect((i * 331) % 3800, (i * 577) % 2800, 180 + (i % 7) * 40, 120 + (i % 4) * 60);
    }
    ctx.fillStyle = "#222";
    ctx.font = "bold 220px sans-serif";
    ctx.fillText("消杀记录本", 900, 1600);
    return canvas.toDataURL("image/jpeg", 0.92);
  })()`)) as string;
  await page.close();
  const photo = Buffer.from(dataUrl.split(",")[1]!, "base64");
  // The EXIF (APP1) segment of a photo with these facts, put right after this one's start marker.
  const exif = jpeg(facts);
  const app1 = exif.subarray(2, 4 + exif.readUInt16BE(4));
  return Buffer.concat([photo.subarray(0, 2), app1, photo.subarray(2)]);
}

describe("取证 in the console: 问题照片 → 整改后 → 整改前后对比", () => {
  it("an inspector photographs on the phone, the unit reports with proof, the reviewer compares and accepts", async () => {
    const { assignment } = await drawOne(world, { candidateUnitIds: [world.units.yatai] });
    const assignmentId = assignment.assignmentId;
    const team = world.inspectorFor(assignment);

    // ---- the inspector, on the phone: arrival, a photo on item A2, a file that is no photo on A1 ----
    const phone = await contextFor(team, PHONE, {
      permissions: ["geolocation"],
      geolocation: { latitude: 34.7, longitude: 113.7, accuracy: 10 },
    });
    const inspector = await open(phone, `#/assignments/${assignmentId}`);
    await inspector.getByRole("button", { name: "到场签到（获取定位）", exact: true }).click();
    await inspector.locator(".arrival .badge.green").waitFor();
    await inspector.locator("ol.checklist").waitFor();
    await inspector.fill("input[name=deduction-A2]", "8");
    await inspector.fill("input[name=note-A2]", "消杀记录不详");

    const original = await twelveMegapixelPhoto({
      dateTimeOriginal: "2026:12:03 10:15:30",
      offsetTimeOriginal: "+08:00",
      lat: 34.7001,
      lng: 113.7002,
    });
    await inspector.setInputFiles("input[name=photo-A2-camera]", {
      name: "IMG_20261203_101530.jpg",
      mimeType: "image/jpeg",
      buffer: original,
    });
    const a2 = inspector.locator('[data-item="A2"] .upload');
    expect(await settledUpload(a2)).toBe("verified 已校验");
    // The original's EXIF time, read on the device before shrinking, shown in China Standard Time.
    expect(await a2.textContent()).toContain("拍摄于 2026年12月3日 10:15");
    const photoId = (await a2.getAttribute("data-evidence"))!;
    const states = (await inspector.evaluate("window.uploadStates")) as string[];
    expect(states[0]).toBe("处理中（压缩照片）");
    expect(states.some((s) => /^上传中 \d{1,3}%$/.test(s))).toBe(true);
    expect(states).toContain("校验中");
    expect(states.at(-1)).toBe("已校验");

    await inspector.setInputFiles("input[name=photo-A1-files]", {
      name: "现场照片.jpg",
      mimeType: "image/jpeg",
      buffer: notAnImage(),
    });
    const a1 = inspector.locator('[data-item="A1"] .upload');
    expect(await settledUpload(a1)).toMatch(/^rejected 未通过：.+/);

    // The issue made from A2 carries A2's photo; the phone page stays within the screen.
    await inspector.locator('[data-item="A2"] >> text=列入问题清单').click();
    const issuePhoto = inspector.locator('fieldset[data-issue="0"] .upload');
    expect(await issuePhoto.getAttribute("data-state")).toBe("verified");
    expect(await issuePhoto.getAttribute("data-evidence")).toBe(photoId);
    expect((await inspector.evaluate("document.documentElement.scrollWidth")) as number).toBeLessThanOrEqual(
      PHONE.width,
    );
    await shot(inspector, "evidence-inspector");
    await inspector.getByRole("button", { name: "提交现场检查结果", exact: true }).click();

    const scored = await eventually(
      () => team.get(`/assignments/${assignmentId}`),
      (r) => r.body.status === "rectifying",
    );
    // Only the verified photo is cited: on A2 and on its issue; A1 (a refused file only) is left out.
    expect(scored.body.findings.items).toEqual([
      { code: "A2", deduction: 8, note: "消杀记录不详", evidenceIds: [photoId] },
    ]);
    expect(scored.body.findings.issues[0].evidenceIds).toEqual([photoId]);
    const rectificationId = scored.body.rectificationIds[0] as string;

    // Shrunk on the device (a few hundred KB instead of the original), EXIF time and place kept.
    const stored = (await team.get(`/evidence/${photoId}`)).body;
    expect(stored).toMatchObject({
      status: "verified",
      contentType: "image/jpeg",
      capturedAt: "2026-12-03T02:15:30.000Z",
      location: { lat: 34.7001, lng: 113.7002 },
      captureSource: "device",
    });
    expect(stored.size).toBeLessThan(original.length);
    expect(stored.size).toBeLessThan(1024 * 1024);

    // After the submit the page shows the cited photo, 2048 px on its long edge.
    await inspector.reload();
    expect(await loadedWidth(inspector, '.findings-items [data-item="A2"] .thumbs img')).toBe(2048);
    expect(inspector.errors).toEqual([]);
    await phone.close();

    // ---- the unit, on the phone: 整改后 photo and a PDF beside the 问题照片 ----
    await eventually(
      () => team.get(`/rectifications/${rectificationId}`),
      (r) => r.status === 200,
    );
    const unitUser = await world.unitUser(assignment.unitId);
    const unitPhone = await contextFor(unitUser);
    const unit = await open(unitPhone, `#/rectifications/${rectificationId}`);
    expect(await loadedWidth(unit, ".compare-before .thumbs img")).toBe(2048);
    await unit.setInputFiles("input[name=after-files]", [
      {
        name: "整改后.jpg",
        mimeType: "image/jpeg",
        buffer: jpeg({ dateTimeOriginal: "2026:12:05 16:20:00", lat: 34.7001, lng: 113.7002 }),
      },
      { name: "消杀登记表.pdf", mimeType: "application/pdf", buffer: pdf() },
    ]);
    const after = unit.locator(".compare-after .upload");
    await expect.poll(() => after.count()).toBe(2);
    expect(await settledUpload(after.nth(0))).toBe("verified 已校验");
    expect(await settledUpload(after.nth(1))).toBe("verified 已校验");
    await unit.fill("textarea[name=description]", "已补齐消杀记录，落实每日消杀登记");
    await shot(unit, "evidence-unit-report");
    await unit.getByRole("button", { name: "提交整改报告", exact: true }).click();
    await expect.poll(() => unit.locator(".badge.submitted").count(), { timeout: 15_000 }).toBe(1);
    const reported = (await unitUser.get(`/rectifications/${rectificationId}`)).body;
    expect(reported.beforeEvidenceIds).toEqual([photoId]);
    expect(reported.report.evidenceIds).toHaveLength(2);
    expect(unit.errors).toEqual([]);
    await unitPhone.close();

    // ---- 回头看: before and after side by side, one full size, a photo of the reviewer's own ----
    const reviewerPhone = await contextFor(team);
    const review = await open(reviewerPhone, `#/rectifications/${rectificationId}`);
    const beforeWidth = await loadedWidth(review, ".compare-before .thumbs img");
    const afterWidth = await loadedWidth(review, ".compare-after .thumbs img");
    expect(beforeWidth).toBe(2048);
    expect(afterWidth).toBeGreaterThan(0);
    const beforeBox = (await review.locator(".compare-before").boundingBox())!;
    const afterBox = (await review.locator(".compare-after").boundingBox())!;
    expect(afterBox.x).toBeGreaterThanOrEqual(beforeBox.x + beforeBox.width - 1);
    expect(Math.abs(afterBox.y - beforeBox.y)).toBeLessThan(2);
    expect(await review.locator(".compare-after a.thumb-file").textContent()).toContain("消杀登记表.pdf");

    await review.locator(".compare-after .thumbs button.thumb").first().click();
    const lightbox = review.locator(".lightbox");
    await lightbox.waitFor();
    expect(await loadedWidth(review, ".lightbox-image")).toBeGreaterThan(0);
    // No offset in the camera's EXIF: its clock is read as China Standard Time.
    expect(await lightbox.textContent()).toContain("2026年12月5日 16:20");
    expect(await lightbox.textContent()).toContain("北纬 34.70010°，东经 113.70020°");
    await shot(review, "evidence-lightbox");
    await review.getByRole("button", { name: "关闭", exact: true }).click();
    await expect.poll(() => lightbox.count()).toBe(0);

    await review.setInputFiles("input[name=review-photo-camera]", {
      name: "回头看.jpg",
      mimeType: "image/jpeg",
      buffer: jpeg({ dateTimeOriginal: "2026:12:06 09:00:00", offsetTimeOriginal: "+08:00" }),
    });
    const reviewPhoto = review.locator("[data-evidence-group=review] .upload");
    expect(await settledUpload(reviewPhoto)).toBe("verified 已校验");
    const reviewPhotoId = await reviewPhoto.getAttribute("data-evidence");
    await review.fill("textarea[name=comment]", "回头看：整改到位，同意销号");
    await shot(review, "evidence-review");
    // The workflow may not wait for the review yet (409): the reviewer tries again, as a person would.
    await expect
      .poll(
        async () => {
          await review.getByRole("button", { name: "整改到位，销号", exact: true }).click();
          await review.locator(".badge.closed, .error").first().waitFor();
          return review.locator(".badge.closed").count();
        },
        { timeout: 20_000, interval: 1000 },
      )
      .toBe(1);
    const closed = (await team.get(`/rectifications/${rectificationId}`)).body;
    expect(closed.status).toBe("closed");
    expect(closed.history.find((h: { action: string }) => h.action === "accepted").evidenceIds).toEqual([
      reviewPhotoId,
    ]);
    expect(review.errors).toEqual([]);
    await reviewerPhone.close();

    // ---- the organizer, on a desktop in another time zone: thumbnails on the assignment and the order ----
    const desk = await contextFor(world.organizer, DESKTOP, { timezoneId: "Europe/London" });
    const organizer = await open(desk, `#/assignments/${assignmentId}`);
    expect(await loadedWidth(organizer, '.findings-items [data-item="A2"] .thumbs img')).toBe(2048);
    expect(await loadedWidth(organizer, '.findings-issues [data-issue="0"] .thumbs img')).toBe(2048);
    expect(await organizer.locator('.findings-items [data-item="A2"] .thumb-caption').textContent()).toBe(
      "拍摄 2026年12月3日 10:15",
    );
    await organizer.goto(`${server.url}/#/rectifications/${rectificationId}`);
    await loadedWidth(organizer, ".compare-before .thumbs img");
    await loadedWidth(organizer, ".compare-after .thumbs img");
    await loadedWidth(organizer, ".review-photos .thumbs img");
    expect(await organizer.locator(".timeline").textContent()).toContain("回头看：整改到位，同意销号");
    await shot(organizer, "evidence-order");
    expect(organizer.errors).toEqual([]);
    await desk.close();
  }, 180_000);
});
