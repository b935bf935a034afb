import { useState } from "preact/hooks";
import type { Template } from "../api";
import {
  ASSIGNMENT_STATUS,
  app,
  Empty,
  ErrorBox,
  fmtTime,
  fromLocalInput,
  getInspectorCached,
  InspectorName,
  isOrganizer,
  Loading,
  memory,
  navigate,
  Section,
  SPOT_CHECK_STATUS,
  StatusBadge,
  splitIds,
  toLocalInput,
  UnitName,
  useAction,
  useLoad,
} from "../ui";
import { UnitTree } from "./units";

/**
 * The API lists no spot checks: this browser remembers the ones it planned or opened, and any id can
 * be opened directly (reading a spot check before arrival is itself audited, so nothing is fetched
 * behind the user's back).
 */
export function SpotChecksPage() {
  const [openId, setOpenId] = useState("");
  const list = memory.spotChecks();
  return (
    <div class="page" data-page="spot-checks">
      <div class="page-head">
        <h1>{isOrganizer() ? "督查任务" : "督查通报"}</h1>
        {isOrganizer() ? (
          <a class="button primary" href="#/spot-checks/new">
            新建督查任务
          </a>
        ) : null}
      </div>
      <Section title="本机记录的督查任务">
        {list.length === 0 ? (
          <Empty text="本浏览器还没有记录督查任务。新建一个，或按编号打开。" />
        ) : (
          <ul class="list">
            {list.map((s) => (
              <li key={s.id}>
                <a href={`#/spot-checks/${encodeURIComponent(s.id)}`}>{s.title}</a>
                <span class="muted small">
                  {s.id} · {fmtTime(s.at)}
                </span>
                <a class="small" href={`#/spot-checks/${encodeURIComponent(s.id)}/bulletin`}>
                  通报
                </a>
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title="按编号打开">
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault();
            if (openId.trim()) navigate(`#/spot-checks/${encodeURIComponent(openId.trim())}`);
          }}
        >
          <input
            aria-label="督查任务编号"
            placeholder="督查任务编号"
            value={openId}
            onInput={(e) => setOpenId(e.currentTarget.value)}
          />
          <button type="submit">打开</button>
        </form>
      </Section>
    </div>
  );
}

export function PlanSpotCheckPage() {
  const now = new Date();
  const [title, setTitle] = useState("");
  const [templateId, setTemplateId] = useState(memory.templates()[0]?.id ?? "");
  const [template, setTemplate] = useState<Template | undefined>();
  const [mode, setMode] = useState<"list" | "parent">("list");
  const [candidates, setCandidates] = useState<string[]>([]);
  const [parent, setParent] = useState<string[]>([]);
  const [sampleSize, setSampleSize] = useState("1");
  const [pool, setPool] = useState(
    memory
      .inspectors()
      .map((i) => i.id)
      .join("\n"),
  );
  const [poolNames, setPoolNames] = useState<string>("");
  const [teamSize, setTeamSize] = useState("2");
  const [start, setStart] = useState(toLocalInput(now));
  const [end, setEnd] = useState(toLocalInput(new Date(now.getTime() + 7 * 86_400_000)));
  const [rectifyWithinDays, setRectify] = useState("7");
  const [escalateAfterHours, setEscalate] = useState("72");

  const loadTemplate = useAction(async () => {
    setTemplate(await app.api.call("getTemplate", { params: { templateId: templateId.trim() } }));
  });
  const checkPool = useAction(async () => {
    const ids = splitIds(pool);
    const found = await Promise.all(ids.map((id) => getInspectorCached(id)));
    setPoolNames(ids.map((id, i) => `${found[i]?.name ?? "（未登记）"} ${id}`).join("、"));
    for (const i of found)
      if (i) memory.rememberInspector({ id: i.inspectorId, title: i.name, at: new Date().toISOString() });
  });
  const plan = useAction(async () => {
    const planned = await app.api.call("planSpotCheck", {
      body: {
        title: title.trim(),
        templateId: templateId.trim(),
        ...(mode === "list" ? { candidateUnitIds: candidates } : { parentUnitId: parent[0] ?? "" }),
        sampleSize: Number(sampleSize),
        inspectorIds: splitIds(pool),
        teamSize: Number(teamSize),
        window: { start: fromLocalInput(start), end: fromLocalInput(end) },
        rectifyWithinDays: Number(rectifyWithinDays),
        escalateAfterHours: Number(escalateAfterHours),
      },
    });
    memory.rememberSpotCheck({
      id: planned.spotCheckId,
      title: title.trim(),
      at: new Date().toISOString(),
      templateId: templateId.trim(),
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
          <div class="row">
            <label class="grow">
              检查细则编号
              <input
                name="templateId"
                list="known-templates"
                value={templateId}
                onInput={(e) => setTemplateId(e.currentTarget.value)}
                onChange={() => void loadTemplate.go()}
                required
              />
              <datalist id="known-templates">
                {memory.templates().map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.title}
                  </option>
                ))}
              </datalist>
            </label>
            <button type="button" onClick={() => void loadTemplate.go()}>
              查看
            </button>
          </div>
          {template ? (
            <p class="small">
              {template.name}：{template.items.length} 项，满分 {template.maxPoints}
            </p>
          ) : null}
          <ErrorBox error={loadTemplate.error} />
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
          <label>
            督查员账号（每行一个）
            <textarea
              name="inspectorIds"
              rows={4}
              value={pool}
              onInput={(e) => setPool(e.currentTarget.value)}
              required
            />
          </label>
          <div class="row">
            <button type="button" onClick={() => void checkPool.go()}>
              核对姓名
            </button>
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
          {poolNames ? <p class="small">{poolNames}</p> : null}
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
  const [proof, setProof] = useState<unknown>();
  const draw = useAction(async () => {
    await app.api.call("draw", { params: { id } });
    reload();
  });
  const loadProof = useAction(async () => setProof(await app.api.call("getDrawProof", { params: { id } })));
  if (data)
    memory.rememberSpotCheck({ id, title: data.title, at: data.createdAt, templateId: data.templateId });
  return (
    <div class="page" data-page="spot-check">
      <ErrorBox error={error} />
      <Loading when={loading && !data} />
      {data ? (
        <>
          <div class="page-head">
            <h1>{data.title}</h1>
            <div class="actions">
              <StatusBadge text={SPOT_CHECK_STATUS[data.status] ?? data.status} tone={data.status} />
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
                <a href={`#/templates/${encodeURIComponent(data.templateId)}`}>{data.templateId}</a>（第{" "}
                {data.templateVersion} 版）
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
                默认 {data.rectifyWithinDays} 天，逾期 {data.escalateAfterHours} 小时后问责
              </dd>
              <dt>种子承诺</dt>
              <dd class="mono small">{data.seedCommitment}</dd>
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
                        <td>{ASSIGNMENT_STATUS[a.status] ?? a.status}</td>
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
            <button type="button" onClick={() => void loadProof.go()} disabled={loadProof.busy}>
              查看抽签凭证
            </button>
            <ErrorBox error={loadProof.error} />
            {proof ? <pre class="json">{JSON.stringify(proof, null, 2)}</pre> : null}
          </Section>
        </>
      ) : null}
    </div>
  );
}
