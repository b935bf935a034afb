import ExcelJS from "exceljs";

/**
 * The 管城区 grid of the source articles, as an office keeps it in its spreadsheets: 1 district,
 * 13 street offices, 135 communities and 577 grids (726 units), and 1,845 people — the 1,725 grid
 * workers (督查员, each at home in their grid) and 120 community and street heads (被检查单位).
 * The sheets use the import columns of the API contract (docs/api.md), with the parents listed after their
 * children for a third of the rows (offices' files are rarely in tree order).
 */
export const GUANCHENG = {
  streets: 13,
  communities: 135,
  grids: 577,
  gridWorkers: 1725,
  heads: 120,
} as const;

export interface GuanchengRows {
  readonly units: (string | number)[][];
  readonly people: string[][];
  readonly gridIds: string[];
  readonly districtId: string;
}

/** Spreads `total` as evenly as possible over `parts` (the first ones get one more). */
function spread(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

export function guanchengRows(prefix = "gc"): GuanchengRows {
  const districtId = prefix;
  const units: (string | number)[][] = [[districtId, "管城回族区", "区", "", 34.7469, 113.6885, 3000]];
  const gridIds: string[] = [];
  const communityIds: string[] = [];
  const communityNames: string[] = [];
  const streetIds: string[] = [];
  const perStreet = spread(GUANCHENG.communities, GUANCHENG.streets);
  perStreet.forEach((communities, s) => {
    const streetId = `${prefix}-s${String(s + 1).padStart(2, "0")}`;
    streetIds.push(streetId);
    units.push([streetId, `第${s + 1}街道办事处`, "街道", districtId, "", "", ""]);
    for (let k = 0; k < communities; k++) {
      const communityId = `${streetId}-c${String(k + 1).padStart(2, "0")}`;
      communityIds.push(communityId);
      communityNames.push(`第${s + 1}街道第${k + 1}社区`);
      units.push([communityId, `第${s + 1}街道第${k + 1}社区`, "社区", streetId, "", "", ""]);
    }
  });
  const perCommunity = spread(GUANCHENG.grids, GUANCHENG.communities);
  perCommunity.forEach((grids, i) => {
    const communityId = communityIds[i] ?? "";
    for (let g = 0; g < grids; g++) {
      const gridId = `${communityId}-g${g + 1}`;
      gridIds.push(gridId);
      units.push([
        gridId,
        `${communityNames[i] ?? ""}第${g + 1}网格`,
        "网格",
        communityId,
        Math.round((34.74 + i / 10_000) * 1e4) / 1e4,
        Math.round((113.68 + g / 10_000) * 1e4) / 1e4,
        150,
      ]);
    }
  });
  // Children before their parents for every third row: the import must not depend on the order.
  const reordered = [
    ...units.filter((_, i) => i % 3 === 0).reverse(),
    ...units.filter((_, i) => i % 3 !== 0),
  ];

  const people: string[][] = [];
  const workers = spread(GUANCHENG.gridWorkers, GUANCHENG.grids);
  let n = 0;
  workers.forEach((count, i) => {
    for (let w = 0; w < count; w++, n++)
      people.push([
        `网格员${n + 1}`,
        `139${String(n).padStart(8, "0")}`,
        `${prefix}.worker${n + 1}`,
        "督查员",
        gridIds[i] ?? "",
      ]);
  });
  const headUnits = [...streetIds, ...communityIds].slice(0, GUANCHENG.heads);
  for (const [i, unitId] of headUnits.entries())
    people.push([
      `负责人${i + 1}`,
      `137${String(i).padStart(8, "0")}`,
      `${prefix}.head${i + 1}`,
      "被检查单位",
      unitId,
    ]);
  return { units: reordered, people, gridIds, districtId };
}

export const UNIT_HEADERS = ["单位编码", "单位名称", "类型", "上级单位编码", "纬度", "经度", "半径"];
export const PEOPLE_HEADERS = ["姓名", "手机号", "用户名", "角色", "所属单位编码"];

/** One sheet, header in row 1, as an .xlsx file. */
export async function workbook(
  headers: readonly string[],
  rows: readonly (string | number)[][],
): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet("Sheet1");
  sheet.addRow([...headers]);
  for (const row of rows) sheet.addRow(row.map((v) => (v === "" ? null : v)));
  return Buffer.from(await book.xlsx.writeBuffer());
}
