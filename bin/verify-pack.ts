import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import JSZip from "jszip";
import { type PackVerification, verifyEvidencePack } from "../lambdas/domain/evidence-pack";

/**
 * `npm run verify-pack -- <证据包.zip>` checks an evidence pack (GET /assignments/{id}/evidence-pack)
 * offline, with nothing but the file: every file against the manifest's SHA-256, each evidence file
 * against the hash its upload entered into the audit chain, and every audit chain's links
 * (lambdas/domain/evidence-pack.ts). Exit 0 intact, 1 any mismatch, 2 bad input (`--help` prints the usage).
 */
const USAGE = `用法（离线核验证据包）:
  npm run verify-pack -- <证据包.zip>
  npm run verify-pack -- --help

核验内容:
  1. 清单（manifest.json）列出的每个文件都在，且 SHA-256 与清单一致；没有清单之外的文件。
  2. 每条审计链（audit/）逐条链接一致：记录未被改动、删除或调换。
  3. 证据包内容与导出时记入分组审计链的封存值（evidence_pack_exported）一致：改动文件后即使重算清单也能发现。
  4. 每个证据文件（evidence/）的 SHA-256 与上传校验时记入审计链的一致：照片未被替换或修改。
最后打印封存值和各审计链的末条哈希：可与系统中 GET /audit/{编号} 的记录比对。

退出码: 0 核验通过，1 发现不一致，2 文件无法读取或不是证据包。`;

function report(v: PackVerification): string {
  const lines = [
    v.ok ? "核验通过：证据包完整，未发现改动。" : `核验未通过：发现 ${v.problems.length} 处不一致。`,
    "",
  ];
  if (v.problems.length > 0) lines.push("不一致：", ...v.problems.map((p) => `  ✗ ${p}`), "");
  if (v.passed.length > 0) lines.push("已核验：", ...v.passed.map((p) => `  ✓ ${p}`), "");
  if (v.seal) lines.push(`证据包封存值（SHA-256）：${v.seal}`);
  if (v.chainHeads.length > 0) {
    lines.push("各审计链末条哈希（可与系统 GET /audit/{编号} 比对）：");
    for (const head of v.chainHeads) lines.push(`  ${head.entityId}  ${head.hash}`);
  }
  return lines.join("\n");
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    options: { help: { type: "boolean", short: "h" } },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const path = positionals[0];
  if (positionals.length !== 1 || !path) {
    console.error(USAGE);
    return 2;
  }
  let files: Map<string, Uint8Array>;
  try {
    const zip = await JSZip.loadAsync(readFileSync(path));
    files = new Map();
    for (const entry of Object.values(zip.files)) {
      if (!entry.dir) files.set(entry.name, await entry.async("uint8array"));
    }
  } catch (error) {
    console.error(
      `无法读取 ${path}：${error instanceof Error ? error.message : String(error)}（不是 zip 文件？）`,
    );
    return 2;
  }
  if (!files.has("manifest.json")) {
    console.error(`${path} 不是证据包：没有 manifest.json。`);
    return 2;
  }
  const verification = verifyEvidencePack(files);
  console.log(report(verification));
  return verification.ok ? 0 : 1;
}

process.exitCode = await main();
