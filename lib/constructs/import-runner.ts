import { Duration, Validations } from "aws-cdk-lib";
import { type Alarm, ComparisonOperator, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import { Rule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { importRunner } from "../../lambdas/workflow/tasks";
import type { InspectionTable } from "./data-store";
import type { EvidenceStore } from "./evidence-store";
import type { InspectionIdentity } from "./identity";
import { InspectionFunction } from "./inspection-function";

/** Properties of {@link ImportRunner}. */
export interface ImportRunnerProps {
  /** The table it validates against and writes units, people and the import's progress to (`TABLE_NAME`). */
  readonly table: InspectionTable;
  /** The bucket whose spreadsheet uploads it runs (`EVIDENCE_BUCKET`). */
  readonly evidence: EvidenceStore;
  /** The user pool it creates and changes accounts in (`USER_POOL_ID`). */
  readonly identity: InspectionIdentity;
}

/**
 * Stateless: the run of every spreadsheet import (导入), triggered by the evidence bucket's own
 * "Object Created" event under `imports/`, delivered by EventBridge (asynchronous: retried, then the
 * event lands in a dead-letter queue with an alarm on it) — never through the API. It reads and
 * deletes the spreadsheet, writes the workbook of temporary passwords under `import-results/`,
 * reads and writes the table, and administers accounts as the people routes do; nothing else. Up to
 * 15 minutes a run; a run that needs more stops in time and its retry resumes it.
 */
export class ImportRunner extends Construct {
  /** The import runner function. */
  readonly function: InspectionFunction;
  /** The rule that sends the bucket's spreadsheet uploads to the runner. */
  readonly rule: Rule;
  /** Upload events the runner failed on after its retries. */
  readonly deadLetters: Queue;
  /** At least one import given up on. */
  readonly failedAlarm: Alarm;

  constructor(scope: Construct, id: string, props: ImportRunnerProps) {
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
        reason: "This queue is itself the dead-letter queue of the spreadsheet import runner.",
      });
    }

    this.function = new InspectionFunction(this, "Function", {
      handler: importRunner.handler,
      timeout: Duration.minutes(15),
      // exceljs holds the whole workbook (about ten times its XML, at most 16 MiB of it) in memory.
      memorySize: 1024,
      environment: {
        TABLE_NAME: props.table.tableName,
        EVIDENCE_BUCKET: props.evidence.bucketName,
        USER_POOL_ID: props.identity.userPool.userPoolId,
      },
      deadLetterQueue: this.deadLetters,
    });
    props.table.grantReadWrite(this.function);
    props.identity.grantAccountAdministration(this.function);
    props.evidence.grantObjects(
      this.function,
      ["s3:GetObject", "s3:DeleteObject"],
      importRunner.prefix,
      "reads each spreadsheet it imports and deletes it once the import has ended",
    );
    props.evidence.grantObjects(
      this.function,
      ["s3:PutObject"],
      importRunner.resultsPrefix,
      "writes the workbook of the temporary passwords of the accounts an import created",
    );

    // The bucket's own "Object Created" events under imports/ (EventBridge, asynchronous invocation).
    this.rule = new Rule(this, "UploadedRule", {
      description: "Every spreadsheet uploaded for an import is run by the import runner",
      eventPattern: {
        source: ["aws.s3"],
        detailType: ["Object Created"],
        detail: { bucket: { name: [bucket.bucketName] }, object: { key: [{ prefix: importRunner.prefix }] } },
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
        alarmDescription:
          "A spreadsheet import could not be run after every retry: it stays validating or importing.",
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
  }
}
