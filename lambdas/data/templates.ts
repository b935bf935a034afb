import type { Dynamo, Page } from "./dynamo";
import { getParsed, latestParsed, type PageRequest, pageOnOwnerIndex } from "./items";
import type { AuditInput, Journal } from "./journal";
import { keys } from "./keys";
import { type TemplateRecord, templateRecord } from "./records";

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
      "该版本的考评细则已存在。",
    );
  }

  async getLatestTemplate(templateId: string): Promise<TemplateRecord | undefined> {
    return latestParsed(this.db, keys.templatePartition(templateId), templateRecord, "template");
  }

  /** Every template, newest first, each as its first version (see `getLatestTemplate` for the latest). */
  async listTemplates(page: PageRequest): Promise<Page<TemplateRecord>> {
    return pageOnOwnerIndex(this.db, keys.allTemplates, page, templateRecord, "template", {
      latestFirst: true,
    });
  }

  async getTemplateVersion(templateId: string, version: number): Promise<TemplateRecord | undefined> {
    return getParsed(this.db, keys.template(templateId, version), templateRecord, "template");
  }
}
