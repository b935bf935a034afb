import { assignmentItem } from "./assignments";
import type { Dynamo, Page, TransactItem } from "./dynamo";
import { getParsed, type PageRequest, pageOfPartition } from "./items";
import type { AuditInput, Journal } from "./journal";
import { INDEX, keys } from "./keys";
import { type AssignmentRecord, type SpotCheckRecord, spotCheckRecord } from "./records";

/** Spot checks (抽查计划), their draw and the dispatch outbox. */
export class SpotCheckStore {
  constructor(
    private readonly db: Dynamo,
    private readonly journal: Journal,
  ) {}

  async createSpotCheck(record: SpotCheckRecord, audit: AuditInput): Promise<void> {
    await this.journal.commit(
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
        this.journal.auditPut(audit),
      ],
      "该督查任务已存在。",
    );
  }

  async getSpotCheck(spotCheckId: string): Promise<SpotCheckRecord | undefined> {
    return getParsed(this.db, keys.spotCheck(spotCheckId), spotCheckRecord, "spot check");
  }

  /** Every spot check, newest first. */
  async listSpotChecks(page: PageRequest): Promise<Page<SpotCheckRecord>> {
    return pageOfPartition(this.db, "byOwner", keys.allSpotChecks, page, spotCheckRecord, "spot check", {
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
      ...assignments.map((a) => this.db.put(assignmentItem(a), "attribute_not_exists(pk)")),
      this.journal.auditPut(audit),
    ];
    await this.journal.commit(items, "该督查任务已经抽过签。");
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

  /**
   * The spot check leaves the outbox: one conditional update, not a transaction of one item (which
   * DynamoDB bills twice) — removing the same attributes again is harmless, so a retry is too.
   */
  async completeDispatch(spotCheckId: string): Promise<void> {
    await this.db.updateItem(
      keys.spotCheck(spotCheckId),
      "REMOVE pendingDispatch, gsi3pk, gsi3sk",
      undefined,
      undefined,
      "attribute_exists(pk)",
      "派发时督查任务已不存在。",
    );
  }
}
