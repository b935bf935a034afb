import type * as z from "zod/mini";
import type { responses } from "../api/responses";
import type {
  AssignmentRecord,
  NotificationRecord,
  RectificationRecord,
  SpotCheckRecord,
  TemplateRecord,
  UnitRecord,
} from "../data/records";
import { isDelayedSync } from "../domain/offline-capture";
import {
  acceptsRequired,
  DEFAULT_MAX_EXTENSIONS,
  extensionsUsed,
  isOverdue,
  lateness,
  trafficLight,
} from "../domain/rectification-order";
import { sumPoints } from "../domain/scoring";

/**
 * Response shapes: what a record looks like on the wire (internal fields such as task tokens never
 * leave). Each view `satisfies` the body its routes declare in lambdas/api/responses.ts, so a field
 * missing, mistyped or misnamed here fails the type check; the schemas are imported as types only,
 * so no zod code enters a handler's bundle.
 */
type Body<K extends keyof typeof responses> = Wire<z.infer<(typeof responses)[K]>>;
/** A body as the views build it: from records whose lists are read-only. */
type Wire<T> = T extends readonly (infer U)[]
  ? readonly Wire<U>[]
  : T extends object
    ? { readonly [P in keyof T]: Wire<T[P]> }
    : T;
/** One item of a paged list. */
type Item<K extends keyof typeof responses> = Body<K> extends { items: readonly (infer T)[] } ? T : never;

export function unitView(u: UnitRecord, path: readonly string[]) {
  return {
    unitId: u.unitId,
    name: u.name,
    parentId: u.parentId,
    kind: u.kind,
    ...(u.location ? { location: u.location } : {}),
    ...(u.radiusMeters !== undefined ? { radiusMeters: u.radiusMeters } : {}),
    path,
    version: u.version,
    createdAt: u.createdAt,
    updatedAt: u.updatedAt,
  } satisfies Body<"GET /units/{unitId}">;
}

export function templateView(t: TemplateRecord) {
  return {
    templateId: t.templateId,
    version: t.version,
    name: t.name,
    items: t.items,
    grades: t.grades,
    maxPoints: sumPoints(t.items.map((i) => i.maxPoints)),
    createdAt: t.createdAt,
    createdBy: t.createdBy,
  } satisfies Body<"GET /templates/{templateId}">;
}

export function assignmentSummary(a: AssignmentRecord) {
  return {
    assignmentId: a.assignmentId,
    unitId: a.unitId,
    inspectorIds: a.inspectorIds,
    status: a.status,
  } satisfies Body<"POST /spot-checks/{id}/draw">["assignments"][number];
}

/**
 * An arrival on the wire: the server's `at`, the device's `capturedAt` when it sent one, and
 * `delayedSync` (false for arrivals recorded before offline capture, which were synced at once).
 */
export function arrivalView(arrival: NonNullable<AssignmentRecord["arrival"]>) {
  return {
    at: arrival.at,
    ...(arrival.capturedAt ? { capturedAt: arrival.capturedAt } : {}),
    delayedSync: arrival.delayedSync ?? false,
    location: arrival.location,
    distanceMeters: arrival.distanceMeters,
    onSite: arrival.onSite,
  } satisfies Body<"POST /assignments/{id}/arrival">["arrival"];
}

export function assignmentView(a: AssignmentRecord) {
  return {
    assignmentId: a.assignmentId,
    spotCheckId: a.spotCheckId,
    unitId: a.unitId,
    inspectorIds: a.inspectorIds,
    status: a.status,
    window: a.window,
    ...(a.templateId ? { templateId: a.templateId, templateVersion: a.templateVersion } : {}),
    ...(a.arrival
      ? {
          arrival: {
            ...arrivalView(a.arrival),
            by: a.arrival.by,
          },
        }
      : {}),
    ...(a.score ? { score: a.score } : {}),
    ...(a.findings
      ? {
          findings: {
            items: a.findings.items,
            issues: a.findings.issues,
            submittedAt: a.findings.submittedAt,
            submittedBy: a.findings.submittedBy,
            ...(a.findings.capturedAt
              ? {
                  capturedAt: a.findings.capturedAt,
                  delayedSync: isDelayedSync(a.findings.capturedAt, a.findings.submittedAt),
                }
              : {}),
          },
        }
      : {}),
    rectificationIds: a.rectificationIds ?? [],
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
    ...(a.closedAt ? { closedAt: a.closedAt } : {}),
    ...(a.missedAt ? { missedAt: a.missedAt } : {}),
  } satisfies Item<"GET /assignments">;
}

export function spotCheckView(s: SpotCheckRecord) {
  // The draw's summary, or (spot checks drawn before it) the draw record inline.
  const drawn = s.drawn ?? s.draw;
  return {
    spotCheckId: s.spotCheckId,
    title: s.title,
    templateId: s.templateId,
    templateVersion: s.templateVersion,
    candidateUnitIds: s.candidateUnitIds,
    ...(s.parentUnitId ? { parentUnitId: s.parentUnitId } : {}),
    ...(s.inspectorPoolUnitId ? { inspectorPoolUnitId: s.inspectorPoolUnitId } : {}),
    sampleSize: s.sampleSize,
    inspectorIds: s.inspectorIds,
    teamSize: s.teamSize,
    ...(s.excludeInspectedWithinDays ? { excludeInspectedWithinDays: s.excludeInspectedWithinDays } : {}),
    window: s.window,
    rectifyWithinDays: s.rectifyWithinDays,
    ...(s.rectifyWithinWorkdays !== undefined ? { rectifyWithinWorkdays: s.rectifyWithinWorkdays } : {}),
    maxExtensions: s.maxExtensions ?? DEFAULT_MAX_EXTENSIONS,
    escalateAfterHours: s.escalateAfterHours,
    status: s.status,
    seedCommitment: s.seedCommitment,
    createdBy: s.createdBy,
    createdAt: s.createdAt,
    ...(drawn ? { drawnAt: drawn.drawnAt } : {}),
  } satisfies Body<"POST /spot-checks">;
}

export function rectificationView(r: RectificationRecord, now: Date) {
  return {
    rectificationId: r.rectificationId,
    assignmentId: r.assignmentId,
    spotCheckId: r.spotCheckId,
    unitId: r.unitId,
    ...(r.itemCode ? { itemCode: r.itemCode } : {}),
    description: r.description,
    severity: r.severity,
    deadline: r.deadline,
    status: r.status,
    overdue: isOverdue(r.deadline, r.status, now),
    escalationLevel: r.escalationLevel,
    light: trafficLight(r.deadline, r.status, now),
    ...(r.originalDeadline ? { originalDeadline: r.originalDeadline } : {}),
    calendarApproximate: r.calendarApproximate ?? false,
    maxExtensions: r.maxExtensions ?? DEFAULT_MAX_EXTENSIONS,
    extensionsUsed: extensionsUsed(r),
    extensionRequests: r.extensionRequests ?? [],
    ...lateness(r, now),
    accepts:
      r.status === "submitted" ? (r.accepts ?? []).length : r.status === "closed" ? acceptsRequired(r) : 0,
    acceptsRequired: acceptsRequired(r),
    history: r.history,
    ...(r.issueEvidenceIds && r.issueEvidenceIds.length > 0 ? { beforeEvidenceIds: r.issueEvidenceIds } : {}),
    ...(r.report ? { report: r.report } : {}),
    createdAt: r.createdAt,
    ...(r.closedAt ? { closedAt: r.closedAt } : {}),
  } satisfies Item<"GET /rectifications">;
}

/** Without `recipient`: the mailbox key (`USER#…`, `UNIT#…`, `ROLE#…`) is internal. */
export function notificationView(n: NotificationRecord) {
  const { recipient: _mailbox, ...view } = n;
  return view satisfies Item<"GET /me/notifications">;
}
