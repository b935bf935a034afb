import type * as z from "zod/mini";
import { isOverseer } from "../../api/auth";
import { httpRoute, json, type RouteRequest } from "../../api/http";
import * as schemas from "../../api/schemas";
import { NotFoundError } from "../../domain/errors";
import { isOverdue } from "../../domain/rectification-order";
import { compareForRanking } from "../../domain/scoring";
import { assignmentStore, rectificationStore, spotCheckStore, unitStore } from "../../services/context";
import { rectificationView } from "../../services/views";
import { auditPreArrivalReads } from "../../services/visibility";

type Params = z.infer<typeof schemas.idParams>;

/**
 * The bulletin (通报) of a spot check: units ranked by score, best first — by the exact percentage
 * (never the rounded `percent`), ties by points, vetoed units last — the problems found, overdue
 * orders, escalations and missed visits.
 */
async function getBulletin({ caller, params, now }: RouteRequest<undefined, undefined, Params>) {
  if (!isOverseer(caller)) throw new NotFoundError();
  const s = await spotCheckStore.getSpotCheck(params.id);
  if (!s) throw new NotFoundError();
  const assignments = await assignmentStore.getAssignments(s.assignmentIds ?? []);
  // `pending` names units not yet visited: a read of the secret, audited on each assignment.
  const [orders, units] = await Promise.all([
    rectificationStore.listRectificationsOfSpotCheck(s.spotCheckId),
    unitStore.getUnits(assignments.map((a) => a.unitId)),
    auditPreArrivalReads(caller, assignments, "GET /spot-checks/{id}/bulletin", now.toISOString()),
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

  const problems = orders.map((o) => ({ ...rectificationView(o, now), unitName: nameOf(o.unitId) }));
  const overdue = problems.filter((p) => isOverdue(p.deadline, p.status, now));
  const escalations = problems.filter((p) => p.escalationLevel > 0);
  const missed = assignments
    .filter((a) => a.status === "missed")
    .map((a) => ({ unitId: a.unitId, unitName: nameOf(a.unitId) }));
  const pending = assignments
    .filter((a) => a.status === "dispatched" || a.status === "on_site")
    .map((a) => ({ unitId: a.unitId, unitName: nameOf(a.unitId), status: a.status }));
  const closed = orders.filter((o) => o.status === "closed").length;

  return json(200, {
    spotCheckId: s.spotCheckId,
    title: s.title,
    window: s.window,
    generatedAt: now.toISOString(),
    summary: `本次督查（${s.title}）共抽查${assignments.length}个单位，已评分${ranking.length}个，发现问题${orders.length}个，已整改销号${closed}个，逾期未整改${overdue.length}个，启动催办或问责${escalations.length}个，未按期检查${missed.length}个。`,
    ranking,
    problems,
    overdue,
    escalations,
    missed,
    pending,
  });
}

export const handler = httpRoute({ params: schemas.idParams }, getBulletin);
