import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Context } from "aws-lambda";
import { createApiGateway, type HttpHandler } from "./api-gateway";
import { startStepFunctionsEndpoint } from "./aws-endpoint";
import {
  type ConcurrencyLimits,
  type ConcurrencyStats,
  LocalConcurrency,
  localConcurrencyLimits,
} from "./concurrency";
import { createConsoleHandler } from "./console";
import {
  type DynamoDbLocal,
  ensureTable,
  type LaunchedDynamoDbLocal,
  launchDynamoDbLocal,
  startDynamoDbLocal,
} from "./dynamodb-local";
import { LocalQueue } from "./failure-queue";
import { type LocalIdentity, startLocalIdentity } from "./identity";
import { tokenVerifier } from "./jwt";
import { callWithFunctionTimeout } from "./lambda-timeout";
import { createLocalObjectStore, type LocalObjectStore } from "./object-store";
import { LocalStepFunctions } from "./step-functions";
import { LocalTableStream } from "./table-stream";
import { LOCAL_LAMBDA_ARN_PREFIX, type LocalFunction, readSystem } from "./template";
import { loadCloudTemplate } from "./template-cache";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const LOCAL_TABLE_NAME = "spot-inspections";

export interface LocalSystemOptions {
  /** HTTP port; 0 picks a free one. */
  readonly port: number;
  /** Where DynamoDB Local's files, the JWT signing key and unfinished executions are kept. */
  readonly dataDir: string;
  /** Keep the database in memory (tests); the signing key still lives in dataDir. */
  readonly inMemory?: boolean;
  readonly host?: string;
  readonly log?: (line: string) => void;
  /** Import every handler in the background once the server answers (`npm start`); else on first use. */
  readonly warmUp?: boolean;
  /**
   * DynamoDB Local launched already on `dataDir/dynamodb` (`npm start` launches the JVM before it
   * loads this module, so that it boots meanwhile); else it is launched here.
   */
  readonly dynamoDbLocal?: LaunchedDynamoDbLocal;
  /**
   * The table's name in DynamoDB Local. The test files share one DynamoDB Local (started once per
   * run, test/support/global-setup.ts), each with a table of its own.
   * @default LOCAL_TABLE_NAME
   */
  readonly tableName?: string;
  /**
   * The local account concurrency and the route invocations' bounded wait (lib/local/concurrency.ts).
   * @default localConcurrencyLimits() — 24 at once, `LOCAL_CONCURRENCY` if set
   */
  readonly concurrency?: ConcurrencyLimits;
}

/** How the gateway's route invocations fared under load (lib/local/concurrency.ts). */
export interface OverloadStats extends ConcurrencyStats {
  /** Route invocations that ran past their function's timeout (answered 500, as Lambda's timeout is). */
  readonly timedOut: number;
  /**
   * The longest a route invocation took at the gateway, from its arrival at the concurrency limit to its
   * answer: the wait for a slot, the function's first import (init) and the invocation (ms).
   */
  readonly longestAtGatewayMs: number;
  /** The admitted route invocation that ran longest against its function's timeout (ms). */
  readonly longestRoute: {
    readonly functionLogicalId: string;
    readonly ms: number;
    readonly timeoutMs: number;
  } | null;
}

export interface LocalSystem {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly stepFunctions: LocalStepFunctions;
  /** The table's change stream feeding each of its consumer functions (the change relay). */
  readonly tableStreams: readonly LocalTableStream[];
  readonly dynamoEndpoint: string;
  /** The stack's table in DynamoDB Local (`LOCAL_TABLE_NAME` unless the options name another). */
  readonly tableName: string;
  /** The local S3-compatible store of the stack's buckets (evidence uploads) and its upload events. */
  readonly objectStore: LocalObjectStore;
  /** The local user pool (Cognito's API): sign-in, and the people routes' admin calls. */
  readonly identity: LocalIdentity;
  /**
   * Resolves once every handler module is imported (they load on first use, or in the background
   * with `warmUp`), with the milliseconds from the start's call.
   */
  handlersLoaded(): Promise<number>;
  /** Where the start-up's time went (see {@link StartupTimings}). */
  readonly startup: StartupTimings;
  /** The stack's queue receiving the change relay's discarded batches (its depth is in `/health`). */
  readonly relayFailures: readonly LocalQueue[];
  /** Route invocations admitted, shed (429) and timed out so far. */
  overloadStats(): OverloadStats;
  stop(): Promise<void>;
}

/**
 * Milliseconds of each start-up step. DynamoDB Local boots alongside the template, the in-process
 * services and the handler imports, so the steps overlap: `readyMs` is the whole, from the call.
 */
export interface StartupTimings {
  /** From the process's start to this call (Node, tsx and this module's imports). */
  readonly beforeCallMs: number;
  readonly readyMs: number;
  /** The template came from the cache (`template-cache.ts`) rather than a synth. */
  readonly templateCached: boolean;
  readonly steps: Readonly<Record<string, number>>;
  /** Unfinished workflow executions picked up from DATA_DIR. */
  readonly resumedExecutions: number;
  /** CPU time of this Node process at ready (user + system; DynamoDB Local's JVM not included). */
  readonly cpuMs: number;
}

type AnyHandler = (event: unknown, context: Context) => Promise<unknown>;

function lambdaContext(fn: LocalFunction): Context {
  const deadline = Date.now() + fn.timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.logicalId,
    functionVersion: "$LATEST",
    invokedFunctionArn: `${LOCAL_LAMBDA_ARN_PREFIX}${fn.logicalId}`,
    memoryLimitInMB: "256",
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${fn.logicalId}`,
    logStreamName: "local",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Starts the whole system on this machine from the CDK app's own definitions: DynamoDB Local with
 * the stack's table and its change stream, the stack's state machine on the local engine, the
 * stream's consumer (the change relay) fed by a poller, and the stack's HTTP routes in front of the
 * same handler modules Lambda runs. Handlers read their configuration at import, so a
 * process hosts one local system at a time.
 */
export async function startLocalSystem(options: LocalSystemOptions): Promise<LocalSystem> {
  const log = options.log ?? (() => undefined);
  const dataDir = resolve(options.dataDir);
  const calledAt = performance.now();
  const steps: Record<string, number> = {};
  const timed = async <T>(step: string, work: Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work;
    } finally {
      steps[step] = Math.round(performance.now() - started);
    }
  };

  // DynamoDB Local (a JVM: seconds) first; the template, the in-process services and the handler
  // imports run while it boots, and only the table waits for it.
  const tableName = options.tableName ?? LOCAL_TABLE_NAME;
  const launched =
    options.dynamoDbLocal ??
    (await launchDynamoDbLocal(options.inMemory ? {} : { dataDir: join(dataDir, "dynamodb") }));
  const dynamoEndpoint = launched.endpoint;
  const dynamoStarting = startDynamoDbLocal({ launched }).then((db) => {
    steps.dynamodb = Math.round(performance.now() - launched.launchedAt);
    return db;
  });
  dynamoStarting.catch(() => undefined); // awaited below; a failure meanwhile is not unhandled
  let dynamo: DynamoDbLocal | undefined;
  const started: { stop(): Promise<void> }[] = [];
  try {
    const loaded = await timed("template", loadCloudTemplate());
    const system = readSystem(loaded.template);

    // Each handler module is imported on its function's first invocation, as Lambda initialises a
    // function on its first request (its init, like Lambda's, before the invocation's own timeout
    // starts). `warmUp` imports them all in the background once the server answers.
    const handlers = new Map<string, Promise<AnyHandler>>();
    const loadHandler = (fn: LocalFunction): Promise<AnyHandler> => {
      let loading = handlers.get(fn.logicalId);
      if (!loading) {
        loading = import(pathToFileURL(join(ROOT, "lambdas", "handlers", `${fn.handler}.ts`)).href).then(
          (module: { handler?: unknown }) => {
            if (typeof module.handler !== "function")
              throw new Error(`lambdas/handlers/${fn.handler}.ts exports no handler`);
            return module.handler as AnyHandler;
          },
        );
        // A failed init is tried again on the next invocation, as Lambda does.
        loading.catch(() => handlers.delete(fn.logicalId));
        handlers.set(fn.logicalId, loading);
      }
      return loading;
    };
    // Every invocation holds one of the process's slots while it runs (lib/local/concurrency.ts);
    // only the gateway's route invocations wait for one, or are shed.
    const concurrency = new LocalConcurrency(
      options.concurrency ?? localConcurrencyLimits(),
      (logicalId) => system.functions.get(logicalId)?.reservedConcurrency,
    );
    const functionNamed = (logicalId: string) => {
      const fn = system.functions.get(logicalId);
      if (!fn) throw new Error(`No local function ${logicalId}`);
      return fn;
    };
    const invokeFunction = (logicalId: string, event: unknown) =>
      concurrency.run(logicalId, async () => {
        const fn = functionNamed(logicalId);
        const handler = await loadHandler(fn);
        return handler(event, lambdaContext(fn));
      });
    let routeTimeouts = 0;
    let longestRoute: OverloadStats["longestRoute"] = null;
    let longestAtGatewayMs = 0;
    // A route invocation: a slot first (else 429), then the function's init (outside its timeout, as
    // Lambda's init is), then the invocation within the function's timeout, as Lambda enforces it.
    const invokeRoute = async (logicalId: string, event: unknown): Promise<unknown> => {
      const fn = functionNamed(logicalId);
      const arrived = performance.now();
      const release = await concurrency.admit(logicalId);
      let invocation: Promise<unknown>;
      try {
        const handler = await loadHandler(fn);
        const started = performance.now();
        invocation = handler(event, lambdaContext(fn));
        const done = () => {
          const ms = Math.round(performance.now() - started);
          const timeoutMs = fn.timeoutSeconds * 1000;
          if (!longestRoute || ms / timeoutMs > longestRoute.ms / longestRoute.timeoutMs)
            longestRoute = { functionLogicalId: fn.logicalId, ms, timeoutMs };
          longestAtGatewayMs = Math.max(longestAtGatewayMs, Math.round(performance.now() - arrived));
          release();
        };
        invocation.then(done, done);
      } catch (error) {
        release();
        throw error;
      }
      return callWithFunctionTimeout(
        () => invocation,
        fn.timeoutSeconds,
        (seconds) => {
          routeTimeouts++;
          log(`${fn.logicalId} ran past its ${seconds} s timeout: answered 500, its result will be dropped`);
        },
      );
    };
    const stepFunctions = new LocalStepFunctions(
      system.stateMachine.definition,
      (arn, payload) => invokeFunction(arn.slice(LOCAL_LAMBDA_ARN_PREFIX.length), payload),
      options.inMemory ? undefined : join(dataDir, "executions"),
      {
        functionTimeoutSeconds: (arn) =>
          system.functions.get(arn.slice(LOCAL_LAMBDA_ARN_PREFIX.length))?.timeoutSeconds,
        // Failed executions are reported even when the caller keeps the rest quiet.
        ...(options.log ? { log: options.log } : {}),
      },
    );
    const servicesStarted = performance.now();
    const sfnEndpoint = await startStepFunctionsEndpoint(stepFunctions);
    started.push({ stop: () => sfnEndpoint.close() });
    const credentials = { accessKeyId: "local", secretAccessKey: "local" };
    let consoleOrigins: readonly string[] = [];
    const identity = await startLocalIdentity({
      dataDir,
      passwordPolicy: system.userPool.passwordPolicy,
      tokens: system.userPool.tokens,
      groups: system.userPool.groups,
      adminAccessKeyId: credentials.accessKeyId,
      allowedOrigins: () => consoleOrigins,
      ...(options.host ? { host: options.host } : {}),
    });
    const objectStore = await createLocalObjectStore({
      dataDir,
      buckets: system.buckets,
      credentials,
      invoke: invokeFunction,
      log,
      ...(options.host ? { host: options.host } : {}),
    });
    started.push(identity, objectStore);
    steps.services = Math.round(performance.now() - servicesStarted);

    // The functions' environment from the template, with references resolved to the local parts.
    const refs: Record<string, string> = {
      [system.table.logicalId]: tableName,
      [system.stateMachine.logicalId]: stepFunctions.stateMachineArn,
      ...Object.fromEntries(system.buckets.map((b) => [b.logicalId, b.name])),
      [system.userPool.userPoolLogicalId]: identity.userPoolId,
      [system.userPool.clientLogicalId]: identity.clientId,
    };
    Object.assign(process.env, {
      AWS_REGION: "local",
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      DYNAMODB_ENDPOINT: dynamoEndpoint,
      SFN_ENDPOINT: sfnEndpoint.endpoint,
      S3_ENDPOINT: objectStore.endpoint,
      COGNITO_ENDPOINT: identity.endpoint,
      POWERTOOLS_DEV: "true",
    });
    for (const fn of system.functions.values()) {
      for (const [name, value] of Object.entries(fn.environment)) {
        if (typeof value === "string") process.env[name] = value;
        else {
          const ref =
            typeof value === "object" && value !== null && "Ref" in value ? String(value.Ref) : undefined;
          if (ref && refs[ref]) process.env[name] = refs[ref];
        }
      }
    }
    process.env.POWERTOOLS_LOG_LEVEL = process.env.LOG_LEVEL ?? "WARN";

    const db = await dynamoStarting;
    dynamo = db;
    await timed("table", ensureTable(db.client, tableName, system.table.properties));

    const verify = tokenVerifier(identity.jwksUrl, identity.issuer, identity.clientId);
    await verify.loadKeys();
    // The stream mappings' on-failure queues, kept under DATA_DIR like the rest.
    const failureQueues = new Map<string, LocalQueue>();
    for (const consumer of system.streamConsumers) {
      const target = consumer.onFailure;
      if (!target || failureQueues.has(target.queueLogicalId)) continue;
      const file = options.inMemory ? undefined : join(dataDir, "queues", `${target.queueLogicalId}.jsonl`);
      failureQueues.set(
        target.queueLogicalId,
        new LocalQueue(target.queueLogicalId, target.retentionSeconds, file),
      );
    }
    const relayFailures = [...failureQueues.values()];

    const server: Server = createApiGateway({
      routes: system.routes,
      verify,
      healthDetails: () => ({ relayFailures: relayFailures.reduce((n, q) => n + q.depth, 0) }),
      handlerFor: (route) => ((event) => invokeRoute(route.functionLogicalId, event)) as HttpHandler,
      fallback: createConsoleHandler({
        origins: [objectStore.endpoint, identity.endpoint],
        config: {
          mode: "local",
          apiUrl: "",
          signIn: {
            endpoint: identity.endpoint,
            clientId: identity.clientId,
            userPoolId: identity.userPoolId,
          },
        },
      }),
    });
    const listening = performance.now();
    await new Promise<void>((resolveListen, reject) => {
      server.once("error", reject);
      server.listen(options.port, options.host, () => resolveListen());
    });
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : options.port;
    // The bucket's CORS rules and the sign-in API, granted to the console this server serves.
    consoleOrigins = [`http://localhost:${port}`, `http://127.0.0.1:${port}`];
    await objectStore.start(consoleOrigins);
    steps.listen = Math.round(performance.now() - listening);

    const timeoutOf = (logicalId: string) => system.functions.get(logicalId)?.timeoutSeconds;
    const tableStreams = system.streamConsumers.map(
      (consumer, i) =>
        new LocalTableStream({
          dynamo: db.client,
          endpoint: db.endpoint,
          tableName,
          consumer,
          invoke: (event) => invokeFunction(consumer.functionLogicalId, event),
          functionArn: `${LOCAL_LAMBDA_ARN_PREFIX}${consumer.functionLogicalId}`,
          ...(timeoutOf(consumer.functionLogicalId)
            ? { functionTimeoutSeconds: timeoutOf(consumer.functionLogicalId) }
            : {}),
          ...(consumer.onFailure ? { onFailure: failureQueues.get(consumer.onFailure.queueLogicalId) } : {}),
          ...(options.inMemory ? {} : { checkpointFile: join(dataDir, `stream-position-${i}.json`) }),
          log,
        }),
    );
    for (const stream of tableStreams) stream.start();

    // Every handler imported (in the background with `warmUp`, else when asked for): ms since the call.
    // One at a time: a request for a handler not loaded yet imports it at once, beside one warm-up
    // import rather than behind fifty.
    let allLoaded: Promise<number> | undefined;
    const handlersLoaded = () => {
      allLoaded ??= (async () => {
        for (const fn of system.functions.values()) {
          await loadHandler(fn);
          await new Promise((next) => setImmediate(next)); // requests in between
        }
        return Math.round(performance.now() - calledAt);
      })();
      return allLoaded;
    };
    if (options.warmUp)
      handlersLoaded().catch((error: unknown) =>
        log(`a handler failed to load: ${error instanceof Error ? error.message : String(error)}`),
      );

    const resuming = performance.now();
    const resumed = stepFunctions.resumePersisted();
    steps.resume = Math.round(performance.now() - resuming);
    if (resumed > 0) log(`resumed ${resumed} unfinished inspection workflow(s)`);

    const timers = system.schedules.map((s) => {
      const run = () =>
        invokeFunction(s.functionLogicalId, { source: "local.schedule" }).catch((error: unknown) =>
          log(
            `scheduled job ${s.functionLogicalId} failed: ${error instanceof Error ? error.message : String(error)}`,
          ),
        );
      void run();
      const timer = setInterval(run, s.everyMs);
      timer.unref();
      return timer;
    });

    let stopped: Promise<void> | undefined;
    return {
      url: `http://localhost:${port}`,
      port,
      dataDir,
      stepFunctions,
      tableStreams,
      dynamoEndpoint: db.endpoint,
      tableName,
      objectStore,
      identity,
      relayFailures,
      handlersLoaded,
      overloadStats: () => ({
        ...concurrency.stats(),
        timedOut: routeTimeouts,
        longestAtGatewayMs,
        longestRoute,
      }),
      startup: {
        beforeCallMs: Math.round(calledAt),
        readyMs: Math.round(performance.now() - calledAt),
        templateCached: loaded.cached,
        steps,
        resumedExecutions: resumed,
        cpuMs: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000),
      },
      stop() {
        stopped ??= (async () => {
          for (const t of timers) clearInterval(t);
          await new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
          });
          await objectStore.stop();
          await identity.stop();
          await Promise.all(tableStreams.map((t) => t.stop()));
          await stepFunctions.stop();
          await sfnEndpoint.close();
          await db.stop();
        })();
        return stopped;
      },
    };
  } catch (error) {
    for (const part of started.reverse()) await part.stop().catch(() => undefined);
    await (dynamo ?? (await dynamoStarting.catch(() => undefined)))?.stop();
    await launched.stop();
    throw error;
  }
}
