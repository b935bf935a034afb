import { useState } from "preact/hooks";
import { app, Empty, ErrorBox, fmtTime, Loading, navigate, Section, useLoad } from "../ui";

const ACTIONS: Record<string, string> = {
  read_before_arrival: "到场前查阅（保密审计）",
  refused_read_before_arrival: "到场前查阅被拒（保密审计）",
  spot_check_planned: "计划督查任务",
  drawn: "抽签派出",
  draw_proof_read: "查阅抽签凭证",
  arrived: "到场签到",
  findings_submitted: "提交现场检查结果",
  rectification_issued: "下达整改通知",
  rectification_started: "进入整改",
  issued: "下达整改通知",
  reported: "单位报告整改",
  accepted: "回头看：销号",
  rejected: "回头看：退回",
  missed: "未按期检查",
  closed: "办结",
  template_created: "新建检查细则",
  reported_late: "单位报告整改（逾期）",
  evidence_requested: "申请上传证据材料",
  evidence_verified: "证据材料校验通过",
  evidence_rejected: "证据材料未通过校验",
  evidence_added: "补充证据材料",
};

function AuditTrail({ id }: { id: string }) {
  const { data, error, loading } = useLoad(
    () => app.api.call("audit", { params: { entityId: id }, query: { limit: "200" } }),
    [id],
  );
  return (
    <Section title={`审计追踪：${id}`}>
      <ErrorBox error={error} />
      <Loading when={loading && !data} />
      {data && data.items.length === 0 ? <Empty text="没有记录。" /> : null}
      {data && data.items.length > 0 ? (
        <div class="table-wrap">
          <table class="audit">
            <thead>
              <tr>
                <th>时间</th>
                <th>操作人</th>
                <th>动作</th>
                <th>详情</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map(({ at, actor, action, ...detail }, n) => (
                <tr key={n}>
                  <td>{fmtTime(at)}</td>
                  <td>{actor}</td>
                  <td>{ACTIONS[action] ?? action}</td>
                  <td class="mono small">{Object.keys(detail).length ? JSON.stringify(detail) : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </Section>
  );
}

/** Every change of an entity and every read of it before the team's arrival (organizers, officials). */
export function AuditPage({ id }: { id?: string | undefined }) {
  const [entity, setEntity] = useState(id ?? "");
  return (
    <div class="page" data-page="audit">
      <h1>审计追踪</h1>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (entity.trim()) navigate(`#/audit/${encodeURIComponent(entity.trim())}`);
        }}
      >
        <input
          aria-label="对象编号"
          placeholder="督查任务、检查或整改单编号"
          value={entity}
          onInput={(e) => setEntity(e.currentTarget.value)}
        />
        <button type="submit">查询</button>
      </form>
      {id ? <AuditTrail id={id} /> : null}
    </div>
  );
}
