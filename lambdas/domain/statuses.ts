/**
 * The status lists and other closed sets of values of the field, written once: the stored records
 * (lambdas/data/records.ts), the request and response schemas (lambdas/api) and the rules in this
 * folder take their values and types from here. A leaf module with no imports, so the web console
 * may import it too without bundling anything else.
 */

/** An assignment (督查任务): dispatched → on_site → scored → rectifying → closed, or missed. */
export const ASSIGNMENT_STATUSES = [
  "dispatched",
  "on_site",
  "scored",
  "rectifying",
  "closed",
  "missed",
] as const;
export type AssignmentStatus = (typeof ASSIGNMENT_STATUSES)[number];

/** A rectification order (整改单): open (待整改) → submitted (已报告待复核) → closed (已销号). */
export const RECTIFICATION_STATUSES = ["open", "submitted", "closed"] as const;
export type RectificationStatus = (typeof RECTIFICATION_STATUSES)[number];

/** How serious a problem is; a critical one vetoes the score and takes two reviewers to close. */
export const SEVERITIES = ["minor", "major", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** An order's traffic light. */
export const LIGHTS = ["green", "yellow", "red"] as const;
export type Light = (typeof LIGHTS)[number];

/** The steps of an order's history, as its timeline shows them. */
export const ORDER_HISTORY_ACTIONS = [
  "issued",
  "reported",
  "reported_late",
  "accepted",
  "rejected",
  "overdue_reminder",
  "escalated",
  "evidence_added",
  "extension_requested",
  "extension_approved",
  "extension_refused",
  "deadline_reminder",
] as const;
export type OrderHistoryAction = (typeof ORDER_HISTORY_ACTIONS)[number];

/** A spot check (督查任务批次): planned, then dispatched by its draw. */
export const SPOT_CHECK_STATUSES = ["planned", "dispatched"] as const;
export type SpotCheckStatus = (typeof SPOT_CHECK_STATUSES)[number];

/** An extension request (延期申请). */
export const EXTENSION_REQUEST_STATUSES = ["pending", "approved", "refused"] as const;
export type ExtensionRequestStatus = (typeof EXTENSION_REQUEST_STATUSES)[number];

/** The decision of a review (回头看): accept (toward 销号) or reject (back to 待整改 with a new deadline). */
export const REVIEW_DECISIONS = ["accept", "reject"] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

/** The decision on an extension request. */
export const EXTENSION_DECISIONS = ["approve", "refuse"] as const;
export type ExtensionDecision = (typeof EXTENSION_DECISIONS)[number];

/** What a photo or document is evidence of: 问题照片, 整改前, 整改后, 回头看. */
export const EVIDENCE_PURPOSES = ["finding", "before", "after", "review"] as const;
export type EvidencePurpose = (typeof EVIDENCE_PURPOSES)[number];

/** What a photo or document is attached to. */
export const EVIDENCE_SUBJECT_KINDS = ["assignment", "rectification"] as const;
export type EvidenceSubjectKind = (typeof EVIDENCE_SUBJECT_KINDS)[number];

/** An uploaded file: pending until the server's check verifies or rejects its bytes. */
export const EVIDENCE_STATUSES = ["pending", "verified", "rejected"] as const;
export type EvidenceStatus = (typeof EVIDENCE_STATUSES)[number];

/** What a spreadsheet import (导入) writes. */
export const IMPORT_KINDS = ["units", "people"] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

/** A spreadsheet import: pending (file not yet uploaded) → validating → invalid, or importing → done. */
export const IMPORT_STATUSES = ["pending", "validating", "invalid", "importing", "done"] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];
