import { ConflictError } from "../domain/errors";
import type { Dynamo, Page } from "./dynamo";
import { getParsed, latestParsed, type PageRequest, pageOfPartition } from "./items";
import type { AuditInput, Journal } from "./journal";
import { keys } from "./keys";
import { type TemplateRecord, templateRecord } from "./records";

/** Rounds a publication may lose to concurrent ones before it is refused. */
const PUBLISH_ATTEMPTS = 5;

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

  /**
   * Writes the next version of a template, built by `next` from the latest one (undefined when there
   * is no such template). Two publications at once cannot both become version n: the write is
   * conditional on that version not existing yet, and the one that loses reads the new latest version
   * and builds on it; after a few lost rounds it gives up (ConflictError, 409).
   */
  async publishVersion(
    templateId: string,
    next: (latest: TemplateRecord) => { readonly record: TemplateRecord; readonly audit: AuditInput },
  ): Promise<TemplateRecord | undefined> {
    for (let attempt = 0; attempt < PUBLISH_ATTEMPTS; attempt++) {
      const latest = await this.getLatestTemplate(templateId);
      if (latest === undefined) return undefined;
      const { record, audit } = next(latest);
      if (record.templateId !== templateId || record.version !== latest.version + 1) {
        throw new Error(`A new version of ${templateId} must be ${latest.version + 1}`);
      }
      try {
        await this.createTemplate(record, audit);
        return record;
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
    }
    throw new ConflictError("同一考评细则正有多人同时发布新版本，请稍后重试。");
  }

  async getLatestTemplate(templateId: string): Promise<TemplateRecord | undefined> {
    return latestParsed(this.db, keys.templatePartition(templateId), templateRecord, "template");
  }

  /** Every template, newest first, each as its first version (see `getLatestTemplate` for the latest). */
  async listTemplates(page: PageRequest): Promise<Page<TemplateRecord>> {
    return pageOfPartition(this.db, "byOwner", keys.allTemplates, page, templateRecord, "template", {
      latestFirst: true,
    });
  }

  async getTemplateVersion(templateId: string, version: number): Promise<TemplateRecord | undefined> {
    return getParsed(this.db, keys.template(templateId, version), templateRecord, "template");
  }
}
