import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { endpoints } from "../../web/src/endpoints";
import { Api, type Client, eventually, isoIn } from "../support/api";
import { buildConsole, launchChromium, SHOTS } from "../support/console";
import { ServerProcess } from "../support/local";
import { buildWorld, drawOne, type World } from "../support/scenario";
import { settle, watchRequests } from "../support/settle";

/**
 * The web console in real headless Chromium (Debian's `chromium` package, driven by playwright-core)
 * against `npm start` as its own process. The console is built from web/ into a temporary directory
 * (CONSOLE_DIR), so the run tests the current source and never races a build of web/dist.
 * Screenshots of the main pages are written to test/e2e/screenshots/ on every run.
 */
const _ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 860 };

let consoleDir: string;
let server: ServerProcess;
let api: Api;
let world: World;
let browser: Browser | undefined;
let launching: Promise<Browser> | undefined;

beforeAll(async () => {
  consoleDir = buildConsole("console");
  // Chromium starts while the server starts and the world is built.
  launching = launchChromium();
  launching.catch(() => undefined); // its failure is reported where it is awaited

  server = await ServerProcess.create("console", { sharedDynamoDb: true, warmUp: false });
  await server.start();
  api = new Api(server.url, server.dataDir);
  world = await buildWorld(api, "c");
  browser = await launching;
});

afterAll(async () => {
  await (browser ?? (await launching?.catch(() => undefined)))?.close();
  await server?.close();
  if (consoleDir) rmSync(consoleDir, { recursive: true, force: true });
});

async function contextFor(
  client: Client | undefined,
  viewport = DESKTOP,
  extra: Parameters<Browser["newContext"]>[0] = {},
): Promise<BrowserContext> {
  if (!browser) throw new Error("Chromium is not started");
  const context = await browser.newContext({
    viewport,
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    ...(viewport.width < 500 ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
    ...extra,
  });
  if (client?.bearer) {
    await context.addInitScript((token) => localStorage.setItem("spot.console.token", token), client.bearer);
  }
  return context;
}

async function open(context: BrowserContext, hash: string): Promise<Page> {
  const page = watchRequests(await context.newPage());
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${server.url}/${hash}`);
  (page as Page & { errors?: string[] }).errors = errors;
  return page;
}

/** A screenshot once the page has loaded what it shows and stays still (test/support/settle.ts). */
async function shot(page: Page, name: string) {
  await settle(page);
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/**
 * Arrival and findings through the API: one assignment with one open order due `dueInMs` after the
 * findings are sent.
 */
async function scoredWithOrder(
  unit: string,
  dueInMs: number,
  severity: "minor" | "major" | "critical" = "major",
) {
  const drawn = await drawOne(world, { candidateUnitIds: [unit] });
  const team = world.inspectorFor(drawn.assignment);
  const id = drawn.assignment.assignmentId;
  expect(
    (await team.post(`/assignments/${id}/arrival`, { location: { lat: 34.7, lng: 113.7 } })).status,
  ).toBe(200);
  const deadline = isoIn(dueInMs);
  const findings = await team.post(`/assignments/${id}/findings`, {
    items: [{ code: "A2", deduction: 8, note: "消杀记录不详" }],
    issues: [{ itemCode: "A2", description: "个别场所消杀记录不详，责令立即整改", severity, deadline }],
  });
  expect(findings.status).toBe(202);
  const [rectificationId] = findings.body.rectificationIds as string[];
  await eventually(
    () => team.get(`/rectifications/${rectificationId}`),
    (r) => r.status === 200,
  );
  return { ...drawn, team, rectificationId: rectificationId!, deadline };
}

describe("the console is served at / beside the API", () => {
  it("serves index.html, its assets and config.json; API routes and unknown paths answer as before", async () => {
    const index = await fetch(`${server.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await index.text();
    const script = /src="\.?\/?(assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${server.url}/${script}`);
    expect(asset.headers.get("content-type")).toMatch(/^text\/javascript/);
    // The same-origin API, and where people sign in: the local user pool's Cognito API.
    expect(await (await fetch(`${server.url}/config.json`)).json()).toEqual({
      mode: "local",
      apiUrl: "",
      signIn: {
        endpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        clientId: expect.any(String),
        userPoolId: expect.stringMatching(/^local_/),
      },
    });

    const health = await fetch(`${server.url}/health`);
    // The local runtime adds the depth of the change relay's failure queue.
    expect(await health.json()).toEqual({ status: "ok", relayFailures: 0 });
    const units = await fetch(`${server.url}/units`);
    expect(units.status).toBe(401);
    for (const path of [
      "/nope",
      "/assets/../package.json",
      "/assets/%2e%2e/%2e%2e/package.json",
      "/..%2fpackage.json",
    ]) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type"), path).toMatch(/problem\+json/);
    }
    const post = await fetch(`${server.url}/`, { method: "POST" });
    expect(post.status).toBe(404);
  });

  it("calls only operations that the OpenAPI document publishes, with its fields", async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, any>>;
    };
    for (const [name, e] of Object.entries(endpoints)) {
      const op = doc.paths[e.path]?.[e.method.toLowerCase()];
      expect(op, `${name}: ${e.method} ${e.path}`).toBeDefined();
      if ("body" in e) {
        const props = Object.keys(op.requestBody?.content?.["application/json"]?.schema?.properties ?? {});
        for (const field of e.body) expect(props, `${name} body.${field}`).toContain(field);
      }
      if ("query" in e) {
        const names = (op.parameters ?? []).filter((p: any) => p.in === "query").map((p: any) => p.name);
        for (const q of e.query) expect(names, `${name} ?${q}`).toContain(q);
      }
    }
  });
});

describe("official: 整改督办看板", () => {
  it("signs in with a pasted token and sees an order go from yellow to red when it falls overdue", async () => {
    const context = await contextFor(undefined);
    const page = await open(context, "");
    // Username and password first; a token of `npm run token` is the secondary way in (scripts).
    await page.locator("input[name=username]").waitFor();
    await shot(page, "login");
    await page.getByText("使用脚本令牌登录（本机）").click();
    await page.fill("textarea[name=token]", world.official.bearer!);
    await page.click("details.token-signin button[type=submit]");
    await page.waitForSelector("[data-page=dashboard]");

    // The order is given once the dashboard is open, so that its deadline only has to outlast the
    // findings and one 刷新 (about 1 s on a loaded machine here; 8 s leaves a margin for a slower one).
    const { rectificationId, spotCheckId, assignment, deadline } = await scoredWithOrder(
      world.units.yatai,
      8000,
    );
    const refresh = () => page.getByRole("button", { name: "刷新", exact: true }).click();
    const dueSoon = page.locator(`table.due-soon tr[data-rectification="${rectificationId}"]`);
    await refresh();
    await dueSoon.waitFor();
    expect(await dueSoon.getAttribute("data-light")).toBe("yellow");

    // Red once the deadline has passed (the dashboard works it out when asked): nothing to ask before.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(deadline) - Date.now())));
    const overdue = page.locator(`table.overdue-list tr[data-rectification="${rectificationId}"]`);
    await expect
      .poll(
        async () => {
          if ((await overdue.count()) === 0) await refresh();
          return overdue.getAttribute("data-light", { timeout: 1000 }).catch(() => null);
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBe("red");
    await expect.poll(() => overdue.locator(".light-red").textContent()).toContain("红灯");
    await expect.poll(() => dueSoon.count()).toBe(0);
    await shot(page, "dashboard");

    // The unit-subtree filter keeps the order under 经开区 and hides it under 航空港区.
    await page.selectOption("select[name=subtree]", world.units.airport);
    await expect.poll(() => overdue.count()).toBe(0);
    await page.selectOption("select[name=subtree]", world.units.district);
    await expect.poll(() => overdue.count()).toBe(1);

    const phone = await contextFor(world.official, PHONE);
    const small = await open(phone, "#/dashboard");
    await small.locator(`table.overdue-list tr[data-rectification="${rectificationId}"]`).waitFor();
    const width = (await small.evaluate("document.documentElement.scrollWidth")) as number;
    expect(width).toBeLessThanOrEqual(PHONE.width);
    await shot(small, "dashboard-phone");
    await phone.close();

    // The bulletin (通报): ranked, printable, exported as CSV.
    await page.goto(`${server.url}/#/spot-checks/${spotCheckId}/bulletin`);
    await page.locator("table.ranking tbody tr").first().waitFor();
    expect(await page.locator(".summary").textContent()).toContain("逾期未整改1个");
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "导出 CSV", exact: true }).click();
    const csv = readFileSync((await (await download).path())!, "utf8");
    expect(csv).toContain("亚太社区");
    expect(csv).toContain("个别场所消杀记录不详");
    await page.emulateMedia({ media: "print" });
    expect(await page.locator(".topbar").isVisible()).toBe(false);
    await page.emulateMedia({ media: "screen" });
    await shot(page, "bulletin");

    // The audit trail of the assignment.
    await page.goto(`${server.url}/#/audit/${assignment.assignmentId}`);
    await page.locator(".audit-timeline > li").first().waitFor();
    const timeline = page.locator(".audit-timeline");
    expect(await timeline.textContent()).toContain("到场签到");
    // Who by name and role, the chain's verification as a badge, the hashes folded away.
    expect(await timeline.locator('li[data-action="arrived"] .who-actor').textContent()).toMatch(
      /（督查员）$/,
    );
    expect(await page.locator('.chain-badge[data-chain="verified"]').textContent()).toContain(
      "哈希链校验通过",
    );
    expect(await page.locator("details.tech").first().getAttribute("open")).toBeNull();
    await shot(page, "audit");
    expect((page as Page & { errors?: string[] }).errors).toEqual([]);
    await context.close();
  });
});

describe("inspector (phone, 390 px)", () => {
  it("records arrival with the browser's position and submits the checklist with an issue", async () => {
    const { assignment } = await drawOne(world, { candidateUnitIds: [world.units.dongjia] });
    const inspector = world.inspectorFor(assignment);
    const context = await contextFor(inspector, PHONE, {
      permissions: ["geolocation"],
      geolocation: { latitude: 34.68, longitude: 113.75, accuracy: 10 },
    });
    const page = await open(context, "#/assignments");
    const card = page.locator(`[data-assignment="${assignment.assignmentId}"] a`);
    await card.waitFor();
    await shot(page, "inspector-assignments");
    await card.click();

    await page.getByRole("button", { name: "到场签到（获取定位）", exact: true }).click();
    await page.locator(".arrival .badge.green").waitFor();
    expect(await page.locator(".arrival").textContent()).toContain("在现场");

    // The assignment names the checklist version it was planned with: the page loads it by itself.
    await page.locator("ol.checklist").waitFor();
    await page.fill("input[name=deduction-A2]", "4");
    await page.fill("input[name=note-A2]", "消杀记录不详");
    await page.locator('[data-item="A2"] >> text=列入问题清单').click();
    await page.selectOption("select[name=issue-period-0]", "1");
    expect(await page.locator("textarea[name=issue-description-0]").inputValue()).toBe("消杀记录不详");
    expect(await page.locator(".score-preview").textContent()).toContain("96 / 100");
    const width = (await page.evaluate("document.documentElement.scrollWidth")) as number;
    expect(width).toBeLessThanOrEqual(PHONE.width);
    await shot(page, "inspector-checklist");

    await page.getByRole("button", { name: "提交现场检查结果", exact: true }).click();
    const scored = await eventually(
      () => inspector.get(`/assignments/${assignment.assignmentId}`),
      (r) => r.body.status === "rectifying",
    );
    expect(scored.body.score).toMatchObject({ percent: 96, grade: "优秀", vetoed: false });
    expect(scored.body.arrival).toMatchObject({ onSite: true });
    expect(scored.body.findings.issues).toHaveLength(1);
    await page.reload();
    await page.locator(".score").waitFor();
    expect(await page.locator(".score").textContent()).toContain("96%");
    await shot(page, "inspector-findings");
    expect((page as Page & { errors?: string[] }).errors).toEqual([]);
    await context.close();
  });
});

describe("unit (phone) and 回头看", () => {
  it("a unit reports with evidence; an inspector accepts the report (销号)", async () => {
    const { rectificationId, assignment, team } = await scoredWithOrder(
      world.units.jiangchong,
      5 * 86_400_000,
    );
    const unitUser = await world.unitUser(assignment.unitId);
    const context = await contextFor(unitUser, PHONE);
    const page = await open(context, "#/rectifications");
    const card = page.locator(`[data-rectification="${rectificationId}"] a`);
    await card.waitFor();
    await shot(page, "unit-rectifications");
    await card.click();
    await page.fill("textarea[name=description]", "已补齐消杀记录，落实每日消杀登记");
    await page.fill("textarea[name=evidence]", "消杀记录本照片\n员工健康档案更新记录");
    await shot(page, "unit-report");
    await page.getByRole("button", { name: "提交整改报告", exact: true }).click();
    await expect.poll(() => page.locator(".badge.submitted").count(), { timeout: 15_000 }).toBe(1);
    const reported = await unitUser.get(`/rectifications/${rectificationId}`);
    expect(reported.body.report).toMatchObject({
      description: "已补齐消杀记录，落实每日消杀登记",
      evidence: ["消杀记录本照片", "员工健康档案更新记录"],
      late: false,
    });
    await context.close();

    const reviewer = await contextFor(team, PHONE);
    const review = await open(reviewer, `#/rectifications/${rectificationId}`);
    await review.locator("textarea[name=comment]").waitFor();
    await review.fill("textarea[name=comment]", "回头看：整改到位，同意销号");
    await shot(review, "review");
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
    expect((await team.get(`/rectifications/${rectificationId}`)).body.status).toBe("closed");
    await reviewer.close();
  });
});

describe("延期 and 四眼销号 (v2 督办)", () => {
  it("the unit asks for more time on the order's page; the organizer refuses it there, with a comment", async () => {
    const { rectificationId, assignment } = await scoredWithOrder(world.units.dongjia, 5 * 86_400_000);
    const before = (await world.organizer.get(`/rectifications/${rectificationId}`)).body.deadline as string;
    const unitUser = await world.unitUser(assignment.unitId);
    const context = await contextFor(unitUser, PHONE);
    const page = await open(context, `#/rectifications/${rectificationId}`);
    await page.locator("textarea[name=extensionReason]").fill("整改所需设备正在采购，预计下周到货");
    await page.getByRole("button", { name: "提交延期申请", exact: true }).click();
    await page.locator('.extension-request[data-status="pending"]').waitFor();
    // One request at a time: the form gives way to why there is none.
    expect(await page.locator(".extension-closed").textContent()).toContain("已有一份延期申请正在审批");
    await shot(page, "unit-extension-request");
    expect((page as Page & { errors?: string[] }).errors).toEqual([]);
    await context.close();

    const organizer = await contextFor(world.organizer);
    const org = await open(organizer, `#/rectifications/${rectificationId}`);
    const pending = org.locator('.extension-request[data-status="pending"]');
    await pending.waitFor();
    await pending.getByRole("button", { name: "不予延期", exact: true }).click();
    expect(await pending.locator(".error").textContent()).toContain("不予延期时请填写意见");
    await pending.locator("textarea").fill("整改内容简单，不予延期");
    await pending.getByRole("button", { name: "不予延期", exact: true }).click();
    await org.locator('.extension-request[data-status="refused"]').waitFor();
    expect(await org.locator('.extension-request[data-status="refused"]').textContent()).toContain(
      "不予延期",
    );
    const order = (await world.organizer.get(`/rectifications/${rectificationId}`)).body;
    expect(order.extensionRequests[0]).toMatchObject({
      status: "refused",
      comment: "整改内容简单，不予延期",
    });
    expect(order.deadline).toBe(before);
    expect((org as Page & { errors?: string[] }).errors).toEqual([]);
    await organizer.close();
  });

  it("a critical order: the first accept leaves it for a second reviewer (已有 1 人同意销号，尚需另一人复核)", async () => {
    const { rectificationId, assignment, team } = await scoredWithOrder(
      world.units.jiangchong,
      5 * 86_400_000,
      "critical",
    );
    const unitUser = await world.unitUser(assignment.unitId);
    expect(
      (await unitUser.post(`/rectifications/${rectificationId}/report`, { description: "已完成整改" }))
        .status,
    ).toBe(200);
    const reviewer = await contextFor(team, PHONE);
    const page = await open(reviewer, `#/rectifications/${rectificationId}`);
    await page.locator("textarea[name=comment]").fill("整改到位");
    expect(await page.locator(".four-eyes").first().textContent()).toContain("须经 2 名复核人");
    // The workflow may not wait for the review yet (409): the reviewer tries again, as a person would.
    await expect
      .poll(
        async () => {
          await page.getByRole("button", { name: "整改到位，销号", exact: true }).click();
          await page.locator("[data-accepted-by-me], .error").first().waitFor();
          return page.locator("[data-accepted-by-me]").count();
        },
        { timeout: 20_000, interval: 1000 },
      )
      .toBe(1);
    expect((await world.organizer.get(`/rectifications/${rectificationId}`)).body.accepts).toBe(1);
    expect(await page.locator("dd.four-eyes").textContent()).toBe(
      "已有 1 人同意销号，尚需另一人复核（四眼销号）",
    );
    expect(await page.locator(".badge.submitted").count()).toBeGreaterThan(0);
    await shot(page, "review-four-eyes");
    await reviewer.close();
    // The second reviewer closes it.
    const second = await world.organizer.post(`/rectifications/${rectificationId}/review`, {
      decision: "accept",
      comment: "复核同意",
    });
    expect(second.status).toBe(200);
    expect(second.body.status).toBe("closed");
  });
});

describe("organizer", () => {
  it("writes a checklist, plans a spot check from the unit tree and runs the draw", async () => {
    const context = await contextFor(world.organizer);
    const page = await open(context, "#/templates");
    await page.fill("input[name=templateName]", "校外培训机构检查细则");
    await page.fill("input[name=code-0]", "B1");
    await page.fill("input[name=title-0]", "办学许可与收费公示");
    await page.fill("input[name=points-0]", "40");
    await page.getByRole("button", { name: "添加一项", exact: true }).click();
    await page.fill("input[name=code-1]", "B2");
    await page.fill("input[name=title-1]", "消防通道与安全出口");
    await page.fill("input[name=points-1]", "60");
    await page.locator("fieldset.item-row").nth(1).locator("input[type=checkbox]").check();
    await page.getByRole("button", { name: "保存细则", exact: true }).click();
    await page.waitForURL(/#\/templates\/.+/);
    const templateId = decodeURIComponent(page.url().split("#/templates/")[1]!);
    const template = await world.organizer.get(`/templates/${templateId}`);
    expect(template.body).toMatchObject({ name: "校外培训机构检查细则", maxPoints: 100 });
    expect(template.body.items[1]).toMatchObject({ code: "B2", critical: true });
    // The list of templates (GET /templates) shows the new one.
    await page.locator(`table.templates tr[data-template="${templateId}"]`).waitFor();
    await shot(page, "templates");

    await page.goto(`${server.url}/#/spot-checks/new`);
    await page.fill("input[name=title]", "九龙、京航办事处校外培训机构督查");
    // The checklist and the inspector pool are picked from GET /templates and GET /inspectors.
    await page.selectOption("select[name=templateId]", templateId);
    await page.click('button[aria-label="展开 经开区"]');
    await page.click('button[aria-label="展开 九龙办事处"]');
    await page.click('button[aria-label="展开 京航办事处"]');
    await page.check(`input[name="unit-${world.units.dongjia}"]`);
    await page.check(`input[name="unit-${world.units.jiangchong}"]`);
    await page.fill("input[name=sampleSize]", "2");
    for (const id of Object.keys(world.inspectors).filter((id) => !id.endsWith("minghu")))
      await page.check(`input[name="inspector-${id}"]`);
    await page.fill("input[name=teamSize]", "1");
    await shot(page, "plan");
    await page.getByRole("button", { name: "保存计划", exact: true }).click();
    await page.waitForURL(/#\/spot-checks\/(?!new$)[^/]+$/);
    const spotCheckId = decodeURIComponent(page.url().split("#/spot-checks/")[1]!);

    await page.getByRole("button", { name: "抽签派出（双随机）", exact: true }).click();
    const rows = page.locator("table.assignments tbody tr");
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(2);
    expect(await page.locator("table.assignments").textContent()).toContain("待检查");
    const planned = await world.organizer.get(`/spot-checks/${spotCheckId}`);
    expect(planned.body).toMatchObject({ status: "dispatched", templateId, sampleSize: 2, teamSize: 1 });
    expect([...planned.body.candidateUnitIds].sort()).toEqual(
      [world.units.dongjia, world.units.jiangchong].sort(),
    );
    await shot(page, "spot-check");

    // The list is GET /spot-checks: a fresh browser of an official sees the spot check and picks its bulletin.
    await page.goto(`${server.url}/#/spot-checks`);
    await page.locator(`table.spot-checks tr[data-spot-check="${spotCheckId}"]`).waitFor();
    expect((page as Page & { errors?: string[] }).errors).toEqual([]);
    await context.close();

    const official = await contextFor(world.official);
    const list = await open(official, "#/spot-checks");
    const row = list.locator(`table.spot-checks tr[data-spot-check="${spotCheckId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain("九龙、京航办事处校外培训机构督查");
    expect(await row.getAttribute("data-status")).toBe("dispatched");
    expect(await row.textContent()).toContain("已派出");
    await shot(list, "spot-checks");
    const bulletin = await open(official, "#/bulletin");
    await bulletin.selectOption("select[name=spotCheckId]", spotCheckId);
    await bulletin.waitForURL(/#\/spot-checks\/[^/]+\/bulletin$/);
    await expect
      .poll(() => bulletin.locator(".bulletin-title").textContent())
      .toBe("九龙、京航办事处校外培训机构督查");
    for (const p of [list, bulletin]) expect((p as Page & { errors?: string[] }).errors).toEqual([]);
    await official.close();
  });
});

describe("screenshots for the README", () => {
  it("shows the dashboard with red, yellow and green orders and a closed one", async () => {
    await Promise.all([
      scoredWithOrder(world.units.dongjia, 2 * 86_400_000),
      scoredWithOrder(world.units.jiangchong, 10 * 86_400_000),
    ]);
    const context = await contextFor(world.official);
    const page = await open(context, "#/dashboard");
    await page.locator("table.due-soon tbody tr").first().waitFor();
    await page.locator("table.overdue-list tbody tr").first().waitFor();
    expect(await page.locator("table.by-unit .light-green").count()).toBeGreaterThan(0);
    // District and street totals (合计) sit above their units: the district's open orders are the sum of its rows.
    const district = page.locator(`table.by-unit tr[data-total="true"][data-unit="${world.units.district}"]`);
    expect(await district.textContent()).toContain("合计");
    const openOf = async (row: ReturnType<Page["locator"]>) =>
      Number(await row.locator('td[data-label="待整改"]').textContent());
    const leaves = page.locator("table.by-unit tbody tr:not([data-total])");
    let sum = 0;
    for (let i = 0; i < (await leaves.count()); i++) sum += await openOf(leaves.nth(i));
    expect(await openOf(district)).toBe(sum);
    await shot(page, "dashboard-overview");
    // Filtered to one spot check, the counts are that spot check's (the server counts its orders).
    const scoped = page.waitForResponse((r) => r.url().includes("/dashboard?spotCheckId="));
    const options = page.locator("select[name=spotCheck] option");
    await page.selectOption("select[name=spotCheck]", (await options.nth(1).getAttribute("value")) ?? "");
    const response = await scoped;
    const body = (await response.json()) as { rectifications: { open: number } };
    await expect
      .poll(async () => Number(await page.locator(".stat").first().locator(".stat-value").textContent()))
      .toBe(body.rectifications.open);
    await context.close();
  });
});
