import type { AssignmentRecord, EvidenceRecord, RectificationRecord } from "../data/records";
import { type FieldError, NotFoundError, RuleViolationError } from "../domain/errors";
import { MAX_EVIDENCE_PER_REFERENCE } from "../domain/evidence";
import { type Caller, isPlanner, isTeamInspector, unitOf } from "../domain/roles";
import type { EvidencePurpose, EvidenceSubjectKind } from "../domain/statuses";
import { evidenceStore } from "./context";
import { loadVisibleAssignment, loadVisibleRectification } from "./visibility";

/** A subject as the API names it. */
export interface EvidenceSubject {
  readonly kind: EvidenceSubjectKind;
  readonly id: string;
}

export type VisibleSubject =
  | { readonly kind: "assignment"; readonly assignment: AssignmentRecord }
  | { readonly kind: "rectification"; readonly rectification: RectificationRecord };

/**
 * The subject, if the caller may see it; otherwise the same 404 as for an unknown id (for the
 * inspected unit before arrival too, with the read audited like every other such read).
 */
export async function loadVisibleSubject(
  caller: Caller,
  subject: EvidenceSubject,
  via: string,
  now: Date,
): Promise<VisibleSubject> {
  if (subject.kind === "assignment") {
    return { kind: "assignment", assignment: await loadVisibleAssignment(caller, subject.id, via, now) };
  }
  return { kind: "rectification", rectification: await loadVisibleRectification(caller, subject.id) };
}

/** Evidence whose subject the caller may see; 404 otherwise. */
export async function loadVisibleEvidence(caller: Caller, id: string, via: string, now: Date) {
  const e = await evidenceStore.getEvidence(id);
  if (!e) throw new NotFoundError("没有这份证据材料。");
  await loadVisibleSubject(caller, e.subject, via, now);
  return e;
}

/**
 * May the caller add evidence of this purpose to this subject? 问题照片 (finding): an inspector of
 * the team after arrival; 整改前 (before): an inspector of the order's team; 整改后 (after): the
 * order's own unit; 回头看 (review): whoever may review the order.
 */
export function mayAddEvidence(caller: Caller, purpose: EvidencePurpose, subject: VisibleSubject): boolean {
  if (subject.kind === "assignment")
    return purpose === "finding" && isTeamInspector(caller, subject.assignment);
  const r = subject.rectification;
  if (purpose === "before") return isTeamInspector(caller, r);
  if (purpose === "after") return unitOf(caller) === r.unitId;
  if (purpose === "review") return isTeamInspector(caller, r) || isPlanner(caller);
  return false;
}

/**
 * Checks that every id names verified evidence of this subject with this purpose, at most 20 and
 * none twice; returns the field errors (Chinese) and the records of the ids that passed.
 */
export async function checkEvidenceReferences(
  references: readonly { readonly path: string; readonly ids: readonly string[] }[],
  subject: EvidenceSubject,
  purpose: EvidencePurpose,
): Promise<{ errors: FieldError[]; byId: Map<string, EvidenceRecord> }> {
  const all = [...new Set(references.flatMap((r) => r.ids))];
  const found = await evidenceStore.getEvidenceList(all);
  const byId = new Map(found.map((e) => [e.evidenceId, e]));
  const errors: FieldError[] = [];
  for (const ref of references) {
    if (ref.ids.length > MAX_EVIDENCE_PER_REFERENCE) {
      errors.push({ path: ref.path, message: `每项最多 ${MAX_EVIDENCE_PER_REFERENCE} 份证据材料` });
      continue;
    }
    const seen = new Set<string>();
    ref.ids.forEach((id, i) => {
      const path = `${ref.path}.${i}`;
      const e = byId.get(id);
      if (seen.has(id)) errors.push({ path, message: "同一份证据材料重复引用" });
      else if (!e || e.subject.kind !== subject.kind || e.subject.id !== subject.id)
        errors.push({ path, message: "不是本事项的证据材料" });
      else if (e.purpose !== purpose)
        errors.push({ path, message: `证据用途不符：应为「${PURPOSE_NAMES[purpose]}」` });
      else if (e.status === "pending") errors.push({ path, message: "证据材料尚未上传完成或尚未校验" });
      else if (e.status === "rejected")
        errors.push({ path, message: `证据材料未通过校验：${e.reason ?? "文件不符"}` });
      seen.add(id);
    });
  }
  return { errors, byId };
}

export const PURPOSE_NAMES: Readonly<Record<EvidencePurpose, string>> = {
  finding: "问题照片",
  before: "整改前",
  after: "整改后",
  review: "回头看",
};

/** `{ evidenceId, sha256 }` of referenced evidence, for the audit event of the step that cites it. */
export function evidenceHashes(ids: readonly string[], byId: ReadonlyMap<string, EvidenceRecord>) {
  return ids.map((id) => ({ evidenceId: id, sha256: byId.get(id)?.sha256 ?? "" }));
}

/**
 * The evidence a report or a review of an order cites (`evidenceIds`): each verified, of this order
 * and of `purpose`, else 422 with `title`. Returns what the step records: the ids for its history
 * and the ids with their hashes for its audit event.
 */
export async function citedOnOrder(
  ids: readonly string[] | undefined,
  rectificationId: string,
  purpose: EvidencePurpose,
  title: string,
): Promise<{
  history: { evidenceIds?: string[] };
  audit: { evidence?: { evidenceId: string; sha256: string }[] };
}> {
  if (!ids || ids.length === 0) return { history: {}, audit: {} };
  const checked = await checkEvidenceReferences(
    [{ path: "body.evidenceIds", ids }],
    { kind: "rectification", id: rectificationId },
    purpose,
  );
  if (checked.errors.length > 0) throw new RuleViolationError(title, checked.errors);
  return { history: { evidenceIds: [...ids] }, audit: { evidence: evidenceHashes(ids, checked.byId) } };
}
