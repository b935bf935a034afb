import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Architecture, type CfnFunction, Runtime, Tracing } from "aws-cdk-lib/aws-lambda";
import { NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";

/** The repository root: handler entries, `package-lock.json` and the esbuild project root. */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Template metadata key on every `AWS::Lambda::Function`: the handler module it runs. */
export const HANDLER_METADATA_KEY = "spot:handler";

/** Lambda `Service` name of the Powertools logger and tracer. */
export const SERVICE_NAME = "spot-inspections";

/**
 * CDK context that builds Powertools' Tracer into every bundle (`npx cdk deploy -c sdkTracing=true`):
 * X-Ray subsegments of every AWS SDK call, at the price of the X-Ray SDK's size and import time in
 * every cold start (lambdas/shared/tracer.ts). Off by default: the functions still trace each
 * invocation (active tracing).
 */
export const SDK_TRACING_CONTEXT = "sdkTracing";

/** Defines `require` inside the ESM bundle, for CommonJS dependencies that call it. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module';const require = createRequire(import.meta.url);";

/** The file a handler module is bundled from: `lambdas/handlers/<handler>.ts`. */
export function handlerEntry(handler: string): string {
  return join(REPO_ROOT, "lambdas", "handlers", `${handler}.ts`);
}

/** Properties of {@link InspectionFunction}. */
export interface InspectionFunctionProps {
  /**
   * Handler module under `lambdas/handlers/`, without extension (e.g. `units/put-unit`); it exports
   * `handler`. Also written to the function's `spot:handler` template metadata.
   */
  readonly handler: string;
  /**
   * Environment variables added to the common ones (`NODE_OPTIONS`, `POWERTOOLS_*`).
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Function timeout.
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * Memory (MB). Only the import runner needs more: exceljs holds a whole workbook in memory.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * Reserved concurrency (`ReservedConcurrentExecutions`): at most this many invocations at once,
   * and as many kept aside from the account's pool. Past it Lambda throttles (429
   * `TooManyRequestsException`; behind the HTTP API a 500). The local runtime reads it from the
   * template and plays it (lib/local/concurrency.ts).
   * @default - none: the function draws on the account's unreserved concurrency
   */
  readonly reservedConcurrency?: number;
  /**
   * Where failed asynchronous invocations go after Lambda's retries (functions invoked by events).
   * @default - none: the function is invoked synchronously only
   */
  readonly deadLetterQueue?: IQueue;
  /**
   * Files copied into the bundle after esbuild ran (`from`: an absolute path; `to`: relative to the
   * bundle's root), for what the code reads at run time beside itself — the PDF's fonts.
   * @default - none
   */
  readonly bundledFiles?: readonly { readonly from: string; readonly to: string }[];
}

/** Shell commands that copy `files` into the bundle at `outputDir`. */
export function copyIntoBundle(
  files: readonly { readonly from: string; readonly to: string }[],
  outputDir: string,
): string[] {
  const quote = (path: string) => `'${path.replace(/'/g, "'\\''")}'`;
  return files.flatMap(({ from, to }) => {
    const target = join(outputDir, to);
    return [`mkdir -p ${quote(dirname(target))}`, `cp ${quote(from)} ${quote(target)}`];
  });
}

/**
 * Stateless: the one place that fixes how every handler runs — Node.js 22 on arm64, 256 MB (unless
 * told otherwise), an ESM
 * bundle with the AWS SDK inside and source maps, active X-Ray tracing, a one-month log group and a
 * role that may write only to that log group (no `AWSLambdaBasicExecutionRole`).
 *
 * The synthesized `AWS::Lambda::Function` carries `Metadata["spot:handler"]`, so that the local
 * runtime can map it back to the module it runs.
 */
export class InspectionFunction extends NodejsFunction {
  /** Handler module under `lambdas/handlers/` (the `spot:handler` metadata). */
  readonly handlerModule: string;
  /** The execution role (created beside the function, in the same scope). */
  readonly executionRole: Role;

  constructor(scope: Construct, id: string, props: InspectionFunctionProps) {
    const executionRole = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: `Execution role of the ${props.handler} handler`,
    });
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const sdkTracing = [true, "true"].includes(scope.node.tryGetContext(SDK_TRACING_CONTEXT));
    super(scope, id, {
      entry: handlerEntry(props.handler),
      handler: "handler",
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, "package-lock.json"),
      description: `${SERVICE_NAME}: ${props.handler}`,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      ...(props.reservedConcurrency !== undefined
        ? { reservedConcurrentExecutions: props.reservedConcurrency }
        : {}),
      ...(props.deadLetterQueue ? { deadLetterQueue: props.deadLetterQueue } : {}),
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      role: executionRole,
      logGroup,
      environment: {
        NODE_OPTIONS: "--enable-source-maps",
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_LOG_LEVEL: "INFO",
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        minify: true,
        sourceMap: true,
        target: "node22",
        mainFields: ["module", "main"],
        banner: ESM_REQUIRE_BANNER,
        externalModules: [],
        // The tracer's branch, and its import, are left out of the bundle unless SDK tracing is asked for.
        define: { "process.env.SPOT_SDK_TRACING": JSON.stringify(String(sdkTracing)) },
        ...(props.bundledFiles && props.bundledFiles.length > 0
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (_inputDir: string, outputDir: string) =>
                  copyIntoBundle(props.bundledFiles ?? [], outputDir),
              },
            }
          : {}),
      },
    });

    this.handlerModule = props.handler;
    this.executionRole = executionRole;
    logGroup.grantWrite(executionRole);
    (this.node.defaultChild as CfnFunction).addMetadata(HANDLER_METADATA_KEY, props.handler);

    Validations.of(this).acknowledge(
      {
        id: "AwsSolutions-L1",
        reason:
          "Node.js 22 is the project's pinned runtime: the local runtime and the tests run the same modules on Node 22.",
      },
      {
        id: "Serverless-LambdaLatestVersion",
        reason:
          "Node.js 22 is the project's pinned runtime: the local runtime and the tests run the same modules on Node 22.",
      },
    );
    for (const id of ["AwsSolutions-IAM5[Resource::*]", "Serverless-LambdaStarPermissions"]) {
      Validations.of(executionRole).acknowledge({
        id,
        reason:
          "Tracing.ACTIVE adds xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions.",
      });
    }
  }

  /**
   * Acknowledge Serverless-LambdaDLQ: the function is only invoked synchronously (API Gateway, Step Functions
   * RequestResponse), where a dead-letter queue never receives anything — the caller gets the error.
   */
  acknowledgeSynchronousOnly(invokedBy: string): void {
    Validations.of(this).acknowledge({
      id: "Serverless-LambdaDLQ",
      reason: `Invoked synchronously only (${invokedBy}); a dead-letter target applies to asynchronous invocations, and the caller sees the error.`,
    });
  }
}
