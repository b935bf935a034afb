import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import * as z from "zod/mini";
import { verifyDrawProof } from "../lambdas/domain/draw-verification";
import { issueToken } from "../lib/local/jwt";

/**
 * `npm run verify-draw -- <spotCheckId>` (against the local server: API_URL or localhost:PORT, a
 * token from DATA_DIR) or `npm run verify-draw -- --file proof.json` (a saved draw proof, from any
 * deployment). Re-computes the draw and says whether it matches. Exit 0 verified, 1 mismatch,
 * 2 seed not revealed yet or bad input.
 */
const proofSchema = z.object({
  seedCommitment: z.string(),
  seed: z.optional(z.string()),
  candidates: z.array(z.string()),
  pool: z.array(z.object({ inspectorId: z.string(), homeUnitId: z.string() })),
  lineage: z.record(z.string(), z.array(z.string())),
  sampleSize: z.number(),
  teamSize: z.number(),
  selected: z.array(z.object({ unitId: z.string(), inspectorIds: z.array(z.string()) })),
});

const { values, positionals } = parseArgs({ allowPositionals: true, options: { file: { type: "string" } } });

async function loadProof(): Promise<unknown> {
  if (values.file) return JSON.parse(readFileSync(values.file, "utf8"));
  const id = positionals[0];
  if (!id) {
    console.error(
      "usage: npm run verify-draw -- <spotCheckId>   |   npm run verify-draw -- --file proof.json",
    );
    process.exit(2);
  }
  const base = process.env.API_URL ?? `http://localhost:${process.env.PORT ?? 3000}`;
  const token = await issueToken(process.env.DATA_DIR ?? ".data", {
    sub: "draw-verifier",
    groups: ["official"],
  });
  const res = await fetch(`${base}/spot-checks/${encodeURIComponent(id)}/draw-proof`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok) {
    console.error(`GET draw-proof answered ${res.status}: ${await res.text()}`);
    process.exit(2);
  }
  return res.json();
}

const parsed = z.safeParse(proofSchema, await loadProof());
if (!parsed.success) {
  console.error(`Not a draw proof: ${z.prettifyError(parsed.error)}`);
  process.exit(2);
}
const verdict = verifyDrawProof(parsed.data);
switch (verdict.outcome) {
  case "seed_not_revealed":
    console.log("The seed is not revealed yet (it is published after window.end); nothing to verify.");
    process.exit(2);
    break;
  case "commitment_mismatch":
    console.log(
      `MISMATCH: sha256(seed) = ${verdict.computedCommitment}, but the published commitment is ${parsed.data.seedCommitment}.`,
    );
    process.exit(1);
    break;
  case "draw_mismatch":
    console.log("MISMATCH: the draw re-computed from the seed differs from the published one:");
    console.log(JSON.stringify(verdict.recomputed, null, 2));
    process.exit(1);
    break;
  case "verified":
    console.log(
      `VERIFIED: the seed matches its commitment and re-computes the same ${verdict.recomputed.length} assignment(s).`,
    );
    for (const s of verdict.recomputed) console.log(`  ${s.unitId}: ${s.inspectorIds.join(", ")}`);
}
