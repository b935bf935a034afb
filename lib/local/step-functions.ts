import { createHash, randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { ExecutionAbortedError, ExecutionError, StateMachine } from "aws-local-stepfunctions";
import { callWithFunctionTimeout, FunctionTimeoutError } from "./lambda-timeout";
import { cacheDirectory } from "./template-cache";

/**
 * Step Functions on one machine: the state machine synthesized by the CDK app, run by
 * `aws-local-stepfunctions`, with what that library leaves out supplied here rather than by bending
 * the cloud definition. docs/local-fidelity.md lists every difference from AWS that was found, what
 * AWS does, what happens here and the conformance test in test/fidelity/ that pins it.
 *
 * The engine itself is patched (patches/aws-local-stepfunctions+3.0.0.patch, applied by
 * patch-package on install): no 60 s default task timeout, timers longer than Node's 24.8 days,
 * 256 KiB limits on every state's input and output, `States.ALL`/`States.TaskFailed` matching as in
 * AWS, `States.StringToJson` of a blank string, and an abort signal handed to task handlers.
 *
 * Here:
 * - callback tasks (`.waitForTaskToken`): a fresh single-use token per task (the library would
 *   hand every task the same `$$.Task.Token`), completed by `SendTaskSuccess`/`SendTaskFailure`
 *   through an AWS-compatible endpoint; a token of a closed task answers `TaskTimedOut`, one that
 *   is not a token `InvalidToken`;
 * - task timeouts, callback or not: `TimeoutSecondsPath` is evaluated against the state input (AWS
 *   semantics, the library uses the input after `Parameters`), `States.Timeout` fails the
 *   execution unless caught; a function's own timeout fails its task with `Sandbox.Timedout`;
 * - the execution's own `TimeoutSeconds` (else Standard's one-year maximum) from its start date;
 * - the history limit counted as AWS counts events (5 per Lambda task, 6 per callback task);
 * - `StartExecution` by name as AWS: idempotent while running with the same input, otherwise
 *   `ExecutionAlreadyExists` for 90 days after the execution closed, a generated name when none is
 *   given;
 * - durability: every started execution is written under DATA_DIR before `StartExecution`
 *   answers, and kept after it closes (its name stays taken); on start-up every unfinished one is
 *   run again from its input. The workflow's tasks read their step from the database and are safe
 *   to repeat, so a re-run resumes where the data stands; tokens of the previous process belong to
 *   tasks that are closed (`TaskTimedOut`).
 *
 * What the local runtime cannot play is refused when the definition is loaded, with the reason
 * (see {@link assertLocallySupported}), never run differently.
 */

export type TaskInvoker = (functionArn: string, payload: unknown) => Promise<unknown>;

export type ExecutionStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT";

interface ExecutionRecord {
  readonly executionArn: string;
  readonly name: string;
  readonly input: unknown;
  status: ExecutionStatus;
  readonly startDate: string;
  stopDate?: string;
  output?: unknown;
  /** Absent when the failure carried no error name (a `SendTaskFailure` without one). */
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
  /** Events the execution's history holds by AWS's count (the 25,000 limit applies to these). */
  historyEvents: number;
}

export interface LocalStepFunctionsOptions {
  readonly stateMachineName?: string;
  /** The function's own timeout (its `Timeout` in the template), by function ARN. */
  readonly functionTimeoutSeconds?: (functionArn: string) => number | undefined;
  /** Where failures and loud warnings go (default: stderr). */
  readonly log?: (line: string) => void;
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

/**
 * An error a state reports (a task's failure, a callback's `SendTaskFailure`, a timeout): its
 * name and cause are exactly what a `Catch` sees as `Error` and `Cause`, null when AWS has none.
 * `isRetryable`/`isCatchable` are read by the engine (false for `States.Runtime`, as in AWS).
 */
export class StateError extends Error {
  readonly isRetryable: boolean;
  readonly isCatchable: boolean;
  constructor(name: string | null, cause: string | null, terminal = false) {
    super();
    Object.defineProperty(this, "name", { value: name, enumerable: false, writable: true });
    Object.defineProperty(this, "message", { value: cause, enumerable: false, writable: true });
    this.isRetryable = !terminal;
    this.isCatchable = !terminal;
  }
}

const TOKEN_PLACEHOLDER = "__LOCAL_TASK_TOKEN__";
const LOCAL_TIMEOUT_FIELD = "__localTimeoutSeconds";
/** A token this runtime issued: 32 random bytes, then the execution's name. */
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}\.(.{1,80})$/;
const MAX_TIMER_MS = 2_147_483_000;
/** AWS limits (Step Functions service quotas). */
const MAX_PAYLOAD_BYTES = 256 * 1024;
const MAX_HISTORY_EVENTS = 25_000;
/** A Standard execution's longest run. */
const MAX_EXECUTION_SECONDS = 365 * 86_400;
/** A closed execution's name cannot be used again for 90 days. */
const NAME_REUSE_MS = 90 * 86_400_000;
/** What `StartExecution` accepts as a name (1–80 characters, none of these). */
const INVALID_NAME_CHARACTERS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;
const isControlCharacter = (c: string) => {
  const code = c.codePointAt(0) ?? 0;
  return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
};
const isValidName = (name: string) =>
  name.length >= 1 &&
  name.length <= 80 &&
  !INVALID_NAME_CHARACTERS.test(name) &&
  ![...name].some(isControlCharacter);

function assertPayloadSize(value: unknown, message: string): void {
  if (Buffer.byteLength(JSON.stringify(value ?? null), "utf8") > MAX_PAYLOAD_BYTES) {
    throw new StateError("States.DataLimitExceeded", message);
  }
}

type StateDef = Record<string, unknown>;

const LAMBDA_INVOKE = /^arn:aws[\w-]*:states:::lambda:invoke(\.waitForTaskToken)?$/;

/**
 * Refuses, with the reason, a definition using what the local runtime does not play, so that it
 * fails at start instead of running differently from AWS.
 */
export function assertLocallySupported(definition: StateDef): void {
  const problems: string[] = [];
  const refuse = (where: string, what: string) => problems.push(`${where}: ${what}`);
  if (definition.QueryLanguage === "JSONata") refuse("the state machine", "JSONata is not supported locally");
  const visit = (machine: StateDef, path: string) => {
    const states = machine.States;
    if (typeof states !== "object" || states === null) {
      refuse(path, "no States");
      return;
    }
    for (const [name, state] of Object.entries(states as Record<string, StateDef>)) {
      const where = `${path}${name}`;
      for (const field of ["QueryLanguage", "Arguments", "Output", "Assign", "Credentials"]) {
        if (field in state) refuse(where, `${field} is not supported locally`);
      }
      if (state.Type === "Task") {
        if (typeof state.Resource !== "string" || !LAMBDA_INVOKE.test(state.Resource)) {
          refuse(
            where,
            `only arn:aws:states:::lambda:invoke and lambda:invoke.waitForTaskToken tasks run locally, not ${String(state.Resource)}`,
          );
        }
        if ("HeartbeatSeconds" in state || "HeartbeatSecondsPath" in state) {
          refuse(where, "task heartbeats (HeartbeatSeconds) are not played locally");
        }
      }
      if (state.Type === "Map") {
        for (const field of [
          "ItemReader",
          "ResultWriter",
          "ItemBatcher",
          "ToleratedFailurePercentage",
          "ToleratedFailurePercentagePath",
          "ToleratedFailureCount",
          "ToleratedFailureCountPath",
        ]) {
          if (field in state) refuse(where, `${field} (a distributed Map) is not supported locally`);
        }
        const processor = (state.ItemProcessor ?? state.Iterator) as StateDef | undefined;
        const mode = (processor?.ProcessorConfig as StateDef | undefined)?.Mode;
        if (mode === "DISTRIBUTED") refuse(where, "a distributed Map is not supported locally");
        if (processor) visit(processor, `${where} > `);
      }
      for (const [i, branch] of ((state.Branches as StateDef[] | undefined) ?? []).entries()) {
        visit(branch, `${where}[${i}] > `);
      }
    }
  };
  visit(definition, "");
  if (problems.length > 0) {
    throw new Error(
      `The state machine uses what the local runtime cannot play as AWS does:\n- ${problems.join("\n- ")}`,
    );
  }
}

/** Rewrites a copy of the definition for the local engine (see the header comment). */
export function localDefinition(definition: StateDef): {
  definition: StateDef;
  callbackStates: Set<string>;
  taskStates: Set<string>;
  executionTimeoutSeconds: number;
} {
  assertLocallySupported(definition);
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
        // The adapter times the task (the engine has no timer without these fields).
        const parameters = (state.Parameters ?? {}) as StateDef;
        if (typeof state.TimeoutSecondsPath === "string") {
          parameters[`${LOCAL_TIMEOUT_FIELD}.$`] = state.TimeoutSecondsPath;
        } else if (typeof state.TimeoutSeconds === "number") {
          parameters[LOCAL_TIMEOUT_FIELD] = state.TimeoutSeconds;
        }
        state.Parameters = parameters;
        delete state.TimeoutSecondsPath;
        delete state.TimeoutSeconds;
      }
      const processor = (state.ItemProcessor ?? state.Iterator) as StateDef | undefined;
      if (processor) visit(processor);
      for (const branch of (state.Branches as StateDef[] | undefined) ?? []) visit(branch);
    }
  };
  visit(copy);
  // The execution's timeout runs from its start date (also across restarts), so the adapter keeps it.
  const executionTimeoutSeconds =
    typeof copy.TimeoutSeconds === "number" ? copy.TimeoutSeconds : MAX_EXECUTION_SECONDS;
  delete copy.TimeoutSeconds;
  return { definition: copy, callbackStates, taskStates, executionTimeoutSeconds };
}

/** The engine's version: a newer engine validates the same definition afresh. */
const ENGINE_VERSION = engineVersion();

function engineVersion(): string {
  // The package exports no `package.json`: find its folder from its entry point.
  const entry = createRequire(import.meta.url).resolve("aws-local-stepfunctions");
  const folder = entry.slice(
    0,
    entry.lastIndexOf("aws-local-stepfunctions") + "aws-local-stepfunctions".length,
  );
  const manifest: unknown = JSON.parse(readFileSync(join(folder, "package.json"), "utf8"));
  return typeof manifest === "object" && manifest !== null && "version" in manifest
    ? String(manifest.version)
    : "unknown";
}

/**
 * Validates a definition with the engine's checker (its JSON schema compiled with ajv: about 1.2 s
 * of CPU) unless this machine has validated the very same definition with the same engine before —
 * every restart, test file and bench phase starts the same state machine. A marker file under the
 * cache directory, named by the SHA-256 of the definition and the engine's version, is written only
 * after the definition passed; an invalid one is refused every time, as before.
 */
function validateOnce(definition: StateDef): void {
  const key = createHash("sha256")
    .update(`${ENGINE_VERSION}\n${JSON.stringify(definition)}`)
    .digest("hex");
  const dir = join(cacheDirectory(), "validated-definitions");
  const marker = join(dir, key);
  if (existsSync(marker)) return;
  new StateMachine(definition as never, {
    validationOptions: { checkArn: false, checkPaths: false },
  });
  mkdirSync(dir, { recursive: true });
  writeFileSync(marker, "");
}

function replaceDeep(value: unknown, from: string, to: string): unknown {
  if (value === from) return to;
  if (Array.isArray(value)) return value.map((v) => replaceDeep(v, from, to));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceDeep(v, from, to)]));
  }
  return value;
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

/** A function's error as Step Functions reports it: its type, and Lambda's error payload as the cause. */
function functionError(error: unknown): StateError {
  if (error instanceof StateError) return error;
  const name = error instanceof Error ? error.name : "Error";
  const message = error instanceof Error ? error.message : String(error);
  // Lambda's payload of a timed-out invocation has no trace.
  const trace =
    error instanceof Error && !(error instanceof FunctionTimeoutError)
      ? (error.stack ?? "").split("\n")
      : undefined;
  return new StateError(
    name,
    JSON.stringify({ errorType: name, errorMessage: message, ...(trace ? { trace } : {}) }),
  );
}

type EngineEvent = { type: string; state?: { name: string; type: string } };

/**
 * How many events AWS records in the execution history for one of the engine's events: a Lambda
 * task is entered, scheduled, started, succeeds and is exited (5; a callback task is submitted too,
 * 6), a retry schedules and starts it again, a Map state is entered, started, succeeds and exited
 * around its iterations' own events.
 */
function historyEventsOf(event: EngineEvent, callbackStates: ReadonlySet<string>): number {
  const type = event.state?.type;
  const callback = event.state ? callbackStates.has(event.state.name) : false;
  switch (event.type) {
    case "ExecutionStarted":
    case "ExecutionSucceeded":
    case "ExecutionFailed":
    case "MapIterationStarted":
    case "MapIterationSucceeded":
    case "MapIterationFailed":
    case "StateCaught":
      return 1;
    case "StateEntered":
      return type === "Task" ? (callback ? 4 : 3) : type === "Map" || type === "Parallel" ? 2 : 1;
    case "StateExited":
      return type === "Task" || type === "Map" || type === "Parallel" ? 2 : 1;
    case "StateFailed":
      return type === "Task" || type === "Map" || type === "Parallel" ? 1 : 0;
    case "StateRetried":
      return type === "Task" ? (callback ? 3 : 2) : 1;
    default:
      return 0;
  }
}

export class LocalStepFunctions {
  readonly stateMachineArn: string;
  private readonly engineDefinition: StateDef;
  private readonly callbackStates: Set<string>;
  private readonly taskStates: Set<string>;
  private readonly executionTimeoutSeconds: number;
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly aborts = new Map<string, () => void>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly waiters = new Map<string, Waiter>();
  private readonly spentTokens = new Set<string>();
  private readonly timers = new Set<() => void>();
  private readonly counters = new Map<string, ExecutionCounters>();
  private readonly log: (line: string) => void;
  private stopping = false;

  constructor(
    definition: StateDef,
    private readonly invoke: TaskInvoker,
    private readonly dir: string | undefined,
    private readonly options: LocalStepFunctionsOptions = {},
  ) {
    this.stateMachineArn = `arn:aws:states:local:000000000000:stateMachine:${options.stateMachineName ?? "inspection"}`;
    const local = localDefinition(definition);
    this.engineDefinition = local.definition;
    this.callbackStates = local.callbackStates;
    this.taskStates = local.taskStates;
    this.executionTimeoutSeconds = local.executionTimeoutSeconds;
    // Validated here, not per execution; each execution then starts from the checked definition.
    validateOnce(this.engineDefinition);
    this.log = options.log ?? ((line) => console.error(line));
    if (dir) mkdirSync(dir, { recursive: true });
  }

  /**
   * Reads every execution kept on disk (their names stay taken) and runs again every one that had
   * not finished when the previous process stopped; closed ones past the 90 days are forgotten.
   */
  resumePersisted(): number {
    if (!this.dir) return 0;
    let resumed = 0;
    for (const file of readdirSync(this.dir).filter((f) => f.endsWith(".json"))) {
      const record: ExecutionRecord = JSON.parse(readFileSync(join(this.dir, file), "utf8"));
      if (record.stopDate && Date.now() - Date.parse(record.stopDate) > NAME_REUSE_MS) {
        rmSync(join(this.dir, file), { force: true });
        continue;
      }
      this.executions.set(record.name, record);
      if (record.status === "RUNNING") {
        this.run(record);
        resumed++;
      }
    }
    return resumed;
  }

  /** StartExecution: `name` optional (a UUID is generated), idempotent while the execution runs. */
  startExecution(name: string | undefined, input: unknown): { executionArn: string; startDate: string } {
    if (this.stopping)
      throw new StepFunctionsError("ServiceUnavailable", "The local runtime is shutting down");
    const executionName = name ?? randomUUID();
    if (!isValidName(executionName)) {
      throw new StepFunctionsError("InvalidName", `Invalid Name: '${executionName}'`);
    }
    const existing = this.executions.get(executionName);
    if (existing) {
      if (existing.status === "RUNNING" && JSON.stringify(existing.input) === JSON.stringify(input)) {
        return { executionArn: existing.executionArn, startDate: existing.startDate };
      }
      throw new StepFunctionsError(
        "ExecutionAlreadyExists",
        `Execution Already Exists: '${existing.executionArn}'`,
      );
    }
    const record: ExecutionRecord = {
      executionArn: `${this.stateMachineArn.replace(":stateMachine:", ":execution:")}:${executionName}`,
      name: executionName,
      input,
      status: "RUNNING",
      startDate: new Date().toISOString(),
    };
    this.executions.set(executionName, record);
    this.persist(record);
    this.run(record);
    return { executionArn: record.executionArn, startDate: record.startDate };
  }

  describeExecution(executionArn: string): Readonly<ExecutionRecord> {
    const record = [...this.executions.values()].find((e) => e.executionArn === executionArn);
    if (!record)
      throw new StepFunctionsError("ExecutionDoesNotExist", `Execution Does Not Exist: '${executionArn}'`);
    return record;
  }

  sendTaskSuccess(taskToken: string, output: string): void {
    if (Buffer.byteLength(output, "utf8") > MAX_PAYLOAD_BYTES) {
      throw new StepFunctionsError("InvalidOutput", "The output is over the 256 KiB limit");
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(output);
    } catch {
      this.waiterFor(taskToken); // an invalid token is reported first
      throw new StepFunctionsError("InvalidOutput", "Invalid Output: the output is not valid JSON");
    }
    this.takeWaiter(taskToken).resolve(parsed);
  }

  /** SendTaskFailure: without `error` or `cause` the task fails with null ones, as in AWS. */
  sendTaskFailure(taskToken: string, error: string | undefined, cause: string | undefined): void {
    this.takeWaiter(taskToken).reject(new StateError(error ?? null, cause ?? null));
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
        historyEvents: 0,
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

  /** The live task of a token; `InvalidToken` for what is no token, `TaskTimedOut` for a closed task. */
  private waiterFor(taskToken: string): Waiter {
    const waiter = this.waiters.get(taskToken);
    if (waiter) return waiter;
    const execution = TOKEN_FORMAT.exec(taskToken)?.[1];
    if (!execution) throw new StepFunctionsError("InvalidToken", "Invalid token");
    if (this.spentTokens.has(taskToken) || this.executions.has(execution)) {
      throw new StepFunctionsError("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'");
    }
    throw new StepFunctionsError("TaskDoesNotExist", "Task Does Not Exist: 'Provided task does not exist'");
  }

  private takeWaiter(taskToken: string): Waiter {
    const waiter = this.waiterFor(taskToken);
    this.waiters.delete(taskToken);
    this.spentTokens.add(taskToken);
    return waiter;
  }

  private persist(record: ExecutionRecord): void {
    if (!this.dir) return;
    const file = join(this.dir, `${encodeURIComponent(record.name)}.json`);
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, JSON.stringify(record));
    renameSync(tmp, file);
  }

  private close(
    record: ExecutionRecord,
    status: Exclude<ExecutionStatus, "RUNNING">,
    end: Partial<ExecutionRecord>,
  ) {
    if (record.status !== "RUNNING") return false;
    record.status = status;
    record.stopDate = new Date().toISOString();
    if (end.output !== undefined) record.output = end.output;
    if (typeof end.error === "string") record.error = end.error;
    if (typeof end.cause === "string") record.cause = end.cause;
    this.persist(record);
    return true;
  }

  private run(record: ExecutionRecord): void {
    const machine = new StateMachine(this.engineDefinition as never, {
      validationOptions: { noValidate: true },
    });
    const handlers: Record<
      string,
      (input: unknown, options: { abortSignal: AbortSignal }) => Promise<unknown>
    > = {};
    for (const state of this.taskStates) {
      handlers[state] = (input, { abortSignal }) => this.runTask(record.name, state, input, abortSignal);
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
    // The execution's own timeout (else the one-year maximum), from its start date.
    const left = Date.parse(record.startDate) + this.executionTimeoutSeconds * 1000 - Date.now();
    const cancelTimeout = longTimer(Math.max(0, left), () => {
      this.timers.delete(cancelTimeout);
      if (this.close(record, "TIMED_OUT", { error: "States.Timeout" })) execution.abort();
    });
    this.timers.add(cancelTimeout);
    // Drain the event log (so it does not accumulate in memory), count the history as AWS does and
    // enforce its limit: the failure is the 25,000th event.
    const counters = this.executionCounters(record.name);
    void (async () => {
      for await (const event of execution.eventLogs) {
        counters.historyEvents += historyEventsOf(event as EngineEvent, this.callbackStates);
        if (event.type === "StateEntered") {
          counters.stateTransitions++;
          counters.statesEntered[event.state.name] = (counters.statesEntered[event.state.name] ?? 0) + 1;
        } else if (event.type === "StateRetried") counters.retries++;
        if (counters.historyEvents >= MAX_HISTORY_EVENTS - 1 && record.status === "RUNNING") {
          this.close(record, "FAILED", {
            error: "States.Runtime",
            cause: `The execution reached the maximum number of history events (${MAX_HISTORY_EVENTS}).`,
          });
          this.log(`[local-sfn] execution ${record.name} failed: ${record.error}: ${record.cause}`);
          execution.abort();
          return;
        }
      }
    })().catch(() => undefined);
    this.aborts.set(record.name, execution.abort);
    const done = execution.result.then(
      (result) => {
        if (result === null && (this.stopping || record.status !== "RUNNING")) return; // aborted
        this.close(record, "SUCCEEDED", { output: result });
      },
      (error: unknown) => {
        if (error instanceof ExecutionAbortedError || this.stopping) return;
        const cause = error instanceof ExecutionError && error.cause instanceof Error ? error.cause : error;
        const name: unknown = cause instanceof Error ? cause.name : "Error";
        const message: unknown = cause instanceof Error ? cause.message : String(cause);
        if (
          this.close(record, "FAILED", {
            ...(typeof name === "string" ? { error: name } : {}),
            ...(typeof message === "string" ? { cause: message } : {}),
          })
        ) {
          this.log(`[local-sfn] execution ${record.name} failed: ${String(name)}: ${String(message)}`);
        }
      },
    );
    const tracked = done.finally(() => {
      cancelTimeout();
      this.timers.delete(cancelTimeout);
      if (this.running.get(record.name) === tracked) {
        this.running.delete(record.name);
        this.aborts.delete(record.name);
      }
    });
    this.running.set(record.name, tracked);
  }

  private async runTask(
    executionName: string,
    state: string,
    rawInput: unknown,
    abortSignal: AbortSignal,
  ): Promise<unknown> {
    const input = (typeof rawInput === "object" && rawInput !== null ? { ...rawInput } : {}) as Record<
      string,
      unknown
    >;
    const timeoutSeconds = input[LOCAL_TIMEOUT_FIELD];
    delete input[LOCAL_TIMEOUT_FIELD];
    if (
      timeoutSeconds !== undefined &&
      !(typeof timeoutSeconds === "number" && Number.isInteger(timeoutSeconds) && timeoutSeconds >= 1)
    ) {
      throw new StateError(
        "States.Runtime",
        `The TimeoutSecondsPath of state '${state}' selected ${JSON.stringify(timeoutSeconds)}, not a positive integer`,
        true,
      );
    }
    const functionArn = String(input.FunctionName ?? "");
    assertPayloadSize(
      input,
      `The state/task '${state}' has an input with a size exceeding the maximum number of bytes service limit.`,
    );
    const counters = this.executionCounters(executionName);
    const callback = this.callbackStates.has(state);
    const token = callback ? `${randomBytes(32).toString("base64url")}.${executionName}` : undefined;

    // The task ends with its result, its error, its timeout, or when the engine abandons it.
    let settle!: { resolve(value: unknown): void; reject(error: Error): void };
    const outcome = new Promise<unknown>((resolve, reject) => {
      settle = { resolve, reject };
    });
    outcome.catch(() => {});
    const closeToken = () => {
      if (!token) return;
      this.waiters.delete(token);
      this.spentTokens.add(token);
    };
    if (token) this.waiters.set(token, { executionName, ...settle });
    const cleanups: (() => void)[] = [];
    if (typeof timeoutSeconds === "number") {
      const cancel = longTimer(timeoutSeconds * 1000, () => {
        closeToken();
        settle.reject(new StateError("States.Timeout", ""));
      });
      this.timers.add(cancel);
      cleanups.push(() => {
        cancel();
        this.timers.delete(cancel);
      });
    }
    const onAbort = () => {
      closeToken();
      settle.reject(
        new StateError("States.Runtime", "The task was abandoned (execution or Map iteration aborted)"),
      );
    };
    if (abortSignal.aborted) onAbort();
    abortSignal.addEventListener("abort", onAbort, { once: true });
    cleanups.push(() => abortSignal.removeEventListener("abort", onAbort));

    counters.taskInvocations++;
    const invokedAt = performance.now();
    const payload = token
      ? replaceDeep(input.Payload ?? {}, TOKEN_PLACEHOLDER, token)
      : (input.Payload ?? {});
    const invocation = callWithFunctionTimeout(
      () => this.invoke(functionArn, payload),
      this.options.functionTimeoutSeconds?.(functionArn),
      (seconds) =>
        this.log(
          `[local-sfn] function ${functionArn} timed out after ${seconds} s in state ${state}; locally its handler runs on to completion (Lambda stops it)`,
        ),
    ).finally(() => {
      const ms = performance.now() - invokedAt;
      counters.taskDurationMs += ms;
      counters.taskBilledMs += Math.max(1, Math.ceil(ms));
    });
    invocation.then(
      (result) => {
        if (token) return; // the callback's own result arrives through SendTask*
        try {
          assertPayloadSize(
            result,
            `The state/task '${state}' returned a result with a size exceeding the maximum number of bytes service limit.`,
          );
          settle.resolve({ ExecutedVersion: "$LATEST", Payload: result ?? null, StatusCode: 200 });
        } catch (error) {
          settle.reject(error as Error);
        }
      },
      (error: unknown) => {
        closeToken();
        settle.reject(functionError(error));
      },
    );
    try {
      return await outcome;
    } finally {
      closeToken();
      for (const cleanup of cleanups) cleanup();
    }
  }
}
