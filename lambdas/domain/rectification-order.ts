/**
 * The life of a rectification order (整改单), written once: its deadline and traffic light, the
 * unit's report, the review (回头看, 销号 — by two reviewers for a critical problem), extensions
 * (延期), the reminder before the deadline (临期提醒), the escalations after it (催办、问责) and the
 * record of lateness that nothing clears. Pure functions of the order and `now`: the handlers load
 * an order, ask this module for the next one and save it; the workflow asks it what to wait for.
 */
import { ORDER_PHASE } from "../workflow/contract";
import { oneWorkingDayBefore, workdayDeadline } from "./calendar";
import { addDays, withinHorizon } from "./deadlines";
import { ConflictError, NotFoundError, RuleViolationError } from "./errors";
import type {
  EvidencePurpose,
  ExtensionDecision,
  ExtensionRequestStatus,
  Light,
  OrderHistoryAction,
  RectificationStatus,
  ReviewDecision,
  Severity,
} from "./statuses";

export type { Light, RectificationStatus, Severity };

/** The statuses of a rectification order as people read them. */
export const RECTIFICATION_STATUS_NAMES: Readonly<Record<RectificationStatus, string>> = {
  open: "待整改",
  submitted: "已报告待复核",
  closed: "已销号",
};

/** With this many days or fewer left, an open order shows yellow and is "due soon". */
export const DUE_SOON_DAYS = 3;
/** Approved extensions per order unless the spot check says otherwise. */
export const DEFAULT_MAX_EXTENSIONS = 1;
/** Requests (approved, refused or pending) one order may collect: the order's record stays bounded. */
export const MAX_EXTENSION_REQUESTS = 10;

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

function parseTime(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`Not a valid time: ${JSON.stringify(iso)}`);
  return ms;
}

/**
 * The deadline boundary, defined once: a deadline has passed from its exact instant on (an order
 * due at 16:00:00.000 is late at 16:00:00.000). Overdue, a late report, a late close and the
 * escalation timer all ask this.
 */
export function deadlinePassed(deadline: string, now: Date): boolean {
  return now.getTime() >= parseTime(deadline);
}

/**
 * Whether the deadline has passed while the order is not closed. A report submitted late still
 * counts as late, so `submitted` can be overdue.
 */
export function isOverdue(deadline: string, status: RectificationStatus, now: Date): boolean {
  return status !== "closed" && deadlinePassed(deadline, now);
}

/** Not overdue, not closed, and at most `DUE_SOON_DAYS` left. */
export function isDueSoon(deadline: string, status: RectificationStatus, now: Date): boolean {
  if (status === "closed" || deadlinePassed(deadline, now)) return false;
  return parseTime(deadline) - now.getTime() <= DUE_SOON_DAYS * DAY_MS;
}

/** closed → green; overdue → red; 3 days or less left → yellow; else green. */
export function trafficLight(deadline: string, status: RectificationStatus, now: Date): Light {
  if (isOverdue(deadline, status, now)) return "red";
  return isDueSoon(deadline, status, now) ? "yellow" : "green";
}

/** Whole days since the deadline (0 on its first day). */
export function daysOverdue(deadline: string, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - parseTime(deadline)) / DAY_MS));
}

/**
 * A deadline someone sets now (a problem's, a rejected report's, an approved extension's) must lie in
 * the future and within a year (`withinHorizon`); with `after`, also after that instant (an extension
 * moves a deadline later).
 */
export function checkNewDeadline(
  deadline: string,
  now: Date,
  path: string,
  after?: { readonly at: string; readonly message: string },
): string {
  const ms = parseTime(deadline);
  if (after && ms <= parseTime(after.at)) {
    throw new RuleViolationError(after.message, [{ path, message: after.message }]);
  }
  if (!withinHorizon(deadline, now)) {
    throw new RuleViolationError("整改期限须在今后一年之内。", [{ path, message: "须在今后一年之内" }]);
  }
  return new Date(ms).toISOString();
}

/** One step of an order's history, as people see it in its timeline. */
export interface HistoryEntry {
  readonly at: string;
  readonly actor: string;
  readonly action: OrderHistoryAction;
  readonly comment?: string | undefined;
  readonly deadline?: string | undefined;
  readonly previousDeadline?: string | undefined;
  readonly requestId?: string | undefined;
  readonly level?: number | undefined;
  readonly accepts?: number | undefined;
  readonly evidenceIds?: readonly string[] | undefined;
  readonly purpose?: EvidencePurpose | undefined;
}

export interface ExtensionRequest {
  readonly requestId: string;
  readonly status: ExtensionRequestStatus;
  readonly reason: string;
  readonly requestedDeadline: string;
  readonly requestedAt: string;
  readonly requestedBy: string;
  readonly decidedBy?: string | undefined;
  readonly decidedAt?: string | undefined;
  readonly comment?: string | undefined;
  /** The deadline an approval set (the requested one unless the approver chose another). */
  readonly deadline?: string | undefined;
}

/** The facts of an order this module reads and writes; the stored record carries more. */
export interface Order {
  readonly status: RectificationStatus;
  readonly severity: Severity;
  readonly deadline: string;
  readonly escalationLevel: number;
  readonly escalateAfterHours: number;
  readonly history: readonly HistoryEntry[];
  readonly originalDeadline?: string | undefined;
  readonly maxExtensions?: number | undefined;
  readonly extensionRequests?: readonly ExtensionRequest[] | undefined;
  /** Kept history: the order was overdue at some time. Never cleared. */
  readonly everOverdue?: boolean | undefined;
  /** Kept history: the highest escalation it reached. Never lowered. */
  readonly maxEscalationLevel?: number | undefined;
  /** Set at 销号: the order closed after having been overdue at any time. */
  readonly closedLate?: boolean | undefined;
  readonly lateReported?: boolean | undefined;
  /** Reviewers who accepted the current report (销号 of a critical order takes two). */
  readonly accepts?: readonly { readonly by: string; readonly at: string }[] | undefined;
  /** The 临期提醒 for the current deadline: when it is due, and when it went out. */
  readonly reminder?: { readonly at: string; readonly sentAt?: string | undefined } | undefined;
  readonly calendarApproximate?: boolean | undefined;
  readonly closedAt?: string | undefined;
}

/** Accepts needed to close (销号): two different reviewers for a critical problem (四眼), else one. */
export function acceptsRequired(order: Pick<Order, "severity">): 1 | 2 {
  return order.severity === "critical" ? 2 : 1;
}

/** Approved extensions so far. */
export function extensionsUsed(order: Pick<Order, "extensionRequests">): number {
  return (order.extensionRequests ?? []).filter((r) => r.status === "approved").length;
}

/**
 * The reminder before `deadline`, set `from` an instant (the order's issue, a new deadline): one
 * working day before it, or none when that moment is already past (the deadline is nearer than a
 * working day).
 */
export function reminderFor(
  deadline: string,
  from: Date,
): { reminder?: { at: string }; approximate: boolean } {
  const { at, approximate } = oneWorkingDayBefore(new Date(parseTime(deadline)));
  return at.getTime() > from.getTime()
    ? { reminder: { at: at.toISOString() }, approximate }
    : { approximate };
}

/** How a problem found on site gives its deadline (整改时限); unset terms fall back to the spot check's. */
export interface DeadlineTerms {
  readonly deadline?: string | undefined;
  readonly rectifyWithinWorkdays?: number | undefined;
  readonly rectifyWithinDays?: number | undefined;
}

/**
 * The deadline of a new order. Precedence: the problem's own date, its working days, its days, then
 * the spot check's working days, its days. Days count from `now`; working days from `countFrom` (the
 * day the findings were taken on the device) to 24:00 CST of the n-th working day, `approximate` when
 * the holiday data does not cover a day counted. A date must lie ahead within a year (422 at `path`).
 */
export function newOrderDeadline(
  issue: DeadlineTerms,
  plan: { readonly rectifyWithinDays: number; readonly rectifyWithinWorkdays?: number | undefined },
  now: Date,
  countFrom: Date,
  path: string,
): { readonly deadline: string; readonly approximate: boolean } {
  if (issue.deadline !== undefined) {
    return { deadline: checkNewDeadline(issue.deadline, now, path), approximate: false };
  }
  const workdays =
    issue.rectifyWithinWorkdays ??
    (issue.rectifyWithinDays === undefined ? plan.rectifyWithinWorkdays : undefined);
  if (workdays !== undefined) return workdayDeadline(countFrom, workdays);
  return {
    deadline: addDays(now, issue.rectifyWithinDays ?? plan.rectifyWithinDays).toISOString(),
    approximate: false,
  };
}

/**
 * 整改通知: a problem found on site becomes an open order with its deadline, no escalation, the
 * reminder (临期提醒) one working day before the deadline unless it is nearer than that already, and
 * the first entry of its history. The caller adds what the order is about (ids, unit, description).
 */
export function issueOrder(
  terms: {
    readonly severity: Severity;
    readonly deadline: string;
    /** The deadline was counted over days the holiday data does not cover. */
    readonly approximate: boolean;
    readonly escalateAfterHours: number;
    readonly maxExtensions?: number | undefined;
  },
  by: string,
  now: Date,
) {
  const at = now.toISOString();
  const { reminder, approximate } = reminderFor(terms.deadline, now);
  return {
    status: "open" as const,
    severity: terms.severity,
    deadline: terms.deadline,
    escalationLevel: 0,
    escalateAfterHours: terms.escalateAfterHours,
    maxExtensions: terms.maxExtensions ?? DEFAULT_MAX_EXTENSIONS,
    ...(reminder ? { reminder } : {}),
    ...(terms.approximate || (reminder && approximate) ? { calendarApproximate: true } : {}),
    history: [{ at, actor: by, action: "issued" as const, deadline: terms.deadline }],
    createdAt: at,
  } satisfies Order & { readonly createdAt: string };
}

/** Whether the order has been overdue at some time up to `now`: the kept record, or now. */
export function everOverdue(order: Order, now: Date): boolean {
  return (
    (order.everOverdue ?? false) ||
    (order.lateReported ?? false) ||
    (order.closedLate ?? false) ||
    isOverdue(order.deadline, order.status, now)
  );
}

/** The part of the record of lateness that time does not change: the highest escalation, a late close. */
function keptRecord(order: Order) {
  return {
    maxEscalationLevel: Math.max(order.maxEscalationLevel ?? 0, order.escalationLevel),
    closedLate: order.status === "closed" ? (order.closedLate ?? order.lateReported ?? false) : false,
  };
}

/** The record of lateness of an order as read now: what the view, dashboard and bulletin count. */
export function lateness(order: Order, now: Date) {
  return { everOverdue: everOverdue(order, now), ...keptRecord(order) };
}

/** Escalation levels: 1 the overdue reminder (催办), 2 accountability (问责). */
export const REMINDED_LEVEL = 1;
export const ESCALATED_LEVEL = 2;

/** The counters a closed order adds to (销号 statistics, kept per unit and overall). */
export type ClosedCounter = "closed" | "closedOnTime" | "closedLate" | "closedReminded" | "closedEscalated";

/**
 * What a closed order counts as, from its kept record: closed, late or on time, and whether it was
 * reminded (催办) or escalated (问责) on the way. The stored counters and the per-spot-check dashboard
 * both count with this.
 */
export function closedCountsOf(order: Order): ClosedCounter[] {
  const kept = keptRecord(order);
  return [
    "closed",
    kept.closedLate ? "closedLate" : "closedOnTime",
    ...(kept.maxEscalationLevel >= REMINDED_LEVEL ? (["closedReminded"] as const) : []),
    ...(kept.maxEscalationLevel >= ESCALATED_LEVEL ? (["closedEscalated"] as const) : []),
  ];
}

/** What a transition did: the next order and the audit event's action and detail. */
export interface Transition<T> {
  readonly order: T;
  readonly action: string;
  readonly detail: Record<string, unknown>;
}

/** The unit reports what it did (整改情况); a report after the deadline stays late. */
export function reportOrder<T extends Order>(
  order: T,
  by: string,
  now: Date,
  extraHistory: Partial<HistoryEntry> = {},
): Transition<T> & { late: boolean } {
  if (order.status !== "open") {
    throw new ConflictError(
      `该整改单当前为“${RECTIFICATION_STATUS_NAMES[order.status]}”，只有待整改的整改单可以报告。`,
    );
  }
  const at = now.toISOString();
  const late = deadlinePassed(order.deadline, now);
  return {
    late,
    action: "reported",
    detail: { late },
    order: {
      ...order,
      status: "submitted",
      accepts: [],
      lateReported: (order.lateReported ?? false) || late,
      everOverdue: everOverdue(order, now) || late,
      history: [
        ...order.history,
        { at, actor: by, action: late ? "reported_late" : "reported", ...extraHistory },
      ],
    },
  };
}

/**
 * 回头看: accept → closed (销号), but a critical order needs two accepts by different reviewers and
 * the first leaves it submitted; reject → open again with a new deadline, the escalation clock reset
 * and the record of lateness kept.
 */
export function reviewOrder<T extends Order>(
  order: T,
  by: string,
  decision: {
    readonly decision: ReviewDecision;
    readonly comment: string;
    readonly deadline?: string | undefined;
  },
  now: Date,
  extraHistory: Partial<HistoryEntry> = {},
): Transition<T> {
  if (order.status !== "submitted") {
    throw new ConflictError(
      `该整改单当前为“${RECTIFICATION_STATUS_NAMES[order.status]}”，只有已报告的整改单可以回头看。`,
    );
  }
  const at = now.toISOString();
  const late = everOverdue(order, now);
  if (decision.decision === "accept") {
    const accepts = order.accepts ?? [];
    if (accepts.some((a) => a.by === by)) {
      throw new ConflictError("您已同意销号；重大问题须由另一名复核人再次复核后方可销号。");
    }
    const next = [...accepts, { by, at }];
    const closes = next.length >= acceptsRequired(order);
    const entry = {
      at,
      actor: by,
      action: "accepted",
      comment: decision.comment,
      accepts: next.length,
      ...extraHistory,
    };
    return {
      action: "accepted",
      detail: { comment: decision.comment, accepts: next.length, closed: closes },
      order: closes
        ? {
            ...order,
            status: "closed",
            accepts: next,
            closedAt: at,
            everOverdue: late,
            closedLate: late,
            history: [...order.history, entry],
          }
        : { ...order, accepts: next, everOverdue: late, history: [...order.history, entry] },
    };
  }
  const deadline = checkNewDeadline(decision.deadline ?? "", now, "body.deadline");
  const { reminder, approximate } = reminderFor(deadline, now);
  return {
    action: "rejected",
    detail: { comment: decision.comment, deadline },
    order: {
      ...order,
      status: "open",
      deadline,
      escalationLevel: 0,
      maxEscalationLevel: Math.max(order.maxEscalationLevel ?? 0, order.escalationLevel),
      everOverdue: late,
      accepts: [],
      reminder,
      calendarApproximate: (order.calendarApproximate ?? false) || approximate,
      history: [
        ...order.history,
        { at, actor: by, action: "rejected", comment: decision.comment, deadline, ...extraHistory },
      ],
    },
  };
}

/**
 * 延期申请: the unit asks, before the deadline and with a reason, for a later one. One request at a
 * time, and no more once the approved extensions reach the order's `maxExtensions`.
 */
export function requestExtension<T extends Order>(
  order: T,
  request: {
    readonly requestId: string;
    readonly by: string;
    readonly reason: string;
    readonly requestedDeadline: string;
  },
  now: Date,
): Transition<T> & { request: ExtensionRequest } {
  if (order.status !== "open") {
    throw new ConflictError(
      `该整改单当前为“${RECTIFICATION_STATUS_NAMES[order.status]}”，只有待整改的整改单可以申请延期。`,
    );
  }
  if (deadlinePassed(order.deadline, now)) throw new ConflictError("整改期限已过，不能再申请延期。");
  const requests = order.extensionRequests ?? [];
  if (requests.some((r) => r.status === "pending")) {
    throw new ConflictError("该整改单已有一项延期申请待审批，请等待审批结果。");
  }
  const max = order.maxExtensions ?? DEFAULT_MAX_EXTENSIONS;
  if (extensionsUsed(order) >= max)
    throw new ConflictError(`延期次数已用完（每张整改单最多延期 ${max} 次）。`);
  if (requests.length >= MAX_EXTENSION_REQUESTS) {
    throw new ConflictError(`延期申请次数已达上限（最多 ${MAX_EXTENSION_REQUESTS} 次）。`);
  }
  const requestedDeadline = checkNewDeadline(request.requestedDeadline, now, "body.requestedDeadline", {
    at: order.deadline,
    message: "申请的期限须晚于当前整改期限",
  });
  const at = now.toISOString();
  const pending: ExtensionRequest = {
    requestId: request.requestId,
    status: "pending",
    reason: request.reason,
    requestedDeadline,
    requestedAt: at,
    requestedBy: request.by,
  };
  return {
    request: pending,
    action: "extension_requested",
    detail: { requestId: request.requestId, reason: request.reason, requestedDeadline },
    order: {
      ...order,
      extensionRequests: [...requests, pending],
      history: [
        ...order.history,
        {
          at,
          actor: request.by,
          action: "extension_requested",
          comment: request.reason,
          deadline: requestedDeadline,
          requestId: request.requestId,
        },
      ],
    },
  };
}

/**
 * The decision on an extension request: approve moves the deadline (to the requested one or the
 * approver's date, later than the current one) and with it the reminder and the escalation timers;
 * an order that had gone overdue meanwhile is no longer overdue, but its record of lateness stays.
 */
export function decideExtension<T extends Order>(
  order: T,
  requestId: string,
  decision: {
    readonly by: string;
    readonly decision: ExtensionDecision;
    readonly comment: string;
    readonly deadline?: string | undefined;
  },
  now: Date,
): Transition<T> & { request: ExtensionRequest } {
  const requests = order.extensionRequests ?? [];
  const request = requests.find((r) => r.requestId === requestId);
  if (!request) throw new NotFoundError("没有找到该延期申请。");
  if (request.status !== "pending") {
    throw new ConflictError(
      `该延期申请已${request.status === "approved" ? "批准" : "不予批准"}，不能再次审批。`,
    );
  }
  if (order.status === "closed") throw new ConflictError("该整改单已销号，延期申请无需再审批。");
  const at = now.toISOString();
  const common = { decidedBy: decision.by, decidedAt: at, comment: decision.comment };
  if (decision.decision === "refuse") {
    const refused: ExtensionRequest = { ...request, status: "refused", ...common };
    return {
      request: refused,
      action: "extension_refused",
      detail: { requestId, comment: decision.comment },
      order: {
        ...order,
        extensionRequests: requests.map((r) => (r.requestId === requestId ? refused : r)),
        history: [
          ...order.history,
          { at, actor: decision.by, action: "extension_refused", comment: decision.comment, requestId },
        ],
      },
    };
  }
  const max = order.maxExtensions ?? DEFAULT_MAX_EXTENSIONS;
  if (extensionsUsed(order) >= max)
    throw new ConflictError(`延期次数已用完（每张整改单最多延期 ${max} 次）。`);
  const deadline = checkNewDeadline(decision.deadline ?? request.requestedDeadline, now, "body.deadline", {
    at: order.deadline,
    message: "批准的期限须晚于当前整改期限",
  });
  const approved: ExtensionRequest = { ...request, status: "approved", ...common, deadline };
  const { reminder, approximate } = reminderFor(deadline, now);
  return {
    request: approved,
    action: "extension_approved",
    detail: { requestId, comment: decision.comment, previousDeadline: order.deadline, deadline },
    order: {
      ...order,
      deadline,
      originalDeadline: order.originalDeadline ?? order.deadline,
      escalationLevel: 0,
      maxEscalationLevel: Math.max(order.maxEscalationLevel ?? 0, order.escalationLevel),
      everOverdue: everOverdue(order, now),
      reminder,
      calendarApproximate: (order.calendarApproximate ?? false) || approximate,
      extensionRequests: requests.map((r) => (r.requestId === requestId ? approved : r)),
      history: [
        ...order.history,
        {
          at,
          actor: decision.by,
          action: "extension_approved",
          comment: decision.comment,
          previousDeadline: order.deadline,
          deadline,
          requestId,
        },
      ],
    },
  };
}

/** What falls due on an open order by the clock: the 临期提醒, the 催办 (level 1), the 问责 (level 2). */
export type DeadlineAction = "remind" | 1 | 2;

/**
 * When the next clock-driven step of an open order falls due, and which: the reminder (if one is
 * still to go out and the deadline has not come), level 1 at the deadline, level 2
 * `escalateAfterHours` after it; none after level 2.
 */
function nextDeadlineAction(order: Order, now: Date): { at: number; action: DeadlineAction } | null {
  if (order.status !== "open") return null;
  const deadline = parseTime(order.deadline);
  if (order.escalationLevel <= 0) {
    const reminder = order.reminder;
    if (reminder && reminder.sentAt === undefined && now.getTime() < deadline) {
      const at = parseTime(reminder.at);
      if (at < deadline) return { at, action: "remind" };
    }
    return { at: deadline, action: 1 };
  }
  if (order.escalationLevel === 1) return { at: deadline + order.escalateAfterHours * HOUR_MS, action: 2 };
  return null;
}

/**
 * The step due now on an open order, or null. Raises one level at a time, so the overdue reminder
 * (level 1) is never skipped: an order found at level 0 long after its grace period gets 1 now, and
 * 2 on the next call.
 */
export function deadlineActionDue(order: Order, now: Date): DeadlineAction | null {
  const next = nextDeadlineAction(order, now);
  return next && next.at <= now.getTime() ? next.action : null;
}

/** The 临期提醒 went out: noted on the order, so it goes out once for this deadline. */
export function remindOrder<T extends Order>(order: T, now: Date): Transition<T> {
  const at = now.toISOString();
  return {
    action: "deadline_reminder",
    detail: { deadline: order.deadline },
    order: {
      ...order,
      reminder: { at: order.reminder?.at ?? at, sentAt: at },
      history: [
        ...order.history,
        { at, actor: "workflow", action: "deadline_reminder", deadline: order.deadline },
      ],
    },
  };
}

/** 催办 (level 1) or 问责 (level 2): the level and the kept record rise, never fall. */
export function escalateOrder<T extends Order>(order: T, level: 1 | 2, now: Date): Transition<T> {
  const at = now.toISOString();
  const action = level === 1 ? "overdue_reminder" : "escalated";
  return {
    action,
    detail: { level },
    order: {
      ...order,
      escalationLevel: level,
      maxEscalationLevel: Math.max(order.maxEscalationLevel ?? 0, level),
      everOverdue: true,
      history: [...order.history, { at, actor: "workflow", action, level }],
    },
  };
}

/** What a rectification order's workflow waits for next. */
export type OrderPhase =
  | { readonly phase: typeof ORDER_PHASE.closed }
  | { readonly phase: typeof ORDER_PHASE.awaitReview }
  // wait for the report until the next deadline step
  | { readonly phase: typeof ORDER_PHASE.awaitReportUntil; readonly timerSeconds: number }
  // escalated to level 2: wait without a timer
  | { readonly phase: typeof ORDER_PHASE.awaitReport }
  // a deadline step (reminder or escalation) is due now
  | { readonly phase: typeof ORDER_PHASE.escalate };

/**
 * closed → closed; submitted → await_review; open: the deadline step when it has come, else wait
 * for the report until it (no timer once at level 2).
 */
export function orderPhase(order: Order, now: Date): OrderPhase {
  if (order.status === "closed") return { phase: ORDER_PHASE.closed };
  if (order.status === "submitted") return { phase: ORDER_PHASE.awaitReview };
  const next = nextDeadlineAction(order, now);
  if (next === null) return { phase: ORDER_PHASE.awaitReport };
  if (next.at <= now.getTime()) return { phase: ORDER_PHASE.escalate };
  return {
    phase: ORDER_PHASE.awaitReportUntil,
    timerSeconds: Math.max(1, Math.ceil((next.at - now.getTime()) / 1000)),
  };
}
