/**
 * The kinds of notices (通知) the system sends, written once for the stored record, the API's
 * response schema and the console's labels.
 */
export const NOTICE_KINDS = [
  /** 督查任务派发: the team learns of its assignment at dispatch (never the unit). */
  "assignment_dispatched",
  /** 整改通知: the unit learns of its orders. */
  "rectification_issued",
  /** 待回头看: a report arrived for the team and the organizer to review. */
  "report_received",
  /** 临期提醒: one working day before the deadline, to the unit. */
  "deadline_near",
  /** 延期审批结果: the unit learns of the decision on its extension request. */
  "extension_decided",
  /** 逾期催办 (level 1). */
  "overdue_reminder",
  /** 问责 (level 2). */
  "escalation",
] as const;

export type NoticeKind = (typeof NOTICE_KINDS)[number];
