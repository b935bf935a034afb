import { useState } from "preact/hooks";
import type { Rectification } from "../api";
import {
  app,
  Empty,
  ErrorBox,
  EscalationBadge,
  fmtTime,
  fromLocalInput,
  hasRole,
  isOrganizer,
  isOverseer,
  LightBadge,
  Loading,
  RECT_STATUS,
  SEVERITY,
  Section,
  StatusBadge,
  timeLeft,
  toLocalInput,
  UnitName,
  useAction,
  useLoad,
} from "../ui";

const ACTIONS: Record<string, string> = {
  issued: "下达整改通知",
  reported: "单位报告整改",
  accepted: "回头看：整改到位，销号",
  rejected: "回头看：整改不到位，退回",
  overdue_reminder: "逾期催办",
  escalated: "启动问责",
};

export function RectificationsPage() {
  const inspector = hasRole("inspector") && !isOverseer();
  const [status, setStatus] = useState(inspector ? "submitted" : "");
  const [overdue, setOverdue] = useState("");
  const { data, error, loading, reload } = useLoad(
    () => app.api.all("listRectifications", { query: { status, overdue } }, 500),
    [status, overdue],
  );
  const title = hasRole("unit") ? "我的整改单" : inspector ? "回头看（复查整改）" : "整改单";
  const items = [...(data ?? [])].sort(
    (a, b) =>
      Number(a.status === "closed") - Number(b.status === "closed") || a.deadline.localeCompare(b.deadline),
  );
  return (
    <div class="page" data-page="rectifications">
      <div class="page-head">
        <h1>{title}</h1>
        <button type="button" onClick={reload}>
          刷新
        </button>
      </div>
      <div class="filters">
        <label>
          状态
          <select name="status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="">全部</option>
            <option value="open">待整改</option>
            <option value="submitted">已报告待回头看</option>
            <option value="closed">已销号</option>
          </select>
        </label>
        <label>
          期限
          <select name="overdue" value={overdue} onChange={(e) => setOverdue(e.currentTarget.value)}>
            <option value="">全部</option>
            <option value="true">逾期</option>
            <option value="false">未逾期</option>
          </select>
        </label>
      </div>
      <ErrorBox error={error} />
      <Loading when={loading && !data} />
      {data && items.length === 0 ? <Empty text="没有符合条件的整改单。" /> : null}
      <ul class="cards">
        {items.map((r) => (
          <RectificationCard key={r.rectificationId} r={r} />
        ))}
      </ul>
    </div>
  );
}

function RectificationCard({ r }: { r: Rectification }) {
  return (
    <li class={`rect-card light-border-${r.light ?? "none"}`} data-rectification={r.rectificationId}>
      <a href={`#/rectifications/${encodeURIComponent(r.rectificationId)}`}>
        <div class="row between">
          <LightBadge light={r.light} />
          <StatusBadge text={RECT_STATUS[r.status]} tone={r.status} />
        </div>
        <strong>{r.description}</strong>
        <span class="small">
          <UnitName id={r.unitId} /> · {SEVERITY[r.severity]}
        </span>
        <span class="small">
          期限 {fmtTime(r.deadline)}
          {r.status !== "closed" ? (
            <span class={r.overdue ? "red-text" : ""}>（{timeLeft(r.deadline)}）</span>
          ) : null}
        </span>
        {r.escalationLevel > 0 ? <EscalationBadge level={r.escalationLevel} /> : null}
      </a>
    </li>
  );
}

export function RectificationPage({ id }: { id: string }) {
  const { data, error, loading, reload } = useLoad(
    () => app.api.call("getRectification", { params: { id } }),
    [id],
  );
  return (
    <div class="page phone" data-page="rectification">
      <ErrorBox error={error} />
      <Loading when={loading && !data} />
      {data ? (
        <>
          <div class="page-head">
            <h1>整改通知单</h1>
            <div class="actions">
              <LightBadge light={data.light} />
              <StatusBadge text={RECT_STATUS[data.status]} tone={data.status} />
            </div>
          </div>
          <dl class="facts">
            <dt>被检查单位</dt>
            <dd>
              <UnitName id={data.unitId} />
            </dd>
            <dt>问题</dt>
            <dd class="strong">{data.description}</dd>
            <dt>严重程度</dt>
            <dd>{SEVERITY[data.severity]}</dd>
            <dt>整改期限</dt>
            <dd>
              {fmtTime(data.deadline)}
              {data.status !== "closed" ? (
                <span class={data.overdue ? "red-text strong" : ""}>（{timeLeft(data.deadline)}）</span>
              ) : null}
            </dd>
            <dt>督办</dt>
            <dd>
              <EscalationBadge level={data.escalationLevel} />
            </dd>
            {data.report ? (
              <>
                <dt>整改报告</dt>
                <dd class="report">
                  {data.report.description}
                  {data.report.evidence.length > 0 ? (
                    <ul class="list">
                      {data.report.evidence.map((e, n) => (
                        <li key={n}>{typeof e === "string" ? e : JSON.stringify(e)}</li>
                      ))}
                    </ul>
                  ) : null}
                  <span class="small muted">
                    {fmtTime(data.report.at)}
                    {data.report.late ? "，逾期报告" : ""}
                  </span>
                </dd>
              </>
            ) : null}
          </dl>
          {hasRole("unit") && data.status === "open" ? <ReportForm id={id} onDone={reload} /> : null}
          {(hasRole("inspector") || isOrganizer()) && data.status === "submitted" ? (
            <ReviewForm id={id} onDone={reload} />
          ) : null}
          <Section title="办理过程">
            <ol class="timeline">
              {data.history.map((h, n) => (
                <li key={n}>
                  <span class="small muted">{fmtTime(h.at)}</span> {ACTIONS[h.action] ?? h.action}
                  {h.comment ? `：${h.comment}` : ""}
                  {h.deadline ? `（新期限 ${fmtTime(h.deadline)}）` : ""}
                  <span class="small muted"> · {h.actor}</span>
                </li>
              ))}
            </ol>
          </Section>
          {isOverseer() ? (
            <p>
              <a href={`#/audit/${encodeURIComponent(id)}`}>审计追踪</a> ·{" "}
              <a href={`#/assignments/${encodeURIComponent(data.assignmentId)}`}>所属检查</a>
            </p>
          ) : null}
        </>
      ) : null}
    </div>
  );
}

function ReportForm({ id, onDone }: { id: string; onDone: () => void }) {
  const [description, setDescription] = useState("");
  const [evidence, setEvidence] = useState("");
  const report = useAction(async () => {
    await app.api.call("reportRectification", {
      params: { id },
      body: {
        description: description.trim(),
        evidence: evidence
          .split("\n")
          .map((l) => l.trim())
          .filter(Boolean),
      },
    });
    onDone();
  });
  return (
    <Section title="报告整改情况">
      <form
        class="form"
        onSubmit={(e) => {
          e.preventDefault();
          void report.go();
        }}
      >
        <label>
          整改措施与结果
          <textarea
            name="description"
            rows={4}
            value={description}
            onInput={(e) => setDescription(e.currentTarget.value)}
            required
          />
        </label>
        <label>
          佐证材料（每行一条：照片说明、记录编号、链接等）
          <textarea
            name="evidence"
            rows={3}
            value={evidence}
            onInput={(e) => setEvidence(e.currentTarget.value)}
          />
        </label>
        <button type="submit" class="primary big" disabled={report.busy}>
          提交整改报告
        </button>
        <ErrorBox error={report.error} />
      </form>
    </Section>
  );
}

function ReviewForm({ id, onDone }: { id: string; onDone: () => void }) {
  const [comment, setComment] = useState("");
  const [deadline, setDeadline] = useState(toLocalInput(new Date(Date.now() + 7 * 86_400_000)));
  const review = useAction(async (decision: "accept" | "reject") => {
    await app.api.call("reviewRectification", {
      params: { id },
      body: {
        decision,
        comment: comment.trim(),
        ...(decision === "reject" ? { deadline: fromLocalInput(deadline) } : {}),
      },
    });
    onDone();
  });
  return (
    <Section title="回头看：复查整改">
      <form class="form" onSubmit={(e) => e.preventDefault()}>
        <label>
          复查意见
          <textarea
            name="comment"
            rows={3}
            value={comment}
            onInput={(e) => setComment(e.currentTarget.value)}
          />
        </label>
        <label>
          退回时的新整改期限
          <input
            name="deadline"
            type="datetime-local"
            value={deadline}
            onInput={(e) => setDeadline(e.currentTarget.value)}
          />
        </label>
        <div class="row">
          <button
            type="button"
            class="primary"
            disabled={review.busy}
            onClick={() => void review.go("accept")}
          >
            整改到位，销号
          </button>
          <button
            type="button"
            class="danger"
            disabled={review.busy}
            onClick={() => void review.go("reject")}
          >
            整改不到位，退回
          </button>
        </div>
        <ErrorBox error={review.error} />
      </form>
    </Section>
  );
}
