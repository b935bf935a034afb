import { useEffect, useState } from "preact/hooks";
import type { Assignment, Bodies, Severity, Template } from "../api";
import {
  EvidencePicker,
  EvidenceThumbs,
  loadSubjectEvidence,
  pickEvidence,
  requireSettled,
} from "../evidence";
import { LocalRecords, unsent, useLocalWrites } from "../offline/status";
import { recordLocally, useSavedState } from "../offline/sync";
import { useStoredUploads } from "../offline/uploads";
import {
  ASSIGNMENT_STATUS,
  app,
  Empty,
  ErrorBox,
  fmtTime,
  fromLocalInput,
  hasRole,
  isOverseer,
  Loading,
  PersonName,
  SEVERITY,
  Section,
  StatusBadge,
  toLocalInput,
  UnitName,
  useAction,
  useLoad,
} from "../ui";
import { EvidencePackButton } from "./evidence-pack";

export function AssignmentsPage() {
  const { data, error, loading, reload } = useLoad(() => app.api.all("listAssignments", {}, 500), []);
  const title = hasRole("inspector") ? "我的督查任务" : hasRole("unit") ? "本单位接受的检查" : "全部检查";
  const order: Record<string, number> = {
    on_site: 0,
    dispatched: 1,
    rectifying: 2,
    scored: 3,
    closed: 4,
    missed: 5,
  };
  const items = [...(data ?? [])].sort(
    (a, b) => (order[a.status] ?? 9) - (order[b.status] ?? 9) || a.window.end.localeCompare(b.window.end),
  );
  return (
    <div class="page" data-page="assignments">
      <div class="page-head">
        <h1>{title}</h1>
        <button type="button" onClick={reload}>
          刷新
        </button>
      </div>
      {isOverseer() ? <p class="small muted">注意：查看尚未到场的检查会记入审计日志。</p> : null}
      <ErrorBox error={error} />
      <Loading when={loading && !data} />
      {data && items.length === 0 ? <Empty text="暂无检查任务。" /> : null}
      <ul class="cards">
        {items.map((a) => (
          <li
            key={a.assignmentId}
            class={`assignment-card status-${a.status}`}
            data-assignment={a.assignmentId}
          >
            <a href={`#/assignments/${encodeURIComponent(a.assignmentId)}`}>
              <strong>
                <UnitName id={a.unitId} />
              </strong>
              <StatusBadge text={ASSIGNMENT_STATUS[a.status]} tone={a.status} />
              <span class="small muted">截止 {fmtTime(a.window.end)}</span>
              {a.score ? (
                <span class="small">
                  得分 {a.score.percent}%（{a.score.grade}）
                </span>
              ) : null}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

function templateKey(assignmentId: string) {
  return `spot.console.assignmentTemplate.${assignmentId}`;
}

export function AssignmentPage({ id }: { id: string }) {
  const { data, error, loading, reload } = useLoad(
    () => app.api.call("getAssignment", { params: { id } }),
    [id],
  );
  const mine = Boolean(
    data && hasRole("inspector") && app.session && data.inspectorIds.includes(app.session.sub),
  );
  // Records kept on this device (offline/): an arrival kept here opens the checklist as the server's would.
  const local = useLocalWrites("assignment", id, reload);
  const status = data?.status === "dispatched" && unsent(local, "recordArrival") ? "on_site" : data?.status;
  return (
    <div class="page phone" data-page="assignment">
      <ErrorBox error={error} />
      <Loading when={loading && !data} />
      {data ? (
        <>
          <div class="page-head">
            <h1>
              <UnitName id={data.unitId} name={data.unitName} />
            </h1>
            <StatusBadge text={ASSIGNMENT_STATUS[data.status]} tone={data.status} />
          </div>
          <dl class="facts">
            <dt>检查窗口</dt>
            <dd>
              {fmtTime(data.window.start)} 至 {fmtTime(data.window.end)}
            </dd>
            <dt>检查组</dt>
            <dd>
              {data.inspectorIds.map((i, n) => (
                <span key={i}>
                  {n > 0 ? "、" : ""}
                  <PersonName id={i} names={data.names} />
                </span>
              ))}
            </dd>
            {data.arrival ? (
              <>
                <dt>到场</dt>
                <dd class="arrival">
                  {fmtTime(data.arrival.at)}，距单位{" "}
                  {data.arrival.distanceMeters === null
                    ? "未知"
                    : `${Math.round(data.arrival.distanceMeters)} 米`}
                  {data.arrival.onSite ? (
                    <span class="badge green">在现场</span>
                  ) : (
                    <span class="badge red">位置不在单位范围内（已标记）</span>
                  )}
                  {data.arrival.delayedSync && data.arrival.capturedAt ? (
                    <span class="badge delayed-sync">
                      现场离线记录于 {fmtTime(data.arrival.capturedAt)}，延迟同步
                    </span>
                  ) : null}
                </dd>
              </>
            ) : null}
            {data.score ? (
              <>
                <dt>量化评分</dt>
                <dd class="score">
                  {data.score.points} / {data.score.maxPoints}，{data.score.percent}%，{data.score.grade}
                  {data.score.vetoed ? "（一票否决）" : ""}
                </dd>
              </>
            ) : null}
          </dl>
          <LocalRecords writes={local} />
          {mine && status === "dispatched" ? <ArrivalForm id={id} onDone={reload} /> : null}
          {mine && status === "on_site" && !unsent(local, "submitFindings") ? (
            <FindingsForm assignment={data} onDone={reload} />
          ) : null}
          {data.findings ? <FindingsView assignment={data} /> : null}
          {isOverseer() ? (
            <p>
              <a href={`#/audit/${encodeURIComponent(id)}`}>审计追踪</a>
            </p>
          ) : null}
          {isOverseer() ? <EvidencePackButton id={id} /> : null}
        </>
      ) : null}
    </div>
  );
}

function ArrivalForm({ id, onDone }: { id: string; onDone: () => void }) {
  const [note, setNote] = useState("");
  const arrive = useAction(async () => {
    if (!("geolocation" in navigator)) throw new Error("此浏览器无法定位");
    setNote("正在获取位置…");
    const pos = await new Promise<GeolocationPosition>((resolve, reject) =>
      navigator.geolocation.getCurrentPosition(resolve, reject, {
        enableHighAccuracy: true,
        timeout: 20_000,
        maximumAge: 0,
      }),
    ).catch((e: GeolocationPositionError) => {
      setNote("");
      throw new Error(e.code === 1 ? "未授权定位：请允许浏览器获取位置" : `无法获取位置：${e.message}`);
    });
    setNote(
      `位置 ${pos.coords.latitude.toFixed(5)}, ${pos.coords.longitude.toFixed(5)}（精度 ${Math.round(pos.coords.accuracy)} 米）`,
    );
    // Kept on the device and sent at once, or when the network returns (offline/sync.ts).
    await recordLocally(
      { op: "recordArrival", body: { location: { lat: pos.coords.latitude, lng: pos.coords.longitude } } },
      { kind: "assignment", id },
    );
    onDone();
  });
  return (
    <Section title="直插现场：到场签到">
      <p class="small">
        不发通知、不打招呼。到达现场后签到，系统记录时间和定位；签到后被检查单位才能看到本次检查。
      </p>
      <button type="button" class="primary big" disabled={arrive.busy} onClick={() => void arrive.go()}>
        到场签到（获取定位）
      </button>
      {note ? <p class="small muted">{note}</p> : null}
      <ErrorBox error={arrive.error} />
    </Section>
  );
}

interface ItemState {
  deduction: string;
  note: string;
}
interface IssueState {
  key: number;
  itemCode: string;
  description: string;
  severity: Severity;
  period: "1" | "7" | "15" | "workdays" | "custom";
  /** 工作日: "N 个工作日" (1–60) when `period` is "workdays". */
  workdays: string;
  deadline: string;
}
let issueKeys = 0;
const itemGroup = (code: string) => `item:${code}`;
const issueGroup = (key: number) => `issue:${key}`;

function gradeOf(t: Template, percent: number, vetoed: boolean): string {
  const grades = [...t.grades].sort((a, b) => b.minPercent - a.minPercent);
  if (vetoed) return grades[grades.length - 1]?.name ?? "不合格";
  return grades.find((g) => percent >= g.minPercent)?.name ?? grades[grades.length - 1]?.name ?? "";
}

/** A datalist of every checklist template (`GET /templates`), for a typed template id to pick from. */
function TemplateOptions({ id }: { id: string }) {
  const { data } = useLoad(() => app.api.all("listTemplates", {}, 1000).catch(() => []), []);
  return (
    <datalist id={id}>
      {(data ?? []).map((t) => (
        <option key={t.templateId} value={t.templateId}>
          {t.name}（第 {t.version} 版，满分 {t.maxPoints}）
        </option>
      ))}
    </datalist>
  );
}

function FindingsForm({ assignment, onDone }: { assignment: Assignment; onDone: () => void }) {
  const initialTemplate =
    assignment.templateId ?? localStorage.getItem(templateKey(assignment.assignmentId)) ?? "";
  // What is typed and taken is kept on the device as it is typed (offline/), until submitted.
  const draftKey = `findings:${assignment.assignmentId}`;
  const [templateId, setTemplateId] = useSavedState(draftKey, "templateId", initialTemplate);
  const [template, setTemplate] = useState<Template | undefined>();
  const [items, setItems] = useSavedState<Record<string, ItemState>>(draftKey, "items", {});
  const [issues, setIssues] = useSavedState<IssueState[]>(draftKey, "issues", []);
  // 问题照片: taken on each checklist item and each issue, cited by the findings once verified.
  const uploads = useStoredUploads(draftKey, { kind: "assignment", id: assignment.assignmentId }, "finding");

  const load = useAction(async () => {
    const t = await app.api.call("getTemplate", { params: { templateId: templateId.trim() } });
    localStorage.setItem(templateKey(assignment.assignmentId), t.templateId);
    setTemplate(t);
  });
  useEffect(() => {
    if (initialTemplate) void load.go();
  }, []);

  const submit = useAction(async () => {
    if (!template) throw new Error("请先载入检查细则");
    requireSettled(uploads, [
      ...template.items.map((i) => itemGroup(i.code)),
      ...issues.map((x) => issueGroup(x.key)),
    ]);
    const body: Bodies["submitFindings"] = {
      items: template.items
        .map((i) => ({ i, s: items[i.code], photos: uploads.ids(itemGroup(i.code)) }))
        .filter(({ s, photos }) => (s && (Number(s.deduction) > 0 || s.note.trim())) || photos.length > 0)
        .map(({ i, s, photos }) => ({
          code: i.code,
          deduction: Number(s?.deduction || 0),
          ...(s?.note.trim() ? { note: s.note.trim() } : {}),
          ...(photos.length > 0 ? { evidenceIds: photos } : {}),
        })),
      issues: issues.map((x) => {
        const photos = uploads.ids(issueGroup(x.key));
        return {
          ...(x.itemCode ? { itemCode: x.itemCode } : {}),
          description: x.description.trim(),
          severity: x.severity,
          ...(x.period === "custom"
            ? { deadline: fromLocalInput(x.deadline) }
            : x.period === "workdays"
              ? { rectifyWithinWorkdays: Number(x.workdays) }
              : { rectifyWithinDays: Number(x.period) }),
          ...(photos.length > 0 ? { evidenceIds: photos } : {}),
        };
      }),
    };
    // The findings, with their photos (local until verified), go from the device: at once or later.
    await recordLocally(
      { op: "submitFindings", body },
      { kind: "assignment", id: assignment.assignmentId },
      { draftKey },
    );
    onDone();
  });

  if (!template) {
    return (
      <Section title="现场打分：载入检查细则">
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault();
            void load.go();
          }}
        >
          <label class="grow">
            检查细则（督查组织下发；可从列表选择或输入编号）
            <input
              name="templateId"
              list="all-templates"
              value={templateId}
              onInput={(e) => setTemplateId(e.currentTarget.value)}
              required
              placeholder="选择或输入细则编号"
            />
            <TemplateOptions id="all-templates" />
          </label>
          <button type="submit" disabled={load.busy}>
            载入
          </button>
        </form>
        <ErrorBox error={load.error} />
      </Section>
    );
  }

  const deductions = template.items.map((i) =>
    Math.min(i.maxPoints, Math.max(0, Number(items[i.code]?.deduction || 0))),
  );
  const points = template.maxPoints - deductions.reduce((s, d) => s + d, 0);
  const percent = template.maxPoints ? Math.round((points / template.maxPoints) * 1000) / 10 : 0;
  const vetoed = template.items.some((i, n) => i.critical && (deductions[n] ?? 0) > 0);
  const setItem = (code: string, patch: Partial<ItemState>) =>
    setItems({ ...items, [code]: { deduction: "", note: "", ...items[code], ...patch } });
  const setIssue = (key: number, patch: Partial<IssueState>) =>
    setIssues(issues.map((x) => (x.key === key ? { ...x, ...patch } : x)));
  const addIssue = (itemCode = "", description = "") => {
    issueKeys = Math.max(issueKeys, ...issues.map((x) => x.key)) + 1; // kept issues keep their keys
    const key = issueKeys;
    setIssues([
      ...issues,
      {
        key,
        itemCode,
        description,
        severity: "major",
        period: "7",
        workdays: "3",
        deadline: toLocalInput(new Date(Date.now() + 7 * 86_400_000)),
      },
    ]);
    // The item's photos show the issue too (they become the order's 整改前 photos).
    if (itemCode) uploads.copy(itemGroup(itemCode), issueGroup(key));
  };

  return (
    <form
      class="form findings"
      onSubmit={(e) => {
        e.preventDefault();
        void submit.go();
      }}
    >
      <Section title={`现场打分：${template.name}`}>
        <ol class="checklist">
          {template.items.map((i) => (
            <li key={i.code} data-item={i.code}>
              <div class="item-title">
                <span class="mono">{i.code}</span> {i.title}
                <span class="muted small">（{i.maxPoints} 分）</span>
                {i.critical ? <span class="badge red">一票否决</span> : null}
              </div>
              <div class="row">
                <label class="short">
                  扣分
                  <input
                    name={`deduction-${i.code}`}
                    type="number"
                    inputMode="decimal"
                    min={0}
                    max={i.maxPoints}
                    step="any"
                    value={items[i.code]?.deduction ?? ""}
                    onInput={(e) => setItem(i.code, { deduction: e.currentTarget.value })}
                  />
                </label>
                <label class="grow">
                  说明
                  <input
                    name={`note-${i.code}`}
                    value={items[i.code]?.note ?? ""}
                    onInput={(e) => setItem(i.code, { note: e.currentTarget.value })}
                    placeholder="如：消杀记录不详"
                  />
                </label>
              </div>
              <EvidencePicker uploads={uploads} group={itemGroup(i.code)} name={`photo-${i.code}`} />
              <button
                type="button"
                class="link small"
                onClick={() => addIssue(i.code, items[i.code]?.note ?? "")}
              >
                列入问题清单
              </button>
            </li>
          ))}
        </ol>
        <p class={`score-preview ${vetoed ? "red-text" : ""}`}>
          预计得分 {points} / {template.maxPoints}（{percent}%），{gradeOf(template, percent, vetoed)}
          {vetoed ? "（一票否决）" : ""}
        </p>
      </Section>
      <Section
        title={`问题清单（${issues.length}）`}
        actions={
          <button type="button" onClick={() => addIssue()}>
            添加问题
          </button>
        }
      >
        {issues.length === 0 ? <Empty text="未发现问题则直接提交，检查办结。" /> : null}
        {issues.map((x, n) => (
          <fieldset key={x.key} class="issue" data-issue={n}>
            <legend>问题 {n + 1}</legend>
            <label>
              问题描述
              <textarea
                name={`issue-description-${n}`}
                rows={2}
                value={x.description}
                onInput={(e) => setIssue(x.key, { description: e.currentTarget.value })}
                required
              />
            </label>
            <div class="row">
              <label>
                对应检查项
                <select
                  name={`issue-item-${n}`}
                  value={x.itemCode}
                  onChange={(e) => setIssue(x.key, { itemCode: e.currentTarget.value })}
                >
                  <option value="">（无）</option>
                  {template.items.map((i) => (
                    <option key={i.code} value={i.code}>
                      {i.code} {i.title}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                严重程度
                <select
                  name={`issue-severity-${n}`}
                  value={x.severity}
                  onChange={(e) => setIssue(x.key, { severity: e.currentTarget.value as Severity })}
                >
                  {(["minor", "major", "critical"] as const).map((s) => (
                    <option key={s} value={s}>
                      {SEVERITY[s]}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                整改要求
                <select
                  name={`issue-period-${n}`}
                  value={x.period}
                  onChange={(e) => setIssue(x.key, { period: e.currentTarget.value as IssueState["period"] })}
                >
                  <option value="1">立即整改（1 天内）</option>
                  <option value="7">限期 7 天</option>
                  <option value="15">限期 15 天</option>
                  <option value="workdays">限期 {x.workdays || "若干"} 个工作日</option>
                  <option value="custom">指定期限</option>
                </select>
              </label>
              {x.period === "workdays" ? (
                <label class="short">
                  工作日数
                  <input
                    name={`issue-workdays-${n}`}
                    type="number"
                    inputMode="numeric"
                    min={1}
                    max={60}
                    step={1}
                    value={x.workdays}
                    onInput={(e) => setIssue(x.key, { workdays: e.currentTarget.value })}
                    required
                  />
                </label>
              ) : null}
              {x.period === "custom" ? (
                <label>
                  整改期限
                  <input
                    name={`issue-deadline-${n}`}
                    type="datetime-local"
                    value={x.deadline}
                    onInput={(e) => setIssue(x.key, { deadline: e.currentTarget.value })}
                    required
                  />
                </label>
              ) : null}
            </div>
            <EvidencePicker
              uploads={uploads}
              group={issueGroup(x.key)}
              name={`issue-photo-${n}`}
              hint="问题照片即整改单的整改前照片"
            />
            <button
              type="button"
              class="link"
              onClick={() => setIssues(issues.filter((y) => y.key !== x.key))}
            >
              删除
            </button>
          </fieldset>
        ))}
      </Section>
      <button type="submit" class="primary big" disabled={submit.busy}>
        提交现场检查结果
      </button>
      <ErrorBox error={submit.error} />
    </form>
  );
}

function FindingsView({ assignment }: { assignment: Assignment }) {
  const f = assignment.findings!;
  const cited = [
    ...f.items.flatMap((i) => i.evidenceIds ?? []),
    ...f.issues.flatMap((i) => i.evidenceIds ?? []),
  ];
  const photos = useLoad(
    () =>
      cited.length > 0 ? loadSubjectEvidence("assignment", assignment.assignmentId) : Promise.resolve([]),
    [assignment.assignmentId, cited.join(",")],
  );
  const all = photos.data ?? [];
  return (
    <Section title="现场检查结果">
      <p class="small muted">
        提交于 {fmtTime(f.submittedAt)}，提交人 <PersonName id={f.submittedBy} names={assignment.names} />
      </p>
      <ErrorBox error={photos.error} />
      {f.items.length > 0 ? (
        <ul class="list findings-items">
          {f.items.map((i) => (
            <li key={i.code} data-item={i.code}>
              {i.code} 扣 {i.deduction} 分{i.note ? `：${i.note}` : ""}
              <EvidenceThumbs items={pickEvidence(all, i.evidenceIds)} names={assignment.names} />
            </li>
          ))}
        </ul>
      ) : null}
      <h3>问题与整改单</h3>
      {f.issues.length === 0 ? <Empty text="未发现问题。" /> : null}
      <ul class="list findings-issues">
        {f.issues.map((i, n) => {
          const rid = i.rectificationId ?? assignment.rectificationIds[n];
          return (
            <li key={rid ?? n} data-issue={n}>
              {rid ? (
                <a href={`#/rectifications/${encodeURIComponent(rid)}`}>{i.description}</a>
              ) : (
                i.description
              )}
              <span class="muted small">
                （{SEVERITY[i.severity]}，期限 {fmtTime(i.deadline)}）
              </span>
              <EvidenceThumbs items={pickEvidence(all, i.evidenceIds)} names={assignment.names} />
            </li>
          );
        })}
      </ul>
    </Section>
  );
}
