import { Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import type { IGrantable } from "aws-cdk-lib/aws-iam";
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  HttpMethods,
  ObjectOwnership,
} from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import { uploadCheck } from "../../lambdas/workflow/tasks";

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
 * check copies accepted bytes to `evidence/<evidenceId>` and deletes the upload. Block public
 * access, S3-managed encryption, TLS only, bucket-owner objects, server access logs to a bucket of
 * their own; uploads never checked are removed after a day, an unfinished multipart upload too.
 */
export class EvidenceStore extends Construct {
  /** The evidence bucket. */
  readonly bucket: Bucket;
  /** Where S3 writes the evidence bucket's server access logs. */
  readonly accessLogs: Bucket;

  constructor(scope: Construct, id: string, props: EvidenceStoreProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.accessLogs = new Bucket(this, "AccessLogs", {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
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
      ],
    });
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
  grantPresignUpload(grantee: IGrantable): void {
    this.bucket.grantPut(grantee, `${uploadCheck.prefix}*`);
  }

  /** Presigning downloads of verified evidence: `s3:GetObject` on `evidence/*` only. */
  grantPresignDownload(grantee: IGrantable): void {
    this.bucket.grantRead(grantee, "evidence/*");
  }
}
