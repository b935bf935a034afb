import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import ExcelJS from "exceljs";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keys } from "../../lambdas/data/keys";
import { XLSX_CONTENT_TYPE } from "../../lambdas/domain/imports";
import type { LocalSystem } from "../../lib/local/system";
import { Api, type Client, eventually } from "../support/api";
import { tempDataDir } from "../support/local";
import { buildWorld, type World } from "../support/scenario";
import { startTestSystem } from "../support/system";

/**
 * 导入: spreadsheets uploaded with presigned PUTs to the local S3-compatible store, run by the
 * bucket's own upload event (never through the API): every row validated first — any error makes
 * the import `invalid` with every error by the file's row and Chinese column, and nothing written —
 * then units written parents first, people with accounts whose temporary passwords reach the
 * importer once, in a workbook. Re-importing changes nothing; a run that resumes after a crash
 * neither duplicates anything nor hands out a password that does not work.
 */
let system: LocalSystem;
let world: World;
let cognito: CognitoIdentityProviderClient;
let table: DynamoDBDocumentClient;

const UNIT_HEADER = ["单位编码", "单位名称", "类型", "上级单位编码", "纬度", "经度", "半径"];
const PEOPLE_HEADER = ["姓名", "手机号", "用户名", "角色", "所属单位编码"];
const NEW_PASSWORD = "Guancheng#2026-ok";

beforeAll(async () => {
  const dataDir = tempDataDir("imports");
  system = await startTestSystem({ dataDir });
  world = await buildWorld(new Api(system.url, dataDir), "im");
  cognito = new CognitoIdentityProviderClient({
    endpoint: system.identity.endpoint,
    region: "local",
    credentials: { accessKeyId: "anonymous", secretAccessKey: "anonymous" },
  });
  table = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: system.dynamoEndpoint,
      region: "local",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    }),
  );
});

afterAll(async () => {
  await system?.stop();
});

/** One sheet, header in row 1; `build` may set cells exceljs-style (formulas). */
async function xlsx(header: string[], rows: unknown[][], build?: (ws: ExcelJS.Worksheet) => void) {
  const book = new ExcelJS.Workbook();
  const ws = book.addWorksheet("Sheet1");
  ws.addRow(header);
  for (const row of rows) ws.addRow(row.map((v) => (v === "" ? null : v)));
  build?.(ws);
  return Buffer.from(await book.xlsx.writeBuffer());
}

interface Started {
  readonly importId: string;
  readonly body: any;
}

/** POST /imports, then the bytes to the presigned URL; the upload's own event starts the run. */
async function start(
  client: Client,
  kind: "units" | "people",
  bytes: Buffer,
  file: { fileName?: string; contentType?: string } = {},
): Promise<Started> {
  const asked = await client.post("/imports", {
    kind,
    fileName: file.fileName ?? `${kind}.xlsx`,
    contentType: file.contentType ?? XLSX_CONTENT_TYPE,
  });
  expect(asked.status, JSON.stringify(asked.body)).toBe(201);
  expect(asked.body).toMatchObject({ status: "pending", upload: { method: "PUT" } });
  const put = await fetch(asked.body.upload.url, {
    method: "PUT",
    headers: asked.body.upload.headers,
    body: bytes,
  });
  expect(put.status).toBe(200);
  return { importId: asked.body.importId, body: asked.body };
}

/** The import once its run has ended (done or invalid). */
async function settled(client: Client, importId: string) {
  const res = await eventually(
    () => client.get(`/imports/${importId}`),
    (r) => r.status === 200 && (r.body.status === "done" || r.body.status === "invalid"),
    { timeoutMs: 45_000 },
  );
  return res.body;
}

async function importFile(client: Client, kind: "units" | "people", bytes: Buffer, file = {}) {
  const { importId } = await start(client, kind, bytes, file);
  return settled(client, importId);
}

async function signIn(username: string, password: string) {
  return cognito.send(
    new InitiateAuthCommand({
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: system.identity.clientId,
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  );
}

/** First sign-in with a temporary password: the forced new password, then the ID token's claims. */
async function firstSignIn(username: string, temporary: string) {
  const challenge = await signIn(username, temporary);
  expect(challenge.ChallengeName).toBe("NEW_PASSWORD_REQUIRED");
  const out = await cognito.send(
    new RespondToAuthChallengeCommand({
      ClientId: system.identity.clientId,
      ChallengeName: "NEW_PASSWORD_REQUIRED",
      Session: challenge.Session,
      ChallengeResponses: { USERNAME: username, NEW_PASSWORD },
    }),
  );
  return decodeJwt(out.AuthenticationResult?.IdToken ?? "");
}

async function refused(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    return (error as Error).name;
  }
  return "accepted";
}

/** The rows of the credentials workbook behind a presigned URL: username → [name, password]. */
async function credentials(url: string): Promise<Map<string, [string, string]>> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe(XLSX_CONTENT_TYPE);
  const book = new ExcelJS.Workbook();
  await book.xlsx.load((await res.arrayBuffer()) as ExcelJS.Buffer);
  const sheet = book.worksheets[0]!;
  expect(sheet.getRow(1).values).toEqual([undefined, "用户名", "姓名", "临时密码"]);
  const rows = new Map<string, [string, string]>();
  sheet.eachRow((row, n) => {
    if (n > 1)
      rows.set(String(row.getCell(1).value), [String(row.getCell(2).value), String(row.getCell(3).value)]);
  });
  return rows;
}

/** What units and people exist: the roots and every level below the units the tests touch, and every username. */
async function snapshot() {
  const unitTree = async () => {
    const units: string[] = [];
    let frontier: (string | null)[] = [null];
    while (frontier.length > 0) {
      // A level's parents at once (the list is sorted below).
      const level = await Promise.all(
        frontier.map((parent) => world.admin.get(`/units?limit=200${parent ? `&parentId=${parent}` : ""}`)),
      );
      frontier = [];
      for (const res of level) {
        for (const u of res.body.items) {
          units.push(`${u.unitId}@${u.version}:${u.parentId}:${u.name}`);
          frontier.push(u.unitId);
        }
      }
    }
    return units;
  };
  const [units, people] = await Promise.all([unitTree(), world.admin.get("/people?limit=200")]);
  return {
    units: units.sort(),
    people: people.body.items.map((p: any) => `${p.username}@${p.name}:${p.roles}:${p.phone}`).sort(),
  };
}

const units = () => ({
  gc: `${world.prefix}-gc`,
  zjs: `${world.prefix}-gc-zjs`,
  c1: `${world.prefix}-gc-zjs-c1`,
  g1: `${world.prefix}-gc-zjs-c1-g1`,
  b: `${world.prefix}-gc-b`,
});

/** 管城区, children before their parents, one street under a unit already stored (经开区). */
function guanchengRows(): unknown[][] {
  const u = units();
  return [
    [u.g1, "紫荆山南路街道一社区第1网格", "网格", u.c1, 34.7452, 113.6912, 150],
    [u.c1, "紫荆山南路街道一社区", "社区", u.zjs, "", "", ""],
    [u.zjs, "紫荆山南路街道", "街道", u.gc, 34.7461, 113.6898, 800],
    [u.gc, "管城回族区", "区", "", 34.7469, 113.6885, 3000],
    [u.b, "经开区飞地街道", "street", world.units.district, "", "", ""],
  ];
}

describe("importing the unit tree", () => {
  it("writes a file whose parents come after their children, parents first, as PUT /units would", async () => {
    const result = await importFile(world.admin, "units", await xlsx(UNIT_HEADER, guanchengRows()));
    expect(result).toMatchObject({
      kind: "units",
      status: "done",
      total: 5,
      done: 5,
      created: 5,
      updated: 0,
      unchanged: 0,
      errors: [],
      errorCount: 0,
      fileName: "units.xlsx",
      createdBy: `${world.prefix}-admin`,
    });
    expect(result.credentialsUrl).toBeUndefined();
    const u = units();
    const grid = await world.admin.get(`/units/${u.g1}`);
    expect(grid.body).toMatchObject({
      unitId: u.g1,
      kind: "grid",
      parentId: u.c1,
      path: [u.gc, u.zjs, u.c1, u.g1],
      location: { lat: 34.7452, lng: 113.6912 },
      radiusMeters: 150,
      version: 1,
    });
    expect((await world.admin.get(`/units/${u.b}`)).body.path).toEqual([world.units.district, u.b]);
    expect((await world.admin.get(`/units?parentId=${u.gc}`)).body.items.map((x: any) => x.unitId)).toEqual([
      u.zjs,
    ]);
    // The same audit as PUT /units, naming the import; the import has its own trail.
    const audit = await world.admin.get(`/audit/${u.zjs}`);
    expect(audit.body.items).toEqual([
      expect.objectContaining({
        action: "unit_created",
        actor: `${world.prefix}-admin`,
        importId: result.importId,
        parentId: u.gc,
      }),
    ]);
    const trail = await world.admin.get(`/audit/${result.importId}`);
    expect(trail.body.items.map((i: any) => i.action)).toEqual(["import_requested", "import_done"]);
  });

  it("changes nothing when the same file comes again: every row unchanged", async () => {
    const before = await snapshot();
    const again = await importFile(world.admin, "units", await xlsx(UNIT_HEADER, guanchengRows()));
    expect(again).toMatchObject({ status: "done", total: 5, done: 5, created: 0, updated: 0, unchanged: 5 });
    expect(await snapshot()).toEqual(before);
  });

  it("reads the same tree from a CSV (UTF-8 with BOM) and changes only the row that differs", async () => {
    const rows = guanchengRows();
    (rows[1] as unknown[])[1] = "紫荆山南路街道第一社区";
    const csv = `\ufeff${[UNIT_HEADER, ...rows].map((r) => r.map((v) => `"${String(v)}"`).join(",")).join("\r\n")}`;
    const result = await importFile(world.admin, "units", Buffer.from(csv, "utf8"), {
      fileName: "单位.csv",
      contentType: "text/csv",
    });
    expect(result).toMatchObject({ status: "done", total: 5, created: 0, updated: 1, unchanged: 4 });
    expect((await world.admin.get(`/units/${units().c1}`)).body).toMatchObject({
      name: "紫荆山南路街道第一社区",
      version: 2,
    });
  });
});

describe("importing people", () => {
  let importId: string;

  it("creates a unit's head and an inspector whose temporary passwords reach the importer in a workbook", async () => {
    const u = units();
    const file = await xlsx(PEOPLE_HEADER, [
      ["王主任", "138 0000 1234", "im.wangzr", "被检查单位", u.c1],
      ["张建国", "13900001234", "im.zhangjg", "督查员", u.zjs],
    ]);
    const started = await start(world.admin, "people", file);
    importId = started.importId;
    const result = await settled(world.admin, importId);
    expect(result).toMatchObject({
      status: "done",
      total: 2,
      done: 2,
      created: 2,
      updated: 0,
      unchanged: 0,
      accountsCreated: 2,
    });
    // Only the importer gets the workbook, through a URL of at most 5 minutes.
    expect(Date.parse(result.credentialsUrlExpiresAt) - Date.now()).toBeLessThanOrEqual(5 * 60_000);
    expect(result.credentialsUrl).toContain("X-Amz-Expires=300");
    expect(Date.parse(result.credentialsExpiresAt) - Date.now()).toBeGreaterThan(2.9 * 24 * 3600_000);
    const passwords = await credentials(result.credentialsUrl);
    expect([...passwords.keys()]).toEqual(["im.wangzr", "im.zhangjg"]);
    expect(passwords.get("im.wangzr")?.[0]).toBe("王主任");

    const [head, inspector] = await Promise.all([
      firstSignIn("im.wangzr", passwords.get("im.wangzr")?.[1] ?? ""),
      firstSignIn("im.zhangjg", passwords.get("im.zhangjg")?.[1] ?? ""),
    ]);
    expect(head).toMatchObject({ "cognito:groups": ["unit"], "custom:unitId": u.c1, name: "王主任" });
    expect(inspector["cognito:groups"]).toEqual(["inspector"]);
    expect(inspector["custom:unitId"]).toBeUndefined();
    // The inspector profile the draw uses, at the home unit.
    const profile = await world.organizer.get(`/inspectors/${inspector.sub}`);
    expect(profile.body).toMatchObject({ homeUnitId: u.zjs, name: "张建国", enabled: true });
    const person = await world.admin.get(`/people/${head.sub}`);
    expect(person.body).toMatchObject({ phone: "+8613800001234", roles: ["unit"], unitId: u.c1 });
  });

  it("keeps the passwords out of every JSON answer, and gives the workbook to no one but the importer", async () => {
    const otherAdmin = await new Api(system.url, system.dataDir).as(`${world.prefix}-admin-2`, ["admin"]);
    const seen = await otherAdmin.get(`/imports/${importId}`);
    expect(seen.status).toBe(200);
    expect(seen.body.credentialsUrl).toBeUndefined();
    expect(JSON.stringify(seen.body)).not.toMatch(/password|密码/i);
    for (const outsider of [world.organizer, world.official, world.inspectors[`${world.prefix}-insp-a`]!]) {
      expect((await outsider.get(`/imports/${importId}`)).status).toBe(404);
    }
    const audit = await world.admin.get(`/audit/${importId}`);
    expect(audit.body.items.map((i: any) => i.action)).toContain("import_credentials_url_issued");
    expect(JSON.stringify(audit.body)).not.toMatch(/X-Amz-Signature/);
  });

  it("changes nothing when the same people come again, and creates no second password", async () => {
    const u = units();
    const before = await snapshot();
    const again = await importFile(
      world.admin,
      "people",
      await xlsx(PEOPLE_HEADER, [
        ["王主任", "+86 138-0000-1234", "IM.WangZR", "被检查单位", u.c1],
        ["张建国", 13900001234, "im.zhangjg", "督查员", u.zjs],
      ]),
    );
    expect(again).toMatchObject({ status: "done", created: 0, updated: 0, unchanged: 2 });
    expect(again.credentialsUrl).toBeUndefined();
    expect(again.accountsCreated).toBeUndefined();
    expect(await snapshot()).toEqual(before);
    // The passwords set at the first sign-in still work.
    expect((await signIn("im.zhangjg", NEW_PASSWORD)).AuthenticationResult?.IdToken).toBeTruthy();
  });

  it("lets an organizer import inspectors, and refuses, row by row, anyone else", async () => {
    const u = units();
    const refusedFile = await importFile(
      world.organizer,
      "people",
      await xlsx(PEOPLE_HEADER, [
        ["刘敏", "", "im.liumin", "督查员", u.zjs],
        ["赵局长", "", "im.zhaojz", "领导", ""],
        ["王主任", "", "im.wangzr", "督查员", u.c1],
      ]),
    );
    expect(refusedFile.status).toBe("invalid");
    expect(refusedFile.errors).toEqual([
      {
        row: 3,
        column: "角色",
        message: expect.stringContaining("督查组织人员只能导入仅有“督查员”角色的人员"),
      },
      { row: 4, column: "用户名", message: expect.stringContaining("只有管理员可以修改") },
    ]);
    expect((await world.admin.get("/people?limit=200")).body.items.map((p: any) => p.username)).not.toContain(
      "im.liumin",
    );
    expect(
      (
        await world.organizer.post("/imports", {
          kind: "units",
          fileName: "u.xlsx",
          contentType: XLSX_CONTENT_TYPE,
        })
      ).status,
    ).toBe(403);

    const ok = await importFile(
      world.organizer,
      "people",
      await xlsx(PEOPLE_HEADER, [["刘敏", "", "im.liumin", "督查员", u.zjs]]),
    );
    expect(ok).toMatchObject({ status: "done", created: 1, createdBy: `${world.prefix}-organizer` });
    const passwords = await credentials(ok.credentialsUrl);
    expect((await firstSignIn("im.liumin", passwords.get("im.liumin")?.[1] ?? ""))["cognito:groups"]).toEqual(
      ["inspector"],
    );
  });
});

describe("files that must change nothing", () => {
  const bad = `${"im"}-bad`;

  it("each hostile file ends invalid with every error by the file's row and column, and nothing is written", async () => {
    const u = units();
    const before = await snapshot();
    const cases: {
      kind: "units" | "people";
      file: Buffer;
      errors: unknown[];
      name?: string;
      type?: string;
    }[] = [
      {
        kind: "people",
        file: await xlsx(PEOPLE_HEADER, [
          ["甲", "", `${bad}.jia`, "督查员", u.zjs],
          ["乙", "", `${bad}.JIA`, "督查员", u.zjs],
        ]),
        errors: [
          { row: 3, column: "用户名", message: `用户名「${bad}.JIA」与第 2 行重复（用户名不区分大小写）` },
        ],
      },
      {
        kind: "units",
        file: await xlsx(UNIT_HEADER, [
          [`${bad}-ok`, "一个好单位", "社区", u.zjs],
          [`${bad}-orphan`, "孤儿网格", "网格", `${bad}-nowhere`],
        ]),
        errors: [
          {
            row: 3,
            column: "上级单位编码",
            message: `上级单位「${bad}-nowhere」不存在：文件中没有这个单位编码，系统中也没有`,
          },
        ],
      },
      {
        kind: "units",
        file: await xlsx(UNIT_HEADER, [
          [`${bad}-a`, "甲", "街道", `${bad}-c`],
          [`${bad}-b`, "乙", "社区", `${bad}-a`],
          [`${bad}-c`, "丙", "网格", `${bad}-b`],
          [`${bad}-new`, "好单位", "社区", u.zjs],
        ]),
        errors: [2, 3, 4].map((row) => ({
          row,
          column: "上级单位编码",
          message: expect.stringMatching(/^上级单位关系成环：/),
        })),
      },
      {
        kind: "units",
        // The stored tree closed into a cycle: 管城回族区 under its own grid.
        file: await xlsx(UNIT_HEADER, [[u.gc, "管城回族区", "区", u.g1]]),
        errors: [
          {
            row: 2,
            column: "上级单位编码",
            message: `上级单位关系成环：${u.gc} → ${u.g1} → ${u.c1} → ${u.zjs} → ${u.gc}`,
          },
        ],
      },
      {
        kind: "people",
        file: await xlsx(PEOPLE_HEADER, [
          ["丙", "", `${bad}.bing`, "被检查单位", ""],
          ["丁", "", `${bad}.ding`, "督查员", u.zjs],
        ]),
        errors: [{ row: 2, column: "所属单位编码", message: "被检查单位人员须填写所属单位编码" }],
      },
      {
        kind: "people",
        file: await xlsx(PEOPLE_HEADER, [["戊", "1380000", `${bad}.wu`, "督查员", u.zjs]]),
        errors: [
          {
            row: 2,
            column: "手机号",
            message: "手机号格式不正确（应为 11 位大陆手机号），填的是「1380000」",
          },
        ],
      },
      {
        kind: "units",
        file: await xlsx(UNIT_HEADER, [[`${bad}-f`, "公式单位", "社区", u.zjs, 34.7, 113.6, 100]], (ws) => {
          ws.getCell("B2").value = { formula: 'CONCAT("公式","单位")', result: "公式单位" };
        }),
        errors: [{ row: 2, column: "单位名称", message: "单元格含公式，请粘贴为数值" }],
      },
      {
        kind: "units",
        // A PNG named .xlsx.
        file: Buffer.from([
          0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
        ]),
        errors: [{ row: 0, column: "", message: "文件不是有效的 .xlsx 工作簿" }],
      },
      {
        kind: "people",
        file: Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 0, 0, 9, 8]),
        name: "人员.csv",
        type: "text/csv",
        errors: [{ row: 0, column: "", message: expect.stringContaining("不是有效的 .csv") }],
      },
      {
        kind: "units",
        // 10 MiB and one byte, declared nowhere: the run refuses it without reading it.
        file: Buffer.alloc(10 * 1024 * 1024 + 1, 0x41),
        errors: [{ row: 0, column: "", message: expect.stringContaining("文件超过 10 MiB 上限") }],
      },
    ];
    // Each file is an import of its own (every one ends invalid and writes nothing): all at once.
    const results = await Promise.all(
      cases.map((c) =>
        importFile(world.admin, c.kind, c.file, {
          ...(c.name ? { fileName: c.name } : {}),
          ...(c.type ? { contentType: c.type } : {}),
        }),
      ),
    );
    const failures: string[] = [];
    for (const [i, c] of cases.entries()) {
      const result = results[i];
      try {
        expect(result).toMatchObject({
          status: "invalid",
          created: 0,
          updated: 0,
          errorCount: c.errors.length,
        });
        expect(result.errors).toEqual(c.errors);
      } catch (error) {
        failures.push(`${c.kind}: ${(error as Error).message.slice(0, 400)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await snapshot()).toEqual(before);
    expect((await world.admin.get(`/units/${bad}-ok`)).status).toBe(404);
    expect((await world.admin.get(`/units/${bad}-new`)).status).toBe(404);
  });

  it("lists every error of a file at once", async () => {
    const u = units();
    const result = await importFile(
      world.admin,
      "people",
      await xlsx(PEOPLE_HEADER, [
        ["己", "12", `${bad}.ji`, "组长", u.zjs],
        ["庚", "", `${bad}.geng`, "被检查单位", ""],
        ["辛", "", `${bad}.JI`, "督查员", `${bad}-nowhere`],
      ]),
    );
    expect(result.status).toBe("invalid");
    expect(result.errors.map((e: any) => `${e.row}:${e.column}`)).toEqual([
      "2:手机号",
      "2:角色",
      "3:所属单位编码",
      "4:用户名",
    ]);
  });

  it("refuses before any URL a file over 10 MiB, or one that is not .xlsx or .csv", async () => {
    const big = await world.admin.post("/imports", {
      kind: "units",
      fileName: "大.xlsx",
      contentType: XLSX_CONTENT_TYPE,
      size: 50 * 1024 * 1024,
    });
    expect(big.status).toBe(422);
    expect(big.body.errors).toEqual([{ path: "body.size", message: "文件最大 10 MiB（10485760 字节）" }]);
    const xls = await world.admin.post("/imports", {
      kind: "units",
      fileName: "单位.xls",
      contentType: "application/vnd.ms-excel",
    });
    expect(xls.status).toBe(422);
    expect(xls.body.errors[0].message).toMatch(/另存为 \.xlsx/);
    // A declared size is signed: the store refuses any other length.
    const sized = await world.admin.post("/imports", {
      kind: "units",
      fileName: "单位.xlsx",
      contentType: XLSX_CONTENT_TYPE,
      size: 100,
    });
    const put = await fetch(sized.body.upload.url, {
      method: "PUT",
      headers: sized.body.upload.headers,
      body: Buffer.alloc(5000),
    });
    expect(put.status).toBeGreaterThanOrEqual(400);
  });
});

describe("a run that is delivered again", () => {
  it("resumes after a crash: no duplicates, every created account in the workbook with a password that works", async () => {
    const u = units();
    const names = ["im.crash1", "im.crash2", "im.crash3", "im.crash4"];
    const file = await xlsx(
      PEOPLE_HEADER,
      names.map((n, i) => [`督查员${i + 1}`, "", n, "督查员", u.zjs]),
    );
    const asked = await world.admin.post("/imports", {
      kind: "people",
      fileName: "p.xlsx",
      contentType: XLSX_CONTENT_TYPE,
    });
    const importId = asked.body.importId as string;
    // What a run that crashed mid-way leaves: the import writing, its lease run out, the rows it
    // was about to write marked; crash1 and crash3 created (their passwords lost with the run),
    // crash2 not yet; crash4 not marked (as if marked by nobody).
    const earlier = await world.admin.post("/people", {
      name: "督查员1",
      username: "im.crash1",
      roles: ["inspector"],
      homeUnitId: u.zjs,
    });
    const earlier3 = await world.admin.post("/people", {
      name: "督查员3",
      username: "im.crash3",
      roles: ["inspector"],
      homeUnitId: u.zjs,
    });
    await table.send(
      new UpdateCommand({
        TableName: system.tableName,
        Key: keys.importJob(importId),
        UpdateExpression: "SET #s = :s, leaseToken = :t, leaseUntil = :u, #total = :n",
        ExpressionAttributeNames: { "#s": "status", "#total": "total" },
        ExpressionAttributeValues: {
          ":s": "importing",
          ":t": "crashed-run",
          ":u": Date.now() - 1000,
          ":n": 4,
        },
      }),
    );
    for (const [key, row] of [
      ["im.crash1", 2],
      ["im.crash2", 3],
      ["im.crash3", 4],
    ] as const) {
      await table.send(
        new PutCommand({
          TableName: system.tableName,
          Item: { ...keys.importRow(importId, key), key, row, outcome: "created" },
        }),
      );
    }

    // The upload's event is delivered (again): the run takes the lapsed lease and resumes.
    const put = await fetch(asked.body.upload.url, {
      method: "PUT",
      headers: asked.body.upload.headers,
      body: file,
    });
    expect(put.status).toBe(200);
    const result = await settled(world.admin, importId);
    expect(result).toMatchObject({ status: "done", total: 4, done: 4, created: 4, updated: 0, unchanged: 0 });
    expect(result.accountsCreated).toBe(4);

    const people = (await world.admin.get("/people?limit=200")).body.items.filter((p: any) =>
      names.includes(p.username),
    );
    expect(people.map((p: any) => p.username).sort()).toEqual(names);
    const passwords = await credentials(result.credentialsUrl);
    expect([...passwords.keys()]).toEqual(names);
    // The passwords the crashed run made are void; the workbook's work.
    expect(await refused(signIn("im.crash1", earlier.body.temporaryPassword))).toBe("NotAuthorizedException");
    expect(await refused(signIn("im.crash3", earlier3.body.temporaryPassword))).toBe(
      "NotAuthorizedException",
    );
    const claims = await Promise.all(names.map((name) => firstSignIn(name, passwords.get(name)?.[1] ?? "")));
    for (const c of claims) expect(c["cognito:groups"]).toEqual(["inspector"]);

    // Delivered once more after it ended: nothing happens (the file is gone, the import stays as it was).
    const { handler } = await import("../../lambdas/handlers/imports/run-import");
    await handler({ "detail-type": "Object Created", detail: { object: { key: `imports/${importId}` } } }, {
      getRemainingTimeInMillis: () => 900_000,
    } as never);
    const after = await world.admin.get(`/imports/${importId}`);
    expect(after.body).toMatchObject({ status: "done", created: 4, finishedAt: result.finishedAt });
    const s3 = new S3Client({
      endpoint: system.objectStore.endpoint,
      forcePathStyle: true,
      region: "local",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    const head = s3.send(
      new HeadObjectCommand({ Bucket: process.env.EVIDENCE_BUCKET, Key: `imports/${importId}` }),
    );
    expect(await refused(head)).toBe("NotFound");
  });
});

describe("templates", () => {
  it("downloads an .xlsx with the Chinese headers and a 管城区 example row, named in Chinese", async () => {
    const res = await fetch(`${system.url}/imports/templates/units`, {
      headers: { authorization: `Bearer ${world.admin.bearer}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(XLSX_CONTENT_TYPE);
    expect(res.headers.get("content-disposition")).toBe(
      `attachment; filename="download.xlsx"; filename*=UTF-8''${encodeURIComponent("单位导入模板.xlsx")}`,
    );
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await res.arrayBuffer()) as ExcelJS.Buffer);
    const sheet = book.worksheets[0]!;
    expect(sheet.getRow(1).values).toEqual([undefined, ...UNIT_HEADER]);
    expect(sheet.getRow(2).values).toEqual([
      undefined,
      "gc-zijingshan",
      "紫荆山南路街道",
      "街道",
      "gc",
      34.7452,
      113.6912,
      800,
    ]);
    expect(book.worksheets.map((w) => w.name)).toEqual(["单位", "填写说明"]);

    const people = await fetch(`${system.url}/imports/templates/people`, {
      headers: { authorization: `Bearer ${world.organizer.bearer}` },
    });
    expect(people.status).toBe(200);
    const peopleBook = new ExcelJS.Workbook();
    await peopleBook.xlsx.load((await people.arrayBuffer()) as ExcelJS.Buffer);
    expect(peopleBook.worksheets[0]!.getRow(1).values).toEqual([undefined, ...PEOPLE_HEADER]);
  });

  it("imports the people template as downloaded, once its example unit exists", async () => {
    const res = await fetch(`${system.url}/imports/templates/people`, {
      headers: { authorization: `Bearer ${world.admin.bearer}` },
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    const units = await fetch(`${system.url}/imports/templates/units`, {
      headers: { authorization: `Bearer ${world.admin.bearer}` },
    });
    const unitsBytes = Buffer.from(await units.arrayBuffer());
    // Both refused, each for want of its unit (two imports of their own, at once).
    const [missing, orphan] = await Promise.all([
      importFile(world.admin, "people", bytes),
      importFile(world.admin, "units", unitsBytes),
    ]);
    expect(missing.errors).toEqual([
      { row: 2, column: "所属单位编码", message: "单位「gc-zijingshan」不存在，请先导入或添加这个单位" },
    ]);
    expect(orphan.errors[0]?.message).toMatch(/上级单位「gc」不存在/);
    expect(
      (await world.admin.put("/units/gc", { name: "管城回族区", parentId: null, kind: "district" })).status,
    ).toBe(201);
    expect(await importFile(world.admin, "units", unitsBytes)).toMatchObject({ status: "done", created: 1 });
    expect(await importFile(world.admin, "people", bytes)).toMatchObject({ status: "done", created: 1 });
  });
});

describe("progress", () => {
  it("shows its counters as it writes: importing, done growing toward total", async () => {
    const rows = Array.from({ length: 300 }, (_, i) => [
      `${world.prefix}-grid-${String(i).padStart(3, "0")}`,
      `紫荆山南路街道第${i + 1}网格`,
      "网格",
      units().zjs,
    ]);
    const { importId } = await start(world.admin, "units", await xlsx(UNIT_HEADER, rows));
    const seen: { status: string; done: number; total: number }[] = [];
    const final = await eventually(
      async () => {
        const res = await world.admin.get(`/imports/${importId}`);
        seen.push({ status: res.body.status, done: res.body.done, total: res.body.total });
        return res.body;
      },
      (b) => b.status === "done" || b.status === "invalid",
      { timeoutMs: 60_000, intervalMs: 50 },
    );
    expect(final).toMatchObject({ status: "done", total: 300, done: 300, created: 300 });
    expect(seen.some((s) => s.status === "importing" && s.total === 300 && s.done > 0 && s.done < 300)).toBe(
      true,
    );
    // Never backwards.
    const dones = seen.map((s) => s.done);
    expect(dones).toEqual([...dones].sort((a, b) => a - b));
  });
});
