import { Duration, Validations } from "aws-cdk-lib";
import { type Alarm, ComparisonOperator, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import { Rule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import type { IBucket } from "aws-cdk-lib/aws-s3";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { InspectionFunction, type InspectionFunctionProps } from "./inspection-function";

/** Properties of {@link BucketUploadHandler}. */
export interface BucketUploadHandlerProps {
  /** The bucket whose "Object Created" events run the function (EventBridge must be enabled on it). */
  readonly bucket: IBucket;
  /** Only objects under this key prefix. */
  readonly prefix: string;
  /** The function: handler module, environment, timeout, memory. Its dead-letter queue is made here. */
  readonly function: Omit<InspectionFunctionProps, "deadLetterQueue">;
  /** What the function does to each upload, for the rule's description ("checks each evidence upload"). */
  readonly does: string;
  /** What it means when an upload is given up on, for the alarm ("the evidence stays pending"). */
  readonly givenUp: string;
}

/**
 * Stateless: a function run by a bucket's own "Object Created" events under a prefix, delivered by
 * EventBridge — asynchronous: retried, then the event lands in a dead-letter queue with an alarm on
 * it; never on a client's word. The upload check and the import runner are two of these.
 */
export class BucketUploadHandler extends Construct {
  readonly function: InspectionFunction;
  /** The rule that sends the bucket's uploads under the prefix to the function. */
  readonly rule: Rule;
  /** Upload events the function failed on after its retries. */
  readonly deadLetters: Queue;
  /** At least one upload given up on. */
  readonly failedAlarm: Alarm;

  constructor(scope: Construct, id: string, props: BucketUploadHandlerProps) {
    super(scope, id);
    this.deadLetters = new Queue(this, "DeadLetters", {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    for (const ack of ["AwsSolutions-SQS3", "Serverless-SQSRedrivePolicy"]) {
      Validations.of(this.deadLetters).acknowledge({
        id: ack,
        reason: `This queue is itself the dead-letter queue of the ${props.function.handler} function.`,
      });
    }
    this.function = new InspectionFunction(this, "Function", {
      ...props.function,
      deadLetterQueue: this.deadLetters,
    });
    this.rule = new Rule(this, "UploadedRule", {
      description: `The ${props.function.handler} function ${props.does}`,
      eventPattern: {
        source: ["aws.s3"],
        detailType: ["Object Created"],
        detail: { bucket: { name: [props.bucket.bucketName] }, object: { key: [{ prefix: props.prefix }] } },
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
        alarmDescription: `An upload could not be handled by ${props.function.handler} after every retry: ${props.givenUp}.`,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
  }
}
