import { useState } from "preact/hooks";
import type { Evidence, Rectification } from "../api";
import {
  BeforeAfter,
  EvidencePicker,
  EvidenceThumbs,
  loadEvidenceByIds,
  loadSubjectEvidence,
  PURPOSE_NAMES,
  pickEvidence,
  requireSettled,
  useUploads,
} from "../evidence";
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
  PersonName,
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
  reported_late: "单位报告整改（逾期）",
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

/** The photos and documents of an order, sorted for the before/after comparison. */
interface OrderEvidence {
  before: Evidence[];
  after: Evidence[];
  review: Evidence[];
}

/**
 * 整改前: the photos of the issue the order came from (`beforeEvidenceIds`, evidence of the
 * assignment) and those added to the order later (purpose before); 整改后: those the report cites;
 * 回头看: those the reviews cite.
 */
async function loadOrderEvidence(r: Rectification): Promise<OrderEvidence> {
  const [own, issue] = await Promise.all([
    loadSubjectEvidence("rectification", r.rectificationId),
    loadEvidenceByIds(r.beforeEvidenceIds ?? []),
  ]);
  const verified = (e: Evidence) => e.status === "verified";
  const reviewIds = r.history
    .filter((h) => h.action === "accepted" || h.action === "rejected")
    .flatMap((h) => h.evidenceIds ?? []);
  return {
    before: [...issue, ...own.filter((e) => e.purpose === "before")].filter(verified),
    after: pickEvidence(own, r.report?.evidenceIds).filter(verified),
    review: pickEvidence(own, reviewIds).filter(verified),
  };
}

function historyText(h: Rectification["history"][number]): string {
  if (h.action === "evidence_added") return `上传材料（${h.purpose ? PURPOSE_NAMES[h.purpose] : "材料"}）`;
  const n = h.evidenceIds?.length ?? 0;
  return `${ACTIONS[h.action] ?? h.action}${h.comment ? `：${h.comment}` : ""}${n > 0 ? `（附 ${n} 份材料）` : ""}`;
}

export function RectificationPage({ id }: { id: string }) {
  const { data, error, loading, reload } = useLoad(
    () => app.api.call("getRectification", { params: { id } }),
    [id],
  );
  const evidence = useLoad(() => (data ? loadOrderEvidence(data) : Promise.resolve(undefined)), [data]);
  const ev = evidence.data;
  const reporting = hasRole("unit") && data?.status === "open";
  const reviewing = (hasRole("inspector") || isOrganizer()) && data?.status === "submitted";
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
          <ErrorBox error={evidence.error} />
          {reporting ? (
            <ReportForm id={id} before={ev?.before ?? []} names={data.names} onDone={reload} />
          ) : ev && (ev.before.length + ev.after.length + ev.review.length > 0 || data.report) ? (
            <Section title="整改前后对比">
              <BeforeAfter before={ev?.before ?? []} after={ev?.after ?? []} names={data.names} />
              {ev && ev.review.length > 0 ? (
                <div class="review-photos">
                  <h3>回头看照片</h3>
                  <EvidenceThumbs items={ev.review} names={data.names} />
                </div>
              ) : null}
            </Section>
          ) : null}
          {hasRole("inspector") && data.status !== "closed" ? (
            <AddBeforePhotos id={id} onVerified={evidence.reload} />
          ) : null}
          {reviewing ? <ReviewForm id={id} onDone={reload} /> : null}
          <Section title="办理过程">
            <ol class="timeline">
              {data.history.map((h, n) => (
                <li key={n} data-action={h.action}>
                  <span class="small muted">{fmtTime(h.at)}</span> {historyText(h)}
                  {h.deadline ? `（新期限 ${fmtTime(h.deadline)}）` : ""}
                  <span class="small muted">
                    {" "}
                    · <PersonName id={h.actor} names={data.names} />
                  </span>
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

/** An inspector of the team adds 整改前 photos to the order later (they show once verified). */
function AddBeforePhotos({ id, onVerified }: { id: string; onVerified: () => void }) {
  const uploads = useUploads({ kind: "rectification", id }, "before", onVerified);
  return (
    <details class="card add-before">
      <summary>补充整改前照片</summary>
      <EvidencePicker uploads={uploads} group="before" name="before-photo" />
    </details>
  );
}

function ReportForm({
  id,
  before,
  names,
  onDone,
}: {
  id: string;
  before: Evidence[];
  names: Record<string, string> | undefined;
  onDone: () => void;
}) {
  const [description, setDescription] = useState("");
  const [evidence, setEvidence] = useState("");
  const uploads = useUploads({ kind: "rectification", id }, "after");
  const report = useAction(async () => {
    requireSettled(uploads, ["after"]);
    const evidenceIds = uploads.ids("after");
    await app.api.call("reportRectification", {
      params: { id },
      body: {
        description: description.trim(),
        evidence: evidence
          .split("\n")
          .map((l) => l.trim())
          .filter(Boolean),
        ...(evidenceIds.length > 0 ? { evidenceIds } : {}),
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
        <BeforeAfter before={before} names={names} afterTitle="整改后（拍照或上传 PDF）">
          <EvidencePicker uploads={uploads} group="after" name="after" accept="image/*,application/pdf" />
        </BeforeAfter>
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
          其他佐证说明（可选，每行一条：记录编号、链接等）
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
  const uploads = useUploads({ kind: "rectification", id }, "review");
  const review = useAction(async (decision: "accept" | "reject") => {
    requireSettled(uploads, ["review"]);
    const evidenceIds = uploads.ids("review");
    await app.api.call("reviewRectification", {
      params: { id },
      body: {
        decision,
        comment: comment.trim(),
        ...(decision === "reject" ? { deadline: fromLocalInput(deadline) } : {}),
        ...(evidenceIds.length > 0 ? { evidenceIds } : {}),
      },
    });
    onDone();
  });
  return (
    <Section title="回头看：复查整改">
      <form class="form" onSubmit={(e) => e.preventDefault()}>
        <div class="review-upload">
          <span class="small">回头看照片（复查现场拍摄，可选）</span>
          <EvidencePicker uploads={uploads} group="review" name="review-photo" />
        </div>
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
