import { afterEach, describe, expect, it, vi } from "vitest";
import {
  CALLBACK,
  callbackTask,
  closed,
  engine,
  FN,
  lambdaTask,
  machine,
  sleep,
  statusOf,
  tokenCollector,
} from "./harness";

/**
 * Timeouts as AWS applies them.
 *
 * - "Task workflow state" (https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html):
 *   a task running longer than `TimeoutSeconds` (or the value `TimeoutSecondsPath` selects from the
 *   state input) fails with `States.Timeout`, whatever its resource, callback or not.
 * - "Handling errors in Step Functions workflows"
 *   (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html): an error no
 *   `Catch` matches fails the execution; `States.TaskFailed` matches any error except
 *   `States.Timeout`.
 * - "Troubleshoot invocation issues in Lambda"
 *   (https://docs.aws.amazon.com/lambda/latest/dg/troubleshooting-invocation.html#troubleshooting-timeouts):
 *   an invocation running past the function's timeout ends with `Sandbox.Timedout`, which
 *   "Invoke a Lambda function with Step Functions"
 *   (https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html) reports as the task's
 *   error (the function's error type), its payload as the cause.
 * - "Wait workflow state" (https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html),
 *   "State machine structure" (https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html)
 *   and "Step Functions service quotas" (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html):
 *   a Wait lasts what it says, up to the one-year maximum of a Standard execution; an execution
 *   running past its `TimeoutSeconds` (else that year) ends TIMED_OUT with `States.Timeout`.
 */

const DAY = 86_400;

afterEach(() => {
  vi.useRealTimers();
});

describe("1. a callback task that times out with no Catch", () => {
  it("fails the execution with States.Timeout once, never runs it again; its token is then closed (TaskTimedOut)", async () => {
    const fn = tokenCollector();
    const sfn = engine(machine({ Wait: callbackTask({ TimeoutSeconds: 1, End: true }) }), fn.invoke);
    const run = sfn.startExecution("timed-out", {});
    const execution = await closed(sfn, run.executionArn);
    expect(execution).toMatchObject({ status: "FAILED", error: "States.Timeout" });
    await sleep(1500);
    expect(fn.invocations).toBe(1);
    expect(sfn.runningCount()).toBe(0);
    expect(() => sfn.sendTaskSuccess(fn.tokens[0] as string, "{}")).toThrow(
      expect.objectContaining({ name: "TaskTimedOut" }),
    );
    await sfn.stop();
  });

  it("is caught by a Catch on States.Timeout, not by one on States.TaskFailed", async () => {
    const sfn = engine(
      machine({
        Wait: callbackTask({
          TimeoutSecondsPath: "$.timer",
          ResultPath: "$.result",
          Catch: [
            { ErrorEquals: ["States.TaskFailed"], Next: "Wrong", ResultPath: "$.error" },
            { ErrorEquals: ["States.Timeout"], Next: "TimedOut", ResultPath: "$.error" },
          ],
          End: true,
        }),
        Wrong: { Type: "Fail", Error: "CaughtAsTaskFailed" },
        TimedOut: { Type: "Succeed" },
      }),
      tokenCollector().invoke,
    );
    const run = sfn.startExecution("caught", { timer: 1 });
    const execution = await closed(sfn, run.executionArn);
    expect(execution.status).toBe("SUCCEEDED");
    expect(execution.output).toEqual({ timer: 1, error: { Error: "States.Timeout", Cause: "" } });
    await sfn.stop();
  });
});

describe("2. timeouts of plain lambda:invoke tasks and of the function itself", () => {
  const slowFunction = (ms: number) => async () => {
    await sleep(ms);
    return { late: true };
  };

  it("TimeoutSeconds on a lambda:invoke task fails it with States.Timeout", async () => {
    const sfn = engine(machine({ Call: lambdaTask({ TimeoutSeconds: 1, End: true }) }), slowFunction(4000));
    const started = Date.now();
    const run = sfn.startExecution("slow", {});
    const execution = await closed(sfn, run.executionArn);
    expect(execution).toMatchObject({ status: "FAILED", error: "States.Timeout" });
    expect(Date.now() - started).toBeLessThan(3000);
    await sfn.stop();
  });

  it("TimeoutSecondsPath on a lambda:invoke task is read from the state input", async () => {
    const sfn = engine(
      machine({
        Call: lambdaTask({
          TimeoutSecondsPath: "$.limit",
          Catch: [{ ErrorEquals: ["States.Timeout"], Next: "TimedOut" }],
          End: true,
        }),
        TimedOut: { Type: "Pass", Result: "timed out", End: true },
      }),
      slowFunction(4000),
    );
    const run = sfn.startExecution("slow-path", { limit: 1 });
    expect(await closed(sfn, run.executionArn)).toMatchObject({ status: "SUCCEEDED", output: "timed out" });
    await sfn.stop();
  });

  it("a function past its own timeout fails the task with Sandbox.Timedout and Lambda's message as the cause", async () => {
    const sfn = engine(
      machine({
        Call: lambdaTask({
          Catch: [{ ErrorEquals: ["States.ALL"], Next: "Failed", ResultPath: "$.error" }],
          End: true,
        }),
        Failed: { Type: "Pass", End: true },
      }),
      slowFunction(4000),
      { functionTimeoutSeconds: (arn) => (arn === FN ? 1 : undefined) },
    );
    const run = sfn.startExecution("function-timeout", {});
    const execution = await closed(sfn, run.executionArn);
    expect(execution.status).toBe("SUCCEEDED");
    const error = (execution.output as { error: { Error: string; Cause: string } }).error;
    expect(error.Error).toBe("Sandbox.Timedout");
    expect(JSON.parse(error.Cause)).toEqual({
      errorType: "Sandbox.Timedout",
      errorMessage: expect.stringMatching(/^RequestId: \S+ Error: Task timed out after 1\.00 seconds$/),
    });
    await sfn.stop();
  });

  it("a task without a timeout waits as long as its function runs (no 60 s default)", async () => {
    // The library's default would time every untimed task out after 60 s; AWS has none.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    let finish!: () => void;
    const sfn = engine(
      machine({ Call: lambdaTask({ End: true }) }),
      () => new Promise((resolve) => (finish = () => resolve({ done: true }))),
    );
    const run = sfn.startExecution("untimed", {});
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(statusOf(sfn, run.executionArn)).toBe("RUNNING");
    finish();
    await vi.advanceTimersByTimeAsync(10);
    expect(sfn.describeExecution(run.executionArn)).toMatchObject({
      status: "SUCCEEDED",
      output: { ExecutedVersion: "$LATEST", Payload: { done: true }, StatusCode: 200 },
    });
    await sfn.stop();
  });
});

describe("8. waits and timeouts longer than Node's 24.8-day timer", () => {
  const longWait = machine({
    Hold: { Type: "Wait", Seconds: 30 * DAY, Next: "Done" },
    Done: { Type: "Succeed" },
  });

  it("a 30-day Wait is not cut short (Node fires an overlong timer at once)", async () => {
    const sfn = engine(longWait, tokenCollector().invoke);
    const run = sfn.startExecution("month", {});
    await sleep(300);
    expect(statusOf(sfn, run.executionArn)).toBe("RUNNING");
    await sfn.stop();
  });

  it("a 30-day Wait ends after 30 days; a 40-day callback timeout after 40; an execution after its TimeoutSeconds or a year", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const waits = engine(longWait, tokenCollector().invoke);
    const wait = waits.startExecution("month", {});
    await vi.advanceTimersByTimeAsync((30 * DAY - 60) * 1000);
    expect(statusOf(waits, wait.executionArn)).toBe("RUNNING");
    await vi.advanceTimersByTimeAsync(120 * 1000);
    expect(statusOf(waits, wait.executionArn)).toBe("SUCCEEDED");

    const callbacks = engine(
      machine({ Wait: callbackTask({ TimeoutSeconds: 40 * DAY, End: true }) }),
      tokenCollector().invoke,
    );
    const callback = callbacks.startExecution("forty-days", {});
    await vi.advanceTimersByTimeAsync((40 * DAY - 60) * 1000);
    expect(statusOf(callbacks, callback.executionArn)).toBe("RUNNING");
    await vi.advanceTimersByTimeAsync(120 * 1000);
    expect(callbacks.describeExecution(callback.executionArn)).toMatchObject({
      status: "FAILED",
      error: "States.Timeout",
    });

    const bounded = engine(
      machine({ Wait: callbackTask({ End: true }) }, { TimeoutSeconds: 50 * DAY }),
      tokenCollector().invoke,
    );
    const unbounded = engine(machine({ Wait: callbackTask({ End: true }) }), tokenCollector().invoke);
    const fifty = bounded.startExecution("fifty-days", {});
    const year = unbounded.startExecution("a-year", {});
    await vi.advanceTimersByTimeAsync(50 * DAY * 1000 + 1000);
    expect(bounded.describeExecution(fifty.executionArn)).toMatchObject({
      status: "TIMED_OUT",
      error: "States.Timeout",
    });
    expect(statusOf(unbounded, year.executionArn)).toBe("RUNNING");
    await vi.advanceTimersByTimeAsync(315 * DAY * 1000 + 1000);
    expect(statusOf(unbounded, year.executionArn)).toBe("TIMED_OUT");
    for (const sfn of [waits, callbacks, bounded, unbounded]) await sfn.stop();
  });

  it("the library's own timer cap no longer exists: a callback task without a timeout is not failed or re-run at 24.8 days", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const fn = tokenCollector();
    const sfn = engine(
      machine({
        Wait: {
          Type: "Task",
          Resource: CALLBACK,
          Parameters: { FunctionName: FN, Payload: { "token.$": "$$.Task.Token" } },
          End: true,
        },
      }),
      fn.invoke,
    );
    const run = sfn.startExecution("patient", {});
    await vi.advanceTimersByTimeAsync(60 * DAY * 1000);
    expect(statusOf(sfn, run.executionArn)).toBe("RUNNING");
    expect(fn.invocations).toBe(1);
    sfn.sendTaskSuccess(fn.tokens[0] as string, JSON.stringify({ ok: true }));
    await vi.advanceTimersByTimeAsync(10);
    expect(sfn.describeExecution(run.executionArn)).toMatchObject({
      status: "SUCCEEDED",
      output: { ok: true },
    });
    await sfn.stop();
  });
});
