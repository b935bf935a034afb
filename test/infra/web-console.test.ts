import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, Stack } from "aws-cdk-lib";
import { Annotations, Match, Template } from "aws-cdk-lib/assertions";
import type { CfnBucket } from "aws-cdk-lib/aws-s3";
import { beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../lib/app";
import { InspectionIdentity } from "../../lib/constructs/identity";
import { WebConsole } from "../../lib/constructs/web-console";
import type { SpotInspectionStack } from "../../lib/spot-inspection-stack";

type Resource = { Type: string; Properties: Record<string, any> };

let stack: SpotInspectionStack;
let template: Template;
let upload: Template;

beforeAll(() => {
  // The same template without the policy checks (cdk-nag and CloudFormation validation, about
  // 6 s of CPU a synth): test/infra/nag.test.ts runs them.
  ({ stack } = buildApp({ bundling: false, policyChecks: false }));
  template = Template.fromStack(stack);
  upload = Template.fromStack(stack.console.uploadStack);
});

function only(t: Template, type: string): [string, Resource] {
  const found = Object.entries(t.findResources(type)) as [string, Resource][];
  expect(found, type).toHaveLength(1);
  return found[0]!;
}

describe("web console hosting", () => {
  it("keeps the bundle in a private, encrypted, SSL-only bucket", () => {
    const bucketId = stack.getLogicalId(stack.console.bucket.node.defaultChild as CfnBucket);
    expect(template.findResources("AWS::S3::Bucket")[bucketId]?.Properties).toMatchObject({
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
    });
    const [, policy] = Object.entries(template.findResources("AWS::S3::BucketPolicy")).find(([, p]) =>
      JSON.stringify(p.Properties.Bucket).includes(bucketId),
    ) as [string, Resource];
    const statements = policy.Properties.PolicyDocument.Statement as any[];
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
    );
    // Only CloudFront, only this distribution (origin access control), only reads.
    const reads = statements.filter((s) => s.Effect === "Allow");
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({
      Action: "s3:GetObject",
      Principal: { Service: "cloudfront.amazonaws.com" },
      Condition: { StringEquals: { "AWS:SourceArn": expect.anything() } },
    });
    expect(JSON.stringify(policy.Properties.Bucket)).toContain(bucketId);
  });

  it("serves it through CloudFront with origin access control, HTTPS only and index.html at the root", () => {
    const [, distribution] = only(template, "AWS::CloudFront::Distribution");
    const config = distribution.Properties.DistributionConfig;
    expect(config).toMatchObject({
      DefaultRootObject: "index.html",
      Enabled: true,
      DefaultCacheBehavior: {
        ViewerProtocolPolicy: "redirect-to-https",
        AllowedMethods: ["GET", "HEAD"],
        Compress: true,
      },
    });
    expect(config.Origins).toHaveLength(1);
    expect(config.Origins[0].S3OriginConfig).toEqual({ OriginAccessIdentity: "" });
    expect(config.Origins[0].OriginAccessControlId).toBeDefined();
    template.hasResourceProperties("AWS::CloudFront::OriginAccessControl", {
      OriginAccessControlConfig: Match.objectLike({
        OriginAccessControlOriginType: "s3",
        SigningBehavior: "always",
        SigningProtocol: "sigv4",
      }),
    });
    template.resourceCountIs("AWS::CloudFront::CloudFrontOriginAccessIdentity", 0);
  });

  it("adds security headers: CSP limited to the API and Cognito hosts, HSTS, no framing, nosniff", () => {
    const [, policy] = only(template, "AWS::CloudFront::ResponseHeadersPolicy");
    const headers = policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    expect(headers.FrameOptions).toMatchObject({ FrameOption: "DENY" });
    expect(headers.ContentTypeOptions).toMatchObject({ Override: true });
    expect(headers.StrictTransportSecurity).toMatchObject({ AccessControlMaxAgeSec: 31536000 });
    const csp = JSON.stringify(headers.ContentSecurityPolicy.ContentSecurityPolicy);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("execute-api");
    expect(csp).toContain("amazoncognito.com");
    expect(csp).not.toContain("unsafe-inline");
  });

  it("publishes the console URL", () => {
    const outputs = template.findOutputs("ConsoleUrl");
    expect(JSON.stringify(outputs)).toContain("DomainName");
  });
});

describe("sign-in: Cognito managed login, code flow with PKCE", () => {
  it("has a Cognito domain and an app client that allows only the code flow back to the console", () => {
    only(template, "AWS::Cognito::UserPoolDomain");
    const [, client] = only(template, "AWS::Cognito::UserPoolClient");
    expect(client.Properties).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ["code"],
      AllowedOAuthScopes: ["openid", "email", "profile"],
      SupportedIdentityProviders: ["COGNITO"],
    });
    expect(client.Properties.ExplicitAuthFlows).toContain("ALLOW_USER_SRP_AUTH");
    expect(client.Properties.AllowedOAuthFlows).not.toContain("implicit");
    const [distributionId] = only(template, "AWS::CloudFront::Distribution");
    for (const urls of [client.Properties.CallbackURLs, client.Properties.LogoutURLs]) {
      expect(urls).toHaveLength(1);
      expect(JSON.stringify(urls)).toContain(distributionId);
      expect(JSON.stringify(urls)).toMatch(/https:\/\//);
    }
  });
});

describe("upload (nested stack)", () => {
  it("keeps CDK's deploy-time function out of the main stack", () => {
    template.resourceCountIs("AWS::CloudFormation::Stack", 1);
    template.resourceCountIs("Custom::CDKBucketDeployment", 0);
    upload.resourceCountIs("Custom::CDKBucketDeployment", 1);
  });

  it("uploads the bundle and config.json, prunes old files and invalidates the distribution", () => {
    const [, deployment] = only(upload, "Custom::CDKBucketDeployment");
    expect(deployment.Properties).toMatchObject({ Prune: true, DistributionPaths: ["/*"] });
    expect(deployment.Properties.SourceObjectKeys).toHaveLength(2);
    expect(deployment.Properties.DestinationBucketName).toBeDefined();
    expect(deployment.Properties.DistributionId).toBeDefined();
  });

  it("writes config.json with the API URL, user pool, client and sign-in domain — and nothing secret", () => {
    const [, deployment] = only(upload, "Custom::CDKBucketDeployment");
    const markers = deployment.Properties.SourceMarkers as Record<string, unknown>[];
    const config = markers.find((m) => Object.keys(m).length > 0);
    expect(config).toBeDefined();
    const text = JSON.stringify(config);
    for (const ref of ["ApiHttpApi", "IdentityUserPool", "UserPoolAppClient", "UserPoolSignInDomain"]) {
      expect(text).toContain(ref);
    }
    expect(text.toLowerCase()).not.toMatch(/secret|password/);
  });
});

describe("the bundle", () => {
  function consoleStack(assetsDir: string) {
    const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
    const s = new Stack(app, "ConsoleOnly");
    const identity = new InspectionIdentity(s, "Identity");
    const webConsole = new WebConsole(s, "Console", {
      apiUrl: "https://api.example.test",
      identity,
      assetsDir,
    });
    return { s, webConsole };
  }

  it("uploads a built bundle without warnings", () => {
    const dir = mkdtempSync(join(tmpdir(), "spot-console-dist-"));
    writeFileSync(join(dir, "index.html"), "<!doctype html><title>console</title>");
    const { s, webConsole } = consoleStack(dir);
    Annotations.fromStack(s).hasNoWarning("*", Match.stringLikeRegexp("npm run build:web"));
    const t = Template.fromStack(webConsole.uploadStack);
    expect(t.findResources("Custom::CDKBucketDeployment")).not.toEqual({});
  });

  it("synthesizes without a built bundle, with a warning and a placeholder page", () => {
    const { s, webConsole } = consoleStack(join(tmpdir(), "spot-console-missing-dist"));
    Annotations.fromStack(s).hasWarning("/ConsoleOnly/Console", Match.stringLikeRegexp("npm run build:web"));
    const [, deployment] = only(Template.fromStack(webConsole.uploadStack), "Custom::CDKBucketDeployment");
    expect(deployment.Properties.SourceObjectKeys).toHaveLength(2);
  });
});
