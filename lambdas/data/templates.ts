import type { Dynamo, Page } from "./dynamo";
import { type PageRequest, pageOnOwnerIndex, strip } from "./items";
import type { AuditInput, Journal } from "./journal";
import { keys } from "./keys";
import { parseItem, type TemplateRecord, templateRecord } from "./records";

/** Checklist templates (检查表), one item per version; a version never changes once written. */
export class TemplateStore {
  constructor(
    private readonly db: Dynamo,
    private readonly journal: Journal,
  ) {}

  async createTemplate(record: TemplateRecord, audit: AuditInput): Promise<void> {
    await this.journal.commit(
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
        this.journal.auditPut(audit),
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
    return pageOnOwnerIndex(this.db, keys.allTemplates, page, templateRecord, "template", {
      latestFirst: true,
    });
  }

  async getTemplateVersion(templateId: string, version: number): Promise<TemplateRecord | undefined> {
    const item = await this.db.get(keys.template(templateId, version));
    return item ? parseItem(templateRecord, strip(item), "template") : undefined;
  }
}
