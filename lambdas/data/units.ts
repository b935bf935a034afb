import type { Dynamo, Page, TransactItem } from "./dynamo";
import { batchGetParsed, getParsed, type PageRequest, pageOfPartition } from "./items";
import type { AuditInput, Journal } from "./journal";
import { INDEX, keys } from "./keys";
import { type UnitLastArrivalRecord, type UnitRecord, unitLastArrivalRecord, unitRecord } from "./records";

/** The unit tree (被检查单位 and their districts and streets). */
export class UnitStore {
  constructor(
    private readonly db: Dynamo,
    private readonly journal: Journal,
  ) {}

  async getUnit(unitId: string): Promise<UnitRecord | undefined> {
    return getParsed(this.db, keys.unit(unitId), unitRecord, "unit");
  }

  async getUnits(unitIds: readonly string[]): Promise<Map<string, UnitRecord>> {
    const units = await batchGetParsed(this.db, unitIds.map(keys.unit), unitRecord, "unit");
    return new Map(units.map((u) => [u.unitId, u]));
  }

  /**
   * Each unit's last arrival of an inspection team, from any spot check (减负), keyed by unit id; a unit
   * no team has arrived at is missing. One BatchGet per 100 units (written by
   * `AssignmentStore.recordArrival`), so a draw over hundreds of candidates reads a few batches.
   */
  async lastArrivals(unitIds: readonly string[]): Promise<Map<string, UnitLastArrivalRecord>> {
    const found = await batchGetParsed(
      this.db,
      unitIds.map(keys.unitLastArrival),
      unitLastArrivalRecord,
      "unit's last arrival",
    );
    return new Map(found.map((a) => [a.unitId, a]));
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
      this.journal.auditPut(audit),
    ];
    await this.journal.commit(items, "单位树刚被修改，请重试。");
  }

  async listChildren(parentId: string | null, page: PageRequest): Promise<Page<UnitRecord>> {
    return pageOfPartition(this.db, "byOwner", keys.unitChildren(parentId), page, unitRecord, "unit");
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
    return (await this.subtree(parentId)).leaves;
  }

  /** `parentId` and every unit under it, at any depth. */
  async unitsUnder(parentId: string): Promise<string[]> {
    return (await this.subtree(parentId)).all;
  }

  /**
   * The leaves under `parentId` and every unit of its subtree (itself included), by id: breadth
   * first, the Queries of one level at once. One walk answers both questions.
   */
  async subtree(parentId: string): Promise<{ leaves: string[]; all: string[] }> {
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
    return { leaves: leaves.sort(), all: [...seen].sort() };
  }
}
