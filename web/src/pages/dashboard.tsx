import { useEffect, useMemo, useState } from "preact/hooks";
import type { Dashboard, Light, Rectification, SpotCheckSummary, Unit, UnitRow } from "../api";
import {
  app,
  Empty,
  ErrorBox,
  EscalationBadge,
  fmtDate,
  fmtTime,
  getUnitCached,
  isOrganizer,
  LightBadge,
  Loading,
  pct,
  RECT_STATUS,
  SEVERITY,
  Section,
  saveBlob,
  timeLeft,
  useAction,
  useLoad,
} from "../ui";

const REFRESH_MS = 10_000;
const CHART_DAYS = 14;

interface Loaded {
  dashboard: Dashboard;
  closed: Rectification[];
  units: Map<string, Unit>;
  spotChecks: SpotCheckSummary[];
}

/** The dashboard — for one spot check when `spotCheckId` is set (the server counts its orders alone). */
async function load(spotCheckId: string): Promise<Loaded> {
  const [dashboard, closed, spotChecks] = await Promise.all([
    app.api.call("dashboard", { query: spotCheckId ? { spotCheckId } : {} }),
    // Closed orders come latest first: read back to the chart's first day and stop, so the page
    // costs what the last two weeks closed, not the whole history.
    app.api
      .all(
        "listRectifications",
        { query: { status: "closed" } },
        5000,
        (last) => new Date(last.closedAt ?? 0).getTime() < Date.now() - (CHART_DAYS + 1) * 86_400_000,
      )
      .catch(() => [] as Rectification[]),
    app.api.all("listSpotChecks", {}, 200).catch(() => [] as SpotCheckSummary[]),
  ]);
  // Unit paths for the subtree filter and the per-unit table (district → street → community).
  const ids = new Set<string>([
    ...dashboard.byUnit.map((r) => r.unitId),
    ...dashboard.overdue.map((r) => r.unitId),
    ...dashboard.dueSoon.map((r) => r.unitId),
  ]);
  const units = new Map<string, Unit>();
  const fetchAll = async (list: string[]) => {
    const got = await Promise.all(list.map((id) => getUnitCached(id)));
    for (const u of got) if (u) units.set(u.unitId, u);
  };
  // Districts and their streets are offered as filters even when they have no orders yet.
  const roots = await app.api.all("listUnits", {}, 200).catch(() => [] as Unit[]);
  const streets = await Promise.all(
    roots.map((r) =>
      app.api.all("listUnits", { query: { parentId: r.unitId } }, 200).catch(() => [] as Unit[]),
    ),
  );
  for (const u of [...roots, ...streets.flat()]) units.set(u.unitId, u);
  await fetchAll([...ids].filter((id) => !units.has(id)));
  const ancestors = new Set<string>();
  for (const u of units.values()) for (const a of u.path) if (!units.has(a)) ancestors.add(a);
  await fetchAll([...ancestors]);
  return { dashboard, closed, units, spotChecks };
}

type StatusFilter = "" | "open" | "submitted" | "overdue";

function inSubtree(unitId: string, root: string, units: Map<string, Unit>): boolean {
  if (!root) return true;
  const u = units.get(unitId);
  return u ? u.path.includes(root) : unitId === root;
}

function matches(r: Rectification, status: StatusFilter, spotCheck: string): boolean {
  if (spotCheck && r.spotCheckId !== spotCheck) return false;
  if (status === "overdue") return r.overdue;
  if (status) return r.status === status;
  return true;
}

/** A row of the per-unit table: a unit with orders, or the total (合计) of a district or street above it. */
interface TreeRow extends UnitRow {
  depth: number;
  total: boolean;
}

/** Adds a row's figures into a total; the on-time rate is weighted by the closed orders. */
function addInto(total: UnitRow, row: UnitRow): void {
  const onTime = (total.onTimeRate ?? 0) * total.closed + (row.onTimeRate ?? 0) * row.closed;
  total.open += row.open;
  total.submitted += row.submitted;
  total.overdue += row.overdue;
  total.everOverdue += row.everOverdue;
  total.escalated += row.escalated;
  total.closed += row.closed;
  total.closedLate += row.closedLate;
  total.onTimeRate = total.closed > 0 ? onTime / total.closed : null;
}

/**
 * The per-unit rows with a total row for every district and street above them, in tree order
 * (district → street → community), so that a district's officials read their own figure first.
 */
function rollUp(rows: readonly UnitRow[], units: Map<string, Unit>): TreeRow[] {
  const totals = new Map<string, TreeRow>();
  const sortKey = new Map<string, string>();
  const nameOf = (id: string) => units.get(id)?.name ?? id;
  for (const r of rows) {
    const path = units.get(r.unitId)?.path ?? [r.unitId];
    for (const [i, id] of path.entries()) {
      sortKey.set(
        id,
        path
          .slice(0, i + 1)
          .map(nameOf)
          .join("\u0000"),
      );
    }
    for (const [i, ancestor] of path.slice(0, -1).entries()) {
      const t = totals.get(ancestor) ?? {
        unitId: ancestor,
        unitName: nameOf(ancestor),
        open: 0,
        submitted: 0,
        overdue: 0,
        everOverdue: 0,
        escalated: 0,
        closed: 0,
        closedLate: 0,
        onTimeRate: null,
        depth: i,
        total: true,
      };
      addInto(t, r);
      totals.set(ancestor, t);
    }
  }
  const leaves: TreeRow[] = rows.map((r) => ({
    ...r,
    depth: (units.get(r.unitId)?.path.length ?? 1) - 1,
    total: false,
  }));
  // A unit that has orders of its own and units below it: its total row adds its own orders too.
  for (const leaf of leaves) {
    const t = totals.get(leaf.unitId);
    if (t) addInto(t, leaf);
  }
  const all = [...totals.values(), ...leaves];
  const key = (r: TreeRow) => `${sortKey.get(r.unitId) ?? r.unitName}${r.total ? "" : "\u0001"}`;
  return all.sort((a, b) => key(a).localeCompare(key(b)));
}

function unitLight(row: UnitRow, dueSoon: Rectification[]): Light {
  if (row.overdue > 0) return "red";
  if (dueSoon.some((d) => d.unitId === row.unitId)) return "yellow";
  return "green";
}

export function DashboardPage() {
  const [subtree, setSubtree] = useState("");
  const [status, setStatus] = useState<StatusFilter>("");
  const [spotCheck, setSpotCheck] = useState("");
  const { data, error, loading, reload } = useLoad(() => load(spotCheck), [spotCheck]);
  // The dashboard's lists as a workbook, of the spot check chosen (else of every order).
  const workbook = useAction(async () => {
    const { blob, fileName } = await app.api.blob("dashboardXlsx", {
      query: spotCheck ? { spotCheckId: spotCheck } : {},
    });
    saveBlob(blob, fileName ?? "整改督办看板.xlsx");
  });

  useEffect(() => {
    const t = setInterval(reload, REFRESH_MS);
    return () => clearInterval(t);
  }, [reload]);

  const view = useMemo(() => {
    if (!data) return undefined;
    const { dashboard, units } = data;
    const keep = (r: Rectification) => inSubtree(r.unitId, subtree, units) && matches(r, status, spotCheck);
    const overdue = dashboard.overdue.filter(keep).sort((a, b) => b.daysOverdue - a.daysOverdue);
    const dueSoon = dashboard.dueSoon.filter(keep);
    const rows = dashboard.byUnit.filter((r) => inSubtree(r.unitId, subtree, units));
    const filtered = Boolean(subtree);
    const closedSum = rows.reduce((s, r) => s + r.closed, 0);
    const onTimeSum = rows.reduce((s, r) => s + (r.onTimeRate ?? 0) * r.closed, 0);
    const counts = filtered
      ? {
          open: rows.reduce((s, r) => s + r.open, 0),
          submitted: rows.reduce((s, r) => s + r.submitted, 0),
          overdue: rows.reduce((s, r) => s + r.overdue, 0),
          closed: closedSum,
          onTimeRate: closedSum > 0 ? onTimeSum / closedSum : null,
        }
      : dashboard.rectifications;
    const closed = data.closed.filter(
      (r) => inSubtree(r.unitId, subtree, units) && (!spotCheck || r.spotCheckId === spotCheck),
    );
    return { overdue, dueSoon, rows, counts, closed };
  }, [data, subtree, status, spotCheck]);

  const subtreeOptions = useMemo(() => {
    if (!data) return [];
    const ids = new Set<string>();
    for (const u of data.units.values()) {
      for (const a of u.path.slice(0, -1)) ids.add(a);
      if (u.path.length <= 2) ids.add(u.unitId);
    }
    for (const r of data.dashboard.byUnit) ids.add(r.unitId);
    return [...ids]
      .map((id) => data.units.get(id))
      .filter((u): u is Unit => Boolean(u))
      .sort((a, b) => a.path.join("/").localeCompare(b.path.join("/")));
  }, [data]);
  // Every spot check by title (newest first), plus any id an order names that the list did not reach.
  const spotChecks = useMemo(() => {
    if (!data) return [] as { id: string; title: string }[];
    const titled = data.spotChecks.map((s) => ({ id: s.spotCheckId, title: s.title }));
    const known = new Set(titled.map((s) => s.id));
    const named = [...data.dashboard.overdue, ...data.dashboard.dueSoon, ...data.closed]
      .map((r) => r.spotCheckId)
      .filter((id) => !known.has(id));
    return [...titled, ...[...new Set(named)].map((id) => ({ id, title: id }))];
  }, [data]);
  const pathName = (unitId: string) => {
    const u = data?.units.get(unitId);
    return u ? u.path.map((id) => data?.units.get(id)?.name ?? id).join(" / ") : unitId;
  };
  const nameOf = (unitId: string) => data?.units.get(unitId)?.name ?? unitId;

  return (
    <div class="page" data-page="dashboard">
      <div class="page-head">
        <h1>整改督办看板</h1>
        <div class="actions">
          <span class="muted small">更新于 {fmtTime(data?.dashboard.generatedAt)}</span>
          <button type="button" onClick={reload} disabled={loading}>
            刷新
          </button>
          <button type="button" onClick={() => void workbook.go()} disabled={workbook.busy}>
            {workbook.busy ? "正在生成…" : "导出 Excel"}
          </button>
        </div>
      </div>
      <ErrorBox error={error ?? workbook.error} />
      <Loading when={loading && !data} />
      <div class="filters">
        <label>
          单位范围
          <select value={subtree} onChange={(e) => setSubtree(e.currentTarget.value)} name="subtree">
            <option value="">全部单位</option>
            {subtreeOptions.map((u) => (
              <option key={u.unitId} value={u.unitId}>
                {"　".repeat(Math.max(0, u.path.length - 1))}
                {u.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          状态
          <select
            value={status}
            onChange={(e) => setStatus(e.currentTarget.value as StatusFilter)}
            name="status"
          >
            <option value="">全部在办</option>
            <option value="open">待整改</option>
            <option value="submitted">已报告待回头看</option>
            <option value="overdue">逾期</option>
          </select>
        </label>
        <label>
          督查任务
          <select value={spotCheck} onChange={(e) => setSpotCheck(e.currentTarget.value)} name="spotCheck">
            <option value="">全部</option>
            {spotChecks.map((s) => (
              <option key={s.id} value={s.id}>
                {s.title}
              </option>
            ))}
          </select>
        </label>
      </div>
      {view ? (
        <>
          <div class="stats">
            <Stat label="待整改" value={view.counts.open} />
            <Stat label="已报告待回头看" value={view.counts.submitted} />
            <Stat
              label="逾期未整改"
              value={view.counts.overdue}
              tone={view.counts.overdue > 0 ? "red" : "green"}
            />
            <Stat label="已整改销号" value={view.counts.closed} />
            <Stat label="按期整改率" value={pct(view.counts.onTimeRate)} />
            {data?.dashboard.extensionRequests ? (
              <Stat
                label="延期待审批"
                value={data.dashboard.extensionRequests.pending}
                tone={data.dashboard.extensionRequests.pending > 0 ? "yellow" : ""}
                href={isOrganizer() ? "#/extension-requests" : undefined}
              />
            ) : null}
          </div>

          <Section title={`逾期整改单（${view.overdue.length}）`}>
            {view.overdue.length === 0 ? (
              <Empty text="没有逾期的整改单。" />
            ) : (
              <div class="table-wrap">
                <table class="overdue-list stack">
                  <thead>
                    <tr>
                      <th>信号</th>
                      <th>单位</th>
                      <th>问题</th>
                      <th>整改期限</th>
                      <th>逾期天数</th>
                      <th>督办</th>
                      <th>状态</th>
                    </tr>
                  </thead>
                  <tbody>
                    {view.overdue.map((r) => (
                      <tr
                        key={r.rectificationId}
                        data-rectification={r.rectificationId}
                        data-light={r.light ?? ""}
                      >
                        <td data-label="信号">
                          <LightBadge light={r.light} />
                        </td>
                        <td data-label="单位">{nameOf(r.unitId)}</td>
                        <td data-label="问题">
                          <a href={`#/rectifications/${encodeURIComponent(r.rectificationId)}`}>
                            {r.description}
                          </a>
                          <span class="muted small">（{SEVERITY[r.severity]}）</span>
                        </td>
                        <td data-label="整改期限">{fmtTime(r.deadline)}</td>
                        <td data-label="逾期天数" class="num strong">
                          {r.daysOverdue}
                        </td>
                        <td data-label="督办">
                          <EscalationBadge level={r.escalationLevel} />
                        </td>
                        <td data-label="状态">{RECT_STATUS[r.status]}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Section>

          <Section title={`临期预警（3 天内到期，${view.dueSoon.length}）`}>
            {view.dueSoon.length === 0 ? (
              <Empty text="没有 3 天内到期的整改单。" />
            ) : (
              <div class="table-wrap">
                <table class="due-soon stack">
                  <thead>
                    <tr>
                      <th>信号</th>
                      <th>单位</th>
                      <th>问题</th>
                      <th>整改期限</th>
                      <th>剩余</th>
                      <th>状态</th>
                    </tr>
                  </thead>
                  <tbody>
                    {view.dueSoon.map((r) => (
                      <tr
                        key={r.rectificationId}
                        data-rectification={r.rectificationId}
                        data-light={r.light ?? ""}
                      >
                        <td data-label="信号">
                          <LightBadge light={r.light} />
                        </td>
                        <td data-label="单位">{nameOf(r.unitId)}</td>
                        <td data-label="问题">
                          <a href={`#/rectifications/${encodeURIComponent(r.rectificationId)}`}>
                            {r.description}
                          </a>
                        </td>
                        <td data-label="整改期限">{fmtTime(r.deadline)}</td>
                        <td data-label="剩余">{timeLeft(r.deadline)}</td>
                        <td data-label="状态">{RECT_STATUS[r.status]}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Section>

          <Section title="按期整改情况（近 14 天，按销号日期）">
            <OnTimeChart closed={view.closed} />
          </Section>

          <Section title="各单位整改情况">
            {view.rows.length === 0 ? (
              <Empty text="暂无整改单。" />
            ) : (
              <div class="table-wrap">
                <table class="by-unit stack">
                  <thead>
                    <tr>
                      <th>信号</th>
                      <th>单位（区 / 街道 / 社区）</th>
                      <th class="num">待整改</th>
                      <th class="num">待回头看</th>
                      <th class="num">逾期</th>
                      <th class="num">问责</th>
                      <th class="num">已销号</th>
                      <th class="num">按期率</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rollUp(view.rows, data?.units ?? new Map()).map((r) => (
                      <tr
                        key={`${r.unitId}${r.total ? "#total" : ""}`}
                        data-unit={r.unitId}
                        data-total={r.total ? "true" : undefined}
                        class={r.total ? "subtotal" : undefined}
                      >
                        <td data-label="信号">
                          <LightBadge
                            light={
                              r.open + r.submitted > 0 ? unitLight(r, data?.dashboard.dueSoon ?? []) : null
                            }
                          />
                        </td>
                        <td
                          data-label="单位（区 / 街道 / 社区）"
                          style={{ paddingLeft: `${0.5 + r.depth * 1.25}em` }}
                        >
                          {r.total
                            ? `${nameOf(r.unitId)} 合计`
                            : r.depth === 0
                              ? pathName(r.unitId)
                              : nameOf(r.unitId)}
                        </td>
                        <td data-label="待整改" class="num">
                          {r.open}
                        </td>
                        <td data-label="待回头看" class="num">
                          {r.submitted}
                        </td>
                        <td data-label="逾期" class={`num ${r.overdue > 0 ? "red-text strong" : ""}`}>
                          {r.overdue}
                        </td>
                        <td data-label="问责" class="num">
                          {r.escalated}
                        </td>
                        <td data-label="已销号" class="num">
                          {r.closed}
                        </td>
                        <td data-label="按期率" class="num">
                          {pct(r.onTimeRate)}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Section>
        </>
      ) : null}
    </div>
  );
}

function Stat({
  label,
  value,
  tone,
  href,
}: {
  label: string;
  value: number | string;
  tone?: string;
  href?: string | undefined;
}) {
  const body = (
    <>
      <div class="stat-value">{value}</div>
      <div class="stat-label">{label}</div>
    </>
  );
  return href ? (
    <a class={`stat ${tone ?? ""}`} href={href} data-stat={label}>
      {body}
    </a>
  ) : (
    <div class={`stat ${tone ?? ""}`} data-stat={label}>
      {body}
    </div>
  );
}

/** Closed orders per day, on time (green) and late (red), with the day's on-time rate. */
function OnTimeChart({ closed }: { closed: Rectification[] }) {
  const days: { key: string; label: string; onTime: number; late: number }[] = [];
  const today = new Date();
  today.setHours(0, 0, 0, 0);
  for (let i = CHART_DAYS - 1; i >= 0; i--) {
    const d = new Date(today.getTime() - i * 86_400_000);
    days.push({ key: d.toDateString(), label: fmtDate(d.toISOString()), onTime: 0, late: 0 });
  }
  for (const r of closed) {
    if (!r.closedAt) continue;
    const day = days.find((d) => d.key === new Date(r.closedAt!).toDateString());
    if (!day) continue;
    const late = r.report ? r.report.late : new Date(r.closedAt).getTime() > new Date(r.deadline).getTime();
    if (late) day.late += 1;
    else day.onTime += 1;
  }
  const total = days.reduce((s, d) => s + d.onTime + d.late, 0);
  const onTime = days.reduce((s, d) => s + d.onTime, 0);
  const max = Math.max(1, ...days.map((d) => d.onTime + d.late));
  const W = 700;
  const H = 200;
  const pad = { l: 28, r: 8, t: 12, b: 28 };
  const bw = (W - pad.l - pad.r) / days.length;
  const y = (v: number) => pad.t + (H - pad.t - pad.b) * (1 - v / max);
  const ratePoints = days
    .map((d, i) => {
      const n = d.onTime + d.late;
      if (n === 0) return undefined;
      const ry = pad.t + (H - pad.t - pad.b) * (1 - d.onTime / n);
      return `${pad.l + bw * i + bw / 2},${ry}`;
    })
    .filter(Boolean)
    .join(" ");
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`近 14 天销号 ${total} 件，按期 ${onTime} 件`}>
        <line x1={pad.l} x2={W - pad.r} y1={H - pad.b} y2={H - pad.b} class="axis" />
        <text x={pad.l - 4} y={y(max) + 4} class="tick" text-anchor="end">
          {max}
        </text>
        <text x={pad.l - 4} y={H - pad.b} class="tick" text-anchor="end">
          0
        </text>
        {days.map((d, i) => {
          const x = pad.l + bw * i + bw * 0.15;
          const w = bw * 0.7;
          return (
            <g key={d.key}>
              <rect x={x} width={w} y={y(d.onTime)} height={H - pad.b - y(d.onTime)} class="bar-ontime">
                <title>{`${d.label} 按期 ${d.onTime}`}</title>
              </rect>
              <rect
                x={x}
                width={w}
                y={y(d.onTime + d.late)}
                height={y(d.onTime) - y(d.onTime + d.late)}
                class="bar-late"
              >
                <title>{`${d.label} 逾期销号 ${d.late}`}</title>
              </rect>
              {i % 2 === 1 || days.length < 8 ? (
                <text x={pad.l + bw * i + bw / 2} y={H - 10} class="tick" text-anchor="middle">
                  {d.label}
                </text>
              ) : null}
            </g>
          );
        })}
        {ratePoints ? <polyline points={ratePoints} class="rate-line" /> : null}
      </svg>
      <figcaption>
        <span class="key key-ontime" />
        按期销号 <span class="key key-late" />
        逾期后销号 <span class="key key-rate" />
        当日按期率（上沿 100%）· 近 14 天共销号 {total} 件，按期 {onTime} 件（
        {total ? pct(onTime / total) : "—"}）
      </figcaption>
    </figure>
  );
}
