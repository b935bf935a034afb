import type * as z from "zod/mini";
import { file, httpRoute, type RouteRequest } from "../../api/http";
import * as schemas from "../../api/schemas";
import { IMPORT_TEMPLATES, XLSX_CONTENT_TYPE } from "../../domain/imports";
import { assertMayImport } from "../../services/imports";
import { xlsxWorkbook } from "../../shared/xlsx-writer";

type Params = z.infer<typeof schemas.importTemplateParams>;

/**
 * The import template of a kind (导入模板): an .xlsx with the Chinese column headers, one example
 * row from 管城区, and a second sheet saying how each column is filled. Code and phone columns are
 * formatted as text, so that Excel keeps `001` and phone numbers as typed.
 */
async function getTemplate({ caller, params }: RouteRequest<undefined, undefined, Params>) {
  assertMayImport(caller, params.kind);
  const template = IMPORT_TEMPLATES[params.kind];
  const textColumns = template.columns.flatMap((c, i) => (c.text ? [i] : []));
  const bytes = xlsxWorkbook([
    {
      name: template.sheetName,
      rows: [template.columns.map((c) => c.name), template.example],
      textColumns,
      widths: template.columns.map((c) => Math.max(12, c.name.length * 3 + 4)),
    },
    {
      name: "填写说明",
      rows: [["列", "怎样填写"], ...template.notes.map(([column, how]) => [column, how])],
      widths: [16, 90],
    },
  ]);
  return file(200, bytes, XLSX_CONTENT_TYPE, template.fileName);
}

export const handler = httpRoute({ params: schemas.importTemplateParams }, getTemplate);
