import { Duration } from "aws-cdk-lib";
import type { Construct } from "constructs";
import { EVIDENCE_PREFIX } from "../../lambdas/domain/evidence";
import { uploadCheck } from "../../lambdas/workflow/tasks";
import { BucketUploadHandler } from "./bucket-upload-handler";
import type { InspectionTable } from "./data-store";
import type { EvidenceStore } from "./evidence-store";

/** Properties of {@link EvidenceCheck}. */
export interface EvidenceCheckProps {
  /** The table holding the evidence items it verifies or rejects (`TABLE_NAME`). */
  readonly table: InspectionTable;
  /** The bucket whose upload events it checks (`EVIDENCE_BUCKET`). */
  readonly evidence: EvidenceStore;
}

/**
 * Stateless: the check of every upload, run by the evidence bucket's own "Object Created" event under
 * `uploads/`. It reads the upload, may copy it to `evidence/` and deletes it: read and delete on
 * `uploads/*`, write on `evidence/*`, nothing else.
 */
export class EvidenceCheck extends BucketUploadHandler {
  constructor(scope: Construct, id: string, props: EvidenceCheckProps) {
    super(scope, id, {
      bucket: props.evidence.bucket,
      prefix: uploadCheck.prefix,
      function: {
        handler: uploadCheck.handler,
        timeout: Duration.seconds(60),
        environment: { TABLE_NAME: props.table.tableName, EVIDENCE_BUCKET: props.evidence.bucketName },
      },
      does: "checks every evidence upload",
      givenUp: "the evidence stays pending",
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
  }
}
