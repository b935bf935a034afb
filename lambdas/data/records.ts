import * as z from "zod/mini";
import { NOTICE_KINDS } from "../domain/notices";
import { ROLES } from "../domain/roles";
import {
  ASSIGNMENT_STATUSES,
  EVIDENCE_PURPOSES,
  EVIDENCE_STATUSES,
  EVIDENCE_SUBJECT_KINDS,
  EXTENSION_REQUEST_STATUSES,
  IMPORT_KINDS,
  IMPORT_STATUSES,
  ORDER_HISTORY_ACTIONS,
  RECTIFICATION_STATUSES,
  SEVERITIES,
  SPOT_CHECK_STATUSES,
} from "../domain/statuses";
import { CALLBACK_KINDS } from "../workflow/contract";

/**
 * The shapes of the items this system stores. Every item read from DynamoDB is parsed with one of
 * these schemas (never cast), so a malformed or tampered item fails loudly instead of flowing on.
 *
 * Each schema is built on its first parse (`z.lazy`), not at import, and each is marked pure, so a
 * handler bundles only the schemas of the stores it uses and builds only those of the items it reads:
 * a store's methods parse several kinds of item, most requests read two or three. Building all of them
 * cost each cold start about 4 % of its import time (`npm run bench`, phase 1).
 */

const latLng = () => z.object({ lat: z.number(), lng: z.number() });

export const unitRecord = /* @__PURE__ */ z.lazy(() =>
  z.object({
    unitId: z.string(),
    name: z.string(),
    parentId: z.nullable(z.string()),
    kind: z.string(),
    location: z.optional(latLng()),
    radiusMeters: z.optional(z.number()),
    version: z.number(),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);
export type UnitRecord = z.infer<typeof unitRecord>;

/**
 * A unit's last arrival of an inspection team, from any spot check (减负). Kept beside the unit, not
 * on it, so that replacing the unit (PUT /units, imports) never loses it; written by the arrival.
 */
export const unitLastArrivalRecord = /* @__PURE__ */ z.lazy(() =>
  z.object({
    unitId: z.string(),
    lastArrivalAt: z.string(),
    assignmentId: z.string(),
    spotCheckId: z.string(),
  }),
);
export type UnitLastArrivalRecord = z.infer<typeof unitLastArrivalRecord>;

export const inspectorRecord = /* @__PURE__ */ z.lazy(() =>
  z.object({
    inspectorId: z.string(),
    name: z.string(),
    homeUnitId: z.string(),
    /** False once the person's account is disabled: a pool given by unit leaves them out. */
    enabled: z.optional(z.boolean()),
    version: z.number(),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);
export type InspectorRecord = z.infer<typeof inspectorRecord>;

const checklistItem = () =>
  z.object({
    code: z.string(),
    title: z.string(),
    maxPoints: z.number(),
    critical: z.boolean(),
  });
const grade = () => z.object({ name: z.string(), minPercent: z.number() });

export const templateRecord = /* @__PURE__ */ z.lazy(() =>
  z.object({
    templateId: z.string(),
    version: z.number(),
    name: z.string(),
    items: z.array(checklistItem()),
    grades: z.array(grade()),
    createdAt: z.string(),
    createdBy: z.string(),
  }),
);
export type TemplateRecord = z.infer<typeof templateRecord>;

const poolMember = () => z.object({ inspectorId: z.string(), homeUnitId: z.string() });
const drawnAssignment = () => z.object({ unitId: z.string(), inspectorIds: z.array(z.string()) });
/** 减负: a candidate left out of the draw, with the arrival that made it recent (as read at the draw). */
const excludedUnit = () =>
  z.object({
    unitId: z.string(),
    unitName: z.string(),
    lastArrivalAt: z.string(),
    assignmentId: z.optional(z.string()),
  });

export const drawRecord = /* @__PURE__ */ z.lazy(() =>
  z.object({
    algorithm: z.string(),
    candidates: z.array(z.string()),
    pool: z.array(poolMember()),
    lineage: z.record(z.string(), z.array(z.string())),
    selected: z.array(drawnAssignment()),
    drawnAt: z.string(),
    drawnBy: z.string(),
    /** 减负: fixed at the draw from the recorded arrivals; absent when the plan excluded nothing. */
    exclusion: z.optional(z.object({ withinDays: z.number(), excluded: z.array(excludedUnit()) })),
  }),
);
export type DrawRecord = z.infer<typeof drawRecord>;

/**
 * What the spot check itself keeps of its draw: the summary, and where the record is — `chunks` items
 * under `keys.spotCheckDrawChunk(spotCheckId, drawId, k)`; `withinDays` when it left units out (减负).
 */
const drawSummary = () =>
  z.object({
    drawId: z.string(),
    chunks: z.number(),
    algorithm: z.string(),
    drawnAt: z.string(),
    drawnBy: z.string(),
    withinDays: z.optional(z.number()),
  });

/** One item of a draw record: the next slice of each of its lists (any may be absent). */
export const drawChunk = /* @__PURE__ */ z.lazy(() =>
  z.object({
    spotCheckId: z.string(),
    drawId: z.string(),
    chunk: z.number(),
    candidates: z.optional(z.array(z.string())),
    pool: z.optional(z.array(poolMember())),
    lineage: z.optional(z.record(z.string(), z.array(z.string()))),
    selected: z.optional(z.array(drawnAssignment())),
    excluded: z.optional(z.array(excludedUnit())),
  }),
);

/** One item of a spot check's long lists: the next slice of its candidates and of its pool. */
export const planChunk = /* @__PURE__ */ z.lazy(() =>
  z.object({
    spotCheckId: z.string(),
    chunk: z.number(),
    candidateUnitIds: z.optional(z.array(z.string())),
    inspectorIds: z.optional(z.array(z.string())),
  }),
);

export const spotCheckStatus = /* @__PURE__ */ z.lazy(() => z.enum(SPOT_CHECK_STATUSES));

/**
 * The spot check's own item. Its candidate and pool ids are inline, or (long ones) in `planChunks`
 * items of its partition; its draw record is in items of its own (`drawn`), or inline (`draw`) on
 * spot checks drawn before those existed. `SpotCheckRecord` is the spot check with its lists.
 */
export const spotCheckItem = /* @__PURE__ */ z.lazy(() =>
  z.object({
    spotCheckId: z.string(),
    title: z.string(),
    templateId: z.string(),
    templateVersion: z.number(),
    candidateUnitIds: z.optional(z.array(z.string())),
    planChunks: z.optional(z.number()),
    parentUnitId: z.optional(z.string()),
    /** The pool was every enabled inspector under this unit when the spot check was planned. */
    inspectorPoolUnitId: z.optional(z.string()),
    sampleSize: z.number(),
    inspectorIds: z.optional(z.array(z.string())),
    teamSize: z.number(),
    /** 减负: units a team arrived at within this many days before the draw are left out of it. */
    excludeInspectedWithinDays: z.optional(z.number()),
    window: z.object({ start: z.string(), end: z.string() }),
    rectifyWithinDays: z.number(),
    /** 整改时限 in working days (工作日); when set it wins over `rectifyWithinDays`. */
    rectifyWithinWorkdays: z.optional(z.number()),
    /** Approved extensions (延期) allowed per order; absent on spot checks planned before extensions existed. */
    maxExtensions: z.optional(z.number()),
    escalateAfterHours: z.number(),
    seed: z.string(),
    seedCommitment: z.string(),
    status: spotCheckStatus,
    createdBy: z.string(),
    createdAt: z.string(),
    drawn: z.optional(drawSummary()),
    /** Read only: the draw record inline, as spot checks drawn before `drawn` kept it. */
    draw: z.optional(drawRecord),
    assignmentIds: z.optional(z.array(z.string())),
    pendingDispatch: z.optional(z.boolean()),
  }),
);
export type SpotCheckItem = z.infer<typeof spotCheckItem>;
export type SpotCheckRecord = Omit<SpotCheckItem, "candidateUnitIds" | "inspectorIds" | "planChunks"> & {
  candidateUnitIds: string[];
  inspectorIds: string[];
};

export const assignmentStatus = /* @__PURE__ */ z.lazy(() => z.enum(ASSIGNMENT_STATUSES));

const arrival = () =>
  z.object({
    at: z.string(),
    by: z.string(),
    location: latLng(),
    distanceMeters: z.nullable(z.number()),
    onSite: z.boolean(),
    /** The device's time of capture (offline capture); absent when the client sent none. */
    capturedAt: z.optional(z.string()),
    /** More than 10 minutes between `capturedAt` and `at` (absent on arrivals recorded before v2). */
    delayedSync: z.optional(z.boolean()),
  });

const evidenceIds = () => z.optional(z.array(z.string()));
const findingItem = () =>
  z.object({
    code: z.string(),
    deduction: z.number(),
    note: z.optional(z.string()),
    evidenceIds: evidenceIds(),
  });
const findingIssue = () =>
  z.object({
    itemCode: z.optional(z.string()),
    description: z.string(),
    severity: z.enum(SEVERITIES),
    deadline: z.string(),
    rectificationId: z.string(),
    evidenceIds: evidenceIds(),
  });

export const scoreRecord = /* @__PURE__ */ z.lazy(() =>
  z.object({
    points: z.number(),
    maxPoints: z.number(),
    percent: z.number(),
    grade: z.string(),
    vetoed: z.boolean(),
  }),
);

export const assignmentRecord = /* @__PURE__ */ z.lazy(() =>
  z.object({
    assignmentId: z.string(),
    spotCheckId: z.string(),
    unitId: z.string(),
    inspectorIds: z.array(z.string()),
    organizerId: z.string(),
    /** The checklist version the spot check was planned with (what the team scores against). */
    templateId: z.optional(z.string()),
    templateVersion: z.optional(z.number()),
    status: assignmentStatus,
    window: z.object({ start: z.string(), end: z.string() }),
    createdAt: z.string(),
    updatedAt: z.string(),
    arrival: z.optional(arrival()),
    findings: z.optional(
      z.object({
        items: z.array(findingItem()),
        issues: z.array(findingIssue()),
        submittedAt: z.string(),
        submittedBy: z.string(),
        /** Offline capture: the device's time of the findings. */
        capturedAt: z.optional(z.string()),
      }),
    ),
    score: z.optional(scoreRecord),
    rectificationIds: z.optional(z.array(z.string())),
    closedAt: z.optional(z.string()),
    missedAt: z.optional(z.string()),
    version: z.number(),
  }),
);
export type AssignmentRecord = z.infer<typeof assignmentRecord>;

export const rectificationStatus = /* @__PURE__ */ z.lazy(() => z.enum(RECTIFICATION_STATUSES));
export const severity = /* @__PURE__ */ z.lazy(() => z.enum(SEVERITIES));

const extensionRequest = () =>
  z.object({
    requestId: z.string(),
    status: z.enum(EXTENSION_REQUEST_STATUSES),
    reason: z.string(),
    requestedDeadline: z.string(),
    requestedAt: z.string(),
    requestedBy: z.string(),
    decidedBy: z.optional(z.string()),
    decidedAt: z.optional(z.string()),
    comment: z.optional(z.string()),
    deadline: z.optional(z.string()),
  });

const historyEntry = () =>
  z.object({
    at: z.string(),
    actor: z.string(),
    action: z.enum(ORDER_HISTORY_ACTIONS),
    comment: z.optional(z.string()),
    deadline: z.optional(z.string()),
    /** An extension's history entry: the deadline it replaced, and its request. */
    previousDeadline: z.optional(z.string()),
    requestId: z.optional(z.string()),
    level: z.optional(z.number()),
    /** A review's accept: how many accepts the current report has (四眼销号 needs two). */
    accepts: z.optional(z.number()),
    /** Photos and documents this step brought (a report's 整改后, a review's, one added later). */
    evidenceIds: evidenceIds(),
    purpose: z.optional(z.enum(EVIDENCE_PURPOSES)),
  });

export const rectificationRecord = /* @__PURE__ */ z.lazy(() =>
  z.object({
    rectificationId: z.string(),
    assignmentId: z.string(),
    spotCheckId: z.string(),
    unitId: z.string(),
    inspectorIds: z.array(z.string()),
    organizerId: z.string(),
    itemCode: z.optional(z.string()),
    description: z.string(),
    /** The photos of the issue this order came from: its 整改前 photos. */
    issueEvidenceIds: evidenceIds(),
    severity: severity,
    deadline: z.string(),
    status: rectificationStatus,
    escalationLevel: z.number(),
    escalateAfterHours: z.number(),
    history: z.array(historyEntry()),
    report: z.optional(
      z.object({
        description: z.string(),
        /** What the unit cited (a description, a link, a structured note), as the report schema took it. */
        evidence: z.array(z.union([z.string(), z.record(z.string(), z.unknown())])),
        evidenceIds: evidenceIds(),
        at: z.string(),
        by: z.string(),
        late: z.boolean(),
      }),
    ),
    lateReported: z.optional(z.boolean()),
    /** The deadline first set, once an extension has moved it. */
    originalDeadline: z.optional(z.string()),
    maxExtensions: z.optional(z.number()),
    extensionRequests: z.optional(z.array(extensionRequest())),
    /** Kept history (never cleared): overdue at some time, the highest escalation, closed late. */
    everOverdue: z.optional(z.boolean()),
    maxEscalationLevel: z.optional(z.number()),
    closedLate: z.optional(z.boolean()),
    accepts: z.optional(z.array(z.object({ by: z.string(), at: z.string() }))),
    /** The 临期提醒 of the current deadline: due at `at`, sent at `sentAt`. */
    reminder: z.optional(z.object({ at: z.string(), sentAt: z.optional(z.string()) })),
    /** The deadline was counted in working days over a year the holiday data does not cover yet. */
    calendarApproximate: z.optional(z.boolean()),
    createdAt: z.string(),
    closedAt: z.optional(z.string()),
    version: z.number(),
  }),
);
export type RectificationRecord = z.infer<typeof rectificationRecord>;

/**
 * A pending extension request (延期申请) as the organizers' queue lists it: a copy of the request
 * and of what the queue shows of its order, kept only while the request is pending.
 */
export const pendingExtension = /* @__PURE__ */ z.lazy(() =>
  z.object({
    requestId: z.string(),
    rectificationId: z.string(),
    spotCheckId: z.string(),
    unitId: z.string(),
    description: z.string(),
    deadline: z.string(),
    reason: z.string(),
    requestedDeadline: z.string(),
    requestedAt: z.string(),
    requestedBy: z.string(),
    status: z.literal("pending"),
  }),
);
export type PendingExtension = z.infer<typeof pendingExtension>;

/** A person with an account (人员): the JWT `sub` is the person's id. */
export const personRecord = /* @__PURE__ */ z.lazy(() =>
  z.object({
    personId: z.string(),
    username: z.string(),
    name: z.string(),
    phone: z.optional(z.string()),
    roles: z.array(z.enum(ROLES)),
    unitId: z.optional(z.string()),
    homeUnitId: z.optional(z.string()),
    enabled: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
    createdBy: z.string(),
    version: z.number(),
  }),
);
export type PersonRecord = z.infer<typeof personRecord>;

export const evidenceStatus = /* @__PURE__ */ z.lazy(() => z.enum(EVIDENCE_STATUSES));

/** A photo or document (取证): the file's facts as the server established them, never as declared. */
export const evidenceRecord = /* @__PURE__ */ z.lazy(() =>
  z.object({
    evidenceId: z.string(),
    subject: z.object({ kind: z.enum(EVIDENCE_SUBJECT_KINDS), id: z.string() }),
    purpose: z.enum(EVIDENCE_PURPOSES),
    status: evidenceStatus,
    fileName: z.string(),
    /** What the uploader declared; the check refuses bytes that contradict it. */
    contentType: z.string(),
    size: z.number(),
    /** The unit the subject belongs to (visibility), and its assignment (secrecy before arrival). */
    unitId: z.string(),
    assignmentId: z.string(),
    uploadedBy: z.string(),
    createdAt: z.string(),
    expiresAt: z.string(),
    uploadedAt: z.optional(z.string()),
    sha256: z.optional(z.string()),
    capturedAt: z.optional(z.string()),
    location: z.optional(latLng()),
    /** `exif`: read from the stored bytes; `device`: declared by the uploading device (EXIF stripped by shrinking). */
    captureSource: z.optional(z.enum(["exif", "device"])),
    declaredCapture: z.optional(
      z.object({ capturedAt: z.optional(z.string()), location: z.optional(latLng()) }),
    ),
    reason: z.optional(z.string()),
    checkedAt: z.optional(z.string()),
  }),
);
export type EvidenceRecord = z.infer<typeof evidenceRecord>;

/**
 * A spreadsheet import (导入): its file, its state and progress. `leaseToken`/`leaseUntil` mark the
 * one run that may work on it (an event delivered twice, or again after a crash, waits or takes
 * over); `credentials` names the workbook of temporary passwords, never the passwords.
 */
export const importRecord = /* @__PURE__ */ z.lazy(() =>
  z.object({
    importId: z.string(),
    kind: z.enum(IMPORT_KINDS),
    status: z.enum(IMPORT_STATUSES),
    fileName: z.string(),
    contentType: z.string(),
    format: z.enum(["xlsx", "csv"]),
    size: z.optional(z.number()),
    /** An organizer's import: only people whose roles are `inspector` alone. */
    inspectorsOnly: z.boolean(),
    createdAt: z.string(),
    createdBy: z.string(),
    updatedAt: z.string(),
    uploadExpiresAt: z.string(),
    total: z.number(),
    done: z.number(),
    created: z.number(),
    updated: z.number(),
    unchanged: z.number(),
    errorCount: z.number(),
    startedAt: z.optional(z.string()),
    finishedAt: z.optional(z.string()),
    attempts: z.optional(z.number()),
    leaseToken: z.optional(z.string()),
    leaseUntil: z.optional(z.number()),
    credentials: z.optional(z.object({ key: z.string(), count: z.number(), expiresAt: z.string() })),
  }),
);
export type ImportRecord = z.infer<typeof importRecord>;

const importError = () => z.object({ row: z.number(), column: z.string(), message: z.string() });

/** Up to 500 errors of an invalid import (an item stays well below DynamoDB's 400 KB). */
export const importErrorChunk = /* @__PURE__ */ z.lazy(() => z.object({ errors: z.array(importError()) }));

/**
 * A row an import is about to write, with what the write is (created or updated), recorded for
 * every such row before the first write. A run that resumes after a crash keeps that outcome (a
 * unit it created stays "created", however the row compares now) and knows which accounts it made.
 */
export const importRowMarker = /* @__PURE__ */ z.lazy(() =>
  z.object({ key: z.string(), row: z.number(), outcome: z.enum(["created", "updated"]) }),
);
export type ImportRowMarker = z.infer<typeof importRowMarker>;

export const auditEvent = /* @__PURE__ */ z.lazy(() =>
  z.object({
    entityId: z.string(),
    at: z.string(),
    actor: z.string(),
    action: z.string(),
    detail: z.optional(z.record(z.string(), z.unknown())),
    seq: z.number(),
    prevHash: z.string(),
    hash: z.string(),
  }),
);
export type AuditEvent = z.infer<typeof auditEvent>;

export const notificationRecord = /* @__PURE__ */ z.lazy(() =>
  z.object({
    notificationId: z.string(),
    recipient: z.string(),
    at: z.string(),
    kind: z.enum(NOTICE_KINDS),
    level: z.number(),
    title: z.string(),
    body: z.string(),
    rectificationId: z.optional(z.string()),
    assignmentId: z.optional(z.string()),
    unitId: z.optional(z.string()),
    deadline: z.optional(z.string()),
  }),
);
export type NotificationRecord = z.infer<typeof notificationRecord>;

/** The human steps the workflow waits for with a callback task. */
export const callbackKind = /* @__PURE__ */ z.lazy(() => z.enum(CALLBACK_KINDS));

export const callbackToken = /* @__PURE__ */ z.lazy(() =>
  z.object({
    taskToken: z.string(),
    /** The human step the token waits for (which statuses of the entity are still awaited). */
    kind: callbackKind,
    at: z.string(),
    /** A report wait: the deadline its timer was armed for. */
    armedFor: z.optional(z.string()),
  }),
);

export const pendingResume = /* @__PURE__ */ z.lazy(() =>
  z.object({
    tokenHash: z.string(),
    taskToken: z.string(),
    output: z.string(),
    /** Set when the resume is a `SendTaskFailure` (the output is then its cause). */
    error: z.optional(z.string()),
  }),
);

export const closedCounters = /* @__PURE__ */ z.lazy(() =>
  z.object({
    closed: z.optional(z.number()),
    closedOnTime: z.optional(z.number()),
    closedLate: z.optional(z.number()),
    closedReminded: z.optional(z.number()),
    closedEscalated: z.optional(z.number()),
  }),
);

/** Parses a stored item; a mismatch is a server fault (corrupt data), never the client's. */
export function parseItem<T>(schema: z.ZodMiniType<T>, item: unknown, what: string): T {
  const result = z.safeParse(schema, item);
  if (!result.success) {
    throw new Error(`Stored ${what} does not match its schema: ${z.prettifyError(result.error)}`);
  }
  return result.data;
}
