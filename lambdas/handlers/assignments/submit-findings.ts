import type * as z from "zod/mini";
import { isTeamInspector } from "../../api/auth";
import { httpRoute, json, type RouteRequest } from "../../api/idempotent-http";
import * as schemas from "../../api/schemas";
import type { RectificationRecord } from "../../data/records";
import { windowEnded } from "../../domain/deadlines";
import { ConflictError, type FieldError, ForbiddenError, RuleViolationError } from "../../domain/errors";
import { capturedAtProblem } from "../../domain/offline-capture";
import { issueOrder, newOrderDeadline } from "../../domain/rectification-order";
import { scoreFindings } from "../../domain/scoring";
import { assignmentStore, spotCheckStore, templateStore } from "../../services/context";
import { checkEvidenceReferences, evidenceHashes } from "../../services/evidence";
import { loadVisibleAssignment } from "../../services/visibility";
import { countBusinessEvent } from "../../shared/metrics";

type Body = z.infer<typeof schemas.findings>;

type Params = z.infer<typeof schemas.idParams>;

/**
 * On-site scoring (现场量化评分): deductions per checklist item against the template version the spot
 * check was planned with, and the problems found (问题清单), each of which becomes a rectification
 * order with a deadline. Everything is written in one transaction; the change relay resumes the
 * workflow from the table's change stream.
 */
async function submitFindings({ caller, body, params, now }: RouteRequest<Body, undefined, Params>) {
  const a = await loadVisibleAssignment(caller, params.id, "POST /assignments/{id}/findings", now);
  if (!isTeamInspector(caller, a)) throw new ForbiddenError("只有本组督查员可以提交现场评分。");
  if (a.status === "dispatched") throw new ConflictError("请先记录到达现场，再提交现场评分。");
  if (a.status !== "on_site") throw new ConflictError("该督查任务已提交过现场评分。");
  if (windowEnded(a.window.end, now)) throw new ConflictError("督查时段已结束。");

  // Assignments name their checklist version, so the spot check and the template are read at once.
  const [spotCheck, named] = await Promise.all([
    spotCheckStore.getSpotCheck(a.spotCheckId),
    a.templateId !== undefined && a.templateVersion !== undefined
      ? templateStore.getTemplateVersion(a.templateId, a.templateVersion)
      : undefined,
  ]);
  const template =
    named ??
    (spotCheck && (await templateStore.getTemplateVersion(spotCheck.templateId, spotCheck.templateVersion)));
  if (!spotCheck || !template)
    throw new Error(`Assignment ${a.assignmentId} lost its spot check or template`);

  const problems: FieldError[] = [];
  let score: ReturnType<typeof scoreFindings> | undefined;
  try {
    score = scoreFindings(template.items, template.grades, body.items);
  } catch (error) {
    if (!(error instanceof RuleViolationError)) throw error;
    problems.push(...error.errors.map((e) => ({ path: `body.${e.path}`, message: e.message })));
  }
  const codes = new Set(template.items.map((i) => i.code));
  const at = now.toISOString();
  // Offline capture: working days count from the day the findings were taken on the device.
  const capturedProblem =
    body.capturedAt === undefined
      ? undefined
      : capturedAtProblem(body.capturedAt, { now, dispatchedAt: a.createdAt });
  if (capturedProblem) problems.push({ path: "body.capturedAt", message: capturedProblem });
  const countFrom = body.capturedAt && !capturedProblem ? new Date(body.capturedAt) : now;
  const deadlines = body.issues.map((issue, i) => {
    if (issue.itemCode !== undefined && !codes.has(issue.itemCode)) {
      problems.push({ path: `body.issues.${i}.itemCode`, message: `考评细则中没有 ${issue.itemCode} 项` });
    }
    try {
      return newOrderDeadline(issue, spotCheck, now, countFrom, `body.issues.${i}.deadline`);
    } catch (error) {
      if (!(error instanceof RuleViolationError)) throw error;
      problems.push(...error.errors);
      return undefined;
    }
  });
  // 问题照片: each id a verified photo of this assignment taken for the findings.
  const references = [
    ...body.items.map((item, i) => ({ path: `body.items.${i}.evidenceIds`, ids: item.evidenceIds ?? [] })),
    ...body.issues.map((issue, i) => ({
      path: `body.issues.${i}.evidenceIds`,
      ids: issue.evidenceIds ?? [],
    })),
  ].filter((r) => r.ids.length > 0);
  const evidence =
    references.length > 0
      ? await checkEvidenceReferences(references, { kind: "assignment", id: a.assignmentId }, "finding")
      : undefined;
  problems.push(...(evidence?.errors ?? []));
  if (problems.length > 0 || !score) throw new RuleViolationError("现场评分不符合考评细则。", problems);
  const cited = [...new Set(references.flatMap((r) => r.ids))];

  const orders: RectificationRecord[] = body.issues.map((issue, i) => {
    const deadline = deadlines[i];
    if (!deadline) throw new Error(`Issue ${i} has no deadline, yet the findings passed their checks`);
    return {
      rectificationId: `${a.assignmentId}-${i + 1}`,
      assignmentId: a.assignmentId,
      spotCheckId: a.spotCheckId,
      unitId: a.unitId,
      inspectorIds: a.inspectorIds,
      organizerId: a.organizerId,
      ...(issue.itemCode ? { itemCode: issue.itemCode } : {}),
      description: issue.description,
      ...(issue.evidenceIds && issue.evidenceIds.length > 0 ? { issueEvidenceIds: issue.evidenceIds } : {}),
      ...issueOrder(
        {
          severity: issue.severity,
          ...deadline,
          escalateAfterHours: spotCheck.escalateAfterHours,
          maxExtensions: spotCheck.maxExtensions,
        },
        caller.sub,
        now,
      ),
      version: 1,
    };
  });
  const status = orders.length > 0 ? "scored" : "closed";
  await assignmentStore.submitFindings(
    a,
    {
      findings: {
        items: body.items.map((i) => ({
          code: i.code,
          deduction: i.deduction,
          ...(i.note ? { note: i.note } : {}),
          ...(i.evidenceIds && i.evidenceIds.length > 0 ? { evidenceIds: i.evidenceIds } : {}),
        })),
        issues: orders.map((o) => ({
          ...(o.itemCode ? { itemCode: o.itemCode } : {}),
          description: o.description,
          severity: o.severity,
          deadline: o.deadline,
          rectificationId: o.rectificationId,
          ...(o.issueEvidenceIds ? { evidenceIds: o.issueEvidenceIds } : {}),
        })),
        submittedAt: at,
        submittedBy: caller.sub,
        ...(body.capturedAt ? { capturedAt: new Date(body.capturedAt).toISOString() } : {}),
      },
      score,
      status,
      at,
    },
    orders,
    [
      {
        entityId: a.assignmentId,
        actor: caller.sub,
        action: "findings_submitted",
        at,
        detail: {
          percent: score.percent,
          grade: score.grade,
          vetoed: score.vetoed,
          issues: orders.length,
          ...(evidence && cited.length > 0 ? { evidence: evidenceHashes(cited, evidence.byId) } : {}),
        },
      },
      ...orders.map((o) => ({
        entityId: o.rectificationId,
        actor: caller.sub,
        action: "rectification_issued",
        at,
        created: true,
        detail: {
          deadline: o.deadline,
          severity: o.severity,
          ...(evidence && o.issueEvidenceIds
            ? { evidence: evidenceHashes(o.issueEvidenceIds, evidence.byId) }
            : {}),
        },
      })),
    ],
  );
  countBusinessEvent("FindingsSubmitted");
  return json(202, {
    assignmentId: a.assignmentId,
    status,
    score,
    rectificationIds: orders.map((o) => o.rectificationId),
  });
}

export const handler = httpRoute(
  { body: schemas.findings, params: schemas.idParams, idempotent: true },
  submitFindings,
);
