import { formatChinaTime } from "../domain/china-time";
import { ESCALATION_NAMES, SEVERITY_NAMES } from "../domain/documents";
import { RECTIFICATION_STATUS_NAMES } from "../domain/rectification-order";
import type { ExcelSheet } from "../shared/excel-writer";
import type { Dashboard } from "./dashboard";

/**
 * The dashboard's lists (`dashboardData`) as the sheets of a workbook (GET /dashboard.xlsx): 概况,
 * 逾期整改, 临期整改 and 按单位, with Chinese headers, times in China Standard Time
 * (2026年12月3日 15:46), units by name, severities, statuses and escalations in the field's words.
 */
export function dashboardSheets(d: Dashboard, scope: string): ExcelSheet[] {
  const unitNames = new Map(d.byUnit.map((u) => [u.unitId, u.unitName]));
  const unitName = (id: string) => unitNames.get(id) ?? id;
  const percent = (rate: number | null) => (rate === null ? "—" : `${(rate * 100).toFixed(1)}%`);
  const r = d.rectifications;
  const order = { header: "整改单编号", width: 38 };
  return [
    {
      name: "概况",
      columns: [
        { header: "项目", width: 24 },
        { header: "数值", width: 30 },
      ],
      rows: [
        ["范围", scope],
        ["生成时间", formatChinaTime(d.generatedAt)],
        ["待整改", r.open],
        ["已报告待复核", r.submitted],
        ["已销号", r.closed],
        ["逾期未整改", r.overdue],
        ["曾逾期", r.everOverdue],
        ["已启动问责", r.escalated],
        ["按期整改率", percent(r.onTimeRate)],
        ["待审批延期申请", d.extensionRequests.pending],
      ],
    },
    {
      name: "逾期整改",
      columns: [
        { header: "单位", width: 24 },
        { header: "问题", width: 48 },
        { header: "严重程度", width: 10 },
        { header: "整改期限", width: 22 },
        { header: "逾期天数", width: 10 },
        { header: "状态", width: 14 },
        { header: "督办", width: 8 },
        order,
      ],
      rows: d.overdue.map((o) => [
        unitName(o.unitId),
        o.description,
        SEVERITY_NAMES[o.severity],
        formatChinaTime(o.deadline),
        o.daysOverdue,
        RECTIFICATION_STATUS_NAMES[o.status],
        ESCALATION_NAMES[o.escalationLevel] ?? "",
        o.rectificationId,
      ]),
    },
    {
      name: "临期整改",
      columns: [
        { header: "单位", width: 24 },
        { header: "问题", width: 48 },
        { header: "严重程度", width: 10 },
        { header: "整改期限", width: 22 },
        { header: "状态", width: 14 },
        order,
      ],
      rows: d.dueSoon.map((o) => [
        unitName(o.unitId),
        o.description,
        SEVERITY_NAMES[o.severity],
        formatChinaTime(o.deadline),
        RECTIFICATION_STATUS_NAMES[o.status],
        o.rectificationId,
      ]),
    },
    {
      name: "按单位",
      columns: [
        { header: "单位", width: 24 },
        { header: "待整改", width: 10 },
        { header: "已报告待复核", width: 14 },
        { header: "逾期未整改", width: 12 },
        { header: "曾逾期", width: 10 },
        { header: "已启动问责", width: 12 },
        { header: "已销号", width: 10 },
        { header: "逾期后销号", width: 12 },
        { header: "按期整改率", width: 12, numFmt: "0.0%" },
      ],
      rows: d.byUnit.map((u) => [
        u.unitName,
        u.open,
        u.submitted,
        u.overdue,
        u.everOverdue,
        u.escalated,
        u.closed,
        u.closedLate,
        u.onTimeRate,
      ]),
    },
  ];
}
