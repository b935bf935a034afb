import { Match, Template } from "aws-cdk-lib/assertions";
import { build } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { CDK_BUNDLING_COPY } from "../../bench/bundling";
import { BUSINESS_EVENTS, METRICS_NAMESPACE, METRICS_SERVICE } from "../../lambdas/shared/business-metrics";
import {
  changeRelay,
  importRunner,
  scheduledJobs,
  uploadCheck,
  workflowTasks,
} from "../../lambdas/workflow/tasks";
import { buildApp } from "../../lib/app";
import { handlerEntry } from "../../lib/constructs/inspection-function";

type Resource = { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> };

let template: Template;
let resources: Record<string, Resource>;
let alarmTopicId: string;

beforeAll(() => {
  // The same template without the policy checks (cdk-nag and CloudFormation validation, about
  // 6 s of CPU a synth): test/infra/nag.test.ts runs them.
  const { stack } = buildApp({ bundling: false, policyChecks: false });
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, Resource>;
  const topics = Object.entries(resources).filter(
    ([, r]) => r.Type === "AWS::SNS::Topic" && r.Properties.DisplayName === "Spot inspections alarms",
  );
  expect(topics).toHaveLength(1);
  alarmTopicId = topics[0]![0];
});

const alarms = () => Object.entries(resources).filter(([, r]) => r.Type === "AWS::CloudWatch::Alarm");

/** The function resource ids keyed by their `spot:handler` metadata. */
function functionIds(): Map<string, string> {
  return new Map(
    Object.entries(resources)
      .filter(([, r]) => r.Type === "AWS::Lambda::Function")
      .map(([id, r]) => [String(r.Metadata?.["spot:handler"]), id]),
  );
}

describe("alarms", () => {
  it("alarms on any API 5xx within 5 minutes", () => {
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "AWS/ApiGateway",
      MetricName: "5xx",
      Statistic: "Sum",
      Period: 300,
      Threshold: 1,
      EvaluationPeriods: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      TreatMissingData: "notBreaching",
      Dimensions: [{ Name: "ApiId", Value: Match.anyValue() }],
    });
  });

  it("alarms on API p99 latency held for three 5-minute periods", () => {
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "AWS/ApiGateway",
      MetricName: "Latency",
      ExtendedStatistic: "p99",
      Period: 300,
      Threshold: 2500,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
    });
  });

  it("alarms on Lambda throttling in the region (the aggregate metric, no dimension)", () => {
    const throttles = alarms().filter(
      ([, a]) => a.Properties.Namespace === "AWS/Lambda" && a.Properties.MetricName === "Throttles",
    );
    expect(throttles).toHaveLength(1);
    expect(throttles[0]![1].Properties.Dimensions).toBeUndefined();
  });

  it("alarms on the errors of every function no API request waits on, and of no route's function", () => {
    const ids = functionIds();
    const background = [
      ...Object.values(workflowTasks).map((t) => t.handler),
      ...Object.values(scheduledJobs).map((j) => j.handler),
      changeRelay.handler,
      uploadCheck.handler,
      importRunner.handler,
    ];
    const alarmed = alarms()
      .filter(([, a]) => a.Properties.Namespace === "AWS/Lambda" && a.Properties.MetricName === "Errors")
      .map(([, a]) => {
        const dims = a.Properties.Dimensions as { Name: string; Value: { Ref: string } }[];
        expect(dims.map((d) => d.Name)).toEqual(["FunctionName"]);
        expect(a.Properties).toMatchObject({ Statistic: "Sum", Period: 300, Threshold: 1 });
        return dims[0]!.Value.Ref;
      });
    expect(alarmed.sort()).toEqual(background.map((h) => ids.get(h)).sort());
  });

  it("routes every alarm of the stack (the workflow's and the upload handlers' too) to the operators' topic", () => {
    const all = alarms();
    expect(all.length).toBeGreaterThan(10);
    for (const [id, a] of all) {
      expect(a.Properties.AlarmActions, id).toEqual([{ Ref: alarmTopicId }]);
    }
  });

  it("encrypts the operators' topic with a rotated key CloudWatch may use, and requires TLS", () => {
    const topic = resources[alarmTopicId]!;
    const keyId = (topic.Properties.KmsMasterKeyId as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
    expect(resources[keyId]?.Properties.EnableKeyRotation).toBe(true);
    expect(resources[keyId]?.Properties.KeyPolicy).toMatchObject({
      Statement: expect.arrayContaining([
        expect.objectContaining({
          Effect: "Allow",
          Principal: { Service: "cloudwatch.amazonaws.com" },
          Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        }),
      ]),
    });
    template.hasResourceProperties("AWS::SNS::TopicPolicy", {
      Topics: [{ Ref: alarmTopicId }],
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        ]),
      }),
    });
  });
});

describe("dashboard", () => {
  /** The dashboard's body with each reference written as `<ref>`. */
  function body(): string {
    const dashboards = Object.values(resources).filter((r) => r.Type === "AWS::CloudWatch::Dashboard");
    expect(dashboards).toHaveLength(1);
    const join = dashboards[0]!.Properties.DashboardBody as { "Fn::Join": [string, unknown[]] };
    return join["Fn::Join"][1].map((part) => (typeof part === "string" ? part : "<ref>")).join("");
  }

  it("graphs every business metric the handlers emit, in their namespace with the service dimension", () => {
    const text = body();
    for (const name of Object.keys(BUSINESS_EVENTS)) {
      expect(text).toContain(`["${METRICS_NAMESPACE}","${name}","service","${METRICS_SERVICE}"`);
    }
  });

  it("graphs the API's 5xx and latency, Lambda errors and throttles of the stack's functions, and the workflow", () => {
    const text = body();
    expect(text).toContain('"AWS/ApiGateway","5xx"');
    expect(text).toContain('"AWS/ApiGateway","Latency"');
    expect(text).toContain(`SEARCH('{AWS/Lambda,FunctionName} MetricName=\\"Errors\\" SpotInspections'`);
    expect(text).toContain(`SEARCH('{AWS/Lambda,FunctionName} MetricName=\\"Throttles\\" SpotInspections'`);
    expect(text).toContain('"AWS/States","ExecutionsFailed"');
  });

  it("shows the state of every alarm", () => {
    const text = body();
    const shown = text.match(/"type":"alarm"[^}]*"alarms":\[([^\]]*)\]/)?.[1] ?? "";
    expect(shown.split(",")).toHaveLength(alarms().length);
  });
});

describe("SDK tracing", () => {
  /** Whether the X-Ray SDK (the tracer's) is in a handler's bundle, built as CDK builds it. */
  async function carriesXRay(sdkTracing: "true" | "false"): Promise<boolean> {
    const out = await build({
      ...CDK_BUNDLING_COPY,
      define: { ...CDK_BUNDLING_COPY.define, "process.env.SPOT_SDK_TRACING": JSON.stringify(sdkTracing) },
      entryPoints: [handlerEntry("templates/get-template")],
      outfile: "index.mjs",
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    return Object.keys(out.metafile.inputs).some((i) => i.includes("node_modules/aws-xray-sdk-core/"));
  }

  it("is left out of the bundles by default (the cold-start budget), and built in with -c sdkTracing=true", async () => {
    expect(CDK_BUNDLING_COPY.define).toEqual({ "process.env.SPOT_SDK_TRACING": '"false"' });
    expect(await carriesXRay("false")).toBe(false);
    expect(await carriesXRay("true")).toBe(true);
  });
});
