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
  LIGHTS,
  ORDER_HISTORY_ACTIONS,
  RECTIFICATION_STATUSES,
  SEVERITIES,
  SPOT_CHECK_STATUSES,
} from "../domain/statuses";
import type { RouteKey } from "./routes";

/**
 * Response schemas: the 2xx body of every route, exactly as the handlers return it (the views of
 * lambdas/services/views.ts and each handler's `json(...)`). Strict objects, so that a field the
 * handlers add without documenting it here fails the tests (test/support/api.ts checks every 2xx
 * JSON body against these).
 *
 * Imported only by lambdas/api/openapi.ts and the tests, never by a handler: it would grow every
 * Lambda bundle.
 */

const time = z.iso.datetime({ offset: true });
const count = z.int().check(z.gte(0));
const ids = z.array(z.string());
const latLng = z.strictObject({ lat: z.number(), lng: z.number() });
const window = z.strictObject({ start: time, end: time });

/** `{ items, nextCursor }`: `nextCursor` is null on the last page. */
const page = <T extends z.ZodMiniType>(item: T) =>
  z.strictObject({
    items: z.array(item),
    nextCursor: z.nullable(z.string()).register(z.globalRegistry, {
      description: "Pass as ?cursor= for the next page; null on the last page.",
    }),
  });

const severity = z.enum(SEVERITIES);

// ---- units and inspectors ------------------------------------------------------------------

const unit = z.strictObject({
  unitId: z.string(),
  name: z.string(),
  parentId: z.nullable(z.string()),
  kind: z.string(),
  location: z.optional(latLng),
  radiusMeters: z.optional(z.number()),
  path: z
    .array(z.string())
    .register(z.globalRegistry, { description: "Unit ids from the root down to this unit." }),
  version: z.int(),
  createdAt: time,
  updatedAt: time,
});

const inspector = z.strictObject({
  inspectorId: z.string(),
  name: z.string(),
  homeUnitId: z.string(),
  enabled: z.optional(z.boolean()).register(z.globalRegistry, {
    description: "False once the person's account is disabled: left out of pools given by unit.",
  }),
  version: z.int(),
  createdAt: time,
  updatedAt: time,
});

// ---- templates -----------------------------------------------------------------------------

const template = z.strictObject({
  templateId: z.string(),
  version: z.int(),
  name: z.string(),
  items: z.array(
    z.strictObject({ code: z.string(), title: z.string(), maxPoints: z.number(), critical: z.boolean() }),
  ),
  grades: z.array(z.strictObject({ name: z.string(), minPercent: z.number() })),
  maxPoints: z.number().register(z.globalRegistry, { description: "Sum of the items' maxPoints." }),
  createdAt: time,
  createdBy: z.string(),
});

// ---- spot checks ---------------------------------------------------------------------------

const spotCheckStatus = z.enum(SPOT_CHECK_STATUSES);
const assignmentStatus = z.enum(ASSIGNMENT_STATUSES);

const score = z.strictObject({
  points: z.number(),
  maxPoints: z.number(),
  percent: z.number(),
  grade: z.string(),
  vetoed: z.boolean(),
});

const spotCheck = z.strictObject({
  spotCheckId: z.string(),
  title: z.string(),
  templateId: z.string(),
  templateVersion: z.int(),
  candidateUnitIds: ids,
  parentUnitId: z.optional(z.string()),
  inspectorPoolUnitId: z.optional(z.string()),
  sampleSize: z.int(),
  inspectorIds: ids,
  teamSize: z.int(),
  excludeInspectedWithinDays: z.optional(z.int()).register(z.globalRegistry, {
    description: "减负: units a team arrived at within this many days before the draw are left out of it.",
  }),
  window,
  rectifyWithinDays: z.number(),
  rectifyWithinWorkdays: z.optional(z.int()),
  maxExtensions: z.int(),
  escalateAfterHours: z.number(),
  status: spotCheckStatus,
  seedCommitment: z.string().register(z.globalRegistry, {
    description: "Lowercase hex SHA-256 of the UTF-8 bytes of the seed.",
  }),
  createdBy: z.string(),
  createdAt: time,
  drawnAt: z.optional(time),
});

const assignmentSummary = z.strictObject({
  assignmentId: z.string(),
  unitId: z.string(),
  inspectorIds: ids,
  status: assignmentStatus,
});

const spotCheckWithAssignments = z.extend(spotCheck, {
  assignments: z.array(z.extend(assignmentSummary, { score: z.optional(score) })),
});

const drawResult = z.strictObject({
  spotCheckId: z.string(),
  status: z.literal("dispatched"),
  seedCommitment: z.string(),
  assignments: z.array(assignmentSummary),
});

const drawnTeam = z.strictObject({ unitId: z.string(), inspectorIds: ids });

const drawProof = z.strictObject({
  spotCheckId: z.string(),
  status: spotCheckStatus,
  seedCommitment: z.string(),
  seed: z.optional(z.string()).register(z.globalRegistry, {
    description: "Present only once window.end has passed.",
  }),
  seedRevealed: z.boolean(),
  revealAfter: time,
  algorithm: z.string(),
  sampleSize: z.int(),
  teamSize: z.int(),
  excludeInspectedWithinDays: z.optional(z.int()),
  candidates: z.array(z.string()).register(z.globalRegistry, {
    description: "Every candidate of the plan; the draw ran over these without the `excluded` ones.",
  }),
  excluded: z.optional(
    z
      .array(
        z.strictObject({
          unitId: z.string(),
          unitName: z.string(),
          lastArrivalAt: time,
          assignmentId: z.optional(z.string()),
        }),
      )
      .register(z.globalRegistry, {
        description:
          "减负 (after the draw): candidates left out because a team arrived there within excludeInspectedWithinDays days before drawnAt, each with that last arrival and its assignment, as read at the draw.",
      }),
  ),
  pool: z.array(z.strictObject({ inspectorId: z.string(), homeUnitId: z.optional(z.string()) })),
  lineage: z.optional(
    z.record(z.string(), ids).register(z.globalRegistry, {
      description: "Per unit id, the ids of its ancestors from the root (after the draw).",
    }),
  ),
  selected: z.array(drawnTeam),
  drawnAt: z.optional(time),
});

// ---- rectifications ------------------------------------------------------------------------

const historyEntry = z.strictObject({
  at: time,
  actor: z.string(),
  action: z.enum(ORDER_HISTORY_ACTIONS),
  comment: z.optional(z.string()),
  deadline: z.optional(time),
  previousDeadline: z.optional(time),
  requestId: z.optional(z.string()),
  level: z.optional(z.int()),
  accepts: z.optional(z.int()),
  evidenceIds: z.optional(ids),
  purpose: z.optional(z.enum(EVIDENCE_PURPOSES)),
});

const extensionRequest = z.strictObject({
  requestId: z.string(),
  status: z.enum(EXTENSION_REQUEST_STATUSES),
  reason: z.string(),
  requestedDeadline: time,
  requestedAt: time,
  requestedBy: z.string(),
  decidedBy: z.optional(z.string()),
  decidedAt: z.optional(time),
  comment: z.optional(z.string()),
  deadline: z.optional(time).register(z.globalRegistry, {
    description: "The deadline an approval set: the requested one unless the approver chose another.",
  }),
});

const rectification = z.strictObject({
  rectificationId: z.string(),
  assignmentId: z.string(),
  spotCheckId: z.string(),
  unitId: z.string(),
  itemCode: z.optional(z.string()),
  description: z.string(),
  severity,
  deadline: time,
  status: z.enum(RECTIFICATION_STATUSES),
  overdue: z.boolean(),
  escalationLevel: z.int().register(z.globalRegistry, {
    description: "0 none, 1 overdue reminder (催办), 2 accountability (问责).",
  }),
  light: z.enum(LIGHTS),
  originalDeadline: z.optional(time).register(z.globalRegistry, {
    description: "The deadline first set, once an approved extension (延期) has moved it.",
  }),
  calendarApproximate: z.boolean().register(z.globalRegistry, {
    description:
      "The deadline was counted in working days (工作日) over a year the holiday data does not cover yet: Monday–Friday were taken.",
  }),
  maxExtensions: z.int(),
  extensionsUsed: z.int(),
  extensionRequests: z.array(extensionRequest),
  everOverdue: z.boolean().register(z.globalRegistry, {
    description: "Overdue at some time. Kept: reopening, extending or closing never clears it.",
  }),
  maxEscalationLevel: z.int().register(z.globalRegistry, {
    description: "The highest escalationLevel the order reached. Kept.",
  }),
  closedLate: z.boolean().register(z.globalRegistry, {
    description: "Closed (销号) after having been overdue at any time.",
  }),
  accepts: z.int().register(z.globalRegistry, {
    description:
      "Accepts of the current report; 四眼销号 of a critical order needs acceptsRequired (2) by different reviewers.",
  }),
  acceptsRequired: z.int(),
  history: z.array(historyEntry),
  beforeEvidenceIds: z.optional(ids).register(z.globalRegistry, {
    description: "The photos of the issue this order came from (问题照片), its 整改前 photos.",
  }),
  report: z.optional(
    z.strictObject({
      description: z.string(),
      evidence: z.array(z.union([z.string(), z.record(z.string(), z.unknown())])),
      evidenceIds: z.optional(ids),
      at: time,
      by: z.string(),
      late: z.boolean(),
    }),
  ),
  createdAt: time,
  closedAt: z.optional(time),
});

// ---- assignments ---------------------------------------------------------------------------

const arrival = z.strictObject({
  at: z.iso.datetime({ offset: true }).register(z.globalRegistry, {
    description: "The server's time of the arrival.",
  }),
  capturedAt: z.optional(time).register(z.globalRegistry, {
    description: "The device's time of capture (offline capture), when the client sent one.",
  }),
  delayedSync: z.boolean().register(z.globalRegistry, {
    description: "True when more than 10 minutes lie between capturedAt and at.",
  }),
  location: latLng,
  distanceMeters: z.nullable(z.number()).register(z.globalRegistry, {
    description: "Null when the unit has no location.",
  }),
  onSite: z.boolean(),
});

const assignment = z.strictObject({
  assignmentId: z.string(),
  spotCheckId: z.string(),
  unitId: z.string(),
  inspectorIds: ids,
  status: assignmentStatus,
  window,
  templateId: z.optional(z.string()),
  templateVersion: z.optional(z.int()),
  arrival: z.optional(z.extend(arrival, { by: z.string() })),
  score: z.optional(score),
  findings: z.optional(
    z.strictObject({
      items: z.array(
        z.strictObject({
          code: z.string(),
          deduction: z.number(),
          note: z.optional(z.string()),
          evidenceIds: z.optional(ids),
        }),
      ),
      issues: z.array(
        z.strictObject({
          itemCode: z.optional(z.string()),
          description: z.string(),
          severity,
          deadline: time,
          rectificationId: z.string(),
          evidenceIds: z.optional(ids),
        }),
      ),
      submittedAt: time,
      submittedBy: z.string(),
      capturedAt: z.optional(time),
      delayedSync: z.optional(z.boolean()),
    }),
  ),
  rectificationIds: ids,
  createdAt: time,
  updatedAt: time,
  closedAt: z.optional(time),
  missedAt: z.optional(time),
});

const arrivalResult = z.strictObject({
  assignmentId: z.string(),
  status: z.literal("on_site"),
  arrival,
});

const findingsResult = z.strictObject({
  assignmentId: z.string(),
  status: z.enum(["scored", "closed"]),
  score,
  rectificationIds: ids,
});

// ---- oversight -----------------------------------------------------------------------------

const unitName = z.string();

const bulletin = z.strictObject({
  spotCheckId: z.string(),
  title: z.string(),
  window,
  generatedAt: time,
  summary: z.string(),
  ranking: z.array(
    z.strictObject({
      rank: z.int(),
      unitId: z.string(),
      unitName,
      assignmentId: z.string(),
      percent: z.number(),
      points: z.number(),
      maxPoints: z.number(),
      grade: z.string(),
      vetoed: z.boolean(),
    }),
  ),
  problems: z.array(z.extend(rectification, { unitName })),
  overdue: z.array(z.extend(rectification, { unitName })),
  escalations: z.array(z.extend(rectification, { unitName })),
  commended: z
    .array(z.strictObject({ unitId: z.string(), unitName, grade: z.string(), percent: z.number() }))
    .register(z.globalRegistry, {
      description: "Units in the template's top grade (优秀 by default), not vetoed: 通报表扬.",
    }),
  missed: z.array(z.strictObject({ unitId: z.string(), unitName })),
  pending: z.array(
    z.strictObject({ unitId: z.string(), unitName, status: z.enum(["dispatched", "on_site"]) }),
  ),
});

const onTimeRate = z.nullable(z.number()).register(z.globalRegistry, {
  description: "Closed on time / closed; null when none is closed.",
});

const dashboard = z.strictObject({
  generatedAt: time,
  spotCheckId: z.optional(z.string()),
  rectifications: z.strictObject({
    open: count,
    submitted: count,
    closed: count,
    overdue: count,
    escalated: count,
    everOverdue: count,
    onTimeRate,
  }),
  extensionRequests: z.strictObject({ pending: count }),
  overdue: z.array(z.extend(rectification, { daysOverdue: count })),
  dueSoon: z.array(rectification),
  byUnit: z.array(
    z.strictObject({
      unitId: z.string(),
      unitName,
      open: count,
      submitted: count,
      overdue: count,
      everOverdue: count,
      escalated: count,
      closed: count,
      closedLate: count,
      onTimeRate,
    }),
  ),
});

const auditTrail = z.strictObject({
  entityId: z.string(),
  items: z.array(
    z
      .looseObject({
        at: time,
        actor: z.string(),
        action: z.string(),
        seq: z.int(),
        prevHash: z.string(),
        hash: z.string(),
      })
      .register(z.globalRegistry, { description: "An audit event, with the fields of its detail." }),
  ),
  nextCursor: z.nullable(z.string()),
  chain: z.union([
    z.strictObject({ verified: z.literal(true) }),
    z.strictObject({ verified: z.literal(false), brokenAt: z.int() }),
  ]),
  actors: z.record(z.string(), z.strictObject({ name: z.string(), roles: ids })).register(z.globalRegistry, {
    description:
      "Who acted, by actor id: a person's name and roles (the workflow and script tokens are absent).",
  }),
});

const notification = z.strictObject({
  notificationId: z.string(),
  at: time,
  kind: z.enum(NOTICE_KINDS),
  level: z.int(),
  title: z.string(),
  body: z.string(),
  rectificationId: z.optional(z.string()),
  assignmentId: z.optional(z.string()),
  unitId: z.optional(z.string()),
  deadline: z.optional(time),
});

// ---- evidence ------------------------------------------------------------------------------

const evidenceSubject = z.strictObject({ kind: z.enum(EVIDENCE_SUBJECT_KINDS), id: z.string() });
const evidence = z.strictObject({
  evidenceId: z.string(),
  subject: evidenceSubject,
  purpose: z.enum(EVIDENCE_PURPOSES),
  status: z.enum(EVIDENCE_STATUSES),
  fileName: z.string(),
  contentType: z.string(),
  size: count,
  sha256: z.optional(z.string()).register(z.globalRegistry, {
    description: "Lowercase hex SHA-256 of the stored bytes, computed by the server.",
  }),
  capturedAt: z.optional(time),
  location: z.optional(latLng),
  captureSource: z.optional(z.enum(["exif", "device"])).register(z.globalRegistry, {
    description: "exif: read from the stored file; device: declared by the uploading device.",
  }),
  uploadedBy: z.string(),
  uploadedAt: z.optional(time),
  reason: z.optional(z.string()).register(z.globalRegistry, { description: "Why it was rejected." }),
  createdAt: time,
  expiresAt: time,
  downloadUrl: z.optional(z.string()).register(z.globalRegistry, {
    description: "Presigned GET, valid for at most 5 minutes; only once verified.",
  }),
  downloadExpiresAt: z.optional(time),
});
const evidenceUpload = z.strictObject({
  evidenceId: z.string(),
  status: z.literal("pending"),
  upload: z.strictObject({
    method: z.literal("PUT"),
    url: z.string(),
    headers: z.record(z.string(), z.string()),
  }),
  expiresAt: time,
});

// ---- people --------------------------------------------------------------------------------

const role = z.enum(ROLES);
const person = z.strictObject({
  personId: z.string().register(z.globalRegistry, { description: "The person's JWT sub." }),
  name: z.string(),
  username: z.string(),
  phone: z.optional(z.string()).register(z.globalRegistry, { description: "E.164, e.g. +8613800000000." }),
  roles: z.array(role),
  unitId: z.optional(z.string()),
  homeUnitId: z.optional(z.string()),
  enabled: z.boolean(),
  createdAt: time,
  updatedAt: time,
});
const temporaryPassword = z.string().register(z.globalRegistry, {
  description: "Shown once; the person must change it at the first sign-in.",
});

// ---- imports -------------------------------------------------------------------------------

const importKind = z.enum(IMPORT_KINDS);
const importError = z.strictObject({
  row: count.register(z.globalRegistry, {
    description: "The row as numbered in the file: 1 is the header, 0 the file as a whole.",
  }),
  column: z
    .string()
    .register(z.globalRegistry, { description: "The column's Chinese header; empty for the file." }),
  message: z.string(),
});
const importCreated = z.strictObject({
  importId: z.string(),
  kind: importKind,
  status: z.literal("pending"),
  upload: z.strictObject({
    method: z.literal("PUT"),
    url: z.string(),
    headers: z.record(z.string(), z.string()),
  }),
  expiresAt: time,
});
const importJob = z.strictObject({
  importId: z.string(),
  kind: importKind,
  status: z.enum(IMPORT_STATUSES),
  fileName: z.string(),
  contentType: z.string(),
  size: z.optional(count),
  total: count.register(z.globalRegistry, { description: "Data rows of the file (once read)." }),
  done: count.register(z.globalRegistry, { description: "Rows written or found unchanged so far." }),
  created: count,
  updated: count,
  unchanged: count,
  errors: z.array(importError).register(z.globalRegistry, {
    description:
      "Every error of an invalid import, by row (at most 10000, then one entry counting the rest).",
  }),
  errorCount: count,
  createdAt: time,
  createdBy: z.string(),
  updatedAt: time,
  startedAt: z.optional(time),
  finishedAt: z.optional(time),
  accountsCreated: z.optional(count).register(z.globalRegistry, {
    description: "Accounts whose temporary passwords are in the credentials workbook.",
  }),
  credentialsUrl: z.optional(z.string()).register(z.globalRegistry, {
    description:
      "Presigned GET of the workbook of temporary passwords (用户名, 姓名, 临时密码), valid for at most 5 minutes; only for the person who started the import, while the workbook is kept.",
  }),
  credentialsUrlExpiresAt: z.optional(time),
  credentialsExpiresAt: z.optional(time).register(z.globalRegistry, {
    description: "When the workbook is deleted (3 days after the import).",
  }),
});
/** A document route's body: the file, or a 303 to a download URL when it exceeds a response (6 MB). */
const documentFile = z.string().register(z.globalRegistry, {
  description:
    "The file (binary), named by Content-Disposition; or 303 See Other to a download URL of at most 5 minutes when it would exceed 6 MB.",
});
const spreadsheet = z.string().register(z.globalRegistry, {
  description: "The .xlsx file (binary), named by Content-Disposition.",
});

/** Names by person id (`sub`) of the people a page shows; ids without a name are left out. */
const names = z.record(z.string(), z.string()).register(z.globalRegistry, {
  description:
    "Names by person id of the team and of everyone who acted on it (ids without a known name are left out).",
});
const named = { unitName: z.optional(z.string()), names };

const openApi = z.strictObject({
  openapi: z.literal("3.1.0"),
  info: z.record(z.string(), z.unknown()),
  servers: z.array(z.record(z.string(), z.unknown())),
  tags: z.array(z.record(z.string(), z.unknown())),
  components: z.record(z.string(), z.unknown()),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
});

/** The 2xx response body of every route. */
export const responses = {
  "GET /health": z.strictObject({
    status: z.literal("ok"),
    relayFailures: z.optional(count).register(z.globalRegistry, {
      description:
        "Local runtime only (npm start): changes the change relay gave up on, held in its failure queue (RelayFailures). The cloud watches that queue with an alarm instead.",
    }),
  }),
  "GET /openapi.json": openApi,
  "PUT /units/{unitId}": unit,
  "GET /units/{unitId}": unit,
  "GET /units": page(unit),
  "PUT /inspectors/{inspectorId}": inspector,
  "GET /inspectors/{inspectorId}": inspector,
  "GET /inspectors": page(inspector),
  "POST /templates": template,
  "GET /templates/{templateId}": template,
  "GET /templates": page(template),
  "POST /templates/{templateId}/versions": template,
  "POST /spot-checks": spotCheck,
  "POST /spot-checks/{id}/draw": drawResult,
  "GET /spot-checks/{id}": spotCheckWithAssignments,
  "GET /spot-checks": page(spotCheck),
  "GET /spot-checks/{id}/draw-proof": drawProof,
  "GET /spot-checks/{id}/bulletin": bulletin,
  "GET /spot-checks/{id}/bulletin.docx": documentFile,
  "GET /spot-checks/{id}/bulletin.pdf": documentFile,
  "GET /assignments": page(assignment),
  "GET /assignments/{id}": z.extend(assignment, named),
  "GET /assignments/{id}/evidence-pack": documentFile,
  "POST /assignments/{id}/arrival": arrivalResult,
  "POST /assignments/{id}/findings": findingsResult,
  "GET /rectifications": page(rectification),
  "GET /rectifications/{id}": z.extend(rectification, named),
  "POST /rectifications/{id}/report": rectification,
  "POST /rectifications/{id}/review": rectification,
  "POST /rectifications/{id}/extension-requests": z.extend(extensionRequest, { rectificationId: z.string() }),
  "POST /rectifications/{id}/extension-requests/{requestId}/decision": rectification,
  "GET /extension-requests": page(
    z.strictObject({
      requestId: z.string(),
      rectificationId: z.string(),
      spotCheckId: z.string(),
      unitId: z.string(),
      unitName,
      description: z.string(),
      deadline: time,
      reason: z.string(),
      requestedDeadline: time,
      requestedAt: time,
      requestedBy: z.string(),
      requestedByName: z.optional(z.string()),
      status: z.literal("pending"),
    }),
  ),
  "POST /evidence": evidenceUpload,
  "GET /evidence/{id}": evidence,
  "GET /evidence": page(evidence),
  "POST /people": z.extend(person, { temporaryPassword }),
  "GET /people": page(person),
  "GET /people/{personId}": person,
  "PATCH /people/{personId}": person,
  "POST /people/{personId}/reset-password": z.strictObject({ temporaryPassword }),
  "POST /imports": importCreated,
  "GET /imports/{importId}": importJob,
  "GET /imports/templates/{kind}": spreadsheet,
  "GET /dashboard": dashboard,
  "GET /dashboard.xlsx": documentFile,
  "GET /audit/{entityId}": auditTrail,
  "GET /me/notifications": page(notification),
} as const satisfies Record<RouteKey, z.ZodMiniType>;
