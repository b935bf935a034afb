import type { RectificationRecord } from "../data/records";
import { type ClosedCounts, emptyClosedCounts } from "../data/rectifications";
import { NotFoundError } from "../domain/errors";
import {
  closedCountsOf,
  daysOverdue,
  ESCALATED_LEVEL,
  isDueSoon,
  isOverdue,
  lateness,
} from "../domain/rectification-order";
import { assignmentStore, rectificationStore, spotCheckStore, unitStore } from "./context";
import { rectificationView } from "./views";

/**
 * The rectification dashboard (整改督办看板) for officials and organizers. It reads only the active
 * orders (open or submitted) and the closed-order counters, so its cost follows the open work and
 * not the years of history behind it; with a `spotCheckId`, only the orders of that spot check.
 * Lateness counts from the kept record (`everOverdue`, `maxEscalationLevel`, `closedLate`): an order
 * reopened, extended or closed after being late still counts as late.
 */
export async function dashboardData(now: Date, spotCheckId?: string) {
  const [{ active, counters }, pendingExtensions] = await Promise.all([
    spotCheckId
      ? ofSpotCheck(spotCheckId)
      : Promise.all([
          rectificationStore.listActiveRectifications({}),
          rectificationStore.closedCounters(),
        ]).then(([active, counters]) => ({ active, counters })),
    rectificationStore.countPendingExtensions(spotCheckId),
  ]);
  const views = active.map((r) => rectificationView(r, now));
  const overdue = views
    .filter((v) => v.overdue)
    .map((v) => ({ ...v, daysOverdue: daysOverdue(v.deadline, now) }))
    .sort((a, b) => a.deadline.localeCompare(b.deadline));
  const dueSoon = views
    .filter((v) => isDueSoon(v.deadline, v.status, now))
    .sort((a, b) => a.deadline.localeCompare(b.deadline));

  const tally = (orders: readonly RectificationRecord[], closed: ClosedCounts) => {
    const kept = orders.map((r) => lateness(r, now));
    return {
      open: orders.filter((r) => r.status === "open").length,
      submitted: orders.filter((r) => r.status === "submitted").length,
      overdue: orders.filter((r) => isOverdue(r.deadline, r.status, now)).length,
      everOverdue: kept.filter((k) => k.everOverdue).length + closed.closedLate,
      escalated: kept.filter((k) => k.maxEscalationLevel >= ESCALATED_LEVEL).length + closed.closedEscalated,
      closed: closed.closed,
      closedLate: closed.closedLate,
      onTimeRate: closed.closed > 0 ? (closed.closed - closed.closedLate) / closed.closed : null,
    };
  };

  const unitIds = new Set([...active.map((r) => r.unitId), ...counters.byUnit.keys()]);
  const units = await unitStore.getUnits([...unitIds]);
  const byUnit = [...unitIds]
    .map((unitId) => ({
      unitId,
      unitName: units.get(unitId)?.name ?? unitId,
      ...tally(
        active.filter((r) => r.unitId === unitId),
        counters.byUnit.get(unitId) ?? emptyClosedCounts(),
      ),
    }))
    .sort((a, b) => b.overdue - a.overdue || b.open - a.open || a.unitId.localeCompare(b.unitId));

  const all = tally(active, counters.all);
  return {
    generatedAt: now.toISOString(),
    ...(spotCheckId ? { spotCheckId } : {}),
    rectifications: {
      open: all.open,
      submitted: all.submitted,
      closed: all.closed,
      overdue: all.overdue,
      escalated: all.escalated,
      everOverdue: all.everOverdue,
      onTimeRate: all.onTimeRate,
    },
    extensionRequests: { pending: pendingExtensions },
    overdue,
    dueSoon,
    byUnit,
  };
}

/** The dashboard as the API returns it; the workbook export lays out the same lists. */
export type Dashboard = Awaited<ReturnType<typeof dashboardData>>;

/**
 * The orders of one spot check (its assignments' orders, bounded by its size): active ones as they
 * are, closed ones counted per unit from their kept record, as the counters do.
 */
async function ofSpotCheck(spotCheckId: string): Promise<{
  active: RectificationRecord[];
  counters: { all: ClosedCounts; byUnit: Map<string, ClosedCounts> };
}> {
  const spotCheck = await spotCheckStore.getSpotCheck(spotCheckId);
  if (!spotCheck) throw new NotFoundError();
  const orders = await rectificationStore.ordersOfAssignments(
    await assignmentStore.getAssignments(spotCheck.assignmentIds ?? []),
  );
  const all = emptyClosedCounts();
  const byUnit = new Map<string, ClosedCounts>();
  for (const o of orders) {
    if (o.status !== "closed") continue;
    const unit = byUnit.get(o.unitId) ?? emptyClosedCounts();
    for (const counter of closedCountsOf(o)) {
      if (counter === "closedOnTime") continue; // on time = closed − late
      unit[counter] += 1;
      all[counter] += 1;
    }
    byUnit.set(o.unitId, unit);
  }
  return { active: orders.filter((o) => o.status !== "closed"), counters: { all, byUnit } };
}
