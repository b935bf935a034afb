import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { commitSeed, drawTargets } from "../../lambdas/domain/draw";

/**
 * `npm run verify-draw` as a person meets it: `--help`, a clear word on what it needs, and the
 * offline re-computation of a saved proof, with the units left out for 减负.
 */
const run = promisify(execFile);
type Outcome = { code: number; stdout: string; stderr: string };

async function verifyDraw(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  return run(process.execPath, ["--import", "tsx", "bin/verify-draw.ts", ...args], {
    env: { ...process.env, ...env },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: Outcome) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

const dir = mkdtempSync(join(tmpdir(), "verify-draw-"));

/** A revealed proof with two of six candidates left out, as GET /spot-checks/{id}/draw-proof gives it. */
function savedProof() {
  const seed = "0b7e5d1c9a3f24e6b8d0c2a4f6e8b0d2c4a6e8f0b2d4c6a8e0f2b4d6c8a0e2f4";
  const candidates = ["u1", "u2", "u3", "u4", "u5", "u6"];
  const pool = [
    { inspectorId: "i1", homeUnitId: "hq" },
    { inspectorId: "i2", homeUnitId: "hq" },
    { inspectorId: "i3", homeUnitId: "hq" },
  ];
  const excluded = [
    { unitId: "u3", unitName: "东贾社区", lastArrivalAt: "2026-03-25T01:00:00.000Z", assignmentId: "a-1" },
    { unitId: "u6", unitName: "蒋冲村", lastArrivalAt: "2026-03-30T09:30:00.000Z", assignmentId: "a-2" },
  ];
  const { selected } = drawTargets({
    seed,
    candidates,
    excluded: excluded.map((e) => e.unitId),
    pool,
    sampleSize: 2,
    teamSize: 2,
    lineage: {},
  });
  return {
    spotCheckId: "sc-1",
    seedCommitment: commitSeed(seed),
    seed,
    sampleSize: 2,
    teamSize: 2,
    excludeInspectedWithinDays: 14,
    candidates,
    excluded,
    pool,
    lineage: {},
    selected,
    drawnAt: "2026-04-01T00:00:00.000Z",
  };
}

function saved(name: string, proof: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(proof));
  return path;
}

describe("npm run verify-draw", () => {
  it("--help prints the usage, what it needs (URL, token or DATA_DIR) and exits 0", async () => {
    for (const flag of ["--help", "-h"]) {
      const out = await verifyDraw([flag]);
      expect(out.code).toBe(0);
      expect(out.stdout).toContain("用法");
      for (const word of ["--url", "--token", "--file", "API_URL", "PORT", "DATA_DIR", "window.end"]) {
        expect(out.stdout).toContain(word);
      }
    }
  });

  it("an unknown option or a missing spot check id is a usage error (exit 2), not a crash", async () => {
    const unknown = await verifyDraw(["--bogus"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("参数有误");
    expect(unknown.stderr).toContain("用法");
    const none = await verifyDraw([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("缺少 spotCheckId");
  });

  it("without --token and without a local signing key in DATA_DIR it says what it needs", async () => {
    const out = await verifyDraw(["sc-1"], { DATA_DIR: join(dir, "no-server-here") });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("没有令牌");
    expect(out.stderr).toContain("--token");
  });

  it("a server that cannot be reached is named, with how to point at another", async () => {
    const out = await verifyDraw(["sc-1", "--url", "http://127.0.0.1:9", "--token", "t"]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("连不上 http://127.0.0.1:9");
  });

  it("re-computes a saved proof over the remaining candidates and lists the units left out", async () => {
    const out = await verifyDraw(["--file", saved("proof.json", savedProof())]);
    expect(out.stdout).toContain("VERIFIED");
    expect(out.stdout).toContain("u3 东贾社区");
    expect(out.stdout).toContain("u6 蒋冲村");
    expect(out.stdout).toContain("从 4 个候选单位");
    expect(out.code).toBe(0);
  });

  it("says MISMATCH (exit 1) when a proof hides an exclusion or claims one that is too old", async () => {
    const hidden = await verifyDraw(["--file", saved("hidden.json", { ...savedProof(), excluded: [] })]);
    expect(hidden.code).toBe(1);
    expect(hidden.stdout).toContain("MISMATCH");
    const proof = savedProof();
    const stale = {
      ...proof,
      excluded: [proof.excluded[0], { ...proof.excluded[1], lastArrivalAt: "2026-01-01T00:00:00.000Z" }],
    };
    const old = await verifyDraw(["--file", saved("stale.json", stale)]);
    expect(old.code).toBe(1);
    expect(old.stdout).toContain("不在抽签");
  });

  it("a seed not revealed yet is exit 2", async () => {
    const { seed: _seed, ...unrevealed } = savedProof();
    const out = await verifyDraw(["--file", saved("unrevealed.json", unrevealed)]);
    expect(out.code).toBe(2);
    expect(out.stdout).toContain("种子尚未公开");
  });
});
