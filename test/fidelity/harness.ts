import {
  type ExecutionStatus,
  LocalStepFunctions,
  type LocalStepFunctionsOptions,
} from "../../lib/local/step-functions";
import { eventually } from "../support/api";

/**
 * Small state machines run on the local engine exactly as the local system runs the stack's: the
 * conformance tests state the AWS behaviour each one expects (and the AWS page that documents it),
 * and what they observe here is what `npm start` does.
 */
export const FN = "arn:aws:lambda:local:000000000000:function:F";
export const INVOKE = "arn:aws:states:::lambda:invoke";
export const CALLBACK = "arn:aws:states:::lambda:invoke.waitForTaskToken";

export type States = Record<string, Record<string, unknown>>;

export const machine = (states: States, extra: Record<string, unknown> = {}) => ({
  StartAt: Object.keys(states)[0],
  States: states,
  ...extra,
});

/** A callback task handing its token to the function, with `extra` fields. */
export const callbackTask = (extra: Record<string, unknown> = {}) => ({
  Type: "Task",
  Resource: CALLBACK,
  Parameters: { FunctionName: FN, Payload: { "token.$": "$$.Task.Token" } },
  ...extra,
});

export const lambdaTask = (extra: Record<string, unknown> = {}) => ({
  Type: "Task",
  Resource: INVOKE,
  Parameters: { FunctionName: FN, "Payload.$": "$" },
  ...extra,
});

/** A function that hands out callback tokens as they are issued and counts its invocations. */
export function tokenCollector() {
  const tokens: string[] = [];
  const collector = {
    tokens,
    invocations: 0,
    invoke: async (_arn: string, payload: unknown) => {
      collector.invocations++;
      const token = (payload as { token?: string } | null)?.token;
      if (token) tokens.push(token);
      return {};
    },
  };
  return collector;
}

export function engine(
  definition: Record<string, unknown>,
  invoke: (arn: string, payload: unknown) => Promise<unknown>,
  options: LocalStepFunctionsOptions = {},
  dir?: string,
) {
  return new LocalStepFunctions(definition, invoke, dir, { log: () => undefined, ...options });
}

export const statusOf = (sfn: LocalStepFunctions, arn: string) => sfn.describeExecution(arn).status;

/** Waits until the execution has closed and returns its description. */
export async function closed(sfn: LocalStepFunctions, arn: string, timeoutMs = 10_000) {
  await eventually(
    async () => statusOf(sfn, arn),
    (s: ExecutionStatus) => s !== "RUNNING",
    { timeoutMs, intervalMs: 20 },
  );
  return sfn.describeExecution(arn);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
