import type { Dynamo, Page } from "./dynamo";
import { type PageRequest, pageOfPartition } from "./items";
import type { NotificationInput } from "./journal";
import { keys } from "./keys";
import { type NotificationRecord, notificationRecord } from "./records";

/** A recipient's mailbox, latest first. Notifications are written by `Journal.notificationPut`. */
export class NotificationStore {
  constructor(private readonly db: Dynamo) {}

  /**
   * Delivers notices outside any transaction, each under a key derived from `occasion` (what it is
   * about, e.g. the assignment) and its recipient: a repeated delivery rewrites the same items, so
   * each notice is stored once. One batch write for all of them.
   */
  async deliverOnce(
    notices: readonly NotificationInput[],
    occasion: (notice: NotificationInput) => string,
  ): Promise<void> {
    await this.db.batchPut(
      notices.map((n) => {
        const notificationId = `${occasion(n)}#${n.recipient}`;
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
