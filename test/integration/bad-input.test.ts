import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalSystem } from "../../lib/local/system";
import { Api, type Client } from "../support/api";
import { tempDataDir } from "../support/local";
import { buildWorld, drawOne, type World } from "../support/scenario";
import { startTestSystem } from "../support/system";

/**
 * Hostile and malformed input (OWASP API4, API8): random, oversized, wrongly typed, unicode-heavy
 * and boundary bodies, headers and path parameters on every write route, each sent by a caller
 * who may use the route. Never a 5xx, always problem+json, and a refused request leaves the
 * database exactly as it was (compared item by item).
 */
let system: LocalSystem;
let world: World;
let doc: DynamoDBDocumentClient;
let targets: { method: string; path: (id: string) => string; id: string; caller: () => Client }[];

/** The whole table, for comparison only (tests may scan; request paths never do). */
async function snapshot(): Promise<string> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(
      new ScanCommand({ TableName: system.tableName, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return JSON.stringify(items.map((i) => JSON.stringify(i, Object.keys(i).sort())).sort());
}

beforeAll(async () => {
  const dataDir = tempDataDir("fuzz");
  system = await startTestSystem({ dataDir });
  world = await buildWorld(new Api(system.url, dataDir), "f");
  doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: system.dynamoEndpoint,
      region: "local",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    }),
  );
  // An assignment on site with one open order, and a planned spot check: every write route has a live target.
  const { assignment, spotCheckId } = await drawOne(world, { candidateUnitIds: [world.units.yatai] });
  const team = world.inspectorFor(assignment);
  await team.post(`/assignments/${assignment.assignmentId}/arrival`, { location: { lat: 34.7, lng: 113.7 } });
  const onSite = await drawOne(world, { candidateUnitIds: [world.units.dongjia] });
  const onSiteTeam = world.inspectorFor(onSite.assignment);
  await onSiteTeam.post(`/assignments/${onSite.assignment.assignmentId}/arrival`, {
    location: { lat: 34.68, lng: 113.75 },
  });
  const findings = await team.post(`/assignments/${assignment.assignmentId}/findings`, {
    items: [],
    issues: [{ description: "消杀记录不详", severity: "major" }],
  });
  const order = (findings.body.rectificationIds as string[])[0] as string;
  const planned = await world.organizer.post("/spot-checks", {
    title: "待抽签",
    templateId: world.templateId,
    candidateUnitIds: [world.units.jiangchong],
    sampleSize: 1,
    inspectorIds: [`${world.prefix}-insp-a`, `${world.prefix}-insp-b`],
    window: { start: new Date().toISOString(), end: new Date(Date.now() + 86400_000).toISOString() },
  });
  const unit = await world.unitUser(assignment.unitId);
  targets = [
    { method: "PUT", path: (id) => `/units/${id}`, id: world.units.yatai, caller: () => world.admin },
    {
      method: "PUT",
      path: (id) => `/inspectors/${id}`,
      id: `${world.prefix}-insp-a`,
      caller: () => world.organizer,
    },
    { method: "POST", path: () => "/templates", id: "", caller: () => world.organizer },
    { method: "POST", path: () => "/spot-checks", id: "", caller: () => world.organizer },
    {
      method: "POST",
      path: (id) => `/spot-checks/${id}/draw`,
      id: spotCheckId,
      caller: () => world.organizer,
    },
    {
      method: "POST",
      path: (id) => `/assignments/${id}/arrival`,
      id: assignment.assignmentId,
      caller: () => team,
    },
    {
      method: "POST",
      path: (id) => `/assignments/${id}/findings`,
      id: onSite.assignment.assignmentId,
      caller: () => onSiteTeam,
    },
    { method: "POST", path: (id) => `/rectifications/${id}/report`, id: order, caller: () => unit },
    { method: "POST", path: (id) => `/rectifications/${id}/review`, id: order, caller: () => team },
    { method: "POST", path: () => "/imports", id: "", caller: () => world.admin },
  ];
  expect(planned.status).toBe(201);
  await settled();
});

/**
 * The table once the workflows have reached their waits (the change relay and the tasks write
 * tokens and states after a request commits), so that every change seen during the fuzzing comes
 * from the request under test.
 */
async function settled(): Promise<string> {
  let previous = "";
  let current = await snapshot();
  while (current !== previous) {
    previous = current;
    await new Promise((r) => setTimeout(r, 750));
    current = await snapshot();
  }
  return current;
}

afterAll(async () => {
  doc?.destroy();
  await system?.stop();
});

const weirdString = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 50 }),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "💥".repeat(40),
    "亚太社区".repeat(100),
    "../../etc/passwd",
    "%2F",
    "<script>",
    "null",
  ),
);
const weirdNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(-1, 0, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 0.1 + 0.2),
);
const body = fc.oneof(
  fc.anything({ maxDepth: 3 }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.record(
    {
      name: weirdString,
      parentId: fc.oneof(weirdString, fc.constant(null), weirdNumber),
      kind: weirdString,
      items: fc.array(
        fc.record({ code: weirdString, deduction: weirdNumber, title: weirdString, maxPoints: weirdNumber }),
        { maxLength: 5 },
      ),
      issues: fc.array(
        fc.record({ description: weirdString, severity: weirdString, deadline: weirdString }),
        { maxLength: 5 },
      ),
      location: fc.record({ lat: weirdNumber, lng: weirdNumber }),
      decision: fc.constantFrom("accept", "reject", "maybe"),
      deadline: weirdString,
      description: weirdString,
      comment: weirdNumber,
      sampleSize: weirdNumber,
      window: fc.record({ start: weirdString, end: weirdString }),
    },
    { requiredKeys: [] },
  ),
);
const rawText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom("{", "[1,2", '{"a":}', "\u0000", "nul"),
);
const headers = fc.record(
  {
    "content-type": fc.constantFrom(
      "application/json",
      "text/plain",
      "application/xml",
      "application/json; charset=utf-8",
      "",
    ),
    // Header values are ASCII on the wire (fetch refuses others before sending).
    "idempotency-key": fc.oneof(fc.stringMatching(/^[\x21-\x7e]{1,300}$/), fc.uuid()),
  },
  { requiredKeys: [] },
);
const pathParam = fc.oneof(
  fc.constant("id"),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }).map(encodeURIComponent),
  fc.constantFrom("%E4%BA%9A", "..%2F..", "a%00b", "x".repeat(300), "%", "%ZZ"),
);

describe("bad input", () => {
  it("never gets a 5xx or a non-problem error, and a refused request changes nothing", async () => {
    let cases = 0;
    for (const target of targets) {
      let before = await snapshot();
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            body.map((b) => JSON.stringify(b)),
            rawText,
          ),
          headers,
          fc.option(pathParam, { nil: undefined }),
          async (text, extraHeaders, param) => {
            cases++;
            const path = target.path(
              param === undefined || target.id === "" ? target.id : param === "id" ? target.id : param,
            );
            const res = await target.caller().request(target.method, path, text, extraHeaders);
            expect(res.status, `${target.method} ${path} ${text.slice(0, 80)}`).toBeLessThan(500);
            if (res.status >= 400) {
              expect(res.contentType).toContain("application/problem+json");
              expect(res.body).toMatchObject({
                status: res.status,
                type: expect.any(String),
                title: expect.any(String),
              });
              expect(
                await snapshot(),
                `${target.method} ${path} changed the database with ${res.status}`,
              ).toBe(before);
            } else {
              before = await settled();
            }
          },
        ),
        { numRuns: 50, seed: 20261123 },
      );
    }
    console.log(`bad input: ${cases} fuzz cases over ${targets.length} write routes`);
    expect(cases).toBeGreaterThanOrEqual(targets.length * 50);
  });

  it("refuses oversized bodies (413) and too-long lists (400)", async () => {
    const team = targets[6]?.caller() as Client;
    const path = targets[6]?.path(targets[6].id) as string;
    const huge = await team.post(path, { items: [], issues: [], padding: "x".repeat(300 * 1024) });
    expect(huge.status).toBe(413);
    const many = await team.post(path, {
      items: [],
      issues: Array.from({ length: 21 }, () => ({ description: "x", severity: "minor" })),
    });
    expect(many.status).toBe(400);
    expect(many.body.errors[0].path).toContain("issues");
  });
});
