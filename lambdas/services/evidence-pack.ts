import JSZip from "jszip";
import type { AssignmentRecord, AuditEvent, EvidenceRecord } from "../data/records";
import { verifyChain } from "../domain/audit-chain";
import { evidenceObjectKeys } from "../domain/evidence";
import {
  manifestOf,
  PACK_EXPORTED_ACTION,
  PACK_PATHS,
  type PackAuditChain,
  type PackEvidence,
  packSeal,
} from "../domain/evidence-pack";
import type { Caller } from "../domain/roles";
import { readObject } from "../shared/object-store";
import {
  auditTrailStore,
  evidenceStore,
  journal,
  rectificationStore,
  spotCheckStore,
  unitStore,
} from "./context";
import { drawProofOf } from "./draw-proof";
import { evidenceFileFields } from "./evidence-view";
import { namesOf } from "./names";
import { assignmentView, rectificationView } from "./views";

const PAGE = 200;

/** Every event of an entity's audit trail, oldest first (the pack holds whole chains). */
async function wholeTrail(entityId: string): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await auditTrailStore.listAudit(entityId, { limit: PAGE, cursor });
    events.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return events;
}

/** Every evidence item of a subject, oldest first. */
async function evidenceOf(subject: { kind: string; id: string }): Promise<EvidenceRecord[]> {
  const items: EvidenceRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await evidenceStore.pageOfSubject(subject, { limit: PAGE, cursor });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return items;
}

async function chainOf(entityId: string, kind: string): Promise<PackAuditChain> {
  const events = await wholeTrail(entityId);
  const verdict = verifyChain(events, null);
  return {
    entityId,
    kind,
    events,
    verification: verdict.verified ? { verified: true } : { verified: false, brokenAt: verdict.brokenAt },
  };
}

const json = (value: unknown) => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);

function readme(unitName: string, assignmentId: string, generatedAt: string, counts: Record<string, number>) {
  return new TextEncoder().encode(
    [
      `证据包：${unitName}（督查任务分组 ${assignmentId}）`,
      `导出时间（UTC）：${generatedAt}`,
      "",
      "内容：",
      `- ${PACK_PATHS.assignment}：督查任务分组（到达、评分、发现的问题）`,
      `- orders/：整改单 ${counts.orders} 份，各含完整的整改记录（history）`,
      `- evidence/：证据文件 ${counts.files} 个（照片、文件，按上传时校验的原样）；${PACK_PATHS.evidenceIndex} 是各证据的登记信息`,
      `- audit/：审计链 ${counts.chains} 条（督查任务、分组、整改单、证据），各附导出时的校验结果`,
      `- ${PACK_PATHS.drawProof}：抽签证明（督查时段结束后含种子，可据以复算抽签）`,
      `- ${PACK_PATHS.manifest}：以上每个文件的 SHA-256`,
      "",
      "离线核验：npm run verify-pack -- 证据包.zip",
      "核验每个文件与清单一致、每个证据文件与上传时记入审计链的 SHA-256 一致、每条审计链逐条链接一致。",
      "导出时，证据包内容的封存值（SHA-256）记入了该分组的审计链（evidence_pack_exported）：",
      "改动任何文件（即使重算清单）都与封存值不符；各审计链的末条哈希可与系统中 GET /audit/{编号} 比对。",
      "",
    ].join("\r\n"),
  );
}

/** Already compressed: stored as they are, so the pack costs no time squeezing photos. */
const COMPRESSED = new Set(["image/jpeg", "image/png", "image/webp", "application/pdf"]);

/**
 * The evidence pack (证据包) of an assignment the caller may see: a zip of the assignment, its
 * orders with their histories, every verified evidence file of the assignment and its orders as
 * stored, the audit chains (the spot check, the assignment, each order, each evidence item) with
 * their verification, the draw proof and a manifest of SHA-256 hashes (lambdas/domain/evidence-pack.ts).
 * The seal of the contents enters the assignment's audit chain (`evidence_pack_exported`) before that
 * chain is read into the pack, so the pack carries its own seal.
 */
export async function evidencePackOf(caller: Caller, a: AssignmentRecord, now: Date, via: string) {
  const generatedAt = now.toISOString();
  const [spotCheck, unit, orders] = await Promise.all([
    spotCheckStore.getSpotCheck(a.spotCheckId),
    unitStore.getUnit(a.unitId),
    rectificationStore.getRectifications(a.rectificationIds ?? []),
  ]);
  const unitName = unit?.name ?? a.unitId;
  const subjects = [
    { kind: "assignment", id: a.assignmentId },
    ...orders.map((o) => ({ kind: "rectification", id: o.rectificationId })),
  ];
  const evidence = (await Promise.all(subjects.map(evidenceOf))).flat();
  const names = await namesOf([
    ...a.inspectorIds,
    a.arrival?.by ?? "",
    a.findings?.submittedBy ?? "",
    ...orders.flatMap((o) => [...o.history.map((h) => h.actor), o.report?.by ?? ""]),
    ...evidence.map((e) => e.uploadedBy),
  ]);

  const files = new Map<string, Uint8Array>();
  files.set(PACK_PATHS.assignment, json({ ...assignmentView(a), unitName, names }));
  for (const o of orders) {
    files.set(PACK_PATHS.order(o.rectificationId), json({ ...rectificationView(o, now), unitName, names }));
  }

  const index: PackEvidence[] = [];
  for (const e of evidence) {
    const entry: PackEvidence = evidenceFileFields(e);
    if (e.status === "verified") {
      const path = PACK_PATHS.evidenceFile(e.evidenceId, e.contentType);
      files.set(path, (await readObject(evidenceObjectKeys(e.evidenceId).stored)).bytes);
      index.push({ ...entry, path });
    } else {
      index.push(entry);
    }
  }
  files.set(PACK_PATHS.evidenceIndex, json(index));

  const chains = await Promise.all([
    ...(spotCheck ? [chainOf(spotCheck.spotCheckId, "spot-check")] : []),
    ...orders.map((o) => chainOf(o.rectificationId, "rectification")),
    ...evidence.map((e) => chainOf(e.evidenceId, "evidence")),
  ]);
  for (const chain of chains) files.set(PACK_PATHS.audit(chain.entityId), json(chain));
  if (spotCheck) {
    const draw = await spotCheckStore.getDrawRecord(spotCheck);
    files.set(PACK_PATHS.drawProof, json(drawProofOf(spotCheck, draw, now)));
  }
  files.set(
    PACK_PATHS.readme,
    readme(unitName, a.assignmentId, generatedAt, {
      orders: orders.length,
      files: index.filter((e) => e.path).length,
      chains: chains.length + 1,
    }),
  );

  // The seal of everything above enters the assignment's chain; then the chain, seal included.
  const seal = packSeal(files, a.assignmentId);
  await journal.appendAudit([
    {
      entityId: a.assignmentId,
      actor: caller.sub,
      action: PACK_EXPORTED_ACTION,
      at: generatedAt,
      detail: { via, generatedAt, seal, files: files.size + 2 },
    },
  ]);
  files.set(PACK_PATHS.audit(a.assignmentId), json(await chainOf(a.assignmentId, "assignment")));
  files.set(PACK_PATHS.manifest, json(manifestOf(a.assignmentId, generatedAt, files)));

  const zip = new JSZip();
  const stored = new Set(index.filter((e) => e.path && COMPRESSED.has(e.contentType)).map((e) => e.path));
  for (const [path, bytes] of files) {
    zip.file(path, bytes, {
      date: now,
      compression: stored.has(path) ? "STORE" : "DEFLATE",
      createFolders: false,
    });
  }
  const bytes = await zip.generateAsync({ type: "uint8array", compressionOptions: { level: 6 } });
  const day = generatedAt.slice(0, 10);
  return { bytes, fileName: `证据包-${unitName}-${day}.zip`, seal };
}
