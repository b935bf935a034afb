import type { FieldError } from "./errors";
import { normalizePhone, organizerMayManage, ROLE_NAMES, roleFromName } from "./people";
import { ROLES, type Role } from "./roles";
import type { ImportKind } from "./statuses";

/**
 * Spreadsheet imports (导入) of the unit tree and of people, with no AWS imports: the files
 * accepted, the columns, every rule a row must meet (messages in Chinese, naming the file's own
 * row numbers and the column's Chinese header), the order units are written in (parents first),
 * cycles, and whether a row creates, changes or leaves alone what is stored.
 */

export type ImportFormat = "xlsx" | "csv";
export const XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
export const CSV_CONTENT_TYPE = "text/csv";
const CONTENT_TYPE_OF: Readonly<Record<ImportFormat, string>> = {
  xlsx: XLSX_CONTENT_TYPE,
  csv: CSV_CONTENT_TYPE,
};

/** 10 MiB: the largest file taken (a district's 2,000 people are about 100 KB as .xlsx). */
export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;
/** Data rows in one file (header not counted). */
export const MAX_IMPORT_ROWS = 5000;
/** Errors listed on an invalid import; beyond them, one entry says how many more there are. */
export const MAX_LISTED_ERRORS = 10_000;
/** How long a presigned upload URL lives. */
export const IMPORT_UPLOAD_SECONDS = 15 * 60;
/** How long a presigned download URL of the credentials workbook lives (at most 5 minutes). */
export const CREDENTIALS_URL_SECONDS = 5 * 60;
/** The credentials workbook is deleted by the bucket's lifecycle after this many days. */
export const CREDENTIALS_KEPT_DAYS = 3;

/**
 * Where an import's file lands in the evidence bucket (its "Object Created" event there runs the
 * import), and where the workbook of the temporary passwords of the accounts it created is kept
 * (expired by the bucket's lifecycle after {@link CREDENTIALS_KEPT_DAYS} days).
 */
export const IMPORT_PREFIX = "imports/";
export const IMPORT_RESULTS_PREFIX = "import-results/";
export const importObjectKeys = (importId: string) => ({
  upload: `${IMPORT_PREFIX}${importId}`,
  credentials: `${IMPORT_RESULTS_PREFIX}${importId}/accounts.xlsx`,
});

/** The import id an upload key names, or undefined for a key outside `imports/`. */
export function importIdOfKey(key: string): string | undefined {
  if (!key.startsWith(IMPORT_PREFIX)) return undefined;
  const id = key.slice(IMPORT_PREFIX.length);
  return /^[0-9a-f-]{36}$/.test(id) ? id : undefined;
}

/** One error of an invalid import: the file's row number (1 = the header, 0 = the file as a whole). */
export interface ImportError {
  readonly row: number;
  readonly column: string;
  readonly message: string;
}

/**
 * The format of a file to import, from its name and declared type, which must agree: `.xlsx` with
 * the Office Open XML type, `.csv` with `text/csv`. Anything else, or more than 10 MiB, is refused
 * before an upload URL exists.
 */
export function importFileProblems(file: {
  fileName: string;
  contentType: string;
  size?: number | undefined;
}): {
  format: ImportFormat | undefined;
  problems: FieldError[];
} {
  const problems: FieldError[] = [];
  const extension = /\.([a-z0-9]+)$/i.exec(file.fileName.trim())?.[1]?.toLowerCase();
  const format = extension === "xlsx" || extension === "csv" ? extension : undefined;
  const type = file.contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  if (!format) {
    problems.push({
      path: "body.fileName",
      message:
        extension === "xls"
          ? "不接受旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后再导入"
          : "只接受 .xlsx 工作簿或 .csv 文件",
    });
  } else if (type !== CONTENT_TYPE_OF[format]) {
    problems.push({
      path: "body.contentType",
      message: `.${format} 文件的类型应为 ${CONTENT_TYPE_OF[format]}`,
    });
  }
  if (file.size !== undefined && file.size > MAX_IMPORT_BYTES)
    problems.push({ path: "body.size", message: "文件最大 10 MiB（10485760 字节）" });
  return { format: problems.length === 0 ? format : undefined, problems };
}

// ---- cells and sheets ----------------------------------------------------------------------

/** A cell as read from the file; formulas are kept as formulas, never evaluated. */
export type Cell =
  | null
  | string
  | number
  | boolean
  | Date
  | { readonly formula: string }
  | { readonly error: string };

/** One non-empty row of the first worksheet, numbered as in the file; `cells[0]` is column A. */
export interface SheetRow {
  readonly row: number;
  readonly cells: readonly Cell[];
}

export interface ColumnSpec {
  readonly name: string;
  readonly required: boolean;
  /** Read as text even where a spreadsheet would make a number of it (codes, phone numbers). */
  readonly text?: boolean;
}

export const UNIT_COLUMNS = {
  unitId: { name: "单位编码", required: true, text: true },
  name: { name: "单位名称", required: true },
  kind: { name: "类型", required: true },
  parentId: { name: "上级单位编码", required: true, text: true },
  lat: { name: "纬度", required: false },
  lng: { name: "经度", required: false },
  radius: { name: "半径", required: false },
} as const satisfies Record<string, ColumnSpec>;

export const PEOPLE_COLUMNS = {
  name: { name: "姓名", required: true },
  phone: { name: "手机号", required: false, text: true },
  username: { name: "用户名", required: true, text: true },
  roles: { name: "角色", required: true },
  unit: { name: "所属单位编码", required: false, text: true },
} as const satisfies Record<string, ColumnSpec>;

export const COLUMNS: Readonly<Record<ImportKind, Readonly<Record<string, ColumnSpec>>>> = {
  units: UNIT_COLUMNS,
  people: PEOPLE_COLUMNS,
};

/** A data row by column header (only the columns of the import; others, such as 备注, are ignored). */
export interface TableRow {
  readonly row: number;
  readonly cells: Readonly<Record<string, Cell>>;
}

/** A header as offices write it: spaces, a `*` for required, a note in brackets — `单位编码*（必填）`. */
function headerName(cell: Cell): string | undefined {
  if (typeof cell !== "string") return undefined;
  return cell
    .replace(/\s+/g, "")
    .replace(/[（(][^）)]*[）)]$/, "")
    .replace(/^\*+|\*+$/g, "");
}

const isEmpty = (cell: Cell | undefined) =>
  cell === null || cell === undefined || (typeof cell === "string" && cell.trim() === "");

/**
 * The rows of the file by column: the header must be row 1 and name every required column once;
 * empty rows are skipped (their numbers are not reused); at most {@link MAX_IMPORT_ROWS} data rows.
 */
export function readTable(
  sheet: readonly SheetRow[],
  columns: Readonly<Record<string, ColumnSpec>>,
): { rows: TableRow[]; errors: ImportError[] } {
  const errors: ImportError[] = [];
  const header = sheet.find((r) => r.row === 1);
  if (!header) {
    return {
      rows: [],
      errors: [{ row: 1, column: "", message: "第 1 行应为表头（列名），本行为空" }],
    };
  }
  const specs = Object.values(columns);
  const index = new Map<string, number>();
  header.cells.forEach((cell, i) => {
    const name = headerName(cell);
    if (!name || !specs.some((s) => s.name === name)) return;
    if (index.has(name)) errors.push({ row: 1, column: name, message: `列「${name}」出现了不止一次` });
    else index.set(name, i);
  });
  for (const spec of specs) {
    if (spec.required && !index.has(spec.name))
      errors.push({ row: 1, column: spec.name, message: `缺少「${spec.name}」列（第 1 行应为表头）` });
  }
  if (errors.length > 0) return { rows: [], errors };

  const rows: TableRow[] = [];
  for (const r of sheet) {
    if (r.row <= 1) continue;
    const cells: Record<string, Cell> = {};
    for (const [name, i] of index) cells[name] = r.cells[i] ?? null;
    if (Object.values(cells).every(isEmpty)) continue;
    rows.push({ row: r.row, cells });
  }
  if (rows.length === 0) errors.push({ row: 0, column: "", message: "文件中没有数据行（表头之后为空）" });
  if (rows.length > MAX_IMPORT_ROWS)
    errors.push({
      row: 0,
      column: "",
      message: `一次最多导入 ${MAX_IMPORT_ROWS} 行数据，本文件有 ${rows.length} 行，请分成几个文件`,
    });
  return { rows: errors.length > 0 ? [] : rows, errors };
}

export const FORMULA_MESSAGE = "单元格含公式，请粘贴为数值";

/** Reads the cells of one row, collecting each cell's error under the file's row and column. */
class RowReader {
  constructor(
    private readonly row: TableRow,
    private readonly errors: ImportError[],
  ) {}

  fail(column: string, message: string): void {
    this.errors.push({ row: this.row.row, column, message });
  }

  /** The trimmed text of a cell; undefined when empty or not text (the error is recorded). */
  text(
    spec: ColumnSpec,
    rules: { max: number; pattern?: RegExp; patternMessage?: string },
  ): string | undefined {
    const cell = this.row.cells[spec.name] ?? null;
    let value: string;
    if (cell === null || isEmpty(cell)) {
      if (spec.required) this.fail(spec.name, `请填写「${spec.name}」`);
      return undefined;
    }
    if (typeof cell === "string") value = cell.trim();
    else if (typeof cell === "number") value = Number.isFinite(cell) ? String(cell) : "";
    else return void this.fail(spec.name, cellProblem(cell, "文本"));
    if ([...value].length > rules.max)
      return void this.fail(spec.name, `「${spec.name}」最多 ${rules.max} 个字`);
    if (rules.pattern && !rules.pattern.test(value))
      return void this.fail(spec.name, rules.patternMessage ?? `「${spec.name}」格式不正确`);
    return value;
  }

  /** A number within [min, max]; undefined when empty or not one (the error is recorded). */
  number(spec: ColumnSpec, min: number, max: number, exclusiveMin = false): number | undefined {
    const cell = this.row.cells[spec.name] ?? null;
    if (cell === null || isEmpty(cell)) return undefined;
    let value: number;
    if (typeof cell === "number") value = cell;
    else if (typeof cell === "string" && /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(cell.trim()))
      value = Number(cell.trim());
    else if (typeof cell === "string") return void this.fail(spec.name, `「${spec.name}」应为数字`);
    else return void this.fail(spec.name, cellProblem(cell, "数字"));
    const low = exclusiveMin ? value <= min : value < min;
    if (!Number.isFinite(value) || low || value > max)
      return void this.fail(
        spec.name,
        `「${spec.name}」应${exclusiveMin ? "大于" : "不小于"} ${min} 且不大于 ${max}，填的是 ${value}`,
      );
    return value;
  }
}

function cellProblem(cell: Exclude<Cell, null | string | number>, wanted: string): string {
  if (cell instanceof Date) return `单元格是日期，应为${wanted}`;
  if (typeof cell === "boolean") return `单元格是逻辑值（${cell ? "TRUE" : "FALSE"}），应为${wanted}`;
  if ("formula" in cell) return FORMULA_MESSAGE;
  return `单元格含错误值 ${cell.error}，应为${wanted}`;
}

// ---- units -----------------------------------------------------------------------------------

/** The kinds of unit by their Chinese names (类型 column); the v1 `kind` values are taken as they are. */
export const UNIT_KIND_NAMES: Readonly<Record<string, string>> = {
  区: "district",
  街道: "street",
  办事处: "street",
  街道办事处: "street",
  社区: "community",
  村: "village",
  网格: "grid",
  场所: "venue",
};
const UNIT_KINDS = ["district", "street", "community", "village", "grid", "venue"];

/** Unit ids as `PUT /units/{unitId}` takes them. */
const UNIT_ID = /^[\p{L}\p{N}_.:@-]{1,128}$/u;
const UNIT_ID_MESSAGE = (column: string) => `「${column}」只能含字母、数字和 _ . : @ -，最多 128 个字符`;

/** A unit as one row of the file gives it (the whole unit: an empty cell clears that field). */
export interface UnitRow {
  readonly row: number;
  readonly unitId: string;
  readonly name: string;
  readonly kind: string;
  readonly parentId: string | null;
  readonly location?: { readonly lat: number; readonly lng: number };
  readonly radiusMeters?: number;
}

/**
 * The units of the file, one per 单位编码 (a code given twice is an error on the later rows), with
 * every cell's error. A row whose other cells have errors still takes part in the tree checks, so
 * that its children do not report it missing.
 */
export function parseUnitRows(table: readonly TableRow[]): { units: UnitRow[]; errors: ImportError[] } {
  const errors: ImportError[] = [];
  const units: UnitRow[] = [];
  const firstRow = new Map<string, number>();
  const c = UNIT_COLUMNS;
  for (const row of table) {
    const read = new RowReader(row, errors);
    const unitId = read.text(c.unitId, {
      max: 128,
      pattern: UNIT_ID,
      patternMessage: UNIT_ID_MESSAGE(c.unitId.name),
    });
    const name = read.text(c.name, { max: 200 });
    const kindText = read.text(c.kind, { max: 64 });
    const kind = kindText === undefined ? undefined : unitKind(kindText);
    if (kindText !== undefined && kind === undefined)
      read.fail(c.kind.name, `「类型」应为 区、街道、社区、村、网格、场所 之一，填的是「${kindText}」`);
    const parentId =
      read.text(
        { ...c.parentId, required: false },
        {
          max: 128,
          pattern: UNIT_ID,
          patternMessage: UNIT_ID_MESSAGE(c.parentId.name),
        },
      ) ?? null;
    const lat = read.number(c.lat, -90, 90);
    const lng = read.number(c.lng, -180, 180);
    const radiusMeters = read.number(c.radius, 0, 100_000, true);
    const latGiven = !isEmpty(row.cells[c.lat.name] ?? null);
    const lngGiven = !isEmpty(row.cells[c.lng.name] ?? null);
    if (latGiven && !lngGiven) read.fail(c.lng.name, "填了纬度就要同时填经度");
    if (lngGiven && !latGiven) read.fail(c.lat.name, "填了经度就要同时填纬度");
    if (unitId === undefined) continue;
    const first = firstRow.get(unitId);
    if (first !== undefined) {
      read.fail(c.unitId.name, `单位编码「${unitId}」与第 ${first} 行重复`);
      continue;
    }
    firstRow.set(unitId, row.row);
    units.push({
      row: row.row,
      unitId,
      name: name ?? "",
      kind: kind ?? "",
      parentId,
      ...(lat !== undefined && lng !== undefined ? { location: { lat, lng } } : {}),
      ...(radiusMeters !== undefined ? { radiusMeters } : {}),
    });
  }
  return { units, errors };
}

function unitKind(text: string): string | undefined {
  if (UNIT_KINDS.includes(text)) return text;
  return UNIT_KIND_NAMES[text];
}

/** What the tree checks need of a stored unit. */
export interface StoredUnitLink {
  readonly parentId: string | null;
}

/**
 * The tree the file makes together with what is stored: every parent must be a unit of the file
 * or a stored one, and no unit may end up above itself (each row of a cycle is named). Returns the
 * units in levels, parents first — a unit's level is one more than its parent's when the parent is
 * in the file — so that each level can be written once the one before it is.
 *
 * `stored` holds the stored units the file names and all their ancestors.
 */
export function checkUnitTree(
  units: readonly UnitRow[],
  stored: ReadonlyMap<string, StoredUnitLink>,
): { levels: UnitRow[][]; errors: ImportError[] } {
  const errors: ImportError[] = [];
  const inFile = new Map(units.map((u) => [u.unitId, u]));
  const parentColumn = UNIT_COLUMNS.parentId.name;
  const parentOf = (id: string): string | null => {
    const row = inFile.get(id);
    if (row) return row.parentId !== null && knownParent(row) ? row.parentId : null;
    return stored.get(id)?.parentId ?? null;
  };
  const knownParent = (u: UnitRow) =>
    u.parentId !== null && (inFile.has(u.parentId) || stored.has(u.parentId));

  for (const u of units) {
    if (u.parentId === null) continue;
    if (u.parentId === u.unitId)
      errors.push({ row: u.row, column: parentColumn, message: "上级单位不能是本单位" });
    else if (!knownParent(u))
      errors.push({
        row: u.row,
        column: parentColumn,
        message: `上级单位「${u.parentId}」不存在：文件中没有这个单位编码，系统中也没有`,
      });
  }

  // Cycles: walk up from each unit; meeting a unit of the current walk closes a cycle.
  const settled = new Set<string>();
  const inCycle = new Set<string>();
  for (const u of units) {
    const walk: string[] = [];
    const onWalk = new Map<string, number>();
    let current: string | null = u.unitId;
    while (current !== null && !settled.has(current)) {
      const seenAt = onWalk.get(current);
      if (seenAt !== undefined) {
        const cycle = walk.slice(seenAt);
        if (cycle.length > 1) {
          const names = [...cycle, cycle[0]].join(" → ");
          for (const id of cycle) {
            const row = inFile.get(id);
            if (row && !inCycle.has(id))
              errors.push({ row: row.row, column: parentColumn, message: `上级单位关系成环：${names}` });
            inCycle.add(id);
          }
        }
        break;
      }
      onWalk.set(current, walk.length);
      walk.push(current);
      current = parentOf(current);
    }
    for (const id of walk) settled.add(id);
  }
  if (errors.length > 0) return { levels: [], errors: errors.sort((a, b) => a.row - b.row) };

  const level = new Map<string, number>();
  const levelOf = (u: UnitRow): number => {
    const known = level.get(u.unitId);
    if (known !== undefined) return known;
    const parent = u.parentId === null ? undefined : inFile.get(u.parentId);
    const value = parent ? levelOf(parent) + 1 : 0;
    level.set(u.unitId, value);
    return value;
  };
  const levels: UnitRow[][] = [];
  for (const u of units) {
    const n = levelOf(u);
    const level = levels[n] ?? [];
    level.push(u);
    levels[n] = level;
  }
  return { levels, errors };
}

/** What a row is compared with: the stored unit's fields. */
export interface StoredUnit {
  readonly name: string;
  readonly parentId: string | null;
  readonly kind: string;
  readonly location?: { readonly lat: number; readonly lng: number } | undefined;
  readonly radiusMeters?: number | undefined;
}

export type RowOutcome = "created" | "updated" | "unchanged";

/** Whether writing the row creates the unit, changes it, or leaves it as it is. */
export function unitOutcome(row: UnitRow, stored: StoredUnit | undefined): RowOutcome {
  if (!stored) return "created";
  const same =
    stored.name === row.name &&
    stored.parentId === row.parentId &&
    stored.kind === row.kind &&
    stored.location?.lat === row.location?.lat &&
    stored.location?.lng === row.location?.lng &&
    stored.radiusMeters === row.radiusMeters;
  return same ? "unchanged" : "updated";
}

// ---- people ----------------------------------------------------------------------------------

/** Usernames as `POST /people` takes them. */
const USERNAME = /^[\p{L}\p{N}._@-]{2,64}$/u;

/** A person as one row of the file gives them. */
export interface PersonRow {
  readonly row: number;
  readonly name: string;
  /** E.164 (`+86…`), when given. */
  readonly phone?: string;
  readonly username: string;
  readonly roles: readonly Role[];
  /** 所属单位编码: the unit of a `unit` user, the home unit of an inspector. */
  readonly unitCode?: string;
}

const ROLE_LIST = ROLES.map((r) => ROLE_NAMES[r]).join("、");

/** Roles joined by 、 (or a comma, semicolon, slash or space). */
function parseRoles(text: string): { roles: Role[]; unknown: string[] } {
  const roles = new Set<Role>();
  const unknown: string[] = [];
  for (const part of text.split(/[、,，;；/\s]+/).filter((p) => p !== "")) {
    const role = roleFromName(part);
    if (role) roles.add(role);
    else unknown.push(part);
  }
  return { roles: ROLES.filter((r) => roles.has(r)), unknown };
}

/**
 * The people of the file, one per 用户名 (compared without regard to case, as accounts are), with
 * every cell's error and the unit each role needs.
 */
export function parsePeopleRows(table: readonly TableRow[]): { people: PersonRow[]; errors: ImportError[] } {
  const errors: ImportError[] = [];
  const people: PersonRow[] = [];
  const firstRow = new Map<string, number>();
  const c = PEOPLE_COLUMNS;
  for (const row of table) {
    const read = new RowReader(row, errors);
    const name = read.text(c.name, { max: 100 });
    const phoneText = read.text(c.phone, { max: 32 });
    const phone = phoneText === undefined ? undefined : normalizePhone(phoneText);
    if (phoneText !== undefined && phone === undefined)
      read.fail(c.phone.name, `手机号格式不正确（应为 11 位大陆手机号），填的是「${phoneText}」`);
    const username = read.text(c.username, {
      max: 64,
      pattern: USERNAME,
      patternMessage: "「用户名」为 2–64 个字母、数字或 . _ @ -",
    });
    const rolesText = read.text(c.roles, { max: 100 });
    const parsed = rolesText === undefined ? undefined : parseRoles(rolesText);
    for (const u of parsed?.unknown ?? [])
      read.fail(c.roles.name, `未知角色「${u}」，可填：${ROLE_LIST}（多个角色用“、”分隔）`);
    if (parsed && parsed.unknown.length === 0 && parsed.roles.length === 0)
      read.fail(c.roles.name, `请填写「角色」：${ROLE_LIST}`);
    const unitCode = read.text(c.unit, {
      max: 128,
      pattern: UNIT_ID,
      patternMessage: UNIT_ID_MESSAGE(c.unit.name),
    });
    const roles = parsed?.roles ?? [];
    if (roles.includes("unit") && unitCode === undefined && isEmpty(row.cells[c.unit.name] ?? null))
      read.fail(c.unit.name, "被检查单位人员须填写所属单位编码");
    if (roles.includes("inspector") && unitCode === undefined && isEmpty(row.cells[c.unit.name] ?? null))
      read.fail(c.unit.name, "督查员须填写所属单位编码（回避规则依此判断）");
    if (username === undefined) continue;
    const key = username.toLowerCase();
    const first = firstRow.get(key);
    if (first !== undefined) {
      read.fail(c.username.name, `用户名「${username}」与第 ${first} 行重复（用户名不区分大小写）`);
      continue;
    }
    firstRow.set(key, row.row);
    people.push({
      row: row.row,
      name: name ?? "",
      ...(phone ? { phone } : {}),
      username,
      roles,
      ...(unitCode !== undefined ? { unitCode } : {}),
    });
  }
  return { people, errors };
}

/** What the checks of people against the stored data need. */
export interface PeopleContext {
  /** Whether a unit with this id is stored (people are imported into units that exist). */
  readonly unitExists: (unitId: string) => boolean;
  /** The roles of the stored person holding this username (any case), if there is one. */
  readonly storedRoles: (username: string) => readonly string[] | undefined;
  /** An organizer's import: only people whose roles are `inspector` alone, new or stored. */
  readonly inspectorsOnly: boolean;
}

/** The rules that depend on what is stored: units exist; an organizer touches inspectors only. */
export function checkPeople(people: readonly PersonRow[], context: PeopleContext): ImportError[] {
  const errors: ImportError[] = [];
  const c = PEOPLE_COLUMNS;
  for (const p of people) {
    if (p.unitCode !== undefined && !context.unitExists(p.unitCode))
      errors.push({
        row: p.row,
        column: c.unit.name,
        message: `单位「${p.unitCode}」不存在，请先导入或添加这个单位`,
      });
    if (!context.inspectorsOnly) continue;
    if (p.roles.length > 0 && !organizerMayManage(p.roles))
      errors.push({
        row: p.row,
        column: c.roles.name,
        message: "督查组织人员只能导入仅有“督查员”角色的人员；其他人员由管理员导入",
      });
    const stored = context.storedRoles(p.username);
    if (stored && !organizerMayManage(stored))
      errors.push({
        row: p.row,
        column: c.username.name,
        message: `用户名「${p.username}」属于不只是督查员的人员，只有管理员可以修改`,
      });
  }
  return errors;
}

/** The person a row makes: a unit user's unit, an inspector's home unit, roles in a fixed order. */
export interface PersonTarget {
  readonly name: string;
  readonly phone?: string | undefined;
  readonly username: string;
  readonly roles: readonly Role[];
  readonly unitId?: string | undefined;
  readonly homeUnitId?: string | undefined;
}

export function personTarget(p: PersonRow): PersonTarget {
  return {
    name: p.name,
    ...(p.phone ? { phone: p.phone } : {}),
    username: p.username,
    roles: p.roles,
    ...(p.roles.includes("unit") && p.unitCode ? { unitId: p.unitCode } : {}),
    ...(p.roles.includes("inspector") && p.unitCode ? { homeUnitId: p.unitCode } : {}),
  };
}

/** What a row is compared with: the stored person's fields. */
export interface StoredPerson {
  readonly name: string;
  readonly phone?: string | undefined;
  readonly roles: readonly string[];
  readonly unitId?: string | undefined;
  readonly homeUnitId?: string | undefined;
}

/** Whether the row creates the person, changes them, or leaves them as they are (enabled or not). */
export function personOutcome(target: PersonTarget, stored: StoredPerson | undefined): RowOutcome {
  if (!stored) return "created";
  const sameRoles =
    stored.roles.length === target.roles.length && target.roles.every((r) => stored.roles.includes(r));
  const same =
    stored.name === target.name &&
    stored.phone === target.phone &&
    sameRoles &&
    stored.unitId === target.unitId &&
    stored.homeUnitId === target.homeUnitId;
  return same ? "unchanged" : "updated";
}

/**
 * The errors as listed: at most {@link MAX_LISTED_ERRORS}, in row order, then one entry that says
 * how many more there are.
 */
export function listedErrors(errors: readonly ImportError[]): ImportError[] {
  const sorted = [...errors].sort((a, b) => a.row - b.row);
  if (sorted.length <= MAX_LISTED_ERRORS) return sorted;
  return [
    ...sorted.slice(0, MAX_LISTED_ERRORS),
    {
      row: 0,
      column: "",
      message: `另有 ${sorted.length - MAX_LISTED_ERRORS} 处错误未列出，请先改正以上错误再导入`,
    },
  ];
}

// ---- templates and results -------------------------------------------------------------------

/** The downloadable template of each kind: the columns, one example row (管城区), and how to fill it. */
export const IMPORT_TEMPLATES: Readonly<
  Record<
    ImportKind,
    {
      readonly fileName: string;
      readonly sheetName: string;
      readonly columns: readonly ColumnSpec[];
      readonly example: readonly (string | number | null)[];
      readonly notes: readonly (readonly [string, string])[];
    }
  >
> = {
  units: {
    fileName: "单位导入模板.xlsx",
    sheetName: "单位",
    columns: Object.values(UNIT_COLUMNS),
    example: ["gc-zijingshan", "紫荆山南路街道", "街道", "gc", 34.7452, 113.6912, 800],
    notes: [
      ["单位编码", "必填。单位的唯一编码，字母、数字和 _ . : @ -，最多 128 个字符；已有的编码会被更新"],
      ["单位名称", "必填，最多 200 个字"],
      ["类型", "必填：区、街道、社区、村、网格、场所"],
      ["上级单位编码", "顶级单位留空；否则填本文件中或系统中已有单位的编码（上级可以写在下级之后）"],
      ["纬度", "选填，-90 到 90；与经度同时填写"],
      ["经度", "选填，-180 到 180；与纬度同时填写"],
      ["半径", "选填，到达现场判定半径（米），大于 0、不超过 100000"],
      ["说明", "第 1 行为表头，数据从第 2 行开始；单元格不能含公式；一次最多 5000 行"],
    ],
  },
  people: {
    fileName: "人员导入模板.xlsx",
    sheetName: "人员",
    columns: Object.values(PEOPLE_COLUMNS),
    example: ["张建国", "13800001234", "zhangjianguo", "督查员", "gc-zijingshan"],
    notes: [
      ["姓名", "必填，最多 100 个字"],
      ["手机号", "选填，11 位大陆手机号"],
      ["用户名", "必填，登录用，2–64 个字母、数字或 . _ @ -，不区分大小写；已有的用户名会被更新"],
      ["角色", `必填：${ROLE_LIST}；多个角色用“、”分隔`],
      ["所属单位编码", "被检查单位人员填其单位，督查员填其所在单位（回避规则依此判断）；单位须已在系统中"],
      ["说明", "新建的人员由系统生成临时密码，导入完成后由导入人下载一次，首次登录须修改"],
    ],
  },
};

/** The columns of the credentials workbook of the accounts an import created. */
export const CREDENTIALS_HEADERS = ["用户名", "姓名", "临时密码"] as const;
