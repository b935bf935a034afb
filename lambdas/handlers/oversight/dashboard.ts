import { isOverseer } from "../../api/auth";
import { httpRoute, json, type RouteRequest } from "../../api/http";
import { DUE_SOON_DAYS, isOverdue } from "../../domain/deadlines";
import { ForbiddenError } from "../../domain/errors";
import { store } from "../../services/context";
import { rectificationView } from "../../services/views";

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The rectification dashboard (整改督办看板) for officials and organizers. It reads only the active
 * orders (open or submitted) and the closed-order counters, so its cost follows the open work and
 * not the years of history behind it.
 */
async function dashboard({ caller, now }: RouteRequest<undefined, undefined, undefined>) {
  if (!isOverseer(caller)) throw new ForbiddenError("The dashboard is for organizers, admins and officials.");
  const [active, counters] = await Promise.all([store.listActiveRectifications({}), store.closedCounters()]);
  const views = active.map((r) => rectificationView(r, now));
  const overdue = views
    .filter((v) => v.overdue)
    .map((v) => ({
      ...v,
      daysOverdue: Math.floor((now.getTime() - new Date(v.deadline).getTime()) / DAY_MS),
    }))
    .sort((a, b) => a.deadline.localeCompare(b.deadline));
  const dueSoon = views
    .filter((v) => !v.overdue && new Date(v.deadline).getTime() - now.getTime() <= DUE_SOON_DAYS * DAY_MS)
    .sort((a, b) => a.deadline.localeCompare(b.deadline));

  const unitIds = new Set([...active.map((r) => r.unitId), ...counters.byUnit.keys()]);
  const units = await store.getUnits([...unitIds]);
  const byUnit = [...unitIds]
    .map((unitId) => {
      const mine = active.filter((r) => r.unitId === unitId);
      const closed = counters.byUnit.get(unitId) ?? { closed: 0, closedOnTime: 0 };
      return {
        unitId,
        unitName: units.get(unitId)?.name ?? unitId,
        open: mine.filter((r) => r.status === "open").length,
        submitted: mine.filter((r) => r.status === "submitted").length,
        overdue: mine.filter((r) => isOverdue(r.deadline, r.status, now)).length,
        escalated: mine.filter((r) => r.escalationLevel >= 2).length,
        closed: closed.closed,
        onTimeRate: closed.closed > 0 ? closed.closedOnTime / closed.closed : null,
      };
    })
    .sort((a, b) => b.overdue - a.overdue || b.open - a.open || a.unitId.localeCompare(b.unitId));

  const closed = counters.all.closed;
  return json(200, {
    generatedAt: now.toISOString(),
    rectifications: {
      open: active.filter((r) => r.status === "open").length,
      submitted: active.filter((r) => r.status === "submitted").length,
      closed,
      overdue: overdue.length,
      escalated: active.filter((r) => r.escalationLevel >= 2).length,
      onTimeRate: closed > 0 ? counters.all.closedOnTime / closed : null,
    },
    overdue,
    dueSoon,
    byUnit,
  });
}

export const handler = httpRoute({}, dashboard);
