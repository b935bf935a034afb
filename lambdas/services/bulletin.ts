import { commendedGrade } from "../domain/bulletin-document";
import { NotFoundError } from "../domain/errors";
import { isOverdue } from "../domain/rectification-order";
import type { Caller } from "../domain/roles";
import { compareForRanking, DEFAULT_GRADES } from "../domain/scoring";
import { assignmentStore, rectificationStore, spotCheckStore, templateStore, unitStore } from "./context";
import { rectificationView } from "./views";
import { auditPreArrivalReads } from "./visibility";

/**
 * The bulletin (通报) of a spot check, as `GET /spot-checks/{id}/bulletin` returns it and as the
 * Word and PDF documents print it: units ranked by score, best first — by the exact percentage
 * (never the rounded `percent`), ties by points, vetoed units last (domain/scoring.ts) — the units
 * commended (the template's top grade, not vetoed), the problems found, the overdue orders, the
 * orders ever escalated (催办、问责: the kept `maxEscalationLevel`, so closing an order does not hide
 * it), missed visits and visits still to come. Naming the units not yet visited is a read of the
 * secret: audited on each such assignment, with `via` (the route) as the way it was read.
 */
export async function bulletinOf(caller: Caller, spotCheckId: string, now: Date, via: string) {
  const s = await spotCheckStore.getSpotCheck(spotCheckId);
  if (!s) throw new NotFoundError();
  const assignments = await assignmentStore.getAssignments(s.assignmentIds ?? []);
  const [orders, units, template] = await Promise.all([
    rectificationStore.ordersOfAssignments(assignments),
    unitStore.getUnits(assignments.map((a) => a.unitId)),
    templateStore.getTemplateVersion(s.templateId, s.templateVersion),
    auditPreArrivalReads(caller, assignments, via, now.toISOString()),
  ]);
  const nameOf = (id: string) => units.get(id)?.name ?? id;

  const ranking = assignments
    .filter((a) => a.score !== undefined)
    .map((a) => ({
      unitId: a.unitId,
      unitName: nameOf(a.unitId),
      assignmentId: a.assignmentId,
      percent: a.score?.percent ?? 0,
      points: a.score?.points ?? 0,
      maxPoints: a.score?.maxPoints ?? 0,
      grade: a.score?.grade ?? "",
      vetoed: a.score?.vetoed ?? false,
    }))
    .sort((x, y) => compareForRanking(x, y) || x.unitId.localeCompare(y.unitId))
    .map((r, i) => ({ rank: i + 1, ...r }));

  const top = commendedGrade(template?.grades ?? DEFAULT_GRADES);
  const commended = ranking
    .filter((r) => !r.vetoed && r.grade === top)
    .map((r) => ({ unitId: r.unitId, unitName: r.unitName, grade: r.grade, percent: r.percent }));

  const problems = orders.map((o) => ({ ...rectificationView(o, now), unitName: nameOf(o.unitId) }));
  const overdue = problems.filter((p) => isOverdue(p.deadline, p.status, now));
  const escalations = problems.filter((p) => p.maxEscalationLevel > 0);
  const missed = assignments
    .filter((a) => a.status === "missed")
    .map((a) => ({ unitId: a.unitId, unitName: nameOf(a.unitId) }));
  const pending = assignments
    .filter((a) => a.status === "dispatched" || a.status === "on_site")
    .map((a) => ({ unitId: a.unitId, unitName: nameOf(a.unitId), status: a.status }));
  const closed = problems.filter((p) => p.status === "closed");
  const closedLate = closed.filter((p) => p.closedLate).length;

  return {
    spotCheckId: s.spotCheckId,
    title: s.title,
    window: s.window,
    generatedAt: now.toISOString(),
    summary: `本次督查（${s.title}）共抽查${assignments.length}个单位，已评分${ranking.length}个，发现问题${orders.length}个，已整改销号${closed.length}个${closedLate > 0 ? `（其中逾期后销号${closedLate}个）` : ""}，逾期未整改${overdue.length}个，启动催办或问责${escalations.length}个，未按期检查${missed.length}个。`,
    ranking,
    commended,
    problems,
    overdue,
    escalations,
    missed,
    pending,
  };
}

export type Bulletin = Awaited<ReturnType<typeof bulletinOf>>;
