import type { NotificationInput } from "../data/journal";
import type { AssignmentRecord, RectificationRecord, SpotCheckRecord } from "../data/records";
import { formatChinaTime } from "../domain/china-time";
import type { Role } from "../domain/roles";
import type { ExtensionDecision } from "../domain/statuses";

/** Recipients of notifications: a user, a unit (every user of it), or everyone in a role. */
export const recipient = {
  user: (sub: string) => `USER#${sub}`,
  unit: (unitId: string) => `UNIT#${unitId}`,
  role: (role: Role) => `ROLE#${role}`,
};

/** User-facing text is Simplified Chinese in the field's own words. */
export function rectificationIssuedNotice(
  a: AssignmentRecord,
  unitName: string,
  at: string,
): NotificationInput {
  const count = a.rectificationIds?.length ?? 0;
  return {
    recipient: recipient.unit(a.unitId),
    at,
    kind: "rectification_issued",
    level: 0,
    title: "整改通知",
    body: `督查组在${unitName}现场检查发现问题${count}项，已下达整改单，请在整改期限内完成整改并上报整改情况。`,
    assignmentId: a.assignmentId,
    unitId: a.unitId,
  };
}

export function escalationNotices(
  r: RectificationRecord,
  level: number,
  unitName: string,
  at: string,
): NotificationInput[] {
  const base = {
    at,
    level,
    rectificationId: r.rectificationId,
    unitId: r.unitId,
    deadline: r.deadline,
  };
  if (level === 1) {
    const body = `${unitName}的整改事项“${r.description}”已超过整改期限（${formatChinaTime(r.deadline)}）仍未整改到位，请立即整改并上报（催办）。`;
    return [
      { ...base, recipient: recipient.unit(r.unitId), kind: "overdue_reminder", title: "逾期催办", body },
      {
        ...base,
        recipient: recipient.user(r.organizerId),
        kind: "overdue_reminder",
        title: "逾期催办",
        body,
      },
    ];
  }
  const body = `${unitName}的整改事项“${r.description}”逾期未整改，超过宽限期仍未销号，已启动问责程序。`;
  return [
    { ...base, recipient: recipient.unit(r.unitId), kind: "escalation", title: "问责提醒", body },
    { ...base, recipient: recipient.user(r.organizerId), kind: "escalation", title: "问责提醒", body },
    { ...base, recipient: recipient.role("official"), kind: "escalation", title: "问责提醒", body },
  ];
}

/**
 * 督查任务派发: each inspector of the team learns of the assignment at dispatch. Never the unit (四不两直:
 * no notice); the text names the target only to the team.
 */
export function assignmentDispatchedNotices(
  spotCheck: SpotCheckRecord,
  a: AssignmentRecord,
  unitName: string,
  at: string,
): NotificationInput[] {
  const body = `您已被抽中参加“${spotCheck.title}”督查，检查对象：${unitName}，督查时段 ${formatChinaTime(a.window.start)} 至 ${formatChinaTime(a.window.end)}。请按“四不两直”要求直插现场，不得提前通知被检查单位。`;
  return a.inspectorIds.map((inspectorId) => ({
    recipient: recipient.user(inspectorId),
    at,
    kind: "assignment_dispatched",
    level: 0,
    title: "督查任务派发",
    body,
    assignmentId: a.assignmentId,
  }));
}

/** 待回头看: the team and the organizer learn that a unit has reported its rectification. */
export function reportReceivedNotices(
  r: RectificationRecord,
  unitName: string,
  at: string,
): NotificationInput[] {
  const body = `${unitName}已报告整改事项“${r.description}”的整改情况${r.report?.late ? "（逾期报告）" : ""}，请及时回头看、复核销号。`;
  const reviewers = [...new Set([...r.inspectorIds, r.organizerId])];
  return reviewers.map((sub) => ({
    recipient: recipient.user(sub),
    at,
    kind: "report_received",
    level: 0,
    title: "待回头看",
    body,
    rectificationId: r.rectificationId,
    unitId: r.unitId,
    deadline: r.deadline,
  }));
}

/** 临期提醒: one working day before the deadline, the unit is reminded. */
export function deadlineNearNotice(r: RectificationRecord, unitName: string, at: string): NotificationInput {
  return {
    recipient: recipient.unit(r.unitId),
    at,
    kind: "deadline_near",
    level: 0,
    title: "临期提醒",
    body: `${unitName}的整改事项“${r.description}”将于 ${formatChinaTime(r.deadline)} 到期，请抓紧整改并按时上报整改情况。`,
    rectificationId: r.rectificationId,
    unitId: r.unitId,
    deadline: r.deadline,
  };
}

/** The unit learns the decision on its extension request (延期申请). */
export function extensionDecidedNotice(
  r: RectificationRecord,
  decision: ExtensionDecision,
  comment: string,
  at: string,
): NotificationInput {
  const body =
    decision === "approve"
      ? `整改事项“${r.description}”的延期申请已批准，整改期限延至 ${formatChinaTime(r.deadline)}。${comment ? `意见：${comment}` : ""}`
      : `整改事项“${r.description}”的延期申请未获批准，整改期限仍为 ${formatChinaTime(r.deadline)}。${comment ? `意见：${comment}` : ""}`;
  return {
    recipient: recipient.unit(r.unitId),
    at,
    kind: "extension_decided",
    level: 0,
    title: decision === "approve" ? "延期申请已批准" : "延期申请未获批准",
    body,
    rectificationId: r.rectificationId,
    unitId: r.unitId,
    deadline: r.deadline,
  };
}
