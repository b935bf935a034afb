import ExcelJS from "exceljs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { temporaryPassword } from "../../lambdas/domain/people";
import { looksLikeFormula, neutralizeFormula, safeCell } from "../../lambdas/domain/spreadsheet-cells";
import { xlsxWorkbook } from "../../lambdas/shared/xlsx-writer";

describe("formula neutralisation (CSV injection)", () => {
  it.each(['=HYPERLINK("http://example.com","点我")', "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1"])(
    "writes %j with a leading '",
    (text) => {
      expect(looksLikeFormula(text)).toBe(true);
      expect(neutralizeFormula(text)).toBe(`'${text}`);
    },
  );

  it("leaves other text, numbers and empty cells as they are", () => {
    expect(neutralizeFormula("郑州市管城区")).toBe("郑州市管城区");
    expect(neutralizeFormula("")).toBe("");
    expect(neutralizeFormula(" =1")).toBe(" =1");
    expect(safeCell(-5)).toBe(-5);
    expect(safeCell(null)).toBeNull();
    expect(safeCell("=1")).toBe("'=1");
  });

  it("never leaves text that starts like a formula", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(looksLikeFormula(neutralizeFormula(text))).toBe(false);
        expect(neutralizeFormula(text).endsWith(text)).toBe(true);
      }),
    );
  });

  it("the workbook writer keeps such text as text, with the leading '", async () => {
    const bytes = xlsxWorkbook([
      {
        name: "单位",
        rows: [
          ["单位名称", "数"],
          ['=HYPERLINK("http://example.com","x")', -3],
        ],
      },
    ]);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(bytes as unknown as ArrayBuffer);
    const cell = book.worksheets[0]?.getCell("A2");
    expect(cell?.type).toBe(ExcelJS.ValueType.String);
    expect(cell?.value).toBe('\'=HYPERLINK("http://example.com","x")');
    expect(book.worksheets[0]?.getCell("B2").value).toBe(-3);
  });

  it("a temporary password never starts like a formula, so the credentials workbook shows it as it is", () => {
    for (let i = 0; i < 2000; i++) expect(looksLikeFormula(temporaryPassword())).toBe(false);
  });
});
