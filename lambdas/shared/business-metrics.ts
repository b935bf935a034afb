/**
 * The business metrics' vocabulary, written once with no dependencies: the handlers emit them
 * (`./metrics.ts`, CloudWatch embedded metric format) and the CDK stack graphs and alarms on them
 * (`lib/constructs/observability.ts`).
 */
export const METRICS_NAMESPACE = "SpotInspections";

/** The `service` dimension Powertools adds to every metric (the functions' `POWERTOOLS_SERVICE_NAME`). */
export const METRICS_SERVICE = "spot-inspections";

/** What is counted, one data point per event (unit Count). */
export const BUSINESS_EVENTS = {
  /** An inspection team's findings saved (`POST /assignments/{id}/findings`). */
  FindingsSubmitted: "现场评分提交",
  /** An order past its deadline, still open: the unit and organizer reminded (催办, level 1). */
  OrdersOverdue: "整改逾期",
  /** An order still open after the grace period: escalated for accountability (问责, level 2). */
  Escalations: "逾期问责",
  /** A spot check's targets and teams drawn (`POST /spot-checks/{id}/draw`). */
  Draws: "随机抽取",
  /** A unit's request for more time on an order (延期申请). */
  ExtensionRequests: "延期申请",
} as const;

export type BusinessEvent = keyof typeof BUSINESS_EVENTS;
