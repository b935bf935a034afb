import { AssignmentStore } from "../data/assignments";
import { AuditTrailStore } from "../data/audit-trail";
import { CallbackStore } from "../data/callbacks";
import { Dynamo } from "../data/dynamo";
import { EvidenceStore } from "../data/evidence";
import { ImportStore } from "../data/imports";
import { InspectorStore } from "../data/inspectors";
import { Journal } from "../data/journal";
import { NotificationStore } from "../data/notifications";
import { PeopleStore } from "../data/people";
import { RectificationStore } from "../data/rectifications";
import { SpotCheckStore } from "../data/spot-checks";
import { TemplateStore } from "../data/templates";
import { UnitStore } from "../data/units";
import { documentClient, tableName } from "../shared/aws";

/**
 * One store per aggregate, created once per process over the one table. Each is marked pure, so
 * esbuild drops the stores a handler does not use, with their code and record schemas: a handler's
 * cold start loads only the data access it needs (`npm run bench`, phase 1).
 */
const db = new Dynamo(documentClient, tableName);
export const journal = /* @__PURE__ */ new Journal(db);
export const unitStore = /* @__PURE__ */ new UnitStore(db, journal);
export const inspectorStore = /* @__PURE__ */ new InspectorStore(db, journal);
export const templateStore = /* @__PURE__ */ new TemplateStore(db, journal);
export const spotCheckStore = /* @__PURE__ */ new SpotCheckStore(db, journal);
export const assignmentStore = /* @__PURE__ */ new AssignmentStore(db, journal);
export const rectificationStore = /* @__PURE__ */ new RectificationStore(db, journal);
export const evidenceStore = /* @__PURE__ */ new EvidenceStore(db, journal);
export const peopleStore = /* @__PURE__ */ new PeopleStore(db, journal);
export const importStore = /* @__PURE__ */ new ImportStore(db, journal);
export const callbackStore = /* @__PURE__ */ new CallbackStore(db);
export const notificationStore = /* @__PURE__ */ new NotificationStore(db);
export const auditTrailStore = /* @__PURE__ */ new AuditTrailStore(db);
