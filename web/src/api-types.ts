import type * as z from "zod/mini";
import type { responses } from "../../lambdas/api/responses";
import type * as schemas from "../../lambdas/api/schemas";
import type { EndpointName, endpoints } from "./endpoints";

/**
 * The API's wire types as the console reads and sends them, derived from the schemas the server
 * declares once: the response bodies of lambdas/api/responses.ts and the request bodies of
 * lambdas/api/schemas.ts. Imported as types only — no zod code enters the console's bundle — so a
 * field the server adds, renames or drops shows up here at type-check time (`npx tsc -p web`), not
 * in a person's browser. Nothing in this file is a shape written by hand: only names for the parts.
 *
 * The status lists and other closed sets come from lambdas/domain/statuses.ts and roles.ts.
 */

export type { NoticeKind } from "../../lambdas/domain/notices";
export type { Role as PersonRole } from "../../lambdas/domain/roles";
export type {
  AssignmentStatus,
  EvidencePurpose,
  EvidenceStatus,
  EvidenceSubjectKind,
  ExtensionRequestStatus as ExtensionStatus,
  ImportKind,
  ImportStatus,
  Light,
  OrderHistoryAction,
  RectificationStatus,
  Severity,
  SpotCheckStatus,
} from "../../lambdas/domain/statuses";

type Routes = typeof responses;
/** The 2xx body of a route, as `METHOD /path` names it in lambdas/api/routes.ts. */
export type ResponseOf<K extends keyof Routes> = z.infer<Routes[K]>;
/** An item of a paged list route's `items`. */
type ItemOf<K extends keyof Routes> = ResponseOf<K> extends { items: (infer T)[] } ? T : never;
/** What a detail route adds to its list's item (the names a page shows), as optional fields. */
type WithDetail<Item, Detail> = Item & Partial<Omit<Detail, keyof Item>>;

/** The route key of each of the console's endpoints (web/src/endpoints.ts): `GET /units/{unitId}`. */
type EndpointRoutes = {
  [N in EndpointName]: `${(typeof endpoints)[N]["method"]} ${(typeof endpoints)[N]["path"]}`;
};
/** An endpoint whose method and path are no route of the API fails the type check here. */
type Routed<T extends Record<EndpointName, keyof Routes>> = T;

/**
 * The response of every endpoint the console calls. The document routes (Word, PDF, zip, workbook)
 * are read with `ApiClient.blob`, not `call`.
 */
export type Responses = { [N in EndpointName]: ResponseOf<Routed<EndpointRoutes>[N]> };

/** The request body of every endpoint that sends one, as the server's schema accepts it (its input). */
export interface Bodies {
  putUnit: z.input<typeof schemas.putUnit>;
  createTemplate: z.input<typeof schemas.createTemplate>;
  planSpotCheck: z.input<typeof schemas.planSpotCheck>;
  recordArrival: z.input<typeof schemas.arrival>;
  submitFindings: z.input<typeof schemas.findings>;
  reportRectification: z.input<typeof schemas.report>;
  reviewRectification: z.input<typeof schemas.review>;
  createEvidence: z.input<typeof schemas.createEvidence>;
  createPerson: z.input<typeof schemas.createPerson>;
  updatePerson: z.input<typeof schemas.updatePerson>;
  createImport: z.input<typeof schemas.createImport>;
  requestExtension: z.input<typeof schemas.extensionRequest>;
  decideExtension: z.input<typeof schemas.extensionDecision>;
}

/** `{ items, nextCursor }`: a page of a list. */
export type Page<T> = Omit<ResponseOf<"GET /units">, "items"> & { items: T[] };

// ---- units, inspectors, templates ----------------------------------------------------------
export type Unit = ResponseOf<"GET /units/{unitId}">;
export type LatLng = NonNullable<Unit["location"]>;
export type Inspector = ResponseOf<"GET /inspectors/{inspectorId}">;
export type Template = ResponseOf<"GET /templates/{templateId}">;
export type TemplateItem = Template["items"][number];
export type Grade = Template["grades"][number];

// ---- spot checks ---------------------------------------------------------------------------
/** A spot check as `GET /spot-checks` lists it: `GET /spot-checks/{id}` without `assignments`. */
export type SpotCheckSummary = ItemOf<"GET /spot-checks">;
export type SpotCheck = ResponseOf<"GET /spot-checks/{id}">;
export type Window = SpotCheck["window"];
export type AssignmentSummary = SpotCheck["assignments"][number];
export type PlannedSpotCheck = ResponseOf<"POST /spot-checks">;
export type DrawResult = ResponseOf<"POST /spot-checks/{id}/draw">;
export type DrawProof = ResponseOf<"GET /spot-checks/{id}/draw-proof">;
/** A unit left out of the candidates by 减负 (`excludeInspectedWithinDays`): its last arrival. */
export type DrawExclusion = NonNullable<DrawProof["excluded"]>[number];
export type Bulletin = ResponseOf<"GET /spot-checks/{id}/bulletin">;

// ---- assignments ---------------------------------------------------------------------------
/** `GET /assignments/{id}`: the assignment with the unit's name and names by person id (team, actors). */
export type AssignmentDetail = ResponseOf<"GET /assignments/{id}">;
/** An assignment (督查任务) as `GET /assignments` lists it, or as `GET /assignments/{id}` answers it. */
export type Assignment = WithDetail<ItemOf<"GET /assignments">, AssignmentDetail>;
export type Score = NonNullable<Assignment["score"]>;
export type Arrival = NonNullable<Assignment["arrival"]>;

// ---- rectification orders ------------------------------------------------------------------
/** `GET /rectifications/{id}`: the order with the unit's name and names by person id (team, history). */
export type RectificationDetail = ResponseOf<"GET /rectifications/{id}">;
/**
 * A rectification order (整改单) as the lists, the report, the review and the decisions answer it,
 * or as `GET /rectifications/{id}` does.
 */
export type Rectification = WithDetail<ItemOf<"GET /rectifications">, RectificationDetail>;
/** 延期申请 as an order lists it. */
export type ExtensionRequest = Rectification["extensionRequests"][number];
/** A pending request as the queue lists it (`GET /extension-requests`). */
export type ExtensionQueueItem = ItemOf<"GET /extension-requests">;

// ---- evidence ------------------------------------------------------------------------------
/** A photo or document (取证) as `GET /evidence/{id}` answers. */
export type Evidence = ResponseOf<"GET /evidence/{id}">;
export type EvidenceSubject = Evidence["subject"];
export type EvidenceUpload = ResponseOf<"POST /evidence">;

// ---- oversight -----------------------------------------------------------------------------
export type Dashboard = ResponseOf<"GET /dashboard">;
export type UnitRow = Dashboard["byUnit"][number];
export type AuditTrail = ResponseOf<"GET /audit/{entityId}">;
export type AuditEntry = AuditTrail["items"][number];
/** Who acted in an audit trail: a person's name and roles, by id. */
export type AuditActor = AuditTrail["actors"][string];
export type Notification = ItemOf<"GET /me/notifications">;

// ---- people and imports --------------------------------------------------------------------
/** A person with an account (`GET /people`). */
export type Person = ResponseOf<"GET /people/{personId}">;
/** An import of a spreadsheet (`GET /imports/{importId}`). */
export type ImportJob = ResponseOf<"GET /imports/{importId}">;
export type ImportUpload = ResponseOf<"POST /imports">;
