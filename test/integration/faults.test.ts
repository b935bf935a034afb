import { SendTaskFailureCommand, SendTaskSuccessCommand, StartExecutionCommand } from "@aws-sdk/client-sfn";
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { type AwsStub, mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { LocalSystem } from "../../lib/local/system";
import { Api, eventually, isoIn } from "../support/api";
import { tempDataDir } from "../support/local";
import { buildWorld, drawOne, type World } from "../support/scenario";
import { startTestSystem } from "../support/system";

/**
 * Injected faults (aws-sdk-client-mock on the handlers' own clients, every other call passing
 * through to DynamoDB Local and the local Step Functions): the system retries or surfaces each
 * fault, never loses an accepted request, and leaves nothing stuck. Each test's name says how it
 * recovers.
 */
let system: LocalSystem;
let world: World;
let aws: typeof import("../../lambdas/shared/aws");
let sfn: typeof import("../../lambdas/shared/sfn");
let dynamoMock: AwsStub<any, any, any> | undefined;
let sfnMock: AwsStub<any, any, any> | undefined;

const awsError = (name: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(name), { name, ...extra });

/** Mocks the shared document client; every command not given a fault goes to DynamoDB Local. */
function mockDynamo(
  configure: (mock: AwsStub<any, any, any>, real: (command: object) => Promise<unknown>) => void,
) {
  const real = aws.documentClient.send.bind(aws.documentClient) as (command: object) => Promise<unknown>;
  const mock = mockClient(aws.documentClient) as unknown as AwsStub<any, any, any>;
  for (const Command of [
    GetCommand,
    PutCommand,
    UpdateCommand,
    DeleteCommand,
    QueryCommand,
    BatchGetCommand,
    BatchWriteCommand,
    TransactWriteCommand,
  ]) {
    mock
      .on(Command as never)
      .callsFake((input: object) => real(new (Command as new (i: object) => object)(input)));
  }
  configure(mock, real);
  dynamoMock = mock;
}

function mockSfn(
  configure: (mock: AwsStub<any, any, any>, real: (command: object) => Promise<unknown>) => void,
) {
  const real = sfn.sfnClient.send.bind(sfn.sfnClient) as (command: object) => Promise<unknown>;
  const mock = mockClient(sfn.sfnClient) as unknown as AwsStub<any, any, any>;
  // Every command the handlers send passes through unless a test gives it a fault (an unlisted one
  // would silently answer undefined instead of reaching the local state machine).
  for (const Command of [SendTaskSuccessCommand, SendTaskFailureCommand, StartExecutionCommand]) {
    mock
      .on(Command as never)
      .callsFake((input: object) => real(new (Command as new (i: object) => object)(input)));
  }
  configure(mock, real);
  sfnMock = mock;
}

beforeAll(async () => {
  const dataDir = tempDataDir("faults");
  system = await startTestSystem({ dataDir });
  aws = await import("../../lambdas/shared/aws");
  sfn = await import("../../lambdas/shared/sfn");
  world = await buildWorld(new Api(system.url, dataDir), "x");
});

afterEach(() => {
  dynamoMock?.restore();
  sfnMock?.restore();
  dynamoMock = undefined;
  sfnMock = undefined;
});

afterAll(async () => {
  await system?.stop();
});

async function openOrder(deadlineInMs = 7 * 86400_000) {
  const { assignment } = await drawOne(world, { candidateUnitIds: [world.units.yatai] });
  const team = world.inspectorFor(assignment);
  await team.post(`/assignments/${assignment.assignmentId}/arrival`, { location: { lat: 34.7, lng: 113.7 } });
  const findings = await team.post(`/assignments/${assignment.assignmentId}/findings`, {
    items: [],
    issues: [{ description: "消杀记录不详", severity: "major", deadline: isoIn(deadlineInMs) }],
  });
  await eventually(
    () => team.get(`/assignments/${assignment.assignmentId}`),
    (r) => r.body.status === "rectifying",
  );
  const unit = await world.unitUser(assignment.unitId);
  return { assignment, team, unit, id: findings.body.rectificationIds[0] as string };
}

describe("DynamoDB faults", () => {
  it("a throttled transaction is retried with backoff and the report is accepted once", async () => {
    const { unit, id } = await openOrder();
    mockDynamo((mock, real) => {
      mock
        .on(TransactWriteCommand)
        .rejectsOnce(awsError("ProvisionedThroughputExceededException"))
        .rejectsOnce(awsError("ThrottlingException"))
        .callsFake((input: object) => real(new TransactWriteCommand(input as never)));
    });
    const res = await unit.post(`/rectifications/${id}/report`, { description: "已整改" });
    expect(res.status).toBe(200);
    const order = await unit.get(`/rectifications/${id}`);
    expect(order.body.history.filter((h: { action: string }) => h.action === "reported")).toHaveLength(1);
  });

  it("throttling that outlasts the retries surfaces as 503 problem+json with nothing written; the client's retry succeeds", async () => {
    const { unit, id } = await openOrder();
    mockDynamo((mock) =>
      mock.on(TransactWriteCommand).rejects(awsError("ProvisionedThroughputExceededException")),
    );
    const refused = await unit.post(`/rectifications/${id}/report`, { description: "已整改" });
    expect(refused.status).toBe(503);
    expect(refused.contentType).toContain("application/problem+json");
    dynamoMock?.restore();
    dynamoMock = undefined;
    expect((await unit.get(`/rectifications/${id}`)).body.status).toBe("open");
    expect((await unit.post(`/rectifications/${id}/report`, { description: "已整改" })).status).toBe(200);
  });

  it("findings whose inspector links fail to write are accepted, and the workflow's first step writes the links", async () => {
    const { assignment } = await drawOne(world, { candidateUnitIds: [world.units.yatai] });
    const team = world.inspectorFor(assignment);
    await team.post(`/assignments/${assignment.assignmentId}/arrival`, {
      location: { lat: 34.7, lng: 113.7 },
    });
    let failed = 0;
    mockDynamo((mock, real) =>
      mock.on(BatchWriteCommand).callsFake((input: { RequestItems: Record<string, unknown[]> }) => {
        const links = JSON.stringify(input).includes('"sk":"RECT#');
        if (links && failed === 0) {
          failed++;
          return Promise.reject(awsError("InternalServerError", { $fault: "server" }));
        }
        return real(new BatchWriteCommand(input as never));
      }),
    );
    const findings = await team.post(`/assignments/${assignment.assignmentId}/findings`, {
      items: [],
      issues: [{ description: "消防通道堵塞", severity: "major", deadline: isoIn(7 * 86400_000) }],
    });
    expect(findings.status).toBe(202);
    expect(failed).toBe(1);
    const id = findings.body.rectificationIds[0] as string;
    await eventually(
      () => team.get("/rectifications"),
      (r) => r.body.items.some((o: { rectificationId: string }) => o.rectificationId === id),
    );
  });

  it("a change relay that cannot read the callback token fails the record; the stream redelivers it and the workflow resumes", async () => {
    const { assignment, unit, id } = await openOrder();
    const stream = system.tableStreams[0]!;
    const failedBefore = stream.counters.failedInvocations;
    let refused = 0;
    mockDynamo((mock, real) =>
      mock.on(GetCommand).callsFake((input: { Key: { pk: string } }) => {
        // The relay's first three invocations for this change fail; the stream retries it.
        if (input.Key.pk === `CALLBACK#RECT#${id}` && refused < 3) {
          refused++;
          return Promise.reject(awsError("InternalServerError", { $fault: "server" }));
        }
        return real(new GetCommand(input as never));
      }),
    );
    expect((await unit.post(`/rectifications/${id}/report`, { description: "已整改" })).status).toBe(200);
    await eventually(
      async () => system.stepFunctions.executionCounters(assignment.assignmentId).statesEntered.AwaitReview,
      (n) => n === 1,
    );
    expect(refused).toBe(3);
    expect(stream.counters.failedInvocations - failedBefore).toBeGreaterThanOrEqual(3);
  });

  it("a conditional failure that persists inside the transaction is a 409 and changes nothing", async () => {
    const { unit, id } = await openOrder();
    mockDynamo((mock) =>
      mock.on(TransactWriteCommand).rejects(
        awsError("TransactionCanceledException", {
          CancellationReasons: [{ Code: "ConditionalCheckFailed" }],
        }),
      ),
    );
    const res = await unit.post(`/rectifications/${id}/report`, { description: "已整改" });
    expect(res.status).toBe(409);
    expect((await unit.get(`/rectifications/${id}`)).body.status).toBe("open");
  });

  it("a save that lost once to a concurrent change is decided again on what is stored, and takes effect once", async () => {
    const { unit, id } = await openOrder();
    mockDynamo((mock, real) =>
      mock
        .on(TransactWriteCommand)
        .rejectsOnce(
          awsError("TransactionCanceledException", {
            CancellationReasons: [{ Code: "ConditionalCheckFailed" }],
          }),
        )
        .callsFake((input: object) => real(new TransactWriteCommand(input as never))),
    );
    const res = await unit.post(`/rectifications/${id}/report`, { description: "已整改" });
    expect(res.status).toBe(200);
    const order = await unit.get(`/rectifications/${id}`);
    expect(order.body.status).toBe("submitted");
    expect(order.body.history.filter((h: { action: string }) => h.action === "reported")).toHaveLength(1);
  });

  it("a workflow task that keeps failing on throttling is retried by the state machine and the escalation still happens", async () => {
    const { unit, id } = await openOrder(2500);
    let rejected = 0;
    mockDynamo((mock, real) => {
      let behaviour = mock.on(TransactWriteCommand);
      for (let i = 0; i < 7; i++) {
        behaviour = behaviour.callsFakeOnce(() => {
          rejected++;
          throw awsError("ThrottlingException");
        }) as never;
      }
      behaviour.callsFake((input: object) => real(new TransactWriteCommand(input as never)));
    });
    const order = await eventually(
      () => unit.get(`/rectifications/${id}`),
      (r) => r.body.escalationLevel === 1,
      {
        timeoutMs: 20_000,
      },
    );
    expect(rejected).toBe(7);
    expect(
      order.body.history.filter((h: { action: string }) => h.action === "overdue_reminder"),
    ).toHaveLength(1);
  });
});

describe("Step Functions faults", () => {
  it("a resume that fails after the report was committed is kept, delivered by the resume job, and the order closes", async () => {
    const { assignment, team, unit, id } = await openOrder();
    mockSfn((mock) => mock.on(SendTaskSuccessCommand).rejects(awsError("ServiceUnavailable")));
    const reported = await unit.post(`/rectifications/${id}/report`, { description: "已整改" });
    expect(reported.status).toBe(200);
    // The change relay picks the report up from the table's stream; its resume fails and is kept.
    const { callbackStore } = await import("../../lambdas/services/context");
    await eventually(
      () => callbackStore.listPendingResumes(50),
      (pending) => pending.length >= 1,
    );
    sfnMock?.restore();
    sfnMock = undefined;
    const job = await import("../../lambdas/handlers/jobs/resume-pending");
    const swept = (await job.handler({}, {} as never)) as { delivered: number };
    expect(swept.delivered).toBeGreaterThanOrEqual(1);
    await eventually(
      () => team.post(`/rectifications/${id}/review`, { decision: "accept", comment: "销号" }),
      (r) => r.status === 200,
    );
    await eventually(
      () => world.official.get(`/assignments/${assignment.assignmentId}`),
      (r) => r.body.status === "closed",
    );
  });

  it("a draw whose executions fail to start stays in the outbox and the dispatch job starts them", async () => {
    mockSfn((mock) => mock.on(StartExecutionCommand).rejects(awsError("ServiceUnavailable")));
    const { assignment } = await drawOne(world, { candidateUnitIds: [world.units.jiangchong] });
    // The change relay tries to start the execution from the draw's outbox entry, and fails.
    const mock = sfnMock as unknown as AwsStub<any, any, any>;
    await eventually(
      async () => mock.commandCalls(StartExecutionCommand).length,
      (calls) => calls >= 1,
    );
    sfnMock?.restore();
    sfnMock = undefined;
    const team = world.inspectorFor(assignment);
    await team.post(`/assignments/${assignment.assignmentId}/arrival`, {
      location: { lat: 34.6, lng: 113.8 },
    });
    const job = await import("../../lambdas/handlers/jobs/dispatch-pending");
    const swept = (await job.handler({}, {} as never)) as { dispatched: number };
    expect(swept.dispatched).toBeGreaterThanOrEqual(1);
    await team.post(`/assignments/${assignment.assignmentId}/findings`, {
      items: [],
      issues: [{ description: "来访登记缺失", severity: "minor" }],
    });
    await eventually(
      () => team.get(`/assignments/${assignment.assignmentId}`),
      (r) => r.body.status === "rectifying",
    );
  });
});
