import { label, NOTICE_KINDS, withTimesInChinese } from "../labels";
import { app, Empty, ErrorBox, fmtTime, Loading, useLoad } from "../ui";

/**
 * Notices addressed to the caller, the caller's unit or all officials: 整改通知, 临期提醒, 催办, 问责,
 * a team's 督查任务派发, a reviewer's 待回头看.
 */
export function NotificationsPage() {
  const { data, error, loading, reload } = useLoad(() => app.api.all("notifications", {}, 200), []);
  return (
    <div class="page phone" data-page="notifications">
      <div class="page-head">
        <h1>通知</h1>
        <button type="button" onClick={reload}>
          刷新
        </button>
      </div>
      <ErrorBox error={error} />
      <Loading when={loading && !data} />
      {data && data.length === 0 ? <Empty text="暂无通知。" /> : null}
      <ul class="cards">
        {(data ?? []).map((n) => (
          <li key={n.notificationId} class={`notice kind-${n.kind}`} data-kind={n.kind}>
            <div class="row between">
              <strong>
                <span class={`badge esc-${n.level}`}>{label(NOTICE_KINDS, n.kind, "通知")}</span>{" "}
                {withTimesInChinese(n.title)}
              </strong>
              <span class="small muted">{fmtTime(n.at)}</span>
            </div>
            <p>{withTimesInChinese(n.body)}</p>
            {n.deadline ? <p class="small muted">整改期限：{fmtTime(n.deadline)}</p> : null}
            {n.rectificationId ? (
              <a class="small" href={`#/rectifications/${encodeURIComponent(n.rectificationId)}`}>
                查看整改单
              </a>
            ) : n.assignmentId ? (
              <a class="small" href={`#/assignments/${encodeURIComponent(n.assignmentId)}`}>
                查看检查任务
              </a>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
