import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks, ServerlessChecks } from "cdk-nag";
import type { IConstruct } from "constructs";
import { beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../lib/app";

/**
 * cdk-nag 3 runs as CDK policy-validation plugins (not aspects/annotations): `app.synth()` throws when a
 * pack reports an unacknowledged finding, and the cloud assembly holds `validation-report.json`.
 */
let app: App;
let outdir: string;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), "spot-nag-"));
  ({ app } = buildApp({ bundling: false, outdir }));
  app.synth();
});

function acknowledgments(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
          path: c.node.path,
          id,
          reason,
        })),
      ),
  );
}

describe("cdk-nag", () => {
  it("synthesizes with no violation in the validation report", () => {
    const report = JSON.parse(readFileSync(join(outdir, "validation-report.json"), "utf8")) as {
      pluginReports: { pluginName: string; conclusion?: string; violations?: { ruleName: string }[] }[];
    };
    const violations = report.pluginReports.flatMap((r) =>
      (r.violations ?? []).map((v) => `${r.pluginName}: ${v.ruleName}`),
    );
    expect(violations).toEqual([]);
    expect(report.pluginReports.filter((r) => r.conclusion === "failure")).toEqual([]);
  });

  it.each([
    ["AwsSolutions", () => new AwsSolutionsChecks()],
    ["Serverless", () => new ServerlessChecks()],
  ])("finds no unacknowledged %s finding (errors or warnings)", (_name, makePack) => {
    const result = makePack().validateScope(app);
    const findings = result.violations.map((v) => ({
      rule: v.ruleName,
      resources: v.violatingResources.map((r) => r.constructPath),
    }));
    expect(findings).toEqual([]);
    expect(result.success).toBe(true);
  });

  it("gives every acknowledgment a specific reason", () => {
    const acks = acknowledgments(app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.id, ack.path).toMatch(/(AwsSolutions|Serverless)-/);
      expect(ack.reason.length, `${ack.path} ${ack.id}`).toBeGreaterThan(40);
    }
  });

  it("acknowledges IAM5 wildcards only finding by finding, never the whole rule", () => {
    const iam5 = acknowledgments(app).filter((a) => a.id.includes("AwsSolutions-IAM5"));
    expect(iam5.length).toBeGreaterThan(0);
    for (const ack of iam5) expect(ack.id, ack.path).toMatch(/AwsSolutions-IAM5\[Resource::[^\]]+\]$/);
  });

  it("acknowledges no finding at the app or stack level", () => {
    const stack = app.node.findChild("SpotInspections");
    const topLevel = acknowledgments(app).filter(
      (a) => a.path === app.node.path || a.path === stack.node.path,
    );
    expect(topLevel).toEqual([]);
  });
});
