import type { Dynamo, Page } from "./dynamo";
import { type PageRequest, strip } from "./items";
import { keys } from "./keys";
import { type NotificationRecord, notificationRecord, parseItem } from "./records";

/** A recipient's mailbox, latest first. Notifications are written by `Journal.notificationPut`. */
export class NotificationStore {
  constructor(private readonly db: Dynamo) {}

  async listNotifications(recipient: string, page: PageRequest): Promise<Page<NotificationRecord>> {
    const out = await this.db.query(
      {
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.notifications(recipient) },
        ScanIndexForward: false,
      },
      page,
    );
    return {
      items: out.items.map((i) => parseItem(notificationRecord, strip(i), "notification")),
      nextCursor: out.nextCursor,
    };
  }
}
