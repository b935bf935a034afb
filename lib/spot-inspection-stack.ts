import { CfnOutput, Stack, type StackProps } from "aws-cdk-lib";
import type { Construct } from "constructs";
import { InspectionTable } from "./constructs/data-store";
import { EvidenceCheck } from "./constructs/evidence-check";
import { EvidenceStore } from "./constructs/evidence-store";
import { InspectionHttpApi } from "./constructs/http-api";
import { InspectionIdentity } from "./constructs/identity";
import { ImportRunner } from "./constructs/import-runner";
import { InspectionNotifications } from "./constructs/notifications";
import { InspectionObservability } from "./constructs/observability";
import { WebConsole } from "./constructs/web-console";
import { InspectionWorkflow } from "./constructs/workflow";

/** Properties of {@link SpotInspectionStack}. */
export interface SpotInspectionStackProps extends StackProps {
  /**
   * Steady-state request rate limit of the HTTP API (requests per second).
   * @default 50
   */
  readonly throttlingRateLimit?: number;
  /**
   * Burst limit of the HTTP API.
   * @default 100
   */
  readonly throttlingBurstLimit?: number;
}

/**
 * The 四不两直 spot-inspection system: the stateful parts (table, user pool) and the stateless ones
 * (notification topic, workflow, HTTP API) that use them.
 */
export class SpotInspectionStack extends Stack {
  /** Stateful: the single table. */
  readonly data: InspectionTable;
  /** Stateful: the private bucket of evidence photos and documents. */
  readonly evidence: EvidenceStore;
  /** The check of every evidence upload, run by the bucket's upload event. */
  readonly evidenceCheck: EvidenceCheck;
  /** The run of every spreadsheet import, started by the bucket's upload event under imports/. */
  readonly importRunner: ImportRunner;
  /** Stateful: the user pool, its groups and app client. */
  readonly identity: InspectionIdentity;
  /** The notification topic (整改通知, 催办, 问责). */
  readonly notifications: InspectionNotifications;
  /** The state machine, its task functions and the scheduled jobs. */
  readonly workflow: InspectionWorkflow;
  /** The HTTP API and its route functions. */
  readonly api: InspectionHttpApi;
  /** The web console: S3 + CloudFront, signing in through the user pool's managed login. */
  readonly console: WebConsole;
  /** The dashboard, the alarms and the operators' alarm topic. */
  readonly observability: InspectionObservability;

  constructor(scope: Construct, id: string, props: SpotInspectionStackProps = {}) {
    super(scope, id, {
      description:
        "Unannounced spot inspections (si bu liang zhi): HTTP API, Step Functions workflow, DynamoDB",
      ...props,
    });

    this.data = new InspectionTable(this, "Data");
    this.evidence = new EvidenceStore(this, "Evidence");
    this.identity = new InspectionIdentity(this, "Identity");
    this.notifications = new InspectionNotifications(this, "Notifications");
    this.workflow = new InspectionWorkflow(this, "Workflow", {
      table: this.data,
      topic: this.notifications.topic,
    });
    this.api = new InspectionHttpApi(this, "Api", {
      table: this.data,
      evidence: this.evidence,
      identity: this.identity,
      topic: this.notifications.topic,
      throttlingRateLimit: props.throttlingRateLimit,
      throttlingBurstLimit: props.throttlingBurstLimit,
    });

    this.evidenceCheck = new EvidenceCheck(this, "EvidenceCheck", {
      table: this.data,
      evidence: this.evidence,
    });

    this.importRunner = new ImportRunner(this, "ImportRunner", {
      table: this.data,
      evidence: this.evidence,
      identity: this.identity,
    });

    this.observability = new InspectionObservability(this, "Observability", {
      api: this.api,
      workflow: this.workflow,
      uploadHandlers: [this.evidenceCheck, this.importRunner],
    });

    this.console = new WebConsole(this, "Console", { apiUrl: this.api.url, identity: this.identity });
    this.evidence.allowConsole(`https://${this.console.distribution.distributionDomainName}`);

    new CfnOutput(this, "ApiUrl", { description: "Base URL of the HTTP API", value: this.api.url });
    new CfnOutput(this, "UserPoolId", { value: this.identity.userPool.userPoolId });
    new CfnOutput(this, "UserPoolClientId", {
      description: "App client id: the JWT audience",
      value: this.identity.userPoolClient.userPoolClientId,
    });
    new CfnOutput(this, "ConsoleUrl", { description: "The web console", value: this.console.url });
    new CfnOutput(this, "TableName", { value: this.data.tableName });
    new CfnOutput(this, "EvidenceBucketName", { value: this.evidence.bucketName });
    new CfnOutput(this, "StateMachineArn", { value: this.workflow.stateMachine.stateMachineArn });
    new CfnOutput(this, "NotificationTopicArn", { value: this.notifications.topic.topicArn });
    new CfnOutput(this, "AlarmTopicArn", {
      description: "Operators' alarms: subscribe an e-mail address or a chat bridge",
      value: this.observability.alarmTopic.topicArn,
    });
    new CfnOutput(this, "DashboardName", { value: this.observability.dashboard.dashboardName });
  }
}
