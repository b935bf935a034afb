import { Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
  PayloadFormatVersion,
} from "aws-cdk-lib/aws-apigatewayv2";
import { HttpJwtAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import { type RouteSpec, routes } from "../../lambdas/api/routes";
import { documentFontFiles } from "../../lambdas/shared/document-fonts";
import type { InspectionTable } from "./data-store";
import type { EvidenceStore } from "./evidence-store";
import type { InspectionIdentity } from "./identity";
import { InspectionFunction } from "./inspection-function";

/** One access-log line per request, as JSON (HTTP API `$context` variables). */
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  requestTime: "$context.requestTime",
  routeKey: "$context.routeKey",
  method: "$context.httpMethod",
  path: "$context.path",
  status: "$context.status",
  protocol: "$context.protocol",
  responseLength: "$context.responseLength",
  latencyMs: "$context.responseLatency",
  integrationLatencyMs: "$context.integrationLatency",
  integrationError: "$context.integrationErrorMessage",
  authorizerError: "$context.authorizer.error",
  sourceIp: "$context.identity.sourceIp",
  userAgent: "$context.identity.userAgent",
  sub: "$context.authorizer.claims.sub",
});

/**
 * A route that makes a document holds it whole in memory (an evidence pack: every photo of an
 * assignment) and may take seconds (a PDF lays out and subsets its fonts): 1 GB, and 29 s — the HTTP
 * API gives up on an integration after 30 s.
 */
const DOCUMENT_FUNCTION = { memorySize: 1024, timeout: Duration.seconds(29) } as const;

/** A route that may walk a whole unit tree (`walksUnitTree`): as long as the HTTP API waits. */
const TREE_WALKING_FUNCTION = { timeout: Duration.seconds(29) } as const;

/**
 * Reserved concurrency of each document route's function: documents are asked for now and then, one
 * takes up to 29 s and 1 GB, and a burst of them (a campaign's evidence packs at once) must not take
 * the account's concurrency from the routes people wait on. The other routes draw on the account's
 * unreserved pool (docs/capacity.md: ≈ 45 at once in a province's campaign hour, against 1,000).
 */
export const DOCUMENT_CONCURRENCY = 10;

/** Properties of {@link InspectionHttpApi}. */
export interface InspectionHttpApiProps {
  /** The table every route handler reads and writes (`TABLE_NAME`). */
  readonly table: InspectionTable;
  /** The evidence bucket the `objects` routes presign uploads to and downloads from. */
  readonly evidence: EvidenceStore;
  /** The user pool whose ID tokens the JWT authorizer accepts (issuer and audience). */
  readonly identity: InspectionIdentity;
  /** Where the `publishes` routes send the notices they store (`NOTIFY_TOPIC_ARN`). */
  readonly topic: ITopic;
  /**
   * Steady-state request rate limit of the `$default` stage (requests per second): its default route
   * settings (`DefaultRouteSettings`), the limit of every route without settings of its own. Past it (or the burst) API Gateway answers
   * `429 {"message":"Too Many Requests"}`, without `Retry-After` (an HTTP API has no gateway responses
   * to add one), before any function runs; the console retries with its own backoff.
   * @default 50
   */
  readonly throttlingRateLimit?: number;
  /**
   * Burst limit of the `$default` stage (the token bucket's size), in its default route settings.
   * @default 100
   */
  readonly throttlingBurstLimit?: number;
  /**
   * Reserved concurrency of each document route's function; `0` reserves none (an account whose
   * Lambda concurrency quota is below 100 plus the reservations cannot deploy them).
   * @default DOCUMENT_CONCURRENCY (10)
   */
  readonly documentConcurrency?: number;
  /**
   * CORS origins allowed to call the API from a browser.
   * @default ["*"] — bearer tokens, no cookies
   */
  readonly allowOrigins?: readonly string[];
}

/**
 * Stateless: the HTTP API of the public contract — one route and one function per `routes` entry,
 * Cognito JWT authorization on `auth: "jwt"` routes, a `$default` stage with throttling and JSON
 * access logs, CORS for the `Authorization`, `Content-Type` and `Idempotency-Key` headers (and
 * `Content-Disposition` exposed, for the files it serves).
 */
export class InspectionHttpApi extends Construct {
  /** The API. */
  readonly httpApi: HttpApi;
  /** The auto-deployed `$default` stage. */
  readonly stage: HttpStage;
  /** One function per route, keyed by route key (`METHOD /path`). */
  readonly routeFunctions: ReadonlyMap<string, InspectionFunction>;

  constructor(scope: Construct, id: string, props: InspectionHttpApiProps) {
    super(scope, id);

    this.httpApi = new HttpApi(this, "HttpApi", {
      apiName: `${Stack.of(this).stackName}-api`,
      description: "Unannounced spot inspections: public API v1",
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: [...(props.allowOrigins ?? ["*"])],
        allowMethods: [
          CorsHttpMethod.GET,
          CorsHttpMethod.POST,
          CorsHttpMethod.PUT,
          CorsHttpMethod.PATCH,
          CorsHttpMethod.OPTIONS,
        ],
        allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key"],
        // The console reads the (Chinese) name of a file it downloads, such as an import template,
        // and how long to wait before retrying a 503 (Retry-After is not CORS-safelisted).
        exposeHeaders: ["Content-Disposition", "Retry-After"],
        maxAge: Duration.hours(1),
      },
    });

    const accessLogs = new LogGroup(this, "AccessLogs", {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new HttpStage(this, "DefaultStage", {
      httpApi: this.httpApi,
      stageName: "$default",
      autoDeploy: true,
      throttle: {
        rateLimit: props.throttlingRateLimit ?? 50,
        burstLimit: props.throttlingBurstLimit ?? 100,
      },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(ACCESS_LOG_FORMAT),
      },
    });

    const jwt = new HttpJwtAuthorizer("CognitoJwt", props.identity.issuerUrl, {
      authorizerName: "cognito-id-token",
      identitySource: ["$request.header.Authorization"],
      jwtAudience: [props.identity.userPoolClient.userPoolClientId],
    });
    const none = new HttpNoneAuthorizer();

    const functions = new Map<string, InspectionFunction>();
    for (const spec of routes as readonly RouteSpec[]) {
      const { method, path } = parseRouteKey(spec.routeKey);
      const name = constructName(spec.handler);
      const usesTable = spec.table !== false;
      const fn = new InspectionFunction(this, `${name}Function`, {
        handler: spec.handler,
        ...(spec.document ? DOCUMENT_FUNCTION : {}),
        ...(spec.walksUnitTree ? TREE_WALKING_FUNCTION : {}),
        ...(spec.document && (props.documentConcurrency ?? DOCUMENT_CONCURRENCY) > 0
          ? { reservedConcurrency: props.documentConcurrency ?? DOCUMENT_CONCURRENCY }
          : {}),
        // The CJK fonts a PDF route reads beside its bundle (lambdas/shared/document-fonts.ts).
        ...(spec.document === "pdf" ? { bundledFiles: documentFontFiles() } : {}),
        environment: {
          ...(usesTable ? { TABLE_NAME: props.table.tableName } : {}),
          ...(spec.objects ? { EVIDENCE_BUCKET: props.evidence.bucketName } : {}),
          ...(spec.identity ? { USER_POOL_ID: props.identity.userPool.userPoolId } : {}),
          ...(spec.publishes ? { NOTIFY_TOPIC_ARN: props.topic.topicArn } : {}),
        },
      });
      if (spec.publishes) props.topic.grantPublish(fn);
      if (spec.identity) props.identity.grantAccountAdministration(fn);
      if (usesTable) props.table.grantReadWrite(fn);
      if (spec.objects === "upload") props.evidence.grantPresignUpload(fn);
      if (spec.objects === "download") props.evidence.grantPresignDownload(fn);
      if (spec.objects === "import-upload") props.evidence.grantPresignImportUpload(fn);
      if (spec.objects === "import-results") props.evidence.grantPresignImportResults(fn);
      if (spec.objects === "exports" || spec.objects === "evidence-pack") props.evidence.grantExports(fn);
      if (spec.objects === "evidence-pack") props.evidence.grantReadEvidence(fn);
      fn.acknowledgeSynchronousOnly("API Gateway HTTP API, Lambda proxy integration");

      const authorizer: IHttpRouteAuthorizer = spec.auth === "jwt" ? jwt : none;
      const route = new HttpRoute(this, `${name}Route`, {
        httpApi: this.httpApi,
        routeKey: HttpRouteKey.with(path, method),
        integration: new HttpLambdaIntegration(`${name}Integration`, fn, {
          payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
        }),
        authorizer,
      });
      if (spec.auth === "none") {
        Validations.of(route).acknowledge({
          id: "AwsSolutions-APIG4",
          reason: `${spec.routeKey} is public by the API contract (no auth): it serves no inspection data.`,
        });
      }
      functions.set(spec.routeKey, fn);
    }
    this.routeFunctions = functions;
  }

  /** The base URL of the `$default` stage. */
  get url(): string {
    return this.stage.url;
  }
}

function parseRouteKey(routeKey: string): { method: HttpMethod; path: string } {
  const match = /^([A-Z]+) (\/\S*)$/.exec(routeKey);
  const method = match?.[1];
  const path = match?.[2];
  if (!method || !path || !(method in HttpMethod)) {
    throw new Error(`Route key ${JSON.stringify(routeKey)} is not "METHOD /path".`);
  }
  return { method: HttpMethod[method as keyof typeof HttpMethod], path };
}

/** `units/put-unit` → `UnitsPutUnit`. */
function constructName(handler: string): string {
  return handler
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
}
