import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyDrawProof } from "../../lambdas/domain/draw-verification";
import type { LocalSystem } from "../../lib/local/system";
import { Api, isoIn } from "../support/api";
import { tempDataDir } from "../support/local";
import { buildWorld, drawOne, spotCheckBody, type World } from "../support/scenario";
import { startTestSystem } from "../support/system";

/**
 * 双随机, verifiably: once the window has closed anyone can re-compute the draw from the revealed
 * seed and the recorded candidates, pool and lineage — and any change to the proof is caught.
 */
let system: LocalSystem;
let world: World;
let dataDir: string;
let proof: Record<string, any>;

beforeAll(async () => {
  dataDir = tempDataDir("verify");
  system = await startTestSystem({ dataDir });
  world = await buildWorld(new Api(system.url, dataDir), "v");
  const planned = await world.organizer.post(
    "/spot-checks",
    spotCheckBody(world, {
      candidateUnitIds: [world.units.yatai, world.units.dongjia, world.units.jiangchong],
      sampleSize: 2,
      inspectorIds: Object.keys(world.inspectors),
      window: { start: isoIn(-60_000), end: isoIn(2000) },
    }),
  );
  await world.organizer.post(`/spot-checks/${planned.body.spotCheckId}/draw`);
  await new Promise((r) => setTimeout(r, 2100));
  proof = (await world.official.get(`/spot-checks/${planned.body.spotCheckId}/draw-proof`)).body;
});

afterAll(async () => {
  await system?.stop();
});

describe("draw verification", () => {
  it("re-computes the published draw from the revealed seed", () => {
    expect(verifyDrawProof(proof as never)).toMatchObject({ outcome: "verified" });
    // The conflict-of-interest rule holds in the published draw: 明湖办事处's inspector never serves under it.
    const yatai = proof.selected.find((s: { unitId: string }) => s.unitId === world.units.yatai);
    if (yatai) expect(yatai.inspectorIds).not.toContain(`${world.prefix}-insp-minghu`);
  });

  it("catches a changed team, a swapped seed and a missing seed", () => {
    const otherTeam = structuredClone(proof);
    otherTeam.selected[0].inspectorIds = [`${world.prefix}-insp-minghu`];
    expect(verifyDrawProof(otherTeam as never).outcome).toBe("draw_mismatch");
    expect(verifyDrawProof({ ...proof, seed: "f".repeat(64) } as never).outcome).toBe("commitment_mismatch");
    expect(verifyDrawProof({ ...proof, seed: undefined } as never).outcome).toBe("seed_not_revealed");
  });

  it("npm run verify-draw says VERIFIED (exit 0) for the live spot check and MISMATCH (exit 1) for a doctored file", async () => {
    const run = promisify(execFile);
    const env = { ...process.env, API_URL: system.url, DATA_DIR: dataDir };
    const live = await run(process.execPath, ["--import", "tsx", "bin/verify-draw.ts", proof.spotCheckId], {
      env,
    });
    expect(live.stdout).toContain("VERIFIED");
    // --url and --token: any deployment, with a token of one's own (no DATA_DIR needed).
    const token = await new Api(system.url, dataDir).token("someone-official", ["official"]);
    const remote = await run(
      process.execPath,
      ["--import", "tsx", "bin/verify-draw.ts", proof.spotCheckId, "--url", system.url, "--token", token],
      { env: { ...process.env, API_URL: "http://127.0.0.1:9", DATA_DIR: join(dataDir, "elsewhere") } },
    );
    expect(remote.stdout).toContain("VERIFIED");
    const doctored = join(dataDir, "doctored-proof.json");
    const changed = structuredClone(proof);
    changed.selected.reverse();
    changed.selected[0].unitId = world.units.airport;
    writeFileSync(doctored, JSON.stringify(changed));
    const failed = await run(
      process.execPath,
      ["--import", "tsx", "bin/verify-draw.ts", "--file", doctored],
      { env },
    ).catch((error: { code: number; stdout: string }) => error);
    expect(failed).toMatchObject({ code: 1, stdout: expect.stringContaining("MISMATCH") });
  });
});

describe("减负: excludeInspectedWithinDays", () => {
  let arrivedAt: string;
  let inspectedAssignmentId: string;
  let planned: Record<string, any>;
  let drawn: Record<string, any>;
  let reduced: Record<string, any>;

  beforeAll(async () => {
    // Spot check A: a team arrives at 东贾社区.
    const a = await drawOne(world, { candidateUnitIds: [world.units.dongjia], sampleSize: 1 });
    const arrival = await world
      .inspectorFor(a.assignment)
      .post(`/assignments/${a.assignment.assignmentId}/arrival`, { location: { lat: 34.68, lng: 113.75 } });
    expect(arrival.status).toBe(200);
    arrivedAt = arrival.body.arrival.at;
    inspectedAssignmentId = a.assignment.assignmentId;

    // Spot check B over the same three units leaves 东贾社区 out.
    const plan = await world.organizer.post(
      "/spot-checks",
      spotCheckBody(world, {
        candidateUnitIds: [world.units.yatai, world.units.dongjia, world.units.jiangchong],
        sampleSize: 2,
        excludeInspectedWithinDays: 30,
        window: { start: isoIn(-60_000), end: isoIn(2000) },
      }),
    );
    expect(plan.status).toBe(201);
    planned = plan.body;
    drawn = await world.organizer.post(`/spot-checks/${planned.spotCheckId}/draw`);
    await new Promise((r) => setTimeout(r, 2100));
    reduced = (await world.official.get(`/spot-checks/${planned.spotCheckId}/draw-proof`)).body;
  });

  it("the plan keeps the parameter", async () => {
    expect(planned.excludeInspectedWithinDays).toBe(30);
    const got = await world.official.get(`/spot-checks/${planned.spotCheckId}`);
    expect(got.body.excludeInspectedWithinDays).toBe(30);
  });

  it("leaves the recently inspected unit out of the draw and lists it in the proof", () => {
    expect(drawn.status).toBe(200);
    const units = drawn.body.assignments.map((x: { unitId: string }) => x.unitId).sort();
    expect(units).toEqual([world.units.yatai, world.units.jiangchong].sort());
    expect(reduced.excludeInspectedWithinDays).toBe(30);
    expect(reduced.candidates).toContain(world.units.dongjia);
    expect(reduced.excluded).toEqual([
      {
        unitId: world.units.dongjia,
        unitName: "东贾社区",
        lastArrivalAt: arrivedAt,
        assignmentId: inspectedAssignmentId,
      },
    ]);
  });

  it("verifyDraw agrees, and a proof that drops the exclusion does not", () => {
    expect(verifyDrawProof(reduced as never)).toMatchObject({ outcome: "verified" });
    const hidden = { ...reduced, excluded: [] };
    expect(verifyDrawProof(hidden as never).outcome).not.toBe("verified");
  });

  it("npm run verify-draw re-computes with the exclusion", async () => {
    const run = promisify(execFile);
    const env = { ...process.env, API_URL: system.url, DATA_DIR: dataDir };
    const live = await run(process.execPath, ["--import", "tsx", "bin/verify-draw.ts", reduced.spotCheckId], {
      env,
    });
    expect(live.stdout).toContain("VERIFIED");
    expect(live.stdout).toContain("东贾社区");
  });

  it("refuses a draw (422, in Chinese) when every candidate was inspected recently or too few remain", async () => {
    const all = await world.organizer.post(
      "/spot-checks",
      spotCheckBody(world, { candidateUnitIds: [world.units.dongjia], excludeInspectedWithinDays: 7 }),
    );
    const refusedAll = await world.organizer.post(`/spot-checks/${all.body.spotCheckId}/draw`);
    expect(refusedAll.status).toBe(422);
    expect(refusedAll.body.errors).toEqual([
      {
        path: "excludeInspectedWithinDays",
        message: "全部 1 个候选单位近期都已检查过，按减负要求排除后没有可抽取的单位",
      },
    ]);

    const few = await world.organizer.post(
      "/spot-checks",
      spotCheckBody(world, {
        candidateUnitIds: [world.units.dongjia, world.units.jiangchong],
        sampleSize: 2,
        excludeInspectedWithinDays: 1,
      }),
    );
    const refusedFew = await world.organizer.post(`/spot-checks/${few.body.spotCheckId}/draw`);
    expect(refusedFew.status).toBe(422);
    expect(refusedFew.body.errors[0].message).toBe(
      "排除近期已检查过的 1 个单位后只剩 1 个候选单位，不足抽取 2 个",
    );
    // Nothing was drawn: the spot check is still planned.
    expect((await world.organizer.get(`/spot-checks/${few.body.spotCheckId}`)).body.status).toBe("planned");
  });

  it("refuses a parameter that is not a whole number of days from 1 to 3650 (400)", async () => {
    for (const bad of [0, -1, 1.5, 3651, "30"]) {
      const res = await world.organizer.post(
        "/spot-checks",
        spotCheckBody(world, { excludeInspectedWithinDays: bad }),
      );
      expect(res.status).toBe(400);
      expect(res.body.errors[0].path).toContain("excludeInspectedWithinDays");
    }
  });
});
