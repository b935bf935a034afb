import type { RectificationRecord } from "../data/records";
import { DUE_SOON_DAYS, isOverdue } from "../domain/deadlines";
import { NotFoundError } from "../domain/errors";
import { rectificationStore, spotCheckStore, unitStore } from "./context";
import { rectificationView } from "./views";

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The rectification dashboard (整改督办看板) for officials and organizers. It reads only the active
 * orders (open or submitted) and the closed-order counters, so its cost follows the open work and
 * not the years of history behind it; with a `spotCheckId`, only the orders of that spot check.
 */
export async function dashboardData(now: Date, spotCheckId?: string) {
  const { active, counters } = spotCheckId
    ? await ofSpotCheck(spotCheckId)
    : await (async () => {
        const [active, counters] = await Promise.all([
          rectificationStore.listActiveRectifications({}),
          rectificationStore.closedCounters(),
        ]);
        return { active, counters };
      })();
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
  const units = await unitStore.getUnits([...unitIds]);
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
  return {
    generatedAt: now.toISOString(),
    ...(spotCheckId ? { spotCheckId: spotCheckId } : {}),
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
  };
}

/** The dashboard as the API returns it; the workbook export lays out the same lists. */
export type Dashboard = Awaited<ReturnType<typeof dashboardData>>;

type Counts = { closed: number; closedOnTime: number };

/**
 * The orders of one spot check (a Query on its own index partition, bounded by its size): active ones
 * as they are, closed ones counted per unit — on time unless the report came late, as the counters do.
 */
async function ofSpotCheck(spotCheckId: string): Promise<{
  active: RectificationRecord[];
  counters: { all: Counts; byUnit: Map<string, Counts> };
}> {
  const [spotCheck, orders] = await Promise.all([
    spotCheckStore.getSpotCheck(spotCheckId),
    rectificationStore.listRectificationsOfSpotCheck(spotCheckId),
  ]);
  if (!spotCheck) throw new NotFoundError();
  const all: Counts = { closed: 0, closedOnTime: 0 };
  const byUnit = new Map<string, Counts>();
  for (const o of orders) {
    if (o.status !== "closed") continue;
    const unit = byUnit.get(o.unitId) ?? { closed: 0, closedOnTime: 0 };
    const onTime = o.lateReported ? 0 : 1;
    unit.closed += 1;
    unit.closedOnTime += onTime;
    all.closed += 1;
    all.closedOnTime += onTime;
    byUnit.set(o.unitId, unit);
  }
  return { active: orders.filter((o) => o.status !== "closed"), counters: { all, byUnit } };
}
