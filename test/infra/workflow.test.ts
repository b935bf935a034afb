import { createRequire } from "node:module";
import { Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { workflowTasks } from "../../lambdas/workflow/tasks";
import { buildApp } from "../../lib/app";

type AslValidator = (
  definition: unknown,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => { isValid: boolean; errorsText: (separator?: string) => string };
// asl-validator 4 is CommonJS without type declarations.
const aslValidator = createRequire(import.meta.url)("asl-validator") as AslValidator;

type State = Record<string, unknown> & { Type: string };
type Retrier = {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
};
interface Definition {
  StartAt: string;
  States: Record<string, State>;
}

let definition: Definition;
let stateMachine: Record<string, unknown>;
let functionIdsByHandler: Map<string, string>;

/**
 * The DefinitionString as JSON: each intrinsic of its Fn::Join becomes a placeholder string —
 * `aws` for the partition, `<LogicalId>` for a Fn::GetAtt (the task functions' ARNs).
 */
function resolveDefinition(definitionString: unknown): Definition {
  const join = (definitionString as { "Fn::Join": [string, unknown[]] })["Fn::Join"];
  const text = join[1]
    .map((part) => {
      if (typeof part === "string") return part;
      const intrinsic = part as { Ref?: string; "Fn::GetAtt"?: [string, string] };
      if (intrinsic.Ref === "AWS::Partition") return "aws";
      if (intrinsic["Fn::GetAtt"]) return `<${intrinsic["Fn::GetAtt"][0]}>`;
      return `<${JSON.stringify(part).replace(/"/g, "'")}>`;
    })
    .join(join[0]);
  return JSON.parse(text) as Definition;
}

/** Every state, the Map's item processor included, by name. */
function allStates(def: { States: Record<string, State> }): Record<string, State> {
  const states: Record<string, State> = {};
  for (const [name, state] of Object.entries(def.States)) {
    states[name] = state;
    const processor = state.ItemProcessor as { States: Record<string, State> } | undefined;
    if (processor) Object.assign(states, allStates(processor));
  }
  return states;
}

function state(name: string): State {
  const found = allStates(definition)[name];
  if (!found) throw new Error(`no state ${name}`);
  return found;
}

beforeAll(() => {
  // The same template without the policy checks (cdk-nag and CloudFormation validation, about
  // 6 s of CPU a synth): test/infra/nag.test.ts runs them.
  const { stack } = buildApp({ bundling: false, policyChecks: false });
  const template = Template.fromStack(stack);
  const machines = template.findResources("AWS::StepFunctions::StateMachine");
  expect(Object.keys(machines)).toHaveLength(1);
  stateMachine = Object.values(machines)[0] as Record<string, unknown>;
  definition = resolveDefinition((stateMachine.Properties as Record<string, unknown>).DefinitionString);
  functionIdsByHandler = new Map(
    Object.entries(template.findResources("AWS::Lambda::Function")).map(([id, fn]) => [
      String((fn as { Metadata: Record<string, unknown> }).Metadata["spot:handler"]),
      id,
    ]),
  );
});

describe("state machine resource", () => {
  it("is STANDARD, named, traced and logs ALL without execution data", () => {
    expect(stateMachine.Properties).toMatchObject({
      StateMachineType: "STANDARD",
      StateMachineName: "SpotInspections-inspection",
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: "ALL", IncludeExecutionData: false },
    });
  });
});

describe("definition", () => {
  it("is valid Amazon States Language (asl-validator)", () => {
    const result = aslValidator(structuredClone(definition), { checkPaths: true, checkArn: true });
    expect(result.errorsText("\n")).toBe("");
    expect(result.isValid).toBe(true);
  });

  it("uses JSONPath only: no QueryLanguage, Variables, heartbeats or distributed Map", () => {
    const text = JSON.stringify(definition);
    expect(text).not.toMatch(/JSONata|"QueryLanguage"|"Assign"|Heartbeat|DISTRIBUTED|"ItemReader"/);
  });

  it("has exactly the named states", () => {
    expect(definition.StartAt).toBe("PrepareAssignment");
    expect(Object.keys(definition.States).sort()).toEqual(
      [
        "PrepareAssignment",
        "RouteAssignment",
        "AwaitFindings",
        "MarkMissed",
        "NotifyRectificationOrders",
        "FollowUpOrders",
        "CloseAssignment",
        "InspectionDone",
        "ReadAssignmentStep",
      ].sort(),
    );
    const processor = state("FollowUpOrders").ItemProcessor as Definition & { ProcessorConfig: unknown };
    expect(processor.ProcessorConfig).toEqual({ Mode: "INLINE" });
    expect(processor.StartAt).toBe("AwaitReport");
    expect(Object.keys(processor.States).sort()).toEqual(
      [
        "RouteOrder",
        "AwaitReport",
        "AwaitReportEscalated",
        "AwaitReview",
        "EscalateOrder",
        "OrderClosed",
        "ReadOrderStep",
      ].sort(),
    );
  });

  it("invokes each task's function with lambda:invoke (callbacks with .waitForTaskToken)", () => {
    const expected: Record<string, [keyof typeof workflowTasks, boolean]> = {
      PrepareAssignment: ["prepareAssignment", false],
      AwaitFindings: ["registerCallback", true],
      MarkMissed: ["markMissed", false],
      NotifyRectificationOrders: ["notifyOrders", false],
      CloseAssignment: ["closeAssignment", false],
      AwaitReport: ["registerCallback", true],
      AwaitReportEscalated: ["registerCallback", true],
      AwaitReview: ["registerCallback", true],
      EscalateOrder: ["escalateOrder", false],
    };
    for (const [name, [task, callback]] of Object.entries(expected)) {
      const s = state(name);
      expect(s.Type, name).toBe("Task");
      expect(s.Resource, name).toBe(`arn:aws:states:::lambda:invoke${callback ? ".waitForTaskToken" : ""}`);
      const fnId = functionIdsByHandler.get(workflowTasks[task].handler);
      expect((s.Parameters as { FunctionName: string }).FunctionName, name).toBe(`<${fnId}>`);
    }
  });

  it("routes the assignment by $.prepared.phase", () => {
    const prepare = state("PrepareAssignment");
    expect(prepare).toMatchObject({
      Next: "RouteAssignment",
      ResultPath: "$.prepared",
      ResultSelector: {
        "phase.$": "$.Payload.phase",
        "timerSeconds.$": "$.Payload.timerSeconds",
        "orders.$": "$.Payload.orders",
      },
      Parameters: { Payload: { "assignmentId.$": "$.assignmentId" } },
    });
    expect(state("RouteAssignment")).toEqual({
      Type: "Choice",
      Choices: [
        { Variable: "$.prepared.phase", StringEquals: "await_findings", Next: "AwaitFindings" },
        { Variable: "$.prepared.phase", StringEquals: "mark_missed", Next: "MarkMissed" },
        { Variable: "$.prepared.phase", StringEquals: "follow_up", Next: "NotifyRectificationOrders" },
      ],
      Default: "InspectionDone",
    });
    expect(state("InspectionDone").Type).toBe("Succeed");
  });

  it("waits for findings until $.prepared.timerSeconds, then marks the assignment missed; findings with issues go straight to the follow-up, any other step back to the Choice", () => {
    expect(state("AwaitFindings")).toMatchObject({
      TimeoutSecondsPath: "$.prepared.timerSeconds",
      ResultSelector: { "phase.$": "$.phase", "timerSeconds.$": "$.timerSeconds", "orders.$": "$.orders" },
      ResultPath: "$.prepared",
      Next: "NotifyRectificationOrders",
      Catch: [
        { ErrorEquals: ["States.Timeout"], ResultPath: null, Next: "MarkMissed" },
        { ErrorEquals: ["StepChanged"], ResultPath: "$.changed", Next: "ReadAssignmentStep" },
      ],
      Parameters: { Payload: { kind: "findings", "id.$": "$.assignmentId", "taskToken.$": "$$.Task.Token" } },
    });
    expect(state("ReadAssignmentStep")).toEqual({
      Type: "Pass",
      Parameters: {
        "assignmentId.$": "$.assignmentId",
        "prepared.$": "States.StringToJson($.changed.Cause)",
      },
      Next: "RouteAssignment",
    });
    expect(state("MarkMissed")).toMatchObject({
      Next: "RouteAssignment",
      ResultPath: "$.prepared",
      ResultSelector: { "phase.$": "$.Payload.phase" },
    });
  });

  it("follows up each order in an inline Map (each starts by waiting for its report), then closes the assignment", () => {
    expect(state("NotifyRectificationOrders")).toMatchObject({
      Next: "FollowUpOrders",
      ResultSelector: { "orders.$": "$.Payload.orders" },
      ResultPath: "$.followUp",
    });
    expect(state("FollowUpOrders")).toMatchObject({
      Type: "Map",
      ItemsPath: "$.followUp.orders",
      ItemSelector: {
        "rectificationId.$": "$$.Map.Item.Value.rectificationId",
        "prepared.$": "$$.Map.Item.Value.prepared",
      },
      ResultPath: null,
      Next: "CloseAssignment",
    });
    expect(state("CloseAssignment")).toMatchObject({
      End: true,
      ResultPath: null,
      Parameters: { Payload: { "assignmentId.$": "$.assignmentId" } },
    });
  });

  it("routes each order by $.prepared.phase", () => {
    expect(state("RouteOrder")).toEqual({
      Type: "Choice",
      Choices: [
        { Variable: "$.prepared.phase", StringEquals: "await_report_until", Next: "AwaitReport" },
        { Variable: "$.prepared.phase", StringEquals: "await_report", Next: "AwaitReportEscalated" },
        { Variable: "$.prepared.phase", StringEquals: "await_review", Next: "AwaitReview" },
        { Variable: "$.prepared.phase", StringEquals: "escalate", Next: "EscalateOrder" },
      ],
      Default: "OrderClosed",
    });
    expect(state("OrderClosed").Type).toBe("Succeed");
  });

  it("waits for the report until the deadline and escalates on timeout; a report goes to its review, an accepted review ends the order, any other step goes back to the Choice", () => {
    const step = { "phase.$": "$.phase", "timerSeconds.$": "$.timerSeconds" };
    expect(state("AwaitReport")).toMatchObject({
      TimeoutSecondsPath: "$.prepared.timerSeconds",
      ResultSelector: step,
      ResultPath: "$.prepared",
      Next: "AwaitReview",
      Parameters: {
        Payload: { kind: "report", "id.$": "$.rectificationId", "taskToken.$": "$$.Task.Token" },
      },
    });
    for (const [name, kind, next] of [
      ["AwaitReport", "report", "AwaitReview"],
      ["AwaitReportEscalated", "report", "AwaitReview"],
      ["AwaitReview", "review", undefined],
    ] as const) {
      const s = state(name);
      expect(s.Next, name).toBe(next);
      expect(s.End, name).toBe(next === undefined ? true : undefined);
      expect(s, name).toMatchObject({
        ResultSelector: step,
        ResultPath: "$.prepared",
        Parameters: { Payload: { kind, "id.$": "$.rectificationId", "taskToken.$": "$$.Task.Token" } },
      });
      expect(s.TimeoutSecondsPath, name).toBe("$.prepared.timerSeconds");
      expect(s.Catch, name).toEqual([
        { ErrorEquals: ["States.Timeout"], ResultPath: null, Next: "EscalateOrder" },
        { ErrorEquals: ["StepChanged"], ResultPath: "$.changed", Next: "ReadOrderStep" },
      ]);
    }
    expect(state("ReadOrderStep")).toEqual({
      Type: "Pass",
      Parameters: {
        "rectificationId.$": "$.rectificationId",
        "prepared.$": "States.StringToJson($.changed.Cause)",
      },
      Next: "RouteOrder",
    });
    expect(state("EscalateOrder")).toMatchObject({
      Next: "RouteOrder",
      ResultPath: "$.prepared",
      ResultSelector: { "phase.$": "$.Payload.phase", "timerSeconds.$": "$.Payload.timerSeconds" },
    });
  });

  it("retries TransientDependencyError with full jitter on every task, and never States.ALL", () => {
    for (const [name, s] of Object.entries(allStates(definition))) {
      const retry = (s.Retry ?? []) as Retrier[];
      expect(
        retry.flatMap((r) => r.ErrorEquals),
        name,
      ).not.toContain("States.ALL");
      for (const c of (s.Catch ?? []) as { ErrorEquals: string[] }[])
        expect(c.ErrorEquals, name).not.toContain("States.ALL");
      if (s.Type !== "Task") continue;
      expect(
        retry.some((r) => r.ErrorEquals.includes("Lambda.ServiceException")),
        name,
      ).toBe(true);
      const transient = retry.find((r) => r.ErrorEquals.includes("TransientDependencyError"));
      expect(transient, name).toEqual({
        ErrorEquals: ["TransientDependencyError"],
        IntervalSeconds: 1,
        MaxAttempts: 6,
        BackoffRate: 2,
        JitterStrategy: "FULL",
      });
    }
  });
});
