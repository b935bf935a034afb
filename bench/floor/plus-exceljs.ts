import ExcelJS from "exceljs";

export { documentClient } from "./document-client";

/**
 * Library floor of the workbook export (oversight/dashboard-xlsx) and the import runner
 * (imports/run-import): the floor + `exceljs` (which zips with jszip), the library alone — a workbook
 * of one sheet written, and read back as the runner reads one. Nothing of it runs at import, as in
 * those functions.
 */
export async function render(): Promise<Uint8Array> {
  const book = new ExcelJS.Workbook();
  book.addWorksheet("督查").addRow(["单位", "得分"]);
  const bytes = await book.xlsx.writeBuffer();
  await new ExcelJS.Workbook().xlsx.load(bytes);
  return new Uint8Array(bytes);
}
