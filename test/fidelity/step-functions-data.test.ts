import { describe, expect, it } from "vitest";
import { closed, engine, lambdaTask, machine } from "./harness";

/**
 * Data limits and intrinsic functions as AWS applies them.
 *
 * - "Step Functions service quotas" (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html):
 *   a state's input or output is at most 256 KiB; an execution's history at most 25,000 events.
 * - "Handling errors in Step Functions workflows"
 *   (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html):
 *   `States.DataLimitExceeded` is reported when a state's output (or its input after Parameters, or
 *   a connector's output) is over the payload quota; it is terminal and `States.ALL` does not catch it.
 * - "Using a Lambda function to continue a new execution in Step Functions"
 *   (https://docs.aws.amazon.com/step-functions/latest/dg/tutorial-use-lambda-cont-exec.html): an
 *   execution whose history reaches the 25,000-event quota fails. AWS fails it with `States.Runtime`,
 *   "The execution reached the maximum number of history events (25000).", the failure being event
 *   25,000; a Lambda task records TaskStateEntered, TaskScheduled, TaskStarted, TaskSucceeded and
 *   TaskStateExited (5 events), a Choice ChoiceStateEntered and ChoiceStateExited (the
 *   `HistoryEvent` types of the API reference:
 *   https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html).
 * - "Intrinsic functions for JSONPath states"
 *   (https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html):
 *   `States.StringToJson` parses its string; executions AWS recorded give null for an empty or blank
 *   string (issue 15, case 5).
 */

const KIB = 1024;

describe("3. the 256 KiB limit on every state, and the history limit as AWS counts it", () => {
  it("a Pass state whose ResultPath merge is over 256 KiB fails with States.DataLimitExceeded", async () => {
    const sfn = engine(
      machine({
        Copy: {
          Type: "Pass",
          InputPath: "$.blob",
          ResultPath: "$.copy",
          Next: "Done",
        },
        Done: { Type: "Succeed" },
      }),
      async () => ({}),
    );
    const run = sfn.startExecution("merge", { blob: "x".repeat(200 * KIB) });
    const execution = await closed(sfn, run.executionArn);
    expect(execution).toMatchObject({ status: "FAILED", error: "States.DataLimitExceeded" });
    expect(execution.cause).toContain("'Copy'");
    await sfn.stop();
  });

  it("a Pass state producing more than 256 KiB from Parameters fails too", async () => {
    const sfn = engine(
      machine({
        Twice: {
          Type: "Pass",
          Parameters: { "a.$": "$.blob", "b.$": "$.blob" },
          End: true,
        },
      }),
      async () => ({}),
    );
    const run = sfn.startExecution("twice", { blob: "y".repeat(150 * KIB) });
    expect(await closed(sfn, run.executionArn)).toMatchObject({
      status: "FAILED",
      error: "States.DataLimitExceeded",
    });
    await sfn.stop();
  });

  it("a function returning more than 256 KiB fails its task even under a Catch on States.ALL", async () => {
    const sfn = engine(
      machine({
        Big: lambdaTask({ Catch: [{ ErrorEquals: ["States.ALL"], Next: "Caught" }], End: true }),
        Caught: { Type: "Succeed" },
      }),
      async () => ({ blob: "z".repeat(300 * KIB) }),
    );
    const run = sfn.startExecution("big", {});
    expect(await closed(sfn, run.executionArn)).toMatchObject({
      status: "FAILED",
      error: "States.DataLimitExceeded",
    });
    await sfn.stop();
  });

  it("an output just under 256 KiB is fine", async () => {
    const sfn = engine(machine({ Keep: { Type: "Pass", End: true } }), async () => ({}));
    const run = sfn.startExecution("fits", { blob: "w".repeat(250 * KIB) });
    expect((await closed(sfn, run.executionArn)).status).toBe("SUCCEEDED");
    await sfn.stop();
  });

  it("a looping Lambda task fails with States.Runtime at AWS's 25,000th event: 5 per task and 2 per Choice, not the engine's own count", async () => {
    let invocations = 0;
    const sfn = engine(
      machine({
        Work: lambdaTask({ ResultPath: null, Next: "Again" }),
        Again: {
          Type: "Choice",
          Choices: [{ Variable: "$.forever", BooleanEquals: true, Next: "Work" }],
          Default: "Stop",
        },
        Stop: { Type: "Succeed" },
      }),
      async () => {
        invocations++;
        return {};
      },
    );
    const run = sfn.startExecution("loop", { forever: true });
    const execution = await closed(sfn, run.executionArn, 60_000);
    expect(execution).toMatchObject({
      status: "FAILED",
      error: "States.Runtime",
      cause: "The execution reached the maximum number of history events (25000).",
    });
    // ExecutionStarted, then 7 events per round: the failure is event 25,000 during round 3,572.
    expect(invocations).toBeGreaterThanOrEqual(3570);
    expect(invocations).toBeLessThanOrEqual(3574);
    const counters = sfn.executionCounters("loop");
    expect(counters.historyEvents).toBeGreaterThanOrEqual(24_999);
    expect(counters.historyEvents).toBeLessThan(25_020);
    await sfn.stop();
  }, 60_000);
});

describe("5. States.StringToJson of an empty or blank string", () => {
  it("is null, as AWS returns; JSON is still parsed", async () => {
    const sfn = engine(
      machine({
        Parse: {
          Type: "Pass",
          Parameters: {
            "empty.$": "States.StringToJson($.empty)",
            "blank.$": "States.StringToJson($.blank)",
            "json.$": "States.StringToJson($.json)",
          },
          End: true,
        },
      }),
      async () => ({}),
    );
    const run = sfn.startExecution("parse", { empty: "", blank: "  \n ", json: '{"phase":"closed"}' });
    expect(await closed(sfn, run.executionArn)).toMatchObject({
      status: "SUCCEEDED",
      output: { empty: null, blank: null, json: { phase: "closed" } },
    });
    await sfn.stop();
  });
});
