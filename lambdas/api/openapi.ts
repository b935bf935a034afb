import * as z from "zod/mini";
import { MAX_IDEMPOTENCY_KEY_LENGTH } from "./http";
import { responses } from "./responses";
import { type RouteKey, type RouteSpec, routes } from "./routes";
import * as schemas from "./schemas";

interface RouteDoc {
  readonly summary: string;
  readonly who: string;
  readonly body?: z.ZodMiniType;
  readonly query?: z.ZodMiniType;
  /** The 2xx body (lambdas/api/responses.ts); every route has one. */
  readonly response: z.ZodMiniType;
  /** Success status; a PUT that creates or replaces answers 201 or 200 with the same body. */
  readonly success: number | readonly number[];
  /** A file, not JSON: the success body's media type (binary). */
  readonly file?: string;
  /** A document that may instead answer 303 See Other with a short-lived download URL (over 6 MB). */
  readonly seeOther?: true;
  readonly errors: readonly number[];
}

/** What each route does and who may call it; the route list itself is lambdas/api/routes.ts. */
const docs: Record<RouteKey, RouteDoc> = {
  "GET /health": {
    response: responses["GET /health"],
    summary: "Liveness",
    who: "anyone",
    success: 200,
    errors: [],
  },
  "GET /openapi.json": {
    response: responses["GET /openapi.json"],
    summary: "This document",
    who: "anyone",
    success: 200,
    errors: [],
  },
  "PUT /units/{unitId}": {
    response: responses["PUT /units/{unitId}"],
    summary: "Create or replace a unit",
    who: "admin, organizer",
    body: schemas.putUnit,
    success: [201, 200],
    errors: [400, 401, 403, 422],
  },
  "GET /units/{unitId}": {
    response: responses["GET /units/{unitId}"],
    summary: "A unit with its path from the root",
    who: "any role",
    success: 200,
    errors: [401, 404],
  },
  "GET /units": {
    response: responses["GET /units"],
    summary: "Direct children of parentId (roots without it)",
    who: "any role",
    query: schemas.listUnits,
    success: 200,
    errors: [400, 401],
  },
  "PUT /inspectors/{inspectorId}": {
    response: responses["PUT /inspectors/{inspectorId}"],
    summary: "Register an inspector",
    who: "admin, organizer",
    body: schemas.putInspector,
    success: [201, 200],
    errors: [400, 401, 403, 422],
  },
  "GET /inspectors/{inspectorId}": {
    response: responses["GET /inspectors/{inspectorId}"],
    summary: "An inspector",
    who: "admin, organizer, official, the inspector",
    success: 200,
    errors: [401, 404],
  },
  "GET /inspectors": {
    response: responses["GET /inspectors"],
    summary: "The inspector pool, by id",
    who: "admin, organizer, official",
    query: schemas.page,
    success: 200,
    errors: [400, 401, 403],
  },
  "POST /templates": {
    response: responses["POST /templates"],
    summary: "Create a checklist template (version 1)",
    who: "admin, organizer",
    body: schemas.createTemplate,
    success: 201,
    errors: [400, 401, 403],
  },
  "GET /templates/{templateId}": {
    response: responses["GET /templates/{templateId}"],
    summary: "The latest version of a template, or the one named by ?version=",
    who: "any role",
    query: schemas.templateQuery,
    success: 200,
    errors: [400, 401, 404],
  },
  "POST /templates/{templateId}/versions": {
    response: responses["POST /templates/{templateId}/versions"],
    summary:
      "Publish the next version of a template (name and grades default to the latest version's); versions never change, spot checks keep theirs",
    who: "admin, organizer",
    body: schemas.publishTemplateVersion,
    success: 201,
    errors: [400, 401, 403, 404, 409],
  },
  "GET /templates": {
    response: responses["GET /templates"],
    summary: "Every checklist template, newest first (each as first created)",
    who: "any role",
    query: schemas.page,
    success: 200,
    errors: [400, 401],
  },
  "POST /spot-checks": {
    response: responses["POST /spot-checks"],
    summary: "Plan a spot check; publishes the seed commitment",
    who: "admin, organizer",
    body: schemas.planSpotCheck,
    success: 201,
    errors: [400, 401, 403, 422],
  },
  "GET /spot-checks": {
    response: responses["GET /spot-checks"],
    summary: "Every spot check, newest first (without its assignments)",
    who: "admin, organizer, official",
    query: schemas.page,
    success: 200,
    errors: [400, 401, 403],
  },
  "POST /spot-checks/{id}/draw": {
    response: responses["POST /spot-checks/{id}/draw"],
    summary: "Run the random draw and dispatch the teams",
    who: "admin, organizer",
    success: 200,
    errors: [401, 403, 404, 409, 422],
  },
  "GET /spot-checks/{id}": {
    response: responses["GET /spot-checks/{id}"],
    summary: "A spot check with its assignments",
    who: "admin, organizer, official",
    success: 200,
    errors: [401, 404],
  },
  "GET /spot-checks/{id}/draw-proof": {
    response: responses["GET /spot-checks/{id}/draw-proof"],
    summary: "Inputs and result of the draw; the seed after window.end",
    who: "admin, organizer, official",
    success: 200,
    errors: [401, 404],
  },
  "GET /spot-checks/{id}/bulletin": {
    response: responses["GET /spot-checks/{id}/bulletin"],
    summary: "Bulletin (通报): ranking, problems, overdue, escalations",
    who: "admin, organizer, official",
    success: 200,
    errors: [401, 404],
  },
  "GET /spot-checks/{id}/bulletin.docx": {
    response: responses["GET /spot-checks/{id}/bulletin.docx"],
    summary:
      "The 督查通报 as a Word document laid out per GB/T 9704 (A4; 2号方正小标宋简体 title, 3号仿宋_GB2312 body)",
    who: "admin, organizer, official; others 403",
    success: 200,
    file: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    seeOther: true,
    errors: [401, 403, 404],
  },
  "GET /spot-checks/{id}/bulletin.pdf": {
    response: responses["GET /spot-checks/{id}/bulletin.pdf"],
    summary:
      "The 督查通报 as PDF (A4, GB/T 9704 layout), with a free CJK font (Noto Serif SC) embedded as a subset",
    who: "admin, organizer, official; others 403",
    success: 200,
    file: "application/pdf",
    seeOther: true,
    errors: [401, 403, 404],
  },
  "GET /assignments": {
    response: responses["GET /assignments"],
    summary: "Assignments visible to the caller",
    who: "inspector: own; unit: own after arrival; others: all",
    query: schemas.page,
    success: 200,
    errors: [400, 401],
  },
  "GET /assignments/{id}": {
    response: responses["GET /assignments/{id}"],
    summary: "One assignment",
    who: "as the list; anyone else 404",
    success: 200,
    errors: [401, 404],
  },
  "GET /assignments/{id}/evidence-pack": {
    response: responses["GET /assignments/{id}/evidence-pack"],
    summary:
      "The evidence pack (证据包): a zip of the assignment, its orders with their histories, the evidence files, the audit chains with their verification, the draw proof and a SHA-256 manifest; `npm run verify-pack -- file.zip` checks it offline",
    who: "admin, organizer, official; others 403",
    success: 200,
    file: "application/zip",
    seeOther: true,
    errors: [401, 403, 404],
  },
  "POST /assignments/{id}/arrival": {
    response: responses["POST /assignments/{id}/arrival"],
    summary: "Record the team's arrival with GPS position",
    who: "an inspector of the team",
    body: schemas.arrival,
    success: 200,
    errors: [400, 401, 403, 404, 409],
  },
  "POST /assignments/{id}/findings": {
    response: responses["POST /assignments/{id}/findings"],
    summary: "Submit scores and issues found on site",
    who: "an inspector of the team",
    body: schemas.findings,
    success: 202,
    errors: [400, 401, 403, 404, 409, 422],
  },
  "GET /rectifications": {
    response: responses["GET /rectifications"],
    summary: "Rectification orders visible to the caller",
    who: "unit: own; inspector: own assignments'; others: all",
    query: schemas.listRectifications,
    success: 200,
    errors: [400, 401],
  },
  "GET /rectifications/{id}": {
    response: responses["GET /rectifications/{id}"],
    summary: "One rectification order",
    who: "as the list",
    success: 200,
    errors: [401, 404],
  },
  "POST /rectifications/{id}/report": {
    response: responses["POST /rectifications/{id}/report"],
    summary: "Report the rectification with evidence",
    who: "the unit's users",
    body: schemas.report,
    success: 200,
    errors: [400, 401, 403, 404, 409],
  },
  "POST /rectifications/{id}/review": {
    response: responses["POST /rectifications/{id}/review"],
    summary: "Accept (close) or reject (reopen with a new deadline)",
    who: "an inspector of the team, organizer, admin",
    body: schemas.review,
    success: 200,
    errors: [400, 401, 403, 404, 409, 422],
  },
  "POST /rectifications/{id}/extension-requests": {
    response: responses["POST /rectifications/{id}/extension-requests"],
    summary: "Ask for a later deadline (延期申请), before the deadline, with a reason",
    who: "the order's unit",
    body: schemas.extensionRequest,
    success: 201,
    errors: [400, 401, 403, 404, 409, 422],
  },
  "POST /rectifications/{id}/extension-requests/{requestId}/decision": {
    response: responses["POST /rectifications/{id}/extension-requests/{requestId}/decision"],
    summary: "Approve (moving the deadline and every timer with it) or refuse an extension request",
    who: "organizer, admin",
    body: schemas.extensionDecision,
    success: 200,
    errors: [400, 401, 403, 404, 409, 422],
  },
  "GET /extension-requests": {
    response: responses["GET /extension-requests"],
    summary: "The queue of pending extension requests, oldest first",
    who: "organizer, admin",
    query: schemas.listExtensionRequests,
    success: 200,
    errors: [400, 401, 403],
  },
  "POST /evidence": {
    response: responses["POST /evidence"],
    summary: "Ask to upload a photo or document (取证): a presigned PUT of at most 15 minutes",
    who: "finding: an inspector of the team after arrival; before: an inspector of the order's team; after: the order's unit; review: whoever may review the order",
    body: schemas.createEvidence,
    success: 201,
    errors: [400, 401, 403, 404, 409, 422],
  },
  "GET /evidence/{id}": {
    response: responses["GET /evidence/{id}"],
    summary: "One photo or document, with a download URL of at most 5 minutes once verified",
    who: "whoever may see its subject",
    success: 200,
    errors: [401, 404],
  },
  "GET /evidence": {
    response: responses["GET /evidence"],
    summary: "The photos and documents of one assignment or rectification order, oldest first",
    who: "whoever may see the subject",
    query: schemas.listEvidence,
    success: 200,
    errors: [400, 401, 404],
  },
  "POST /people": {
    response: responses["POST /people"],
    summary: "Create a person with an account and a temporary password (an inspector also gets its profile)",
    who: "admin; organizer for people whose roles are inspector alone",
    body: schemas.createPerson,
    success: 201,
    errors: [400, 401, 403, 409, 422],
  },
  "GET /people": {
    response: responses["GET /people"],
    summary: "People by username, optionally of one role and one unit",
    who: "admin; organizer (inspectors only)",
    query: schemas.listPeople,
    success: 200,
    errors: [400, 401, 403],
  },
  "GET /people/{personId}": {
    response: responses["GET /people/{personId}"],
    summary: "One person",
    who: "admin; organizer for inspectors; the person themselves",
    success: 200,
    errors: [401, 403, 404],
  },
  "PATCH /people/{personId}": {
    response: responses["PATCH /people/{personId}"],
    summary: "Change name, phone, roles, unit, home unit; enabled: false disables the account",
    who: "admin; organizer for people whose roles are inspector alone",
    body: schemas.updatePerson,
    success: 200,
    errors: [400, 401, 403, 404, 409, 422],
  },
  "POST /people/{personId}/reset-password": {
    response: responses["POST /people/{personId}/reset-password"],
    summary: "A new temporary password (the old one and every session end)",
    who: "admin; organizer for people whose roles are inspector alone",
    success: 200,
    errors: [401, 403, 404],
  },
  "POST /imports": {
    response: responses["POST /imports"],
    summary:
      "Import units or people from an .xlsx or .csv (导入): a presigned PUT of at most 15 minutes; the upload itself starts the import",
    who: "units: admin; people: admin, organizer (rows of people whose roles are inspector alone)",
    body: schemas.createImport,
    success: 201,
    errors: [400, 401, 403, 422],
  },
  "GET /imports/{importId}": {
    response: responses["GET /imports/{importId}"],
    summary:
      "An import's status, progress and every error; its importer also gets the workbook of temporary passwords (5-minute URL)",
    who: "the person who started it, any admin",
    success: 200,
    errors: [401, 404],
  },
  "GET /imports/templates/{kind}": {
    response: responses["GET /imports/templates/{kind}"],
    summary: "The import template of units or people: an .xlsx with the Chinese headers and one example row",
    who: "units: admin; people: admin, organizer",
    success: 200,
    file: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    errors: [400, 401, 403],
  },
  "GET /dashboard": {
    response: responses["GET /dashboard"],
    summary: "Rectification dashboard (all orders, or those of ?spotCheckId=)",
    who: "admin, organizer, official",
    query: schemas.dashboardQuery,
    success: 200,
    errors: [400, 401, 403, 404],
  },
  "GET /dashboard.xlsx": {
    response: responses["GET /dashboard.xlsx"],
    summary:
      "The dashboard's lists as a workbook (概况, 逾期整改, 临期整改, 按单位; Chinese headers, China Standard Time, names)",
    who: "admin, organizer, official; others 403",
    query: schemas.dashboardQuery,
    success: 200,
    file: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    seeOther: true,
    errors: [400, 401, 403, 404],
  },
  "GET /audit/{entityId}": {
    response: responses["GET /audit/{entityId}"],
    summary: "Audit trail of an entity",
    who: "admin, organizer, official",
    query: schemas.page,
    success: 200,
    errors: [400, 401, 403],
  },
  "GET /me/notifications": {
    response: responses["GET /me/notifications"],
    summary: "Reminders and escalations for the caller and their unit",
    who: "any role",
    query: schemas.page,
    success: 200,
    errors: [400, 401],
  },
};

const problem = {
  type: "object",
  required: ["type", "title", "status", "detail"],
  properties: {
    type: { type: "string" },
    title: { type: "string" },
    status: { type: "integer", format: "int32", minimum: 400, maximum: 599 },
    detail: { type: "string" },
    errors: {
      type: "array",
      items: { type: "object", properties: { path: { type: "string" }, message: { type: "string" } } },
    },
  },
};

const jsonSchema = (schema: z.ZodMiniType, io: "input" | "output" = "input") =>
  z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io,
    unrepresentable: "any",
    override: (ctx) => terse(ctx, io),
  });

const INT32 = 2 ** 31;

/**
 * `format: date-time` says it all: drop zod's long regex. Integers say whether they fit in 32 bits;
 * a response's ±2^53 bounds (any JSON integer) are dropped, a request's are kept: they are its limits.
 */
function terse({ jsonSchema: s }: { jsonSchema: Record<string, unknown> }, io: "input" | "output") {
  if (s.format === "date-time") delete s.pattern;
  if (s.type === "integer") {
    if (io === "output" && s.maximum === Number.MAX_SAFE_INTEGER) delete s.maximum;
    if (io === "output" && s.minimum === Number.MIN_SAFE_INTEGER) delete s.minimum;
    const { minimum: min, maximum: max } = s;
    const int32 = typeof min === "number" && typeof max === "number" && min >= -INT32 && max < INT32;
    s.format ??= int32 ? "int32" : "int64";
  }
}

/**
 * Path parameters as the handlers parse them (the `*Params` schemas): an opaque id, at most 128
 * characters, unless a route's schema says otherwise (`{kind}` of the import templates).
 */
const pathParameters: Record<string, unknown> = Object.assign(
  {},
  ...[schemas.extensionRequestParams, schemas.importTemplateParams].map(
    (s) => (jsonSchema(s) as { properties?: Record<string, unknown> }).properties ?? {},
  ),
);
const pathParameter = (name: string) => pathParameters[name] ?? jsonSchema(schemas.id);

/** What API Gateway itself answers (its throttling; its JWT authorizer in the cloud): `{ message }`. */
const gatewayMessage = {
  type: "object",
  required: ["message"],
  properties: { message: { type: "string", maxLength: 200 } },
};

/** Responses every operation may give, besides its own (`docs`). */
const commonResponses = {
  Unauthenticated: {
    description:
      "No token, or not a valid one. The handlers and the local server answer a problem; in the cloud API Gateway's JWT authorizer answers with a GatewayMessage (Unauthorized) before any handler runs.",
    content: {
      "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } },
      "application/json": { schema: { $ref: "#/components/schemas/GatewayMessage" } },
    },
  },
  TooManyRequests: {
    description:
      "Shed before the operation ran, so nothing changed: retry after a pause (Retry-After when given, else a backoff of your own), with the same Idempotency-Key for a write. In the cloud API Gateway's stage throttling answers a GatewayMessage without Retry-After; the local server, whose functions share one process, answers a problem with Retry-After when a function's concurrency is exhausted.",
    headers: {
      "Retry-After": {
        description: "Seconds to wait before retrying (the local server; absent from API Gateway's own 429).",
        schema: { type: "integer", minimum: 1 },
      },
    },
    content: {
      "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } },
      "application/json": { schema: { $ref: "#/components/schemas/GatewayMessage" } },
    },
  },
  InternalError: {
    description: "An unexpected failure of the system (logged); never the answer to anything a client sent.",
    content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
  },
  Unavailable: {
    description:
      "A dependency (the database, the user pool, the object store) is busy or unavailable: retry after Retry-After seconds, with the same Idempotency-Key for a write.",
    headers: {
      "Retry-After": {
        description: "Seconds to wait before retrying.",
        schema: { type: "integer", minimum: 1 },
      },
    },
    content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
  },
};

const COMMON_BY_STATUS: Readonly<Record<number, keyof typeof commonResponses>> = {
  401: "Unauthenticated",
  429: "TooManyRequests",
  500: "InternalError",
  503: "Unavailable",
};

/** The tags: one per directory of handlers. */
const TAGS: Readonly<Record<string, string>> = {
  meta: "Liveness and this document",
  units: "The unit tree (被督查单位)",
  inspectors: "The inspector pool (督查员)",
  templates: "Checklists (考评细则), versioned",
  "spot-checks": "Spot checks (督查任务): planning, the verifiable draw, the bulletin",
  assignments: "One target unit and one team: arrival, findings, the evidence pack",
  rectifications: "Rectification orders (整改): reports, reviews, extensions",
  evidence: "Photos and documents (取证): presigned uploads and downloads",
  oversight: "The dashboard, audit trails and notifications",
  people: "Accounts and their roles",
  imports: "Spreadsheet imports of units and people",
};

/** The tag of a route: the directory of its handler (`units/put-unit` → `units`). */
const tagOf = (route: RouteSpec) => route.handler.split("/")[0] ?? "meta";

export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes as readonly RouteSpec[]) {
    const [method = "GET", path = "/"] = route.routeKey.split(" ");
    const doc = docs[route.routeKey as RouteKey];
    const parameters: unknown[] = [...path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: pathParameter(m[1] ?? ""),
    }));
    if (doc.query) {
      const properties = (jsonSchema(doc.query) as { properties?: Record<string, unknown> }).properties ?? {};
      for (const [name, schema] of Object.entries(properties))
        parameters.push({ name, in: "query", required: false, schema });
    }
    if (method === "POST" || method === "PUT" || method === "PATCH") {
      parameters.push({
        name: "Idempotency-Key",
        in: "header",
        required: false,
        schema: { type: "string", maxLength: MAX_IDEMPOTENCY_KEY_LENGTH },
        description: "Same key and body within 24 h returns the first response with no second effect.",
      });
    }
    const content = doc.file
      ? { [doc.file]: { schema: { type: "string", format: "binary" } } }
      : { "application/json": { schema: jsonSchema(doc.response, "output") } };
    const statuses: Record<string, unknown> = {};
    for (const status of typeof doc.success === "number" ? [doc.success] : doc.success) {
      statuses[String(status)] = {
        description: status === 201 ? "Created" : status === 202 ? "Accepted" : "Success",
        content,
      };
    }
    if (doc.seeOther) {
      statuses["303"] = {
        description:
          "See Other: the document exceeds a response (6 MB); download it from Location within 5 minutes",
        headers: { Location: { schema: { type: "string", format: "uri" } } },
      };
    }
    // What any operation may answer besides its own list: 400 when it parses input (path, query,
    // body), 401 when it needs a token, 429 (API Gateway's throttling), 500, and 503 when it reads
    // or writes a dependency.
    const parsesInput = parameters.some((p) => (p as { in: string }).in !== "header") || doc.body;
    const errors = new Set([
      ...(parsesInput ? [400] : []),
      ...(route.auth === "jwt" ? [401] : []),
      ...doc.errors,
      429,
      500,
      ...(route.table === false ? [] : [503]),
    ]);
    for (const status of [...errors].sort((a, b) => a - b)) {
      const common = COMMON_BY_STATUS[status];
      if (common) {
        statuses[String(status)] = { $ref: `#/components/responses/${common}` };
        continue;
      }
      statuses[String(status)] = {
        description: "Problem",
        content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
      };
    }
    paths[path] ??= {};
    paths[path][method.toLowerCase()] = {
      operationId: route.handler.replace(/[/-](\w)/g, (_, c: string) => c.toUpperCase()),
      tags: [tagOf(route)],
      summary: doc.summary,
      description: `Who: ${doc.who}.`,
      ...(route.auth === "jwt" ? { security: [{ bearer: [] }] } : { security: [] }),
      parameters,
      ...(doc.body
        ? {
            requestBody: {
              required: true,
              content: { "application/json": { schema: jsonSchema(doc.body) } },
            },
          }
        : {}),
      responses: statuses,
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Spot inspections (四不两直) API",
      version: "1.0.0",
      contact: { name: "The spot-inspections maintainers (docs/api.md in the repository)" },
      description:
        "Unannounced spot inspections: planning, random draw, on-site scoring, rectification follow-up.",
    },
    // The document is served by the API it describes: its URLs are relative to where it was fetched.
    servers: [
      {
        url: "/",
        description:
          "The origin that served this document: production (the cloud stack's HTTP API) or local (`npm start`)",
        "x-internal": false,
      },
    ],
    tags: [...new Set((routes as readonly RouteSpec[]).map(tagOf))].map((name) => ({
      name,
      description: TAGS[name] ?? name,
    })),
    components: {
      responses: commonResponses,
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description:
            "An ID token of the user pool (Cognito in the cloud, the local pool with `npm start`), verified as RFC8725 (JWT Best Current Practices) asks of a verifier: the algorithm fixed (RS256, keys from the issuer's JWKS, never `none`), the issuer and the audience (the app client, so an access token is refused) checked, expiry enforced; tokens live 5 minutes.",
        },
      },
      schemas: { Problem: problem, GatewayMessage: gatewayMessage },
    },
    paths,
  };
}
