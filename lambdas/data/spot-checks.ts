import { randomUUID } from "node:crypto";
import { ConflictError } from "../domain/errors";
import { assignmentItem } from "./assignments";
import { chunkLists, jsonBytes } from "./chunks";
import type { Dynamo, Item, Page, TransactItem } from "./dynamo";
import { type PageRequest, pageOfPartition, strip } from "./items";
import type { AuditInput, Journal } from "./journal";
import { INDEX, keys } from "./keys";
import {
  type AssignmentRecord,
  type DrawRecord,
  drawChunk,
  parseItem,
  planChunk,
  type SpotCheckItem,
  type SpotCheckRecord,
  spotCheckItem,
} from "./records";

/**
 * Candidate and pool ids up to this many bytes of JSON stay in the spot check's item (and so in the
 * list's index entry, read with no further request); longer ones go to `#PLAN#` chunks.
 */
const INLINE_LIST_BYTES = 8 * 1024;

/**
 * Spot checks (抽查计划), their draw and the dispatch outbox. The spot check's item stays small — it
 * is written into the list's index (and the outbox's) with every change: long candidate and pool
 * lists and the draw record are kept in chunks of its partition (see lambdas/data/keys.ts).
 */
export class SpotCheckStore {
  constructor(
    private readonly db: Dynamo,
    private readonly journal: Journal,
  ) {}

  /**
   * Plans a spot check. Long lists are written first, in chunks no spot check names yet: the spot
   * check appears (with its index entry and audit event) only once they are all there.
   */
  async createSpotCheck(record: SpotCheckRecord, audit: AuditInput): Promise<void> {
    const { candidateUnitIds, inspectorIds, ...rest } = record;
    const lists = { candidateUnitIds, inspectorIds };
    const chunks =
      jsonBytes(candidateUnitIds) + jsonBytes(inspectorIds) > INLINE_LIST_BYTES ? chunkLists(lists) : [];
    await this.db.batchPut(
      chunks.map((c, chunk) => ({
        ...keys.spotCheckPlanChunk(record.spotCheckId, chunk),
        spotCheckId: record.spotCheckId,
        chunk,
        ...c,
      })),
    );
    await this.journal.commit(
      [
        this.db.put(
          {
            ...keys.spotCheck(record.spotCheckId),
            gsi1pk: keys.allSpotChecks,
            gsi1sk: `${record.createdAt}#${record.spotCheckId}`,
            ...rest,
            ...(chunks.length > 0 ? { planChunks: chunks.length } : lists),
          },
          "attribute_not_exists(pk)",
        ),
        this.journal.auditPut(audit),
      ],
      "该督查任务已存在。",
    );
  }

  /** The spot check with its candidate and pool ids (one Query: its item and its plan chunks). */
  async getSpotCheck(spotCheckId: string): Promise<SpotCheckRecord | undefined> {
    const head = keys.spotCheck(spotCheckId);
    const items = await this.db.queryAll({
      KeyConditionExpression: "pk = :pk AND sk BETWEEN :first AND :head",
      ExpressionAttributeValues: { ":pk": head.pk, ":first": keys.spotCheckPlanChunks, ":head": head.sk },
      ConsistentRead: true,
    });
    const item = items.find((i) => i.sk === head.sk);
    if (!item) return undefined;
    return withLists(
      parseItem(spotCheckItem, strip(item), "spot check"),
      items.filter((i) => i !== item),
    );
  }

  /**
   * Every spot check, newest first. Its index entry is the spot check's small item; the lists of
   * those whose lists are in chunks are read with a Query each (at once).
   */
  async listSpotChecks(page: PageRequest): Promise<Page<SpotCheckRecord>> {
    const heads = await pageOfPartition(
      this.db,
      "byOwner",
      keys.allSpotChecks,
      page,
      spotCheckItem,
      "spot check",
      { latestFirst: true },
    );
    const items = await Promise.all(
      heads.items.map(async (s) =>
        withLists(s, s.planChunks === undefined ? [] : await this.planChunks(s.spotCheckId)),
      ),
    );
    return { items, nextCursor: heads.nextCursor };
  }

  private planChunks(spotCheckId: string): Promise<Item[]> {
    return this.db.queryAll({
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :plan)",
      ExpressionAttributeValues: {
        ":pk": keys.spotCheckPartition(spotCheckId),
        ":plan": keys.spotCheckPlanChunks,
      },
      ConsistentRead: true,
    });
  }

  /**
   * The draw record of a drawn spot check (undefined before the draw): read from its chunks, or
   * inline on a spot check drawn before the record had items of its own.
   */
  async getDrawRecord(spotCheck: SpotCheckRecord): Promise<DrawRecord | undefined> {
    if (spotCheck.draw) return spotCheck.draw;
    const drawn = spotCheck.drawn;
    if (!drawn) return undefined;
    const items = await this.db.queryAll({
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :draw)",
      ExpressionAttributeValues: {
        ":pk": keys.spotCheckPartition(spotCheck.spotCheckId),
        ":draw": keys.spotCheckDrawChunks(drawn.drawId),
      },
      ConsistentRead: true,
    });
    const chunks = items.map((i) => parseItem(drawChunk, strip(i), "draw record chunk"));
    if (chunks.length !== drawn.chunks || chunks.some((c, k) => c.chunk !== k)) {
      throw new Error(
        `Draw record of spot check ${spotCheck.spotCheckId} has ${chunks.length} of its ${drawn.chunks} chunks`,
      );
    }
    const lineage: Record<string, string[]> = {};
    for (const c of chunks) Object.assign(lineage, c.lineage);
    return {
      algorithm: drawn.algorithm,
      candidates: chunks.flatMap((c) => c.candidates ?? []),
      pool: chunks.flatMap((c) => c.pool ?? []),
      lineage,
      selected: chunks.flatMap((c) => c.selected ?? []),
      drawnAt: drawn.drawnAt,
      drawnBy: drawn.drawnBy,
      ...(drawn.withinDays !== undefined
        ? { exclusion: { withinDays: drawn.withinDays, excluded: chunks.flatMap((c) => c.excluded ?? []) } }
        : {}),
    };
  }

  /**
   * Commits a draw: the spot check moves from planned to dispatched and its assignments appear, all
   * at once. The spot check joins the dispatch outbox until every execution has started.
   *
   * The draw record is written first, in chunks under this draw's own id, then the transaction names
   * that id on the spot check: a draw cut short between the two leaves chunks nothing names (never
   * read), and a draw that loses a race to another removes its own.
   */
  async commitDraw(
    spotCheck: SpotCheckRecord,
    draw: DrawRecord,
    assignments: readonly AssignmentRecord[],
    audit: AuditInput,
  ): Promise<void> {
    const drawId = randomUUID();
    const chunks = chunkLists({
      candidates: draw.candidates,
      pool: draw.pool,
      lineage: Object.entries(draw.lineage),
      selected: draw.selected,
      excluded: draw.exclusion?.excluded ?? [],
    });
    const chunkKeys = chunks.map((_, k) => keys.spotCheckDrawChunk(spotCheck.spotCheckId, drawId, k));
    await this.db.batchPut(
      chunks.map(({ lineage, ...lists }, k) => ({
        ...chunkKeys[k],
        spotCheckId: spotCheck.spotCheckId,
        drawId,
        chunk: k,
        ...lists,
        ...(lineage ? { lineage: Object.fromEntries(lineage) } : {}),
      })),
    );
    const drawn: NonNullable<SpotCheckItem["drawn"]> = {
      drawId,
      chunks: chunks.length,
      algorithm: draw.algorithm,
      drawnAt: draw.drawnAt,
      drawnBy: draw.drawnBy,
      ...(draw.exclusion ? { withinDays: draw.exclusion.withinDays } : {}),
    };
    const items: TransactItem[] = [
      this.db.update(
        keys.spotCheck(spotCheck.spotCheckId),
        "SET #status = :dispatched, drawn = :drawn, assignmentIds = :ids, pendingDispatch = :true, gsi3pk = :outbox, gsi3sk = :id",
        { "#status": "status" },
        {
          ":dispatched": "dispatched",
          ":planned": "planned",
          ":drawn": drawn,
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
    try {
      await this.journal.commit(items, "该督查任务已经抽过签。");
    } catch (error) {
      // Another draw came first: this one's chunks are named by nothing; remove them (were this
      // draw committed after all, the spot check names its id, and they stay).
      if (error instanceof ConflictError) {
        const now = await this.getSpotCheck(spotCheck.spotCheckId);
        if (now?.drawn?.drawId !== drawId) await Promise.all(chunkKeys.map((key) => this.db.delete(key)));
      }
      throw error;
    }
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

/** When the spot check was drawn (either shape of its draw record); undefined before the draw. */
export function drawnAtOf(s: Pick<SpotCheckItem, "drawn" | "draw">): string | undefined {
  return s.drawn?.drawnAt ?? s.draw?.drawnAt;
}

/** The spot check with its lists: inline, or joined from its plan chunks (items of its partition). */
function withLists(item: SpotCheckItem, chunkItems: readonly Item[]): SpotCheckRecord {
  const { candidateUnitIds, inspectorIds, planChunks, ...rest } = item;
  if (planChunks === undefined) {
    if (!candidateUnitIds || !inspectorIds)
      throw new Error(`Stored spot check ${item.spotCheckId} has neither its lists nor plan chunks`);
    return { ...rest, candidateUnitIds, inspectorIds };
  }
  const chunks = chunkItems.map((i) => parseItem(planChunk, strip(i), "spot check plan chunk"));
  if (chunks.length !== planChunks || chunks.some((c, k) => c.chunk !== k)) {
    throw new Error(`Spot check ${item.spotCheckId} has ${chunks.length} of its ${planChunks} plan chunks`);
  }
  return {
    ...rest,
    candidateUnitIds: chunks.flatMap((c) => c.candidateUnitIds ?? []),
    inspectorIds: chunks.flatMap((c) => c.inspectorIds ?? []),
  };
}
