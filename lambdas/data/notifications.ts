import type { Dynamo, Page } from "./dynamo";
import { type PageRequest, pageOfPartition } from "./items";
import type { NotificationInput } from "./journal";
import { keys } from "./keys";
import { type NotificationRecord, notificationRecord } from "./records";

/** A recipient's mailbox, latest first. Notifications are written by `Journal.notificationPut`. */
export class NotificationStore {
  constructor(private readonly db: Dynamo) {}

  /**
   * Delivers notices outside any transaction, each under a key derived from `key` (its occasion, e.g.
   * the assignment): a repeated delivery rewrites the same items, so each notice is stored once.
   */
  async deliverOnce(key: string, notices: readonly NotificationInput[]): Promise<void> {
    await this.db.batchPut(
      notices.map((n) => {
        const notificationId = `${key}#${n.recipient}`;
        const record: NotificationRecord = { notificationId, ...n };
        return { pk: keys.notifications(n.recipient), sk: `${n.at}#${notificationId}`, ...record };
      }),
    );
  }

  async listNotifications(recipient: string, page: PageRequest): Promise<Page<NotificationRecord>> {
    return pageOfPartition(
      this.db,
      "table",
      keys.notifications(recipient),
      page,
      notificationRecord,
      "notification",
      {
        latestFirst: true,
      },
    );
  }
}
