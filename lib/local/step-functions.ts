import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ExecutionAbortedError, ExecutionError, StateMachine } from "aws-local-stepfunctions";

/**
 * Step Functions on one machine: the state machine synthesized by the CDK app, run by
 * `aws-local-stepfunctions`, with what that library leaves out supplied here rather than by bending
 * the cloud definition:
 *
 * - callback tasks (`.waitForTaskToken`): a fresh single-use token per task (the library would
 *   hand every task the same `$$.Task.Token`), completed by `SendTaskSuccess`/`SendTaskFailure`
 *   through an AWS-compatible endpoint; a second completion fails with `TaskTimedOut` as in AWS;
 * - task timeouts: `TimeoutSecondsPath` is evaluated against the state input (AWS semantics, the
 *   library uses the input after `Parameters`), a task without a timeout waits without one (the
 *   library's default is 60 s), and timers longer than Node's 24.8-day limit are chained;
 * - durability: every started execution is written under DATA_DIR before `StartExecution`
 *   answers, and on start-up every unfinished one is run again from its input. The workflow's
 *   tasks read their step from the database and are safe to repeat, so a re-run resumes where the
 *   data stands; tokens of the previous process are gone (`TaskDoesNotExist`), as in AWS.
 */

export type TaskInvoker = (functionArn: string, payload: unknown) => Promise<unknown>;

interface ExecutionRecord {
  readonly executionArn: string;
  readonly name: string;
  readonly input: unknown;
  status: "RUNNING" | "SUCCEEDED" | "FAILED";
  readonly startDate: string;
  stopDate?: string;
  error?: string;
  cause?: string;
}

/**
 * What one execution has cost so far (for the benchmark's cost model; nothing here changes
 * behaviour): Step Functions Standard bills per state transition (a state entered, a retry), Lambda
 * per task invocation and its duration.
 */
export interface ExecutionCounters {
  /** `StateEntered` events, Map iterations' states included. */
  stateTransitions: number;
  /** The same by state name. */
  readonly statesEntered: Record<string, number>;
  /** `StateRetried` events (billed as transitions too). */
  retries: number;
  /** Lambda invocations by task states (a callback task invokes its function once). */
  taskInvocations: number;
  /** Total duration of the task invocations, ms (callback waits excluded). */
  taskDurationMs: number;
  /** The same, each invocation rounded up to a whole ms (Lambda's billed duration). */
  taskBilledMs: number;
}

interface Waiter {
  readonly executionName: string;
  resolve(output: unknown): void;
  reject(error: Error): void;
}

export class StepFunctionsError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

const TOKEN_PLACEHOLDER = "__LOCAL_TASK_TOKEN__";
const LOCAL_TIMEOUT_FIELD = "__localTimeoutSeconds";
/** The longest timer Node keeps (2^31−1 ms), in whole seconds. */
const ENGINE_MAX_TIMEOUT_SECONDS = 2_147_483;
const MAX_TIMER_MS = 2_147_483_000;
/** AWS limits the library does not enforce. */
const MAX_PAYLOAD_BYTES = 256 * 1024;
const MAX_HISTORY_EVENTS = 25_000;

function assertPayloadSize(value: unknown, what: string): void {
  const size = Buffer.byteLength(JSON.stringify(value ?? null), "utf8");
  if (size > MAX_PAYLOAD_BYTES) {
    throw new StepFunctionsError(
      "States.DataLimitExceeded",
      `${what} is ${size} bytes, over the 256 KiB limit`,
    );
  }
}

type StateDef = Record<string, unknown>;

/** Rewrites a copy of the definition for the local engine (see the header comment). */
export function localDefinition(definition: StateDef): {
  definition: StateDef;
  callbackStates: Set<string>;
  taskStates: Set<string>;
} {
  const copy = structuredClone(definition);
  const callbackStates = new Set<string>();
  const taskStates = new Set<string>();
  const visit = (machine: StateDef) => {
    const states = machine.States as Record<string, StateDef>;
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === "Task") {
        taskStates.add(name);
        if (typeof state.Resource === "string" && state.Resource.endsWith(".waitForTaskToken"))
          callbackStates.add(name);
        const parameters = (state.Parameters ?? {}) as StateDef;
        if (typeof state.TimeoutSecondsPath === "string") {
          parameters[`${LOCAL_TIMEOUT_FIELD}.$`] = state.TimeoutSecondsPath;
        } else if (typeof state.TimeoutSeconds === "number") {
          parameters[LOCAL_TIMEOUT_FIELD] = state.TimeoutSeconds;
        }
        state.Parameters = parameters;
        delete state.TimeoutSecondsPath;
        state.TimeoutSeconds = ENGINE_MAX_TIMEOUT_SECONDS;
      }
      const processor = (state.ItemProcessor ?? state.Iterator) as StateDef | undefined;
      if (processor) visit(processor);
      for (const branch of (state.Branches as StateDef[] | undefined) ?? []) visit(branch);
    }
  };
  visit(copy);
  return { definition: copy, callbackStates, taskStates };
}

function replaceDeep(value: unknown, from: string, to: string): unknown {
  if (value === from) return to;
  if (Array.isArray(value)) return value.map((v) => replaceDeep(v, from, to));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceDeep(v, from, to)]));
  }
  return value;
}

function timeoutError(): Error {
  const error = new Error("Task timed out");
  error.name = "States.Timeout";
  return error;
}

/** A timer that may be longer than Node's 24.8-day limit. */
function longTimer(ms: number, fire: () => void): () => void {
  let handle: NodeJS.Timeout;
  const due = Date.now() + ms;
  const arm = () => {
    const left = due - Date.now();
    if (left <= 0) return fire();
    handle = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
  };
  arm();
  return () => clearTimeout(handle);
}

export class LocalStepFunctions {
  readonly stateMachineArn: string;
  private readonly engineDefinition: StateDef;
  private readonly callbackStates: Set<string>;
  private readonly taskStates: Set<string>;
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly aborts = new Map<string, () => void>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly waiters = new Map<string, Waiter>();
  private readonly spentTokens = new Set<string>();
  private readonly timers = new Set<() => void>();
  private readonly counters = new Map<string, ExecutionCounters>();
  private stopping = false;

  constructor(
    definition: StateDef,
    private readonly invoke: TaskInvoker,
    private readonly dir: string | undefined,
    stateMachineName = "inspection",
  ) {
    this.stateMachineArn = `arn:aws:states:local:000000000000:stateMachine:${stateMachineName}`;
    const local = localDefinition(definition);
    this.engineDefinition = local.definition;
    this.callbackStates = local.callbackStates;
    this.taskStates = local.taskStates;
    if (dir) mkdirSync(dir, { recursive: true });
  }

  /** Runs again every execution that had not finished when the previous process stopped. */
  resumePersisted(): number {
    if (!this.dir) return 0;
    let resumed = 0;
    for (const file of readdirSync(this.dir).filter((f) => f.endsWith(".json"))) {
      const record: ExecutionRecord = JSON.parse(readFileSync(join(this.dir, file), "utf8"));
      this.executions.set(record.name, record);
      if (record.status === "RUNNING") {
        this.run(record);
        resumed++;
      }
    }
    return resumed;
  }

  startExecution(name: string, input: unknown): { executionArn: string; startDate: string } {
    if (this.stopping)
      throw new StepFunctionsError("ServiceUnavailable", "The local runtime is shutting down");
    const existing = this.executions.get(name);
    if (existing) {
      if (JSON.stringify(existing.input) !== JSON.stringify(input)) {
        throw new StepFunctionsError(
          "ExecutionAlreadyExists",
          `Execution ${name} already exists with another input`,
        );
      }
      return { executionArn: existing.executionArn, startDate: existing.startDate };
    }
    const record: ExecutionRecord = {
      executionArn: `${this.stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`,
      name,
      input,
      status: "RUNNING",
      startDate: new Date().toISOString(),
    };
    this.executions.set(name, record);
    this.persist(record);
    this.run(record);
    return { executionArn: record.executionArn, startDate: record.startDate };
  }

  describeExecution(executionArn: string): ExecutionRecord {
    const record = [...this.executions.values()].find((e) => e.executionArn === executionArn);
    if (!record)
      throw new StepFunctionsError("ExecutionDoesNotExist", `Execution does not exist: ${executionArn}`);
    return record;
  }

  sendTaskSuccess(taskToken: string, output: string): void {
    if (Buffer.byteLength(output, "utf8") > MAX_PAYLOAD_BYTES) {
      throw new StepFunctionsError("InvalidOutput", "The output is over the 256 KiB limit");
    }
    const waiter = this.takeWaiter(taskToken);
    let parsed: unknown;
    try {
      parsed = JSON.parse(output);
    } catch {
      this.waiters.set(taskToken, waiter);
      this.spentTokens.delete(taskToken);
      throw new StepFunctionsError("InvalidOutput", "The output is not valid JSON");
    }
    waiter.resolve(parsed);
  }

  sendTaskFailure(taskToken: string, error: string | undefined, cause: string | undefined): void {
    const waiter = this.takeWaiter(taskToken);
    const failure = new Error(cause ?? "");
    failure.name = error ?? "States.TaskFailed";
    waiter.reject(failure);
  }

  /** Transitions and task invocations of an execution (by name) since this process started it. */
  executionCounters(name: string): ExecutionCounters {
    let counters = this.counters.get(name);
    if (!counters) {
      counters = {
        stateTransitions: 0,
        statesEntered: {},
        retries: 0,
        taskInvocations: 0,
        taskDurationMs: 0,
        taskBilledMs: 0,
      };
      this.counters.set(name, counters);
    }
    return counters;
  }

  /** Executions still running (for tests and the shutdown log). */
  runningCount(): number {
    return this.running.size;
  }

  /** Resolves once every execution has finished or is waiting on a callback with nothing else to do. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const cancel of this.timers) cancel();
    this.timers.clear();
    for (const abort of this.aborts.values()) abort();
    await Promise.allSettled([...this.running.values()]);
  }

  private takeWaiter(taskToken: string): Waiter {
    const waiter = this.waiters.get(taskToken);
    if (!waiter) {
      if (this.spentTokens.has(taskToken)) {
        throw new StepFunctionsError("TaskTimedOut", "Provided task does not exist anymore");
      }
      throw new StepFunctionsError("TaskDoesNotExist", "Provided task does not exist");
    }
    this.waiters.delete(taskToken);
    this.spentTokens.add(taskToken);
    return waiter;
  }

  private persist(record: ExecutionRecord): void {
    if (!this.dir) return;
    const file = join(this.dir, `${encodeURIComponent(record.name)}.json`);
    if (record.status === "SUCCEEDED") {
      rmSync(file, { force: true });
      return;
    }
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, JSON.stringify(record));
    renameSync(tmp, file);
  }

  private run(record: ExecutionRecord): void {
    const machine = new StateMachine(this.engineDefinition as never, {
      validationOptions: { checkArn: false, checkPaths: false },
    });
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const state of this.taskStates) {
      handlers[state] = (input) => this.runTask(record.name, state, input);
    }
    const execution = machine.run(record.input as never, {
      overrides: { taskResourceLocalHandlers: handlers as never },
      noThrowOnAbort: true,
      context: {
        Task: { Token: TOKEN_PLACEHOLDER },
        Execution: { Id: record.executionArn, Name: record.name },
        StateMachine: { Id: this.stateMachineArn },
      },
    });
    // Drain the event log (so it does not accumulate in memory) and enforce AWS's history limit.
    let events = 0;
    const counters = this.executionCounters(record.name);
    void (async () => {
      for await (const event of execution.eventLogs) {
        events++;
        if (event.type === "StateEntered") {
          counters.stateTransitions++;
          counters.statesEntered[event.state.name] = (counters.statesEntered[event.state.name] ?? 0) + 1;
        } else if (event.type === "StateRetried") counters.retries++;
        if (events > MAX_HISTORY_EVENTS && record.status === "RUNNING") {
          record.status = "FAILED";
          record.error = "States.HistoryLimitExceeded";
          record.cause = `More than ${MAX_HISTORY_EVENTS} history events`;
          record.stopDate = new Date().toISOString();
          this.persist(record);
          execution.abort();
          return;
        }
      }
    })().catch(() => undefined);
    this.aborts.set(record.name, execution.abort);
    const done = execution.result.then(
      (result) => {
        if (result === null && (this.stopping || record.status !== "RUNNING")) return; // aborted: shutdown or history limit
        record.status = "SUCCEEDED";
        record.stopDate = new Date().toISOString();
        this.persist(record);
      },
      (error: unknown) => {
        if (error instanceof ExecutionAbortedError || this.stopping) return;
        const cause = error instanceof ExecutionError && error.cause instanceof Error ? error.cause : error;
        const name = cause instanceof Error ? cause.name : "Error";
        if (name === "States.Timeout") {
          // Only the engine's own timer cap (24.8 days) can end a task the definition lets wait
          // forever: run the execution again from the data, as after a restart.
          this.aborts.delete(record.name);
          this.running.delete(record.name);
          this.run(record);
          return;
        }
        record.status = "FAILED";
        record.stopDate = new Date().toISOString();
        record.error = name;
        record.cause = cause instanceof Error ? cause.message : String(cause);
        this.persist(record);
        console.error(`[local-sfn] execution ${record.name} failed: ${record.error}: ${record.cause}`);
      },
    );
    const tracked = done.finally(() => {
      if (this.running.get(record.name) === tracked) {
        this.running.delete(record.name);
        this.aborts.delete(record.name);
      }
    });
    this.running.set(record.name, tracked);
  }

  private async runTask(executionName: string, state: string, rawInput: unknown): Promise<unknown> {
    const input = (typeof rawInput === "object" && rawInput !== null ? { ...rawInput } : {}) as Record<
      string,
      unknown
    >;
    const timeoutSeconds = input[LOCAL_TIMEOUT_FIELD];
    delete input[LOCAL_TIMEOUT_FIELD];
    const functionArn = String(input.FunctionName ?? "");
    assertPayloadSize(input, `The input of state ${state}`);
    const counters = this.executionCounters(executionName);
    counters.taskInvocations++;
    const invokedAt = performance.now();
    const timed = <T>(result: Promise<T>) =>
      result.finally(() => {
        const ms = performance.now() - invokedAt;
        counters.taskDurationMs += ms;
        counters.taskBilledMs += Math.max(1, Math.ceil(ms));
      });
    if (!this.callbackStates.has(state)) {
      const payload = await timed(this.invoke(functionArn, input.Payload ?? {}));
      assertPayloadSize(payload, `The output of state ${state}`);
      return { ExecutedVersion: "$LATEST", Payload: payload ?? null, StatusCode: 200 };
    }
    const token = `${randomBytes(32).toString("base64url")}.${executionName}`;
    const result = new Promise<unknown>((resolve, reject) => {
      this.waiters.set(token, { executionName, resolve, reject });
    });
    // The timer may fire while the registration is still running; the rejection is awaited below,
    // or dropped with the token if the registration fails.
    result.catch(() => {});
    let cancelTimer = () => {};
    if (typeof timeoutSeconds === "number") {
      const cancel = longTimer(timeoutSeconds * 1000, () => {
        this.timers.delete(cancel);
        const waiter = this.waiters.get(token);
        if (!waiter) return;
        this.waiters.delete(token);
        this.spentTokens.add(token);
        waiter.reject(timeoutError());
      });
      this.timers.add(cancel);
      cancelTimer = () => {
        cancel();
        this.timers.delete(cancel);
      };
    }
    try {
      await timed(this.invoke(functionArn, replaceDeep(input.Payload ?? {}, TOKEN_PLACEHOLDER, token)));
    } catch (error) {
      cancelTimer();
      this.waiters.delete(token);
      this.spentTokens.add(token);
      throw error;
    }
    try {
      return await result;
    } finally {
      cancelTimer();
    }
  }
}
