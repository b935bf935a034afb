import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import type { NotificationInput } from "../data/journal";
import { optionalEnv } from "../shared/config";
import { logger } from "../shared/logger";
import { traced } from "../shared/tracer";

/**
 * Reminders and escalations go to the SNS topic in the cloud (for SMS/e-mail subscriptions), after
 * they are stored for `GET /me/notifications`. The local runner has no topic: there the stored
 * notifications are the delivery.
 */
const topicArn = optionalEnv("NOTIFY_TOPIC_ARN");
const sns = topicArn ? traced(new SNSClient({})) : undefined;

export async function publishNotices(notices: readonly NotificationInput[]): Promise<void> {
  if (!sns || !topicArn) return;
  for (const n of notices) {
    try {
      await sns.send(
        new PublishCommand({
          TopicArn: topicArn,
          Subject: n.title,
          Message: n.body,
          MessageAttributes: {
            recipient: { DataType: "String", StringValue: n.recipient },
            kind: { DataType: "String", StringValue: n.kind },
          },
        }),
      );
    } catch (error) {
      // The notice is already stored and visible in the app; a failed fan-out is logged, not retried forever.
      logger.warn("Publishing a notice to SNS failed", {
        kind: n.kind,
        error: error instanceof Error ? error.name : "",
      });
    }
  }
}
