import { app, Empty, ErrorBox, fmtTime, Loading, useLoad } from "../ui";

const KIND: Record<string, string> = {
  rectification_issued: "整改通知",
  overdue_reminder: "催办",
  escalation: "问责",
};

/** Reminders (催办) and escalations (问责) addressed to the caller, the caller's unit or all officials. */
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
          <li key={n.notificationId} class={`notice kind-${n.kind}`}>
            <div class="row between">
              <strong>
                <span class={`badge esc-${n.level}`}>{KIND[n.kind] ?? n.kind}</span> {n.title}
              </strong>
              <span class="small muted">{fmtTime(n.at)}</span>
            </div>
            <p>{n.body}</p>
            {n.rectificationId ? (
              <a class="small" href={`#/rectifications/${encodeURIComponent(n.rectificationId)}`}>
                查看整改单
              </a>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
