import { ConflictError } from "../domain/errors";
import { BATCH_CONCURRENCY, type Dynamo, type Page, type TransactItem } from "./dynamo";
import { batchGetParsed, getParsed, type PageRequest, pageOfPartition } from "./items";
import type { AuditInput, Journal } from "./journal";
import { INDEX, keys } from "./keys";
import { type UnitLastArrivalRecord, type UnitRecord, unitLastArrivalRecord, unitRecord } from "./records";

/** A unit's ancestor with its parent link as read, checked in the write that puts a unit under it. */
export interface AncestorLink {
  readonly unitId: string;
  readonly parentId: string | null;
}

/** A unit for `UnitStore.createUnits`, with the ancestors `putUnit` would check for it. */
export interface NewUnit {
  readonly unit: UnitRecord;
  readonly ancestorParents?: readonly AncestorLink[];
}

/** DynamoDB's limit of items in one TransactWriteItems: 50 units and their first audit links. */
const MAX_GROUP_ITEMS = 100;
const UNIT_TREE_CHANGED = "单位树刚被修改，请重试。";

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
    ancestorParents: readonly AncestorLink[],
    audit: AuditInput,
  ): Promise<void> {
    const items: TransactItem[] = [
      this.unitPut(unit, expectedVersion),
      ...ancestorParents.map((a) => this.ancestorCheck(a)),
      this.journal.auditPut(audit),
    ];
    await this.journal.commit(items, UNIT_TREE_CHANGED);
  }

  /**
   * Creates many new units at once: for each, the same item, condition (`attribute_not_exists(pk)`),
   * ancestor checks and first audit link (`created: true`) as `putUnit(unit, null, ancestorParents,
   * audit)`, but up to 50 units with their links in one transaction (at most 100 items, the
   * ancestors the group's units share checked once), `BATCH_CONCURRENCY` transactions at once. Give
   * parents before their children (a level at a time): a unit's ancestor may not be in the same call.
   *
   * A transaction is all or nothing: if one unit of a group exists already (or an ancestor's parent
   * link is no longer as read), DynamoDB refuses the whole group. Its units are then written one at
   * a time, each in its own transaction exactly as `putUnit` would, so every unit that can be created
   * is, the others' groups go on, and at the end a `ConflictError` names the units that could not be
   * created (none of which was touched). Any other failure (throttling that outlasts the retries)
   * stops the groups not yet started and is thrown as it is.
   */
  async createUnits(
    units: readonly NewUnit[],
    audit: (unit: UnitRecord) => Omit<AuditInput, "entityId" | "created">,
  ): Promise<void> {
    const ids = new Set<string>();
    for (const { unit } of units) {
      if (ids.has(unit.unitId)) throw new Error(`createUnits: unit ${unit.unitId} is given twice`);
      ids.add(unit.unitId);
    }
    for (const { unit, ancestorParents = [] } of units) {
      const inCall = ancestorParents.find((a) => ids.has(a.unitId));
      if (inCall)
        throw new Error(`createUnits: ${unit.unitId}'s ancestor ${inCall.unitId} is in the same call`);
    }
    const auditOf = (unit: UnitRecord): AuditInput => ({
      ...audit(unit),
      entityId: unit.unitId,
      created: true,
    });

    // Groups of at most 100 items: each unit and its audit link, and each distinct ancestor once.
    const groups: { units: NewUnit[]; ancestors: Map<string, AncestorLink> }[] = [];
    let group: (typeof groups)[number] | undefined;
    for (const u of units) {
      const fresh = (u.ancestorParents ?? []).filter((a) => !group?.ancestors.has(a.unitId));
      if (!group || 2 * (group.units.length + 1) + group.ancestors.size + fresh.length > MAX_GROUP_ITEMS) {
        group = { units: [], ancestors: new Map() };
        groups.push(group);
      }
      group.units.push(u);
      for (const a of u.ancestorParents ?? []) {
        const seen = group.ancestors.get(a.unitId);
        if (seen && seen.parentId !== a.parentId)
          throw new Error(`createUnits: two parent links read for ${a.unitId}`);
        group.ancestors.set(a.unitId, a);
      }
    }

    const notCreated: string[] = [];
    let next = 0;
    let failed = false;
    const worker = async () => {
      while (!failed && next < groups.length) {
        const g = groups[next++] as (typeof groups)[number];
        try {
          await this.createGroup(g.units, [...g.ancestors.values()], auditOf, notCreated);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, groups.length) }, worker));
    if (notCreated.length > 0) {
      const named = notCreated.slice(0, 10).join("、");
      const more = notCreated.length > 10 ? `等 ${notCreated.length} 个单位` : "";
      throw new ConflictError(`单位已存在或单位树刚被修改，未能创建：${named}${more}。其余单位已创建。`);
    }
  }

  /** One group's transaction; refused, its units one at a time (see `createUnits`). */
  private async createGroup(
    group: readonly NewUnit[],
    ancestors: readonly AncestorLink[],
    auditOf: (unit: UnitRecord) => AuditInput,
    notCreated: string[],
  ): Promise<void> {
    try {
      await this.journal.commit(
        [
          ...group.map(({ unit }) => this.unitPut(unit, null)),
          ...ancestors.map((a) => this.ancestorCheck(a)),
          ...group.map(({ unit }) => this.journal.auditPut(auditOf(unit))),
        ],
        UNIT_TREE_CHANGED,
      );
      return;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
    for (const { unit, ancestorParents = [] } of group) {
      try {
        await this.putUnit(unit, null, ancestorParents, auditOf(unit));
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        notCreated.push(unit.unitId);
      }
    }
  }

  /** The unit's item (with its entry in its parent's children list), as every write of a unit puts it. */
  private unitPut(unit: UnitRecord, expectedVersion: number | null): TransactItem {
    return this.db.put(
      {
        ...keys.unit(unit.unitId),
        gsi1pk: keys.unitChildren(unit.parentId),
        gsi1sk: unit.unitId,
        ...unit,
      },
      expectedVersion === null ? "attribute_not_exists(pk)" : "version = :expected",
      expectedVersion === null ? undefined : { ":expected": expectedVersion },
    );
  }

  /** An ancestor's parent link must still be as read (a root must still exist and be a root). */
  private ancestorCheck(a: AncestorLink): TransactItem {
    return a.parentId === null
      ? this.db.conditionCheck(keys.unit(a.unitId), "attribute_exists(pk) AND parentId = :null", {
          ":null": null,
        })
      : this.db.conditionCheck(keys.unit(a.unitId), "parentId = :p", { ":p": a.parentId });
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
