/**
 * The HTTP routes of the public API, written once. The CDK HTTP API creates one route and one
 * function per entry; the local server reads the routes back from the synthesized template; the
 * OpenAPI document (lambdas/api/openapi.ts, served at GET /openapi.json) is built from this list,
 * the request schemas of lambdas/api/schemas.ts and the response schemas of lambdas/api/responses.ts.
 */
export type RouteAuth = "jwt" | "none";

export interface RouteSpec {
  /** API Gateway route key: `METHOD /path/{param}`. */
  readonly routeKey: string;
  /** Handler module under `lambdas/handlers/`, without extension; it exports `handler`. */
  readonly handler: string;
  /** `none` only for the health check and the OpenAPI document. */
  readonly auth: RouteAuth;
  /** `false` for a handler that never touches the table (health, OpenAPI): no grant, no TABLE_NAME. */
  readonly table?: false;
  /**
   * What the handler does with the evidence bucket (`EVIDENCE_BUCKET`): `upload` presigns PUTs to
   * `uploads/`, `download` presigns GETs of verified `evidence/`, `import-upload` presigns PUTs of
   * spreadsheets to `imports/`, `import-results` presigns GETs of an import's credentials workbook
   * under `import-results/`, `exports` stores a document too large for a response under `exports/`
   * and presigns its GET, `evidence-pack` reads verified `evidence/` and does what `exports` does.
   * Granted as exactly that.
   */
  readonly objects?: "upload" | "download" | "import-upload" | "import-results" | "exports" | "evidence-pack";
  /**
   * The handler makes a document (a Word file, a PDF, a zip, a workbook): more memory and time than a
   * JSON route (lib/constructs/http-api.ts); `pdf` also gets the CJK font files copied into its bundle
   * (lambdas/shared/document-fonts.ts).
   */
  readonly document?: "file" | "pdf";
  /** The handler administers accounts in the user pool (`USER_POOL_ID`): granted the admin actions it uses. */
  readonly identity?: true;
  /** The handler publishes the notices it stores to the notification topic (`NOTIFY_TOPIC_ARN`). */
  readonly publishes?: true;
  /**
   * The handler may walk a whole unit tree (a plan over a city's 4,000 grids: a Query per unit) or
   * draw over it: the HTTP API's 29 s instead of a JSON route's 10 s (lib/constructs/http-api.ts).
   */
  readonly walksUnitTree?: true;
}

export const routes = [
  { routeKey: "GET /health", handler: "meta/health", auth: "none", table: false },
  { routeKey: "GET /openapi.json", handler: "meta/openapi", auth: "none", table: false },
  { routeKey: "PUT /units/{unitId}", handler: "units/put-unit", auth: "jwt" },
  { routeKey: "GET /units/{unitId}", handler: "units/get-unit", auth: "jwt" },
  { routeKey: "GET /units", handler: "units/list-units", auth: "jwt" },
  { routeKey: "PUT /inspectors/{inspectorId}", handler: "inspectors/put-inspector", auth: "jwt" },
  { routeKey: "GET /inspectors/{inspectorId}", handler: "inspectors/get-inspector", auth: "jwt" },
  { routeKey: "GET /inspectors", handler: "inspectors/list-inspectors", auth: "jwt" },
  { routeKey: "POST /templates", handler: "templates/create-template", auth: "jwt" },
  { routeKey: "GET /templates/{templateId}", handler: "templates/get-template", auth: "jwt" },
  { routeKey: "GET /templates", handler: "templates/list-templates", auth: "jwt" },
  { routeKey: "POST /templates/{templateId}/versions", handler: "templates/publish-version", auth: "jwt" },
  { routeKey: "POST /spot-checks", handler: "spot-checks/plan-spot-check", auth: "jwt", walksUnitTree: true },
  { routeKey: "POST /spot-checks/{id}/draw", handler: "spot-checks/draw", auth: "jwt", walksUnitTree: true },
  { routeKey: "GET /spot-checks/{id}", handler: "spot-checks/get-spot-check", auth: "jwt" },
  { routeKey: "GET /spot-checks", handler: "spot-checks/list-spot-checks", auth: "jwt" },
  { routeKey: "GET /spot-checks/{id}/draw-proof", handler: "spot-checks/get-draw-proof", auth: "jwt" },
  { routeKey: "GET /spot-checks/{id}/bulletin", handler: "spot-checks/get-bulletin", auth: "jwt" },
  {
    routeKey: "GET /spot-checks/{id}/bulletin.docx",
    handler: "spot-checks/get-bulletin-docx",
    auth: "jwt",
    objects: "exports",
    document: "file",
  },
  {
    routeKey: "GET /spot-checks/{id}/bulletin.pdf",
    handler: "spot-checks/get-bulletin-pdf",
    auth: "jwt",
    objects: "exports",
    document: "pdf",
  },
  { routeKey: "GET /assignments", handler: "assignments/list-assignments", auth: "jwt" },
  { routeKey: "GET /assignments/{id}", handler: "assignments/get-assignment", auth: "jwt" },
  {
    routeKey: "GET /assignments/{id}/evidence-pack",
    handler: "assignments/get-evidence-pack",
    auth: "jwt",
    objects: "evidence-pack",
    document: "file",
  },
  { routeKey: "POST /assignments/{id}/arrival", handler: "assignments/record-arrival", auth: "jwt" },
  {
    routeKey: "POST /assignments/{id}/findings",
    handler: "assignments/submit-findings",
    auth: "jwt",
  },
  { routeKey: "GET /rectifications", handler: "rectifications/list-rectifications", auth: "jwt" },
  { routeKey: "GET /rectifications/{id}", handler: "rectifications/get-rectification", auth: "jwt" },
  {
    routeKey: "POST /rectifications/{id}/report",
    handler: "rectifications/report-rectification",
    auth: "jwt",
    publishes: true,
  },
  {
    routeKey: "POST /rectifications/{id}/review",
    handler: "rectifications/review-rectification",
    auth: "jwt",
  },
  {
    routeKey: "POST /rectifications/{id}/extension-requests",
    handler: "rectifications/request-extension",
    auth: "jwt",
  },
  {
    routeKey: "POST /rectifications/{id}/extension-requests/{requestId}/decision",
    handler: "rectifications/decide-extension",
    auth: "jwt",
    publishes: true,
  },
  { routeKey: "GET /extension-requests", handler: "rectifications/list-extension-requests", auth: "jwt" },
  { routeKey: "POST /evidence", handler: "evidence/create-evidence", auth: "jwt", objects: "upload" },
  { routeKey: "GET /evidence/{id}", handler: "evidence/get-evidence", auth: "jwt", objects: "download" },
  { routeKey: "GET /evidence", handler: "evidence/list-evidence", auth: "jwt", objects: "download" },
  { routeKey: "POST /people", handler: "people/create-person", auth: "jwt", identity: true },
  { routeKey: "GET /people", handler: "people/list-people", auth: "jwt" },
  { routeKey: "GET /people/{personId}", handler: "people/get-person", auth: "jwt" },
  { routeKey: "PATCH /people/{personId}", handler: "people/update-person", auth: "jwt", identity: true },
  {
    routeKey: "POST /people/{personId}/reset-password",
    handler: "people/reset-password",
    auth: "jwt",
    identity: true,
  },
  { routeKey: "POST /imports", handler: "imports/create-import", auth: "jwt", objects: "import-upload" },
  {
    routeKey: "GET /imports/{importId}",
    handler: "imports/get-import",
    auth: "jwt",
    objects: "import-results",
  },
  { routeKey: "GET /imports/templates/{kind}", handler: "imports/get-template", auth: "jwt", table: false },
  { routeKey: "GET /dashboard", handler: "oversight/dashboard", auth: "jwt" },
  {
    routeKey: "GET /dashboard.xlsx",
    handler: "oversight/dashboard-xlsx",
    auth: "jwt",
    objects: "exports",
    document: "file",
  },
  { routeKey: "GET /audit/{entityId}", handler: "oversight/audit-trail", auth: "jwt" },
  { routeKey: "GET /me/notifications", handler: "oversight/my-notifications", auth: "jwt" },
] as const satisfies readonly RouteSpec[];

export type RouteKey = (typeof routes)[number]["routeKey"];
