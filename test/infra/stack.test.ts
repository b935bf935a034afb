import { Match, Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { type RouteSpec, routes } from "../../lambdas/api/routes";
import { relayedChanges } from "../../lambdas/workflow/relay";
import {
  changeRelay,
  importRunner,
  scheduledJobs,
  uploadCheck,
  workflowTasks,
} from "../../lambdas/workflow/tasks";
import { buildApp } from "../../lib/app";
import { DOCUMENT_CONCURRENCY } from "../../lib/constructs/http-api";
import { ACCOUNT_ADMIN_ACTIONS } from "../../lib/constructs/identity";
import { type CloudTemplate, readSystem } from "../../lib/local/template";

type Resource = { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

const taskHandlers = Object.values(workflowTasks).map((t) => t.handler);
const jobHandlers = Object.values(scheduledJobs).map((j) => j.handler);
const routeHandlers = routes.map((r) => r.handler);
/** Routes that make documents (a Word file, a PDF, a zip, a workbook). */
const documentHandlers: string[] = routes.flatMap((r) => ("document" in r ? [r.handler] : []));
const allHandlers: string[] = [
  ...routeHandlers,
  ...taskHandlers,
  ...jobHandlers,
  changeRelay.handler,
  uploadCheck.handler,
  importRunner.handler,
];

let template: Template;
let resources: Record<string, Resource>;

beforeAll(() => {
  // The same template without the policy checks (cdk-nag and CloudFormation validation, about
  // 6 s of CPU a synth): test/infra/nag.test.ts runs them.
  const { stack } = buildApp({ bundling: false, policyChecks: false });
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, Resource>;
});

function ofType(type: string): [string, Resource][] {
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}

/** Lambda functions keyed by their `spot:handler` metadata. */
function functionsByHandler(): Map<string, [string, Resource]> {
  const byHandler = new Map<string, [string, Resource]>();
  for (const [id, fn] of ofType("AWS::Lambda::Function")) {
    byHandler.set(String(fn.Metadata?.["spot:handler"]), [id, fn]);
  }
  return byHandler;
}

function envOf(fn: Resource): Record<string, unknown> {
  const env = fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined;
  return env?.Variables ?? {};
}

/** The statements of every policy attached to the role of a function. */
function statementsOf(fn: Resource): Statement[] {
  const role = fn.Properties.Role as { "Fn::GetAtt": [string, string] };
  const roleId = role["Fn::GetAtt"][0];
  return ofType("AWS::IAM::Policy")
    .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(`"${roleId}"`))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

function actionsOf(fn: Resource): string[] {
  return statementsOf(fn).flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
}

describe("data store", () => {
  it("is one table keyed pk/sk with three string GSIs (the first whole items, the working ones lean) and TTL on expiration", () => {
    template.resourceCountIs("AWS::DynamoDB::Table", 1);
    // Indexes 2 and 3 list orders and assignments, which change at every step: their entries carry
    // only the attributes queries filter on, so a step that keeps the keys writes no index entry.
    const lean = { ProjectionType: "INCLUDE", NonKeyAttributes: ["roles", "spotCheckId", "requestId"] };
    const gsi = (n: number) => ({
      IndexName: `GSI${n}`,
      KeySchema: [
        { AttributeName: `gsi${n}pk`, KeyType: "HASH" },
        { AttributeName: `gsi${n}sk`, KeyType: "RANGE" },
      ],
      Projection: n === 1 ? { ProjectionType: "ALL" } : lean,
    });
    template.hasResourceProperties("AWS::DynamoDB::Table", {
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      AttributeDefinitions: Match.arrayWith(
        ["pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk"].map((name) => ({
          AttributeName: name,
          AttributeType: "S",
        })),
      ),
      GlobalSecondaryIndexes: [gsi(1), gsi(2), gsi(3)],
      TimeToLiveSpecification: { AttributeName: "expiration", Enabled: true },
      BillingMode: "PAY_PER_REQUEST",
      StreamSpecification: { StreamViewType: "NEW_AND_OLD_IMAGES" },
    });
  });

  it("is protected: point-in-time recovery, deletion protection, retained, encrypted", () => {
    template.hasResource("AWS::DynamoDB::Table", {
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
      Properties: Match.objectLike({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true },
      }),
    });
  });
});

describe("functions", () => {
  it("has one function per route, workflow task and scheduled job", () => {
    expect(new Set(allHandlers).size).toBe(allHandlers.length);
    template.resourceCountIs("AWS::Lambda::Function", allHandlers.length);
  });

  it("names a manifest handler in every function's spot:handler metadata, each handler once", () => {
    const named = ofType("AWS::Lambda::Function").map(([, fn]) => fn.Metadata?.["spot:handler"]);
    expect(named.every((h) => typeof h === "string" && allHandlers.includes(h))).toBe(true);
    expect([...named].sort()).toEqual([...allHandlers].sort());
  });

  it("runs every function on nodejs22.x arm64, 256 MB (the import runner and the document routes 1024 MB), active tracing, source maps, its own log group", () => {
    for (const [id, fn] of ofType("AWS::Lambda::Function")) {
      const handler = fn.Metadata?.["spot:handler"];
      expect(fn.Properties, id).toMatchObject({
        Runtime: "nodejs22.x",
        Architectures: ["arm64"],
        MemorySize:
          handler === importRunner.handler || documentHandlers.includes(String(handler)) ? 1024 : 256,
        Handler: "index.handler",
        TracingConfig: { Mode: "Active" },
      });
      expect(envOf(fn), id).toMatchObject({
        NODE_OPTIONS: "--enable-source-maps",
        POWERTOOLS_SERVICE_NAME: "spot-inspections",
        POWERTOOLS_LOG_LEVEL: "INFO",
      });
      const logGroup = (fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(resources[logGroup]?.Properties.RetentionInDays, id).toBe(30);
    }
  });

  it("gives route functions 10 s (document routes and the plan and the draw, which may walk a city's unit tree, 29 s, within the HTTP API's 30 s), task functions 30 s, the import runner 15 minutes", () => {
    const fns = functionsByHandler();
    const treeWalkers = ["spot-checks/plan-spot-check", "spot-checks/draw"];
    for (const h of routeHandlers)
      expect(fns.get(h)?.[1].Properties.Timeout, h).toBe(
        documentHandlers.includes(h) || treeWalkers.includes(h) ? 29 : 10,
      );
    for (const h of taskHandlers) expect(fns.get(h)?.[1].Properties.Timeout, h).toBe(30);
    expect(fns.get(importRunner.handler)?.[1].Properties.Timeout).toBe(900);
  });

  it("reserves concurrency (10) only for the document routes' functions; the rest share the account's pool, within room for them", () => {
    const reserved = ofType("AWS::Lambda::Function").flatMap(([, fn]) => {
      const n = fn.Properties.ReservedConcurrentExecutions;
      return n === undefined ? [] : [[String(fn.Metadata?.["spot:handler"]), n] as const];
    });
    expect(documentHandlers.length).toBeGreaterThan(0);
    expect(Object.fromEntries(reserved)).toEqual(
      Object.fromEntries(documentHandlers.map((h) => [h, DOCUMENT_CONCURRENCY])),
    );
    // Lambda keeps 100 of the account's default 1,000 unreserved; the reservations leave far more.
    const total = reserved.reduce((sum, [, n]) => sum + Number(n), 0);
    expect(1000 - total).toBeGreaterThanOrEqual(900);
  });

  it("hands the local runtime the same reservations it plays (lib/local/template.ts, lib/local/concurrency.ts)", () => {
    const local = readSystem(template.toJSON() as CloudTemplate);
    expect(local.functions.size).toBe(allHandlers.length);
    for (const fn of local.functions.values())
      expect(fn.reservedConcurrency, fn.handler).toBe(
        documentHandlers.includes(fn.handler) ? DOCUMENT_CONCURRENCY : undefined,
      );
  });

  it("attaches no AWS managed policy to the function roles", () => {
    for (const [id, role] of ofType("AWS::IAM::Role")) {
      expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
    }
  });
});

describe("HTTP API", () => {
  it("has one route per manifest entry with its route key and authorization", () => {
    template.resourceCountIs("AWS::ApiGatewayV2::Route", routes.length);
    for (const route of routes) {
      template.hasResourceProperties("AWS::ApiGatewayV2::Route", {
        RouteKey: route.routeKey,
        AuthorizationType: route.auth === "jwt" ? "JWT" : "NONE",
        ...(route.auth === "jwt" ? { AuthorizerId: Match.anyValue() } : {}),
      });
    }
  });

  it("integrates each route with the function of its handler (payload 2.0)", () => {
    for (const route of routes) {
      const [, r] = ofType("AWS::ApiGatewayV2::Route").find(
        ([, r]) => r.Properties.RouteKey === route.routeKey,
      )!;
      const target = r.Properties.Target as { "Fn::Join": [string, [string, { Ref: string }]] };
      const integration = resources[target["Fn::Join"][1][1].Ref]!;
      expect(integration.Properties.PayloadFormatVersion).toBe("2.0");
      const fnId = (integration.Properties.IntegrationUri as { "Fn::GetAtt": [string, string] })[
        "Fn::GetAtt"
      ][0];
      expect(resources[fnId]?.Metadata?.["spot:handler"], route.routeKey).toBe(route.handler);
    }
  });

  it("checks Cognito ID tokens: issuer of the user pool, audience the app client", () => {
    template.resourceCountIs("AWS::ApiGatewayV2::Authorizer", 1);
    const [poolId] = ofType("AWS::Cognito::UserPool")[0]!;
    const [clientId] = ofType("AWS::Cognito::UserPoolClient")[0]!;
    template.hasResourceProperties("AWS::ApiGatewayV2::Authorizer", {
      AuthorizerType: "JWT",
      IdentitySource: ["$request.header.Authorization"],
      JwtConfiguration: {
        Audience: [{ Ref: clientId }],
        Issuer: {
          "Fn::Join": [
            "",
            [
              "https://cognito-idp.",
              { Ref: "AWS::Region" },
              ".",
              { Ref: "AWS::URLSuffix" },
              "/",
              { Ref: poolId },
            ],
          ],
        },
      },
    });
  });

  it("serves a throttled, access-logged $default stage and allows the contract's CORS headers", () => {
    template.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      StageName: "$default",
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp("context.requestId"),
      },
    });
    template.hasResourceProperties("AWS::ApiGatewayV2::Api", {
      ProtocolType: "HTTP",
      CorsConfiguration: Match.objectLike({
        AllowHeaders: Match.arrayWith(["Authorization", "Content-Type", "Idempotency-Key"]),
        // A file the API serves (an import template) keeps its name for a console on another origin.
        // … and a shed request's Retry-After, which the console honours.
        ExposeHeaders: ["Content-Disposition", "Retry-After"],
      }),
    });
  });

  it("outputs the API URL, the user pool id and the app client id", () => {
    for (const name of ["ApiUrl", "UserPoolId", "UserPoolClientId"]) template.hasOutput(name, {});
  });
});

describe("grants", () => {
  it("lets only the change relay and the outbox job start executions; no route talks to Step Functions", () => {
    const starters = new Set<string>([
      changeRelay.handler,
      ...Object.values(scheduledJobs)
        .filter((j) => "startsExecutions" in j && j.startsExecutions)
        .map((j) => j.handler),
    ]);
    for (const [handler, [, fn]] of functionsByHandler()) {
      expect(actionsOf(fn).includes("states:StartExecution"), handler).toBe(starters.has(handler));
      expect("STATE_MACHINE_ARN" in envOf(fn) || !starters.has(handler), handler).toBe(true);
    }
    for (const route of routes) {
      const [, fn] = functionsByHandler().get(route.handler)!;
      expect(
        actionsOf(fn).filter((a) => a.startsWith("states:")),
        route.handler,
      ).toEqual([]);
      expect(envOf(fn), route.handler).not.toHaveProperty("STATE_MACHINE_ARN");
    }
  });

  it("lets the change relay, the callback task and the resume job send task success/failure", () => {
    const resumers = new Set<string>([
      changeRelay.handler,
      ...[...Object.values(workflowTasks), ...Object.values(scheduledJobs)]
        .filter((t) => "completesCallbacks" in t && t.completesCallbacks)
        .map((t) => t.handler),
    ]);
    for (const [handler, [, fn]] of functionsByHandler()) {
      expect(actionsOf(fn).includes("states:SendTaskSuccess"), handler).toBe(resumers.has(handler));
    }
  });

  it("feeds the change relay from the table's stream, filtered on the changes it relays, with partial batch failures and a failure queue", () => {
    const [relayId] = functionsByHandler().get(changeRelay.handler)!;
    const mappings = ofType("AWS::Lambda::EventSourceMapping");
    expect(mappings).toHaveLength(1);
    const [, mapping] = mappings[0]!;
    expect(mapping.Properties).toMatchObject({
      FunctionName: { Ref: relayId },
      EventSourceArn: { "Fn::GetAtt": [expect.stringMatching(/Table/), "StreamArn"] },
      StartingPosition: "TRIM_HORIZON",
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      DestinationConfig: { OnFailure: { Destination: { "Fn::GetAtt": [expect.any(String), "Arn"] } } },
    });
    const filters = (mapping.Properties.FilterCriteria as { Filters: { Pattern: string }[] }).Filters;
    expect(filters.map((f) => JSON.parse(f.Pattern))).toEqual(relayedChanges);
    // Findings, report and review transitions, the draw's outbox entry, an extended open order.
    expect(filters).toHaveLength(5);
  });

  it("grants the callback task SendTask* on the ARN of the named state machine", () => {
    template.hasResourceProperties("AWS::StepFunctions::StateMachine", {
      StateMachineName: "SpotInspections-inspection",
    });
    const [, fn] = functionsByHandler().get(workflowTasks.registerCallback.handler)!;
    const statement = statementsOf(fn).find((s) =>
      JSON.stringify(s.Action).includes("states:SendTaskSuccess"),
    )!;
    expect(JSON.stringify(statement.Resource)).toContain(":stateMachine:SpotInspections-inspection");
  });

  it("lets only the publishing tasks, routes and the relay publish to the topic, with NOTIFY_TOPIC_ARN", () => {
    const publishers = new Set<string>(
      [...Object.values(workflowTasks), changeRelay, ...(routes as readonly RouteSpec[])]
        .filter((t) => "publishes" in t && t.publishes)
        .map((t) => t.handler),
    );
    expect(publishers.size).toBeGreaterThan(0);
    for (const [handler, [, fn]] of functionsByHandler()) {
      expect(actionsOf(fn).includes("sns:Publish"), handler).toBe(publishers.has(handler));
      expect("NOTIFY_TOPIC_ARN" in envOf(fn), handler).toBe(publishers.has(handler));
    }
  });

  it("gives every function that uses the table item access to it and its named indexes (no Scan, no wildcards), and the others none", () => {
    const withoutTable: string[] = (routes as readonly RouteSpec[])
      .filter((r) => r.table === false)
      .map((r) => r.handler);
    expect(withoutTable.sort()).toEqual(["imports/get-template", "meta/health", "meta/openapi"]);
    for (const [handler, [, fn]] of functionsByHandler()) {
      const dynamo = statementsOf(fn).filter((s) => JSON.stringify(s.Action).includes("dynamodb:"));
      if (withoutTable.includes(handler)) {
        expect(dynamo, handler).toEqual([]);
        expect(envOf(fn).TABLE_NAME, handler).toBeUndefined();
        continue;
      }
      if (handler === changeRelay.handler) {
        // Besides item access: reading the change stream (the event source mapping uses the role).
        const stream = dynamo.filter((s) => JSON.stringify(s.Resource).includes("StreamArn"));
        expect(stream.flatMap((s) => s.Action).sort()).toEqual([
          "dynamodb:DescribeStream",
          "dynamodb:GetRecords",
          "dynamodb:GetShardIterator",
        ]);
        const listing = dynamo.filter((s) => s.Resource === "*");
        expect(listing.map((s) => s.Action)).toEqual(["dynamodb:ListStreams"]);
        dynamo.splice(0, dynamo.length, ...dynamo.filter((s) => !stream.includes(s) && !listing.includes(s)));
      }
      expect(dynamo, handler).toHaveLength(1);
      expect(envOf(fn).TABLE_NAME, handler).toEqual({ Ref: expect.stringMatching(/Table/) });
      expect([...(dynamo[0]!.Action as string[])].sort(), handler).toEqual([
        "dynamodb:BatchGetItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:ConditionCheckItem",
        "dynamodb:DeleteItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:Query",
        "dynamodb:UpdateItem",
      ]);
      const resourcesJson = JSON.stringify(dynamo[0]!.Resource);
      for (const index of ["GSI1", "GSI2", "GSI3"]) expect(resourcesJson).toContain(`/index/${index}`);
      expect(resourcesJson).not.toContain("*");
    }
  });

  it("has no IAM statement allowing Action '*' or a service wildcard", () => {
    for (const [id, policy] of ofType("AWS::IAM::Policy")) {
      const statements = (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
      for (const s of statements) {
        const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
        expect(
          actions.filter((a) => a === "*" || a.endsWith(":*")),
          id,
        ).toEqual([]);
      }
    }
  });

  it("allows Resource '*' only for X-Ray, CloudWatch Logs delivery and DynamoDB ListStreams (no resource-level permissions)", () => {
    for (const [id, policy] of ofType("AWS::IAM::Policy")) {
      const statements = (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
      for (const s of statements.filter((s) => s.Resource === "*")) {
        const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
        expect(
          actions.filter(
            (a) =>
              !/^xray:/.test(a) &&
              !/^logs:(\w+LogDeliver\w*|\w+ResourcePolic\w+|DescribeLogGroups)$/.test(a) &&
              a !== "dynamodb:ListStreams",
          ),
          id,
        ).toEqual([]);
      }
    }
  });
});

describe("identity", () => {
  it("has an admin-only user pool with optional TOTP MFA, a strong password policy and custom:unitId", () => {
    template.hasResourceProperties("AWS::Cognito::UserPool", {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: "OPTIONAL",
      EnabledMfas: ["SOFTWARE_TOKEN_MFA"],
      Policies: {
        PasswordPolicy: Match.objectLike({
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        }),
      },
      Schema: Match.arrayWith([
        Match.objectLike({ Name: "unitId", AttributeDataType: "String", Mutable: true }),
      ]),
    });
  });

  it("has one group per role", () => {
    template.resourceCountIs("AWS::Cognito::UserPoolGroup", 5);
    for (const group of ["admin", "organizer", "inspector", "unit", "official"]) {
      template.hasResourceProperties("AWS::Cognito::UserPoolGroup", { GroupName: group });
    }
  });

  it("has a secret-less app client for password sign-in that cannot write custom:unitId, with 5-minute tokens", () => {
    template.hasResourceProperties("AWS::Cognito::UserPoolClient", {
      GenerateSecret: false,
      WriteAttributes: Match.not(Match.arrayWith(["custom:unitId"])),
      EnableTokenRevocation: true,
    });
    const [, client] = ofType("AWS::Cognito::UserPoolClient")[0]!;
    // The console signs in with username and password (the same calls against the local user pool).
    expect([...(client.Properties.ExplicitAuthFlows as string[])].sort()).toEqual([
      "ALLOW_REFRESH_TOKEN_AUTH",
      "ALLOW_USER_PASSWORD_AUTH",
      "ALLOW_USER_SRP_AUTH",
    ]);
    // A disabled person's tokens stop working within 5 minutes: ID and access tokens live 5 minutes.
    expect(client.Properties).toMatchObject({
      IdTokenValidity: 5,
      AccessTokenValidity: 5,
      TokenValidityUnits: { IdToken: "minutes", AccessToken: "minutes" },
    });
  });

  it("lets only the people routes administer accounts, with exactly the admin calls they make, on this pool", () => {
    const fns = functionsByHandler();
    for (const route of routes as readonly RouteSpec[]) {
      const actions = actionsOf(fns.get(route.handler)?.[1] as Resource).filter((a) =>
        a.startsWith("cognito-idp:"),
      );
      if (route.identity)
        expect(actions.sort(), route.routeKey).toEqual(ACCOUNT_ADMIN_ACTIONS.map((a) => `cognito-idp:${a}`));
      else expect(actions, route.routeKey).toEqual([]);
    }
  });

  it("lets the import runner administer accounts with the same calls as the people routes, on this pool", () => {
    const [, fn] = functionsByHandler().get(importRunner.handler)!;
    const statements = statementsOf(fn).filter((s) => JSON.stringify(s.Action).includes("cognito-idp:"));
    expect(statements.flatMap((s) => s.Action).sort()).toEqual(
      ACCOUNT_ADMIN_ACTIONS.map((a) => `cognito-idp:${a}`),
    );
    expect(JSON.stringify(statements.map((s) => s.Resource))).toMatch(/UserPool.*Arn/);
    expect(envOf(fn).USER_POOL_ID).toEqual({ Ref: expect.stringMatching(/UserPool/) });
  });
});

describe("notifications, schedule and alarms", () => {
  it("has an SSL-only notification topic encrypted with the AWS-managed SNS key", () => {
    // Two topics: the notices' and the operators' alarms (test/infra/observability.test.ts).
    template.resourceCountIs("AWS::SNS::Topic", 2);
    template.hasResourceProperties("AWS::SNS::Topic", {
      DisplayName: "Spot inspections",
      KmsMasterKeyId: Match.objectLike({ "Fn::Join": ["", Match.arrayWith([":alias/aws/sns"])] }),
    });
    template.hasResourceProperties("AWS::SNS::TopicPolicy", {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        ]),
      }),
    });
  });

  it("runs each scheduled job on its rate", () => {
    const fns = functionsByHandler();
    for (const job of Object.values(scheduledJobs)) {
      const [fnId] = fns.get(job.handler)!;
      template.hasResourceProperties("AWS::Events::Rule", {
        ScheduleExpression: `rate(${job.rateMinutes} minutes)`,
        Targets: [Match.objectLike({ Arn: { "Fn::GetAtt": [fnId, "Arn"] } })],
      });
    }
  });

  it("alarms on any failed or timed-out execution within 5 minutes", () => {
    for (const metric of ["ExecutionsFailed", "ExecutionsTimedOut"]) {
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        Namespace: "AWS/States",
        MetricName: metric,
        Statistic: "Sum",
        Period: 300,
        Threshold: 1,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
      });
    }
  });
});
