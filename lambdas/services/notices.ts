import type { NotificationInput } from "../data/journal";
import type { AssignmentRecord, RectificationRecord } from "../data/records";

/** Recipients of notifications: a user, a unit (every user of it), or everyone in a role. */
export const recipient = {
  user: (sub: string) => `USER#${sub}`,
  unit: (unitId: string) => `UNIT#${unitId}`,
  role: (role: string) => `ROLE#${role}`,
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
    const body = `${unitName}的整改事项“${r.description}”已超过整改期限（${r.deadline}）仍未整改到位，请立即整改并上报（催办）。`;
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
