import { EXTENSION_STATUS, fmtTime, label } from "../labels";
import { app, Empty, ErrorBox, Loading, PersonName, Section, timeLeft, UnitName, useLoad } from "../ui";
import { ExtensionDecision } from "./rectifications";

/**
 * 延期审批: the pending extension requests of every order (organizers and admins), oldest first, each
 * approved (with the requested date or another) or refused with a comment right here.
 */
export function ExtensionRequestsPage() {
  const { data, error, loading, reload } = useLoad(
    () => app.api.all("listExtensionRequests", { query: { status: "pending" } }, 1000),
    [],
  );
  const items = [...(data ?? [])].sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
  return (
    <div class="page" data-page="extension-requests">
      <div class="page-head">
        <h1>延期审批</h1>
        <button type="button" onClick={reload} disabled={loading}>
          刷新
        </button>
      </div>
      <p class="small muted">
        被检查单位须在整改期限之前申请延期；批准后整改期限、临期提醒和逾期催办的时间随之顺延，原期限留档可查。
      </p>
      <ErrorBox error={error} />
      <Loading when={loading && !data} />
      <Section title={data ? `待审批的延期申请（${items.length}）` : "待审批的延期申请"}>
        {data && items.length === 0 ? <Empty text="没有待审批的延期申请。" /> : null}
        <ul class="cards extension-queue">
          {items.map((x) => (
            <li key={x.requestId} class="extension-request" data-request={x.requestId} data-status={x.status}>
              <div class="row between">
                <strong>
                  <UnitName id={x.unitId} name={x.unitName} />
                </strong>
                <span class="badge ext-pending">{label(EXTENSION_STATUS, x.status)}</span>
              </div>
              <p>
                <a href={`#/rectifications/${encodeURIComponent(x.rectificationId)}`}>{x.description}</a>
              </p>
              <dl class="facts">
                <dt>当前期限</dt>
                <dd>
                  {fmtTime(x.deadline)}（{timeLeft(x.deadline)}）
                </dd>
                <dt>申请延至</dt>
                <dd class="strong">{fmtTime(x.requestedDeadline)}</dd>
                <dt>延期理由</dt>
                <dd>{x.reason}</dd>
                <dt>申请人</dt>
                <dd>
                  {x.requestedByName ?? <PersonName id={x.requestedBy} />}，{fmtTime(x.requestedAt)}
                </dd>
              </dl>
              <ExtensionDecision
                rectificationId={x.rectificationId}
                request={x}
                currentDeadline={x.deadline}
                onDone={reload}
              />
            </li>
          ))}
        </ul>
      </Section>
    </div>
  );
}
