import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { AuditActor, AuditEntry, AuditTrail } from "../api";
import { fmtSize } from "../evidence";
import {
  AUDIT_ACTIONS,
  ESCALATION,
  FIELD_NAMES,
  IMPORT_KIND,
  label,
  PURPOSE_NAMES,
  RECT_STATUS,
  roleNames,
  SEVERITY,
  SUBJECT_KINDS,
  SYSTEM_ACTORS,
  VIA,
  yesNo,
} from "../labels";
import {
  app,
  Empty,
  ErrorBox,
  fmtTime,
  kindName,
  Loading,
  loadDirectory,
  navigate,
  PersonName,
  rememberNames,
  rolesOf,
  Section,
  UnitName,
  useLoad,
} from "../ui";

/** Fields of an event that only a technician reads: they sit behind 技术详情. */
const TECHNICAL = new Set([
  "seq",
  "hash",
  "prevHash",
  "seedCommitment",
  "sha256",
  "evidence",
  "algorithm",
  "contentType",
  "cursor",
]);
/** Fields that are shown elsewhere in the entry (who, what) or say nothing to a reader. */
const HIDDEN = new Set(["at", "actor", "action", "roles", "via", "created"]);

const DECISIONS: Record<string, string> = {
  approve: "批准",
  refuse: "不予批准",
  accept: "同意销号",
  reject: "退回",
};

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** One field's value as a person reads it. */
function Value({ field, value }: { field: string; value: unknown }): ComponentChildren {
  if (value === null || value === undefined || value === "") return "（空）";
  if (typeof value === "boolean") return yesNo(value);
  if (typeof value === "string" && ISO.test(value)) return fmtTime(value);
  switch (field) {
    case "severity":
      return label(SEVERITY, String(value));
    case "purpose":
      return label(PURPOSE_NAMES, String(value));
    case "status":
      return label(RECT_STATUS, String(value), "已变更");
    case "decision":
      return label(DECISIONS, String(value));
    case "level":
      return ESCALATION[Number(value)] ?? `${String(value)} 级`;
    case "percent":
      return `${String(value)}%`;
    case "size":
      return typeof value === "number" ? fmtSize(value) : String(value);
    case "distanceMeters":
      return `${String(value)} 米`;
    case "unitId":
    case "homeUnitId":
    case "parentId":
    case "parentUnitId":
      return <UnitName id={String(value)} />;
    case "kind":
      // An import's kind (单位 / 人员), else a unit's kind.
      return Object.hasOwn(IMPORT_KIND, String(value))
        ? label(IMPORT_KIND, String(value))
        : kindName(String(value));
    case "roles":
      return Array.isArray(value) ? roleNames(value.map(String)) : String(value);
    case "fields":
      return Array.isArray(value) ? value.map((f) => label(FIELD_NAMES, String(f), "其他")).join("、") : "";
    case "subject": {
      const s = value as { kind?: string; id?: string };
      return (
        <>
          {label(SUBJECT_KINDS, s.kind ?? "", "对象")} <code data-verbatim>{s.id}</code>
        </>
      );
    }
    case "username":
    case "fileName":
    case "requestId":
    case "importId":
      return <code data-verbatim>{String(value)}</code>;
  }
  if (Array.isArray(value)) return `${value.length} 项`;
  if (typeof value === "object") return "（见技术详情）";
  return String(value);
}

/** Who acted: the name and roles, 系统 for the workflow, or an unregistered account's id. */
function Who({ actor, actors }: { actor: string; actors: Record<string, AuditActor> | undefined }) {
  const system = SYSTEM_ACTORS[actor];
  if (system) return <span class="who-actor">{system}</span>;
  const known = actors?.[actor];
  const roles = known?.roles ?? rolesOf(actor);
  return (
    <span class="who-actor">
      {known ? <span title={actor}>{known.name}</span> : <PersonName id={actor} />}
      {roles && roles.length > 0 ? <span class="muted small">（{roleNames(roles)}）</span> : null}
    </span>
  );
}

function Entry({ e, actors }: { e: AuditEntry; actors: Record<string, AuditActor> | undefined }) {
  const fields = Object.entries(e).filter(([k]) => !HIDDEN.has(k) && !TECHNICAL.has(k));
  const shown = fields.filter(([k]) => FIELD_NAMES[k] !== undefined);
  const other = fields.filter(([k]) => FIELD_NAMES[k] === undefined);
  const technical = Object.fromEntries(
    Object.entries(e).filter(([k]) => TECHNICAL.has(k) || k === "via" || k === "roles" || k === "actor"),
  );
  for (const [k, v] of other) technical[k] = v;
  const via = typeof e.via === "string" ? e.via : undefined;
  const hashes = Array.isArray(e.evidence) ? e.evidence.length : 0;
  return (
    <li data-action={e.action} data-seq={e.seq}>
      <div class="audit-head">
        <span class="small muted audit-time">{fmtTime(e.at)}</span>
        <Who actor={e.actor} actors={actors} />
        <strong class="audit-what">
          {label(AUDIT_ACTIONS, e.action, "其他操作")}
          {via ? `：${label(VIA, via, "其他操作")}` : ""}
        </strong>
      </div>
      {shown.length > 0 || hashes > 0 ? (
        <dl class="audit-fields">
          {shown.map(([k, v]) => (
            <div key={k}>
              <dt>{FIELD_NAMES[k]}</dt>
              <dd>
                <Value field={k} value={v} />
              </dd>
            </div>
          ))}
          {hashes > 0 ? (
            <div>
              <dt>证据材料</dt>
              <dd>{hashes} 份（指纹记入哈希链，见技术详情）</dd>
            </div>
          ) : null}
        </dl>
      ) : null}
      <details class="tech">
        <summary>技术详情</summary>
        <pre class="json" data-verbatim>
          {JSON.stringify(technical, null, 2)}
        </pre>
      </details>
    </li>
  );
}

function ChainBadge({ trail }: { trail: AuditTrail }) {
  if (!trail.chain) return null;
  return trail.chain.verified ? (
    <span class="badge green chain-badge" data-chain="verified">
      哈希链校验通过：{trail.items.length} 条记录未被改动
    </span>
  ) : (
    <span class="badge red chain-badge" data-chain="broken">
      哈希链校验未通过：第 {trail.chain.brokenAt} 条记录被改动或删除
    </span>
  );
}

function AuditTrailView({ id }: { id: string }) {
  const { data, error, loading } = useLoad(async () => {
    const [trail] = await Promise.all([
      app.api.call("audit", { params: { entityId: id }, query: { limit: "200" } }),
      loadDirectory(),
    ]);
    return trail;
  }, [id]);
  useEffect(() => {
    if (data?.actors)
      rememberNames(Object.fromEntries(Object.entries(data.actors).map(([k, a]) => [k, a.name])));
  }, [data]);
  return (
    <Section title="审计记录" actions={data ? <ChainBadge trail={data} /> : null}>
      <p class="small muted">
        对象编号 <code data-verbatim>{id}</code>
        ：每一次变更和到场前的每一次查阅都按时间顺序记录，并以哈希链首尾相扣，任何改动或删除都会使校验失败。
      </p>
      <ErrorBox error={error} />
      <Loading when={loading && !data} />
      {data && data.items.length === 0 ? <Empty text="没有记录。" /> : null}
      {data && data.items.length > 0 ? (
        <ol class="timeline audit-timeline">
          {data.items.map((e, n) => (
            <Entry key={e.seq ?? n} e={e} actors={data.actors} />
          ))}
        </ol>
      ) : null}
      {data?.nextCursor ? <p class="small muted">仅显示最早的 200 条记录。</p> : null}
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
      {id ? (
        <AuditTrailView id={id} />
      ) : (
        <Empty text="在督查任务、检查或整改单的页面上点「审计追踪」，或在上方输入编号查询。" />
      )}
    </div>
  );
}
