import type { Dynamo, Page, TransactItem } from "./dynamo";
import { batchGetParsed, getParsed, type PageRequest, pageOfPartition, strip } from "./items";
import type { AuditInput, Journal } from "./journal";
import { keys } from "./keys";
import { type InspectorRecord, inspectorRecord, parseItem } from "./records";

/** The inspector pool (检查人员库). */
export class InspectorStore {
  constructor(
    private readonly db: Dynamo,
    private readonly journal: Journal,
  ) {}

  async getInspector(inspectorId: string): Promise<InspectorRecord | undefined> {
    return getParsed(this.db, keys.inspector(inspectorId), inspectorRecord, "inspector");
  }

  /** The inspector pool, by id. */
  async listInspectors(page: PageRequest): Promise<Page<InspectorRecord>> {
    return pageOfPartition(this.db, "byOwner", keys.allInspectors, page, inspectorRecord, "inspector");
  }

  async getInspectors(ids: readonly string[]): Promise<Map<string, InspectorRecord>> {
    const found = await batchGetParsed(this.db, ids.map(keys.inspector), inspectorRecord, "inspector");
    return new Map(found.map((r) => [r.inspectorId, r]));
  }

  /** Every inspector of the pool (bounded by the organisation's size; for pools given by unit). */
  async listAllInspectors(): Promise<InspectorRecord[]> {
    const items = await this.db.queryAll({
      IndexName: "GSI1",
      KeyConditionExpression: "gsi1pk = :pk",
      ExpressionAttributeValues: { ":pk": keys.allInspectors },
    });
    return items.map((i) => parseItem(inspectorRecord, strip(i), "inspector"));
  }

  /** The put of an inspector profile, for a transaction of another aggregate (a person's account). */
  inspectorPut(record: InspectorRecord): TransactItem {
    return this.db.put({
      ...keys.inspector(record.inspectorId),
      gsi1pk: keys.allInspectors,
      gsi1sk: record.inspectorId,
      ...record,
    });
  }

  async putInspector(
    record: InspectorRecord,
    expectedVersion: number | null,
    audit: AuditInput,
  ): Promise<void> {
    const condition = expectedVersion === null ? "attribute_not_exists(pk)" : "version = :expected";
    await this.journal.commit(
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
        this.journal.auditPut(audit),
      ].map((t) => {
        // ConditionCheck with no values must not carry an empty ExpressionAttributeValues map.
        if (t.ConditionCheck && Object.keys(t.ConditionCheck.ExpressionAttributeValues ?? {}).length === 0) {
          const { ExpressionAttributeValues, ...rest } = t.ConditionCheck;
          return { ConditionCheck: rest };
        }
        return t;
      }),
      "督查员或其所属单位刚被修改，请重试。",
    );
  }
}
