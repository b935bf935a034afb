import { ConflictError } from "../domain/errors";
import { logger } from "../shared/logger";
import type { Dynamo, Item, Page, TransactItem } from "./dynamo";
import { batchGetParsed, getParsed, type PageRequest, pageOfPartition } from "./items";
import type { AuditInput, Journal } from "./journal";
import { keys, rectIndexKeys } from "./keys";
import {
  type AssignmentRecord,
  assignmentRecord,
  type RectificationRecord,
  type UnitLastArrivalRecord,
} from "./records";

/** An assignment's item with its index attributes (the unit's index only after arrival). */
export function assignmentItem(a: AssignmentRecord): Item {
  return {
    ...keys.assignment(a.assignmentId),
    gsi3pk: keys.allAssignments,
    gsi3sk: `${a.createdAt}#${a.assignmentId}`,
    ...(a.arrival
      ? { gsi2pk: keys.unitAssignments(a.unitId), gsi2sk: `${a.arrival.at}#${a.assignmentId}` }
      : {}),
    ...a,
  };
}

/** Assignments (检查任务): a team's visit to one unit, from dispatch to closing. */
export class AssignmentStore {
  constructor(
    private readonly db: Dynamo,
    private readonly journal: Journal,
  ) {}

  /**
   * Team membership items let an inspector list their own assignments and orders with one Query.
   * `repair`: only those not written yet (the draw writes them; the dispatch repairs a draw cut short).
   */
  async putMemberships(assignments: readonly AssignmentRecord[], repair = false): Promise<void> {
    const items = assignments.flatMap((a) =>
      a.inspectorIds.map((inspectorId) => ({
        ...keys.inspectorAssignment(inspectorId, a.createdAt, a.assignmentId),
        assignmentId: a.assignmentId,
      })),
    );
    await (repair ? this.db.batchPutMissing(items) : this.db.batchPut(items));
  }

  async getAssignment(assignmentId: string): Promise<AssignmentRecord | undefined> {
    return getParsed(this.db, keys.assignment(assignmentId), assignmentRecord, "assignment");
  }

  async getAssignments(ids: readonly string[]): Promise<AssignmentRecord[]> {
    const found = await batchGetParsed(this.db, ids.map(keys.assignment), assignmentRecord, "assignment");
    const byId = new Map(found.map((a) => [a.assignmentId, a]));
    return ids.map((id) => byId.get(id)).filter((a): a is AssignmentRecord => a !== undefined);
  }

  async listAllAssignments(page: PageRequest): Promise<Page<AssignmentRecord>> {
    return pageOfPartition(this.db, "global", keys.allAssignments, page, assignmentRecord, "assignment", {
      latestFirst: true,
    });
  }

  /** Only assignments the team has arrived at are in this index: before arrival the unit cannot list them. */
  async listArrivedAssignmentsOfUnit(unitId: string, page: PageRequest): Promise<Page<AssignmentRecord>> {
    return pageOfPartition(
      this.db,
      "byUnit",
      keys.unitAssignments(unitId),
      page,
      assignmentRecord,
      "assignment",
      { latestFirst: true },
    );
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

  /**
   * dispatched → on_site; the arrival also puts the assignment into the unit's index and becomes the
   * unit's last arrival (减负: the draw reads those of all its candidates with one BatchGet, see
   * `UnitStore.lastArrivals`). The last arrival is overwritten unconditionally: a condition on it
   * could fail the arrival itself, and two arrivals at one unit race only by the request's latency.
   */
  async recordArrival(
    a: AssignmentRecord,
    arrival: NonNullable<AssignmentRecord["arrival"]>,
    audit: AuditInput,
  ): Promise<void> {
    await this.journal.commit(
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
        this.db.put({
          ...keys.unitLastArrival(a.unitId),
          unitId: a.unitId,
          lastArrivalAt: arrival.at,
          assignmentId: a.assignmentId,
          spotCheckId: a.spotCheckId,
        } satisfies Item & UnitLastArrivalRecord),
        this.journal.auditPut(audit),
      ],
      "本组已记录过到达。",
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
      ...audits.map((e) => this.journal.auditPut(e)),
    ];
    await this.journal.commit(items, "现场评分只能在到达后、督查时段结束前提交一次。");
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
   * workflow's first step after findings (`repair`: those missing), so a crash in between loses none.
   */
  async linkOrdersToInspectors(orders: readonly RectificationRecord[], repair = false): Promise<void> {
    const items = orders.flatMap((o) =>
      o.inspectorIds.map((inspectorId) => ({
        ...keys.inspectorRect(inspectorId, o.createdAt, o.rectificationId),
        rectificationId: o.rectificationId,
      })),
    );
    await (repair ? this.db.batchPutMissing(items) : this.db.batchPut(items));
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
      await this.journal.commit(
        [
          this.db.update(
            keys.assignment(assignmentId),
            `SET ${sets.join(", ")}`,
            { "#status": "status" },
            values,
            `#status IN (${from.map((_, i) => `:from${i}`).join(", ")})`,
          ),
          this.journal.auditPut(audit),
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
}
