import { type AttributeValue, DynamoDBClient, QueryCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  QueryCommand as DocumentQueryCommand,
  DynamoDBDocumentClient,
  PutCommand,
} from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Dynamo } from "../../lambdas/data/dynamo";
import { Journal } from "../../lambdas/data/journal";
import { keys } from "../../lambdas/data/keys";
import type { UnitRecord } from "../../lambdas/data/records";
import { UnitStore } from "../../lambdas/data/units";
import { verifyDrawProof } from "../../lambdas/domain/draw-verification";
import { ConflictError } from "../../lambdas/domain/errors";
import type { LocalSystem } from "../../lib/local/system";
import { Api, isoIn } from "../support/api";
import { tempDataDir } from "../support/local";
import { buildWorld, drawOne, type World } from "../support/scenario";
import { startTestSystem } from "../support/system";

/**
 * A draw over a city (issue 19): 4,000 grids under one district office (plan over `parentUnitId`),
 * 300 inspectors at home in them (pool by unit), 90 drawn. The spot check's draw record — every
 * candidate, the pool, every unit's lineage — is ≈ 0.5 MB: stored on the spot check's item, as it
 * was, DynamoDB refuses the draw (an item is at most 400 KB) and the draw answered 500. It is kept in
 * chunks of its own now; the spot check, its index entry and every other item stay small, and the
 * spot check, the list and the draw proof read the same as before, for spot checks stored either way.
 */
const STREETS = 20;
const COMMUNITIES = 5; // per street
const GRIDS = 40; // per community: 4,000 grids
const INSPECTORS = 300;
const SAMPLE = 90;

let system: LocalSystem;
let world: World;
let db: DynamoDBClient;
let table: DynamoDBDocumentClient;
let districtId: string;
let gridIds: string[];
let inspectorIds: string[];
let store: UnitStore;

/** The first audit event of a unit the test writes through the store, the test as actor. */
const seedAudit = (u: UnitRecord) => ({ actor: "test", action: "unit_created", at: u.createdAt });

/** DynamoDB's size of a value (UTF-8 strings, numbers ≈ half their digits, 3 bytes a list or map and 1 an element). */
function valueSize(v: AttributeValue): number {
  if (v.S !== undefined) return Buffer.byteLength(v.S, "utf8");
  if (v.N !== undefined) return Math.ceil(v.N.replace(/[-.]/g, "").length / 2) + 1;
  if (v.B !== undefined) return v.B.length;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.L !== undefined) return 3 + v.L.reduce((n, e) => n + 1 + valueSize(e), 0);
  if (v.M !== undefined) return 3 + itemSize(v.M) + Object.keys(v.M).length;
  if (v.SS !== undefined) return v.SS.reduce((n, s) => n + Buffer.byteLength(s, "utf8"), 0);
  return JSON.stringify(v).length;
}
function itemSize(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce((n, [name, v]) => n + Buffer.byteLength(name, "utf8") + valueSize(v), 0);
}

async function scanAll(): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out = await db.send(new ScanCommand({ TableName: system.tableName, ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

async function partition(pk: string): Promise<Record<string, AttributeValue>[]> {
  const out = await db.send(
    new QueryCommand({
      TableName: system.tableName,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": { S: pk } },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}

/** The city, parents first: a district, its streets, their communities, their grids. */
function cityUnits(prefix: string): UnitRecord[] {
  const at = new Date().toISOString();
  const unit = (unitId: string, name: string, kind: string, parentId: string | null): UnitRecord => ({
    unitId,
    name,
    kind,
    parentId,
    version: 1,
    createdAt: at,
    updatedAt: at,
  });
  districtId = `${prefix}-410104`;
  const units = [unit(districtId, "管城回族区", "区", null)];
  gridIds = [];
  for (let s = 1; s <= STREETS; s++) {
    const streetId = `${districtId}-s${String(s).padStart(2, "0")}`;
    units.push(unit(streetId, `第${s}街道办事处`, "街道", districtId));
    for (let c = 1; c <= COMMUNITIES; c++) {
      const communityId = `${streetId}-c${String(c).padStart(2, "0")}`;
      units.push(unit(communityId, `第${s}街道第${c}社区`, "社区", streetId));
      for (let g = 1; g <= GRIDS; g++) {
        const gridId = `${communityId}-g${String(g).padStart(4, "0")}`;
        gridIds.push(gridId);
        units.push(unit(gridId, `第${s}街道第${c}社区第${g}网格`, "网格", communityId));
      }
    }
  }
  return units;
}

beforeAll(async () => {
  const dataDir = tempDataDir("large-draw");
  system = await startTestSystem({ dataDir });
  world = await buildWorld(new Api(system.url, dataDir), "ld");
  db = new DynamoDBClient({
    endpoint: system.dynamoEndpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  table = DynamoDBDocumentClient.from(db);

  // The units through the units store (the same items and first audit links as PUT /units and the
  // import runner write; the import of an office's workbook is tested on its own,
  // test/integration/imports.test.ts): 4,121 units, parents first, a level at a time, 50 units with
  // their audit links a transaction (createUnits; "units created in groups" below checks they read
  // as units created one by one).
  const dynamo = new Dynamo(table, system.tableName);
  store = new UnitStore(dynamo, new Journal(dynamo));
  const city = cityUnits(world.prefix);
  for (const kind of ["区", "街道", "社区", "网格"]) {
    await store.createUnits(
      city.filter((u) => u.kind === kind).map((unit) => ({ unit })),
      seedAudit,
    );
  }
  expect(city).toHaveLength(1 + STREETS * (1 + COMMUNITIES * (1 + GRIDS)));

  // Inspectors at home in every so many grids: 10 requests at a time.
  inspectorIds = Array.from(
    { length: INSPECTORS },
    (_, i) => `${world.prefix}-grid-worker-${String(i + 1).padStart(4, "0")}`,
  );
  for (let i = 0; i < inspectorIds.length; i += 10) {
    await Promise.all(
      inspectorIds.slice(i, i + 10).map(async (id, k) => {
        const home = gridIds[((i + k) * 13) % gridIds.length];
        const res = await world.organizer.put(`/inspectors/${id}`, {
          name: `网格员${i + k + 1}`,
          homeUnitId: home,
        });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
      }),
    );
  }
}, 300_000);

afterAll(async () => {
  db?.destroy();
  await system?.stop();
});

describe("a draw over 4,000 candidates", () => {
  let planned: Record<string, any>;
  let drawn: Record<string, any>;
  let windowEnd: string;

  beforeAll(async () => {
    windowEnd = isoIn(25_000);
    const plan = await world.organizer.post("/spot-checks", {
      title: "城区网格化管理四不两直督查",
      templateId: world.templateId,
      parentUnitId: districtId,
      inspectorPoolUnitId: districtId,
      sampleSize: SAMPLE,
      teamSize: 2,
      window: { start: isoIn(-60_000), end: windowEnd },
    });
    expect(plan.status, JSON.stringify(plan.body).slice(0, 500)).toBe(201);
    planned = plan.body;
    const draw = await world.organizer.post(`/spot-checks/${planned.spotCheckId}/draw`);
    expect(draw.status, JSON.stringify(draw.body).slice(0, 500)).toBe(200);
    drawn = draw.body;
  }, 120_000);

  it("plans every grid and draws 90 teams", () => {
    expect(planned.candidateUnitIds).toHaveLength(gridIds.length);
    expect([...planned.candidateUnitIds].sort()).toEqual([...gridIds].sort());
    expect(planned.inspectorIds).toEqual([...inspectorIds].sort());
    expect(drawn.assignments).toHaveLength(SAMPLE);
  });

  it("GET /spot-checks/{id} and the list show the whole spot check", async () => {
    const one = await world.organizer.get(`/spot-checks/${planned.spotCheckId}`);
    expect(one.status).toBe(200);
    const { assignments, ...spotCheck } = one.body;
    expect(spotCheck).toEqual({ ...planned, status: "dispatched", drawnAt: expect.any(String) });
    expect(assignments.map((a: any) => a.assignmentId).sort()).toEqual(
      drawn.assignments.map((a: any) => a.assignmentId).sort(),
    );
    const list = await world.official.get("/spot-checks?limit=5");
    expect(list.status).toBe(200);
    expect(list.body.items.find((s: any) => s.spotCheckId === planned.spotCheckId)).toEqual(spotCheck);
  });

  it("keeps every item far below DynamoDB's 400 KB, and the spot check's own (its index entry) small", async () => {
    const items = await scanAll();
    const sizes = items.map((i) => ({ key: `${i.pk?.S} ${i.sk?.S}`, size: itemSize(i) }));
    sizes.sort((a, b) => b.size - a.size);
    const own = await partition(keys.spotCheckPartition(planned.spotCheckId));
    const head = own.find((i) => i.sk?.S === keys.spotCheck(planned.spotCheckId).sk);
    const record = own.filter((i) => i.sk?.S?.startsWith("DRAW#"));
    const plan = own.filter((i) => i.sk?.S?.startsWith("#PLAN#"));
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
    console.log(
      `large draw: spot check item ${kb(itemSize(head ?? {}))}; plan lists ${plan.length} chunks (${kb(plan.reduce((n, i) => n + itemSize(i), 0))}); draw record ${record.length} chunks (${kb(record.reduce((n, i) => n + itemSize(i), 0))}); largest items: ${sizes
        .slice(0, 3)
        .map((s) => `${s.key} ${kb(s.size)}`)
        .join(", ")}`,
    );
    expect(head).toBeDefined();
    expect(itemSize(head ?? {})).toBeLessThan(8 * 1024);
    // What the spot check's item held before is all there, in chunks: more than one item may hold.
    const held = [head ?? {}, ...plan, ...record].reduce((n, i) => n + itemSize(i), 0);
    expect(held).toBeGreaterThan(400 * 1024);
    expect(sizes[0]?.size).toBeLessThan(100 * 1024);
  });

  it("publishes a draw proof that verifies once the window has ended", async () => {
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(windowEnd) - Date.now() + 200)));
    const res = await world.official.get(`/spot-checks/${planned.spotCheckId}/draw-proof`);
    expect(res.status).toBe(200);
    const proof = res.body;
    expect(proof.seedRevealed).toBe(true);
    expect(proof.candidates).toHaveLength(gridIds.length);
    expect(proof.pool).toHaveLength(INSPECTORS);
    expect(Object.keys(proof.lineage)).toHaveLength(gridIds.length);
    expect(proof.selected.map((s: any) => s.unitId).sort()).toEqual(
      drawn.assignments.map((a: any) => a.unitId).sort(),
    );
    expect(verifyDrawProof(proof)).toMatchObject({ outcome: "verified" });
  }, 60_000);
});

describe("spot checks stored by the previous version (lists and draw record inline)", () => {
  it("read exactly as the same spot check stored in chunks", async () => {
    const { spotCheckId } = await drawOne(world, {
      candidateUnitIds: [world.units.yatai, world.units.dongjia, world.units.jiangchong],
      sampleSize: 2,
      inspectorIds: Object.keys(world.inspectors),
    });
    const reads = async () => ({
      one: (await world.organizer.get(`/spot-checks/${spotCheckId}`)).body,
      proof: (await world.organizer.get(`/spot-checks/${spotCheckId}/draw-proof`)).body,
      listed: (await world.organizer.get("/spot-checks?limit=3")).body.items.find(
        (s: any) => s.spotCheckId === spotCheckId,
      ),
    });
    const now = await reads();
    expect(now.proof.selected).toHaveLength(2);

    // The item as the previous version wrote it: the draw record inline, no `drawn`, no chunks.
    const own =
      (
        await table.send(
          new DocumentQueryCommand({
            TableName: system.tableName,
            KeyConditionExpression: "pk = :pk",
            ExpressionAttributeValues: { ":pk": keys.spotCheckPartition(spotCheckId) },
            ConsistentRead: true,
          }),
        )
      ).Items ?? [];
    const headItem = own.find((i) => i.sk === keys.spotCheck(spotCheckId).sk);
    if (!headItem) throw new Error("no spot check item");
    const { drawn, planChunks, ...head } = headItem;
    expect(planChunks).toBeUndefined();
    const chunks = own.filter((i) => String(i.sk).startsWith("DRAW#"));
    const legacy = {
      ...head,
      draw: {
        algorithm: drawn.algorithm,
        candidates: chunks.flatMap((c) => c.candidates ?? []),
        pool: chunks.flatMap((c) => c.pool ?? []),
        lineage: Object.assign({}, ...chunks.map((c) => c.lineage ?? {})),
        selected: chunks.flatMap((c) => c.selected ?? []),
        drawnAt: drawn.drawnAt,
        drawnBy: drawn.drawnBy,
      },
    };
    await table.send(new PutCommand({ TableName: system.tableName, Item: legacy }));
    for (const c of chunks)
      await table.send(new DeleteCommand({ TableName: system.tableName, Key: { pk: c.pk, sk: c.sk } }));

    const before = await reads();
    expect(before.one).toEqual(now.one);
    expect(before.listed).toEqual(now.listed);
    expect(before.proof).toEqual(now.proof);
  });
});

describe("units created in groups (UnitStore.createUnits)", () => {
  const at = "2026-12-03T08:00:00.000Z";
  /** What PUT /units records for a new unit. */
  const audit = (u: UnitRecord) => ({
    actor: `${world.prefix}-admin`,
    action: "unit_created",
    at,
    detail: { name: u.name, parentId: u.parentId, kind: u.kind },
  });
  const unit = (unitId: string, n: number, parentId: string | null): UnitRecord => ({
    unitId,
    name: `第${n}社区`,
    kind: parentId === null ? "district" : "community",
    parentId,
    ...(n % 2 === 0 ? { location: { lat: 34.7 + n / 1000, lng: 113.6 }, radiusMeters: 100 + n } : {}),
    version: 1,
    createdAt: at,
    updatedAt: at,
  });
  /** 60 children: more than one transaction's 50 (49 with their parent's check). */
  const CHILDREN = 60;
  const ids = (side: "p" | "c") => ({
    root: `${world.prefix}-cu-${side}`,
    child: (n: number) => `${world.prefix}-cu-${side}-${String(n).padStart(2, "0")}`,
  });
  /** The same text with the other side's ids (the ids are the only difference between the sides). */
  const asPut = (value: unknown) =>
    JSON.parse(JSON.stringify(value).replaceAll(`${world.prefix}-cu-c`, `${world.prefix}-cu-p`));

  beforeAll(async () => {
    // One side one unit a time (putUnit, as PUT /units writes), the other in groups (createUnits),
    // each child with its parent's link checked in the write.
    const p = ids("p");
    const c = ids("c");
    await store.putUnit(unit(p.root, 0, null), null, [], {
      ...audit(unit(p.root, 0, null)),
      entityId: p.root,
    });
    await store.createUnits([{ unit: unit(c.root, 0, null) }], audit);
    for (let n = 1; n <= CHILDREN; n++) {
      const u = unit(p.child(n), n, p.root);
      await store.putUnit(u, null, [{ unitId: p.root, parentId: null }], {
        ...audit(u),
        entityId: u.unitId,
        created: true,
      });
    }
    await store.createUnits(
      Array.from({ length: CHILDREN }, (_, i) => ({
        unit: unit(c.child(i + 1), i + 1, c.root),
        ancestorParents: [{ unitId: c.root, parentId: null }],
      })),
      audit,
    );
  });

  it("stores the same items, reads the same units, children and audit trails as putUnit", async () => {
    const p = ids("p");
    const c = ids("c");
    const all = (side: typeof p) => [
      side.root,
      ...Array.from({ length: CHILDREN }, (_, i) => side.child(i + 1)),
    ];
    const [putItems, createdItems] = await Promise.all(
      [p, c].map((side) => Promise.all(all(side).map((id) => partition(keys.unit(id).pk)))),
    );
    expect(createdItems?.flat()).toHaveLength(CHILDREN + 1);
    expect(asPut(createdItems)).toEqual(putItems);

    // Eight pairs (32 requests) at a time: all 61 at once overflowed the local gateway's queue (429).
    const pairs = all(p).map((a, i) => [a, all(c)[i] as string] as const);
    for (let k = 0; k < pairs.length; k += 8)
      await Promise.all(
        pairs.slice(k, k + 8).map(async ([a, b]) => {
          const [one, other, trail, created] = await Promise.all([
            world.admin.get(`/units/${a}`),
            world.admin.get(`/units/${b}`),
            world.admin.get(`/audit/${a}`),
            world.admin.get(`/audit/${b}`),
          ]);
          expect(other.status).toBe(200);
          expect(asPut(other.body)).toEqual(one.body);
          expect(trail.body.chain).toEqual({ verified: true });
          expect(created.body.chain).toEqual({ verified: true });
          expect(created.body.items).toHaveLength(1);
          // The same event; its hash differs only because it hashes the entity's id.
          const { hash, ...event } = created.body.items[0];
          const { hash: putHash, ...putEvent } = trail.body.items[0];
          expect(asPut(event)).toEqual(putEvent);
          for (const h of [hash, putHash]) expect(h).toMatch(/^[0-9a-f]{64}$/);
        }),
      );
    const [children, createdChildren] = await Promise.all([
      world.admin.get(`/units?parentId=${p.root}&limit=100`),
      world.admin.get(`/units?parentId=${c.root}&limit=100`),
    ]);
    expect(createdChildren.body.items).toHaveLength(CHILDREN);
    expect(asPut(createdChildren.body)).toEqual(children.body);
  });

  it("refuses a group with a unit that exists: creates the group's new units one at a time, leaves it untouched, and names it in a ConflictError", async () => {
    const c = ids("c");
    const existing = c.child(7);
    const fresh = Array.from({ length: 70 }, (_, i) => `${world.prefix}-cu-n-${String(i).padStart(2, "0")}`);
    const before = await partition(keys.unit(existing).pk);
    const trailBefore = (await world.admin.get(`/audit/${existing}`)).body;
    // The existing unit in the first group (49 units with their parent's check), the other 22 new ones in a second.
    const batch = [...fresh.slice(0, 20), existing, ...fresh.slice(20)].map((id, n) => ({
      unit: { ...unit(id, n + 100, c.root), name: "改过的名称" },
      ancestorParents: [{ unitId: c.root, parentId: null }],
    }));
    const error = await store.createUnits(batch, audit).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toHaveProperty(
      "message",
      `单位已存在或单位树刚被修改，未能创建：${existing}。其余单位已创建。`,
    );
    expect(await partition(keys.unit(existing).pk)).toEqual(before);
    expect((await world.admin.get(`/audit/${existing}`)).body).toEqual(trailBefore);
    const units = await store.getUnits(fresh);
    expect([...units.keys()].sort()).toEqual(fresh);
    const trails = [];
    for (let k = 0; k < fresh.length; k += 32)
      trails.push(
        ...(await Promise.all(fresh.slice(k, k + 32).map((id) => world.admin.get(`/audit/${id}`)))),
      );
    for (const trail of trails) {
      expect(trail.body.chain).toEqual({ verified: true });
      expect(trail.body.items.map((i: any) => i.action)).toEqual(["unit_created"]);
    }
    const listed = await world.admin.get(`/units?parentId=${c.root}&limit=200`);
    expect(listed.body.items).toHaveLength(CHILDREN + fresh.length);
  });
});
