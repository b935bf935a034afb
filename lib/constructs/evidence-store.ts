import { Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import { Grant } from "aws-cdk-lib/aws-iam";
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  HttpMethods,
  ObjectOwnership,
} from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import { EXPORTS_KEPT_DAYS, EXPORTS_PREFIX } from "../../lambdas/domain/documents";
import { EVIDENCE_PREFIX } from "../../lambdas/domain/evidence";
import { CREDENTIALS_KEPT_DAYS } from "../../lambdas/domain/imports";
import { importRunner, uploadCheck } from "../../lambdas/workflow/tasks";
import type { InspectionFunction } from "./inspection-function";

/** Properties of {@link EvidenceStore}. */
export interface EvidenceStoreProps {
  /**
   * What happens to the bucket when it leaves the stack.
   * @default RemovalPolicy.RETAIN — photos are evidence of inspections and of 问责
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Stateful: the private bucket of evidence (取证: photos and documents). Clients upload with
 * presigned PUTs to `uploads/<evidenceId>` and never read or list the bucket themselves; the upload
 * check copies accepted bytes to `evidence/<evidenceId>` and deletes the upload. Spreadsheets to
 * import arrive the same way under `imports/<importId>` (the import runner deletes each once done),
 * and the workbook of the temporary passwords an import made is kept under `import-results/` for
 * 3 days; documents too large for a response (evidence packs, mostly) are kept under `exports/`
 * for a day, for their download URL. Block public access, S3-managed encryption, TLS only,
 * bucket-owner objects, server access logs to a bucket of their own; uploads never checked are
 * removed after a day, an unfinished multipart upload too.
 */
export class EvidenceStore extends Construct {
  /** The evidence bucket. */
  readonly bucket: Bucket;
  /** Where S3 writes the evidence bucket's server access logs. */
  readonly accessLogs: Bucket;

  constructor(scope: Construct, id: string, props: EvidenceStoreProps = {}) {
    super(scope, id);
    // Server access logs are delivered under a bucket policy, not an ACL (the logs bucket takes none).
    this.node.setContext("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy", true);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.accessLogs = new Bucket(this, "AccessLogs", {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy,
      lifecycleRules: [{ expiration: Duration.days(400) }],
    });
    Validations.of(this.accessLogs).acknowledge({
      id: "AwsSolutions-S1",
      reason: "This bucket is itself the target of the evidence bucket's server access logs.",
    });

    this.bucket = new Bucket(this, "Bucket", {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
      removalPolicy,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: "evidence/",
      lifecycleRules: [
        { id: "UnfinishedMultipart", abortIncompleteMultipartUploadAfter: Duration.days(1) },
        // An upload is checked within seconds of arriving; one still here a day later never was.
        { id: "UncheckedUploads", prefix: uploadCheck.prefix, expiration: Duration.days(1) },
        // An import's file is deleted when its run ends; one still here a day later never ran.
        { id: "UnrunImports", prefix: importRunner.prefix, expiration: Duration.days(1) },
        // Temporary passwords are not kept: the importer downloads the workbook within 3 days or never.
        {
          id: "ImportCredentials",
          prefix: importRunner.resultsPrefix,
          expiration: Duration.days(CREDENTIALS_KEPT_DAYS),
        },
        // A document is fetched through its five-minute URL at once; nothing keeps it longer.
        { id: "Exports", prefix: EXPORTS_PREFIX, expiration: Duration.days(EXPORTS_KEPT_DAYS) },
      ],
    });
    // Object events go to EventBridge (the upload check's rule), set on the bucket itself: CDK's
    // notification helper (a custom resource with a function of its own) is not needed for that.
    (this.bucket.node.defaultChild as CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };
  }

  /** The bucket name, for a function's `EVIDENCE_BUCKET`. */
  get bucketName(): string {
    return this.bucket.bucketName;
  }

  /**
   * Lets the web console's origin PUT uploads and GET downloads with presigned URLs (CORS): the
   * upload sends its signed Content-Type, nothing else.
   */
  allowConsole(origin: string): void {
    this.bucket.addCorsRule({
      allowedOrigins: [origin],
      allowedMethods: [HttpMethods.PUT, HttpMethods.GET],
      allowedHeaders: ["content-type"],
      exposedHeaders: ["ETag"],
      maxAge: 3600,
    });
  }

  /** Presigning uploads: `s3:PutObject` on `uploads/*` only. */
  grantPresignUpload(fn: InspectionFunction): void {
    this.grantObjects(fn, ["s3:PutObject"], uploadCheck.prefix, "presigns upload URLs");
  }

  /** Presigning downloads of verified evidence: `s3:GetObject` on `evidence/*` only. */
  grantPresignDownload(fn: InspectionFunction): void {
    this.grantObjects(fn, ["s3:GetObject"], EVIDENCE_PREFIX, "presigns download URLs");
  }

  /** Presigning spreadsheet uploads: `s3:PutObject` on `imports/*` only. */
  grantPresignImportUpload(fn: InspectionFunction): void {
    this.grantObjects(fn, ["s3:PutObject"], importRunner.prefix, "presigns spreadsheet upload URLs");
  }

  /** Presigning downloads of an import's credentials workbook: `s3:GetObject` on `import-results/*` only. */
  grantPresignImportResults(fn: InspectionFunction): void {
    this.grantObjects(
      fn,
      ["s3:GetObject"],
      importRunner.resultsPrefix,
      "presigns download URLs of an import's credentials workbook for its importer",
    );
  }

  /**
   * Storing documents too large for a response and presigning their download: `s3:PutObject` and
   * `s3:GetObject` on `exports/*` only.
   */
  grantExports(fn: InspectionFunction): void {
    this.grantObjects(
      fn,
      ["s3:PutObject", "s3:GetObject"],
      EXPORTS_PREFIX,
      "stores documents too large for a response and presigns their download URLs",
    );
  }

  /** Reading verified evidence into an evidence pack: `s3:GetObject` on `evidence/*` only. */
  grantReadEvidence(fn: InspectionFunction): void {
    this.grantObjects(fn, ["s3:GetObject"], EVIDENCE_PREFIX, "reads verified evidence into evidence packs");
  }

  /**
   * Exactly `actions` on the objects under `prefix`. Object keys are evidence ids made at run time,
   * so the resource is the prefix's wildcard; that one finding is acknowledged, by name.
   */
  grantObjects(fn: InspectionFunction, actions: readonly string[], prefix: string, why: string): void {
    Grant.addToPrincipal({
      grantee: fn,
      actions: [...actions],
      resourceArns: [this.bucket.arnForObjects(`${prefix}*`)],
    });
    const logicalId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket);
    Validations.of(fn.executionRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/${prefix}*]`,
      reason: `The ${fn.handlerModule} function ${why}; object keys are ids made at run time, so it may ${actions.join(" and ")} any object under ${prefix}, and nothing else.`,
    });
  }
}
