import type * as z from "zod/mini";
import { isOverseer } from "../../api/auth";
import { httpRoute, type RouteRequest } from "../../api/http";
import * as schemas from "../../api/schemas";
import { formatChinaDate } from "../../domain/china-time";
import { ForbiddenError } from "../../domain/errors";
import { XLSX_CONTENT_TYPE } from "../../domain/imports";
import { spotCheckStore } from "../../services/context";
import { dashboardData } from "../../services/dashboard";
import { dashboardSheets } from "../../services/dashboard-workbook";
import { deliverDocument } from "../../services/downloads";
import { excelWorkbook } from "../../shared/excel-writer";

type Query = z.infer<typeof schemas.dashboardQuery>;

/**
 * The rectification dashboard's lists as a workbook (exceljs): the same data as GET /dashboard, of all
 * orders or of one spot check (`?spotCheckId=`). Organizers, admins and officials; others 403.
 */
async function dashboardWorkbook({ caller, query, now }: RouteRequest<undefined, Query, undefined>) {
  if (!isOverseer(caller)) throw new ForbiddenError("整改督办看板仅供督查组织人员、管理员和领导查看。");
  const [data, spotCheck] = await Promise.all([
    dashboardData(now, query.spotCheckId),
    query.spotCheckId ? spotCheckStore.getSpotCheck(query.spotCheckId) : undefined,
  ]);
  const scope = spotCheck ? `督查任务：${spotCheck.title}` : "全部整改单";
  const title = `整改督办看板-${formatChinaDate(now.toISOString())}`;
  const bytes = await excelWorkbook(dashboardSheets(data, scope), { title, createdAt: now });
  return deliverDocument(bytes, XLSX_CONTENT_TYPE, `${title}.xlsx`);
}

export const handler = httpRoute({ query: schemas.dashboardQuery }, dashboardWorkbook);
