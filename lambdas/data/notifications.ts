import type { Dynamo, Page } from "./dynamo";
import { type PageRequest, queryPage } from "./items";
import { keys } from "./keys";
import { type NotificationRecord, notificationRecord } from "./records";

/** A recipient's mailbox, latest first. Notifications are written by `Journal.notificationPut`. */
export class NotificationStore {
  constructor(private readonly db: Dynamo) {}

  async listNotifications(recipient: string, page: PageRequest): Promise<Page<NotificationRecord>> {
    return queryPage(
      this.db,
      {
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.notifications(recipient) },
        ScanIndexForward: false,
      },
      page,
      notificationRecord,
      "notification",
    );
  }
}
