import { crc32, deflateRawSync } from "node:zlib";
import { neutralizeFormula } from "../domain/spreadsheet-cells";

/**
 * A small writer of .xlsx workbooks (Office Open XML: a zip of XML parts) for the files this
 * system hands out — the import templates and the credentials workbook. Strings are written inline,
 * the header row bold and frozen, code and phone columns formatted as text so that what people type
 * there stays text. Written by hand rather than with exceljs so that the template route's bundle
 * stays small (exceljs is only loaded by the import runner, which reads files). Text that a spreadsheet
 * would run as a formula is written with a leading `'` (lambdas/domain/spreadsheet-cells.ts).
 */
export type XlsxValue = string | number | null;

export interface XlsxSheet {
  /** At most 31 characters, none of `[]:*?/\`. */
  readonly name: string;
  /** Row 1 is the header (bold, frozen). */
  readonly rows: readonly (readonly XlsxValue[])[];
  /** Zero-based columns formatted as text (`@`). */
  readonly textColumns?: readonly number[];
  /** Column widths in characters. */
  readonly widths?: readonly number[];
}

const MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships";
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

/** Style indexes of `styles.xml`'s cellXfs. */
const STYLE = { normal: 0, header: 1, text: 2 } as const;

function escapeXml(text: string): string {
  return (
    text
      // Characters XML 1.0 cannot carry at all.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "")
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
  );
}

/** `0` → `A`, `26` → `AA`. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let letters = "";
  while (n > 0) {
    const rem = (n - 1) % 26;
    letters = String.fromCharCode(65 + rem) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

function sheetXml(sheet: XlsxSheet): string {
  const text = new Set(sheet.textColumns ?? []);
  const width = Math.max(0, ...sheet.rows.map((r) => r.length));
  const cols = Array.from({ length: width }, (_, i) => {
    const w = sheet.widths?.[i] ?? 16;
    const style = text.has(i) ? ` style="${STYLE.text}"` : "";
    return `<col min="${i + 1}" max="${i + 1}" width="${w}" customWidth="1"${style}/>`;
  }).join("");
  const rows = sheet.rows
    .map((row, r) => {
      const cells = row
        .map((value, c) => {
          if (value === null || value === "") return "";
          const ref = `${columnLetter(c)}${r + 1}`;
          const style = r === 0 ? STYLE.header : text.has(c) ? STYLE.text : STYLE.normal;
          const s = style === STYLE.normal ? "" : ` s="${style}"`;
          if (typeof value === "number" && Number.isFinite(value))
            return `<c r="${ref}"${s}><v>${value}</v></c>`;
          const shown = escapeXml(neutralizeFormula(String(value)));
          return `<c r="${ref}"${s} t="inlineStr"><is><t xml:space="preserve">${shown}</t></is></c>`;
        })
        .join("");
      return `<row r="${r + 1}">${cells}</row>`;
    })
    .join("");
  return (
    `${XML_HEAD}<worksheet xmlns="${MAIN_NS}" xmlns:r="${REL_NS}">` +
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>' +
    '<sheetFormatPr defaultRowHeight="15"/>' +
    (cols ? `<cols>${cols}</cols>` : "") +
    `<sheetData>${rows}</sheetData></worksheet>`
  );
}

const STYLES_XML =
  `${XML_HEAD}<styleSheet xmlns="${MAIN_NS}">` +
  '<fonts count="2"><font><sz val="11"/><name val="等线"/></font><font><b/><sz val="11"/><name val="等线"/></font></fonts>' +
  '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
  '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
  '<xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyNumberFormat="1"/>' +
  '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>' +
  '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
  "</styleSheet>";

/** The workbook's parts, by path inside the zip. */
function parts(sheets: readonly XlsxSheet[]): [string, string][] {
  const sheetEntries = sheets.map((sheet, i) => {
    if (sheet.name.length === 0 || sheet.name.length > 31 || /[[\]:*?/\\]/.test(sheet.name))
      throw new Error(`Invalid sheet name ${JSON.stringify(sheet.name)}`);
    return { sheet, id: i + 1 };
  });
  return [
    [
      "[Content_Types].xml",
      `${XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
        sheetEntries
          .map(
            ({ id }) =>
              `<Override PartName="/xl/worksheets/sheet${id}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`,
          )
          .join("") +
        "</Types>",
    ],
    [
      "_rels/.rels",
      `${XML_HEAD}<Relationships xmlns="${PKG_REL_NS}"><Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    ],
    [
      "xl/workbook.xml",
      `${XML_HEAD}<workbook xmlns="${MAIN_NS}" xmlns:r="${REL_NS}"><sheets>` +
        sheetEntries
          .map(({ sheet, id }) => `<sheet name="${escapeXml(sheet.name)}" sheetId="${id}" r:id="rId${id}"/>`)
          .join("") +
        "</sheets></workbook>",
    ],
    [
      "xl/_rels/workbook.xml.rels",
      `${XML_HEAD}<Relationships xmlns="${PKG_REL_NS}">` +
        sheetEntries
          .map(
            ({ id }) =>
              `<Relationship Id="rId${id}" Type="${REL_NS}/worksheet" Target="worksheets/sheet${id}.xml"/>`,
          )
          .join("") +
        `<Relationship Id="rId${sheets.length + 1}" Type="${REL_NS}/styles" Target="styles.xml"/>` +
        "</Relationships>",
    ],
    ["xl/styles.xml", STYLES_XML],
    ...sheetEntries.map(({ sheet, id }): [string, string] => [
      `xl/worksheets/sheet${id}.xml`,
      sheetXml(sheet),
    ]),
  ];
}

/** 2024-01-01 00:00 in MS-DOS form: a fixed time, so the same content gives the same bytes. */
const DOS_TIME = 0;
const DOS_DATE = ((2024 - 1980) << 9) | (1 << 5) | 1;

/** A zip archive of the files (deflated), as Office reads it. */
function zip(files: readonly [string, string][]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of files) {
    const nameBytes = Buffer.from(name, "utf8");
    const data = Buffer.from(content, "utf8");
    const compressed = deflateRawSync(data);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, nameBytes, compressed);

    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x0800, 8);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt16LE(DOS_TIME, 12);
    entry.writeUInt16LE(DOS_DATE, 14);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(compressed.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(nameBytes.length, 28);
    // extra length, comment length, disk number, internal and external attributes: 0
    entry.writeUInt32LE(offset, 42);
    central.push(entry, nameBytes);
    offset += local.length + nameBytes.length + compressed.length;
  }
  const centralBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(centralBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralBytes, end]);
}

/** An .xlsx workbook of these sheets, in order. */
export function xlsxWorkbook(sheets: readonly XlsxSheet[]): Buffer {
  if (sheets.length === 0) throw new Error("A workbook needs at least one sheet");
  return zip(parts(sheets));
}
