import { Duration, Validations } from "aws-cdk-lib";
import { type Alarm, ComparisonOperator, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { EventType } from "aws-cdk-lib/aws-s3";
import { LambdaDestination } from "aws-cdk-lib/aws-s3-notifications";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { uploadCheck } from "../../lambdas/workflow/tasks";
import type { InspectionTable } from "./data-store";
import type { EvidenceStore } from "./evidence-store";
import { InspectionFunction } from "./inspection-function";

/** Properties of {@link EvidenceCheck}. */
export interface EvidenceCheckProps {
  /** The table holding the evidence items it verifies or rejects (`TABLE_NAME`). */
  readonly table: InspectionTable;
  /** The bucket whose upload events it checks (`EVIDENCE_BUCKET`). */
  readonly evidence: EvidenceStore;
}

/**
 * Stateless: the check of every upload, triggered by the evidence bucket's own `ObjectCreated`
 * event under `uploads/` (asynchronous: Lambda retries twice, then the event lands in a dead-letter
 * queue with an alarm on it). It reads the upload, may copy it to `evidence/` and deletes it: read
 * and delete on `uploads/*`, write on `evidence/*`, nothing else.
 */
export class EvidenceCheck extends Construct {
  /** The upload check function. */
  readonly function: InspectionFunction;
  /** Upload events the check failed on after its retries. */
  readonly deadLetters: Queue;
  /** At least one upload event given up on. */
  readonly failedAlarm: Alarm;

  constructor(scope: Construct, id: string, props: EvidenceCheckProps) {
    super(scope, id);
    const bucket = props.evidence.bucket;

    this.deadLetters = new Queue(this, "DeadLetters", {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetters).acknowledge({
      id: "AwsSolutions-SQS3",
      reason: "This queue is itself the dead-letter queue of the upload check.",
    });

    this.function = new InspectionFunction(this, "Function", {
      handler: uploadCheck.handler,
      timeout: Duration.seconds(60),
      memorySize: 512,
      environment: { TABLE_NAME: props.table.tableName, EVIDENCE_BUCKET: props.evidence.bucketName },
      deadLetterQueue: this.deadLetters,
    });
    props.table.grantReadWrite(this.function);
    this.function.addToRolePolicy(
      new PolicyStatement({
        actions: ["s3:GetObject", "s3:DeleteObject"],
        resources: [bucket.arnForObjects(`${uploadCheck.prefix}*`)],
      }),
    );
    this.function.addToRolePolicy(
      new PolicyStatement({ actions: ["s3:PutObject"], resources: [bucket.arnForObjects("evidence/*")] }),
    );

    bucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(this.function), {
      prefix: uploadCheck.prefix,
    });

    this.failedAlarm = this.deadLetters
      .metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) })
      .createAlarm(this, "FailedAlarm", {
        alarmDescription: "An evidence upload could not be checked after every retry: it stays pending.",
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
  }
}
