import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Context } from "aws-lambda";
import { createApiGateway, type HttpHandler } from "./api-gateway";
import { startStepFunctionsEndpoint } from "./aws-endpoint";
import { createConsoleHandler } from "./console";
import { assertJava17, ensureTable, startDynamoDbLocal } from "./dynamodb-local";
import { LocalQueue } from "./failure-queue";
import { type LocalIdentity, startLocalIdentity } from "./identity";
import { tokenVerifier } from "./jwt";
import { createLocalObjectStore, type LocalObjectStore } from "./object-store";
import { LocalStepFunctions } from "./step-functions";
import { LocalTableStream } from "./table-stream";
import { LOCAL_LAMBDA_ARN_PREFIX, type LocalFunction, readSystem, synthesizeCloudTemplate } from "./template";

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
}

export interface LocalSystem {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly stepFunctions: LocalStepFunctions;
  /** The table's change stream feeding each of its consumer functions (the change relay). */
  readonly tableStreams: readonly LocalTableStream[];
  readonly dynamoEndpoint: string;
  /** The local S3-compatible store of the stack's buckets (evidence uploads) and its upload events. */
  readonly objectStore: LocalObjectStore;
  /** The local user pool (Cognito's API): sign-in, and the people routes' admin calls. */
  readonly identity: LocalIdentity;
  /** The stack's queue receiving the change relay's discarded batches (its depth is in `/health`). */
  readonly relayFailures: readonly LocalQueue[];
  stop(): Promise<void>;
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
  assertJava17();

  const system = readSystem(synthesizeCloudTemplate());
  const dynamo = await startDynamoDbLocal(options.inMemory ? {} : { dataDir: join(dataDir, "dynamodb") });
  try {
    await ensureTable(dynamo.client, LOCAL_TABLE_NAME, system.table.properties);

    const handlers = new Map<string, AnyHandler>();
    const invokeFunction = async (logicalId: string, event: unknown) => {
      const fn = system.functions.get(logicalId);
      const handler = handlers.get(logicalId);
      if (!fn || !handler) throw new Error(`No local function ${logicalId}`);
      return handler(event, lambdaContext(fn));
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
    const sfnEndpoint = await startStepFunctionsEndpoint(stepFunctions);
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

    // The functions' environment from the template, with references resolved to the local parts.
    const refs: Record<string, string> = {
      [system.table.logicalId]: LOCAL_TABLE_NAME,
      [system.stateMachine.logicalId]: stepFunctions.stateMachineArn,
      ...Object.fromEntries(system.buckets.map((b) => [b.logicalId, b.name])),
      [system.userPool.userPoolLogicalId]: identity.userPoolId,
      [system.userPool.clientLogicalId]: identity.clientId,
    };
    Object.assign(process.env, {
      AWS_REGION: "local",
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      SFN_ENDPOINT: sfnEndpoint.endpoint,
      S3_ENDPOINT: objectStore.endpoint,
      COGNITO_ENDPOINT: identity.endpoint,
      POWERTOOLS_DEV: "true",
      // No X-Ray here (the tracer is off outside Lambda): the X-Ray SDK the tracer loads stays in
      // manual mode, so it installs no async hook on every promise of this one shared process.
      AWS_XRAY_MANUAL_MODE: "true",
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

    for (const fn of system.functions.values()) {
      const module: { handler?: unknown } = await import(
        pathToFileURL(join(ROOT, "lambdas", "handlers", `${fn.handler}.ts`)).href
      );
      if (typeof module.handler !== "function")
        throw new Error(`lambdas/handlers/${fn.handler}.ts exports no handler`);
      handlers.set(fn.logicalId, module.handler as AnyHandler);
    }

    const verify = tokenVerifier(identity.jwksUrl, identity.issuer, identity.clientId);
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
      handlerFor: (route) => ((event) => invokeFunction(route.functionLogicalId, event)) as HttpHandler,
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
    await new Promise<void>((resolveListen, reject) => {
      server.once("error", reject);
      server.listen(options.port, options.host, () => resolveListen());
    });
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : options.port;
    // The bucket's CORS rules and the sign-in API, granted to the console this server serves.
    consoleOrigins = [`http://localhost:${port}`, `http://127.0.0.1:${port}`];
    await objectStore.start(consoleOrigins);

    const timeoutOf = (logicalId: string) => system.functions.get(logicalId)?.timeoutSeconds;
    const tableStreams = system.streamConsumers.map(
      (consumer, i) =>
        new LocalTableStream({
          dynamo: dynamo.client,
          endpoint: dynamo.endpoint,
          tableName: LOCAL_TABLE_NAME,
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

    const resumed = stepFunctions.resumePersisted();
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
      dynamoEndpoint: dynamo.endpoint,
      objectStore,
      identity,
      relayFailures,
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
          await dynamo.stop();
        })();
        return stopped;
      },
    };
  } catch (error) {
    await dynamo.stop();
    throw error;
  }
}
