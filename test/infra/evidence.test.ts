import { Template } from "aws-cdk-lib/assertions";
import type { CfnDistribution } from "aws-cdk-lib/aws-cloudfront";
import type { CfnBucket } from "aws-cdk-lib/aws-s3";
import { beforeAll, describe, expect, it } from "vitest";
import { routes } from "../../lambdas/api/routes";
import { importRunner, uploadCheck } from "../../lambdas/workflow/tasks";
import { buildApp } from "../../lib/app";
import { readSystem } from "../../lib/local/template";
import type { SpotInspectionStack } from "../../lib/spot-inspection-stack";

/**
 * The evidence bucket and its upload check: private, encrypted, TLS only, CORS for the console
 * alone, stray uploads expired; the bucket's own "Object Created" events under uploads/ run the
 * check, and those under imports/ the spreadsheet import runner; each function may touch exactly
 * the objects its job needs.
 */
type Resource = { Type: string; Properties: Record<string, any>; Metadata?: Record<string, unknown> };

let stack: SpotInspectionStack;
let template: Template;
let resources: Record<string, Resource>;
let bucketId: string;

beforeAll(() => {
  // The same template without the policy checks (cdk-nag and CloudFormation validation, about
  // 6 s of CPU a synth): test/infra/nag.test.ts runs them.
  ({ stack } = buildApp({ bundling: false, policyChecks: false }));
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, Resource>;
  bucketId = stack.getLogicalId(stack.evidence.bucket.node.defaultChild as CfnBucket);
});

/** The object actions a function's role is allowed, as `action on resource` strings. */
function objectGrants(functionLogicalId: string): string[] {
  const role = resources[functionLogicalId]?.Properties.Role as { "Fn::GetAtt": [string] } | undefined;
  const roleId = role?.["Fn::GetAtt"][0];
  return Object.values(resources)
    .filter(
      (r) => r.Type === "AWS::IAM::Policy" && JSON.stringify(r.Properties.Roles).includes(`"${roleId}"`),
    )
    .flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
    )
    .filter((s) => JSON.stringify(s.Resource).includes(bucketId))
    .flatMap((s) => {
      const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
      const prefix = JSON.stringify(s.Resource).match(/"\/([a-z-]+\/\*)"/)?.[1] ?? "?";
      return actions.map((a) => `${a} on ${prefix}`);
    })
    .sort();
}

function functionOf(handler: string): string {
  const found = Object.entries(resources).find(
    ([, r]) => r.Type === "AWS::Lambda::Function" && r.Metadata?.["spot:handler"] === handler,
  );
  if (!found) throw new Error(`no function for ${handler}`);
  return found[0];
}

describe("evidence bucket", () => {
  it("is private, encrypted, retained, and denies anything but TLS", () => {
    const bucket = resources[bucketId];
    expect(bucket).toMatchObject({
      DeletionPolicy: "Retain",
      Properties: {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] },
        LoggingConfiguration: { LogFilePrefix: "evidence/" },
      },
    });
    const policy = Object.values(resources).find(
      (r) => r.Type === "AWS::S3::BucketPolicy" && JSON.stringify(r.Properties.Bucket).includes(bucketId),
    );
    expect(policy?.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
    );
  });

  it("lets only the console's origin PUT uploads and GET downloads (CORS)", () => {
    const rules = resources[bucketId]?.Properties.CorsConfiguration.CorsRules;
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({ AllowedMethods: ["PUT", "GET"], AllowedHeaders: ["content-type"] });
    const distribution = stack.getLogicalId(stack.console.distribution.node.defaultChild as CfnDistribution);
    expect(JSON.stringify(rules[0].AllowedOrigins)).toContain(distribution);
    expect(JSON.stringify(rules[0].AllowedOrigins)).not.toContain("*");
  });

  it("expires uploads never checked and unfinished multipart uploads after a day", () => {
    const rules = resources[bucketId]?.Properties.LifecycleConfiguration.Rules;
    expect(rules).toContainEqual(
      expect.objectContaining({ Prefix: uploadCheck.prefix, ExpirationInDays: 1, Status: "Enabled" }),
    );
    expect(rules).toContainEqual(
      expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
    );
  });

  it("expires documents stored for a download URL (exports/) after a day", () => {
    const rules = resources[bucketId]?.Properties.LifecycleConfiguration.Rules;
    expect(rules).toContainEqual(
      expect.objectContaining({ Prefix: "exports/", ExpirationInDays: 1, Status: "Enabled" }),
    );
  });

  it("expires spreadsheets never imported after a day, and the workbooks of temporary passwords after 3 days", () => {
    const rules = resources[bucketId]?.Properties.LifecycleConfiguration.Rules;
    expect(rules).toContainEqual(
      expect.objectContaining({ Prefix: "imports/", ExpirationInDays: 1, Status: "Enabled" }),
    );
    expect(rules).toContainEqual(
      expect.objectContaining({ Prefix: "import-results/", ExpirationInDays: 3, Status: "Enabled" }),
    );
  });
});

/** The EventBridge rules on the bucket's own object events. */
function objectEventRules() {
  return Object.values(resources).filter(
    (r) =>
      r.Type === "AWS::Events::Rule" && JSON.stringify(r.Properties.EventPattern ?? {}).includes("aws.s3"),
  );
}

function ruleFor(prefix: string) {
  const rule = objectEventRules().find((r) =>
    JSON.stringify(r.Properties.EventPattern).includes(`"${prefix}"`),
  );
  if (!rule) throw new Error(`no object event rule for ${prefix}`);
  return rule;
}

describe("upload check", () => {
  it("runs on the bucket's own Object Created events under uploads/, with retries and a dead-letter queue", () => {
    expect(resources[bucketId]?.Properties.NotificationConfiguration).toEqual({
      EventBridgeConfiguration: { EventBridgeEnabled: true },
    });
    const checkId = functionOf(uploadCheck.handler);
    // Two rules on the bucket's events, one per prefix: uploads/ (this check) and imports/ (below).
    expect(objectEventRules()).toHaveLength(2);
    const rule = ruleFor("uploads/");
    expect(rule.Properties.EventPattern).toEqual({
      source: ["aws.s3"],
      "detail-type": ["Object Created"],
      detail: { bucket: { name: [{ Ref: bucketId }] }, object: { key: [{ prefix: "uploads/" }] } },
    });
    const [target] = rule.Properties.Targets ?? [];
    expect(target.Arn).toEqual({ "Fn::GetAtt": [checkId, "Arn"] });
    expect(target.DeadLetterConfig.Arn).toBeDefined();
    expect(resources[checkId]?.Properties.DeadLetterConfig.TargetArn).toBeDefined();
    // No CDK notification helper function in the stack: EventBridge is set on the bucket itself.
    expect(Object.values(resources).filter((r) => r.Type === "Custom::S3BucketNotifications")).toEqual([]);
  });

  it("the local runtime reads the same rules: the same functions, prefixes and event", () => {
    const system = readSystem(template.toJSON() as never);
    const bucket = system.buckets.find((b) => b.logicalId === bucketId);
    expect(bucket?.notifications).toHaveLength(2);
    expect(bucket?.notifications).toEqual(
      expect.arrayContaining([
        {
          functionLogicalId: functionOf(uploadCheck.handler),
          events: ["Object Created"],
          prefix: "uploads/",
        },
        {
          functionLogicalId: functionOf(importRunner.handler),
          events: ["Object Created"],
          prefix: "imports/",
        },
      ]),
    );
    expect(bucket?.cors[0]?.allowedMethods).toEqual(["PUT", "GET"]);
  });
});

describe("import runner", () => {
  it("runs on the bucket's own Object Created events under imports/ (never through the API), with retries and a dead-letter queue", () => {
    const runnerId = functionOf(importRunner.handler);
    const rule = ruleFor("imports/");
    expect(rule.Properties.EventPattern).toEqual({
      source: ["aws.s3"],
      "detail-type": ["Object Created"],
      detail: { bucket: { name: [{ Ref: bucketId }] }, object: { key: [{ prefix: "imports/" }] } },
    });
    const [target] = rule.Properties.Targets ?? [];
    expect(target.Arn).toEqual({ "Fn::GetAtt": [runnerId, "Arn"] });
    expect(target.DeadLetterConfig.Arn).toBeDefined();
    expect(resources[runnerId]?.Properties.DeadLetterConfig.TargetArn).toBeDefined();
    expect(resources[runnerId]?.Properties.Timeout).toBe(900);
    // The upload check's prefix does not cover imports, nor the runner's the check's or its own results.
    expect("imports/x".startsWith(uploadCheck.prefix)).toBe(false);
    expect(`${importRunner.resultsPrefix}x`.startsWith(importRunner.prefix)).toBe(false);
    expect(Object.values(resources)).toContainEqual(
      expect.objectContaining({
        Type: "AWS::CloudWatch::Alarm",
        Properties: expect.objectContaining({
          AlarmDescription: expect.stringContaining("spreadsheet import"),
          Threshold: 1,
        }),
      }),
    );
  });
});

describe("object grants", () => {
  it("the check reads and deletes uploads and writes evidence, nothing else", () => {
    expect(objectGrants(functionOf(uploadCheck.handler))).toEqual([
      "s3:DeleteObject on uploads/*",
      "s3:GetObject on uploads/*",
      "s3:PutObject on evidence/*",
    ]);
  });

  it("the import runner reads and deletes spreadsheets and writes the workbooks of temporary passwords, nothing else", () => {
    expect(objectGrants(functionOf(importRunner.handler))).toEqual([
      "s3:DeleteObject on imports/*",
      "s3:GetObject on imports/*",
      "s3:PutObject on import-results/*",
    ]);
  });

  it("routes presign exactly what they issue: uploads to uploads/ and imports/, downloads of evidence/, import-results/ and exports/ (documents they stored there; an evidence pack reads evidence/); others nothing", () => {
    const expected: Record<string, string[]> = {
      upload: ["s3:PutObject on uploads/*"],
      download: ["s3:GetObject on evidence/*"],
      "import-upload": ["s3:PutObject on imports/*"],
      "import-results": ["s3:GetObject on import-results/*"],
      exports: ["s3:GetObject on exports/*", "s3:PutObject on exports/*"],
      "evidence-pack": [
        "s3:GetObject on evidence/*",
        "s3:GetObject on exports/*",
        "s3:PutObject on exports/*",
      ],
    };
    for (const route of routes) {
      const grants = objectGrants(functionOf(route.handler));
      const objects = "objects" in route ? route.objects : undefined;
      expect(grants, route.routeKey).toEqual(objects ? expected[objects] : []);
    }
  });
});
