/**
 * The evidence pack of an assignment (证据包): a zip that carries everything needed to check an
 * inspection offline — the assignment, its rectification orders with their histories, the evidence
 * files as stored, the audit chains of the assignment, its orders, its evidence and its spot check
 * with their verification as the system saw it, the draw proof — and a manifest with the SHA-256 of
 * every file. Before the pack is finished, the hash of its contents (every file but the manifest
 * and the assignment's own chain: the seal) is entered into the assignment's audit chain
 * (`evidence_pack_exported`), and that chain, seal included, goes into the pack. So
 * `verifyEvidencePack` (run by `npm run verify-pack -- file.zip`) re-checks, with nothing but the
 * pack: every file against the manifest, the contents against the seal in the chain (a file edited
 * and the manifest re-computed no longer matches it), each evidence file against the hash its upload
 * entered into the audit chain, and every chain's links. Only rewriting the chains themselves
 * escapes an offline check; the chains' last hashes, which it prints, then differ from the system's
 * (`GET /audit/{entityId}`). No AWS imports.
 */
import { createHash } from "node:crypto";
import * as z from "zod/mini";
import {
  type AuditContent,
  type ChainLink,
  type ChainVerdict,
  canonicalJson,
  verifyChain,
} from "./audit-chain";

export const PACK_FORMAT = "spot-inspections/evidence-pack@1";

/** The files of a pack, by path inside the zip. */
export const PACK_PATHS = {
  manifest: "manifest.json",
  readme: "说明.txt",
  assignment: "assignment.json",
  drawProof: "draw-proof.json",
  evidenceIndex: "evidence.json",
  order: (rectificationId: string) => `orders/${rectificationId}.json`,
  evidenceFile: (evidenceId: string, contentType: string) =>
    `evidence/${evidenceId}${EXTENSIONS[contentType] ?? ""}`,
  audit: (entityId: string) => `audit/${entityId}.json`,
} as const;

const EXTENSIONS: Readonly<Record<string, string>> = {
  "image/jpeg": ".jpg",
  "image/png": ".png",
  "image/webp": ".webp",
  "application/pdf": ".pdf",
};

/** The audit action that enters a pack's seal into the assignment's chain (detail: `generatedAt`, `seal`). */
export const PACK_EXPORTED_ACTION = "evidence_pack_exported";

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

const sha256 = z.string().check(z.regex(/^[0-9a-f]{64}$/));

export const packManifest = z.object({
  format: z.literal(PACK_FORMAT),
  assignmentId: z.string(),
  generatedAt: z.string(),
  files: z.array(z.object({ path: z.string(), sha256, size: z.number() })),
});
export type PackManifest = z.infer<typeof packManifest>;

/** One entry of `evidence.json`: what the system recorded, and where its file lies in the pack. */
export const packEvidence = z.object({
  evidenceId: z.string(),
  subject: z.object({ kind: z.string(), id: z.string() }),
  purpose: z.string(),
  status: z.string(),
  fileName: z.string(),
  contentType: z.string(),
  size: z.number(),
  sha256: z.optional(z.string()),
  /** The file in the pack (verified evidence only). */
  path: z.optional(z.string()),
});
export type PackEvidence = z.infer<typeof packEvidence>;

const auditEventInPack = z.object({
  entityId: z.string(),
  seq: z.number(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  detail: z.optional(z.record(z.string(), z.unknown())),
  prevHash: z.string(),
  hash: z.string(),
});

/** One `audit/<entityId>.json`: an entity's whole chain and the verification the system made of it. */
export const packAuditChain = z.object({
  entityId: z.string(),
  kind: z.string(),
  events: z.array(auditEventInPack),
  verification: z.object({ verified: z.boolean(), brokenAt: z.optional(z.number()) }),
});
export type PackAuditChain = z.infer<typeof packAuditChain>;

/**
 * The seal of a pack's contents: the SHA-256 of the canonical list of `[path, sha256]` of every file
 * but the manifest and the assignment's own audit chain (which carries the seal).
 */
export function packSeal(files: ReadonlyMap<string, Uint8Array>, assignmentId: string): string {
  const listed = [...files]
    .filter(([path]) => path !== PACK_PATHS.manifest && path !== PACK_PATHS.audit(assignmentId))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, bytes]) => [path, sha256Hex(bytes)]);
  return sha256Hex(new TextEncoder().encode(canonicalJson(listed)));
}

/** The manifest of the files (every file but the manifest itself), in path order. */
export function manifestOf(
  assignmentId: string,
  generatedAt: string,
  files: ReadonlyMap<string, Uint8Array>,
): PackManifest {
  return {
    format: PACK_FORMAT,
    assignmentId,
    generatedAt,
    files: [...files]
      .filter(([path]) => path !== PACK_PATHS.manifest)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([path, bytes]) => ({ path, sha256: sha256Hex(bytes), size: bytes.length })),
  };
}

export interface PackVerification {
  readonly ok: boolean;
  /** The seal of the contents, as re-computed (and, when `ok`, as the assignment's chain records it). */
  readonly seal: string | undefined;
  /** What was checked and found right, in Chinese. */
  readonly passed: readonly string[];
  /** Every mismatch, in Chinese. */
  readonly problems: readonly string[];
  /** The last hash of each chain: compare with `GET /audit/{entityId}` of the live system. */
  readonly chainHeads: readonly { readonly entityId: string; readonly kind: string; readonly hash: string }[];
}

const KIND_NAMES: Readonly<Record<string, string>> = {
  assignment: "督查任务分组",
  rectification: "整改单",
  evidence: "证据材料",
  "spot-check": "督查任务",
};

function parseJson<T>(
  files: ReadonlyMap<string, Uint8Array>,
  path: string,
  schema: z.ZodMiniType<T>,
): { value: T } | { error: string } {
  const bytes = files.get(path);
  if (!bytes) return { error: `缺少文件 ${path}` };
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    return { error: `${path} 不是有效的 JSON` };
  }
  const parsed = z.safeParse(schema, raw);
  return parsed.success ? { value: parsed.data } : { error: `${path} 的内容不符合证据包格式` };
}

/** The verdict of one chain, re-computed from its events (from the first: the pack holds whole chains). */
function recheck(chain: PackAuditChain): ChainVerdict {
  const events: (AuditContent & ChainLink)[] = [...chain.events].sort((a, b) => a.seq - b.seq);
  if (events.some((e) => e.entityId !== chain.entityId)) {
    const wrong = events.find((e) => e.entityId !== chain.entityId);
    return { verified: false, brokenAt: wrong?.seq ?? 0 };
  }
  return verifyChain(events, null);
}

/**
 * Checks a pack offline (its files by path): every file against the manifest, nothing unlisted,
 * every audit chain's links (and that it verifies as recorded), and each evidence file's SHA-256
 * against the `evidence_verified` events that recorded it at upload. `ok` only when nothing is wrong.
 */
export function verifyEvidencePack(files: ReadonlyMap<string, Uint8Array>): PackVerification {
  const passed: string[] = [];
  const problems: string[] = [];
  const chainHeads: { entityId: string; kind: string; hash: string }[] = [];

  const manifest = parseJson(files, PACK_PATHS.manifest, packManifest);
  if ("error" in manifest) {
    return { ok: false, seal: undefined, passed, problems: [manifest.error], chainHeads };
  }
  const { assignmentId, generatedAt } = manifest.value;
  const seal = packSeal(files, assignmentId);

  // 1. Every file as the manifest lists it; nothing added.
  const listed = new Set<string>();
  let intact = 0;
  for (const entry of manifest.value.files) {
    listed.add(entry.path);
    const bytes = files.get(entry.path);
    if (!bytes) problems.push(`缺少文件：${entry.path}`);
    else if (sha256Hex(bytes) !== entry.sha256 || bytes.length !== entry.size)
      problems.push(`文件已被改动（SHA-256 与清单不符）：${entry.path}`);
    else intact += 1;
  }
  for (const path of files.keys()) {
    if (path !== PACK_PATHS.manifest && !listed.has(path)) problems.push(`清单之外的文件：${path}`);
  }
  passed.push(`清单列出的 ${manifest.value.files.length} 个文件中，${intact} 个与清单的 SHA-256 一致`);

  // 2. Every audit chain: its links, and the verification recorded beside it.
  const chains: PackAuditChain[] = [];
  for (const path of [...listed].filter((p) => p.startsWith("audit/")).sort()) {
    const chain = parseJson(files, path, packAuditChain);
    if ("error" in chain) {
      problems.push(chain.error);
      continue;
    }
    chains.push(chain.value);
    const name = `${KIND_NAMES[chain.value.kind] ?? chain.value.kind} ${chain.value.entityId} 的审计链`;
    const verdict = recheck(chain.value);
    if (!verdict.verified)
      problems.push(`${name}在第 ${verdict.brokenAt} 条记录处断开（记录被改动、删除或调换）`);
    else if (!chain.value.verification.verified)
      problems.push(
        `${name}在导出时校验未通过（第 ${chain.value.verification.brokenAt ?? "?"} 条），现在却能通过：记录被改动`,
      );
    else passed.push(`${name}共 ${chain.value.events.length} 条记录，逐条链接一致`);
    const last = chain.value.events.reduce<{ seq: number; hash: string } | undefined>(
      (a, e) => (a === undefined || e.seq > a.seq ? e : a),
      undefined,
    );
    if (last) chainHeads.push({ entityId: chain.value.entityId, kind: chain.value.kind, hash: last.hash });
  }

  // 3. The contents against the seal the export entered into the assignment's chain.
  const own = chains.find((c) => c.entityId === assignmentId);
  const sealed = own?.events.find(
    (e) => e.action === PACK_EXPORTED_ACTION && e.detail?.generatedAt === generatedAt,
  )?.detail?.seal;
  if (!own) problems.push(`缺少督查任务分组 ${assignmentId} 的审计链，无法核对封存值`);
  else if (typeof sealed !== "string")
    problems.push("审计链中没有本证据包导出时的封存记录（evidence_pack_exported）");
  else if (sealed !== seal)
    problems.push("证据包内容与导出时记入审计链的封存值不符：有文件被改动（清单也被重算过）");
  else passed.push("证据包内容与导出时记入审计链的封存值一致");

  // 4. Each evidence file against the hashes its upload entered into the audit chains.
  const index = parseJson(files, PACK_PATHS.evidenceIndex, z.array(packEvidence));
  if ("error" in index) {
    problems.push(index.error);
  } else {
    const recorded = new Map<string, Set<string>>();
    for (const chain of chains) {
      for (const e of chain.events) {
        const id = e.detail?.evidenceId;
        const hash = e.detail?.sha256;
        if (e.action === "evidence_verified" && typeof id === "string" && typeof hash === "string") {
          recorded.set(id, new Set([...(recorded.get(id) ?? []), hash]));
        }
      }
    }
    for (const evidence of index.value) {
      if (evidence.path === undefined) continue;
      const bytes = files.get(evidence.path);
      if (!bytes) {
        problems.push(`缺少证据文件：${evidence.path}`);
        continue;
      }
      const actual = sha256Hex(bytes);
      const hashes = recorded.get(evidence.evidenceId);
      const label = `证据文件 ${evidence.path}（${evidence.fileName}）`;
      if (!hashes || hashes.size === 0) problems.push(`${label}在审计链中没有上传校验记录`);
      else if (!hashes.has(actual) || hashes.size > 1)
        problems.push(`${label}与上传时审计链记录的 SHA-256 不符：文件已被改动`);
      else if (evidence.sha256 !== actual) problems.push(`${label}与 evidence.json 记录的 SHA-256 不符`);
      else passed.push(`${label}与上传时审计链记录的 SHA-256 一致`);
    }
  }

  return { ok: problems.length === 0, seal, passed, problems, chainHeads };
}
