import { useState } from "preact/hooks";
import type { Evidence, ExtensionRequest, Rectification } from "../api";
import {
  BeforeAfter,
  EvidencePicker,
  EvidenceThumbs,
  loadEvidenceByIds,
  loadSubjectEvidence,
  pickEvidence,
  requireSettled,
  useUploads,
} from "../evidence";
import { EXTENSION_STATUS, label, PURPOSE_NAMES, RECT_ACTIONS } from "../labels";
import { LocalRecords, unsent, useLocalWrites } from "../offline/status";
import { recordLocally, useSavedState } from "../offline/sync";
import { useStoredUploads } from "../offline/uploads";
import {
  app,
  Empty,
  ErrorBox,
  ESCALATION,
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
        {(r.extensionRequests ?? []).some((x) => x.status === "pending") ? (
          <span class="badge ext-pending">延期待审批</span>
        ) : null}
        {r.status === "submitted" && (r.accepts ?? 0) > 0 ? (
          <span class="badge submitted">尚需另一人复核</span>
        ) : null}
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

function historyText(h: Rectification["history"][number], r: Rectification): string {
  if (h.action === "evidence_added") return `上传材料（${h.purpose ? PURPOSE_NAMES[h.purpose] : "材料"}）`;
  const n = h.evidenceIds?.length ?? 0;
  const what =
    h.action === "accepted" && (r.acceptsRequired ?? 1) > 1 && h.accepts !== undefined
      ? `回头看：第 ${h.accepts} 人同意销号${h.accepts < (r.acceptsRequired ?? 1) ? "，待另一人复核" : "，销号"}`
      : label(RECT_ACTIONS, h.action, "其他办理事项");
  return `${what}${h.comment ? `：${h.comment}` : ""}${n > 0 ? `（附 ${n} 份材料）` : ""}`;
}

/** The deadline part of a history step: the new deadline, with the one it replaced. */
function historyDeadline(h: Rectification["history"][number]): string {
  if (!h.deadline) return "";
  if (h.action === "issued") return `（整改期限 ${fmtTime(h.deadline)}）`;
  if (h.action === "deadline_reminder") return `（期限 ${fmtTime(h.deadline)}）`;
  if (h.action === "extension_requested") return `（申请延至 ${fmtTime(h.deadline)}）`;
  return h.previousDeadline
    ? `（期限由 ${fmtTime(h.previousDeadline)} 改为 ${fmtTime(h.deadline)}）`
    : `（新期限 ${fmtTime(h.deadline)}）`;
}

/** 四眼销号: "已有 1 人同意销号，尚需另一人复核" while a critical order waits for its second accept. */
export function fourEyesNote(r: Rectification): string | undefined {
  const required = r.acceptsRequired ?? 1;
  if (required < 2) return undefined;
  if (r.status === "closed") return `严重问题，已由 ${required} 人复核同意销号（四眼销号）`;
  const accepts = r.accepts ?? 0;
  if (r.status === "submitted" && accepts > 0)
    return `已有 ${accepts} 人同意销号，尚需另一人复核（四眼销号）`;
  return `严重问题须经 ${required} 名复核人分别同意方可销号（四眼销号）`;
}

/** Whether the unit may ask for an extension now, else why not. */
function extensionOpen(r: Rectification, now = Date.now()): { ok: true } | { ok: false; why: string } {
  if (r.status !== "open") return { ok: false, why: "整改单不在待整改状态，不能申请延期。" };
  if (new Date(r.deadline).getTime() <= now) return { ok: false, why: "已过整改期限，不能再申请延期。" };
  if ((r.extensionRequests ?? []).some((x) => x.status === "pending"))
    return { ok: false, why: "已有一份延期申请正在审批。" };
  const max = r.maxExtensions ?? 1;
  if ((r.extensionsUsed ?? 0) >= max) return { ok: false, why: `本整改单最多延期 ${max} 次，已用完。` };
  return { ok: true };
}

export function RectificationPage({ id }: { id: string }) {
  const { data, error, loading, reload } = useLoad(
    () => app.api.call("getRectification", { params: { id } }),
    [id],
  );
  const evidence = useLoad(() => (data ? loadOrderEvidence(data) : Promise.resolve(undefined)), [data]);
  const ev = evidence.data;
  // A report kept on this device (offline/) is shown with its state instead of the form.
  const local = useLocalWrites("rectification", id, reload);
  const reporting = hasRole("unit") && data?.status === "open" && !unsent(local, "reportRectification");
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
              <UnitName id={data.unitId} name={data.unitName} />
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
              {data.calendarApproximate ? (
                <p class="small note calendar-note">
                  该年度的法定节假日和调休安排尚未公布，工作日暂按周一至周五计算。
                </p>
              ) : null}
            </dd>
            {data.originalDeadline && data.originalDeadline !== data.deadline ? (
              <>
                <dt>原整改期限</dt>
                <dd class="original-deadline">{fmtTime(data.originalDeadline)}</dd>
              </>
            ) : null}
            {data.maxExtensions !== undefined ? (
              <>
                <dt>延期</dt>
                <dd>
                  已延期 {data.extensionsUsed ?? 0} 次，最多 {data.maxExtensions} 次
                </dd>
              </>
            ) : null}
            <dt>督办</dt>
            <dd>
              <EscalationBadge level={data.escalationLevel} />
              {data.everOverdue ? <span class="badge red kept">曾逾期</span> : null}
              {data.closedLate ? <span class="badge esc-1 kept">逾期后销号</span> : null}
              {(data.maxEscalationLevel ?? 0) > data.escalationLevel ? (
                <span class="small muted">（最高曾至「{ESCALATION[data.maxEscalationLevel ?? 0]}」）</span>
              ) : null}
            </dd>
            {fourEyesNote(data) ? (
              <>
                <dt>销号复核</dt>
                <dd class="four-eyes">{fourEyesNote(data)}</dd>
              </>
            ) : null}
            {data.report ? (
              <>
                <dt>整改报告</dt>
                <dd class="report">
                  {data.report.description}
                  {data.report.evidence.length > 0 ? (
                    <ul class="list">
                      {data.report.evidence.map((e, n) => (
                        <li key={n}>{typeof e === "string" ? e : "佐证材料（附件）"}</li>
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
          <LocalRecords writes={local} />
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
          {reviewing ? <ReviewForm order={data} onDone={reload} /> : null}
          {hasRole("unit") ? <ExtensionRequestForm order={data} onDone={reload} /> : null}
          <ExtensionRequests order={data} onDone={reload} />
          <Section title="办理过程">
            <ol class="timeline">
              {data.history.map((h, n) => (
                <li key={n} data-action={h.action}>
                  <span class="small muted">{fmtTime(h.at)}</span> {historyText(h, data)}
                  {historyDeadline(h)}
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
  // Kept on the device as typed and taken; the report goes from the device, at once or later.
  const draftKey = `report:${id}`;
  const [description, setDescription] = useSavedState(draftKey, "description", "");
  const [evidence, setEvidence] = useSavedState(draftKey, "evidence", "");
  const uploads = useStoredUploads(draftKey, { kind: "rectification", id }, "after");
  const report = useAction(async () => {
    requireSettled(uploads, ["after"]);
    const evidenceIds = uploads.ids("after");
    await recordLocally(
      {
        op: "reportRectification",
        body: {
          description: description.trim(),
          evidence: evidence
            .split("\n")
            .map((l) => l.trim())
            .filter(Boolean),
          ...(evidenceIds.length > 0 ? { evidenceIds } : {}),
        },
      },
      { kind: "rectification", id },
      { draftKey },
    );
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

/** Whether the signed-in reviewer already accepted the current report (四眼销号 needs someone else). */
function acceptedByMe(order: Rectification): boolean {
  const me = app.session?.sub;
  if (!me) return false;
  const lastReport = order.history.findLastIndex(
    (h) => h.action === "reported" || h.action === "reported_late",
  );
  return order.history.slice(lastReport + 1).some((h) => h.action === "accepted" && h.actor === me);
}

function ReviewForm({ order, onDone }: { order: Rectification; onDone: () => void }) {
  const id = order.rectificationId;
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
  if (acceptedByMe(order))
    return (
      <Section title="回头看：复查整改">
        <p class="note four-eyes" data-accepted-by-me>
          您已同意销号。严重问题须由另一名复核人再次复核后方可销号。
        </p>
      </Section>
    );
  return (
    <Section title="回头看：复查整改">
      <form class="form" onSubmit={(e) => e.preventDefault()}>
        {fourEyesNote(order) ? <p class="note four-eyes">{fourEyesNote(order)}</p> : null}
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

/** The unit asks for more time (申请延期): open, before the deadline, one request at a time. */
function ExtensionRequestForm({ order, onDone }: { order: Rectification; onDone: () => void }) {
  const [reason, setReason] = useState("");
  const [requested, setRequested] = useState(
    toLocalInput(new Date(new Date(order.deadline).getTime() + 7 * 86_400_000)),
  );
  const ask = useAction(async () => {
    const requestedDeadline = fromLocalInput(requested);
    if (new Date(requestedDeadline).getTime() <= new Date(order.deadline).getTime())
      throw new Error("申请延至的时间须晚于当前整改期限");
    await app.api.call("requestExtension", {
      params: { id: order.rectificationId },
      body: { reason: reason.trim(), requestedDeadline },
    });
    setReason("");
    onDone();
  });
  const open = extensionOpen(order);
  if (!open.ok) {
    return order.status === "open" ? <p class="small muted extension-closed">{open.why}</p> : null;
  }
  return (
    <Section title="申请延期">
      <form
        class="form extension-form"
        onSubmit={(e) => {
          e.preventDefault();
          void ask.go();
        }}
      >
        <p class="small muted">
          须在整改期限（{fmtTime(order.deadline)}）之前申请，由督查组织审批；本整改单最多延期{" "}
          {order.maxExtensions ?? 1} 次，已延期 {order.extensionsUsed ?? 0} 次。
        </p>
        <label>
          延期理由
          <textarea
            name="extensionReason"
            rows={3}
            value={reason}
            onInput={(e) => setReason(e.currentTarget.value)}
            required
            placeholder="如：整改所需设备正在采购，预计 5 个工作日后到货安装"
          />
        </label>
        <label>
          申请延至
          <input
            name="requestedDeadline"
            type="datetime-local"
            value={requested}
            onInput={(e) => setRequested(e.currentTarget.value)}
            required
          />
        </label>
        <button type="submit" class="primary" disabled={ask.busy}>
          提交延期申请
        </button>
        <ErrorBox error={ask.error} />
      </form>
    </Section>
  );
}

/** The order's extension requests, newest last; organizers and admins decide a pending one here too. */
function ExtensionRequests({ order, onDone }: { order: Rectification; onDone: () => void }) {
  const requests = order.extensionRequests ?? [];
  if (requests.length === 0) return null;
  return (
    <Section title={`延期申请（${requests.length}）`}>
      <ul class="cards extension-requests">
        {requests.map((x) => (
          <li key={x.requestId} class="extension-request" data-request={x.requestId} data-status={x.status}>
            <ExtensionRequestCard request={x} names={order.names} />
            {x.status === "pending" && isOrganizer() ? (
              <ExtensionDecision
                rectificationId={order.rectificationId}
                request={x}
                currentDeadline={order.deadline}
                onDone={onDone}
              />
            ) : null}
          </li>
        ))}
      </ul>
    </Section>
  );
}

function ExtensionRequestCard({
  request: x,
  names,
}: {
  request: ExtensionRequest;
  names: Record<string, string> | undefined;
}) {
  return (
    <div class="extension-card">
      <div class="row between">
        <span class={`badge ext-${x.status}`}>{label(EXTENSION_STATUS, x.status)}</span>
        <span class="small muted">
          {x.requestedAt ? `${fmtTime(x.requestedAt)} 申请` : ""}
          {x.requestedBy ? (
            <>
              {" "}
              · <PersonName id={x.requestedBy} names={names} />
            </>
          ) : null}
        </span>
      </div>
      <p>
        申请延至 <strong>{fmtTime(x.requestedDeadline)}</strong>：{x.reason}
      </p>
      {x.status !== "pending" ? (
        <p class="small">
          {x.status === "approved"
            ? `批准，期限延至 ${fmtTime(x.deadline ?? x.requestedDeadline)}`
            : "不予延期"}
          {x.comment ? `；意见：${x.comment}` : ""}
          {x.decidedBy ? (
            <span class="muted">
              {" "}
              · <PersonName id={x.decidedBy} names={names} />
              {x.decidedAt ? ` · ${fmtTime(x.decidedAt)}` : ""}
            </span>
          ) : null}
        </p>
      ) : null}
    </div>
  );
}

/** Approve (optionally with another date) or refuse a pending extension request, with a comment. */
export function ExtensionDecision({
  rectificationId,
  request,
  currentDeadline,
  onDone,
}: {
  rectificationId: string;
  request: { requestId: string; requestedDeadline: string };
  currentDeadline: string;
  onDone: () => void;
}) {
  const [comment, setComment] = useState("");
  const [other, setOther] = useState(false);
  const [deadline, setDeadline] = useState(toLocalInput(new Date(request.requestedDeadline)));
  const decide = useAction(async (decision: "approve" | "refuse") => {
    if (decision === "refuse" && !comment.trim()) throw new Error("不予延期时请填写意见");
    await app.api.call("decideExtension", {
      params: { id: rectificationId, requestId: request.requestId },
      body: {
        decision,
        comment: comment.trim(),
        ...(decision === "approve" && other ? { deadline: fromLocalInput(deadline) } : {}),
      },
    });
    onDone();
  });
  return (
    <form class="form extension-decision" onSubmit={(e) => e.preventDefault()}>
      <label>
        审批意见
        <textarea
          name={`comment-${request.requestId}`}
          rows={2}
          value={comment}
          onInput={(e) => setComment(e.currentTarget.value)}
          placeholder="批准时可不填；不予延期须说明理由"
        />
      </label>
      <label class="inline">
        <input
          type="checkbox"
          name={`other-${request.requestId}`}
          checked={other}
          onChange={(e) => setOther(e.currentTarget.checked)}
        />
        批准另一期限（当前期限 {fmtTime(currentDeadline)}）
      </label>
      {other ? (
        <label>
          批准延至
          <input
            name={`deadline-${request.requestId}`}
            type="datetime-local"
            value={deadline}
            onInput={(e) => setDeadline(e.currentTarget.value)}
          />
        </label>
      ) : null}
      <div class="row">
        <button
          type="button"
          class="primary"
          disabled={decide.busy}
          onClick={() => void decide.go("approve")}
        >
          批准延期
        </button>
        <button type="button" class="danger" disabled={decide.busy} onClick={() => void decide.go("refuse")}>
          不予延期
        </button>
      </div>
      <ErrorBox error={decide.error} />
    </form>
  );
}
