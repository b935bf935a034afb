import { randomUUID } from "node:crypto";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type * as z from "zod/mini";
import { type ChainVerdict, nextLink, verifyChain } from "../domain/audit-chain";
import { ConflictError, TransientDependencyError } from "../domain/errors";
import { logger } from "../shared/logger";
import { Dynamo, type Item, type Page, RetryableConditionError, type TransactItem } from "./dynamo";
import { INDEX, keys, rectIndexKeys } from "./keys";
import {
  type AssignmentRecord,
  type AuditEvent,
  assignmentRecord,
  auditEvent,
  type CallbackKind,
  callbackToken,
  closedCounters,
  type InspectorRecord,
  inspectorRecord,
  type NotificationRecord,
  notificationRecord,
  parseItem,
  pendingResume,
  type RectificationRecord,
  rectificationRecord,
  type SpotCheckRecord,
  spotCheckRecord,
  type TemplateRecord,
  templateRecord,
  type UnitRecord,
  unitRecord,
} from "./records";

export type { Page } from "./dynamo";

/** Marks an audit placeholder inside a transaction's items (see `InspectionStore.auditPut`). */
const AUDIT = Symbol("audit");

const auditSortKey = (seq: number) => `E#${String(seq).padStart(10, "0")}`;

export interface PageRequest {
  readonly limit: number;
  readonly cursor?: string | undefined;
}

/** The key attributes stripped from items before they are parsed into records. */
function strip(item: Item): Item {
  const { pk, sk, gsi1pk, gsi1sk, gsi2pk, gsi2sk, gsi3pk, gsi3sk, expiration, ...rest } = item;
  return rest;
}

export interface AuditInput {
  readonly entityId: string;
  readonly actor: string;
  readonly action: string;
  readonly at: string;
  readonly detail?: Record<string, unknown>;
  /**
   * The same transaction creates the entity, so its chain starts here and there is no head to look
   * up. The first link's put is conditional: were the entity not new after all, the transaction
   * fails on that link and is retried with a lookup.
   */
  readonly created?: boolean;
}

export interface NotificationInput extends Omit<NotificationRecord, "notificationId"> {}

/**
 * Data access for the inspection service: one small interface over the single table. Every write
 * that changes what a user sees is conditional (state or version) and, where several items must
 * change together, one transaction that also appends the audit event.
 */
export class InspectionStore {
  readonly db: Dynamo;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.db = new Dynamo(client, tableName);
  }

  // ---- audit and notifications -------------------------------------------------------------

  /**
   * An audit event to append in the same transaction as the change it records. Its place in the
   * entity's hash chain (sequence number and hashes) is filled in at commit, from the chain's head.
   */
  auditPut(input: AuditInput): TransactItem {
    return Object.assign({}, { [AUDIT]: input });
  }

  /** Appends audit events of reads (no change to commit with them), each at the head of its entity's chain. */
  async appendAudit(events: readonly AuditInput[]): Promise<void> {
    const byEntity = new Map<string, AuditInput[]>();
    for (const e of events) byEntity.set(e.entityId, [...(byEntity.get(e.entityId) ?? []), e]);
    await Promise.all(
      [...byEntity.values()].map(async (list) => {
        for (const e of list) await this.commit([this.auditPut(e)], "audit append");
      }),
    );
  }

  private async auditHead(entityId: string): Promise<{ seq: number; hash: string } | null> {
    const out = await this.db.query(
      {
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.audit(entityId) },
        ScanIndexForward: false,
        ConsistentRead: true,
      },
      { limit: 1 },
    );
    const head = out.items[0];
    return head ? parseItem(auditEvent, strip(head), "audit event") : null;
  }

  /**
   * Commits a transaction, first resolving its audit placeholders into the next links of their
   * entities' chains. Two writers racing for the same link make one transaction fail on the audit
   * item only; it is then rebuilt from the new head and tried again, so the race costs a retry, not a 409.
   */
  private async commit(items: readonly TransactItem[], conflictMessage: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const heads = new Map<string, { seq: number; hash: string } | null>();
      const audits = items.map((item) => (item as { [AUDIT]?: AuditInput })[AUDIT]);
      const lookups = new Set<string>();
      for (const audit of audits) {
        if (audit && (attempt > 0 || !audit.created)) lookups.add(audit.entityId);
        else if (audit) heads.set(audit.entityId, null);
      }
      // The heads of different entities are independent: look them up at once, not one by one.
      await Promise.all(
        [...lookups].map(async (entityId) => heads.set(entityId, await this.auditHead(entityId))),
      );
      const auditIndexes: number[] = [];
      const resolved: TransactItem[] = [];
      for (const [index, item] of items.entries()) {
        const audit = audits[index];
        if (!audit) {
          resolved.push(item);
          continue;
        }
        const content = {
          entityId: audit.entityId,
          at: audit.at,
          actor: audit.actor,
          action: audit.action,
          detail: audit.detail,
        };
        const link = nextLink(heads.get(audit.entityId) ?? null, content);
        heads.set(audit.entityId, link);
        const event: AuditEvent = {
          entityId: audit.entityId,
          at: audit.at,
          actor: audit.actor,
          action: audit.action,
          ...(audit.detail ? { detail: audit.detail } : {}),
          ...link,
        };
        auditIndexes.push(index);
        resolved.push(
          this.db.put(
            { pk: keys.audit(audit.entityId), sk: auditSortKey(link.seq), ...event },
            "attribute_not_exists(pk)",
          ),
        );
      }
      try {
        await this.db.transact(resolved, conflictMessage, auditIndexes);
        return;
      } catch (error) {
        if (!(error instanceof RetryableConditionError)) throw error;
        if (attempt >= 10)
          throw new TransientDependencyError("The audit trail kept changing under this write");
      }
    }
  }

  /** A page of an entity's audit trail, oldest first, and whether its hash chain verifies. */
  async listAudit(entityId: string, page: PageRequest): Promise<Page<AuditEvent> & { chain: ChainVerdict }> {
    const out = await this.db.query(
      {
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.audit(entityId) },
        ConsistentRead: true,
      },
      page,
    );
    const items = out.items.map((i) => parseItem(auditEvent, strip(i), "audit event"));
    const first = items[0];
    let before: { seq: number; hash: string } | null = null;
    if (first && first.seq > 1) {
      const previous = await this.db.get({ pk: keys.audit(entityId), sk: auditSortKey(first.seq - 1) });
      // A missing predecessor is itself a break: the chain cannot verify against it.
      before = previous
        ? parseItem(auditEvent, strip(previous), "audit event")
        : { seq: first.seq - 1, hash: "" };
    }
    return { items, nextCursor: out.nextCursor, chain: verifyChain(items, before) };
  }

  notificationPut(input: NotificationInput): TransactItem {
    const notificationId = randomUUID();
    const record: NotificationRecord = { notificationId, ...input };
    return this.db.put({
      pk: keys.notifications(input.recipient),
      sk: `${input.at}#${notificationId}`,
      ...record,
    });
  }

  async listNotifications(recipient: string, page: PageRequest): Promise<Page<NotificationRecord>> {
    const out = await this.db.query(
      {
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.notifications(recipient) },
        ScanIndexForward: false,
      },
      page,
    );
    return {
      items: out.items.map((i) => parseItem(notificationRecord, strip(i), "notification")),
      nextCursor: out.nextCursor,
    };
  }

  // ---- units -------------------------------------------------------------------------------

  async getUnit(unitId: string): Promise<UnitRecord | undefined> {
    const item = await this.db.get(keys.unit(unitId));
    return item ? parseItem(unitRecord, strip(item), "unit") : undefined;
  }

  async getUnits(unitIds: readonly string[]): Promise<Map<string, UnitRecord>> {
    const items = await this.db.batchGet(unitIds.map((id) => keys.unit(id)));
    const units = items.map((i) => parseItem(unitRecord, strip(i), "unit"));
    return new Map(units.map((u) => [u.unitId, u]));
  }

  /**
   * Ancestors of each unit, root first, walking parent links level by level (one BatchGet per tree
   * level, not per unit). Returns the units read as well, keyed by id.
   */
  async lineage(
    unitIds: readonly string[],
  ): Promise<{ ancestors: Record<string, string[]>; units: Map<string, UnitRecord> }> {
    const units = new Map<string, UnitRecord>();
    let frontier = [...new Set(unitIds)];
    for (let depth = 0; frontier.length > 0 && depth < 64; depth++) {
      const found = await this.getUnits(frontier.filter((id) => !units.has(id)));
      for (const [id, u] of found) units.set(id, u);
      frontier = [...found.values()]
        .map((u) => u.parentId)
        .filter((p): p is string => p !== null && !units.has(p));
    }
    const ancestors: Record<string, string[]> = {};
    for (const id of unitIds) {
      const chain: string[] = [];
      const seen = new Set<string>([id]);
      let parent = units.get(id)?.parentId ?? null;
      while (parent !== null && !seen.has(parent)) {
        chain.unshift(parent);
        seen.add(parent);
        parent = units.get(parent)?.parentId ?? null;
      }
      ancestors[id] = chain;
    }
    return { ancestors, units };
  }

  /**
   * Creates or replaces a unit. The new parent's ancestors are checked in the same transaction
   * (their parent links must be as read), so two concurrent moves cannot close a cycle.
   */
  async putUnit(
    unit: UnitRecord,
    expectedVersion: number | null,
    ancestorParents: readonly { unitId: string; parentId: string | null }[],
    audit: AuditInput,
  ): Promise<void> {
    const condition = expectedVersion === null ? "attribute_not_exists(pk)" : "version = :expected";
    const items: TransactItem[] = [
      this.db.put(
        {
          ...keys.unit(unit.unitId),
          gsi1pk: keys.unitChildren(unit.parentId),
          gsi1sk: unit.unitId,
          ...unit,
        },
        condition,
        expectedVersion === null ? undefined : { ":expected": expectedVersion },
      ),
      ...ancestorParents.map((a) =>
        a.parentId === null
          ? this.db.conditionCheck(keys.unit(a.unitId), "attribute_exists(pk) AND parentId = :null", {
              ":null": null,
            })
          : this.db.conditionCheck(keys.unit(a.unitId), "parentId = :p", { ":p": a.parentId }),
      ),
      this.auditPut(audit),
    ];
    await this.commit(items, "The unit tree changed while this request was processed; try again.");
  }

  /** A page of one GSI1 partition (a whole-collection list), each item parsed. */
  private async pageOnOwnerIndex<T>(
    partition: string,
    page: PageRequest,
    schema: z.ZodMiniType<T>,
    what: string,
    order: { latestFirst?: boolean } = {},
  ): Promise<Page<T>> {
    const out = await this.db.query(
      {
        IndexName: INDEX.byOwner,
        KeyConditionExpression: "gsi1pk = :pk",
        ExpressionAttributeValues: { ":pk": partition },
        ScanIndexForward: !order.latestFirst,
      },
      page,
    );
    return { items: out.items.map((i) => parseItem(schema, strip(i), what)), nextCursor: out.nextCursor };
  }

  async listChildren(parentId: string | null, page: PageRequest): Promise<Page<UnitRecord>> {
    return this.pageOnOwnerIndex(keys.unitChildren(parentId), page, unitRecord, "unit");
  }

  async childIds(parentId: string): Promise<string[]> {
    const items = await this.db.queryAll({
      IndexName: INDEX.byOwner,
      KeyConditionExpression: "gsi1pk = :pk",
      ExpressionAttributeValues: { ":pk": keys.unitChildren(parentId) },
      ProjectionExpression: "unitId",
    });
    return items.map((i) => String(i.unitId));
  }

  /** Every leaf unit under `parentId` (breadth first, one Query per unit visited). */
  async leavesUnder(parentId: string): Promise<string[]> {
    const leaves: string[] = [];
    const seen = new Set<string>([parentId]);
    let frontier = await this.childIds(parentId);
    while (frontier.length > 0) {
      const next: string[] = [];
      const children = await Promise.all(frontier.map((id) => this.childIds(id)));
      frontier.forEach((id, index) => {
        if (seen.has(id)) return;
        seen.add(id);
        const kids = children[index] ?? [];
        if (kids.length === 0) leaves.push(id);
        else next.push(...kids);
      });
      frontier = next;
    }
    return leaves.sort();
  }

  // ---- inspectors --------------------------------------------------------------------------

  async getInspector(inspectorId: string): Promise<InspectorRecord | undefined> {
    const item = await this.db.get(keys.inspector(inspectorId));
    return item ? parseItem(inspectorRecord, strip(item), "inspector") : undefined;
  }

  /** The inspector pool, by id. */
  async listInspectors(page: PageRequest): Promise<Page<InspectorRecord>> {
    return this.pageOnOwnerIndex(keys.allInspectors, page, inspectorRecord, "inspector");
  }

  async getInspectors(ids: readonly string[]): Promise<Map<string, InspectorRecord>> {
    const items = await this.db.batchGet(ids.map((id) => keys.inspector(id)));
    return new Map(
      items.map((i) => parseItem(inspectorRecord, strip(i), "inspector")).map((r) => [r.inspectorId, r]),
    );
  }

  async putInspector(
    record: InspectorRecord,
    expectedVersion: number | null,
    audit: AuditInput,
  ): Promise<void> {
    const condition = expectedVersion === null ? "attribute_not_exists(pk)" : "version = :expected";
    await this.commit(
      [
        this.db.put(
          {
            ...keys.inspector(record.inspectorId),
            gsi1pk: keys.allInspectors,
            gsi1sk: record.inspectorId,
            ...record,
          },
          condition,
          expectedVersion === null ? undefined : { ":expected": expectedVersion },
        ),
        this.db.conditionCheck(keys.unit(record.homeUnitId), "attribute_exists(pk)", {}),
        this.auditPut(audit),
      ].map((t) => {
        // ConditionCheck with no values must not carry an empty ExpressionAttributeValues map.
        if (t.ConditionCheck && Object.keys(t.ConditionCheck.ExpressionAttributeValues ?? {}).length === 0) {
          const { ExpressionAttributeValues, ...rest } = t.ConditionCheck;
          return { ConditionCheck: rest };
        }
        return t;
      }),
      "The inspector or their home unit changed while this request was processed; try again.",
    );
  }

  // ---- templates ---------------------------------------------------------------------------

  async createTemplate(record: TemplateRecord, audit: AuditInput): Promise<void> {
    await this.commit(
      [
        this.db.put(
          {
            ...keys.template(record.templateId, record.version),
            ...(record.version === 1
              ? { gsi1pk: keys.allTemplates, gsi1sk: `${record.createdAt}#${record.templateId}` }
              : {}),
            ...record,
          },
          "attribute_not_exists(pk)",
        ),
        this.auditPut(audit),
      ],
      "This template version exists already.",
    );
  }

  async getLatestTemplate(templateId: string): Promise<TemplateRecord | undefined> {
    const out = await this.db.query(
      {
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.templatePartition(templateId) },
        ScanIndexForward: false,
        ConsistentRead: true,
      },
      { limit: 1 },
    );
    const item = out.items[0];
    return item ? parseItem(templateRecord, strip(item), "template") : undefined;
  }

  /** Every template, newest first, each as its first version (see `getLatestTemplate` for the latest). */
  async listTemplates(page: PageRequest): Promise<Page<TemplateRecord>> {
    return this.pageOnOwnerIndex(keys.allTemplates, page, templateRecord, "template", { latestFirst: true });
  }

  async getTemplateVersion(templateId: string, version: number): Promise<TemplateRecord | undefined> {
    const item = await this.db.get(keys.template(templateId, version));
    return item ? parseItem(templateRecord, strip(item), "template") : undefined;
  }

  // ---- spot checks -------------------------------------------------------------------------

  async createSpotCheck(record: SpotCheckRecord, audit: AuditInput): Promise<void> {
    await this.commit(
      [
        this.db.put(
          {
            ...keys.spotCheck(record.spotCheckId),
            gsi1pk: keys.allSpotChecks,
            gsi1sk: `${record.createdAt}#${record.spotCheckId}`,
            ...record,
          },
          "attribute_not_exists(pk)",
        ),
        this.auditPut(audit),
      ],
      "This spot check exists already.",
    );
  }

  async getSpotCheck(spotCheckId: string): Promise<SpotCheckRecord | undefined> {
    const item = await this.db.get(keys.spotCheck(spotCheckId));
    return item ? parseItem(spotCheckRecord, strip(item), "spot check") : undefined;
  }

  /** Every spot check, newest first. */
  async listSpotChecks(page: PageRequest): Promise<Page<SpotCheckRecord>> {
    return this.pageOnOwnerIndex(keys.allSpotChecks, page, spotCheckRecord, "spot check", {
      latestFirst: true,
    });
  }

  /**
   * Commits a draw: the spot check moves from planned to dispatched and its assignments appear, all
   * at once. The spot check joins the dispatch outbox until every execution has started.
   */
  async commitDraw(
    spotCheck: SpotCheckRecord,
    assignments: readonly AssignmentRecord[],
    audit: AuditInput,
  ): Promise<void> {
    const items: TransactItem[] = [
      this.db.update(
        keys.spotCheck(spotCheck.spotCheckId),
        "SET #status = :dispatched, draw = :draw, assignmentIds = :ids, pendingDispatch = :true, gsi3pk = :outbox, gsi3sk = :id",
        { "#status": "status" },
        {
          ":dispatched": "dispatched",
          ":planned": "planned",
          ":draw": spotCheck.draw,
          ":ids": assignments.map((a) => a.assignmentId),
          ":true": true,
          ":outbox": keys.outbox,
          ":id": spotCheck.spotCheckId,
        },
        "#status = :planned",
      ),
      ...assignments.map((a) => this.db.put(this.assignmentItem(a), "attribute_not_exists(pk)")),
      this.auditPut(audit),
    ];
    await this.commit(items, "This spot check has been drawn already.");
  }

  async listPendingDispatch(limit: number): Promise<string[]> {
    const out = await this.db.query(
      {
        IndexName: INDEX.global,
        KeyConditionExpression: "gsi3pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.outbox },
      },
      { limit },
    );
    return out.items.map((i) => String(i.spotCheckId));
  }

  async completeDispatch(spotCheckId: string): Promise<void> {
    await this.commit(
      [
        this.db.update(
          keys.spotCheck(spotCheckId),
          "REMOVE pendingDispatch, gsi3pk, gsi3sk",
          undefined,
          undefined,
          "attribute_exists(pk)",
        ),
      ],
      "The spot check vanished during dispatch.",
    );
  }

  // ---- assignments -------------------------------------------------------------------------

  assignmentItem(a: AssignmentRecord): Item {
    return {
      ...keys.assignment(a.assignmentId),
      gsi1pk: keys.spotCheckAssignments(a.spotCheckId),
      gsi1sk: a.assignmentId,
      gsi3pk: keys.allAssignments,
      gsi3sk: `${a.createdAt}#${a.assignmentId}`,
      ...(a.arrival
        ? { gsi2pk: keys.unitAssignments(a.unitId), gsi2sk: `${a.arrival.at}#${a.assignmentId}` }
        : {}),
      ...a,
    };
  }

  /** Team membership items let an inspector list their own assignments and orders with one Query. */
  async putMemberships(assignments: readonly AssignmentRecord[]): Promise<void> {
    await this.db.batchPut(
      assignments.flatMap((a) =>
        a.inspectorIds.map((inspectorId) => ({
          ...keys.inspectorAssignment(inspectorId, a.createdAt, a.assignmentId),
          assignmentId: a.assignmentId,
        })),
      ),
    );
  }

  async getAssignment(assignmentId: string): Promise<AssignmentRecord | undefined> {
    const item = await this.db.get(keys.assignment(assignmentId));
    return item ? parseItem(assignmentRecord, strip(item), "assignment") : undefined;
  }

  async getAssignments(ids: readonly string[]): Promise<AssignmentRecord[]> {
    const items = await this.db.batchGet(ids.map((id) => keys.assignment(id)));
    const byId = new Map(
      items.map((i) => parseItem(assignmentRecord, strip(i), "assignment")).map((a) => [a.assignmentId, a]),
    );
    return ids.map((id) => byId.get(id)).filter((a): a is AssignmentRecord => a !== undefined);
  }

  async listAllAssignments(page: PageRequest): Promise<Page<AssignmentRecord>> {
    const out = await this.db.query(
      {
        IndexName: INDEX.global,
        KeyConditionExpression: "gsi3pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.allAssignments },
        ScanIndexForward: false,
      },
      page,
    );
    return {
      items: out.items.map((i) => parseItem(assignmentRecord, strip(i), "assignment")),
      nextCursor: out.nextCursor,
    };
  }

  /** Only assignments the team has arrived at are in this index: before arrival the unit cannot list them. */
  async listArrivedAssignmentsOfUnit(unitId: string, page: PageRequest): Promise<Page<AssignmentRecord>> {
    const out = await this.db.query(
      {
        IndexName: INDEX.byUnit,
        KeyConditionExpression: "gsi2pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.unitAssignments(unitId) },
        ScanIndexForward: false,
      },
      page,
    );
    return {
      items: out.items.map((i) => parseItem(assignmentRecord, strip(i), "assignment")),
      nextCursor: out.nextCursor,
    };
  }

  async listAssignmentsOfInspector(inspectorId: string, page: PageRequest): Promise<Page<AssignmentRecord>> {
    const out = await this.db.query(
      {
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues: { ":pk": keys.inspectorPartition(inspectorId), ":prefix": "ASSIGNMENT#" },
        ScanIndexForward: false,
      },
      page,
    );
    const ids = out.items.map((i) => String(i.assignmentId));
    return { items: await this.getAssignments(ids), nextCursor: out.nextCursor };
  }

  /** dispatched → on_site; the arrival also puts the assignment into the unit's index. */
  async recordArrival(
    a: AssignmentRecord,
    arrival: NonNullable<AssignmentRecord["arrival"]>,
    audit: AuditInput,
  ): Promise<void> {
    await this.commit(
      [
        this.db.update(
          keys.assignment(a.assignmentId),
          "SET #status = :onSite, arrival = :arrival, gsi2pk = :gsi2pk, gsi2sk = :gsi2sk, updatedAt = :at, version = version + :one",
          { "#status": "status" },
          {
            ":onSite": "on_site",
            ":dispatched": "dispatched",
            ":arrival": arrival,
            ":gsi2pk": keys.unitAssignments(a.unitId),
            ":gsi2sk": `${arrival.at}#${a.assignmentId}`,
            ":at": arrival.at,
            ":one": 1,
          },
          "#status = :dispatched",
        ),
        this.auditPut(audit),
      ],
      "The team has already recorded its arrival.",
    );
  }

  /**
   * on_site → scored (or closed when nothing was found): findings, score and every rectification
   * order in one transaction, so an accepted request is whole or absent.
   */
  async submitFindings(
    a: AssignmentRecord,
    update: {
      findings: NonNullable<AssignmentRecord["findings"]>;
      score: NonNullable<AssignmentRecord["score"]>;
      status: "scored" | "closed";
      at: string;
    },
    orders: readonly RectificationRecord[],
    audits: readonly AuditInput[],
  ): Promise<void> {
    const items: TransactItem[] = [
      this.db.update(
        keys.assignment(a.assignmentId),
        `SET #status = :status, findings = :findings, score = :score, rectificationIds = :ids, updatedAt = :at, version = version + :one${
          update.status === "closed" ? ", closedAt = :at" : ""
        }`,
        { "#status": "status", "#window": "window", "#end": "end" },
        {
          ":status": update.status,
          ":onSite": "on_site",
          ":findings": update.findings,
          ":score": update.score,
          ":ids": orders.map((o) => o.rectificationId),
          ":at": update.at,
          ":one": 1,
        },
        "#status = :onSite AND #window.#end > :at",
      ),
      ...orders.map((o) =>
        this.db.put(
          { ...keys.rect(o.rectificationId), ...rectIndexKeys(o), ...o },
          "attribute_not_exists(pk)",
        ),
      ),
      ...audits.map((e) => this.auditPut(e)),
    ];
    await this.commit(items, "Findings can only be submitted once, on site, before the window closes.");
    // The findings are accepted: a failure to write the inspectors' links to the new orders must not
    // fail the request; the workflow's first step after findings writes them again.
    await this.linkOrdersToInspectors(orders).catch((error: unknown) =>
      logger.warn("Inspector links not written; the workflow writes them", {
        assignmentId: a.assignmentId,
        error: error instanceof Error ? error : String(error),
      }),
    );
  }

  /**
   * The inspectors' index items of their orders (`GET /rectifications` of an inspector). Too many for
   * the findings transaction (orders × team), so written after it — by the API, and again by the
   * workflow's first step after findings, so a crash in between loses none. Same keys: idempotent.
   */
  async linkOrdersToInspectors(orders: readonly RectificationRecord[]): Promise<void> {
    await this.db.batchPut(
      orders.flatMap((o) =>
        o.inspectorIds.map((inspectorId) => ({
          ...keys.inspectorRect(inspectorId, o.createdAt, o.rectificationId),
          rectificationId: o.rectificationId,
        })),
      ),
    );
  }

  /** Moves the assignment along when its current status is one of `from`; false when it was not. */
  async advanceAssignment(
    assignmentId: string,
    from: readonly AssignmentRecord["status"][],
    to: AssignmentRecord["status"],
    at: string,
    audit: AuditInput,
    extra: { closedAt?: string; missedAt?: string } = {},
    alsoWrite: readonly TransactItem[] = [],
  ): Promise<boolean> {
    const values: Item = { ":to": to, ":at": at, ":one": 1 };
    from.forEach((s, i) => {
      values[`:from${i}`] = s;
    });
    const sets = ["#status = :to", "updatedAt = :at", "version = version + :one"];
    if (extra.closedAt) {
      sets.push("closedAt = :closedAt");
      values[":closedAt"] = extra.closedAt;
    }
    if (extra.missedAt) {
      sets.push("missedAt = :missedAt");
      values[":missedAt"] = extra.missedAt;
    }
    try {
      await this.commit(
        [
          this.db.update(
            keys.assignment(assignmentId),
            `SET ${sets.join(", ")}`,
            { "#status": "status" },
            values,
            `#status IN (${from.map((_, i) => `:from${i}`).join(", ")})`,
          ),
          this.auditPut(audit),
          ...alsoWrite,
        ],
        "assignment moved on",
      );
      return true;
    } catch (error) {
      if (error instanceof ConflictError) return false;
      throw error;
    }
  }

  // ---- task tokens (workflow callbacks) ----------------------------------------------------

  /**
   * Keeps the token of the callback an entity (assignment or order) waits on, on an item of its own:
   * one small put instead of rewriting the entity and its index entries. The workflow writes the
   * token and then reads the entity; the change relay, fed by the table's stream once a change is
   * committed, reads the token and then the entity. All reads are strongly consistent, so at least
   * one side sees the other and a resume is never lost (both may send it: the second finds the token
   * spent, which is harmless). A token left from an earlier wait is spent, or still the one waiting;
   * either is safe to send to.
   */
  async putCallbackToken(
    entity: { pk: string; sk: string },
    kind: CallbackKind,
    token: string,
    at: string,
  ): Promise<void> {
    await this.db.putItem({ ...keys.callbackToken(entity), taskToken: token, kind, at });
  }

  async getCallbackToken(entity: {
    pk: string;
    sk: string;
  }): Promise<{ taskToken: string; kind: CallbackKind } | undefined> {
    const item = await this.db.get(keys.callbackToken(entity));
    return item ? parseItem(callbackToken, item, "callback token") : undefined;
  }

  // ---- workflow resumes that failed ---------------------------------------------------------

  /** Kept when `SendTaskSuccess` failed after the change was committed; the resume job retries it. */
  async putPendingResume(
    tokenHash: string,
    taskToken: string,
    output: string,
    error: string | undefined,
    at: string,
  ): Promise<void> {
    await this.db.batchPut([
      {
        ...keys.pendingResume(tokenHash),
        gsi3pk: keys.pendingResumes,
        gsi3sk: `${at}#${tokenHash}`,
        tokenHash,
        taskToken,
        output,
        ...(error === undefined ? {} : { error }),
        at,
      },
    ]);
  }

  async listPendingResumes(
    limit: number,
  ): Promise<{ tokenHash: string; taskToken: string; output: string; error?: string | undefined }[]> {
    const out = await this.db.query(
      {
        IndexName: INDEX.global,
        KeyConditionExpression: "gsi3pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.pendingResumes },
      },
      { limit },
    );
    return out.items.map((i) => parseItem(pendingResume, i, "pending resume"));
  }

  async deletePendingResume(tokenHash: string): Promise<void> {
    await this.db.delete(keys.pendingResume(tokenHash));
  }

  // ---- rectification orders ----------------------------------------------------------------

  async getRectification(id: string): Promise<RectificationRecord | undefined> {
    const item = await this.db.get(keys.rect(id));
    return item ? parseItem(rectificationRecord, strip(item), "rectification order") : undefined;
  }

  async getRectifications(ids: readonly string[]): Promise<RectificationRecord[]> {
    const items = await this.db.batchGet(ids.map((id) => keys.rect(id)));
    const byId = new Map(
      items
        .map((i) => parseItem(rectificationRecord, strip(i), "rectification order"))
        .map((r) => [r.rectificationId, r]),
    );
    return ids.map((id) => byId.get(id)).filter((r): r is RectificationRecord => r !== undefined);
  }

  /**
   * Replaces an order with its next state, conditional on the version read (no lost update), in
   * one transaction with its audit event, notifications and counters.
   */
  async saveRectification(
    before: RectificationRecord,
    after: RectificationRecord,
    extra: {
      audits: readonly AuditInput[];
      notifications?: readonly NotificationInput[];
      closedOnTime?: boolean;
    },
    conflictMessage: string,
  ): Promise<void> {
    const fields = {
      ...after,
      ...rectIndexKeys(after),
      version: before.version + 1,
    };
    const names: Record<string, string> = {};
    const values: Item = { ":expected": before.version };
    const sets = Object.entries(fields).map(([name, value], i) => {
      names[`#f${i}`] = name;
      values[`:f${i}`] = value;
      return `#f${i} = :f${i}`;
    });
    const items: TransactItem[] = [
      this.db.update(
        keys.rect(after.rectificationId),
        `SET ${sets.join(", ")}`,
        { ...names, "#version": "version" },
        values,
        "#version = :expected",
      ),
      ...extra.audits.map((a) => this.auditPut(a)),
      ...(extra.notifications ?? []).map((n) => this.notificationPut(n)),
    ];
    if (extra.closedOnTime !== undefined) {
      const counter = extra.closedOnTime ? "closedOnTime" : "closedLate";
      for (const sk of ["#ALL", `UNIT#${after.unitId}`]) {
        items.push(
          this.db.update(
            { pk: keys.stats, sk },
            `ADD closed :one, ${counter} :one SET unitId = :unit`,
            undefined,
            { ":one": 1, ":unit": sk === "#ALL" ? "*" : after.unitId },
          ),
        );
      }
    }
    await this.commit(items, conflictMessage);
  }

  async listActiveRectifications(filter: {
    unitId?: string;
    deadlineBefore?: string;
  }): Promise<RectificationRecord[]> {
    const range = filter.deadlineBefore;
    const items = filter.unitId
      ? await this.db.queryAll({
          IndexName: INDEX.byUnit,
          KeyConditionExpression: range
            ? "gsi2pk = :pk AND gsi2sk BETWEEN :a AND :b"
            : "gsi2pk = :pk AND begins_with(gsi2sk, :a)",
          ExpressionAttributeValues: range
            ? { ":pk": keys.unitRects(filter.unitId), ":a": "A#", ":b": `A#${range}` }
            : { ":pk": keys.unitRects(filter.unitId), ":a": "A#" },
        })
      : await this.db.queryAll({
          IndexName: INDEX.global,
          KeyConditionExpression: range ? "gsi3pk = :pk AND gsi3sk < :b" : "gsi3pk = :pk",
          ExpressionAttributeValues: range
            ? { ":pk": keys.activeRects, ":b": range }
            : { ":pk": keys.activeRects },
        });
    return items.map((i) => parseItem(rectificationRecord, strip(i), "rectification order"));
  }

  /** A page of orders for organizers/officials: by unit or over all, active or closed, optionally only overdue. */
  async pageRectifications(
    filter: { unitId?: string; bucket: "active" | "closed" | "all"; overdueBefore?: string; status?: string },
    page: PageRequest,
  ): Promise<Page<RectificationRecord>> {
    const values: Item = {};
    let keyCondition: string;
    let indexName: string;
    if (filter.unitId) {
      indexName = INDEX.byUnit;
      values[":pk"] = keys.unitRects(filter.unitId);
      if (filter.overdueBefore) {
        keyCondition = "gsi2pk = :pk AND gsi2sk BETWEEN :a AND :b";
        values[":a"] = "A#";
        values[":b"] = `A#${filter.overdueBefore}`;
      } else if (filter.bucket === "all") {
        keyCondition = "gsi2pk = :pk";
      } else {
        keyCondition = "gsi2pk = :pk AND begins_with(gsi2sk, :a)";
        values[":a"] = filter.bucket === "active" ? "A#" : "C#";
      }
    } else if (filter.bucket === "all" && !filter.overdueBefore) {
      // All orders of every unit: two partitions; read the active first, then the closed.
      return this.pageAcrossBuckets(filter.status, page);
    } else {
      indexName = INDEX.global;
      values[":pk"] = filter.bucket === "closed" ? keys.closedRects : keys.activeRects;
      if (filter.overdueBefore) {
        keyCondition = "gsi3pk = :pk AND gsi3sk < :b";
        values[":b"] = filter.overdueBefore;
      } else {
        keyCondition = "gsi3pk = :pk";
      }
    }
    const names: Record<string, string> = {};
    let filterExpression: string | undefined;
    if (filter.status) {
      filterExpression = "#status = :status";
      names["#status"] = "status";
      values[":status"] = filter.status;
    }
    const out = await this.db.query(
      {
        IndexName: indexName,
        KeyConditionExpression: keyCondition,
        ExpressionAttributeValues: values,
        ...(filterExpression ? { FilterExpression: filterExpression, ExpressionAttributeNames: names } : {}),
        // Active orders by deadline, soonest first; closed ones by closing time, the latest first (the
        // recent past is what a reader of the closed list wants, whatever the length of the history).
        ScanIndexForward: filter.bucket !== "closed",
      },
      page,
    );
    return {
      items: out.items.map((i) => parseItem(rectificationRecord, strip(i), "rectification order")),
      nextCursor: out.nextCursor,
    };
  }

  private async pageAcrossBuckets(
    status: string | undefined,
    page: PageRequest,
  ): Promise<Page<RectificationRecord>> {
    // The cursor names the bucket it continues in: "A:<key>" or "C:<key>".
    const raw = page.cursor ?? "";
    const inClosed = raw.startsWith("C:");
    const inner = raw.length > 2 ? raw.slice(2) : undefined;
    const bucket = inClosed ? "closed" : "active";
    const result = await this.pageRectifications(
      { bucket, ...(status ? { status } : {}) },
      { limit: page.limit, cursor: inner },
    );
    if (result.nextCursor)
      return { items: result.items, nextCursor: `${inClosed ? "C" : "A"}:${result.nextCursor}` };
    if (!inClosed) return { items: result.items, nextCursor: "C:" };
    return { items: result.items, nextCursor: null };
  }

  async listRectificationIdsOfInspector(inspectorId: string, page: PageRequest): Promise<Page<string>> {
    const out = await this.db.query(
      {
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues: { ":pk": keys.inspectorPartition(inspectorId), ":prefix": "RECT#" },
        ScanIndexForward: false,
      },
      page,
    );
    return { items: out.items.map((i) => String(i.rectificationId)), nextCursor: out.nextCursor };
  }

  async listRectificationsOfSpotCheck(spotCheckId: string): Promise<RectificationRecord[]> {
    const items = await this.db.queryAll({
      IndexName: INDEX.byOwner,
      KeyConditionExpression: "gsi1pk = :pk",
      ExpressionAttributeValues: { ":pk": keys.spotCheckRects(spotCheckId) },
    });
    return items.map((i) => parseItem(rectificationRecord, strip(i), "rectification order"));
  }

  async closedCounters(): Promise<{
    all: { closed: number; closedOnTime: number };
    byUnit: Map<string, { closed: number; closedOnTime: number }>;
  }> {
    const items = await this.db.queryAll({
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": keys.stats },
    });
    const byUnit = new Map<string, { closed: number; closedOnTime: number }>();
    let all = { closed: 0, closedOnTime: 0 };
    for (const item of items) {
      const c = parseItem(
        closedCounters,
        { closed: item.closed, closedOnTime: item.closedOnTime },
        "counters",
      );
      const value = { closed: c.closed ?? 0, closedOnTime: c.closedOnTime ?? 0 };
      if (item.sk === "#ALL") all = value;
      else if (typeof item.sk === "string" && item.sk.startsWith("UNIT#"))
        byUnit.set(item.sk.slice(5), value);
    }
    return { all, byUnit };
  }
}
