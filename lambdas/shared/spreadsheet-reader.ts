import ExcelJS from "exceljs";
import type { Cell, ImportFormat, SheetRow } from "../domain/imports";

/**
 * Reads the first worksheet of an .xlsx workbook (exceljs) or a .csv file (its own small parser:
 * exceljs's CSV reader turns codes such as `001` into numbers and dates) into rows of cells,
 * numbered as in the file. Formulas are kept as formulas, never evaluated. A file that is not what
 * it claims to be is refused with a message for the person who uploaded it (Chinese).
 */
export type ReadResult =
  | { readonly ok: true; readonly rows: SheetRow[] }
  | { readonly ok: false; readonly message: string };

/**
 * An .xlsx unpacks to at most this much. exceljs holds the whole workbook in memory, about ten
 * times its XML: 16 MiB is some 45,000 rows of the import's columns (nine times the row limit) and
 * about 170 MB of heap, within the import runner's 1024 MB.
 */
export const MAX_UNPACKED_BYTES = 16 * 1024 * 1024;
const MAX_ZIP_ENTRIES = 2000;

export const NOT_XLSX = "文件不是有效的 .xlsx 工作簿";

export async function readSpreadsheet(bytes: Uint8Array, format: ImportFormat): Promise<ReadResult> {
  return format === "xlsx" ? readXlsx(Buffer.from(bytes)) : readCsv(Buffer.from(bytes));
}

const startsWith = (bytes: Buffer, magic: readonly number[]) => magic.every((b, i) => bytes[i] === b);

/**
 * The total unpacked size of a zip's entries from its central directory, or undefined when the
 * archive is not one (no end record, entries out of bounds). Checked before exceljs unpacks it, so
 * that a small file cannot unpack to gigabytes (a zip bomb).
 */
export function unpackedSize(zip: Buffer): { bytes: number; entries: number } | undefined {
  const minEnd = Math.max(0, zip.length - 22 - 0xffff);
  for (let at = zip.length - 22; at >= minEnd; at--) {
    if (zip.readUInt32LE(at) !== 0x06054b50) continue;
    const entries = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 12);
    const offset = zip.readUInt32LE(at + 16);
    if (offset + size > at) return undefined;
    let bytes = 0;
    let p = offset;
    for (let i = 0; i < entries; i++) {
      if (p + 46 > offset + size || zip.readUInt32LE(p) !== 0x02014b50) return undefined;
      bytes += zip.readUInt32LE(p + 24);
      p += 46 + zip.readUInt16LE(p + 28) + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
    }
    return { bytes, entries };
  }
  return undefined;
}

async function readXlsx(bytes: Buffer): Promise<ReadResult> {
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0]))
    return { ok: false, message: "文件是旧版 .xls 格式，请在 Excel 中另存为 .xlsx 后再导入" };
  if (!startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return { ok: false, message: NOT_XLSX };
  const unpacked = unpackedSize(bytes);
  if (!unpacked) return { ok: false, message: NOT_XLSX };
  if (unpacked.bytes > MAX_UNPACKED_BYTES || unpacked.entries > MAX_ZIP_ENTRIES)
    return {
      ok: false,
      message: "工作簿解压后超过 16 MiB（一次最多导入 5000 行），请删去多余的工作表、图片或格式后再导入",
    };

  const book = new ExcelJS.Workbook();
  try {
    // exceljs's own declaration names an older Buffer type.
    await book.xlsx.load(bytes as unknown as ExcelJS.Buffer);
  } catch {
    return { ok: false, message: NOT_XLSX };
  }
  const sheet = book.worksheets[0];
  if (!sheet) return { ok: false, message: "工作簿中没有工作表" };
  const rows: SheetRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: Cell[] = [];
    for (let c = 1; c <= row.cellCount; c++) cells.push(cellValue(row.getCell(c)));
    rows.push({ row: rowNumber, cells });
  });
  return { ok: true, rows };
}

function cellValue(cell: ExcelJS.Cell): Cell {
  if (cell.type === ExcelJS.ValueType.Formula) return { formula: cell.formula ?? "" };
  return plainValue(cell.value);
}

function plainValue(value: ExcelJS.CellValue): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  if (value instanceof Date) return value;
  if (typeof value === "object") {
    if ("formula" in value || "sharedFormula" in value) {
      const v = value as { formula?: string; sharedFormula?: string };
      return { formula: v.formula ?? v.sharedFormula ?? "" };
    }
    if ("richText" in value) return value.richText.map((t) => t.text).join("");
    if ("hyperlink" in value) {
      const text: unknown = value.text;
      if (typeof text === "string") return text;
      if (typeof text === "object" && text !== null && "richText" in text)
        return (text as ExcelJS.CellRichTextValue).richText.map((t) => t.text).join("");
      return null;
    }
    if ("error" in value) return { error: String(value.error) };
  }
  return null;
}

/**
 * Text of a .csv file: UTF-8 (with or without BOM), UTF-16 with its BOM, or GB18030 (what Excel
 * on a Chinese Windows saves as "CSV"); undefined when it is none of these or holds binary bytes.
 */
export function decodeText(bytes: Buffer): string | undefined {
  const decode = (encoding: string, from = 0) => {
    try {
      return new TextDecoder(encoding, { fatal: true }).decode(bytes.subarray(from));
    } catch {
      return undefined;
    }
  };
  let text: string | undefined;
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) text = decode("utf-8", 3);
  else if (startsWith(bytes, [0xff, 0xfe])) text = decode("utf-16le", 2);
  else if (startsWith(bytes, [0xfe, 0xff])) text = decode("utf-16be", 2);
  else text = decode("utf-8") ?? decode("gb18030");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL and other C0 controls mark a binary file
  if (text === undefined || /[\u0000-\u0008\u000e-\u001a]/.test(text)) return undefined;
  return text;
}

/** The field separator of a CSV: the one of `,` `;` tab that occurs most in its first line (`,` by default). */
function separatorOf(text: string): string {
  const firstLine = text.slice(0, text.search(/\r|\n|$/));
  let best = ",";
  let most = 0;
  for (const s of [",", ";", "\t"]) {
    const n = firstLine.split(s).length - 1;
    if (n > most) {
      best = s;
      most = n;
    }
  }
  return best;
}

/**
 * RFC 4180 records: fields separated by the separator, quoted fields with `""` for a quote and line
 * breaks inside, records ended by CRLF, LF or CR. Row numbers are record numbers (what a spreadsheet
 * shows when it opens the file); a value that starts with `=` is a formula there, and so here.
 */
export function parseCsv(text: string): ReadResult {
  const sep = separatorOf(text);
  const rows: SheetRow[] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  let wasQuoted = false;
  let rowNumber = 1;
  let i = 0;
  const endField = () => {
    record.push(field);
    field = "";
    wasQuoted = false;
  };
  const endRecord = () => {
    endField();
    if (record.some((f) => f.trim() !== "")) rows.push({ row: rowNumber, cells: record.map(csvCell) });
    record = [];
    rowNumber++;
  };
  while (i < text.length) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field.trim() === "" && !wasQuoted) {
      quoted = true;
      wasQuoted = true;
      field = "";
      i++;
    } else if (ch === sep) {
      endField();
      i++;
    } else if (ch === "\r" || ch === "\n") {
      endRecord();
      i += ch === "\r" && text[i + 1] === "\n" ? 2 : 1;
    } else {
      field += ch;
      i++;
    }
  }
  if (quoted) return { ok: false, message: `第 ${rowNumber} 行的引号没有闭合，文件不是有效的 .csv` };
  if (field !== "" || record.length > 0) endRecord();
  return { ok: true, rows };
}

function csvCell(field: string): Cell {
  if (field.trim() === "") return null;
  if (field.trimStart().startsWith("=")) return { formula: field.trim().slice(1) };
  return field;
}

async function readCsv(bytes: Buffer): Promise<ReadResult> {
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]))
    return { ok: false, message: "文件是 .xlsx 工作簿而不是 .csv，请按 .xlsx 导入" };
  const text = decodeText(bytes);
  if (text === undefined)
    return { ok: false, message: "文件不是有效的 .csv 文本（请存为 UTF-8 或 GB18030 编码的 CSV）" };
  return parseCsv(text);
}
