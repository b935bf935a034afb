import { useState } from "preact/hooks";
import { label } from "../labels";
import {
  ASSIGNMENT_STATUS,
  app,
  Empty,
  ErrorBox,
  fmtTime,
  fromLocalInput,
  InspectorName,
  isOrganizer,
  Loading,
  navigate,
  Section,
  SPOT_CHECK_STATUS,
  StatusBadge,
  toLocalInput,
  UnitName,
  useAction,
  useLoad,
} from "../ui";
import { UnitTree } from "./units";

const STATUS_FILTERS: [string, string][] = [
  ["", "全部"],
  ["planned", SPOT_CHECK_STATUS.planned],
  ["dispatched", SPOT_CHECK_STATUS.dispatched],
];

/** Every spot check, newest first (`GET /spot-checks`: without assignments, so listing reads no targets). */
export function SpotChecksPage() {
  const [status, setStatus] = useState("");
  const { data, error, loading, reload } = useLoad(() => app.api.all("listSpotChecks", {}, 1000), []);
  const rows = (data ?? []).filter((s) => !status || s.status === status);
  return (
    <div class="page" data-page="spot-checks">
      <div class="page-head">
        <h1>督查任务</h1>
        <div class="actions">
          <button type="button" onClick={reload} disabled={loading}>
            刷新
          </button>
          {isOrganizer() ? (
            <a class="button primary" href="#/spot-checks/new">
              新建督查任务
            </a>
          ) : null}
        </div>
      </div>
      <Section
        title={data ? `全部督查任务（${rows.length}）` : "全部督查任务"}
        actions={
          <label class="inline">
            状态
            <select name="status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
              {STATUS_FILTERS.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
        }
      >
        <ErrorBox error={error} />
        <Loading when={loading && !data} />
        {data && rows.length === 0 ? (
          <Empty
            text={
              data.length === 0
                ? isOrganizer()
                  ? "还没有督查任务，请新建。"
                  : "还没有督查任务。"
                : "没有该状态的督查任务。"
            }
          />
        ) : null}
        {rows.length > 0 ? (
          <div class="table-wrap">
            <table class="spot-checks">
              <thead>
                <tr>
                  <th>任务名称</th>
                  <th>状态</th>
                  <th>时间窗口</th>
                  <th>抽取</th>
                  <th>操作</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((s) => {
                  const base = `#/spot-checks/${encodeURIComponent(s.spotCheckId)}`;
                  return (
                    <tr key={s.spotCheckId} data-spot-check={s.spotCheckId} data-status={s.status}>
                      <td>
                        <a href={base}>{s.title}</a>
                        <div class="muted small">
                          {s.spotCheckId} · 创建于 {fmtTime(s.createdAt)}
                        </div>
                      </td>
                      <td>
                        <StatusBadge
                          text={label(SPOT_CHECK_STATUS, s.status, "其他状态")}
                          tone={`sc-${s.status}`}
                        />
                      </td>
                      <td class="small">
                        {fmtTime(s.window.start)} 至 {fmtTime(s.window.end)}
                      </td>
                      <td class="small">
                        {s.candidateUnitIds.length} 个候选单位中抽 {s.sampleSize} 个
                      </td>
                      <td class="links small">
                        <a href={base}>详情</a>
                        <a href={`${base}/bulletin`}>通报</a>
                        <a href={`${base}/draw-proof`}>抽签凭证</a>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        ) : null}
      </Section>
    </div>
  );
}

/** A checklist's name (`GET /templates/{id}`), the id until it loads. */
function TemplateName({ id }: { id: string }) {
  const { data } = useLoad(
    () => app.api.call("getTemplate", { params: { templateId: id } }).catch(() => undefined),
    [id],
  );
  return data ? <span title={id}>{data.name}</span> : <span class="muted">（细则加载中）</span>;
}

/** Multi-select of the registered inspectors (`GET /inspectors`), with a name/account/unit filter. */
function InspectorPicker({ selected, onChange }: { selected: string[]; onChange: (ids: string[]) => void }) {
  const { data, error, loading } = useLoad(() => app.api.all("listInspectors", {}, 1000), []);
  const [filter, setFilter] = useState("");
  const f = filter.trim().toLowerCase();
  const shown = (data ?? []).filter(
    (i) =>
      !f ||
      i.name.toLowerCase().includes(f) ||
      i.inspectorId.toLowerCase().includes(f) ||
      i.homeUnitId.toLowerCase().includes(f),
  );
  const toggle = (id: string, on: boolean) =>
    onChange(on ? [...new Set([...selected, id])] : selected.filter((s) => s !== id));
  if (loading && !data) return <Loading when />;
  if (error) return <ErrorBox error={error} />;
  if (!data?.length)
    return (
      <p class="muted">
        还没有登记督查员，请先到<a href="#/units">单位与人员</a>登记。
      </p>
    );
  return (
    <fieldset class="picker" aria-label="督查员">
      <legend>督查员（可多选）</legend>
      <div class="row">
        <input
          name="inspectorFilter"
          aria-label="按姓名、账号或所属单位筛选"
          placeholder="按姓名、账号或所属单位筛选"
          value={filter}
          onInput={(e) => setFilter(e.currentTarget.value)}
        />
        <button
          type="button"
          onClick={() => onChange([...new Set([...selected, ...shown.map((i) => i.inspectorId)])])}
        >
          {f ? "全选筛选结果" : "全选"}
        </button>
        <button type="button" onClick={() => onChange([])} disabled={selected.length === 0}>
          清空
        </button>
      </div>
      <ul class="pick-list">
        {shown.map((i) => (
          <li key={i.inspectorId}>
            <label class="inline">
              <input
                type="checkbox"
                name={`inspector-${i.inspectorId}`}
                value={i.inspectorId}
                checked={selected.includes(i.inspectorId)}
                onChange={(e) => toggle(i.inspectorId, e.currentTarget.checked)}
              />
              {i.name}
            </label>
            <span class="muted small">
              {i.inspectorId} · 所属 <UnitName id={i.homeUnitId} />
            </span>
          </li>
        ))}
        {shown.length === 0 ? <li class="muted small">没有符合条件的督查员</li> : null}
      </ul>
      <p class="small muted">
        已选 {selected.length} 人（共 {data.length} 人）；抽签时自动回避所属单位及其上下级。
      </p>
    </fieldset>
  );
}

/** The organizer's plan form: the checklist and the inspector pool are picked from the API's lists. */
export function PlanSpotCheckPage() {
  const now = new Date();
  const [title, setTitle] = useState("");
  const [templateId, setTemplateId] = useState("");
  const [mode, setMode] = useState<"list" | "parent">("list");
  const [candidates, setCandidates] = useState<string[]>([]);
  const [parent, setParent] = useState<string[]>([]);
  const [sampleSize, setSampleSize] = useState("1");
  const [pool, setPool] = useState<string[]>([]);
  const [teamSize, setTeamSize] = useState("2");
  const [start, setStart] = useState(toLocalInput(now));
  const [end, setEnd] = useState(toLocalInput(new Date(now.getTime() + 7 * 86_400_000)));
  const [rectifyWithinDays, setRectify] = useState("7");
  const [rectifyUnit, setRectifyUnit] = useState<"days" | "workdays">("workdays");
  const [rectifyWithinWorkdays, setRectifyWorkdays] = useState("5");
  const [maxExtensions, setMaxExtensions] = useState("1");
  const [excludeDays, setExcludeDays] = useState("");
  const [escalateAfterHours, setEscalate] = useState("72");

  const templates = useLoad(() => app.api.all("listTemplates", {}, 1000), []);
  const chosenId = templateId || templates.data?.[0]?.templateId || "";
  const template = templates.data?.find((t) => t.templateId === chosenId);

  const plan = useAction(async () => {
    if (!chosenId) throw new Error("请先选择检查细则");
    if (pool.length === 0) throw new Error("请至少选择一名督查员");
    const planned = await app.api.call("planSpotCheck", {
      body: {
        title: title.trim(),
        templateId: chosenId,
        ...(mode === "list" ? { candidateUnitIds: candidates } : { parentUnitId: parent[0] ?? "" }),
        sampleSize: Number(sampleSize),
        inspectorIds: pool,
        teamSize: Number(teamSize),
        window: { start: fromLocalInput(start), end: fromLocalInput(end) },
        ...(rectifyUnit === "workdays"
          ? { rectifyWithinWorkdays: Number(rectifyWithinWorkdays) }
          : { rectifyWithinDays: Number(rectifyWithinDays) }),
        escalateAfterHours: Number(escalateAfterHours),
        maxExtensions: Number(maxExtensions),
        ...(excludeDays.trim() ? { excludeInspectedWithinDays: Number(excludeDays) } : {}),
      },
    });
    navigate(`#/spot-checks/${encodeURIComponent(planned.spotCheckId)}`);
  });

  return (
    <div class="page" data-page="plan">
      <h1>新建督查任务（四不两直）</h1>
      <form
        class="form"
        onSubmit={(e) => {
          e.preventDefault();
          void plan.go();
        }}
      >
        <Section title="1. 任务与检查细则">
          <label>
            任务名称
            <input
              name="title"
              value={title}
              onInput={(e) => setTitle(e.currentTarget.value)}
              required
              placeholder="如：经开区重点场所疫情防控督查"
            />
          </label>
          <ErrorBox error={templates.error} />
          <Loading when={templates.loading && !templates.data} />
          {templates.data && templates.data.length === 0 ? (
            <p class="muted">
              还没有检查细则，请先<a href="#/templates">新建检查细则</a>。
            </p>
          ) : null}
          {templates.data && templates.data.length > 0 ? (
            <label>
              检查细则
              <select
                name="templateId"
                value={chosenId}
                onChange={(e) => setTemplateId(e.currentTarget.value)}
                required
              >
                {templates.data.map((t) => (
                  <option key={t.templateId} value={t.templateId}>
                    {t.name}（第 {t.version} 版，{t.items.length} 项，满分 {t.maxPoints}）
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          {template ? (
            <p class="small muted">
              编号 {template.templateId}
              {template.createdAt ? ` · 创建于 ${fmtTime(template.createdAt)}` : ""} · 一票否决项{" "}
              {template.items.filter((i) => i.critical).length} 项 ·{" "}
              <a
                href={`#/templates/${encodeURIComponent(template.templateId)}`}
                target="_blank"
                rel="noreferrer"
              >
                查看细则
              </a>
            </p>
          ) : null}
        </Section>
        <Section title="2. 抽查范围（随机抽取被检查单位）">
          <div class="row">
            <label class="inline">
              <input type="radio" name="mode" checked={mode === "list"} onChange={() => setMode("list")} />
              勾选候选单位
            </label>
            <label class="inline">
              <input
                type="radio"
                name="mode"
                checked={mode === "parent"}
                onChange={() => setMode("parent")}
              />
              某单位下的全部末级单位
            </label>
          </div>
          {mode === "list" ? (
            <>
              <UnitTree selected={candidates} onChange={setCandidates} />
              <p class="small muted">已选 {candidates.length} 个候选单位</p>
            </>
          ) : (
            <UnitTree selected={parent} onChange={setParent} mode="single" />
          )}
          <div class="row">
            <label>
              抽取数量
              <input
                name="sampleSize"
                type="number"
                min={1}
                max={90}
                value={sampleSize}
                onInput={(e) => setSampleSize(e.currentTarget.value)}
                required
              />
            </label>
          </div>
        </Section>
        <Section title="3. 督查员库（随机抽取检查组，自动回避）">
          <InspectorPicker selected={pool} onChange={setPool} />
          <div class="row">
            <label>
              每组人数
              <input
                name="teamSize"
                type="number"
                min={1}
                max={10}
                value={teamSize}
                onInput={(e) => setTeamSize(e.currentTarget.value)}
              />
            </label>
          </div>
        </Section>
        <Section title="4. 时间窗口与整改要求">
          <div class="row">
            <label>
              开始
              <input
                name="start"
                type="datetime-local"
                value={start}
                onInput={(e) => setStart(e.currentTarget.value)}
                required
              />
            </label>
            <label>
              结束（须晚于现在）
              <input
                name="end"
                type="datetime-local"
                value={end}
                onInput={(e) => setEnd(e.currentTarget.value)}
                required
              />
            </label>
          </div>
          <div class="row">
            <label>
              默认整改期限按
              <select
                name="rectifyUnit"
                value={rectifyUnit}
                onChange={(e) => setRectifyUnit(e.currentTarget.value === "days" ? "days" : "workdays")}
              >
                <option value="workdays">工作日</option>
                <option value="days">自然日</option>
              </select>
            </label>
            {rectifyUnit === "workdays" ? (
              <label>
                默认整改期限（个工作日）
                <input
                  name="rectifyWithinWorkdays"
                  type="number"
                  min={1}
                  max={60}
                  step={1}
                  value={rectifyWithinWorkdays}
                  onInput={(e) => setRectifyWorkdays(e.currentTarget.value)}
                />
              </label>
            ) : (
              <label>
                默认整改期限（天）
                <input
                  name="rectifyWithinDays"
                  type="number"
                  min={0.01}
                  step="any"
                  value={rectifyWithinDays}
                  onInput={(e) => setRectify(e.currentTarget.value)}
                />
              </label>
            )}
            <label>
              逾期后问责宽限（小时）
              <input
                name="escalateAfterHours"
                type="number"
                min={0.001}
                step="any"
                value={escalateAfterHours}
                onInput={(e) => setEscalate(e.currentTarget.value)}
              />
            </label>
            <label>
              每张整改单最多延期（次）
              <input
                name="maxExtensions"
                type="number"
                min={0}
                max={10}
                step={1}
                value={maxExtensions}
                onInput={(e) => setMaxExtensions(e.currentTarget.value)}
              />
            </label>
          </div>
          <p class="small muted">
            工作日按国务院办公厅公布的节假日和调休安排计算，期限为第 N 个工作日的 24
            时；检查人员也可对单个问题另定期限。
          </p>
          <div class="row">
            <label>
              减负：排除近期已检查过的单位（天，可不填）
              <input
                name="excludeInspectedWithinDays"
                type="number"
                min={1}
                max={3650}
                step={1}
                value={excludeDays}
                onInput={(e) => setExcludeDays(e.currentTarget.value)}
                placeholder="如：30"
              />
            </label>
          </div>
        </Section>
        <p class="small muted">
          计划时系统生成秘密随机种子，只公布其 SHA-256
          承诺值；窗口结束后公开种子，任何人都可复算抽签结果（双随机）。计划内容不会通知被检查单位。
        </p>
        <button type="submit" class="primary" disabled={plan.busy}>
          保存计划
        </button>
        <ErrorBox error={plan.error} />
      </form>
    </div>
  );
}

export function SpotCheckPage({ id }: { id: string }) {
  const { data, error, loading, reload } = useLoad(
    () => app.api.call("getSpotCheck", { params: { id } }),
    [id],
  );
  const draw = useAction(async () => {
    await app.api.call("draw", { params: { id } });
    reload();
  });
  return (
    <div class="page" data-page="spot-check">
      <ErrorBox error={error} />
      <Loading when={loading && !data} />
      {data ? (
        <>
          <div class="page-head">
            <h1>{data.title}</h1>
            <div class="actions">
              <StatusBadge
                text={label(SPOT_CHECK_STATUS, data.status, "其他状态")}
                tone={`sc-${data.status}`}
              />
              <a class="button" href={`#/spot-checks/${encodeURIComponent(id)}/bulletin`}>
                通报
              </a>
            </div>
          </div>
          <Section title="计划">
            <dl class="facts">
              <dt>任务编号</dt>
              <dd>{data.spotCheckId}</dd>
              <dt>检查细则</dt>
              <dd>
                <a href={`#/templates/${encodeURIComponent(data.templateId)}`}>
                  <TemplateName id={data.templateId} />
                </a>
                （第 {data.templateVersion} 版）
              </dd>
              <dt>时间窗口</dt>
              <dd>
                {fmtTime(data.window.start)} 至 {fmtTime(data.window.end)}
              </dd>
              <dt>抽取</dt>
              <dd>
                从 {data.candidateUnitIds.length} 个候选单位中抽 {data.sampleSize} 个，每组 {data.teamSize}{" "}
                人，督查员库 {data.inspectorIds.length} 人
              </dd>
              <dt>整改</dt>
              <dd>
                默认{" "}
                {data.rectifyWithinWorkdays !== undefined
                  ? `${data.rectifyWithinWorkdays} 个工作日`
                  : `${data.rectifyWithinDays} 天`}
                ，逾期 {data.escalateAfterHours} 小时后问责
                {data.maxExtensions !== undefined ? `；每张整改单最多延期 ${data.maxExtensions} 次` : ""}
              </dd>
              {data.excludeInspectedWithinDays ? (
                <>
                  <dt>减负</dt>
                  <dd>排除 {data.excludeInspectedWithinDays} 天内已检查过的单位</dd>
                </>
              ) : null}
              <dt>种子承诺</dt>
              <dd class="mono small" data-verbatim>
                {data.seedCommitment}
              </dd>
            </dl>
            {isOrganizer() && data.status === "planned" ? (
              <div>
                <button type="button" class="primary" disabled={draw.busy} onClick={() => void draw.go()}>
                  抽签派出（双随机）
                </button>
                <ErrorBox error={draw.error} />
              </div>
            ) : null}
          </Section>
          <Section title={`检查组与进度（${data.assignments.length}）`}>
            {data.assignments.length === 0 ? (
              <Empty text="尚未抽签。" />
            ) : (
              <div class="table-wrap">
                <table class="assignments">
                  <thead>
                    <tr>
                      <th>被检查单位</th>
                      <th>检查组</th>
                      <th>状态</th>
                      <th>得分</th>
                      <th>审计</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.assignments.map((a) => (
                      <tr key={a.assignmentId} data-assignment={a.assignmentId}>
                        <td>
                          <a href={`#/assignments/${encodeURIComponent(a.assignmentId)}`}>
                            <UnitName id={a.unitId} />
                          </a>
                        </td>
                        <td>
                          {a.inspectorIds.map((i, n) => (
                            <span key={i}>
                              {n > 0 ? "、" : ""}
                              <InspectorName id={i} />
                            </span>
                          ))}
                        </td>
                        <td>{label(ASSIGNMENT_STATUS, a.status, "其他状态")}</td>
                        <td>
                          {a.score
                            ? `${a.score.percent}%（${a.score.grade}${a.score.vetoed ? "，一票否决" : ""}）`
                            : "—"}
                        </td>
                        <td>
                          <a href={`#/audit/${encodeURIComponent(a.assignmentId)}`}>查看</a>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Section>
          <Section title="抽签验证">
            <p class="small muted">
              抽签凭证列出承诺值、候选单位、督查员库和抽签结果；时间窗口结束后公开随机种子，任何人都可在浏览器中重新计算并核对。
            </p>
            <a class="button" href={`#/spot-checks/${encodeURIComponent(id)}/draw-proof`}>
              查看抽签凭证
            </a>
          </Section>
        </>
      ) : null}
    </div>
  );
}
