import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import {
  type Alarm,
  ComparisonOperator,
  type Metric,
  Stats,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import { Grant } from "aws-cdk-lib/aws-iam";
import { type CfnFunction, FilterCriteria, StartingPosition } from "aws-cdk-lib/aws-lambda";
import { DynamoEventSource, SqsDlq } from "aws-cdk-lib/aws-lambda-event-sources";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import {
  Choice,
  Condition,
  DefinitionBody,
  type IChainable,
  IntegrationPattern,
  JitterType,
  JsonPath,
  LogLevel,
  Map as MapState,
  Pass,
  type RetryProps,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  Timeout,
} from "aws-cdk-lib/aws-stepfunctions";
import { LambdaInvoke } from "aws-cdk-lib/aws-stepfunctions-tasks";
import { Construct } from "constructs";
import {
  ASSIGNMENT_PHASE,
  type AssignmentPhaseName,
  type AssignmentStep,
  type CallbackKind,
  ORDER_PHASE,
  type OrderPhaseName,
  type OrderStep,
  STATE_NAMES,
  STEP_CHANGED,
  WORKFLOW_TASKS,
  type WorkflowTask,
} from "../../lambdas/workflow/contract";
import { relayedChanges } from "../../lambdas/workflow/relay";
import { changeRelay, scheduledJobs, type TaskSpec, workflowTasks } from "../../lambdas/workflow/tasks";
import type { InspectionTable } from "./data-store";
import { InspectionFunction } from "./inspection-function";

export type ScheduledJob = keyof typeof scheduledJobs;

/** The retry of every non-callback task: the handlers throw `TransientDependencyError` for throttling and conflicts. */
const TRANSIENT_RETRY: RetryProps = {
  errors: ["TransientDependencyError"],
  interval: Duration.seconds(1),
  maxAttempts: 6,
  backoffRate: 2,
  jitterStrategy: JitterType.FULL,
};

/** Properties of {@link InspectionWorkflow}. */
export interface InspectionWorkflowProps {
  /** The table every task and job reads and writes (`TABLE_NAME`). */
  readonly table: InspectionTable;
  /** Where the `publishes` tasks send notices, reminders and escalations (`NOTIFY_TOPIC_ARN`). */
  readonly topic: ITopic;
  /**
   * Name of the state machine. It is fixed (not generated) so that the callback-completing task functions
   * can be granted `states:SendTask*` on its ARN without a dependency cycle.
   * @default `${stackName}-inspection`
   */
  readonly stateMachineName?: string;
  /**
   * Timeout of the task functions.
   * @default Duration.seconds(30)
   */
  readonly taskTimeout?: Duration;
  /**
   * Timeout of the scheduled job functions.
   * @default Duration.seconds(60)
   */
  readonly jobTimeout?: Duration;
}

/**
 * Stateless: the Step Functions STANDARD state machine that drives one assignment from dispatch to
 * close (findings or missed, then the rectification orders in an inline Map), its task functions
 * (one per `workflowTasks` entry), the scheduled jobs (one per `scheduledJobs` entry) and the alarms on
 * failed and timed-out executions.
 */
export class InspectionWorkflow extends Construct {
  /** The state machine. */
  readonly stateMachine: StateMachine;
  /** One function per `workflowTasks` entry. */
  readonly taskFunctions: Readonly<Record<WorkflowTask, InspectionFunction>>;
  /** One function per `scheduledJobs` entry. */
  readonly jobFunctions: Readonly<Record<ScheduledJob, InspectionFunction>>;
  /** The change relay: resumes callback tasks and starts executions from the table's change stream. */
  readonly relayFunction: InspectionFunction;
  /** Where the stream puts the position of changes the relay failed on after every retry. */
  readonly relayFailures: Queue;
  /**
   * Alarms: at least one failed / timed-out execution in 5 minutes; a change the relay gave up on
   * (its workflow then waits for the scheduled sweeps or its own timer).
   */
  readonly alarms: {
    readonly executionsFailed: Alarm;
    readonly executionsTimedOut: Alarm;
    readonly relayFailed: Alarm;
  };

  private readonly topic: ITopic;

  constructor(scope: Construct, id: string, props: InspectionWorkflowProps) {
    super(scope, id);
    this.topic = props.topic;
    const stack = Stack.of(this);
    const stateMachineName = props.stateMachineName ?? `${stack.stackName}-inspection`;
    const stateMachineArn = stack.formatArn({
      service: "states",
      resource: "stateMachine",
      resourceName: stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    const tasks: Partial<Record<WorkflowTask, InspectionFunction>> = {};
    for (const name of WORKFLOW_TASKS) {
      const spec: TaskSpec = workflowTasks[name];
      const fn = new InspectionFunction(this, `${pascalCase(name)}Function`, {
        handler: spec.handler,
        timeout: props.taskTimeout ?? Duration.seconds(30),
        environment: { TABLE_NAME: props.table.tableName },
      });
      props.table.grantReadWrite(fn);
      if (spec.publishes) {
        props.topic.grantPublish(fn);
        fn.addEnvironment("NOTIFY_TOPIC_ARN", props.topic.topicArn);
      }
      if (spec.completesCallbacks) {
        Grant.addToPrincipal({
          grantee: fn,
          actions: ["states:SendTaskSuccess", "states:SendTaskFailure"],
          resourceArns: [stateMachineArn],
        });
      }
      fn.acknowledgeSynchronousOnly("Step Functions lambda:invoke, RequestResponse");
      tasks[name] = fn;
    }
    this.taskFunctions = tasks as Record<WorkflowTask, InspectionFunction>;

    const logGroup = new LogGroup(this, "StateMachineLogs", {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new StateMachine(this, "StateMachine", {
      stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(buildDefinition(this, this.taskFunctions)),
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    Validations.of(this.stateMachine).acknowledge({
      id: "AwsSolutions-IAM5[Resource::*]",
      reason:
        "X-Ray tracing (xray:PutTraceSegments, GetSamplingRules, etc.) and CloudWatch Logs vended delivery " +
        "(logs:CreateLogDelivery, etc.) support no resource-level permissions.",
    });
    for (const fn of Object.values(this.taskFunctions)) {
      const logicalId = stack.getLogicalId(fn.node.defaultChild as CfnFunction);
      Validations.of(this.stateMachine).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
        reason: `LambdaInvoke grants lambda:InvokeFunction on every version and alias of the ${fn.handlerModule} task function (its ARN with ':*').`,
      });
    }

    const jobs: Partial<Record<ScheduledJob, InspectionFunction>> = {};
    for (const [name, spec] of Object.entries(scheduledJobs) as [
      ScheduledJob,
      (typeof scheduledJobs)[ScheduledJob],
    ][]) {
      const fn = new InspectionFunction(this, `${pascalCase(name)}Function`, {
        handler: spec.handler,
        timeout: props.jobTimeout ?? Duration.seconds(60),
        environment: { TABLE_NAME: props.table.tableName },
      });
      props.table.grantReadWrite(fn);
      this.grantWorkflowAccess(fn, spec);
      const rule = new Rule(this, `${pascalCase(name)}Schedule`, {
        description: `Runs ${spec.handler} every ${spec.rateMinutes} minutes`,
        schedule: Schedule.rate(Duration.minutes(spec.rateMinutes)),
        targets: [
          new LambdaFunction(fn, { retryAttempts: 2, maxEventAge: Duration.minutes(spec.rateMinutes) }),
        ],
      });
      const rerun = `The ${spec.handler} job is an idempotent sweep that runs again every ${spec.rateMinutes} minutes: a failed run is superseded by the next one, so there is nothing to redrive.`;
      Validations.of(fn).acknowledge({ id: "Serverless-LambdaDLQ", reason: rerun });
      Validations.of(rule).acknowledge({ id: "Serverless-EventBusDLQ", reason: rerun });
      jobs[name] = fn;
    }
    this.jobFunctions = jobs as Record<ScheduledJob, InspectionFunction>;

    this.relayFunction = new InspectionFunction(this, "RelayChangesFunction", {
      handler: changeRelay.handler,
      timeout: props.taskTimeout ?? Duration.seconds(30),
      environment: { TABLE_NAME: props.table.tableName },
    });
    props.table.grantReadWrite(this.relayFunction);
    this.grantWorkflowAccess(this.relayFunction, changeRelay);
    this.relayFailures = new Queue(this, "RelayFailures", {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    for (const id of ["AwsSolutions-SQS3", "Serverless-SQSRedrivePolicy"]) {
      Validations.of(this.relayFailures).acknowledge({
        id,
        reason: "This queue is itself the dead-letter destination of the change relay.",
      });
    }
    Validations.of(this.relayFunction).acknowledge({
      id: "Serverless-LambdaDLQ",
      reason:
        "Invoked by a DynamoDB stream event source mapping, whose on-failure destination (RelayFailures) keeps what the relay gave up on; a function dead-letter target applies to asynchronous invocations only.",
    });
    this.relayFunction.addEventSource(
      new DynamoEventSource(props.table.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        // Changes of one item stay in order across the concurrent batches of a shard; the relay
        // settles each against the current state, so order does not matter to it anyway.
        parallelizationFactor: 10,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: 10,
        maxRecordAge: Duration.hours(24),
        filters: relayedChanges.map((pattern) => FilterCriteria.filter(pattern)),
        onFailure: new SqsDlq(this.relayFailures),
      }),
    );

    const alarmOn = (metricId: string, metric: Metric, description: string): Alarm =>
      metric.createAlarm(this, metricId, {
        alarmDescription: description,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    const window = { period: Duration.minutes(5), statistic: Stats.SUM };
    this.alarms = {
      executionsFailed: alarmOn(
        "ExecutionsFailedAlarm",
        this.stateMachine.metricFailed(window),
        "An inspection workflow execution failed.",
      ),
      executionsTimedOut: alarmOn(
        "ExecutionsTimedOutAlarm",
        this.stateMachine.metricTimedOut(window),
        "An inspection workflow execution timed out.",
      ),
      relayFailed: alarmOn(
        "RelayFailedAlarm",
        this.relayFailures.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: Stats.MAXIMUM,
        }),
        "The change relay gave up on a change after every retry: a workflow was not resumed or started.",
      ),
    };
  }

  /** What a job or the relay does to the workflow (its `TaskSpec` flags), granted as exactly that. */
  private grantWorkflowAccess(fn: InspectionFunction, spec: TaskSpec): void {
    if (spec.startsExecutions) {
      this.stateMachine.grantStartExecution(fn);
      fn.addEnvironment("STATE_MACHINE_ARN", this.stateMachine.stateMachineArn);
    }
    if (spec.completesCallbacks) this.stateMachine.grantTaskResponse(fn);
    if (spec.publishes) {
      this.topic.grantPublish(fn);
      fn.addEnvironment("NOTIFY_TOPIC_ARN", this.topic.topicArn);
    }
  }
}

/**
 * The state machine definition (JSONPath). Execution input: `{ "assignmentId": string }`.
 *
 * Every step that moves a record on hands back what comes next as `$.prepared` (a phase and, for a
 * deadline, a timer), and a Choice routes on it: PrepareAssignment reads it at the start (and after
 * a restart), the timer steps (MarkMissed, EscalateOrder) return it, and the change relay hands it to a
 * waiting callback task. A callback succeeds only with its usual successor (`CALLBACK_CONTINUES` in
 * `lambdas/workflow/contract.ts`: findings → NotifyRectificationOrders, report → AwaitReview, accepted
 * review → the order's end) and goes there with no Choice in between; anything else fails it with
 * `StepChanged`, whose cause is the step, and a Pass state puts it back under `$.prepared` for the
 * Choice. NotifyRectificationOrders lists each order with its first step, and each order's iteration
 * of the inline Map starts by waiting for its report. This keeps the state transitions of one
 * inspection — what Step Functions Standard bills — to the ones the process needs.
 */
function buildDefinition(scope: Construct, fns: Readonly<Record<WorkflowTask, InspectionFunction>>) {
  const def = new Construct(scope, "Definition");

  /**
   * Where a step sits in a task's result: a Lambda response's `Payload`, or a callback's output itself.
   * Every field of the contract's `AssignmentStep` / `OrderStep`, and no other.
   */
  const assignmentStepAt = (root: "$.Payload" | "$") =>
    ({
      phase: JsonPath.stringAt(`${root}.phase`),
      timerSeconds: JsonPath.numberAt(`${root}.timerSeconds`),
      orders: JsonPath.listAt(`${root}.orders`),
    }) satisfies Record<keyof AssignmentStep, unknown>;
  const orderStepAt = (root: "$.Payload" | "$") =>
    ({
      phase: JsonPath.stringAt(`${root}.phase`),
      timerSeconds: JsonPath.numberAt(`${root}.timerSeconds`),
      deadline: JsonPath.stringAt(`${root}.deadline`),
    }) satisfies Record<keyof OrderStep, unknown>;
  const phaseIs = (phase: string) => Condition.stringEquals("$.prepared.phase", phase);

  const invoke = (
    name: string,
    task: WorkflowTask,
    payload: Record<string, unknown>,
    result: { selector: Record<string, unknown>; path: string } | undefined,
  ) =>
    new LambdaInvoke(def, name, {
      lambdaFunction: fns[task],
      payload: TaskInput.fromObject(payload),
      retryOnServiceExceptions: true,
      ...(result
        ? { resultSelector: result.selector, resultPath: result.path }
        : { resultPath: JsonPath.DISCARD }),
    }).addRetry(TRANSIENT_RETRY);

  const awaitCallback = (
    name: string,
    kind: CallbackKind,
    idPath: string,
    selector: Record<string, unknown>,
    timed: boolean,
  ) =>
    new LambdaInvoke(def, name, {
      lambdaFunction: fns.registerCallback,
      integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: TaskInput.fromObject({
        kind,
        id: JsonPath.stringAt(idPath),
        taskToken: JsonPath.taskToken,
        // A report wait's timer is armed for the order's deadline; an extension makes it stale.
        ...(kind === "report" ? { armedFor: JsonPath.stringAt("$.prepared.deadline") } : {}),
      }),
      retryOnServiceExceptions: true,
      resultSelector: selector,
      resultPath: "$.prepared",
      ...(timed ? { taskTimeout: Timeout.at("$.prepared.timerSeconds") } : {}),
      // Registering the token is idempotent, so a throttled registration is simply tried again.
    }).addRetry(TRANSIENT_RETRY);

  const assignmentId = { assignmentId: JsonPath.stringAt("$.assignmentId") };
  const rectificationId = { rectificationId: JsonPath.stringAt("$.rectificationId") };
  const toAssignmentStep = { selector: assignmentStepAt("$.Payload"), path: "$.prepared" };
  const toOrderStep = { selector: orderStepAt("$.Payload"), path: "$.prepared" };

  // The assignment.
  const prepareAssignment = invoke(
    STATE_NAMES.prepareAssignment,
    "prepareAssignment",
    assignmentId,
    toAssignmentStep,
  );
  const routeAssignment = new Choice(def, STATE_NAMES.routeAssignment);
  const awaitFindings = awaitCallback(
    STATE_NAMES.awaitFindings,
    "findings",
    "$.assignmentId",
    assignmentStepAt("$"),
    true,
  );
  const markMissed = invoke(STATE_NAMES.markMissed, "markMissed", assignmentId, toAssignmentStep);
  const notifyOrders = invoke(STATE_NAMES.notifyOrders, "notifyOrders", assignmentId, {
    selector: { orders: JsonPath.listAt("$.Payload.orders") },
    path: "$.followUp",
  });
  const closeAssignment = invoke(STATE_NAMES.closeAssignment, "closeAssignment", assignmentId, undefined);
  const followUpOrders = new MapState(def, STATE_NAMES.followUpOrders, {
    itemsPath: "$.followUp.orders",
    itemSelector: {
      rectificationId: JsonPath.stringAt("$$.Map.Item.Value.rectificationId"),
      prepared: JsonPath.objectAt("$$.Map.Item.Value.prepared"),
    },
    resultPath: JsonPath.DISCARD,
  });

  // One rectification order (the Map's item processor). It starts waiting for the report at once;
  // a callback that hands over a step other than its usual successor fails with StepChanged, and
  // ReadOrderStep puts that step where RouteOrder looks for it.
  const routeOrder = new Choice(def, STATE_NAMES.routeOrder);
  const awaitReport = awaitCallback(
    STATE_NAMES.awaitReport,
    "report",
    "$.rectificationId",
    orderStepAt("$"),
    true,
  );
  // Steps without a deadline still wait with a timer (a week): if a resume was lost, the workflow
  // re-reads the order when it fires and moves on by itself.
  const awaitReportEscalated = awaitCallback(
    STATE_NAMES.awaitReportEscalated,
    "report",
    "$.rectificationId",
    orderStepAt("$"),
    true,
  );
  const awaitReview = awaitCallback(
    STATE_NAMES.awaitReview,
    "review",
    "$.rectificationId",
    orderStepAt("$"),
    true,
  );
  const escalateOrder = invoke(STATE_NAMES.escalateOrder, "escalateOrder", rectificationId, toOrderStep);
  const readOrderStep = new Pass(def, STATE_NAMES.readOrderStep, {
    parameters: { ...rectificationId, prepared: JsonPath.stringToJson(JsonPath.stringAt("$.changed.Cause")) },
  });

  // Every phase of an order has its state (the type says so); `closed` ends the iteration.
  const orderRoutes: Record<Exclude<OrderPhaseName, typeof ORDER_PHASE.closed>, IChainable> = {
    [ORDER_PHASE.awaitReportUntil]: awaitReport,
    [ORDER_PHASE.awaitReport]: awaitReportEscalated,
    [ORDER_PHASE.awaitReview]: awaitReview,
    [ORDER_PHASE.escalate]: escalateOrder,
  };
  for (const [phase, next] of Object.entries(orderRoutes)) routeOrder.when(phaseIs(phase), next);
  routeOrder.otherwise(new Succeed(def, STATE_NAMES.orderClosed));
  for (const wait of [awaitReport, awaitReportEscalated, awaitReview]) {
    wait.addCatch(escalateOrder, { errors: ["States.Timeout"], resultPath: JsonPath.DISCARD });
    wait.addCatch(readOrderStep, { errors: [STEP_CHANGED], resultPath: "$.changed" });
  }
  // A report is followed by its review (回头看); an accepted review ends the order (销号).
  awaitReport.next(awaitReview);
  awaitReportEscalated.next(awaitReview);
  readOrderStep.next(routeOrder);
  escalateOrder.next(routeOrder);
  followUpOrders.itemProcessor(awaitReport);

  prepareAssignment.next(routeAssignment);
  // Every phase of an assignment has its state; `done` ends the execution.
  const assignmentRoutes: Record<Exclude<AssignmentPhaseName, typeof ASSIGNMENT_PHASE.done>, IChainable> = {
    [ASSIGNMENT_PHASE.awaitFindings]: awaitFindings,
    [ASSIGNMENT_PHASE.markMissed]: markMissed,
    [ASSIGNMENT_PHASE.followUp]: notifyOrders,
  };
  for (const [phase, next] of Object.entries(assignmentRoutes)) routeAssignment.when(phaseIs(phase), next);
  routeAssignment.otherwise(new Succeed(def, STATE_NAMES.inspectionDone));
  const readAssignmentStep = new Pass(def, STATE_NAMES.readAssignmentStep, {
    parameters: { ...assignmentId, prepared: JsonPath.stringToJson(JsonPath.stringAt("$.changed.Cause")) },
  });
  awaitFindings.addCatch(markMissed, { errors: ["States.Timeout"], resultPath: JsonPath.DISCARD });
  awaitFindings.addCatch(readAssignmentStep, { errors: [STEP_CHANGED], resultPath: "$.changed" });
  // Findings with issues go straight on to the orders' follow-up.
  awaitFindings.next(notifyOrders);
  readAssignmentStep.next(routeAssignment);
  markMissed.next(routeAssignment);
  notifyOrders.next(followUpOrders);
  followUpOrders.next(closeAssignment);

  return prepareAssignment;
}

function pascalCase(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
