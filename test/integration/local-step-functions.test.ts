import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LocalStepFunctions, localDefinition } from "../../lib/local/step-functions";
import { eventually } from "../support/api";

/**
 * The local Step Functions runtime supplies what aws-local-stepfunctions leaves out. These small
 * machines exercise each of those behaviours on the real engine.
 */
const FN = "arn:aws:lambda:local:000000000000:function:F";

const callbackMachine = (extra: Record<string, unknown> = {}) => ({
  StartAt: "Wait",
  States: {
    Wait: {
      Type: "Task",
      Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
      Parameters: { FunctionName: FN, Payload: { "token.$": "$$.Task.Token" } },
      ResultPath: "$.result",
      ...extra,
      End: true,
    },
    ...("Catch" in extra
      ? { TimedOut: { Type: "Pass", Result: true, ResultPath: "$.timedOut", End: true } }
      : {}),
  },
});

function collectTokens() {
  const tokens: string[] = [];
  const invoke = async (_arn: string, payload: unknown) => {
    const token = (payload as { token?: string }).token;
    if (token) tokens.push(token);
    return {};
  };
  return { tokens, invoke };
}

const statusOf = (sfn: LocalStepFunctions, arn: string) => sfn.describeExecution(arn).status;

describe("callback tasks", () => {
  it("issue a fresh token per task, and a token completes once: again is TaskTimedOut, not a token is InvalidToken", async () => {
    const { tokens, invoke } = collectTokens();
    const sfn = new LocalStepFunctions(callbackMachine(), invoke, undefined);
    const a = sfn.startExecution("a", { n: 1 });
    sfn.startExecution("b", { n: 2 });
    await eventually(
      async () => tokens.length,
      (n) => n === 2,
    );
    expect(tokens[0]).not.toBe(tokens[1]);
    expect(tokens[0]).not.toContain("__LOCAL_TASK_TOKEN__");

    sfn.sendTaskSuccess(tokens[0] as string, JSON.stringify({ done: true }));
    await eventually(
      async () => statusOf(sfn, a.executionArn),
      (s) => s === "SUCCEEDED",
    );
    expect(() => sfn.sendTaskSuccess(tokens[0] as string, "{}")).toThrow(
      expect.objectContaining({ name: "TaskTimedOut" }),
    );
    expect(() => sfn.sendTaskSuccess("never-issued", "{}")).toThrow(
      expect.objectContaining({ name: "InvalidToken" }),
    );
    await sfn.stop();
  });

  it("evaluate TimeoutSecondsPath against the state input (as AWS does) and raise States.Timeout", async () => {
    const { invoke } = collectTokens();
    const machine = callbackMachine({
      TimeoutSecondsPath: "$.timer",
      Catch: [{ ErrorEquals: ["States.Timeout"], Next: "TimedOut" }],
    });
    const sfn = new LocalStepFunctions(machine, invoke, undefined);
    const started = Date.now();
    const run = sfn.startExecution("t", { timer: 1 });
    await eventually(
      async () => statusOf(sfn, run.executionArn),
      (s) => s === "SUCCEEDED",
      { timeoutMs: 5000 },
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    await sfn.stop();
  });

  it("let a task without a timeout wait: the adapter times tasks, the engine arms no timer of its own", () => {
    const { definition, callbackStates } = localDefinition(
      callbackMachine({ TimeoutSecondsPath: "$.timer" }),
    );
    const wait = (definition.States as Record<string, Record<string, unknown>>).Wait ?? {};
    expect(callbackStates).toEqual(new Set(["Wait"]));
    expect(wait.TimeoutSecondsPath).toBeUndefined();
    expect(wait.TimeoutSeconds).toBeUndefined();
    expect((wait.Parameters as Record<string, unknown>)["__localTimeoutSeconds.$"]).toBe("$.timer");
    const untimed = localDefinition(callbackMachine()).definition.States as Record<
      string,
      Record<string, unknown>
    >;
    const untimedParameters = (untimed.Wait?.Parameters ?? {}) as Record<string, unknown>;
    expect(untimedParameters.__localTimeoutSeconds).toBeUndefined();
  });
});

describe("durability and limits", () => {
  it("keeps unfinished executions on disk and runs them again on start; StartExecution is idempotent by name", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sfn-"));
    const first = collectTokens();
    const before = new LocalStepFunctions(callbackMachine(), first.invoke, dir);
    const run = before.startExecution("inspection-1", { assignmentId: "x" });
    expect(before.startExecution("inspection-1", { assignmentId: "x" }).executionArn).toBe(run.executionArn);
    expect(() => before.startExecution("inspection-1", { assignmentId: "y" })).toThrow(
      expect.objectContaining({ name: "ExecutionAlreadyExists" }),
    );
    await eventually(
      async () => first.tokens.length,
      (n) => n === 1,
    );
    await before.stop();

    const second = collectTokens();
    const after = new LocalStepFunctions(callbackMachine(), second.invoke, dir);
    expect(after.resumePersisted()).toBe(1);
    await eventually(
      async () => second.tokens.length,
      (n) => n === 1,
    );
    // The previous process's task is closed (the execution was run again): AWS's answer for a closed task.
    expect(() => after.sendTaskSuccess(first.tokens[0] as string, "{}")).toThrow(
      expect.objectContaining({ name: "TaskTimedOut" }),
    );
    after.sendTaskSuccess(second.tokens[0] as string, "{}");
    await eventually(
      async () => statusOf(after, run.executionArn),
      (s) => s === "SUCCEEDED",
    );
    await after.stop();
    const third = new LocalStepFunctions(callbackMachine(), collectTokens().invoke, dir);
    expect(third.resumePersisted()).toBe(0);
  });

  it("fails a state whose output exceeds 256 KiB, as AWS would", async () => {
    const machine = {
      StartAt: "Big",
      States: {
        Big: {
          Type: "Task",
          Resource: "arn:aws:states:::lambda:invoke",
          Parameters: { FunctionName: FN, Payload: {} },
          End: true,
        },
      },
    };
    const sfn = new LocalStepFunctions(machine, async () => ({ blob: "x".repeat(300 * 1024) }), undefined);
    const run = sfn.startExecution("big", {});
    await eventually(
      async () => statusOf(sfn, run.executionArn),
      (s) => s === "FAILED",
    );
    expect(sfn.describeExecution(run.executionArn).error).toBe("States.DataLimitExceeded");
    await sfn.stop();
  });
});
