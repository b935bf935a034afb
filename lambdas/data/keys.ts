/**
 * The single-table key layout. Every list in the API is a Query on one of these partitions, except a
 * spot check's assignments and orders: the spot check lists its assignments and each assignment its
 * orders, so neither carries an index key for them (each index key is a write of the whole item, twice
 * in a transaction, on every change: 50 write units of one whole inspection before they went).
 *
 * | item | pk / sk | GSI1 | GSI2 | GSI3 |
 * | --- | --- | --- | --- | --- |
 * | unit | UNIT#id / #UNIT | UNIT_CHILDREN#parent / id | | |
 * | a unit's last arrival of a team (减负: read by the draw with one BatchGet) | UNIT#id / #LAST_ARRIVAL | | | |
 * | inspector | INSPECTOR#id / #PROFILE | INSPECTORS / id | | |
 * | inspector's assignment / order (membership) | INSPECTOR#id / ASSIGNMENT#at#id, RECT#at#id | | | |
 * | template version | TEMPLATE#id / V#000001 | TEMPLATES / createdAt#id (version 1 only: one entry per template) | | |
 * | spot check | SPOTCHECK#id / #SPOTCHECK | SPOTCHECKS / createdAt#id | | OUTBOX / id (only while its dispatch is pending) |
 * | a spot check's candidate and pool ids when long (over 8 KB), ≤ 64 KB a chunk | SPOTCHECK#id / #PLAN#0000 … | | | |
 * | a spot check's draw record (candidates, pool, lineage, excluded units, teams), ≤ 64 KB a chunk | SPOTCHECK#id / DRAW#drawId#0000 … | | | |
 * | assignment | ASSIGNMENT#id / #ASSIGNMENT | | UNIT#id#ASSIGNMENTS / arrivedAt#id (only after arrival: the secrecy rule is in the key) | ASSIGNMENTS / createdAt#id |
 * | rectification order | RECT#id / #RECT | | UNIT#id#RECTS / A#deadline#id or C#closedAt#id | RECTS#A / deadline#id (active) or RECTS#C / closedAt#id |
 * | audit event | AUDIT#entityId / at#eventId | | | |
 * | notification | NOTIFY#recipient / at#id | | | |
 * | person (account) | PERSON#id / #PERSON | PEOPLE / username | UNIT#unitId#PEOPLE / username (unit or home unit) | |
 * | person's role (membership) | PERSON#id / ROLE#role | PEOPLE#ROLE#role / username | | |
 * | username claim (unique) | USERNAME#lower-case name / #USERNAME | | | |
 * | evidence (photo, document) | EVIDENCE#id / #EVIDENCE | EVIDENCE_OF#kind#subjectId / createdAt#id | | |
 * | spreadsheet import (导入) | IMPORT#id / #IMPORT | | | |
 * | an invalid import's errors, 500 a chunk | IMPORT#id / ERRORS#0000 … | | | |
 * | a row an import is to write, with its outcome (crash-safe resume) | IMPORT#id#ROWS / unitId or lower-case username | | | |
 * | a pending extension request (延期申请), while pending | EXTREQ#requestId / #EXTREQ | | | EXTREQS#PENDING / requestedAt#requestId |
 * | closed-order counters, per unit (the all-units figures are their sum) | STATS#RECTS / UNIT#id | | | |
 * | idempotency record (Powertools) | IDEMPOTENCY / hash | | | |
 * | callback token of a waiting workflow step | CALLBACK#ASSIGNMENT#id or CALLBACK#RECT#id / #TOKEN | | | |
 * | workflow resume that failed, to retry | RESUME#tokenHash / #RESUME | | | RESUMES / at#tokenHash |
 *
 * A spot check's item stays small (a few KB), and with it its index entry and its stream records: its
 * long lists live in chunks of its partition. The plan chunks sort just before the spot check
 * (`#PLAN#` < `#SPOTCHECK`), so one Query of that range reads the spot check with its lists; the draw
 * record is read only by the draw proof. Chunks are written before the item that names them (the
 * spot check at the plan, its update at the draw), so a write cut short leaves chunks nothing names,
 * never a spot check without its chunks; the draw's chunks carry the draw's own id, so chunks of a
 * draw that lost a race (or was cut short) are never read. Spot checks drawn before the chunks hold
 * their lists and draw record inline, and are read as they are.
 *
 * An import's record and its error chunks share a partition (one Query reads an invalid import whole);
 * its row markers live in a partition of their own, so that reading the import never reads them.
 *
 * Active orders (open or submitted) sit in `RECTS#A`, closed ones move to `RECTS#C`: the dashboard
 * and the overdue list read only the active partition, so their cost follows the open work, not
 * the history.
 */
export const INDEX = { byOwner: "GSI1", byUnit: "GSI2", global: "GSI3" } as const;

/**
 * What an index entry carries besides the keys (the table's `pk`/`sk` and its own). Index 1 carries
 * whole items: it lists units, people, inspectors and templates, written once and read often. Indexes
 * 2 and 3 list the working records (orders, assignments, the queues), which change at every step: with
 * whole items, every step rewrote both of an order's entries (2 KB each, twice in a transaction: 40 of
 * the 253 write units of one whole inspection). They carry only the attributes a query filters or
 * projects on (set when the item is written: only a person's roles ever change); an entry is then written when the item gets
 * or loses its key, and not when it moves on. `Dynamo.query` reads the items of such a page with one
 * BatchGetItem, so stores read whole items as before.
 */
export const INDEX_PROJECTION: Readonly<
  Record<(typeof INDEX)[keyof typeof INDEX], readonly string[] | "ALL">
> = {
  GSI1: "ALL",
  GSI2: ["roles", "spotCheckId", "requestId"],
  GSI3: ["roles", "spotCheckId", "requestId"],
};

export const keys = {
  unit: (id: string) => ({ pk: `UNIT#${id}`, sk: "#UNIT" }),
  unitLastArrival: (id: string) => ({ pk: `UNIT#${id}`, sk: "#LAST_ARRIVAL" }),
  unitChildren: (parentId: string | null) => `UNIT_CHILDREN#${parentId ?? "ROOT"}`,
  inspector: (id: string) => ({ pk: `INSPECTOR#${id}`, sk: "#PROFILE" }),
  inspectorPartition: (id: string) => `INSPECTOR#${id}`,
  allInspectors: "INSPECTORS",
  inspectorAssignment: (inspectorId: string, createdAt: string, assignmentId: string) => ({
    pk: `INSPECTOR#${inspectorId}`,
    sk: `ASSIGNMENT#${createdAt}#${assignmentId}`,
  }),
  inspectorRect: (inspectorId: string, createdAt: string, rectificationId: string) => ({
    pk: `INSPECTOR#${inspectorId}`,
    sk: `RECT#${createdAt}#${rectificationId}`,
  }),
  template: (id: string, version: number) => ({
    pk: `TEMPLATE#${id}`,
    sk: `V#${String(version).padStart(6, "0")}`,
  }),
  templatePartition: (id: string) => `TEMPLATE#${id}`,
  allTemplates: "TEMPLATES",
  allSpotChecks: "SPOTCHECKS",
  spotCheck: (id: string) => ({ pk: `SPOTCHECK#${id}`, sk: "#SPOTCHECK" }),
  spotCheckPartition: (id: string) => `SPOTCHECK#${id}`,
  /** The first sort key of a spot check's plan chunks (they sort before `#SPOTCHECK`). */
  spotCheckPlanChunks: "#PLAN#",
  spotCheckPlanChunk: (id: string, chunk: number) => ({
    pk: `SPOTCHECK#${id}`,
    sk: `#PLAN#${String(chunk).padStart(4, "0")}`,
  }),
  spotCheckDrawChunks: (drawId: string) => `DRAW#${drawId}#`,
  spotCheckDrawChunk: (id: string, drawId: string, chunk: number) => ({
    pk: `SPOTCHECK#${id}`,
    sk: `DRAW#${drawId}#${String(chunk).padStart(4, "0")}`,
  }),
  outbox: "OUTBOX",
  assignment: (id: string) => ({ pk: `ASSIGNMENT#${id}`, sk: "#ASSIGNMENT" }),
  unitAssignments: (unitId: string) => `UNIT#${unitId}#ASSIGNMENTS`,
  allAssignments: "ASSIGNMENTS",
  rect: (id: string) => ({ pk: `RECT#${id}`, sk: "#RECT" }),
  unitRects: (unitId: string) => `UNIT#${unitId}#RECTS`,
  activeRects: "RECTS#A",
  closedRects: "RECTS#C",
  audit: (entityId: string) => `AUDIT#${entityId}`,
  person: (id: string) => ({ pk: `PERSON#${id}`, sk: "#PERSON" }),
  personRole: (id: string, role: string) => ({ pk: `PERSON#${id}`, sk: `ROLE#${role}` }),
  allPeople: "PEOPLE",
  peopleWithRole: (role: string) => `PEOPLE#ROLE#${role}`,
  unitPeople: (unitId: string) => `UNIT#${unitId}#PEOPLE`,
  username: (name: string) => ({ pk: `USERNAME#${name.toLowerCase()}`, sk: "#USERNAME" }),
  evidence: (id: string) => ({ pk: `EVIDENCE#${id}`, sk: "#EVIDENCE" }),
  importJob: (id: string) => ({ pk: `IMPORT#${id}`, sk: "#IMPORT" }),
  importPartition: (id: string) => `IMPORT#${id}`,
  importErrors: (id: string, chunk: number) => ({
    pk: `IMPORT#${id}`,
    sk: `ERRORS#${String(chunk).padStart(4, "0")}`,
  }),
  importRows: (id: string) => `IMPORT#${id}#ROWS`,
  importRow: (id: string, key: string) => ({ pk: `IMPORT#${id}#ROWS`, sk: key }),
  subjectEvidence: (kind: string, subjectId: string) => `EVIDENCE_OF#${kind}#${subjectId}`,
  notifications: (recipient: string) => `NOTIFY#${recipient}`,
  pendingExtension: (requestId: string) => ({ pk: `EXTREQ#${requestId}`, sk: "#EXTREQ" }),
  pendingExtensions: "EXTREQS#PENDING",
  stats: "STATS#RECTS",
  idempotency: "IDEMPOTENCY",
  /** The callback token an entity's workflow waits with (see `CallbackStore.putCallbackToken`). */
  callbackToken: (entity: { pk: string; sk: string }) => ({ pk: `CALLBACK#${entity.pk}`, sk: "#TOKEN" }),
  pendingResume: (tokenHash: string) => ({ pk: `RESUME#${tokenHash}`, sk: "#RESUME" }),
  pendingResumes: "RESUMES",
} as const;

/** The entities stored as one item under `KIND#id` with a sort key of their own, by their key's name. */
export const ENTITY_KINDS = [
  "unit",
  "inspector",
  "spotCheck",
  "assignment",
  "rect",
  "person",
  "evidence",
  "importJob",
  "pendingExtension",
] as const satisfies readonly (keyof typeof keys)[];
export type EntityKind = (typeof ENTITY_KINDS)[number];

/**
 * Which entity a table key names, and its id — the inverse of `keys.unit`, `keys.assignment`, … (a
 * key of anything else, such as an index entry or a callback token, is undefined). For readers of the
 * table's change stream, which see keys, not entities.
 */
export function parseEntityKey(key: {
  readonly pk: string;
  readonly sk: string;
}): { kind: EntityKind; id: string } | undefined {
  for (const kind of ENTITY_KINDS) {
    const blank = keys[kind]("");
    if (key.sk !== blank.sk || !key.pk.startsWith(blank.pk)) continue;
    const id = key.pk.slice(blank.pk.length);
    if (id !== "" && keys[kind](id).pk === key.pk) return { kind, id };
  }
  return undefined;
}

/** The sort key of an entity's audit event number `seq` (zero-padded: the chain reads in order). */
export const auditSortKey = (seq: number) => `E#${String(seq).padStart(10, "0")}`;

/** Index attributes of a rectification order for its status: active orders by deadline, closed by close time. */
export function rectIndexKeys(r: {
  rectificationId: string;
  unitId: string;
  spotCheckId: string;
  assignmentId: string;
  status: string;
  deadline: string;
  closedAt?: string | undefined;
}) {
  const active = r.status !== "closed";
  const at = active ? r.deadline : (r.closedAt ?? r.deadline);
  return {
    gsi2pk: keys.unitRects(r.unitId),
    gsi2sk: `${active ? "A" : "C"}#${at}#${r.rectificationId}`,
    gsi3pk: active ? keys.activeRects : keys.closedRects,
    gsi3sk: `${at}#${r.rectificationId}`,
  };
}
