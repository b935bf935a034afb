import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import {
  type Cell,
  checkPeople,
  checkUnitTree,
  FORMULA_MESSAGE,
  type ImportError,
  importFileProblems,
  importIdOfKey,
  importObjectKeys,
  listedErrors,
  MAX_IMPORT_ROWS,
  MAX_LISTED_ERRORS,
  PEOPLE_COLUMNS,
  parsePeopleRows,
  parseUnitRows,
  personOutcome,
  personTarget,
  readTable,
  type SheetRow,
  UNIT_COLUMNS,
  unitOutcome,
  XLSX_CONTENT_TYPE,
} from "../../lambdas/domain/imports";
import {
  decodeText,
  MAX_UNPACKED_BYTES,
  NOT_XLSX,
  parseCsv,
  readSpreadsheet,
  unpackedSize,
} from "../../lambdas/shared/spreadsheet-reader";
import { xlsxWorkbook } from "../../lambdas/shared/xlsx-writer";

const UNIT_HEADER = ["单位编码", "单位名称", "类型", "上级单位编码", "纬度", "经度", "半径"];
const PEOPLE_HEADER = ["姓名", "手机号", "用户名", "角色", "所属单位编码"];

/** A sheet whose header is row 1 and whose data rows follow, numbered as a spreadsheet numbers them. */
function sheet(header: readonly Cell[], ...rows: (readonly Cell[])[]): SheetRow[] {
  return [header, ...rows].map((cells, i) => ({ row: i + 1, cells }));
}

function units(...rows: (readonly Cell[])[]) {
  const table = readTable(sheet(UNIT_HEADER, ...rows), UNIT_COLUMNS);
  expect(table.errors).toEqual([]);
  return parseUnitRows(table.rows);
}

function people(...rows: (readonly Cell[])[]) {
  const table = readTable(sheet(PEOPLE_HEADER, ...rows), PEOPLE_COLUMNS);
  expect(table.errors).toEqual([]);
  return parsePeopleRows(table.rows);
}

describe("the file to import", () => {
  it("is an .xlsx or a .csv whose declared type matches its name, at most 10 MiB", () => {
    expect(importFileProblems({ fileName: "管城区单位.xlsx", contentType: XLSX_CONTENT_TYPE })).toEqual({
      format: "xlsx",
      problems: [],
    });
    expect(importFileProblems({ fileName: "人员.CSV", contentType: "text/csv; charset=utf-8" }).format).toBe(
      "csv",
    );
    expect(importFileProblems({ fileName: "人员.csv", contentType: XLSX_CONTENT_TYPE }).problems).toEqual([
      { path: "body.contentType", message: ".csv 文件的类型应为 text/csv" },
    ]);
    expect(
      importFileProblems({ fileName: "旧表.xls", contentType: "application/vnd.ms-excel" }).problems[0]
        ?.message,
    ).toMatch(/另存为 \.xlsx/);
    expect(importFileProblems({ fileName: "照片.jpg", contentType: "image/jpeg" }).problems[0]?.message).toBe(
      "只接受 .xlsx 工作簿或 .csv 文件",
    );
    expect(
      importFileProblems({ fileName: "大.xlsx", contentType: XLSX_CONTENT_TYPE, size: 50 * 1024 * 1024 }),
    ).toEqual({
      format: undefined,
      problems: [{ path: "body.size", message: "文件最大 10 MiB（10485760 字节）" }],
    });
  });

  it("lands under imports/ (the runner's prefix), its credentials under import-results/", () => {
    const id = "0f8fad5b-d9cb-469f-a165-70867728950e";
    expect(importObjectKeys(id)).toEqual({
      upload: `imports/${id}`,
      credentials: `import-results/${id}/accounts.xlsx`,
    });
    expect(importIdOfKey(`imports/${id}`)).toBe(id);
    expect(importIdOfKey(`uploads/${id}`)).toBeUndefined();
    expect(importIdOfKey("imports/../evidence/x")).toBeUndefined();
  });
});

describe("the header and the rows", () => {
  it("takes the header from row 1 as offices write it, skips empty rows and keeps the file's row numbers", () => {
    const table = readTable(
      [
        { row: 1, cells: ["单位编码*", " 单位名称 ", "类型（必填）", "上级单位编码", "备注"] },
        { row: 2, cells: ["gc", "管城回族区", "区", null, "总部"] },
        { row: 4, cells: ["gc-zijingshan", "紫荆山南路街道", "街道", "gc", null] },
        { row: 5, cells: [null, "", null, "  ", "只有备注的一行"] },
      ],
      UNIT_COLUMNS,
    );
    expect(table.errors).toEqual([]);
    expect(table.rows.map((r) => r.row)).toEqual([2, 4]);
    expect(table.rows[1]?.cells).toMatchObject({ 单位编码: "gc-zijingshan", 上级单位编码: "gc" });
  });

  it("names a missing or repeated column, and a header that is not in row 1", () => {
    expect(readTable(sheet(["单位编码", "单位名称", "类型"]), UNIT_COLUMNS).errors).toEqual([
      { row: 1, column: "上级单位编码", message: "缺少「上级单位编码」列（第 1 行应为表头）" },
    ]);
    expect(
      readTable(
        sheet(["姓名", "用户名", "角色", "用户名"], ["王丽", "wangli", "督查员", "x"]),
        PEOPLE_COLUMNS,
      ).errors,
    ).toEqual([{ row: 1, column: "用户名", message: "列「用户名」出现了不止一次" }]);
    expect(readTable([{ row: 2, cells: PEOPLE_HEADER }], PEOPLE_COLUMNS).errors[0]).toMatchObject({
      row: 1,
      message: "第 1 行应为表头（列名），本行为空",
    });
    expect(readTable(sheet(PEOPLE_HEADER), PEOPLE_COLUMNS).errors[0]?.message).toMatch(/没有数据行/);
  });

  it(`refuses more than ${MAX_IMPORT_ROWS} data rows`, () => {
    const rows = Array.from({ length: MAX_IMPORT_ROWS + 1 }, (_, i) => [`u${i}`, "网格", "网格", null]);
    const table = readTable(sheet(UNIT_HEADER, ...rows), UNIT_COLUMNS);
    expect(table.rows).toEqual([]);
    expect(table.errors).toEqual([
      { row: 0, column: "", message: `一次最多导入 5000 行数据，本文件有 5001 行，请分成几个文件` },
    ]);
  });
});

describe("units", () => {
  it("reads a row: Chinese or v1 kinds, numbers or numeric text, codes typed as numbers as text", () => {
    const { units: parsed, errors } = units(
      ["gc", "管城回族区", "区", null, 34.7469, 113.6885, 3000],
      ["gc-zijingshan", "紫荆山南路街道", "街道", "gc", "34.7452", " 113.6912 ", "800"],
      [1001, "某网格", "grid", "gc-zijingshan", null, null, null],
    );
    expect(errors).toEqual([]);
    expect(parsed).toEqual([
      {
        row: 2,
        unitId: "gc",
        name: "管城回族区",
        kind: "district",
        parentId: null,
        location: { lat: 34.7469, lng: 113.6885 },
        radiusMeters: 3000,
      },
      {
        row: 3,
        unitId: "gc-zijingshan",
        name: "紫荆山南路街道",
        kind: "street",
        parentId: "gc",
        location: { lat: 34.7452, lng: 113.6912 },
        radiusMeters: 800,
      },
      { row: 4, unitId: "1001", name: "某网格", kind: "grid", parentId: "gc-zijingshan" },
    ]);
  });

  it("names every bad cell by row and Chinese column, formulas and dates included", () => {
    const { errors } = units(
      ["gc", "", "县", null, 95, 113, 0],
      ["a b", "某单位", "社区", "gc", 34.7, null, "很大"],
      ["gc-x", { formula: 'A2&"-x"' }, "网格", "gc", new Date(0), 113.6, -5],
    );
    expect(errors).toEqual([
      { row: 2, column: "单位名称", message: "请填写「单位名称」" },
      { row: 2, column: "类型", message: "「类型」应为 区、街道、社区、村、网格、场所 之一，填的是「县」" },
      { row: 2, column: "纬度", message: "「纬度」应不小于 -90 且不大于 90，填的是 95" },
      { row: 2, column: "半径", message: "「半径」应大于 0 且不大于 100000，填的是 0" },
      { row: 3, column: "单位编码", message: "「单位编码」只能含字母、数字和 _ . : @ -，最多 128 个字符" },
      { row: 3, column: "半径", message: "「半径」应为数字" },
      { row: 3, column: "经度", message: "填了纬度就要同时填经度" },
      { row: 4, column: "单位名称", message: FORMULA_MESSAGE },
      { row: 4, column: "纬度", message: "单元格是日期，应为数字" },
      { row: 4, column: "半径", message: "「半径」应大于 0 且不大于 100000，填的是 -5" },
    ]);
    expect(FORMULA_MESSAGE).toBe("单元格含公式，请粘贴为数值");
  });

  it("refuses a 单位编码 given twice, naming the row that had it first", () => {
    const { units: parsed, errors } = units(
      ["gc", "管城回族区", "区", null],
      ["gc-a", "甲街道", "街道", "gc"],
      ["gc-a", "乙街道", "街道", "gc"],
    );
    expect(parsed.map((u) => u.row)).toEqual([2, 3]);
    expect(errors).toEqual([{ row: 4, column: "单位编码", message: "单位编码「gc-a」与第 3 行重复" }]);
  });

  it("orders the tree parents first, whatever the file's order, with parents in the file or stored", () => {
    const { units: parsed } = units(
      ["gc-zjs-c1-g1", "一网格", "网格", "gc-zjs-c1"],
      ["gc-zjs-c1", "一社区", "社区", "gc-zjs"],
      ["gc-zjs", "紫荆山南路街道", "街道", "gc"],
      ["gc", "管城回族区", "区", null],
      ["gc-other", "另一街道", "街道", "zz"],
    );
    const stored = new Map([["zz", { parentId: null }]]);
    const { levels, errors } = checkUnitTree(parsed, stored);
    expect(errors).toEqual([]);
    expect(levels.map((l) => l.map((u) => u.unitId))).toEqual([
      ["gc", "gc-other"],
      ["gc-zjs"],
      ["gc-zjs-c1"],
      ["gc-zjs-c1-g1"],
    ]);
  });

  it("names a parent that is neither in the file nor stored, and a unit that is its own parent", () => {
    const { units: parsed } = units(["gc-a", "甲", "街道", "nowhere"], ["gc-b", "乙", "街道", "gc-b"]);
    expect(checkUnitTree(parsed, new Map()).errors).toEqual([
      {
        row: 2,
        column: "上级单位编码",
        message: "上级单位「nowhere」不存在：文件中没有这个单位编码，系统中也没有",
      },
      { row: 3, column: "上级单位编码", message: "上级单位不能是本单位" },
    ]);
  });

  it("names each row of a cycle, within the file and through stored units", () => {
    const { units: inFile } = units(
      ["a", "甲", "街道", "c"],
      ["b", "乙", "社区", "a"],
      ["c", "丙", "网格", "b"],
      ["d", "丁", "网格", "c"],
      ["root", "根", "区", null],
    );
    const cycle = checkUnitTree(inFile, new Map());
    expect(cycle.levels).toEqual([]);
    expect(cycle.errors.map((e) => [e.row, e.column])).toEqual([
      [2, "上级单位编码"],
      [3, "上级单位编码"],
      [4, "上级单位编码"],
    ]);
    expect(cycle.errors[0]?.message).toBe("上级单位关系成环：a → c → b → a");

    // Stored: district → street → community. The file moves the district under the community.
    const { units: moved } = units(["district", "区", "区", "community"]);
    const stored = new Map<string, { parentId: string | null }>([
      ["district", { parentId: null }],
      ["street", { parentId: "district" }],
      ["community", { parentId: "street" }],
    ]);
    expect(checkUnitTree(moved, stored).errors).toEqual([
      {
        row: 2,
        column: "上级单位编码",
        message: "上级单位关系成环：district → community → street → district",
      },
    ]);
  });

  it("says whether a row creates, changes or leaves a unit as it is (an empty cell clears the field)", () => {
    const { units: parsed } = units(["gc", "管城回族区", "区", null, 34.7, 113.6, 300]);
    const row = parsed[0]!;
    const stored = {
      name: "管城回族区",
      parentId: null,
      kind: "district",
      location: { lat: 34.7, lng: 113.6 },
      radiusMeters: 300,
    };
    expect(unitOutcome(row, undefined)).toBe("created");
    expect(unitOutcome(row, stored)).toBe("unchanged");
    expect(unitOutcome(row, { ...stored, name: "管城区" })).toBe("updated");
    expect(unitOutcome(row, { ...stored, radiusMeters: undefined })).toBe("updated");
    const { units: bare } = units(["gc", "管城回族区", "区", null]);
    expect(unitOutcome(bare[0]!, stored)).toBe("updated");
  });
});

describe("people", () => {
  it("reads roles by Chinese or group name joined by 、, phones in any usual form, usernames as keys", () => {
    const { people: parsed, errors } = people(
      ["王主任", "138 0000 1234", "wang.zr", "被检查单位、领导", "gc-zjs-c1"],
      ["张建国", 13900001234, "zhangjg", "inspector", "gc-zjs"],
      ["李处长", null, "li@office", "督查组织,admin", null],
    );
    expect(errors).toEqual([]);
    expect(parsed).toEqual([
      {
        row: 2,
        name: "王主任",
        phone: "+8613800001234",
        username: "wang.zr",
        roles: ["unit", "official"],
        unitCode: "gc-zjs-c1",
      },
      {
        row: 3,
        name: "张建国",
        phone: "+8613900001234",
        username: "zhangjg",
        roles: ["inspector"],
        unitCode: "gc-zjs",
      },
      { row: 4, name: "李处长", username: "li@office", roles: ["admin", "organizer"] },
    ]);
    expect(personTarget(parsed[0]!)).toEqual({
      name: "王主任",
      phone: "+8613800001234",
      username: "wang.zr",
      roles: ["unit", "official"],
      unitId: "gc-zjs-c1",
    });
    expect(personTarget(parsed[1]!)).toMatchObject({ roles: ["inspector"], homeUnitId: "gc-zjs" });
  });

  it("names unknown roles, a unit role or an inspector without a unit, malformed phones and usernames", () => {
    const { errors } = people(
      ["甲", "12345", "jia", "组长", null],
      ["乙", null, "yi", "被检查单位", null],
      ["丙", null, "b", "督查员", null],
      ["", null, "ding", "", null],
    );
    expect(errors).toEqual([
      { row: 2, column: "手机号", message: "手机号格式不正确（应为 11 位大陆手机号），填的是「12345」" },
      {
        row: 2,
        column: "角色",
        message: "未知角色「组长」，可填：管理员、督查组织、督查员、被检查单位、领导（多个角色用“、”分隔）",
      },
      { row: 3, column: "所属单位编码", message: "被检查单位人员须填写所属单位编码" },
      { row: 4, column: "用户名", message: "「用户名」为 2–64 个字母、数字或 . _ @ -" },
      { row: 4, column: "所属单位编码", message: "督查员须填写所属单位编码（回避规则依此判断）" },
      { row: 5, column: "姓名", message: "请填写「姓名」" },
      { row: 5, column: "角色", message: "请填写「角色」" },
    ]);
  });

  it("refuses a username given twice in any case", () => {
    const { people: parsed, errors } = people(
      ["王丽", null, "WangLi", "督查员", "gc"],
      ["王丽", null, "wangli", "督查员", "gc"],
    );
    expect(parsed).toHaveLength(1);
    expect(errors).toEqual([
      { row: 3, column: "用户名", message: "用户名「wangli」与第 2 行重复（用户名不区分大小写）" },
    ]);
  });

  it("checks units exist; an organizer's file holds inspectors only, and touches no one else", () => {
    const { people: parsed } = people(
      ["张建国", null, "zhangjg", "督查员", "gc"],
      ["王主任", null, "wangzr", "被检查单位", "gc-x"],
      ["刘局长", null, "liu", "督查员", "gc"],
    );
    const context = {
      unitExists: (id: string) => id === "gc",
      storedRoles: (u: string) => (u === "liu" ? ["official"] : undefined),
      inspectorsOnly: false,
    };
    expect(checkPeople(parsed, context)).toEqual([
      { row: 3, column: "所属单位编码", message: "单位「gc-x」不存在，请先导入或添加这个单位" },
    ]);
    expect(checkPeople(parsed, { ...context, inspectorsOnly: true })).toEqual([
      { row: 3, column: "所属单位编码", message: "单位「gc-x」不存在，请先导入或添加这个单位" },
      {
        row: 3,
        column: "角色",
        message: "督查组织人员只能导入仅有“督查员”角色的人员；其他人员由管理员导入",
      },
      { row: 4, column: "用户名", message: "用户名「liu」属于不只是督查员的人员，只有管理员可以修改" },
    ]);
  });

  it("says whether a row creates, changes or leaves a person as they are (roles in any order)", () => {
    const { people: parsed } = people(["王主任", "13800001234", "wangzr", "领导、被检查单位", "gc"]);
    const target = personTarget(parsed[0]!);
    const stored = { name: "王主任", phone: "+8613800001234", roles: ["unit", "official"], unitId: "gc" };
    expect(personOutcome(target, undefined)).toBe("created");
    expect(personOutcome(target, stored)).toBe("unchanged");
    expect(personOutcome(target, { ...stored, phone: undefined })).toBe("updated");
    expect(personOutcome(target, { ...stored, roles: ["unit"] })).toBe("updated");
    expect(personOutcome(target, { ...stored, homeUnitId: "gc" })).toBe("updated");
  });
});

describe("the errors listed", () => {
  it("are in row order, at most 10000, then one entry counting the rest", () => {
    const many: ImportError[] = Array.from({ length: MAX_LISTED_ERRORS + 5 }, (_, i) => ({
      row: MAX_LISTED_ERRORS + 10 - i,
      column: "姓名",
      message: "请填写「姓名」",
    }));
    const listed = listedErrors(many);
    expect(listed).toHaveLength(MAX_LISTED_ERRORS + 1);
    expect(listed[0]?.row).toBeLessThan(listed[1]?.row ?? 0);
    expect(listed.at(-1)).toEqual({
      row: 0,
      column: "",
      message: "另有 5 处错误未列出，请先改正以上错误再导入",
    });
  });
});

describe("reading files", () => {
  async function workbook(rows: unknown[][], build?: (ws: ExcelJS.Worksheet) => void): Promise<Buffer> {
    const book = new ExcelJS.Workbook();
    const ws = book.addWorksheet("单位");
    for (const r of rows) ws.addRow(r);
    build?.(ws);
    return Buffer.from(await book.xlsx.writeBuffer());
  }

  it("reads the first worksheet of an .xlsx with the file's row numbers; formulas stay formulas", async () => {
    const bytes = await workbook(
      [
        UNIT_HEADER,
        ["gc", "管城回族区", "区", null, 34.7469],
        [],
        ["gc-a", { formula: 'B2&"街道"', result: "x" }],
      ],
      (ws) => {
        ws.getCell("B5").value = { richText: [{ text: "紫荆山" }, { text: "南路街道" }] };
        ws.getCell("A5").value = "gc-zjs";
      },
    );
    const read = await readSpreadsheet(bytes, "xlsx");
    expect(read).toEqual({
      ok: true,
      rows: [
        { row: 1, cells: UNIT_HEADER },
        { row: 2, cells: ["gc", "管城回族区", "区", null, 34.7469] },
        { row: 4, cells: ["gc-a", { formula: 'B2&"街道"' }] },
        { row: 5, cells: ["gc-zjs", "紫荆山南路街道"] },
      ],
    });
  });

  it("refuses what is not a workbook, an old .xls, and a small file that would unpack to too much", async () => {
    expect(await readSpreadsheet(Buffer.from("%PDF-1.7 not a workbook"), "xlsx")).toEqual({
      ok: false,
      message: NOT_XLSX,
    });
    expect(NOT_XLSX).toBe("文件不是有效的 .xlsx 工作簿");
    const ole = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]);
    expect((await readSpreadsheet(ole, "xlsx")).ok).toBe(false);
    // A zip whose central directory says it unpacks to more than the limit.
    const genuine = await workbook([UNIT_HEADER]);
    const info = unpackedSize(genuine);
    expect(info?.entries).toBeGreaterThan(3);
    const bomb = Buffer.from(genuine);
    const end = bomb.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    const central = bomb.readUInt32LE(end + 16);
    bomb.writeUInt32LE(MAX_UNPACKED_BYTES + 1, central + 24);
    expect(await readSpreadsheet(bomb, "xlsx")).toEqual({
      ok: false,
      message: "工作簿解压后超过 16 MiB（一次最多导入 5000 行），请删去多余的工作表、图片或格式后再导入",
    });
    // A zip's signature with nothing behind it.
    const truncated = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(64)]);
    expect(await readSpreadsheet(truncated, "xlsx")).toEqual({ ok: false, message: NOT_XLSX });
  });

  it("reads CSV: quotes, line breaks inside them, BOM, CRLF; codes stay text; = is a formula", async () => {
    const text =
      '\ufeff单位编码,单位名称,类型,上级单位编码\r\n001,"紫荆山南路街道, ""南""",街道,\r\n\r\n002,"多\n行",社区,001\r\n003,=A2,网格,001';
    const read = parseCsv(decodeText(Buffer.from(text, "utf8")) ?? "");
    expect(read).toEqual({
      ok: true,
      rows: [
        { row: 1, cells: ["单位编码", "单位名称", "类型", "上级单位编码"] },
        { row: 2, cells: ["001", '紫荆山南路街道, "南"', "街道", null] },
        { row: 4, cells: ["002", "多\n行", "社区", "001"] },
        { row: 5, cells: ["003", { formula: "A2" }, "网格", "001"] },
      ],
    });
    expect(parseCsv('a,"b\n')).toEqual({ ok: false, message: "第 1 行的引号没有闭合，文件不是有效的 .csv" });
  });

  it("reads CSV saved by Excel on a Chinese Windows (GB18030) and by other locales (; or tab)", async () => {
    const gbk = Buffer.from([
      // 姓名,用户名\r\n王丽,wangli  in GB18030
      0xd0, 0xd5, 0xc3, 0xfb, 0x2c, 0xd3, 0xc3, 0xbb, 0xa7, 0xc3, 0xfb, 0x0d, 0x0a, 0xcd, 0xf5, 0xc0, 0xf6,
      0x2c, 0x77, 0x61, 0x6e, 0x67, 0x6c, 0x69,
    ]);
    expect(await readSpreadsheet(gbk, "csv")).toEqual({
      ok: true,
      rows: [
        { row: 1, cells: ["姓名", "用户名"] },
        { row: 2, cells: ["王丽", "wangli"] },
      ],
    });
    expect(parseCsv("姓名;用户名\n王丽;wangli")).toMatchObject({ rows: [{ cells: ["姓名", "用户名"] }, {}] });
    expect(parseCsv("姓名\t用户名\n王丽\twangli")).toMatchObject({
      rows: [{}, { cells: ["王丽", "wangli"] }],
    });
  });

  it("refuses a binary file or a workbook given as .csv", async () => {
    const binary = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48]);
    expect(await readSpreadsheet(binary, "csv")).toEqual({
      ok: false,
      message: "文件不是有效的 .csv 文本（请存为 UTF-8 或 GB18030 编码的 CSV）",
    });
    expect(await readSpreadsheet(await workbook([UNIT_HEADER]), "csv")).toEqual({
      ok: false,
      message: "文件是 .xlsx 工作簿而不是 .csv，请按 .xlsx 导入",
    });
  });

  it("writes workbooks that exceljs reads back: sheets, header, numbers, text columns, escaped text", async () => {
    const bytes = xlsxWorkbook([
      {
        name: "临时密码",
        rows: [
          ["用户名", "姓名", "临时密码"],
          ["zhangjg", '张 <建国> & "子"', "a=B&c<1>"],
          ["001", null, 42],
        ],
        textColumns: [0, 2],
      },
      { name: "说明", rows: [["说明"], ["首次登录须修改临时密码"]] },
    ]);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(bytes as unknown as ExcelJS.Buffer);
    expect(book.worksheets.map((w) => w.name)).toEqual(["临时密码", "说明"]);
    const ws = book.worksheets[0]!;
    expect(ws.getRow(2).values).toEqual([undefined, "zhangjg", '张 <建国> & "子"', "a=B&c<1>"]);
    expect(ws.getCell("A3").value).toBe("001");
    expect(ws.getCell("C3").value).toBe(42);
    expect(ws.getCell("A3").numFmt).toBe("@");
    expect(ws.getCell("A1").font?.bold).toBe(true);
    // Deterministic: the same content, the same bytes.
    expect(xlsxWorkbook([{ name: "a", rows: [["x"]] }])).toEqual(
      xlsxWorkbook([{ name: "a", rows: [["x"]] }]),
    );
  });
});
