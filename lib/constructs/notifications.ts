import { Alias } from "aws-cdk-lib/aws-kms";
import { Topic } from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";

/** Properties of {@link InspectionNotifications}. */
export interface InspectionNotificationsProps {
  /**
   * Display name of the topic (the sender name of e-mail and SMS subscriptions).
   * @default "Spot inspections"
   */
  readonly displayName?: string;
}

/**
 * The SNS topic that carries rectification notices (整改通知), overdue reminders (催办) and
 * accountability escalations (问责). Encrypted with the AWS-managed `alias/aws/sns` key; publishing
 * requires TLS. Subscriptions are added outside this stack (e-mail, SMS, chat bridges).
 */
export class InspectionNotifications extends Construct {
  /** The topic. */
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: InspectionNotificationsProps = {}) {
    super(scope, id);
    this.topic = new Topic(this, "Topic", {
      displayName: props.displayName ?? "Spot inspections",
      enforceSSL: true,
      masterKey: Alias.fromAliasName(this, "SnsManagedKey", "alias/aws/sns"),
    });
  }
}
