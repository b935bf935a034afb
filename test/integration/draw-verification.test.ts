import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyDrawProof } from "../../lambdas/domain/draw-verification";
import { type LocalSystem, startLocalSystem } from "../../lib/local/system";
import { Api, isoIn } from "../support/api";
import { tempDataDir } from "../support/local";
import { buildWorld, spotCheckBody, type World } from "../support/scenario";

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
  system = await startLocalSystem({ port: 0, dataDir, inMemory: true });
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
