import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DescribeExecutionCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import { afterAll, describe, expect, it } from "vitest";
import { startStepFunctionsEndpoint } from "../../lib/local/aws-endpoint";
import type { LocalStepFunctions } from "../../lib/local/step-functions";
import { eventually } from "../support/api";
import { callbackTask, closed, engine, machine, sleep, statusOf, tokenCollector } from "./harness";

/**
 * Callbacks and `StartExecution` as AWS answers them, through the unchanged AWS SDK client the
 * handlers use, pointed at the local endpoint (as `SFN_ENDPOINT` does).
 *
 * - "SendTaskFailure" (https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskFailure.html):
 *   `error` and `cause` are optional; executions AWS recorded show a task failed without them
 *   reaching a `Catch` as `{"Error": null, "Cause": null}` and failing the execution with neither
 *   (issue 15, case 4).
 * - "SendTaskSuccess" (https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html):
 *   `InvalidToken` for a token that is not one, `TaskTimedOut` when "the task associated with the
 *   token has already been closed".
 * - "Map state" (https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html): when an
 *   iteration fails the Map state fails and its other iterations are stopped; their tasks are
 *   closed, so their tokens answer `TaskTimedOut`.
 * - "StartExecution" (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html):
 *   the name is optional (one is generated), 1–80 characters without whitespace, brackets,
 *   wildcards or special characters (`InvalidName`); a repeated call with the name of an open
 *   execution and the same input succeeds with it, any other repeat is `ExecutionAlreadyExists`
 *   ("When the original execution is closed, the ExecutionAlreadyExists message is returned
 *   regardless of input"), for 90 days.
 */

const engines: LocalStepFunctions[] = [];
const closers: (() => Promise<void>)[] = [];

async function client(sfn: LocalStepFunctions) {
  const endpoint = await startStepFunctionsEndpoint(sfn);
  closers.push(endpoint.close);
  engines.push(sfn);
  return new SFNClient({
    endpoint: endpoint.endpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
}

afterAll(async () => {
  for (const sfn of engines) await sfn.stop();
  for (const close of closers) await close();
});

const errorName = (promise: Promise<unknown>) =>
  promise.then(
    () => "no error",
    (error: unknown) => (error instanceof Error ? error.name : String(error)),
  );

describe("4. SendTaskFailure without error or cause", () => {
  it("reaches a Catch as Error null and Cause null", async () => {
    const fn = tokenCollector();
    const sfn = engine(
      machine({
        Wait: callbackTask({
          Catch: [{ ErrorEquals: ["States.ALL"], Next: "Caught", ResultPath: "$.failure" }],
          End: true,
        }),
        Caught: { Type: "Pass", End: true },
      }),
      fn.invoke,
    );
    const sdk = await client(sfn);
    const run = await sdk.send(
      new StartExecutionCommand({ stateMachineArn: sfn.stateMachineArn, name: "caught", input: "{}" }),
    );
    await eventually(
      async () => fn.tokens.length,
      (n) => n === 1,
    );
    await sdk.send(new SendTaskFailureCommand({ taskToken: fn.tokens[0] }));
    await closed(sfn, run.executionArn as string);
    const described = await sdk.send(new DescribeExecutionCommand({ executionArn: run.executionArn }));
    expect(described.status).toBe("SUCCEEDED");
    expect(JSON.parse(described.output as string)).toEqual({ failure: { Error: null, Cause: null } });
  });

  it("fails an execution without a Catch with neither error nor cause", async () => {
    const fn = tokenCollector();
    const sfn = engine(machine({ Wait: callbackTask({ End: true }) }), fn.invoke);
    const sdk = await client(sfn);
    const run = await sdk.send(
      new StartExecutionCommand({ stateMachineArn: sfn.stateMachineArn, name: "bare", input: "{}" }),
    );
    await eventually(
      async () => fn.tokens.length,
      (n) => n === 1,
    );
    await sdk.send(new SendTaskFailureCommand({ taskToken: fn.tokens[0] }));
    await closed(sfn, run.executionArn as string);
    const described = await sdk.send(new DescribeExecutionCommand({ executionArn: run.executionArn }));
    expect(described.status).toBe("FAILED");
    expect(described.error).toBeUndefined();
    expect(described.cause).toBeUndefined();
  });

  it("with an error and a cause passes both on, as before", async () => {
    const fn = tokenCollector();
    const sfn = engine(machine({ Wait: callbackTask({ End: true }) }), fn.invoke);
    const sdk = await client(sfn);
    const run = await sdk.send(
      new StartExecutionCommand({ stateMachineArn: sfn.stateMachineArn, name: "named", input: "{}" }),
    );
    await eventually(
      async () => fn.tokens.length,
      (n) => n === 1,
    );
    await sdk.send(
      new SendTaskFailureCommand({
        taskToken: fn.tokens[0],
        error: "StepChanged",
        cause: '{"phase":"closed"}',
      }),
    );
    await closed(sfn, run.executionArn as string);
    const described = await sdk.send(new DescribeExecutionCommand({ executionArn: run.executionArn }));
    expect(described).toMatchObject({ status: "FAILED", error: "StepChanged", cause: '{"phase":"closed"}' });
  });
});

describe("6. a failed Map iteration closes the other iterations' tasks", () => {
  it("their tokens answer TaskTimedOut and nothing is left waiting", async () => {
    const fn = tokenCollector();
    const sfn = engine(
      machine({
        Each: {
          Type: "Map",
          ItemsPath: "$.orders",
          ItemProcessor: { StartAt: "Wait", States: { Wait: callbackTask({ End: true }) } },
          End: true,
        },
      }),
      fn.invoke,
    );
    const sdk = await client(sfn);
    const run = await sdk.send(
      new StartExecutionCommand({
        stateMachineArn: sfn.stateMachineArn,
        name: "orders",
        input: JSON.stringify({ orders: [1, 2, 3] }),
      }),
    );
    await eventually(
      async () => fn.tokens.length,
      (n) => n === 3,
    );
    const [first, ...others] = fn.tokens as [string, ...string[]];
    await sdk.send(new SendTaskFailureCommand({ taskToken: first, error: "Refused", cause: "no" }));
    expect(await closed(sfn, run.executionArn as string)).toMatchObject({
      status: "FAILED",
      error: "Refused",
    });
    for (const token of others) {
      expect(await errorName(sdk.send(new SendTaskSuccessCommand({ taskToken: token, output: "{}" })))).toBe(
        "TaskTimedOut",
      );
    }
    await sleep(50);
    expect(sfn.runningCount()).toBe(0);
  });
});

describe("7. StartExecution by name, and unknown tokens", () => {
  it("the name of a closed execution is ExecutionAlreadyExists, whatever the input; an open one with the same input is the same execution", async () => {
    const fn = tokenCollector();
    const sfn = engine(machine({ Wait: callbackTask({ End: true }) }), fn.invoke);
    const sdk = await client(sfn);
    const start = (input: string) =>
      sdk.send(new StartExecutionCommand({ stateMachineArn: sfn.stateMachineArn, name: "a-1", input }));
    const first = await start('{"assignmentId":"a-1"}');
    expect((await start('{"assignmentId":"a-1"}')).executionArn).toBe(first.executionArn);
    expect(await errorName(start('{"assignmentId":"other"}'))).toBe("ExecutionAlreadyExists");
    await eventually(
      async () => fn.tokens.length,
      (n) => n === 1,
    );
    await sdk.send(new SendTaskSuccessCommand({ taskToken: fn.tokens[0], output: "{}" }));
    await closed(sfn, first.executionArn as string);
    expect(await errorName(start('{"assignmentId":"a-1"}'))).toBe("ExecutionAlreadyExists");
    expect(fn.invocations).toBe(1);
  });

  it("a finished execution's name stays taken after a restart, and is not run again", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sfn-names-"));
    const definition = machine({ Done: { Type: "Pass", End: true } });
    const before = engine(definition, async () => ({}), {}, dir);
    const run = before.startExecution("done-once", { n: 1 });
    await closed(before, run.executionArn);
    await before.stop();
    const after = engine(definition, async () => ({}), {}, dir);
    expect(after.resumePersisted()).toBe(0);
    expect(statusOf(after, run.executionArn)).toBe("SUCCEEDED");
    expect(() => after.startExecution("done-once", { n: 1 })).toThrow(
      expect.objectContaining({ name: "ExecutionAlreadyExists" }),
    );
    await after.stop();
  });

  it("without a name a UUID is generated; a name AWS would refuse is InvalidName", async () => {
    const sfn = engine(machine({ Done: { Type: "Pass", End: true } }), async () => ({}));
    const sdk = await client(sfn);
    const unnamed = await sdk.send(
      new StartExecutionCommand({ stateMachineArn: sfn.stateMachineArn, input: "{}" }),
    );
    expect(unnamed.executionArn).toMatch(
      /:execution:inspection:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    for (const name of ["has space", "a/b", "x".repeat(81), "tab\tname"]) {
      expect(
        await errorName(
          sdk.send(new StartExecutionCommand({ stateMachineArn: sfn.stateMachineArn, name, input: "{}" })),
        ),
      ).toBe("InvalidName");
    }
    expect(
      await errorName(
        sdk.send(
          new StartExecutionCommand({ stateMachineArn: sfn.stateMachineArn, name: "bad-input", input: "{" }),
        ),
      ),
    ).toBe("InvalidExecutionInput");
  });

  it("a string that is no task token is InvalidToken", async () => {
    const sfn = engine(machine({ Done: { Type: "Pass", End: true } }), async () => ({}));
    const sdk = await client(sfn);
    expect(
      await errorName(sdk.send(new SendTaskSuccessCommand({ taskToken: "never-issued", output: "{}" }))),
    ).toBe("InvalidToken");
    expect(await errorName(sdk.send(new SendTaskFailureCommand({ taskToken: "never-issued" })))).toBe(
      "InvalidToken",
    );
  });
});
