import { Duration } from "aws-cdk-lib";
import type { Construct } from "constructs";
import { importRunner } from "../../lambdas/workflow/tasks";
import { BucketUploadHandler } from "./bucket-upload-handler";
import type { InspectionTable } from "./data-store";
import type { EvidenceStore } from "./evidence-store";
import type { InspectionIdentity } from "./identity";

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
 * Stateless: the run of every spreadsheet import (导入), run by the evidence bucket's own
 * "Object Created" event under `imports/` — never through the API. It reads and
 * deletes the spreadsheet, writes the workbook of temporary passwords under `import-results/`,
 * reads and writes the table, and administers accounts as the people routes do; nothing else. Up to
 * 15 minutes a run; a run that needs more stops in time and its retry resumes it.
 */
export class ImportRunner extends BucketUploadHandler {
  constructor(scope: Construct, id: string, props: ImportRunnerProps) {
    super(scope, id, {
      bucket: props.evidence.bucket,
      prefix: importRunner.prefix,
      function: {
        handler: importRunner.handler,
        timeout: Duration.minutes(15),
        // exceljs holds the whole workbook (about ten times its XML, at most 16 MiB of it) in memory.
        memorySize: 1024,
        environment: {
          TABLE_NAME: props.table.tableName,
          EVIDENCE_BUCKET: props.evidence.bucketName,
          USER_POOL_ID: props.identity.userPool.userPoolId,
        },
      },
      does: "runs every spreadsheet uploaded for an import",
      givenUp: "the spreadsheet import stays validating or importing",
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
  }
}
