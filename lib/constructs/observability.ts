import { Duration, Stack } from "aws-cdk-lib";
import {
  type Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  SingleValueWidget,
  Stats,
  TextWidget,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import { Topic } from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import {
  BUSINESS_EVENTS,
  type BusinessEvent,
  METRICS_NAMESPACE,
  METRICS_SERVICE,
} from "../../lambdas/shared/business-metrics";
import type { BucketUploadHandler } from "./bucket-upload-handler";
import type { InspectionHttpApi } from "./http-api";
import type { InspectionFunction } from "./inspection-function";
import type { InspectionWorkflow } from "./workflow";

/** Properties of {@link InspectionObservability}. */
export interface InspectionObservabilityProps {
  /** The HTTP API: its 5xx and latency are graphed and alarmed on. */
  readonly api: InspectionHttpApi;
  /** The workflow: its executions graphed, its alarms shown and routed; its functions' errors alarmed. */
  readonly workflow: InspectionWorkflow;
  /** Functions run by the bucket's uploads: their errors and given-up uploads alarmed. */
  readonly uploadHandlers: readonly BucketUploadHandler[];
  /**
   * API p99 latency (ms) that, held for three 5-minute periods, raises the latency alarm.
   * @default 2500
   */
  readonly apiLatencyP99Ms?: number;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * Stateless: one CloudWatch dashboard and the alarms of the whole system, every alarm routed to an
 * operators' SNS topic (subscriptions are added outside this stack, as for the notices topic).
 *
 * Alarms: any API 5xx in 5 minutes (a 4xx is the caller's, and bad input never gets a 500); API p99
 * latency over the threshold for 15 minutes; any error of a function that no API request waits on (the
 * workflow's tasks, the scheduled jobs, the change relay, the upload handlers: an API function's
 * error is already a 5xx); any Lambda throttling in the region (the functions share the account's
 * concurrency: none reserves its own); and the workflow's and upload handlers' own alarms.
 *
 * The dashboard: API requests, errors and latency; Lambda errors, throttles and concurrency (every
 * function of the stack, found by name); the business metrics the handlers emit (`lambdas/shared/metrics.ts`);
 * the workflow's executions; and the state of every alarm.
 */
export class InspectionObservability extends Construct {
  /** The operators' topic every alarm notifies. */
  readonly alarmTopic: Topic;
  /** The dashboard. */
  readonly dashboard: Dashboard;
  /** The alarms made here (the workflow's and upload handlers' own alarms are routed, not remade). */
  readonly alarms: {
    readonly apiServerErrors: Alarm;
    readonly apiLatency: Alarm;
    readonly lambdaThrottles: Alarm;
    /** One per function no API request waits on, keyed by its handler module. */
    readonly functionErrors: ReadonlyMap<string, Alarm>;
  };

  constructor(scope: Construct, id: string, props: InspectionObservabilityProps) {
    super(scope, id);
    const stack = Stack.of(this);

    // CloudWatch cannot publish to a topic under the AWS-managed SNS key: its key policy cannot grant
    // the CloudWatch service, so the topic has its own key.
    const key = new Key(this, "AlarmTopicKey", {
      description: `${stack.stackName}: the operators' alarm topic`,
      enableKeyRotation: true,
    });
    key.grant(new ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*");
    this.alarmTopic = new Topic(this, "AlarmTopic", {
      displayName: "Spot inspections alarms",
      enforceSSL: true,
      masterKey: key,
    });

    const http = props.api.httpApi;
    const alarm = (
      alarmId: string,
      metric: Metric,
      description: string,
      options: { threshold?: number; periods?: number } = {},
    ): Alarm =>
      metric.createAlarm(this, alarmId, {
        alarmDescription: description,
        threshold: options.threshold ?? 1,
        evaluationPeriods: options.periods ?? 1,
        datapointsToAlarm: options.periods ?? 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });

    const latencyMs = props.apiLatencyP99Ms ?? 2500;
    const apiServerErrors = alarm(
      "ApiServerErrorsAlarm",
      http.metricServerError({ period: FIVE_MINUTES, statistic: Stats.SUM }),
      "The HTTP API answered 5xx: a handler failed or a dependency was unavailable (bad input is a 4xx).",
    );
    const apiLatency = alarm(
      "ApiLatencyAlarm",
      http.metricLatency({ period: FIVE_MINUTES, statistic: Stats.p(99) }),
      `The HTTP API's p99 latency stayed at or above ${latencyMs} ms for 15 minutes.`,
      { threshold: latencyMs, periods: 3 },
    );
    // Lambda's regional aggregate (no dimension): throttling is about the account's shared concurrency.
    const regionalThrottles = new Metric({
      namespace: "AWS/Lambda",
      metricName: "Throttles",
      period: FIVE_MINUTES,
      statistic: Stats.SUM,
    });
    const lambdaThrottles = alarm(
      "LambdaThrottlesAlarm",
      regionalThrottles,
      "Lambda throttled invocations in this region: the account's concurrency is exhausted.",
    );

    const background: InspectionFunction[] = [
      ...Object.values<InspectionFunction>(props.workflow.taskFunctions),
      ...Object.values<InspectionFunction>(props.workflow.jobFunctions),
      props.workflow.relayFunction,
      ...props.uploadHandlers.map((h) => h.function),
    ];
    const functionErrors = new Map<string, Alarm>();
    for (const fn of background) {
      const alarmId = `${fn.node.scope?.node.id ?? ""}${fn.node.id}ErrorsAlarm`;
      functionErrors.set(
        fn.handlerModule,
        alarm(
          alarmId,
          fn.metricErrors({ period: FIVE_MINUTES, statistic: Stats.SUM }),
          `The ${fn.handlerModule} function failed (no API request waits on it: its caller retries).`,
        ),
      );
    }
    this.alarms = { apiServerErrors, apiLatency, lambdaThrottles, functionErrors };

    const routed: Alarm[] = [
      apiServerErrors,
      apiLatency,
      lambdaThrottles,
      ...functionErrors.values(),
      props.workflow.alarms.executionsFailed,
      props.workflow.alarms.executionsTimedOut,
      props.workflow.alarms.relayFailed,
      ...props.uploadHandlers.map((h) => h.failedAlarm),
    ];
    const action = new SnsAction(this.alarmTopic);
    for (const a of routed) a.addAlarmAction(action);

    // Every function of the stack, found by name (CloudFormation names them `<stack>-<id>-<suffix>`).
    const lambdaSearch = (metricName: string, statistic: string, label: string) =>
      new MathExpression({
        expression: `SEARCH('{AWS/Lambda,FunctionName} MetricName="${metricName}" ${stack.stackName}', '${statistic}', 300)`,
        label,
        period: FIVE_MINUTES,
        usingMetrics: {},
      });
    const business = (name: BusinessEvent) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: name,
        dimensionsMap: { service: METRICS_SERVICE },
        statistic: Stats.SUM,
        period: Duration.hours(1),
        label: `${name} ${BUSINESS_EVENTS[name]}`,
      });
    const events = Object.keys(BUSINESS_EVENTS) as BusinessEvent[];
    const sm = props.workflow.stateMachine;

    this.dashboard = new Dashboard(this, "Dashboard", {
      dashboardName: stack.stackName,
      defaultInterval: Duration.days(1),
      widgets: [
        [
          new TextWidget({
            markdown: `# ${stack.stackName} 四不两直督查\nAPI, functions, workflow and the business counts (per hour). Alarms notify the operators' topic.`,
            width: 24,
            height: 2,
          }),
        ],
        [new AlarmStatusWidget({ title: "Alarms", alarms: routed, width: 24, height: 4 })],
        [
          new GraphWidget({
            title: "API requests and errors (per 5 minutes)",
            left: [
              http.metricCount({ period: FIVE_MINUTES, statistic: Stats.SUM, label: "requests" }),
              http.metricClientError({ period: FIVE_MINUTES, statistic: Stats.SUM, label: "4xx" }),
              http.metricServerError({ period: FIVE_MINUTES, statistic: Stats.SUM, label: "5xx" }),
            ],
            width: 12,
          }),
          new GraphWidget({
            title: "API latency (ms)",
            left: [Stats.p(50), Stats.p(90), Stats.p(99)].map((statistic) =>
              http.metricLatency({ period: FIVE_MINUTES, statistic, label: statistic }),
            ),
            leftAnnotations: [{ value: latencyMs, label: "p99 alarm" }],
            width: 12,
          }),
        ],
        [
          new GraphWidget({
            title: "Lambda errors by function",
            left: [lambdaSearch("Errors", "Sum", "")],
            width: 8,
          }),
          new GraphWidget({
            title: "Lambda throttles by function",
            left: [lambdaSearch("Throttles", "Sum", "")],
            width: 8,
          }),
          new GraphWidget({
            title: "Lambda concurrency (region)",
            left: [
              new Metric({
                namespace: "AWS/Lambda",
                metricName: "ConcurrentExecutions",
                period: FIVE_MINUTES,
                statistic: Stats.MAXIMUM,
                label: "concurrent executions",
              }),
            ],
            width: 8,
          }),
        ],
        [
          new GraphWidget({
            title: "Business events (per hour)",
            left: events.map(business),
            width: 16,
          }),
          new SingleValueWidget({
            title: "Business events (over the time range)",
            metrics: events.map((name) => business(name).with({ period: Duration.days(1) })),
            setPeriodToTimeRange: true,
            width: 8,
          }),
        ],
        [
          new GraphWidget({
            title: "Workflow executions (per 5 minutes)",
            left: [
              sm.metricStarted({ period: FIVE_MINUTES, statistic: Stats.SUM, label: "started" }),
              sm.metricSucceeded({ period: FIVE_MINUTES, statistic: Stats.SUM, label: "succeeded" }),
              sm.metricFailed({ period: FIVE_MINUTES, statistic: Stats.SUM, label: "failed" }),
              sm.metricTimedOut({ period: FIVE_MINUTES, statistic: Stats.SUM, label: "timed out" }),
            ],
            width: 12,
          }),
          new GraphWidget({
            title: "Changes the relay gave up on",
            left: [
              props.workflow.relayFailures.metricApproximateNumberOfMessagesVisible({
                period: FIVE_MINUTES,
                statistic: Stats.MAXIMUM,
                label: "relay failures queued",
              }),
            ],
            width: 12,
          }),
        ],
      ],
    });
  }
}
