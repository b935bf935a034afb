import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keys } from "../../lambdas/data/keys";
import type { LocalSystem } from "../../lib/local/system";
import { Api, isoIn } from "../support/api";
import { tempDataDir } from "../support/local";
import { buildWorld, drawOne, type World } from "../support/scenario";
import { startTestSystem } from "../support/system";

/**
 * Offline capture (API.md v2): an arrival sent later carries the device's `capturedAt`; the server
 * keeps its own `at` beside it and marks a sync more than 10 minutes late. A capture time in the
 * future or before the dispatch is refused (422, naming the field) and changes nothing.
 */
let system: LocalSystem;
let world: World;
let doc: DynamoDBDocumentClient;

const onSite = { lat: 34.68, lng: 113.75 }; // 东贾社区

beforeAll(async () => {
  const dataDir = tempDataDir("offline");
  system = await startTestSystem({ dataDir });
  world = await buildWorld(new Api(system.url, dataDir), "o");
  doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: system.dynamoEndpoint,
      region: "local",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    }),
  );
});

afterAll(async () => {
  doc?.destroy();
  await system?.stop();
});

/** A fresh assignment at 东贾社区; with `dispatchedAgoMs`, its dispatch is moved that far into the past. */
async function dispatched(dispatchedAgoMs = 0) {
  const { assignment } = await drawOne(world, { candidateUnitIds: [world.units.dongjia] });
  if (dispatchedAgoMs > 0) {
    // As if the draw had happened earlier (the team then worked offline): only the dispatch time moves.
    await doc.send(
      new UpdateCommand({
        TableName: system.tableName,
        Key: keys.assignment(assignment.assignmentId),
        UpdateExpression: "SET createdAt = :at",
        ExpressionAttributeValues: { ":at": isoIn(-dispatchedAgoMs) },
      }),
    );
  }
  return { assignment, team: world.inspectorFor(assignment) };
}

describe("POST /assignments/{id}/arrival with capturedAt", () => {
  it("a capture synced more than 10 minutes later is a delayed sync; both times are kept", async () => {
    const { assignment, team } = await dispatched(60 * 60_000);
    const capturedAt = isoIn(-30 * 60_000);
    const res = await team.post(`/assignments/${assignment.assignmentId}/arrival`, {
      location: onSite,
      capturedAt,
    });
    expect(res.status).toBe(200);
    expect(res.body.arrival).toMatchObject({ capturedAt, delayedSync: true, onSite: true });
    expect(Date.parse(res.body.arrival.at) - Date.parse(capturedAt)).toBeGreaterThan(10 * 60_000);
    const got = await world.official.get(`/assignments/${assignment.assignmentId}`);
    expect(got.body.arrival).toMatchObject({ at: res.body.arrival.at, capturedAt, delayedSync: true });
  });

  it("a capture synced within 10 minutes is not delayed", async () => {
    const { assignment, team } = await dispatched(60 * 60_000);
    const capturedAt = isoIn(-9 * 60_000);
    const res = await team.post(`/assignments/${assignment.assignmentId}/arrival`, {
      location: onSite,
      capturedAt,
    });
    expect(res.status).toBe(200);
    expect(res.body.arrival).toMatchObject({ capturedAt, delayedSync: false });
  });

  it("without capturedAt the arrival has the server's time only and is not delayed", async () => {
    const { assignment, team } = await dispatched();
    const res = await team.post(`/assignments/${assignment.assignmentId}/arrival`, { location: onSite });
    expect(res.status).toBe(200);
    expect(res.body.arrival.delayedSync).toBe(false);
    expect(res.body.arrival).not.toHaveProperty("capturedAt");
    const got = await world.official.get(`/assignments/${assignment.assignmentId}`);
    expect(got.body.arrival.delayedSync).toBe(false);
  });

  it("a device clock a minute ahead is tolerated", async () => {
    const { assignment, team } = await dispatched();
    const capturedAt = isoIn(60_000);
    const res = await team.post(`/assignments/${assignment.assignmentId}/arrival`, {
      location: onSite,
      capturedAt,
    });
    expect(res.status).toBe(200);
    expect(res.body.arrival).toMatchObject({ capturedAt, delayedSync: false });
  });

  it("refuses (422) a capture time in the future or before the dispatch, naming the field, and records nothing", async () => {
    const { assignment, team } = await dispatched(60 * 60_000);
    for (const capturedAt of [isoIn(10 * 60_000), isoIn(-2 * 60 * 60_000)]) {
      const res = await team.post(`/assignments/${assignment.assignmentId}/arrival`, {
        location: onSite,
        capturedAt,
      });
      expect(res.status).toBe(422);
      expect(res.contentType).toContain("application/problem+json");
      expect(res.body.errors).toHaveLength(1);
      expect(res.body.errors[0].path).toBe("body.capturedAt");
      expect(res.body.errors[0].message).toContain("capturedAt");
    }
    const got = await world.official.get(`/assignments/${assignment.assignmentId}`);
    expect(got.body.status).toBe("dispatched");
    expect(got.body).not.toHaveProperty("arrival");
  });

  it("refuses a capture time that is no time (400)", async () => {
    const { assignment, team } = await dispatched();
    const res = await team.post(`/assignments/${assignment.assignmentId}/arrival`, {
      location: onSite,
      capturedAt: "yesterday",
    });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toContain("capturedAt");
  });
});
