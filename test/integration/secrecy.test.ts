import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalSystem } from "../../lib/local/system";
import { Api, type Client } from "../support/api";
import { tempDataDir } from "../support/local";
import { buildWorld, drawOne, type World } from "../support/scenario";
import { startTestSystem } from "../support/system";

/**
 * 四不两直: nothing tells the inspected unit of a planned inspection before the team arrives — no
 * route, list, count, notification or error message — and every read of it before then is in the
 * audit trail, whose hash chain shows any edit made behind the API's back.
 */
let system: LocalSystem;
let world: World;
let assignment: { assignmentId: string; unitId: string; inspectorIds: string[] };
let spotCheckId: string;
let unit: Client;

beforeAll(async () => {
  const dataDir = tempDataDir("secrecy");
  system = await startTestSystem({ dataDir });
  world = await buildWorld(new Api(system.url, dataDir), "s");
  const drawn = await drawOne(world, { candidateUnitIds: [world.units.yatai] });
  assignment = drawn.assignment;
  spotCheckId = drawn.spotCheckId;
  unit = await world.unitUser(assignment.unitId);
});

afterAll(async () => {
  await system?.stop();
});

describe("before the team arrives", () => {
  it("no route the unit can call reveals the inspection, and nothing it gets mentions it", async () => {
    const responses = await Promise.all([
      unit.get(`/assignments/${assignment.assignmentId}`),
      unit.get("/assignments"),
      unit.get("/assignments?limit=200"),
      unit.get("/rectifications"),
      unit.get(`/rectifications?unitId=${assignment.unitId}`),
      unit.get("/me/notifications"),
      unit.get(`/spot-checks/${spotCheckId}`),
      unit.get(`/spot-checks/${spotCheckId}/draw-proof`),
      unit.get(`/spot-checks/${spotCheckId}/bulletin`),
      unit.get("/dashboard"),
      unit.get(`/audit/${assignment.assignmentId}`),
      unit.post(`/assignments/${assignment.assignmentId}/arrival`, { location: { lat: 34.7, lng: 113.7 } }),
      unit.post(`/assignments/${assignment.assignmentId}/findings`, { items: [], issues: [] }),
      unit.get(`/units/${assignment.unitId}`),
    ]);
    const [
      direct,
      list,
      bigList,
      orders,
      ownOrders,
      notices,
      sc,
      proof,
      bulletin,
      dashboard,
      audit,
      arrival,
      findings,
    ] = responses;
    expect(direct?.status).toBe(404);
    expect(list?.body.items).toEqual([]);
    expect(bigList?.body).toEqual({ items: [], nextCursor: null });
    expect(orders?.body.items).toEqual([]);
    expect(ownOrders?.body.items).toEqual([]);
    expect(notices?.body.items).toEqual([]);
    for (const r of [sc, proof, bulletin, arrival, findings]) expect(r?.status).toBe(404);
    for (const r of [dashboard, audit]) expect(r?.status).toBe(403);
    // A 404 for a secret assignment is the same as for one that does not exist.
    const unknown = await unit.get("/assignments/00000000-0000-4000-8000-000000000000");
    expect({ ...direct?.body }).toEqual({ ...unknown.body });
    for (const r of responses) {
      const text = JSON.stringify(r.body);
      expect(text).not.toContain(assignment.assignmentId);
      expect(text).not.toContain(spotCheckId);
    }
  });

  it("writes every read of the not-yet-visited assignment to its audit trail, the unit's refused attempts too", async () => {
    const team = world.inspectorFor(assignment);
    await team.get(`/assignments/${assignment.assignmentId}`);
    await world.official.get(`/spot-checks/${spotCheckId}`);
    await world.organizer.get("/assignments");
    await world.official.get(`/spot-checks/${spotCheckId}/bulletin`);
    await world.organizer.get(`/spot-checks/${spotCheckId}/draw-proof`);
    await unit.get(`/assignments/${assignment.assignmentId}`);
    const audit = await world.official.get(`/audit/${assignment.assignmentId}`);
    const reads = audit.body.items.filter((e: { action: string }) => e.action.includes("before_arrival"));
    const actors = reads.map((e: { actor: string; via: string }) => `${e.actor} ${e.via}`);
    expect(actors).toEqual(
      expect.arrayContaining([
        `${assignment.inspectorIds[0]} GET /assignments/{id}`,
        `${world.prefix}-official GET /spot-checks/{id}`,
        `${world.prefix}-organizer GET /assignments`,
        `${world.prefix}-official GET /spot-checks/{id}/bulletin`,
        `${world.prefix}-organizer GET /spot-checks/{id}/draw-proof`,
        `${assignment.unitId}-head GET /assignments/{id}`,
      ]),
    );
    expect(audit.body.chain).toEqual({ verified: true });
  });
});

describe("after the team arrives", () => {
  it("the unit sees its inspection, and reads are no longer audited as secret", async () => {
    const team = world.inspectorFor(assignment);
    await team.post(`/assignments/${assignment.assignmentId}/arrival`, {
      location: { lat: 34.7, lng: 113.7 },
    });
    expect((await unit.get(`/assignments/${assignment.assignmentId}`)).status).toBe(200);
    const before = (await world.official.get(`/audit/${assignment.assignmentId}`)).body.items.length;
    await world.official.get(`/assignments/${assignment.assignmentId}`);
    const after = (await world.official.get(`/audit/${assignment.assignmentId}`)).body.items.length;
    expect(after).toBe(before);
  });
});

describe("the audit trail is tamper-evident", () => {
  it("reports a broken chain at the event edited directly in the table", async () => {
    const trail = await world.official.get(`/audit/${assignment.assignmentId}`);
    expect(trail.body.chain).toEqual({ verified: true });
    const doc = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: system.dynamoEndpoint,
        region: "local",
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
      }),
    );
    const key = { pk: `AUDIT#${assignment.assignmentId}`, sk: `E#${String(2).padStart(10, "0")}` };
    const stored = await doc.send(new GetCommand({ TableName: system.tableName, Key: key }));
    expect(stored.Item).toBeDefined();
    await doc.send(
      new PutCommand({ TableName: system.tableName, Item: { ...stored.Item, actor: "someone-else" } }),
    );
    const tampered = await world.official.get(`/audit/${assignment.assignmentId}`);
    expect(tampered.body.chain).toEqual({ verified: false, brokenAt: 2 });
    doc.destroy();
  });
});
