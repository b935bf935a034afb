import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import * as z from "zod/mini";
import { verifyDrawProof } from "../lambdas/domain/draw-verification";
import { issueToken, localSigningKeyExists } from "../lib/local/jwt";

/**
 * `npm run verify-draw -- <spotCheckId>` fetches a spot check's draw proof and re-computes the draw;
 * `npm run verify-draw -- --file proof.json` does the same for a saved proof, offline. Exit 0 verified,
 * 1 mismatch, 2 seed not revealed yet or bad input (`--help` prints the usage).
 */
const USAGE = `用法（重算抽签，核验双随机是否被操纵）:
  npm run verify-draw -- <spotCheckId> [--url <API 地址>] [--token <令牌>]
  npm run verify-draw -- --file <proof.json>
  npm run verify-draw -- --help

从服务取抽签证明（GET /spot-checks/{id}/draw-proof）:
  --url <地址>     API 地址；默认取环境变量 API_URL，否则 http://localhost:\${PORT:-3000}（本地 npm start）
  --token <令牌>   督查组织人员、管理员或领导的登录令牌（Bearer，不含 "Bearer "）；云上部署必须给出。
                   不给时，用本地服务器 DATA_DIR（默认 .data/）中的签名密钥签一个领导（official）令牌：
                   须在运行 npm start 的同一目录下、以相同的 DATA_DIR 运行。
离线核验:
  --file <文件>    已保存的抽签证明 JSON（从任何部署下载），不需要网络和令牌。

种子在督查时段结束（window.end）后才公开，此前无法重算。
重算时先去掉证明中 excluded 列出的单位（减负：抽签前 excludeInspectedWithinDays 天内已检查过的单位），
并核对它们的最近到达时间确在该期限之内。

退出码: 0 核验通过（VERIFIED），1 不一致（MISMATCH），2 种子尚未公开或输入有误。`;

const proofSchema = z.object({
  seedCommitment: z.string(),
  seed: z.optional(z.string()),
  candidates: z.array(z.string()),
  pool: z.array(z.object({ inspectorId: z.string(), homeUnitId: z.string() })),
  lineage: z.record(z.string(), z.array(z.string())),
  sampleSize: z.number(),
  teamSize: z.number(),
  selected: z.array(z.object({ unitId: z.string(), inspectorIds: z.array(z.string()) })),
  drawnAt: z.optional(z.string()),
  excludeInspectedWithinDays: z.optional(z.number()),
  excluded: z.optional(
    z.array(z.object({ unitId: z.string(), unitName: z.optional(z.string()), lastArrivalAt: z.string() })),
  ),
});

/** Stops with a message for the person at the terminal and the usage. */
function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function readArgs() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        file: { type: "string" },
        url: { type: "string" },
        token: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    return fail(`参数有误：${error instanceof Error ? error.message : String(error)}`);
  }
}

const { values, positionals } = readArgs();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

async function loadProof(): Promise<unknown> {
  if (values.file) {
    if (positionals.length > 0 || values.url || values.token)
      fail("--file 与 spotCheckId、--url、--token 不能同时使用。");
    if (!existsSync(values.file)) fail(`找不到文件 ${values.file}。`);
    try {
      return JSON.parse(readFileSync(values.file, "utf8"));
    } catch (error) {
      return fail(`${values.file} 不是 JSON：${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const [id, ...extra] = positionals;
  if (!id) fail("缺少 spotCheckId（或用 --file 指定已保存的抽签证明）。");
  if (extra.length > 0) fail(`只能核验一个督查任务，多余的参数：${extra.join(" ")}`);
  const base = (values.url ?? process.env.API_URL ?? `http://localhost:${process.env.PORT ?? 3000}`).replace(
    /\/+$/,
    "",
  );
  let token = values.token;
  if (!token) {
    const dataDir = process.env.DATA_DIR ?? ".data";
    if (!localSigningKeyExists(dataDir)) {
      fail(
        `没有令牌：未给出 --token，而 DATA_DIR（${dataDir}）中没有本地服务器的签名密钥。` +
          "请用 --token 给出令牌，或在运行 npm start 的目录下以相同的 DATA_DIR 运行。",
      );
    }
    token = await issueToken(dataDir, { sub: "draw-verifier", groups: ["official"] });
  }
  const url = `${base}/spot-checks/${encodeURIComponent(id)}/draw-proof`;
  let res: Response;
  try {
    res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  } catch (error) {
    return fail(
      `连不上 ${base}（${error instanceof Error ? error.message : String(error)}）。` +
        "本地请先运行 npm start，或用 --url / API_URL / PORT 指定地址。",
    );
  }
  if (res.status === 401) fail(`${url} 拒绝了令牌（401）：令牌无效或已过期，请用 --token 给出有效令牌。`);
  if (res.status === 404) fail(`${url}：没有这个督查任务，或该令牌的角色看不到它（404）。`);
  if (!res.ok) fail(`${url} 返回 ${res.status}：${await res.text()}`);
  return res.json();
}

const parsed = z.safeParse(proofSchema, await loadProof());
if (!parsed.success) fail(`不是抽签证明：${z.prettifyError(parsed.error)}`);
const proof = parsed.data;
const verdict = verifyDrawProof(proof);
const excluded = proof.excluded ?? [];
if (excluded.length > 0) {
  console.log(
    `减负：抽签前 ${proof.excludeInspectedWithinDays} 天内已检查过的 ${excluded.length} 个单位不参加抽签，重算时已去掉：`,
  );
  for (const e of excluded) {
    console.log(`  ${e.unitId}${e.unitName ? ` ${e.unitName}` : ""}（最近到达 ${e.lastArrivalAt}）`);
  }
}
switch (verdict.outcome) {
  case "seed_not_revealed":
    console.log("种子尚未公开（督查时段结束 window.end 后公开），暂时无法重算。");
    process.exit(2);
    break;
  case "commitment_mismatch":
    console.log(
      `MISMATCH 不一致：sha256(seed) = ${verdict.computedCommitment}，而公布的承诺是 ${proof.seedCommitment}。`,
    );
    process.exit(1);
    break;
  case "exclusion_mismatch":
    console.log("MISMATCH 不一致：证明中排除的单位与规则不符：");
    for (const p of verdict.problems) console.log(`  ${p}`);
    process.exit(1);
    break;
  case "draw_mismatch":
    if (verdict.refused) console.log(`MISMATCH 不一致：按证明中的输入根本无法抽签：${verdict.refused}`);
    else console.log("MISMATCH 不一致：用种子重算的结果与公布的抽签结果不同。重算结果：");
    console.log(JSON.stringify(verdict.recomputed, null, 2));
    process.exit(1);
    break;
  case "verified":
    console.log(
      `VERIFIED 核验通过：种子与承诺相符，从 ${proof.candidates.length - excluded.length} 个候选单位重算得到相同的 ${verdict.recomputed.length} 个检查任务。`,
    );
    for (const s of verdict.recomputed) console.log(`  ${s.unitId}: ${s.inspectorIds.join(", ")}`);
}
