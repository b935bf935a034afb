/**
 * Every API operation the console calls, as plain data: method, path template, and the request-body
 * and query fields it sends. The client (api.ts) can only call what is listed here, and
 * test/e2e/console.test.ts checks this list against the server's `GET /openapi.json`.
 */
export interface Endpoint {
  readonly method: "GET" | "POST" | "PUT" | "PATCH";
  readonly path: string;
  readonly body?: readonly string[];
  readonly query?: readonly string[];
}

export const endpoints = {
  getUnit: { method: "GET", path: "/units/{unitId}" },
  putUnit: {
    method: "PUT",
    path: "/units/{unitId}",
    body: ["name", "parentId", "kind", "location", "radiusMeters"],
  },
  listUnits: { method: "GET", path: "/units", query: ["parentId", "limit", "cursor"] },
  listInspectors: { method: "GET", path: "/inspectors", query: ["limit", "cursor"] },
  getInspector: { method: "GET", path: "/inspectors/{inspectorId}" },
  listTemplates: { method: "GET", path: "/templates", query: ["limit", "cursor"] },
  createTemplate: { method: "POST", path: "/templates", body: ["name", "items", "grades"] },
  getTemplate: { method: "GET", path: "/templates/{templateId}" },
  listSpotChecks: { method: "GET", path: "/spot-checks", query: ["limit", "cursor"] },
  planSpotCheck: {
    method: "POST",
    path: "/spot-checks",
    body: [
      "title",
      "templateId",
      "candidateUnitIds",
      "parentUnitId",
      "sampleSize",
      "inspectorIds",
      "teamSize",
      "window",
      "rectifyWithinDays",
      "rectifyWithinWorkdays",
      "escalateAfterHours",
      "maxExtensions",
      "excludeInspectedWithinDays",
    ],
  },
  draw: { method: "POST", path: "/spot-checks/{id}/draw" },
  getSpotCheck: { method: "GET", path: "/spot-checks/{id}" },
  getDrawProof: { method: "GET", path: "/spot-checks/{id}/draw-proof" },
  getBulletin: { method: "GET", path: "/spot-checks/{id}/bulletin" },
  bulletinDocx: { method: "GET", path: "/spot-checks/{id}/bulletin.docx" },
  bulletinPdf: { method: "GET", path: "/spot-checks/{id}/bulletin.pdf" },
  listAssignments: { method: "GET", path: "/assignments", query: ["limit", "cursor"] },
  getAssignment: { method: "GET", path: "/assignments/{id}" },
  evidencePack: { method: "GET", path: "/assignments/{id}/evidence-pack" },
  recordArrival: { method: "POST", path: "/assignments/{id}/arrival", body: ["location", "capturedAt"] },
  submitFindings: {
    method: "POST",
    path: "/assignments/{id}/findings",
    body: ["items", "issues", "capturedAt"],
  },
  listRectifications: {
    method: "GET",
    path: "/rectifications",
    query: ["status", "unitId", "overdue", "limit", "cursor"],
  },
  getRectification: { method: "GET", path: "/rectifications/{id}" },
  reportRectification: {
    method: "POST",
    path: "/rectifications/{id}/report",
    body: ["description", "evidence", "evidenceIds"],
  },
  reviewRectification: {
    method: "POST",
    path: "/rectifications/{id}/review",
    body: ["decision", "comment", "deadline", "evidenceIds"],
  },
  createEvidence: {
    method: "POST",
    path: "/evidence",
    body: ["subject", "purpose", "fileName", "contentType", "size", "capturedAt", "location"],
  },
  getEvidence: { method: "GET", path: "/evidence/{id}" },
  listEvidence: {
    method: "GET",
    path: "/evidence",
    query: ["subjectKind", "subjectId", "limit", "cursor"],
  },
  dashboard: { method: "GET", path: "/dashboard", query: ["spotCheckId"] },
  dashboardXlsx: { method: "GET", path: "/dashboard.xlsx", query: ["spotCheckId"] },
  audit: { method: "GET", path: "/audit/{entityId}", query: ["limit", "cursor"] },
  notifications: { method: "GET", path: "/me/notifications", query: ["limit", "cursor"] },
  listPeople: { method: "GET", path: "/people", query: ["role", "unitId", "limit", "cursor"] },
  getPerson: { method: "GET", path: "/people/{personId}" },
  createPerson: {
    method: "POST",
    path: "/people",
    body: ["name", "phone", "username", "roles", "unitId", "homeUnitId"],
  },
  updatePerson: {
    method: "PATCH",
    path: "/people/{personId}",
    body: ["name", "phone", "roles", "unitId", "homeUnitId", "enabled"],
  },
  resetPassword: { method: "POST", path: "/people/{personId}/reset-password" },
  createImport: { method: "POST", path: "/imports", body: ["kind", "fileName", "contentType", "size"] },
  getImport: { method: "GET", path: "/imports/{importId}" },
  importTemplate: { method: "GET", path: "/imports/templates/{kind}" },
  requestExtension: {
    method: "POST",
    path: "/rectifications/{id}/extension-requests",
    body: ["reason", "requestedDeadline"],
  },
  decideExtension: {
    method: "POST",
    path: "/rectifications/{id}/extension-requests/{requestId}/decision",
    body: ["decision", "comment", "deadline"],
  },
  listExtensionRequests: {
    method: "GET",
    path: "/extension-requests",
    query: ["status", "limit", "cursor"],
  },
} as const satisfies Record<string, Endpoint>;

export type EndpointName = keyof typeof endpoints;
