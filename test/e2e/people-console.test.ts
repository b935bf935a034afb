import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, type Client } from "../support/api";
import { buildConsole, launchChromium, SHOTS } from "../support/console";
import { ServerProcess } from "../support/local";
import { buildWorld, type World } from "../support/scenario";
import { settle, watchRequests } from "../support/settle";

/**
 * People, accounts and sign-in in the web console, in real headless Chromium against `npm start`
 * (the local user pool speaks Cognito's API): the first admin, created through the API with a
 * script token, signs in with the temporary password and must set a new one; the admin opens an
 * inspector's account on the people page, the inspector signs in and sets a password, the session
 * renews itself, the admin disables the inspector and the next renewal ends the inspector's session
 * with a notice; a fresh sign-in is refused as 账号已停用; a password reset gives a new temporary
 * password; sign-out revokes the refresh token. Organizers are offered inspectors only. Imports:
 * template, an invalid file listed row by row, a valid one with its credentials download.
 */
const _ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DESKTOP = { width: 1280, height: 860 };
const PHONE = { width: 390, height: 844 };

const ADMIN_PASSWORD = "Guancheng#2025admin";
const INSPECTOR_PASSWORD = "Minghu-Check-77a";
const INSPECTOR_PASSWORD_2 = "Second!Pass2025x";

let consoleDir: string;
let server: ServerProcess;
let api: Api;
let world: World;
let browser: Browser;
let bootAdmin: Client;
let signInEndpoint: string;
let clientId: string;

beforeAll(async () => {
  consoleDir = buildConsole("console");

  server = await ServerProcess.create("people-console", { sharedDynamoDb: true, warmUp: false });
  await server.start();
  api = new Api(server.url, server.dataDir);
  world = await buildWorld(api, "pc");
  bootAdmin = await api.as("boot-admin", ["admin"]);
  const config = (await (await fetch(`${server.url}/config.json`)).json()) as {
    signIn: { endpoint: string; clientId: string };
  };
  signInEndpoint = config.signIn.endpoint;
  clientId = config.signIn.clientId;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (consoleDir) rmSync(consoleDir, { recursive: true, force: true });
});

type TestPage = Page & { errors: string[] };

async function newContext(viewport = DESKTOP, token?: string): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport,
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    acceptDownloads: true,
    ...(viewport.width < 500 ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
  if (token) await context.addInitScript((t) => localStorage.setItem("spot.console.token", t), token);
  return context;
}

async function open(context: BrowserContext, hash = ""): Promise<TestPage> {
  const page = watchRequests((await context.newPage()) as TestPage);
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

async function signIn(page: Page, username: string, password: string) {
  await page.locator("input[name=username]").fill(username);
  await page.locator("input[name=password]").fill(password);
  await page.getByRole("button", { name: "登录", exact: true }).click();
}

async function setNewPassword(page: Page, password: string) {
  await page.locator("input[name=newPassword]").fill(password);
  await page.locator("input[name=confirmPassword]").fill(password);
  await page.getByRole("button", { name: "设置新密码并登录" }).click();
}

/** The signed-in session as the console keeps it. */
async function storedSession(page: Page): Promise<{ idToken: string; refreshToken: string } | null> {
  return page.evaluate(() => {
    const raw = localStorage.getItem("spot.console.session");
    return raw ? JSON.parse(raw) : null;
  });
}

async function refreshWith(refreshToken: string) {
  const res = await fetch(signInEndpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "AWSCognitoIdentityProviderService.InitiateAuth",
    },
    body: JSON.stringify({
      AuthFlow: "REFRESH_TOKEN_AUTH",
      ClientId: clientId,
      AuthParameters: { REFRESH_TOKEN: refreshToken },
    }),
  });
  return { status: res.status, body: (await res.json()) as { __type?: string; message?: string } };
}

const row = (page: Page, username: string) => page.locator(`table.people tr[data-username="${username}"]`);

describe("people and sign-in in the console", () => {
  let admin: TestPage;
  let adminId: string;
  let inspectorPassword: string;
  let inspectorId: string;

  it("the first admin signs in with the temporary password, must set a new one, and is greeted by name", async () => {
    const created = await bootAdmin.post("/people", {
      name: "王秀兰",
      username: "wangxiulan",
      roles: ["admin"],
      phone: "13900000001",
    });
    expect(created.status).toBe(201);
    adminId = created.body.personId;
    const temporary = created.body.temporaryPassword as string;

    const context = await newContext();
    admin = await open(context);
    await admin.locator("input[name=username]").waitFor();
    // The token sign-in is there, but folded away.
    expect(await admin.locator("textarea[name=token]").isVisible()).toBe(false);

    await signIn(admin, "wangxiulan", "not-the-password");
    await expect.poll(() => admin.locator(".error").textContent()).toContain("用户名或密码错误");

    await signIn(admin, "wangxiulan", temporary);
    await admin.locator("input[name=newPassword]").waitFor();
    // The policy is checked while typing, and by the pool.
    await admin.locator("input[name=newPassword]").fill("short1A!");
    expect(await admin.locator(".password-rule").textContent()).toContain("至少 12 位");
    await admin.locator("input[name=newPassword]").fill("alllowercaseletters");
    expect(await admin.locator(".password-rule").textContent()).toMatch(/大写字母.*数字.*符号/);
    await admin.locator("input[name=confirmPassword]").fill("alllowercaseletters");
    await admin.getByRole("button", { name: "设置新密码并登录" }).click();
    await expect
      .poll(() => admin.locator("[role=alert]").first().textContent())
      .toContain("新密码不符合要求：至少 12 位，含大小写字母、数字和符号");
    await shot(admin, "sign-in-new-password");

    await setNewPassword(admin, ADMIN_PASSWORD);
    await admin.locator("[data-page=dashboard]").waitFor();
    expect(await admin.locator(".who-name").textContent()).toBe("王秀兰");
    expect(await admin.locator(".who-roles").textContent()).toBe("管理员");
    expect(await admin.locator(".topbar").textContent()).not.toContain(adminId);
    const session = await storedSession(admin);
    expect(session?.refreshToken).toBeTruthy();
    expect(admin.errors).toEqual([]);
  });

  it("the admin opens an inspector's account on the people page and reads the temporary password once", async () => {
    await admin.getByRole("link", { name: "人员", exact: true }).click();
    await admin.locator("[data-page=people]").waitFor();
    await row(admin, "wangxiulan").waitFor();
    // No one may disable or reset themselves here.
    expect(await row(admin, "wangxiulan").getByRole("button", { name: "停用" }).count()).toBe(0);

    await admin.getByRole("button", { name: "开通账号", exact: true }).click();
    const form = admin.locator("form[data-form=create-person]");
    await form.locator("input[name=name]").fill("李建军");
    await form.locator("input[name=username]").fill("lijianjun");
    await form.locator("input[name=phone]").fill("13800001234");
    await form.locator("input[name=role-inspector]").check();
    // The home unit is picked from the unit tree, by name.
    const home = form.locator("[data-field=homeUnitId]");
    await home.getByRole("button", { name: "选择单位" }).click();
    await home.getByRole("button", { name: "展开 经开区" }).click();
    // Picking closes the tree (so click, not check: the radio is gone once picked).
    await home.locator(`input[value="${world.units.minghu}"]`).click();
    await expect.poll(() => home.locator(".unit-field-value").textContent()).toBe("明湖办事处");
    await form.locator("button[type=submit]").click();

    const secret = admin.locator("[data-secret]");
    await secret.waitFor();
    expect(await secret.textContent()).toContain("只显示这一次");
    expect(await secret.locator("[data-username]").textContent()).toBe("lijianjun");
    inspectorPassword = (await secret.locator("[data-temporary-password]").textContent())!.trim();
    expect(inspectorPassword.length).toBeGreaterThanOrEqual(12);
    await expect.poll(() => row(admin, "lijianjun").count()).toBe(1);
    inspectorId = (await row(admin, "lijianjun").getAttribute("data-person"))!;
    const text = await row(admin, "lijianjun").textContent();
    expect(text).toContain("李建军");
    expect(text).toContain("督查员");
    expect(text).toContain("明湖办事处");
    expect(text).toContain("13800001234");
    expect(text).not.toContain(world.units.minghu);
    await shot(admin, "people");
    await admin.getByRole("button", { name: "我已记下，关闭" }).click();
    expect(await admin.locator("[data-secret]").count()).toBe(0);

    // The filter by role, and the change of a name.
    await admin.selectOption("select[name=role]", "inspector");
    await expect.poll(() => row(admin, "wangxiulan").count()).toBe(0);
    await row(admin, "lijianjun").getByRole("button", { name: "修改" }).click();
    const edit = admin.locator("form[data-form=edit-person]");
    expect(await edit.locator("input[name=username]").isDisabled()).toBe(true);
    await edit.locator("input[name=phone]").fill("13800005678");
    await edit.locator("button[type=submit]").click();
    await expect.poll(() => row(admin, "lijianjun").textContent()).toContain("13800005678");
    const stored = await bootAdmin.get(`/people/${inspectorId}`);
    expect(stored.body.phone).toBe("+8613800005678");
  });

  let inspector: TestPage;
  let inspectorContext: BrowserContext;

  it("the inspector signs in on a phone, sets a password, sees the assignments by name, and the session renews itself", async () => {
    inspectorContext = await newContext(PHONE);
    // The page's clock is Playwright's, so the 5-minute renewal can be reached without waiting.
    await inspectorContext.clock.install();
    inspector = await open(inspectorContext);
    await signIn(inspector, "lijianjun", inspectorPassword);
    await inspector.locator("input[name=newPassword]").waitFor();
    await setNewPassword(inspector, INSPECTOR_PASSWORD);
    await inspector.locator("[data-page=assignments]").waitFor();
    expect(await inspector.locator(".who-name").textContent()).toBe("李建军");
    expect(await inspector.locator(".who-roles").textContent()).toBe("督查员");
    expect(await inspector.locator(".topbar").textContent()).not.toContain(inspectorId);
    await shot(inspector, "inspector-signed-in-phone");

    const before = await storedSession(inspector);
    await inspector.clock.fastForward("04:30");
    await expect.poll(async () => (await storedSession(inspector))?.idToken).not.toBe(before?.idToken);
    expect((await storedSession(inspector))?.refreshToken).toBe(before?.refreshToken);
    expect(await inspector.locator("[data-page=assignments]").count()).toBe(1);
    // The renewed token is the one the API gets.
    await inspector.getByRole("link", { name: "通知" }).click();
    await inspector.locator("[data-page=notifications]").waitFor();
    await expect.poll(() => inspector.locator(".error").count()).toBe(0);
  });

  it("the admin disables the inspector: the next renewal ends the session with a notice, and sign-in says 账号已停用", async () => {
    await admin.selectOption("select[name=role]", "");
    await row(admin, "lijianjun").getByRole("button", { name: "停用" }).click();
    const dialog = admin.getByRole("dialog");
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain("停用后该人员 5 分钟内无法再使用系统");
    await shot(admin, "people-disable-confirm");
    await dialog.getByRole("button", { name: "确定停用" }).click();
    await expect.poll(() => row(admin, "lijianjun").getAttribute("data-enabled")).toBe("false");
    expect(await row(admin, "lijianjun").textContent()).toContain("已停用");
    expect(await admin.getByRole("dialog").count()).toBe(0);

    // Within 5 minutes: the renewal a minute before the ID token expires is refused.
    await inspector.clock.fastForward("04:30");
    await inspector.locator("input[name=username]").waitFor();
    expect(await inspector.locator(".notice").textContent()).toContain("请重新登录");
    expect(await storedSession(inspector)).toBeNull();
    await shot(inspector, "inspector-signed-out-phone");

    await signIn(inspector, "lijianjun", INSPECTOR_PASSWORD);
    await expect.poll(() => inspector.locator(".error").textContent()).toContain("账号已停用");
    expect(inspector.errors).toEqual([]);
  });

  it("enabling and resetting the password: the old password no longer works, the new temporary one must be replaced", async () => {
    await row(admin, "lijianjun").getByRole("button", { name: "启用" }).click();
    await admin.getByRole("dialog").getByRole("button", { name: "确定启用" }).click();
    await expect.poll(() => row(admin, "lijianjun").getAttribute("data-enabled")).toBe("true");

    await row(admin, "lijianjun").getByRole("button", { name: "重置密码" }).click();
    await admin.getByRole("dialog").getByRole("button", { name: "确定重置" }).click();
    const secret = admin.locator("[data-secret]");
    await secret.waitFor();
    const reset = (await secret.locator("[data-temporary-password]").textContent())!.trim();
    expect(reset).not.toBe(inspectorPassword);

    await signIn(inspector, "lijianjun", INSPECTOR_PASSWORD);
    await expect.poll(() => inspector.locator(".error").textContent()).toContain("用户名或密码错误");
    await signIn(inspector, "lijianjun", reset);
    await inspector.locator("input[name=newPassword]").waitFor();
    await setNewPassword(inspector, INSPECTOR_PASSWORD_2);
    // The same person again: back on the page they were on when the session ended.
    await inspector.locator("[data-page=notifications]").waitFor();
    expect(await inspector.locator(".who-name").textContent()).toBe("李建军");
  });

  it("退出 revokes the refresh token", async () => {
    const session = await storedSession(inspector);
    expect(session?.refreshToken).toBeTruthy();
    await inspector.getByRole("button", { name: "退出" }).click();
    await inspector.locator("input[name=username]").waitFor();
    expect(await storedSession(inspector)).toBeNull();
    await expect
      .poll(async () => (await refreshWith(session!.refreshToken)).body.__type)
      .toBe("NotAuthorizedException");
    await inspectorContext.close();
  });

  it("a script token shows its role and 脚本令牌, never an id; an organizer is offered inspectors only", async () => {
    const context = await newContext(DESKTOP, world.organizer.bearer);
    const page = await open(context, "#/people");
    await page.locator("[data-page=people]").waitFor();
    expect(await page.locator(".who-name").textContent()).toBe("脚本令牌");
    expect(await page.locator(".who-roles").textContent()).toBe("督查组织");
    expect(await page.locator(".topbar").textContent()).not.toContain("pc-organizer");
    await row(page, "lijianjun").waitFor();
    expect(await row(page, "wangxiulan").count()).toBe(0);
    expect(await page.locator("select[name=role]").isDisabled()).toBe(true);
    await page.getByRole("button", { name: "开通账号", exact: true }).click();
    const form = page.locator("form[data-form=create-person]");
    expect(await form.locator("input[type=checkbox]").count()).toBe(1);
    expect(await form.locator("input[name=role-inspector]").isChecked()).toBe(true);
    expect(await form.locator("[data-field=homeUnitId]").count()).toBe(1);
    expect(page.errors).toEqual([]);
    await context.close();
  });
});

describe("imports in the console", () => {
  const hasImports = async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    return "/imports" in doc.paths;
  };

  it("downloads the template, lists every error of an invalid file, and imports a valid one with its credentials", async () => {
    if (!(await hasImports())) throw new Error("POST /imports is not served yet");
    const context = await newContext(DESKTOP, (await api.as("pc-importer", ["admin"])).bearer);
    const page = await open(context, "#/imports");
    await page.locator("[data-page=imports]").waitFor();
    await page.selectOption("select[name=kind]", "people");

    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "下载人员导入模板（.xlsx）" }).click();
    const template = await download;
    expect(template.suggestedFilename()).toBe("人员导入模板.xlsx");
    expect(
      readFileSync((await template.path())!)
        .subarray(0, 2)
        .toString(),
    ).toBe("PK");

    const header = "姓名,手机号,用户名,角色,所属单位编码";
    const bad = [
      header,
      `赵一,13800000011,zhaoyi,队长,${world.units.minghu}`,
      `钱二,12345,,督查员,nope-unit`,
    ].join("\r\n");
    await page.setInputFiles("input[name=file]", {
      name: "人员-有错.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(`\uFEFF${bad}\r\n`, "utf8"),
    });
    await page.getByRole("button", { name: "上传并导入" }).click();
    const job = page.locator("[data-import]");
    await expect.poll(() => job.getAttribute("data-status"), { timeout: 30_000 }).toBe("invalid");
    const errors = page.locator("table.import-errors tbody tr");
    expect(await errors.count()).toBeGreaterThanOrEqual(3);
    const rows = await errors.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-row")));
    expect(rows).toContain("2");
    expect(rows).toContain("3");
    expect(await page.locator("table.import-errors").textContent()).toContain("角色");
    expect(await job.textContent()).toContain("未写入任何数据");
    await shot(page, "imports-invalid");

    const good = [
      header,
      `赵一,13800000011,zhaoyi,督查员,${world.units.minghu}`,
      `钱二,,qianer,督查员,${world.units.jiulong}`,
    ].join("\r\n");
    await page.setInputFiles("input[name=file]", {
      name: "人员.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(`${good}\r\n`, "utf8"),
    });
    await page.getByRole("button", { name: "上传并导入" }).click();
    await expect
      .poll(() => page.locator("[data-import]").getAttribute("data-status"), { timeout: 30_000 })
      .toBe("done");
    expect(await page.locator("[data-import-result]").textContent()).toContain("新增 2");
    const link = page.locator("[data-credentials] a");
    expect(await link.textContent()).toBe("下载账号与临时密码");
    expect(await page.locator("[data-credentials]").textContent()).toContain("妥善保管");
    await shot(page, "imports-done");
    const listed = await bootAdmin.get("/people?role=inspector");
    expect(listed.body.items.map((p: { username: string }) => p.username)).toEqual(
      expect.arrayContaining(["zhaoyi", "qianer"]),
    );
    expect(page.errors).toEqual([]);
    await context.close();
  });
});
