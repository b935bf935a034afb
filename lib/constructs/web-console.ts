import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  Annotations,
  Aws,
  Duration,
  Names,
  NestedStack,
  RemovalPolicy,
  Stack,
  Validations,
} from "aws-cdk-lib";
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from "aws-cdk-lib/aws-cloudfront";
import { S3BucketOrigin } from "aws-cdk-lib/aws-cloudfront-origins";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  ObjectOwnership,
} from "aws-cdk-lib/aws-s3";
import { Asset } from "aws-cdk-lib/aws-s3-assets";
import { BucketDeployment, Source } from "aws-cdk-lib/aws-s3-deployment";
import { Construct } from "constructs";
import type { InspectionIdentity } from "./identity";

/** The built console (`npm run build:web`). */
export const DEFAULT_CONSOLE_ASSETS = fileURLToPath(new URL("../../web/dist/", import.meta.url));

/** A one-page stand-in, uploaded when the bundle was not built (synth-only tests, a forgotten build). */
function placeholderDir(): string {
  const dir = join(tmpdir(), "spot-console-placeholder");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "index.html"),
    '<!doctype html><meta charset="utf-8"><title>控制台尚未构建</title><p>运行 npm run build:web 后重新部署。</p>\n',
  );
  return dir;
}

/** Properties of {@link WebConsole}. */
export interface WebConsoleProps {
  /** Base URL of the HTTP API the console calls (written to `config.json`). */
  readonly apiUrl: string;
  /** The user pool: the console signs in through its managed login (code flow with PKCE). */
  readonly identity: InspectionIdentity;
  /**
   * The built bundle to upload. When it has no index.html (the bundle was not built, as in synth-only
   * tests) a placeholder page that says how to build it is uploaded instead, with a synth warning.
   * @default web/dist
   */
  readonly assetsDir?: string;
  /**
   * Prefix of the Cognito domain `https://<prefix>.auth.<region>.amazoncognito.com` (unique per region).
   * @default `<stack name>-<account id>`, lower-cased
   */
  readonly signInDomainPrefix?: string;
}

/**
 * The web console: a private S3 bucket behind CloudFront (origin access control, HTTPS only,
 * `index.html` at the root, security headers), the built bundle and a `config.json` (API URL, user
 * pool, app client, sign-in domain — nothing secret) uploaded beside it by a BucketDeployment. The
 * deployment's helper function (CDK's, Python) lives in a nested stack of its own, so the main
 * template keeps only the system's own functions.
 */
export class WebConsole extends Construct {
  /** The private bucket holding the bundle. */
  readonly bucket: Bucket;
  /** The CloudFront distribution that serves it. */
  readonly distribution: Distribution;
  /** `https://<distribution domain>/` — also the OAuth callback and sign-out URL. */
  readonly url: string;
  /** The upload of the bundle and config.json (in its nested stack). */
  readonly deployment: BucketDeployment;
  /** The nested stack holding the upload and CDK's deploy-time helper function. */
  readonly uploadStack: NestedStack;

  constructor(scope: Construct, id: string, props: WebConsoleProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.bucket = new Bucket(this, "Bucket", {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
    });
    Validations.of(this.bucket).acknowledge({
      id: "AwsSolutions-S1",
      reason:
        "The bucket holds only the public build of the web console; it is written solely by the BucketDeployment " +
        "and read solely by CloudFront through origin access control, so server access logs would record nothing of interest.",
    });

    // The API and Cognito hosts cannot be named exactly here without a cycle (the app client's callback
    // URL needs this distribution), so the CSP allows this region's API Gateway and Cognito hosts.
    const csp = [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      // Evidence photos are downloaded from, and uploaded to, the evidence bucket with presigned URLs.
      `img-src 'self' data: blob: https://*.s3.${Aws.REGION}.${Aws.URL_SUFFIX}`,
      `connect-src 'self' https://*.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX} https://*.auth.${Aws.REGION}.amazoncognito.com https://cognito-idp.${Aws.REGION}.${Aws.URL_SUFFIX} https://*.s3.${Aws.REGION}.${Aws.URL_SUFFIX}`,
      "object-src 'none'",
      "base-uri 'self'",
      "frame-ancestors 'none'",
      "form-action 'self'",
    ].join("; ");
    const headers = new ResponseHeadersPolicy(this, "SecurityHeaders", {
      comment: "Web console security headers",
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
      },
    });

    this.distribution = new Distribution(this, "Distribution", {
      comment: "Spot inspections web console",
      defaultRootObject: "index.html",
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_ALL,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
      },
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: "AwsSolutions-CFR1",
        reason:
          "No geo restriction: inspectors work wherever the inspected units are, and the console is only static " +
          "files — every datum sits behind the API's Cognito JWT authorizer.",
      },
      {
        id: "AwsSolutions-CFR2",
        reason:
          "No WAF web ACL on the console distribution: it serves only static, cacheable files (GET/HEAD); the API " +
          "it calls is throttled at its stage and authorizes every request with Cognito JWTs.",
      },
      {
        id: "AwsSolutions-CFR3",
        reason:
          "No CloudFront access logs: the distribution serves the same public static bundle to everyone; who did " +
          "what is recorded by the API's JSON access logs and the audit trail of every entity.",
      },
      {
        id: "AwsSolutions-CFR4",
        reason:
          "The distribution uses the default *.cloudfront.net certificate, for which CloudFront fixes the minimum " +
          "protocol; attach a custom domain and ACM certificate (TLSv1.2_2021) to raise it.",
      },
    );
    this.url = `https://${this.distribution.distributionDomainName}/`;

    // Managed login for the console: OAuth 2.0 authorization code flow with PKCE on the app client.
    const prefix =
      props.signInDomainPrefix ??
      `${stack.stackName
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, "-")
        .replace(/aws|amazon|cognito/g, "x")}-${Aws.ACCOUNT_ID}`;
    const signIn = props.identity.enableManagedLogin({
      domainPrefix: prefix,
      callbackUrls: [this.url],
      logoutUrls: [this.url],
    });

    const assetsDir = props.assetsDir ?? DEFAULT_CONSOLE_ASSETS;
    const built = existsSync(join(assetsDir, "index.html"));
    if (!built) {
      Annotations.of(this).addWarningV2(
        "spot:console-not-built",
        `${assetsDir} has no index.html: run "npm run build:web" before deploying; a placeholder page is uploaded.`,
      );
    }

    const uploadStack = new NestedStack(this, "Upload", {
      description: "Uploads the web console bundle and its config.json",
    });
    this.uploadStack = uploadStack;
    const bundle = new Asset(uploadStack, "Bundle", { path: built ? assetsDir : placeholderDir() });
    const logGroup = new LogGroup(uploadStack, "UploadLogs", {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // The upload's own role, with exactly what the copy needs (CDK's default grants s3:*Object* wildcards
    // and CloudFront invalidation on every distribution).
    const role = new Role(uploadStack, "UploadRole", {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: "Copies the web console bundle to its bucket and invalidates its distribution",
    });
    role.addToPolicy(
      new PolicyStatement({ actions: ["s3:GetObject"], resources: [bundle.bucket.arnForObjects("*")] }),
    );
    role.addToPolicy(
      new PolicyStatement({
        actions: ["s3:ListBucket", "s3:GetBucketLocation"],
        resources: [this.bucket.bucketArn],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
        resources: [this.bucket.arnForObjects("*")],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        actions: ["cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"],
        resources: [this.distribution.distributionArn],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [logGroup.logGroupArn],
      }),
    );
    const cfnBucket = this.bucket.node.defaultChild as CfnBucket;
    Validations.of(role).acknowledge(
      {
        id: "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]",
        reason:
          "The upload reads the bundle and config.json assets (s3:GetObject only) from the CDK bootstrap asset " +
          "bucket, whose object keys are content hashes decided at synth time.",
      },
      // The console bucket's objects: seen from the construct tree as the bucket's ARN, and from the nested
      // stack's template as the parameter that passes it in.
      ...[
        `<${Stack.of(this).getLogicalId(cfnBucket)}.Arn>/*`,
        `<referenceto${Names.uniqueId(cfnBucket)}Arn>/*`,
      ].map((resource) => ({
        id: `AwsSolutions-IAM5[Resource::${resource}]`,
        reason:
          "The upload writes, and prunes files of an older build from, the console bucket: the build's file names " +
          "carry content hashes, so the objects are known only as bucket/*.",
      })),
    );

    this.deployment = new BucketDeployment(uploadStack, "Deployment", {
      sources: [
        Source.bucket(bundle.bucket, bundle.s3ObjectKey),
        Source.jsonData("config.json", {
          mode: "cognito",
          apiUrl: props.apiUrl,
          region: Aws.REGION,
          userPoolId: props.identity.userPool.userPoolId,
          clientId: props.identity.userPoolClient.userPoolClientId,
          cognitoDomain: signIn.baseUrl(),
          // Username and password sign-in against the pool's own API, as the local console does.
          signIn: {
            endpoint: `https://cognito-idp.${Aws.REGION}.${Aws.URL_SUFFIX}/`,
            clientId: props.identity.userPoolClient.userPoolClientId,
            userPoolId: props.identity.userPool.userPoolId,
          },
        }),
      ],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ["/*"],
      prune: true,
      memoryLimit: 512,
      logGroup,
      role: role.withoutPolicyUpdates(),
    });
    this.acknowledgeDeployment(uploadStack);
  }

  /** Findings on CDK's own BucketDeployment function and role, which this project does not write. */
  private acknowledgeDeployment(deploymentStack: NestedStack): void {
    const handler = deploymentStack.node.children.find((c) =>
      c.node.id.startsWith("Custom::CDKBucketDeployment"),
    );
    if (!handler) throw new Error("BucketDeployment handler not found");
    Validations.of(handler).acknowledge(
      {
        id: "AwsSolutions-L1",
        reason:
          "The BucketDeployment handler is CDK's own Python function with the runtime aws-cdk-lib pins for it " +
          "(it bundles the AWS CLI layer); it upgrades with aws-cdk-lib.",
      },
      {
        id: "Serverless-LambdaLatestVersion",
        reason:
          "The BucketDeployment handler's runtime is chosen by aws-cdk-lib together with its AWS CLI layer.",
      },
      {
        id: "Serverless-LambdaDLQ",
        reason:
          "Invoked synchronously only, by CloudFormation as a custom resource; a failure fails the deployment, " +
          "which CloudFormation reports and rolls back.",
      },
      {
        id: "Serverless-LambdaTracing",
        reason:
          "CDK's BucketDeployment handler runs only during deployments (copying the bundle to S3); tracing it would " +
          "trace CloudFormation, not the inspection system.",
      },
    );
  }
}
