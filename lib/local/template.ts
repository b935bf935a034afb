import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * The local runtime's view of the cloud definition: it synthesizes the same CDK app (without
 * bundling) and reads back the table, the functions, the routes, the state machine, the
 * schedules and the stream consumers from the CloudFormation template. Nothing here restates them.
 */
export interface CloudResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}
export type CloudTemplate = { readonly Resources: Record<string, CloudResource> };

export interface LocalFunction {
  readonly logicalId: string;
  readonly handler: string;
  readonly environment: Record<string, unknown>;
  readonly timeoutSeconds: number;
  /** `ReservedConcurrentExecutions`: the most invocations of this function at once, if it has a reservation. */
  readonly reservedConcurrency?: number;
}

export interface LocalRoute {
  readonly routeKey: string;
  readonly method: string;
  readonly path: string;
  readonly auth: "JWT" | "NONE";
  readonly functionLogicalId: string;
}

export interface LocalSchedule {
  readonly functionLogicalId: string;
  readonly everyMs: number;
}

/** A function fed by the table's change stream (an `AWS::Lambda::EventSourceMapping`). */
export interface LocalStreamConsumer {
  readonly functionLogicalId: string;
  readonly batchSize: number;
  /** Lambda event filter patterns; a record is delivered if it matches any (all when none). */
  readonly filters: readonly unknown[];
  readonly startingPosition: "TRIM_HORIZON" | "LATEST";
  /** Retries of a failed batch before it is given up (-1: until the record expires). */
  readonly maximumRetryAttempts: number;
  /** The function reports failed records (`batchItemFailures`) instead of failing the batch. */
  readonly reportsItemFailures: boolean;
  /** Batches processed at once from each shard (records of one item stay in order). */
  readonly parallelizationFactor: number;
  /** A batch whose invocation fails is split in two and each half retried. */
  readonly bisectBatchOnError: boolean;
  /** Records older than this are discarded (-1: until the stream drops them after 24 hours). */
  readonly maximumRecordAgeSeconds: number;
  /** The SQS queue of the stack that receives a record of every discarded batch. */
  readonly onFailure?: { readonly queueLogicalId: string; readonly retentionSeconds: number };
}

/** Mapping properties the local stream player implements; anything else is refused at start. */
const PLAYED_MAPPING_PROPERTIES = new Set([
  "BatchSize",
  "BisectBatchOnFunctionError",
  "DestinationConfig",
  "EventSourceArn",
  "FilterCriteria",
  "FunctionName",
  "FunctionResponseTypes",
  "MaximumRecordAgeInSeconds",
  "MaximumRetryAttempts",
  "ParallelizationFactor",
  "StartingPosition",
  "MaximumBatchingWindowInSeconds",
  "Enabled",
  "MetricsConfig",
  "Tags",
]);

/** The stream-mapping settings the local player honours, or the reasons it cannot play them as AWS does. */
function readStreamMapping(id: string, p: Record<string, unknown>, template: CloudTemplate) {
  const problems: string[] = [];
  for (const key of Object.keys(p)) {
    if (!PLAYED_MAPPING_PROPERTIES.has(key)) problems.push(`${key} is not played locally`);
  }
  if (typeof p.MaximumBatchingWindowInSeconds === "number" && p.MaximumBatchingWindowInSeconds > 0)
    problems.push("a batching window (MaximumBatchingWindowInSeconds) is not played locally");
  if (p.Enabled === false) problems.push("a disabled mapping is not played locally");
  if (p.StartingPosition !== "LATEST" && p.StartingPosition !== "TRIM_HORIZON")
    problems.push(`StartingPosition ${String(p.StartingPosition)} is not played locally`);
  const responseTypes = Array.isArray(p.FunctionResponseTypes) ? p.FunctionResponseTypes : [];
  if (responseTypes.some((t) => t !== "ReportBatchItemFailures"))
    problems.push(`FunctionResponseTypes ${JSON.stringify(responseTypes)} is not played locally`);
  const destinations = (p.DestinationConfig ?? {}) as Record<string, unknown>;
  let onFailure: LocalStreamConsumer["onFailure"];
  for (const [kind, destination] of Object.entries(destinations)) {
    const queue = getAttLogicalId((destination as { Destination?: unknown } | undefined)?.Destination);
    const resource = queue ? template.Resources[queue] : undefined;
    if (kind !== "OnFailure" || !queue || resource?.Type !== "AWS::SQS::Queue") {
      problems.push(
        `destination ${kind} ${JSON.stringify(destination)}: only an SQS queue of the stack as OnFailure is played locally`,
      );
      continue;
    }
    const retention = resource.Properties?.MessageRetentionPeriod;
    onFailure = {
      queueLogicalId: queue,
      retentionSeconds: typeof retention === "number" ? retention : 345_600,
    };
  }
  if (problems.length > 0)
    throw new Error(
      `Event source mapping ${id} uses what the local runtime cannot play as AWS does:\n- ${problems.join("\n- ")}`,
    );
  return {
    parallelizationFactor: typeof p.ParallelizationFactor === "number" ? p.ParallelizationFactor : 1,
    bisectBatchOnError: p.BisectBatchOnFunctionError === true,
    maximumRecordAgeSeconds:
      typeof p.MaximumRecordAgeInSeconds === "number" ? p.MaximumRecordAgeInSeconds : -1,
    ...(onFailure ? { onFailure } : {}),
  };
}

/** A CORS rule of a bucket; the local store grants it to the local console's origin. */
export interface LocalCorsRule {
  readonly allowedMethods: readonly string[];
  readonly allowedHeaders: readonly string[];
  readonly exposedHeaders: readonly string[];
  readonly maxAge?: number;
}

/** A function the bucket's object events reach (an EventBridge rule on `aws.s3` events). */
export interface LocalBucketNotification {
  readonly functionLogicalId: string;
  /** The event types (`Object Created`). */
  readonly events: readonly string[];
  readonly prefix?: string;
}

/** A bucket the functions use, under its local name. */
export interface LocalBucket {
  readonly logicalId: string;
  readonly name: string;
  readonly cors: readonly LocalCorsRule[];
  readonly notifications: readonly LocalBucketNotification[];
}

/** The user pool as the local identity service plays it. */
export interface LocalUserPool {
  readonly userPoolLogicalId: string;
  readonly clientLogicalId: string;
  readonly groups: readonly string[];
  readonly passwordPolicy: {
    readonly minimumLength: number;
    readonly requireLowercase: boolean;
    readonly requireUppercase: boolean;
    readonly requireNumbers: boolean;
    readonly requireSymbols: boolean;
    readonly temporaryPasswordValidityDays: number;
  };
  readonly tokens: {
    readonly idTokenSeconds: number;
    readonly accessTokenSeconds: number;
    readonly refreshTokenSeconds: number;
  };
  /** The sign-in flows the app client allows (`ALLOW_USER_PASSWORD_AUTH`, ...). */
  readonly authFlows: readonly string[];
}

export interface SynthesizedSystem {
  readonly template: CloudTemplate;
  readonly table: { readonly logicalId: string; readonly properties: Record<string, unknown> };
  readonly functions: ReadonlyMap<string, LocalFunction>;
  readonly routes: readonly LocalRoute[];
  readonly stateMachine: { readonly logicalId: string; readonly definition: Record<string, unknown> };
  readonly schedules: readonly LocalSchedule[];
  readonly streamConsumers: readonly LocalStreamConsumer[];
  /** The buckets a function names in its environment, with their CORS rules and notifications. */
  readonly buckets: readonly LocalBucket[];
  readonly userPool: LocalUserPool;
}

/**
 * Synthesizes the CDK app into a temporary assembly and returns its stack's template. The app (and
 * aws-cdk-lib, 2 s of imports) is loaded only here, so a start that finds the template in its cache
 * (`template-cache.ts`) never loads it.
 */
export async function synthesizeCloudTemplate(): Promise<CloudTemplate> {
  const { buildApp } = await import("../app");
  const outdir = mkdtempSync(join(tmpdir(), "spot-synth-"));
  try {
    const { app, stack } = buildApp({ bundling: false, outdir, policyChecks: false });
    const assembly = app.synth();
    const template: unknown = assembly.getStackArtifact(stack.artifactId).template;
    if (typeof template !== "object" || template === null || !("Resources" in template)) {
      throw new Error("The synthesized stack has no Resources");
    }
    return template as CloudTemplate;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function resourcesOfType(template: CloudTemplate, type: string): [string, CloudResource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

function getAttLogicalId(value: unknown): string | undefined {
  if (typeof value === "object" && value !== null && "Fn::GetAtt" in value) {
    const att = (value as { "Fn::GetAtt": unknown })["Fn::GetAtt"];
    if (Array.isArray(att) && typeof att[0] === "string") return att[0];
  }
  return undefined;
}

function refLogicalId(value: unknown): string | undefined {
  if (typeof value === "object" && value !== null && "Ref" in value) {
    const ref = (value as { Ref: unknown }).Ref;
    if (typeof ref === "string") return ref;
  }
  return undefined;
}

/** Finds the first `Fn::GetAtt [X, Arn]` naming a Lambda function anywhere inside `value`. */
function functionIn(value: unknown, functions: ReadonlyMap<string, LocalFunction>): string | undefined {
  const direct = getAttLogicalId(value);
  if (direct && functions.has(direct)) return direct;
  if (Array.isArray(value)) {
    for (const v of value) {
      const found = functionIn(v, functions);
      if (found) return found;
    }
  } else if (typeof value === "object" && value !== null) {
    for (const v of Object.values(value)) {
      const found = functionIn(v, functions);
      if (found) return found;
    }
  }
  return undefined;
}

export const LOCAL_LAMBDA_ARN_PREFIX = "arn:aws:lambda:local:000000000000:function:";

/** Renders an `Fn::Join` definition string with Lambda ARNs replaced by local function ARNs. */
function renderDefinition(definition: unknown, functions: ReadonlyMap<string, LocalFunction>): string {
  if (typeof definition === "string") return definition;
  if (typeof definition === "object" && definition !== null && "Fn::Join" in definition) {
    const join = (definition as { "Fn::Join": unknown })["Fn::Join"];
    if (Array.isArray(join) && typeof join[0] === "string" && Array.isArray(join[1])) {
      return join[1]
        .map((part: unknown) => {
          if (typeof part === "string") return part;
          const fn = getAttLogicalId(part);
          if (fn && functions.has(fn)) return `${LOCAL_LAMBDA_ARN_PREFIX}${fn}`;
          const ref = refLogicalId(part);
          if (ref === "AWS::Partition") return "aws";
          if (ref === "AWS::Region") return "local";
          if (ref === "AWS::AccountId") return "000000000000";
          if (ref === "AWS::URLSuffix") return "amazonaws.com";
          throw new Error(`Cannot render a part of the state machine definition: ${JSON.stringify(part)}`);
        })
        .join(join[0]);
    }
  }
  throw new Error("Unsupported state machine DefinitionString");
}

function scheduleMs(expression: unknown): number | undefined {
  if (typeof expression !== "string") return undefined;
  const m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2]?.startsWith("minute") ? 60_000 : m[2]?.startsWith("hour") ? 3_600_000 : 86_400_000;
  return n * unit;
}

export function readSystem(template: CloudTemplate): SynthesizedSystem {
  const functions = new Map<string, LocalFunction>();
  for (const [logicalId, r] of resourcesOfType(template, "AWS::Lambda::Function")) {
    const handler = r.Metadata?.["spot:handler"];
    if (typeof handler !== "string") continue; // CDK's own helper functions (log retention etc.)
    const env =
      (r.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    const timeout = typeof r.Properties?.Timeout === "number" ? r.Properties.Timeout : 10;
    const reserved = r.Properties?.ReservedConcurrentExecutions;
    functions.set(logicalId, {
      logicalId,
      handler,
      environment: env,
      timeoutSeconds: timeout,
      ...(typeof reserved === "number" ? { reservedConcurrency: reserved } : {}),
    });
  }

  const tables = resourcesOfType(template, "AWS::DynamoDB::Table");
  const [tableEntry] = tables;
  if (!tableEntry || tables.length !== 1) throw new Error("Expected exactly one DynamoDB table in the stack");

  const integrations = new Map(resourcesOfType(template, "AWS::ApiGatewayV2::Integration"));
  const routes: LocalRoute[] = [];
  for (const [, r] of resourcesOfType(template, "AWS::ApiGatewayV2::Route")) {
    const routeKey = String(r.Properties?.RouteKey ?? "");
    const target = r.Properties?.Target;
    const integrationId = JSON.stringify(target ?? "").match(/"Ref":"([^"]+)"/)?.[1];
    const integration = integrationId ? integrations.get(integrationId) : undefined;
    const fn = functionIn(integration?.Properties?.IntegrationUri, functions);
    if (!fn) throw new Error(`Route ${routeKey} does not integrate a known function`);
    const [method = "", path = ""] = routeKey.split(" ");
    routes.push({
      routeKey,
      method,
      path,
      auth: r.Properties?.AuthorizationType === "JWT" ? "JWT" : "NONE",
      functionLogicalId: fn,
    });
  }

  const machines = resourcesOfType(template, "AWS::StepFunctions::StateMachine");
  const [machine] = machines;
  if (!machine || machines.length !== 1) throw new Error("Expected exactly one state machine in the stack");
  const definition: unknown = JSON.parse(
    renderDefinition(machine[1].Properties?.DefinitionString, functions),
  );
  if (typeof definition !== "object" || definition === null) throw new Error("Bad state machine definition");

  const schedules: LocalSchedule[] = [];
  for (const [, r] of resourcesOfType(template, "AWS::Events::Rule")) {
    const everyMs = scheduleMs(r.Properties?.ScheduleExpression);
    const fn = functionIn(r.Properties?.Targets, functions);
    if (everyMs && fn) schedules.push({ functionLogicalId: fn, everyMs });
  }

  const streamConsumers: LocalStreamConsumer[] = [];
  for (const [id, r] of resourcesOfType(template, "AWS::Lambda::EventSourceMapping")) {
    const p = r.Properties ?? {};
    const source = getAttLogicalId(p.EventSourceArn);
    const fn = refLogicalId(p.FunctionName);
    if (source !== tableEntry[0] || !fn || !functions.has(fn))
      throw new Error(`Event source mapping ${id} is not the table's stream feeding a known function`);
    const filters = (
      (p.FilterCriteria as { Filters?: { Pattern?: unknown }[] } | undefined)?.Filters ?? []
    ).map((f) => JSON.parse(String(f.Pattern)) as unknown);
    streamConsumers.push({
      functionLogicalId: fn,
      batchSize: typeof p.BatchSize === "number" ? p.BatchSize : 100,
      filters,
      startingPosition: p.StartingPosition === "LATEST" ? "LATEST" : "TRIM_HORIZON",
      maximumRetryAttempts: typeof p.MaximumRetryAttempts === "number" ? p.MaximumRetryAttempts : -1,
      reportsItemFailures:
        Array.isArray(p.FunctionResponseTypes) && p.FunctionResponseTypes.includes("ReportBatchItemFailures"),
      ...readStreamMapping(id, p, template),
    });
  }

  const buckets = readBuckets(template, functions);
  const userPool = readUserPool(template);

  return {
    template,
    buckets,
    userPool,
    table: { logicalId: tableEntry[0], properties: tableEntry[1].Properties ?? {} },
    functions,
    routes,
    stateMachine: { logicalId: machine[0], definition: definition as Record<string, unknown> },
    schedules,
    streamConsumers,
  };
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];

/** The local name of a bucket: its logical id, lower-cased, as S3 bucket names must be. */
export function localBucketName(logicalId: string): string {
  return `local-${logicalId.toLowerCase().replace(/[^a-z0-9-]/g, "")}`.slice(0, 63);
}

/** The buckets referenced by the functions' environment, with CORS rules and event notifications. */
function readBuckets(template: CloudTemplate, functions: ReadonlyMap<string, LocalFunction>): LocalBucket[] {
  const referenced = new Set<string>();
  for (const fn of functions.values()) {
    for (const value of Object.values(fn.environment)) {
      const ref = refLogicalId(value);
      if (ref && template.Resources[ref]?.Type === "AWS::S3::Bucket") referenced.add(ref);
    }
  }
  // The buckets' "Object Created" events, delivered by EventBridge rules to functions.
  const notifications = new Map<string, LocalBucketNotification[]>();
  for (const [id, r] of resourcesOfType(template, "AWS::Events::Rule")) {
    const pattern = r.Properties?.EventPattern as
      | {
          source?: unknown;
          "detail-type"?: unknown;
          detail?: { bucket?: { name?: unknown[] }; object?: { key?: { prefix?: unknown }[] } };
        }
      | undefined;
    if (!strings(pattern?.source).includes("aws.s3")) continue;
    const bucket = refLogicalId(pattern?.detail?.bucket?.name?.[0]);
    const fn = functionIn(r.Properties?.Targets, functions);
    if (!bucket || !fn)
      throw new Error(`Rule ${id} matches no bucket of the stack or targets no known function`);
    const prefix = pattern?.detail?.object?.key?.[0]?.prefix;
    notifications.set(bucket, [
      ...(notifications.get(bucket) ?? []),
      {
        functionLogicalId: fn,
        events: strings(pattern?.["detail-type"]),
        ...(typeof prefix === "string" ? { prefix } : {}),
      },
    ]);
    referenced.add(bucket);
  }
  return [...referenced].sort().map((logicalId) => {
    const props = template.Resources[logicalId]?.Properties ?? {};
    const rules =
      (props.CorsConfiguration as { CorsRules?: Record<string, unknown>[] } | undefined)?.CorsRules ?? [];
    return {
      logicalId,
      name: localBucketName(logicalId),
      cors: rules.map((rule) => ({
        allowedMethods: strings(rule.AllowedMethods),
        allowedHeaders: strings(rule.AllowedHeaders),
        exposedHeaders: strings(rule.ExposedHeaders),
        ...(typeof rule.MaxAge === "number" ? { maxAge: rule.MaxAge } : {}),
      })),
      notifications: notifications.get(logicalId) ?? [],
    };
  });
}

const UNIT_SECONDS: Record<string, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86_400 };

/** The one user pool and app client: password policy, token lifetimes, groups. */
function readUserPool(template: CloudTemplate): LocalUserPool {
  const pools = resourcesOfType(template, "AWS::Cognito::UserPool");
  const clients = resourcesOfType(template, "AWS::Cognito::UserPoolClient");
  const [pool] = pools;
  const [client] = clients;
  if (!pool || pools.length !== 1 || !client || clients.length !== 1)
    throw new Error("Expected exactly one user pool and one app client in the stack");
  const policy = ((pool[1].Properties?.Policies as Record<string, unknown> | undefined)?.PasswordPolicy ??
    {}) as Record<string, unknown>;
  const c = client[1].Properties ?? {};
  const units = (c.TokenValidityUnits ?? {}) as Record<string, unknown>;
  const seconds = (value: unknown, unit: unknown, fallbackSeconds: number) =>
    typeof value === "number" ? value * (UNIT_SECONDS[String(unit ?? "hours")] ?? 3600) : fallbackSeconds;
  return {
    userPoolLogicalId: pool[0],
    clientLogicalId: client[0],
    groups: resourcesOfType(template, "AWS::Cognito::UserPoolGroup")
      .map(([, g]) => g.Properties?.GroupName)
      .filter((g): g is string => typeof g === "string"),
    passwordPolicy: {
      minimumLength: typeof policy.MinimumLength === "number" ? policy.MinimumLength : 8,
      requireLowercase: policy.RequireLowercase === true,
      requireUppercase: policy.RequireUppercase === true,
      requireNumbers: policy.RequireNumbers === true,
      requireSymbols: policy.RequireSymbols === true,
      temporaryPasswordValidityDays:
        typeof policy.TemporaryPasswordValidityDays === "number" ? policy.TemporaryPasswordValidityDays : 7,
    },
    tokens: {
      idTokenSeconds: seconds(c.IdTokenValidity, units.IdToken, 3600),
      accessTokenSeconds: seconds(c.AccessTokenValidity, units.AccessToken, 3600),
      refreshTokenSeconds: seconds(c.RefreshTokenValidity, units.RefreshToken ?? "days", 30 * 86_400),
    },
    authFlows: strings(c.ExplicitAuthFlows),
  };
}
