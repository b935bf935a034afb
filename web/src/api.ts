import { type Endpoint, type EndpointName, endpoints } from "./endpoints";

/** Wire types of ../shared/API.md, as the console reads them. */
export interface LatLng {
  lat: number;
  lng: number;
}
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
export interface Unit {
  unitId: string;
  name: string;
  parentId: string | null;
  kind: string;
  location?: LatLng;
  radiusMeters?: number;
  path: string[];
}
export interface Inspector {
  inspectorId: string;
  name: string;
  homeUnitId: string;
}
export interface TemplateItem {
  code: string;
  title: string;
  maxPoints: number;
  critical?: boolean;
}
export interface Grade {
  name: string;
  minPercent: number;
}
export interface Template {
  templateId: string;
  version: number;
  name: string;
  items: TemplateItem[];
  grades: Grade[];
  maxPoints: number;
  createdAt?: string;
  createdBy?: string;
}
export interface Window {
  start: string;
  end: string;
}
export type AssignmentStatus = "dispatched" | "on_site" | "scored" | "rectifying" | "closed" | "missed";
export interface Score {
  points: number;
  maxPoints: number;
  percent: number;
  grade: string;
  vetoed: boolean;
}
export interface AssignmentSummary {
  assignmentId: string;
  unitId: string;
  inspectorIds: string[];
  status: AssignmentStatus;
  score?: Score;
}
export type SpotCheckStatus = "planned" | "dispatched";
/** A spot check as `GET /spot-checks` lists it: `GET /spot-checks/{id}` without `assignments`. */
export interface SpotCheckSummary {
  spotCheckId: string;
  title: string;
  templateId: string;
  templateVersion: number;
  candidateUnitIds: string[];
  parentUnitId?: string;
  sampleSize: number;
  inspectorIds: string[];
  teamSize: number;
  window: Window;
  rectifyWithinDays: number;
  /** 工作日: when set, deadlines count working days (v2). */
  rectifyWithinWorkdays?: number;
  maxExtensions?: number;
  excludeInspectedWithinDays?: number;
  escalateAfterHours: number;
  status: SpotCheckStatus;
  seedCommitment: string;
  createdBy: string;
  createdAt: string;
  drawnAt?: string;
}
export interface SpotCheck extends SpotCheckSummary {
  assignments: AssignmentSummary[];
}
export interface PlannedSpotCheck {
  spotCheckId: string;
  status: string;
  seedCommitment: string;
}
export interface DrawResult {
  spotCheckId: string;
  status: string;
  assignments: { assignmentId: string; unitId: string; inspectorIds: string[] }[];
}
/** A unit left out of the candidates by 减负 (`excludeInspectedWithinDays`): its last arrival. */
export interface DrawExclusion {
  unitId: string;
  lastArrivalAt?: string;
  [key: string]: unknown;
}
export interface DrawProof {
  spotCheckId?: string;
  status?: SpotCheckStatus;
  seedCommitment: string;
  seed?: string;
  seedRevealed?: boolean;
  revealAfter?: string;
  algorithm?: string;
  sampleSize: number;
  teamSize: number;
  candidates: string[];
  pool: { inspectorId: string; homeUnitId?: string }[];
  lineage?: Record<string, string[]>;
  selected: { unitId: string; inspectorIds: string[] }[];
  excluded?: (DrawExclusion | string)[];
  excludeInspectedWithinDays?: number;
  drawnAt?: string;
}
export type Severity = "minor" | "major" | "critical";
export interface Assignment extends AssignmentSummary {
  spotCheckId: string;
  /** Present once the API publishes it; older servers leave it out. */
  templateId?: string;
  templateVersion?: number;
  window: Window;
  arrival?: { at: string; location: LatLng; distanceMeters: number | null; onSite: boolean; by?: string };
  findings?: {
    items: { code: string; deduction: number; note?: string; evidenceIds?: string[] }[];
    issues: {
      itemCode?: string;
      description: string;
      severity: Severity;
      deadline: string;
      rectificationId?: string;
      evidenceIds?: string[];
    }[];
    submittedAt: string;
    submittedBy: string;
  };
  rectificationIds: string[];
  closedAt?: string;
  missedAt?: string;
  /** `GET /assignments/{id}` only: the unit's name and names by person id (team, actors). */
  unitName?: string;
  names?: Record<string, string>;
}
export type Light = "green" | "yellow" | "red";
export type RectificationStatus = "open" | "submitted" | "closed";
export type ExtensionStatus = "pending" | "approved" | "refused";
/** 延期申请 as an order lists it. */
export interface ExtensionRequest {
  requestId: string;
  status: ExtensionStatus;
  reason: string;
  requestedDeadline: string;
  requestedAt?: string;
  requestedBy?: string;
  decidedBy?: string;
  decidedAt?: string;
  comment?: string;
  /** The deadline an approval set (the requested one unless the approver chose another). */
  deadline?: string;
}
/** A pending request as the queue lists it (`GET /extension-requests`). */
export interface ExtensionQueueItem {
  requestId: string;
  rectificationId: string;
  unitId: string;
  unitName?: string;
  description: string;
  deadline: string;
  reason: string;
  requestedDeadline: string;
  requestedAt: string;
  requestedBy: string;
  requestedByName?: string;
  status: ExtensionStatus;
}
export interface Rectification {
  rectificationId: string;
  assignmentId: string;
  spotCheckId: string;
  unitId: string;
  itemCode?: string;
  description: string;
  severity: Severity;
  deadline: string;
  status: RectificationStatus;
  overdue: boolean;
  escalationLevel: number;
  light: Light | null;
  history: {
    at: string;
    actor: string;
    action: string;
    comment?: string;
    deadline?: string;
    previousDeadline?: string;
    requestId?: string;
    level?: number;
    accepts?: number;
    evidenceIds?: string[];
    purpose?: EvidencePurpose;
  }[];
  /** v2 (督办): the first deadline, the extensions, the kept record of lateness, four-eyes 销号. */
  originalDeadline?: string;
  extensionRequests?: ExtensionRequest[];
  extensionsUsed?: number;
  maxExtensions?: number;
  everOverdue?: boolean;
  maxEscalationLevel?: number;
  closedLate?: boolean;
  accepts?: number;
  acceptsRequired?: number;
  calendarApproximate?: boolean;
  /** The photos of the issue this order came from (问题照片): its 整改前 photos. */
  beforeEvidenceIds?: string[];
  report?: {
    description: string;
    evidence: unknown[];
    evidenceIds?: string[];
    at: string;
    by: string;
    late: boolean;
  };
  createdAt: string;
  closedAt?: string;
  /** `GET /rectifications/{id}` only: the unit's name and names by person id (team, history). */
  unitName?: string;
  names?: Record<string, string>;
}
export type EvidencePurpose = "finding" | "before" | "after" | "review";
export type EvidenceSubjectKind = "assignment" | "rectification";
export interface EvidenceSubject {
  kind: EvidenceSubjectKind;
  id: string;
}
/** A photo or document (取证) as `GET /evidence/{id}` answers. */
export interface Evidence {
  evidenceId: string;
  subject: EvidenceSubject;
  purpose: EvidencePurpose;
  status: "pending" | "verified" | "rejected";
  fileName: string;
  contentType: string;
  size: number;
  sha256?: string;
  capturedAt?: string;
  location?: LatLng;
  /** exif: read from the stored file; device: what the uploading device read from the original. */
  captureSource?: "exif" | "device";
  uploadedBy: string;
  uploadedAt?: string;
  reason?: string;
  createdAt: string;
  expiresAt: string;
  downloadUrl?: string;
  downloadExpiresAt?: string;
}
export interface EvidenceUpload {
  evidenceId: string;
  status: "pending";
  upload: { method: "PUT"; url: string; headers: Record<string, string> };
  expiresAt: string;
}
export interface UnitRow {
  unitId: string;
  unitName: string;
  open: number;
  submitted: number;
  overdue: number;
  escalated: number;
  closed: number;
  onTimeRate: number | null;
}
export interface Dashboard {
  generatedAt: string;
  rectifications: {
    open: number;
    submitted: number;
    closed: number;
    overdue: number;
    escalated?: number;
    onTimeRate: number | null;
  };
  overdue: (Rectification & { daysOverdue: number })[];
  dueSoon: Rectification[];
  byUnit: UnitRow[];
  extensionRequests?: { pending: number };
}
export interface Bulletin {
  spotCheckId: string;
  title: string;
  window: Window;
  generatedAt: string;
  summary: string;
  ranking: {
    rank: number;
    unitId: string;
    unitName: string;
    assignmentId: string;
    percent: number;
    points: number;
    maxPoints: number;
    grade: string;
    vetoed: boolean;
  }[];
  problems: (Rectification & { unitName: string })[];
  overdue: (Rectification & { unitName: string })[];
  escalations: (Rectification & { unitName: string })[];
  missed: { unitId: string; unitName: string }[];
  pending: { unitId: string; unitName: string; status: string }[];
}
export interface AuditEntry {
  at: string;
  actor: string;
  action: string;
  seq?: number;
  prevHash?: string;
  hash?: string;
  [detail: string]: unknown;
}
/** Who acted in an audit trail: a person's name and roles, by id. */
export interface AuditActor {
  name: string;
  roles: string[];
}
export interface AuditTrail {
  entityId: string;
  items: AuditEntry[];
  nextCursor: string | null;
  chain?: { verified: true } | { verified: false; brokenAt: number };
  actors?: Record<string, AuditActor>;
}
export interface Notification {
  notificationId: string;
  at: string;
  kind:
    | "rectification_issued"
    | "overdue_reminder"
    | "escalation"
    | "assignment_dispatched"
    | "report_received"
    | "deadline_near"
    | "extension_decided";
  level: number;
  title: string;
  body: string;
  rectificationId?: string;
  assignmentId?: string;
  unitId?: string;
  deadline?: string;
}

export type PersonRole = "admin" | "organizer" | "inspector" | "unit" | "official";
/** A person with an account (`GET /people`). */
export interface Person {
  personId: string;
  name: string;
  username: string;
  phone?: string;
  roles: PersonRole[];
  unitId?: string;
  homeUnitId?: string;
  enabled: boolean;
  createdAt?: string;
  updatedAt?: string;
}
export type ImportKind = "units" | "people";
export type ImportStatus = "pending" | "validating" | "invalid" | "importing" | "done";
/** An import of a spreadsheet (`GET /imports/{importId}`). */
export interface ImportJob {
  importId: string;
  kind?: ImportKind;
  status: ImportStatus;
  fileName?: string;
  total?: number;
  done?: number;
  created?: number;
  updated?: number;
  unchanged?: number;
  errors?: { row: number; column?: string; message: string }[];
  /** When people were created: the file of their usernames and temporary passwords, shown once. */
  credentialsUrl?: string;
  credentialsExpiresAt?: string;
}
export interface ImportUpload {
  importId: string;
  status: ImportStatus;
  upload: { method: "PUT"; url: string; headers: Record<string, string> };
}

export interface Bodies {
  putUnit: {
    name: string;
    parentId: string | null;
    kind: string;
    location?: LatLng;
    radiusMeters?: number;
  };
  createTemplate: { name: string; items: TemplateItem[]; grades?: Grade[] };
  planSpotCheck: {
    title: string;
    templateId: string;
    candidateUnitIds?: string[];
    parentUnitId?: string;
    sampleSize: number;
    inspectorIds: string[];
    teamSize?: number;
    window: Window;
    rectifyWithinDays?: number;
    rectifyWithinWorkdays?: number;
    escalateAfterHours?: number;
    maxExtensions?: number;
    excludeInspectedWithinDays?: number;
  };
  recordArrival: { location: LatLng };
  submitFindings: {
    items: { code: string; deduction: number; note?: string; evidenceIds?: string[] }[];
    issues: {
      itemCode?: string;
      description: string;
      severity: Severity;
      deadline?: string;
      rectifyWithinDays?: number;
      rectifyWithinWorkdays?: number;
      evidenceIds?: string[];
    }[];
  };
  reportRectification: { description: string; evidence?: string[]; evidenceIds?: string[] };
  reviewRectification: {
    decision: "accept" | "reject";
    comment: string;
    deadline?: string;
    evidenceIds?: string[];
  };
  createEvidence: {
    subject: EvidenceSubject;
    purpose: EvidencePurpose;
    fileName: string;
    contentType: string;
    size: number;
    capturedAt?: string;
    location?: LatLng;
  };
  createPerson: {
    name: string;
    phone?: string;
    username: string;
    roles: PersonRole[];
    unitId?: string;
    homeUnitId?: string;
  };
  updatePerson: {
    name?: string;
    phone?: string | null;
    roles?: PersonRole[];
    unitId?: string | null;
    homeUnitId?: string | null;
    enabled?: boolean;
  };
  createImport: { kind: ImportKind; fileName: string; contentType: string; size?: number };
  requestExtension: { reason: string; requestedDeadline: string };
  decideExtension: { decision: "approve" | "refuse"; comment: string; deadline?: string };
}

export interface Responses {
  getUnit: Unit;
  putUnit: Unit;
  listUnits: Page<Unit>;
  listInspectors: Page<Inspector>;
  getInspector: Inspector;
  listTemplates: Page<Template>;
  createTemplate: Template;
  getTemplate: Template;
  listSpotChecks: Page<SpotCheckSummary>;
  planSpotCheck: PlannedSpotCheck;
  draw: DrawResult;
  getSpotCheck: SpotCheck;
  getDrawProof: DrawProof;
  getBulletin: Bulletin;
  listAssignments: Page<Assignment>;
  getAssignment: Assignment;
  recordArrival: { arrival: NonNullable<Assignment["arrival"]> };
  submitFindings: { assignmentId: string; status: AssignmentStatus; rectificationIds?: string[] };
  listRectifications: Page<Rectification>;
  getRectification: Rectification;
  reportRectification: Rectification;
  reviewRectification: Rectification;
  createEvidence: EvidenceUpload;
  getEvidence: Evidence;
  listEvidence: Page<Evidence>;
  dashboard: Dashboard;
  audit: AuditTrail;
  notifications: Page<Notification>;
  listPeople: Page<Person>;
  getPerson: Person;
  createPerson: Person & { temporaryPassword: string };
  updatePerson: Person;
  resetPassword: { temporaryPassword: string };
  createImport: ImportUpload;
  getImport: ImportJob;
  importTemplate: Blob;
  bulletinDocx: Blob;
  bulletinPdf: Blob;
  evidencePack: Blob;
  dashboardXlsx: Blob;
  requestExtension: { requestId: string; status: ExtensionStatus };
  decideExtension: Rectification;
  listExtensionRequests: Page<ExtensionQueueItem>;
}

/** `{unitId}` in a path template → `{ unitId: string }`. */
type ParamNames<P extends string> = P extends `${string}{${infer N}}${infer Rest}`
  ? N | ParamNames<Rest>
  : never;
type ParamsOf<N extends EndpointName> = { [K in ParamNames<(typeof endpoints)[N]["path"]>]: string };

export type CallOptions<N extends EndpointName> = {
  query?: Record<string, string | undefined>;
} & (ParamNames<(typeof endpoints)[N]["path"]> extends never
  ? { params?: undefined }
  : { params: ParamsOf<N> }) &
  (N extends keyof Bodies ? { body: Bodies[N] } : { body?: undefined });

/** An RFC 9457 problem answered by the API. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors: { path: string; message: string }[] = [],
  ) {
    super(`${status} ${title}: ${detail}`);
  }
}

function randomId(): string {
  const c = globalThis.crypto;
  if (typeof c.randomUUID === "function") return c.randomUUID();
  const bytes = c.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The typed client: only operations of `endpoints` can be called, with their body and result types. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: () => string | undefined | Promise<string | undefined>,
    private readonly onUnauthorized: () => void = () => undefined,
  ) {}

  async call<N extends EndpointName>(name: N, options: CallOptions<N>): Promise<Responses[N]> {
    const res = await this.send(name, options);
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!res.ok) this.fail(res, parsed, text);
    return parsed as Responses[N];
  }

  /** A binary answer (a spreadsheet, a document) with the file name the server gave it. */
  async blob<N extends EndpointName>(
    name: N,
    options: CallOptions<N>,
  ): Promise<{ blob: Blob; fileName: string | undefined }> {
    const res = await this.send(name, options, "*/*");
    if (!res.ok) {
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      this.fail(res, parsed, text);
    }
    const disposition = res.headers.get("content-disposition") ?? "";
    const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1];
    const plain = /filename="?([^";]+)"?/i.exec(disposition)?.[1];
    let fileName: string | undefined;
    try {
      fileName = star ? decodeURIComponent(star) : plain;
    } catch {
      fileName = plain;
    }
    return { blob: await res.blob(), fileName };
  }

  private fail(res: Response, parsed: unknown, text: string): never {
    if (res.status === 401) this.onUnauthorized();
    const p = (parsed ?? {}) as {
      title?: string;
      detail?: string;
      errors?: { path: string; message: string }[];
    };
    throw new ApiError(res.status, p.title ?? res.statusText, p.detail ?? text, p.errors ?? []);
  }

  private async send<N extends EndpointName>(
    name: N,
    options: CallOptions<N>,
    accept = "application/json",
  ): Promise<Response> {
    const endpoint = endpoints[name] as Endpoint;
    const params = (options.params ?? {}) as Record<string, string>;
    const path = endpoint.path.replace(/\{(\w+)\}/g, (_, key: string) => {
      const value = params[key];
      if (value === undefined) throw new Error(`missing path parameter ${key}`);
      return encodeURIComponent(value);
    });
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(options.query ?? {}))
      if (v !== undefined && v !== "") search.set(k, v);
    const qs = search.toString();
    const headers: Record<string, string> = { accept };
    const bearer = await this.token();
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    if (endpoint.method !== "GET") {
      headers["content-type"] = "application/json";
      if (endpoint.method === "POST" || endpoint.method === "PATCH") headers["idempotency-key"] = randomId();
    }
    return fetch(`${this.baseUrl}${path}${qs ? `?${qs}` : ""}`, {
      method: endpoint.method,
      headers,
      ...(endpoint.method !== "GET" ? { body: JSON.stringify(options.body ?? {}) } : {}),
    });
  }

  /** Follows `nextCursor` up to `max` items. */
  async all<
    N extends
      | "listUnits"
      | "listInspectors"
      | "listTemplates"
      | "listSpotChecks"
      | "listAssignments"
      | "listRectifications"
      | "listEvidence"
      | "notifications"
      | "listPeople"
      | "listExtensionRequests",
  >(
    name: N,
    options: CallOptions<N>,
    max = 1000,
    /** Stops paging after the page whose last item this says is far enough (lists are ordered). */
    enough?: (last: Responses[N]["items"][number]) => boolean,
  ): Promise<Responses[N]["items"]> {
    const items: Responses[N]["items"][number][] = [];
    let cursor: string | undefined;
    do {
      const page = (await this.call(name, {
        ...options,
        query: { ...options.query, limit: "200", ...(cursor ? { cursor } : {}) },
      } as CallOptions<N>)) as Page<Responses[N]["items"][number]>;
      items.push(...page.items);
      cursor = page.nextCursor ?? undefined;
      const last = page.items.at(-1);
      if (enough && last !== undefined && enough(last)) break;
    } while (cursor && items.length < max);
    return items as Responses[N]["items"];
  }
}
