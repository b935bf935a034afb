import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, type Client, eventually, isoIn } from "../support/api";
import { buildConsole, launchChromium, SHOTS } from "../support/console";
import { ServerProcess } from "../support/local";
import { jpeg } from "../support/photos";
import { buildWorld, drawOne, type World } from "../support/scenario";
import { settle, watchRequests } from "../support/settle";

/**
 * Offline capture (离线采集) in the web console, in real headless Chromium against `npm start` as its
 * own process: the service worker opens the pages with no network once visited; an inspector records
 * the arrival, the checklist and two photos with the network off, reloads (still offline) and finds
 * them, submits, and when the network returns everything reaches the server exactly once — even
 * when the answer to the findings is lost on the way and the device sends them again with the same
 * Idempotency-Key. A teammate who submits first: the conflict is explained, the device's copy kept
 * until the person decides (download, discard), and signing out warns of what is unsent and clears
 * the device. The unit's report works the same way offline; a unit's device never holds anything of
 * an assignment.
 */
const PHONE = { width: 390, height: 844 };

let consoleDir: string;
let server: ServerProcess;
let world: World;
let browser: Browser;

beforeAll(async () => {
  consoleDir = buildConsole("offline-console");
  server = await ServerProcess.create("offline-console", { sharedDynamoDb: true, warmUp: false });
  await server.start();
  world = await buildWorld(new Api(server.url, server.dataDir), "oc");
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (consoleDir) rmSync(consoleDir, { recursive: true, force: true });
});

async function contextFor(
  client: Client,
  extra: Parameters<Browser["newContext"]>[0] = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: PHONE,
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    isMobile: true,
    hasTouch: true,
    deviceScaleFactor: 2,
    acceptDownloads: true,
    ...extra,
  });
  await context.addInitScript((token) => localStorage.setItem("spot.console.token", token), client.bearer!);
  return context;
}

type TestPage = Page & { errors: string[] };

async function open(context: BrowserContext, hash: string): Promise<TestPage> {
  const page = watchRequests((await context.newPage()) as TestPage);
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  await page.goto(`${server.url}/${hash}`);
  return page;
}

/** The service worker has installed and controls the page: it will open with no network. */
async function controlled(page: Page): Promise<void> {
  // (Polled from here: a string function in the page would be eval, which the console's CSP forbids.)
  await expect
    .poll(() => page.evaluate("Boolean(navigator.serviceWorker && navigator.serviceWorker.controller)"), {
      timeout: 30_000,
    })
    .toBe(true);
}

/** Whatever the console keeps in IndexedDB, store by store (keys, owners, states). */
const READ_DEVICE = `(async () => {
  const names = (await indexedDB.databases()).map((d) => d.name);
  if (!names.includes("spot-console-offline")) return null;
  const db = await new Promise((resolve, reject) => {
    const r = indexedDB.open("spot-console-offline");
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  const out = {};
  for (const name of Array.from(db.objectStoreNames)) {
    out[name] = await new Promise((resolve) => {
      const req = db.transaction(name).objectStore(name).getAll();
      req.onsuccess = () =>
        resolve(req.result.map((r) => ({ key: r.key || r.id, sub: r.sub, op: r.op, state: r.state, createdAt: r.createdAt })));
    });
  }
  db.close();
  return out;
})()`;

interface DeviceRecord {
  key: string;
  sub: string;
  op?: string;
  state?: string;
  createdAt?: string;
}
type Device = Record<"reads" | "drafts" | "writes" | "photos", DeviceRecord[]> | null;

const device = (page: Page) => page.evaluate(READ_DEVICE) as Promise<Device>;

/** The header's count of what waits on the device. */
const waitingCount = async (page: Page) =>
  Number(await page.locator(".sync-badge").getAttribute("data-waiting"));

async function shot(page: Page, name: string) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

describe("offline capture: the inspector's page", () => {
  it("records arrival, findings and two photos offline, keeps them across a reload, and sends them once", async () => {
    const { assignment } = await drawOne(world, { candidateUnitIds: [world.units.yatai] });
    const id = assignment.assignmentId;
    const team = world.inspectorFor(assignment);
    const phone = await contextFor(team, {
      permissions: ["geolocation"],
      geolocation: { latitude: 34.7, longitude: 113.7, accuracy: 10 },
    });

    // Online once: the list (which keeps the active assignments and their checklists on the device)
    // and the assignment's page; the service worker installs and takes the page.
    const page = await open(phone, "#/assignments");
    await page.locator(`[data-assignment="${id}"] a`).click();
    await page.getByRole("button", { name: "到场签到（获取定位）", exact: true }).waitFor();
    await controlled(page);
    await settle(page);
    const kept = await device(page);
    expect(kept?.reads.some((r) => /getTemplate/.test(r.key))).toBe(true);

    // ---- no network from here ----
    await phone.setOffline(true);
    await page.getByRole("button", { name: "到场签到（获取定位）", exact: true }).click();
    const arrival = page.locator('.local-record[data-write="recordArrival"]');
    await expect.poll(() => arrival.locator(".sync-state").textContent()).toBe("已保存在本机");
    await page.locator("ol.checklist").waitFor();
    await page.fill("input[name=deduction-A2]", "8");
    await page.fill("input[name=note-A2]", "消杀记录不详");
    await page.setInputFiles("input[name=photo-A2-camera]", {
      name: "消杀记录本.jpg",
      mimeType: "image/jpeg",
      buffer: jpeg({
        dateTimeOriginal: "2026:12:03 10:15:30",
        offsetTimeOriginal: "+08:00",
        lat: 34.7001,
        lng: 113.7002,
      }),
    });
    await expect
      .poll(() => page.locator('[data-item="A2"] .upload').getAttribute("data-state"))
      .toBe("saved");
    expect(await page.locator('[data-item="A2"] .upload-status').textContent()).toBe("已保存在本机");
    await page.locator('[data-item="A2"] >> text=列入问题清单').click();
    await page.fill("textarea[name=issue-description-0]", "消杀记录不详，责令立即整改");
    await page.setInputFiles("input[name=issue-photo-0-camera]", {
      name: "消杀现场.jpg",
      mimeType: "image/jpeg",
      buffer: jpeg({ dateTimeOriginal: "2026:12:03 10:17:00", offsetTimeOriginal: "+08:00" }),
    });
    const issuePhotos = page.locator('fieldset[data-issue="0"] .upload');
    await expect.poll(() => issuePhotos.count()).toBe(2);
    await expect
      .poll(() => page.locator('fieldset[data-issue="0"] .upload[data-state="saved"]').count())
      .toBe(2);
    // The arrival and the two photos wait; the header says so.
    await expect.poll(() => waitingCount(page)).toBe(3);
    expect(await page.locator(".sync-badge").textContent()).toContain("离线");
    expect(await page.locator(".banner.offline").textContent()).toContain("当前无网络");
    const persisted = (await page.evaluate("navigator.storage.persisted()")) as boolean;
    if (!persisted) expect(await page.locator('[data-warning="not-persisted"]').count()).toBe(1);
    await shot(page, "offline-checklist");

    // ---- a reload with no network: the page, the arrival, what was typed and both photos ----
    await page.reload();
    await arrival.waitFor();
    expect(await arrival.locator(".sync-state").textContent()).toBe("已保存在本机");
    await page.locator("ol.checklist").waitFor();
    expect(await page.locator("input[name=deduction-A2]").inputValue()).toBe("8");
    expect(await page.locator("input[name=note-A2]").inputValue()).toBe("消杀记录不详");
    expect(await page.locator("textarea[name=issue-description-0]").inputValue()).toBe(
      "消杀记录不详，责令立即整改",
    );
    await expect.poll(() => page.locator('[data-item="A2"] .upload[data-state="saved"]').count()).toBe(1);
    await expect
      .poll(() => page.locator('fieldset[data-issue="0"] .upload[data-state="saved"]').count())
      .toBe(2);
    expect(await page.locator(".banner.stale").count()).toBe(1);

    // Submitted offline: the findings wait on the device with their photos.
    await page.getByRole("button", { name: "提交现场检查结果", exact: true }).click();
    const findings = page.locator('.local-record[data-write="submitFindings"]');
    await findings.waitFor();
    expect(await findings.locator(".sync-state").first().textContent()).toBe("已保存在本机");
    expect(await findings.textContent()).toContain("A2 扣 8 分：消杀记录不详");
    expect(await findings.textContent()).toContain("消杀记录不详，责令立即整改");
    expect(await page.locator("ol.checklist").count()).toBe(0);
    await expect.poll(() => waitingCount(page)).toBe(4);

    await page.reload();
    await findings.waitFor();
    expect(await findings.textContent()).toContain("A2 扣 8 分：消杀记录不详");
    expect(await findings.locator(".local-photos li").count()).toBe(2);
    expect(await arrival.locator(".sync-state").textContent()).toBe("已保存在本机");
    await shot(page, "offline-kept");

    // Nothing reached the server meanwhile.
    expect((await team.get(`/assignments/${id}`)).body.status).toBe("dispatched");

    // ---- the network returns; the first answer to the findings is lost on the way ----
    let findingsPosts = 0;
    const keys: string[] = [];
    await page.route("**/assignments/*/findings", async (route) => {
      findingsPosts++;
      keys.push(route.request().headers()["idempotency-key"] ?? "");
      if (findingsPosts === 1) {
        await route.fetch(); // the server takes it …
        await route.abort("connectionreset"); // … and the answer never arrives
      } else await route.continue();
    });
    await phone.setOffline(false);
    await expect
      .poll(() => findings.getAttribute("data-state"), { timeout: 60_000, interval: 500 })
      .toBe("synced");
    expect(await arrival.getAttribute("data-state")).toBe("synced");
    await expect.poll(() => waitingCount(page)).toBe(0);
    expect(await page.locator(".sync-badge").textContent()).toBe("已全部同步");
    expect(findingsPosts).toBe(2);
    expect(keys[0]).toMatch(/.{16,}/);
    expect(keys[1]).toBe(keys[0]);

    // ---- on the server, exactly once ----
    const served = await eventually(
      () => team.get(`/assignments/${id}`),
      (r) => r.body.status === "rectifying",
    );
    const a = served.body;
    expect(a.arrival).toMatchObject({ onSite: true, delayedSync: false });
    expect(Date.parse(a.arrival.capturedAt)).toBeLessThan(Date.parse(a.arrival.at));
    expect(a.findings.items).toHaveLength(1);
    expect(a.findings.items[0]).toMatchObject({ code: "A2", deduction: 8, note: "消杀记录不详" });
    expect(a.findings.items[0].evidenceIds).toHaveLength(1);
    expect(a.findings.issues).toHaveLength(1);
    expect(a.findings.issues[0].description).toBe("消杀记录不详，责令立即整改");
    expect(a.findings.issues[0].evidenceIds).toHaveLength(2);
    expect(a.findings.issues[0].evidenceIds[0]).toBe(a.findings.items[0].evidenceIds[0]);
    expect(a.rectificationIds).toHaveLength(1);
    const evidence = (await team.get(`/evidence?subjectKind=assignment&subjectId=${id}`)).body.items as {
      status: string;
      capturedAt?: string;
    }[];
    expect(evidence.map((e) => e.status)).toEqual(["verified", "verified"]);
    expect(evidence.map((e) => e.capturedAt).sort()).toEqual([
      "2026-12-03T02:15:30.000Z",
      "2026-12-03T02:17:00.000Z",
    ]);
    const audit = (await world.organizer.get(`/audit/${id}`)).body.items as { action: string }[];
    expect(audit.filter((e) => e.action === "arrived")).toHaveLength(1);
    expect(audit.filter((e) => e.action === "findings_submitted")).toHaveLength(1);

    // The page shows what the server holds; the device keeps no photo bytes any more.
    await page.locator(".findings-items").waitFor();
    expect((await device(page))?.photos).toEqual([]);
    await shot(page, "offline-synced");
    expect(page.errors).toEqual([]);
    await phone.close();
  }, 240_000);

  it("a teammate submits first: the conflict is explained, the device keeps its copy until the person decides", async () => {
    const { assignment } = await drawOne(world, { candidateUnitIds: [world.units.dongjia] });
    const id = assignment.assignmentId;
    const me = world.inspectorFor(assignment);
    const teammate = world.inspectors[assignment.inspectorIds[1]!]!;
    const phone = await contextFor(me, {
      permissions: ["geolocation"],
      geolocation: { latitude: 34.68, longitude: 113.75, accuracy: 10 },
    });
    const page = await open(phone, `#/assignments/${id}`);
    await page.getByRole("button", { name: "到场签到（获取定位）", exact: true }).waitFor();
    await controlled(page);
    await settle(page);

    await phone.setOffline(true);
    await page.getByRole("button", { name: "到场签到（获取定位）", exact: true }).click();
    await page.locator("ol.checklist").waitFor();
    await page.fill("input[name=deduction-A1]", "3");
    await page.fill("input[name=note-A1]", "健康档案不全");
    await page.setInputFiles("input[name=photo-A1-camera]", {
      name: "健康档案.jpg",
      mimeType: "image/jpeg",
      buffer: jpeg({ dateTimeOriginal: "2026:12:03 11:00:00", offsetTimeOriginal: "+08:00" }),
    });
    await expect
      .poll(() => page.locator('[data-item="A1"] .upload').getAttribute("data-state"))
      .toBe("saved");
    await page.getByRole("button", { name: "提交现场检查结果", exact: true }).click();
    const findings = page.locator('.local-record[data-write="submitFindings"]');
    await findings.waitFor();

    // Meanwhile the teammate, with a signal, arrives and submits.
    expect(
      (await teammate.post(`/assignments/${id}/arrival`, { location: { lat: 34.68, lng: 113.75 } })).status,
    ).toBe(200);
    expect(
      (
        await teammate.post(`/assignments/${id}/findings`, {
          items: [{ code: "A4", deduction: 5, note: "来访登记缺失" }],
          issues: [],
        })
      ).status,
    ).toBe(202);

    await phone.setOffline(false);
    await expect.poll(() => findings.getAttribute("data-state"), { timeout: 60_000 }).toBe("conflict");
    const arrival = page.locator('.local-record[data-write="recordArrival"]');
    expect(await arrival.getAttribute("data-state")).toBe("conflict");
    expect(await arrival.locator(".sync-state").textContent()).toBe("同步失败：同组督查员已签到");
    expect(await arrival.locator(".conflict-message").textContent()).toMatch(
      /同组督查员 督查员. 已于 .+ 记录了到达/,
    );
    expect(await findings.locator(".sync-state").first().textContent()).toBe("同步失败：同组督查员已先提交");
    const explained = await findings.locator(".conflict-message").textContent();
    expect(explained).toMatch(/同组督查员 督查员. 已于 .+ 先提交了现场检查结果，以先提交者为准/);
    expect(explained).toContain("本机记录已保留");
    // The device's copy, photo and all, is still there — and nothing of it went to the server.
    expect(await findings.textContent()).toContain("A1 扣 3 分：健康档案不全");
    expect(await findings.locator('.local-photos li[data-photo-state="saved"]').count()).toBe(1);
    const server = (await me.get(`/assignments/${id}`)).body;
    expect(server.findings.items).toEqual([{ code: "A4", deduction: 5, note: "来访登记缺失" }]);
    expect((await me.get(`/evidence?subjectKind=assignment&subjectId=${id}`)).body.items).toEqual([]);
    await shot(page, "offline-conflict");

    // Kept across a reload too, until the person decides.
    await page.reload();
    await findings.waitFor();
    expect(await findings.getAttribute("data-state")).toBe("conflict");
    await page.locator(".findings-items").waitFor(); // the teammate's findings, from the server

    // Unsent for more than a day: the app warns.
    await page.evaluate(`(async () => {
      const db = await new Promise((resolve) => { const r = indexedDB.open("spot-console-offline"); r.onsuccess = () => resolve(r.result); });
      const tx = db.transaction("writes", "readwrite");
      const store = tx.objectStore("writes");
      const all = await new Promise((resolve) => { const q = store.getAll(); q.onsuccess = () => resolve(q.result); });
      for (const w of all) store.put({ ...w, createdAt: new Date(Date.now() - 2 * 86400000).toISOString() });
      await new Promise((resolve) => { tx.oncomplete = resolve; });
      db.close();
    })()`);
    await page.reload();
    await findings.waitFor();
    expect(await page.locator('[data-warning="old-unsent"]').textContent()).toContain("超过一天仍未发送");

    // 下载本机记录: the record and its photo in one file.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      findings.getByRole("button", { name: "下载本机记录", exact: true }).click(),
    ]);
    const file = JSON.parse(readFileSync((await download.path())!, "utf8"));
    expect(file.记录).toBe("现场检查结果");
    expect(file.内容.items[0]).toMatchObject({ code: "A1", deduction: 3, note: "健康档案不全" });
    expect(file.照片).toHaveLength(1);
    expect(file.照片[0].data).toMatch(/^data:image\/jpeg;base64,/);

    // Signing out warns of what is unsent; cancelled, nothing changes.
    await page.getByRole("button", { name: "退出", exact: true }).click();
    const dialog = page.locator("dialog.confirm");
    expect(await dialog.textContent()).toContain("本机还有 3 项记录尚未发送");
    await dialog.getByRole("button", { name: "取消", exact: true }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    expect((await device(page))?.writes).toHaveLength(2);

    // 放弃本机记录: the findings and their photo leave the device.
    await findings.getByRole("button", { name: "放弃本机记录", exact: true }).click();
    await page.locator("dialog.confirm").getByRole("button", { name: "放弃并删除", exact: true }).click();
    await expect.poll(() => findings.count()).toBe(0);
    expect((await device(page))?.photos).toEqual([]);

    // Signing out with the arrival still unsent: warned, confirmed, the device holds nothing of this person.
    await page.getByRole("button", { name: "退出", exact: true }).click();
    expect(await dialog.textContent()).toContain("本机还有 1 项记录尚未发送");
    await dialog.getByRole("button", { name: "仍然退出并删除", exact: true }).click();
    await page.locator("input[name=username]").waitFor();
    const left = await device(page);
    for (const store of ["reads", "drafts", "writes", "photos"] as const)
      expect(left?.[store].filter((r) => r.sub === assignment.inspectorIds[0])).toEqual([]);
    expect(page.errors).toEqual([]);
    await phone.close();
  }, 240_000);
});

describe("offline capture: the unit's page", () => {
  it("keeps nothing of an assignment, and reports an order offline", async () => {
    const { assignment } = await drawOne(world, { candidateUnitIds: [world.units.jiangchong] });
    const id = assignment.assignmentId;
    const team = world.inspectorFor(assignment);
    const unitUser = await world.unitUser(assignment.unitId);
    const phone = await contextFor(unitUser);

    // Before the arrival the unit sees nothing, and its device keeps nothing, of the assignment.
    const page = await open(phone, "#/assignments");
    await page.locator("[data-page=assignments] .empty").waitFor();
    await page.goto(`${server.url}/#/assignments/${id}`);
    await page.locator("[data-page=assignment] .error").waitFor();
    await controlled(page);
    const before = await device(page);
    expect(before?.reads.filter((r) => /(list|get)Assignments?\b/.test(r.key))).toEqual([]);

    // The team arrives and scores with an issue: the unit gets its order.
    expect(
      (await team.post(`/assignments/${id}/arrival`, { location: { lat: 34.7, lng: 113.7 } })).status,
    ).toBe(200);
    const scored = await team.post(`/assignments/${id}/findings`, {
      items: [{ code: "A4", deduction: 6, note: "来访登记缺失" }],
      issues: [
        {
          itemCode: "A4",
          description: "来访人员未登记，限期整改",
          severity: "major",
          deadline: isoIn(5 * 86_400_000),
        },
      ],
    });
    expect(scored.status).toBe(202);
    const rectificationId = scored.body.rectificationIds[0] as string;
    await eventually(
      () => unitUser.get(`/rectifications/${rectificationId}`),
      (r) => r.status === 200,
    );

    // The unit opens its order once with a signal (its list too), then loses it.
    await page.goto(`${server.url}/#/rectifications`);
    await page.locator(`[data-rectification="${rectificationId}"] a`).click();
    await page.locator("textarea[name=description]").waitFor();
    await settle(page);
    expect((await device(page))?.reads.filter((r) => /(list|get)Assignments?\b/.test(r.key))).toEqual([]);
    await phone.setOffline(true);
    await page.reload();
    await page.locator("textarea[name=description]").waitFor();
    expect(await page.locator(".banner.stale").count()).toBe(1);
    await page.fill("textarea[name=description]", "已设来访登记台，专人负责登记");
    await page.setInputFiles("input[name=after-files]", {
      name: "登记台.jpg",
      mimeType: "image/jpeg",
      buffer: jpeg({ dateTimeOriginal: "2026:12:05 09:30:00", offsetTimeOriginal: "+08:00" }),
    });
    await expect.poll(() => page.locator(".compare-after .upload").getAttribute("data-state")).toBe("saved");

    // A reload offline keeps the typing and the photo.
    await page.reload();
    await page.locator("textarea[name=description]").waitFor();
    expect(await page.locator("textarea[name=description]").inputValue()).toBe(
      "已设来访登记台，专人负责登记",
    );
    await expect.poll(() => page.locator(".compare-after .upload").getAttribute("data-state")).toBe("saved");
    await page.getByRole("button", { name: "提交整改报告", exact: true }).click();
    const report = page.locator('.local-record[data-write="reportRectification"]');
    await report.waitFor();
    expect(await report.locator(".sync-state").first().textContent()).toBe("已保存在本机");
    expect(await report.textContent()).toContain("已设来访登记台，专人负责登记");
    await expect.poll(() => waitingCount(page)).toBe(2);
    await page.reload();
    await report.waitFor();
    expect(await report.getAttribute("data-state")).toBe("saved");
    await shot(page, "offline-unit-report");
    expect((await unitUser.get(`/rectifications/${rectificationId}`)).body.status).toBe("open");

    // Back online: the photo, then the report, once.
    await phone.setOffline(false);
    await expect.poll(() => report.getAttribute("data-state"), { timeout: 60_000 }).toBe("synced");
    await page.locator(".badge.submitted").waitFor();
    const order = (await unitUser.get(`/rectifications/${rectificationId}`)).body;
    expect(order.status).toBe("submitted");
    expect(order.report.description).toBe("已设来访登记台，专人负责登记");
    expect(order.report.evidenceIds).toHaveLength(1);
    expect(order.history.filter((h: { action: string }) => h.action.startsWith("reported"))).toHaveLength(1);
    const files = (await unitUser.get(`/evidence?subjectKind=rectification&subjectId=${rectificationId}`))
      .body.items;
    expect(files).toHaveLength(1);
    expect((await device(page))?.reads.filter((r) => /(list|get)Assignments?\b/.test(r.key))).toEqual([]);
    expect(page.errors).toEqual([]);
    await phone.close();
  }, 240_000);
});
