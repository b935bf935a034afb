import { Duration, Validations } from "aws-cdk-lib";
import { type Alarm, ComparisonOperator, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import { Rule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { EVIDENCE_PREFIX } from "../../lambdas/domain/evidence";
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
 * Stateless: the check of every upload, triggered by the evidence bucket's own "Object Created"
 * event under `uploads/`, delivered by EventBridge (asynchronous: retried, then the event lands in a
 * dead-letter queue with an alarm on it). It reads the upload, may copy it to `evidence/` and deletes it: read
 * and delete on `uploads/*`, write on `evidence/*`, nothing else.
 */
export class EvidenceCheck extends Construct {
  /** The upload check function. */
  readonly function: InspectionFunction;
  /** The rule that sends the bucket's upload events to the check. */
  readonly rule: Rule;
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
    for (const id of ["AwsSolutions-SQS3", "Serverless-SQSRedrivePolicy"]) {
      Validations.of(this.deadLetters).acknowledge({
        id,
        reason: "This queue is itself the dead-letter queue of the upload check.",
      });
    }

    this.function = new InspectionFunction(this, "Function", {
      handler: uploadCheck.handler,
      timeout: Duration.seconds(60),
      environment: { TABLE_NAME: props.table.tableName, EVIDENCE_BUCKET: props.evidence.bucketName },
      deadLetterQueue: this.deadLetters,
    });
    props.table.grantReadWrite(this.function);
    props.evidence.grantObjects(
      this.function,
      ["s3:GetObject", "s3:DeleteObject"],
      uploadCheck.prefix,
      "reads each upload it checks and deletes it afterwards",
    );
    props.evidence.grantObjects(
      this.function,
      ["s3:PutObject"],
      EVIDENCE_PREFIX,
      "copies accepted uploads to their evidence key",
    );

    // The bucket's own "Object Created" events under uploads/ (EventBridge, asynchronous invocation).
    this.rule = new Rule(this, "UploadedRule", {
      description: "Every evidence upload is checked by the upload check",
      eventPattern: {
        source: ["aws.s3"],
        detailType: ["Object Created"],
        detail: { bucket: { name: [bucket.bucketName] }, object: { key: [{ prefix: uploadCheck.prefix }] } },
      },
      targets: [
        new LambdaFunction(this.function, {
          deadLetterQueue: this.deadLetters,
          retryAttempts: 4,
          maxEventAge: Duration.hours(2),
        }),
      ],
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
