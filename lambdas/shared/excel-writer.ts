import ExcelJS from "exceljs";
import { safeCell } from "../domain/spreadsheet-cells";

/**
 * Workbooks the system exports (exceljs): one sheet per list, the header row bold and frozen with an
 * auto-filter, every text cell neutralised so that a spreadsheet never runs it as a formula (a leading
 * `'`, lambdas/domain/spreadsheet-cells.ts). Numbers stay numbers.
 */
export type ExcelValue = string | number | null;

export interface ExcelColumn {
  readonly header: string;
  /** Width in characters. */
  readonly width: number;
  /** An Excel number format for the column's numbers (e.g. `0.0%`). */
  readonly numFmt?: string;
}

export interface ExcelSheet {
  /** At most 31 characters, none of `[]:*?/\`. */
  readonly name: string;
  readonly columns: readonly ExcelColumn[];
  readonly rows: readonly (readonly ExcelValue[])[];
}

/** The workbook of these sheets, in order, as the bytes of an .xlsx file. */
export async function excelWorkbook(
  sheets: readonly ExcelSheet[],
  meta: { readonly title: string; readonly createdAt: Date },
): Promise<Uint8Array> {
  const book = new ExcelJS.Workbook();
  book.creator = "spot-inspections";
  book.title = meta.title;
  book.created = meta.createdAt;
  book.modified = meta.createdAt;
  for (const sheet of sheets) {
    const ws = book.addWorksheet(sheet.name, { views: [{ state: "frozen", ySplit: 1 }] });
    ws.columns = sheet.columns.map((c, i) => ({
      key: String(i),
      width: c.width,
      ...(c.numFmt ? { style: { numFmt: c.numFmt } } : {}),
    }));
    const header = ws.addRow(sheet.columns.map((c) => safeCell(c.header)));
    header.font = { bold: true };
    for (const row of sheet.rows) ws.addRow(row.map((v) => safeCell(v)));
    if (sheet.columns.length > 0) {
      ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: sheet.columns.length } };
    }
  }
  return new Uint8Array(await book.xlsx.writeBuffer());
}
