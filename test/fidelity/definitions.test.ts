import { beforeAll, describe, expect, it } from "vitest";
import { assertLocallySupported } from "../../lib/local/step-functions";
import { type CloudTemplate, readSystem, synthesizeCloudTemplate } from "../../lib/local/template";
import { CALLBACK, callbackTask, closed, engine, FN, lambdaTask, machine } from "./harness";

/**
 * What the local runtime cannot play as AWS does is refused when the definition is loaded (the
 * local system then does not start), with the reason, instead of running differently; and what it
 * plays is named as AWS names it.
 *
 * - "Invoke a Lambda function with Step Functions"
 *   (https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html) and "Handling errors
 *   in Step Functions workflows" (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html):
 *   a function's error reaches the state machine named by the function's error type, its cause
 *   being Lambda's error payload (`errorType`, `errorMessage`, `trace`) as a JSON string.
 */

let stack: CloudTemplate;
beforeAll(async () => {
  stack = await synthesizeCloudTemplate();
}, 120_000);

describe("definitions the local runtime cannot play are refused at start", () => {
  const refused = (definition: Record<string, unknown>) => () => assertLocallySupported(definition);

  it("task heartbeats (no SendTaskHeartbeat locally)", () => {
    expect(refused(machine({ Wait: callbackTask({ HeartbeatSeconds: 60, End: true }) }))).toThrow(
      /Wait: task heartbeats \(HeartbeatSeconds\) are not played locally/,
    );
  });

  it("service integrations other than lambda:invoke", () => {
    const sqs = {
      Type: "Task",
      Resource: "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
      Parameters: { QueueUrl: "q", MessageBody: { "token.$": "$$.Task.Token" } },
      End: true,
    };
    expect(refused(machine({ Send: sqs }))).toThrow(/Send: only arn:aws:states:::lambda:invoke/);
    expect(refused(machine({ Direct: { Type: "Task", Resource: FN, End: true } }))).toThrow(/Direct: only/);
  });

  it("JSONata, variables and distributed Maps, also inside a Map", () => {
    expect(refused(machine({ Done: { Type: "Pass", End: true } }, { QueryLanguage: "JSONata" }))).toThrow(
      /JSONata is not supported locally/,
    );
    const distributed = machine({
      Each: {
        Type: "Map",
        ItemProcessor: {
          ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" },
          StartAt: "Inner",
          States: { Inner: { Type: "Pass", Assign: { x: 1 }, End: true } },
        },
        End: true,
      },
    });
    expect(refused(distributed)).toThrow(/Each: a distributed Map is not supported locally/);
    expect(refused(distributed)).toThrow(/Each > Inner: Assign is not supported locally/);
  });

  it("the stack's own state machine is accepted", () => {
    const system = readSystem(stack);
    expect(() => assertLocallySupported(system.stateMachine.definition)).not.toThrow();
    expect(() => engine(system.stateMachine.definition, async () => ({}))).not.toThrow();
  });

  it("a callback task with a timeout and everything else the workflow uses runs", async () => {
    const sfn = engine(
      machine({
        Wait: {
          Type: "Task",
          Resource: CALLBACK,
          Parameters: { FunctionName: FN, Payload: {} },
          TimeoutSeconds: 1,
          Catch: [{ ErrorEquals: ["States.Timeout"], Next: "Late" }],
          End: true,
        },
        Late: { Type: "Succeed" },
      }),
      async () => ({}),
    );
    const run = sfn.startExecution("runs", {});
    expect((await closed(sfn, run.executionArn)).status).toBe("SUCCEEDED");
    await sfn.stop();
  });
});

describe("a function's error is named as AWS names it", () => {
  it("Error is the function's error type, Cause Lambda's error payload", async () => {
    class TransientDependencyError extends Error {
      override name = "TransientDependencyError";
    }
    const sfn = engine(
      machine({
        Call: lambdaTask({
          Catch: [{ ErrorEquals: ["States.ALL"], Next: "Caught", ResultPath: "$.error" }],
          End: true,
        }),
        Caught: { Type: "Pass", End: true },
      }),
      async () => {
        throw new TransientDependencyError("DynamoDB is throttling");
      },
    );
    const run = sfn.startExecution("failing", {});
    const execution = await closed(sfn, run.executionArn);
    const error = (execution.output as { error: { Error: string; Cause: string } }).error;
    expect(error.Error).toBe("TransientDependencyError");
    expect(JSON.parse(error.Cause)).toEqual({
      errorType: "TransientDependencyError",
      errorMessage: "DynamoDB is throttling",
      trace: expect.arrayContaining([
        expect.stringContaining("TransientDependencyError: DynamoDB is throttling"),
      ]),
    });
    await sfn.stop();
  });
});

describe("the change stream's event source mapping", () => {
  const withMapping = (change: (properties: Record<string, unknown>) => void): CloudTemplate => {
    const copy = structuredClone(stack) as {
      Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    };
    for (const resource of Object.values(copy.Resources)) {
      if (resource.Type === "AWS::Lambda::EventSourceMapping") change(resource.Properties ?? {});
    }
    return copy as CloudTemplate;
  };

  it("is read with everything the local player honours", () => {
    const [relay] = readSystem(stack).streamConsumers;
    expect(relay).toMatchObject({
      batchSize: 100,
      parallelizationFactor: 10,
      bisectBatchOnError: true,
      maximumRetryAttempts: 10,
      maximumRecordAgeSeconds: 86_400,
      reportsItemFailures: true,
      onFailure: { queueLogicalId: expect.stringMatching(/RelayFailures/), retentionSeconds: 14 * 86_400 },
    });
  });

  it("a setting it does not play is refused with the reason", () => {
    expect(() =>
      readSystem(
        withMapping((p) => {
          p.TumblingWindowInSeconds = 60;
        }),
      ),
    ).toThrow(/TumblingWindowInSeconds is not played locally/);
    expect(() =>
      readSystem(
        withMapping((p) => {
          p.MaximumBatchingWindowInSeconds = 5;
        }),
      ),
    ).toThrow(/a batching window/);
    expect(() =>
      readSystem(
        withMapping((p) => {
          p.DestinationConfig = { OnFailure: { Destination: "arn:aws:sns:local:000000000000:topic" } };
        }),
      ),
    ).toThrow(/only an SQS queue of the stack as OnFailure is played locally/);
  });
});
