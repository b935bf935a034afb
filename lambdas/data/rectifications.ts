import { type ClosedCounter, closedCountsOf } from "../domain/rectification-order";
import type { Dynamo, Item, Page, TransactItem } from "./dynamo";
import { batchGetParsed, getParsed, type PageRequest, pageOfPartition, queryPage, strip } from "./items";
import type { AuditInput, Journal, NotificationInput } from "./journal";
import { INDEX, keys, rectIndexKeys } from "./keys";
import {
  closedCounters,
  type PendingExtension,
  parseItem,
  pendingExtension,
  type RectificationRecord,
  rectificationRecord,
} from "./records";

/** Closed orders counted: all, those closed late, those reminded (催办) and escalated (问责) on the way. */
export type ClosedCounts = Record<Exclude<ClosedCounter, "closedOnTime">, number>;

export function emptyClosedCounts(): ClosedCounts {
  return { closed: 0, closedLate: 0, closedReminded: 0, closedEscalated: 0 };
}

/**
 * Closed orders are counted per unit (`STATS#RECTS / UNIT#id`), in the close's own transaction; the
 * all-units figures are the sum of the unit counters, which the dashboard reads whole anyway (one
 * Query of the partition, for its per-unit table). An all-units item of its own was a second counter
 * in every close's transaction (2 write units as DynamoDB bills a transaction) and, on one item, a
 * point where closes at the same moment conflicted; the `#ALL…` items earlier versions wrote beside
 * the unit counters (always both, in one transaction) are no longer read.
 */
function addClosedCounts(a: ClosedCounts, b: ClosedCounts): ClosedCounts {
  return {
    closed: a.closed + b.closed,
    closedLate: a.closedLate + b.closedLate,
    closedReminded: a.closedReminded + b.closedReminded,
    closedEscalated: a.closedEscalated + b.closedEscalated,
  };
}

/** Rectification orders (整改单): issue, report, review, close, and the counters of closed ones. */
export class RectificationStore {
  constructor(
    private readonly db: Dynamo,
    private readonly journal: Journal,
  ) {}

  async getRectification(id: string): Promise<RectificationRecord | undefined> {
    return getParsed(this.db, keys.rect(id), rectificationRecord, "rectification order");
  }

  async getRectifications(ids: readonly string[]): Promise<RectificationRecord[]> {
    const found = await batchGetParsed(
      this.db,
      ids.map(keys.rect),
      rectificationRecord,
      "rectification order",
    );
    const byId = new Map(found.map((r) => [r.rectificationId, r]));
    return ids.map((id) => byId.get(id)).filter((r): r is RectificationRecord => r !== undefined);
  }

  /**
   * Replaces an order with its next state, conditional on the version read (no lost update), in
   * one transaction with its audit event, notifications and, when it closes (销号), the counters of
   * closed orders: on time or late, and how far it was escalated (kept history the dashboard reads).
   */
  async saveRectification(
    before: RectificationRecord,
    after: RectificationRecord,
    extra: {
      audits: readonly AuditInput[];
      notifications?: readonly NotificationInput[];
      /** An extension request that enters the organizers' queue, or the id of one that leaves it. */
      pendingExtension?: { readonly add: PendingExtension } | { readonly remove: string };
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
    const sets: string[] = [];
    // A field the next state no longer has (a reminder sent for an old deadline) is removed, not kept.
    const removes: string[] = [];
    Object.entries(fields).forEach(([name, value], i) => {
      names[`#f${i}`] = name;
      if (value === undefined) {
        removes.push(`#f${i}`);
        return;
      }
      values[`:f${i}`] = value;
      sets.push(`#f${i} = :f${i}`);
    });
    const items: TransactItem[] = [
      this.db.update(
        keys.rect(after.rectificationId),
        `SET ${sets.join(", ")}${removes.length > 0 ? ` REMOVE ${removes.join(", ")}` : ""}`,
        { ...names, "#version": "version" },
        values,
        "#version = :expected",
      ),
      ...extra.audits.map((a) => this.journal.auditPut(a)),
      ...(extra.notifications ?? []).map((n) => this.journal.notificationPut(n)),
    ];
    const queue = extra.pendingExtension;
    if (queue && "add" in queue) {
      items.push(
        this.db.put(
          {
            ...keys.pendingExtension(queue.add.requestId),
            gsi3pk: keys.pendingExtensions,
            gsi3sk: `${queue.add.requestedAt}#${queue.add.requestId}`,
            ...queue.add,
          },
          "attribute_not_exists(pk)",
        ),
      );
    } else if (queue) {
      items.push(this.db.remove(keys.pendingExtension(queue.remove)));
    }
    if (before.status !== "closed" && after.status === "closed") {
      const counters = closedCountsOf(after);
      items.push(
        this.db.update(
          { pk: keys.stats, sk: `UNIT#${after.unitId}` },
          `ADD ${counters.map((c) => `${c} :one`).join(", ")} SET unitId = :unit`,
          undefined,
          { ":one": 1, ":unit": after.unitId },
        ),
      );
    }
    await this.journal.commit(items, conflictMessage);
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
    const result = await queryPage(
      this.db,
      {
        IndexName: indexName,
        KeyConditionExpression: keyCondition,
        ExpressionAttributeValues: values,
        // Active orders by deadline, soonest first; closed ones by closing time, the latest first (the
        // recent past is what a reader of the closed list wants, whatever the length of the history).
        ScanIndexForward: filter.bucket !== "closed",
      },
      page,
      rectificationRecord,
      "rectification order",
    );
    // The status is not in the index (a report would rewrite both entries): the page is filtered on
    // the items read, as a FilterExpression would filter it (after the limit, the cursor unchanged).
    const { status } = filter;
    return status ? { ...result, items: result.items.filter((r) => r.status === status) } : result;
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

  /** The organizers' queue of pending extension requests, oldest first. */
  async pagePendingExtensions(page: PageRequest): Promise<Page<PendingExtension>> {
    return pageOfPartition(
      this.db,
      "global",
      keys.pendingExtensions,
      page,
      pendingExtension,
      "pending extension request",
    );
  }

  /** How many extension requests wait for a decision (of one spot check's orders, if given). */
  async countPendingExtensions(spotCheckId?: string): Promise<number> {
    const items = await this.db.queryAll({
      IndexName: INDEX.global,
      KeyConditionExpression: "gsi3pk = :pk",
      ExpressionAttributeValues: {
        ":pk": keys.pendingExtensions,
        ...(spotCheckId ? { ":sc": spotCheckId } : {}),
      },
      ...(spotCheckId ? { FilterExpression: "spotCheckId = :sc" } : {}),
      ProjectionExpression: "requestId",
    });
    return items.length;
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

  /**
   * The orders of these assignments (each lists its own), by assignment and then order id — a spot
   * check's orders without an index key of their own on every order.
   */
  async ordersOfAssignments(
    assignments: readonly { assignmentId: string; rectificationIds?: string[] | undefined }[],
  ): Promise<RectificationRecord[]> {
    const orders = await this.getRectifications(assignments.flatMap((a) => a.rectificationIds ?? []));
    const key = (o: RectificationRecord) => `${o.assignmentId}#${o.rectificationId}`;
    return orders.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  }

  async closedCounters(): Promise<{ all: ClosedCounts; byUnit: Map<string, ClosedCounts> }> {
    const items = await this.db.queryAll({
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": keys.stats },
    });
    const byUnit = new Map<string, ClosedCounts>();
    let all = emptyClosedCounts();
    for (const item of items) {
      const c = parseItem(
        closedCounters,
        {
          closed: item.closed,
          closedOnTime: item.closedOnTime,
          closedLate: item.closedLate,
          closedReminded: item.closedReminded,
          closedEscalated: item.closedEscalated,
        },
        "counters",
      );
      const closed = c.closed ?? 0;
      const value: ClosedCounts = {
        closed,
        // Counters written before late closes were counted hold only `closedOnTime`.
        closedLate: c.closedLate ?? closed - (c.closedOnTime ?? 0),
        closedReminded: c.closedReminded ?? 0,
        closedEscalated: c.closedEscalated ?? 0,
      };
      if (typeof item.sk === "string" && item.sk.startsWith("UNIT#")) {
        byUnit.set(item.sk.slice(5), value);
        all = addClosedCounts(all, value);
      }
    }
    return { all, byUnit };
  }
}
