import { useEffect, useState } from "preact/hooks";
import type { Bodies, Person, PersonRole } from "../api";
import {
  app,
  ConfirmDialog,
  CopyButton,
  Empty,
  ErrorBox,
  fmtTime,
  isAdmin,
  Loading,
  ROLE_NAMES,
  roleNames,
  Section,
  UnitName,
  useAction,
} from "../ui";
import { UnitTree } from "./units";

const ALL_ROLES: PersonRole[] = ["admin", "organizer", "inspector", "unit", "official"];

/**
 * For admins of the local runtime (`npm start`): how many changes the change relay gave up on, held
 * in its failure queue, as `GET /health` reports (the cloud has no such field; an alarm watches the
 * queue there).
 */
function RelayFailures() {
  const [depth, setDepth] = useState<number | undefined>();
  useEffect(() => {
    fetch(`${app.config.apiUrl}/health`)
      .then((res) => res.json())
      .then((body: unknown) => {
        if (typeof body === "object" && body !== null && "relayFailures" in body) {
          const n = body.relayFailures;
          if (typeof n === "number") setDepth(n);
        }
      })
      .catch(() => undefined);
  }, []);
  if (depth === undefined) return null;
  return (
    <p class={depth > 0 ? "warn small" : "muted small"} data-relay-failures={depth}>
      {depth > 0
        ? `本地运行：变更中继失败队列中有 ${depth} 条变更未能推进流程（已达重试上限或过期），请查看服务日志。`
        : "本地运行：变更中继失败队列为空。"}
    </p>
  );
}
const USERNAME = /^[\p{L}\p{N}._@-]{2,64}$/u;

/** The roles this person may give: an admin any, an organizer only 督查员 (the API enforces it too). */
const grantableRoles = (): PersonRole[] => (isAdmin() ? ALL_ROLES : ["inspector"]);

/** A temporary password to hand over: shown once, after a creation or a reset. */
interface Secret {
  name: string;
  username: string;
  password: string;
  reason: "created" | "reset";
}

type Ask = { kind: "disable" | "enable" | "reset"; person: Person };

/**
 * 人员与账号: admins manage everyone, organizers inspectors only. Creating a person opens an account
 * with a temporary password, shown once; changes, 停用/启用 and 重置密码 act on the account too.
 */
export function PeoplePage() {
  const admin = isAdmin();
  const [role, setRole] = useState<string>(admin ? "" : "inspector");
  const [unitFilter, setUnitFilter] = useState<string | undefined>();
  const [tick, setTick] = useState(0);
  const list = usePeople(role, unitFilter, tick);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Person | undefined>();
  const [secret, setSecret] = useState<Secret | undefined>();
  const [ask, setAsk] = useState<Ask | undefined>();
  const [done, setDone] = useState("");
  const reload = () => setTick((t) => t + 1);
  const me = app.session?.sub;

  const act = async ({ kind, person }: Ask) => {
    if (kind === "reset") {
      const r = await app.api.call("resetPassword", { params: { personId: person.personId } });
      setSecret({
        name: person.name,
        username: person.username,
        password: r.temporaryPassword,
        reason: "reset",
      });
      setDone("");
    } else {
      const enabled = kind === "enable";
      const p = await app.api.call("updatePerson", {
        params: { personId: person.personId },
        body: { enabled },
      });
      list.replace(p);
      setDone(enabled ? `已启用 ${p.name} 的账号。` : `已停用 ${p.name} 的账号。`);
    }
  };

  return (
    <div class="page" data-page="people">
      <div class="page-head">
        <h1>人员与账号</h1>
        <div class="actions">
          <a class="button" href="#/imports">
            批量导入
          </a>
          <button
            type="button"
            class="primary"
            onClick={() => {
              setCreating(true);
              setEditing(undefined);
              setSecret(undefined);
              setDone("");
            }}
          >
            开通账号
          </button>
        </div>
      </div>
      {admin ? (
        <RelayFailures />
      ) : (
        <p class="muted small">督查组织人员可以管理仅有“督查员”角色的人员；其他人员由管理员管理。</p>
      )}
      {secret ? <SecretPanel secret={secret} onClose={() => setSecret(undefined)} /> : null}
      {done ? <div class="ok">{done}</div> : null}

      {creating ? (
        <PersonForm
          title="开通账号"
          onCancel={() => setCreating(false)}
          onSaved={(p, temporaryPassword) => {
            setCreating(false);
            setSecret({
              name: p.name,
              username: p.username,
              password: temporaryPassword ?? "",
              reason: "created",
            });
            reload();
          }}
        />
      ) : null}
      {editing ? (
        <PersonForm
          key={editing.personId}
          title={`修改：${editing.name}`}
          person={editing}
          onCancel={() => setEditing(undefined)}
          onSaved={(p) => {
            setEditing(undefined);
            list.replace(p);
            setDone(`已保存 ${p.name} 的信息。`);
          }}
        />
      ) : null}

      <Section title="人员名单">
        <div class="filters">
          <label>
            角色
            <select
              name="role"
              value={role}
              disabled={!admin}
              onChange={(e) => setRole(e.currentTarget.value)}
            >
              {admin ? <option value="">全部角色</option> : null}
              {(admin ? ALL_ROLES : (["inspector"] as PersonRole[])).map((r) => (
                <option key={r} value={r}>
                  {ROLE_NAMES[r]}
                </option>
              ))}
            </select>
          </label>
          <UnitField
            label="单位"
            name="unitFilter"
            value={unitFilter}
            onChange={setUnitFilter}
            emptyText="全部单位"
          />
        </div>
        <ErrorBox error={list.error} />
        <Loading when={list.loading && list.items.length === 0} />
        {!list.loading && !list.error && list.items.length === 0 ? (
          <Empty text="没有符合条件的人员。" />
        ) : null}
        {list.items.length > 0 ? (
          <div class="table-wrap">
            <table class="people">
              <thead>
                <tr>
                  <th>姓名</th>
                  <th>用户名</th>
                  <th>角色</th>
                  <th>单位</th>
                  <th>手机号</th>
                  <th>状态</th>
                  <th>操作</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((p) => (
                  <tr
                    key={p.personId}
                    data-person={p.personId}
                    data-username={p.username}
                    data-enabled={String(p.enabled)}
                    class={p.enabled ? "" : "disabled-row"}
                  >
                    <td>{p.name}</td>
                    <td class="mono small" data-verbatim>
                      {p.username}
                    </td>
                    <td>{roleNames(p.roles)}</td>
                    <td class="small">
                      <PersonUnits person={p} />
                    </td>
                    <td class="small">{p.phone ? displayPhone(p.phone) : "—"}</td>
                    <td>
                      {p.enabled ? (
                        <span class="badge enabled">启用</span>
                      ) : (
                        <span class="badge disabled">已停用</span>
                      )}
                    </td>
                    <td class="row-actions">
                      <button
                        type="button"
                        class="link"
                        onClick={() => {
                          setEditing(p);
                          setCreating(false);
                          setDone("");
                        }}
                      >
                        修改
                      </button>
                      {p.personId === me ? null : p.enabled ? (
                        <button
                          type="button"
                          class="link danger-link"
                          onClick={() => setAsk({ kind: "disable", person: p })}
                        >
                          停用
                        </button>
                      ) : (
                        <button
                          type="button"
                          class="link"
                          onClick={() => setAsk({ kind: "enable", person: p })}
                        >
                          启用
                        </button>
                      )}
                      {p.personId === me ? null : (
                        <button
                          type="button"
                          class="link"
                          onClick={() => setAsk({ kind: "reset", person: p })}
                        >
                          重置密码
                        </button>
                      )}
                      <a class="small" href={`#/audit/${encodeURIComponent(p.personId)}`}>
                        记录
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        {list.cursor ? (
          <button type="button" onClick={list.more} disabled={list.loading}>
            {list.loading ? "加载中…" : "加载更多"}
          </button>
        ) : null}
      </Section>

      {ask ? (
        <ConfirmDialog
          title={
            ask.kind === "disable"
              ? `停用 ${ask.person.name} 的账号？`
              : ask.kind === "enable"
                ? `启用 ${ask.person.name} 的账号？`
                : `重置 ${ask.person.name} 的密码？`
          }
          confirmText={ask.kind === "disable" ? "确定停用" : ask.kind === "enable" ? "确定启用" : "确定重置"}
          danger={ask.kind !== "enable"}
          onConfirm={() => act(ask)}
          onClose={() => setAsk(undefined)}
        >
          {ask.kind === "disable" ? (
            <p>
              停用后该人员 5 分钟内无法再使用系统：立即不能登录，已登录的会话最迟 5
              分钟后失效；督查员不再被抽选。可随时重新启用。
            </p>
          ) : ask.kind === "enable" ? (
            <p>启用后该人员可以用原密码重新登录。</p>
          ) : (
            <p>
              将生成新的临时密码（只显示一次），原密码立即失效，该人员的登录会话最迟 5
              分钟后失效；下次登录时须设置新密码。
            </p>
          )}
        </ConfirmDialog>
      ) : null}
    </div>
  );
}

/** `+8613800000000` as people write it. */
function displayPhone(phone: string): string {
  return phone.replace(/^\+86(?=1\d{10}$)/, "");
}

function PersonUnits({ person }: { person: Person }) {
  const parts = [];
  if (person.unitId)
    parts.push(
      <span key="unit">
        <UnitName id={person.unitId} />
      </span>,
    );
  if (person.homeUnitId && person.roles.includes("inspector"))
    parts.push(
      <span key="home" class="home-unit">
        {person.unitId ? "；" : ""}所属：
        <UnitName id={person.homeUnitId} />
      </span>,
    );
  return parts.length > 0 ? <span>{parts}</span> : <span class="muted">—</span>;
}

/** `GET /people`, a page at a time (加载更多). */
function usePeople(role: string, unitId: string | undefined, tick: number) {
  const [items, setItems] = useState<Person[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>();
  const load = async (after: string | null, live: () => boolean) => {
    setLoading(true);
    setError(undefined);
    try {
      const page = await app.api.call("listPeople", {
        query: {
          ...(role ? { role } : {}),
          ...(unitId ? { unitId } : {}),
          limit: "100",
          ...(after ? { cursor: after } : {}),
        },
      });
      if (!live()) return;
      setItems((before) => (after ? [...before, ...page.items] : page.items));
      setCursor(page.nextCursor);
    } catch (e) {
      if (live()) setError(e);
    } finally {
      if (live()) setLoading(false);
    }
  };
  useEffect(() => {
    let live = true;
    setItems([]);
    setCursor(null);
    void load(null, () => live);
    return () => {
      live = false;
    };
  }, [role, unitId, tick]);
  return {
    items,
    cursor,
    loading,
    error,
    more: () => void load(cursor, () => true),
    /** One person changed: shown in place. */
    replace: (p: Person) => setItems((all) => all.map((x) => (x.personId === p.personId ? p : x))),
  };
}

/** A unit chosen from the unit tree, shown by its name. */
export function UnitField({
  label,
  name,
  value,
  onChange,
  emptyText = "未选择",
  required = false,
}: {
  label: string;
  name: string;
  value: string | undefined;
  onChange: (unitId: string | undefined) => void;
  emptyText?: string;
  required?: boolean;
}) {
  const [open, setOpen] = useState(false);
  return (
    <div class="unit-field" data-field={name}>
      <span class="unit-field-label">
        {label}
        {required ? <span class="red-text"> *</span> : null}
      </span>
      <div class="row">
        <span class="unit-field-value">
          {value ? <UnitName id={value} /> : <span class="muted">{emptyText}</span>}
        </span>
        <button type="button" onClick={() => setOpen(!open)} aria-expanded={open}>
          {open ? "收起单位树" : value ? "更换" : "选择单位"}
        </button>
        {value && !required ? (
          <button type="button" class="link" onClick={() => onChange(undefined)}>
            清除
          </button>
        ) : null}
      </div>
      {open ? (
        <div class="unit-field-tree">
          <UnitTree
            mode="single"
            radioName={`tree-${name}`}
            selected={value ? [value] : []}
            onChange={(ids) => {
              onChange(ids[0]);
              if (ids[0]) setOpen(false);
            }}
          />
        </div>
      ) : null}
    </div>
  );
}

/** 开通账号 (no `person`) or 修改 (with it). */
function PersonForm({
  title,
  person,
  onSaved,
  onCancel,
}: {
  title: string;
  person?: Person;
  onSaved: (p: Person, temporaryPassword?: string) => void;
  onCancel: () => void;
}) {
  const grantable = grantableRoles();
  const [name, setName] = useState(person?.name ?? "");
  const [username, setUsername] = useState(person?.username ?? "");
  const [phone, setPhone] = useState(person?.phone ? displayPhone(person.phone) : "");
  const [roles, setRoles] = useState<PersonRole[]>(person?.roles ?? (isAdmin() ? [] : ["inspector"]));
  const [unitId, setUnitId] = useState<string | undefined>(person?.unitId);
  const [homeUnitId, setHomeUnitId] = useState<string | undefined>(person?.homeUnitId);
  const [problem, setProblem] = useState("");
  const save = useAction(async () => {
    const trimmedName = name.trim();
    const trimmedPhone = phone.trim();
    if (!trimmedName) return setProblem("请填写姓名");
    if (!person && !USERNAME.test(username.trim()))
      return setProblem("用户名须为 2–64 位汉字、字母、数字或 . _ @ -");
    if (roles.length === 0) return setProblem("请至少选择一个角色");
    if (roles.includes("unit") && !unitId) return setProblem("被检查单位人员须选择所在单位");
    if (roles.includes("inspector") && !homeUnitId)
      return setProblem("督查员须选择所属单位（抽签时回避本单位及其上下级）");
    setProblem("");
    if (!person) {
      const created = await app.api.call("createPerson", {
        body: {
          name: trimmedName,
          username: username.trim(),
          roles,
          ...(trimmedPhone ? { phone: trimmedPhone } : {}),
          ...(roles.includes("unit") && unitId ? { unitId } : {}),
          ...(roles.includes("inspector") && homeUnitId ? { homeUnitId } : {}),
        },
      });
      const { temporaryPassword, ...rest } = created;
      onSaved(rest, temporaryPassword);
      return;
    }
    const body: Bodies["updatePerson"] = {};
    if (trimmedName !== person.name) body.name = trimmedName;
    if (trimmedPhone !== (person.phone ? displayPhone(person.phone) : "")) body.phone = trimmedPhone || null;
    if (roles.join() !== person.roles.join()) body.roles = roles;
    if (roles.includes("unit")) {
      if (unitId !== person.unitId) body.unitId = unitId ?? null;
    } else if (person.unitId) body.unitId = null;
    if (roles.includes("inspector") && homeUnitId !== person.homeUnitId) body.homeUnitId = homeUnitId ?? null;
    if (Object.keys(body).length === 0) return onCancel();
    onSaved(await app.api.call("updatePerson", { params: { personId: person.personId }, body }));
  });
  const toggle = (r: PersonRole) =>
    setRoles((rs) =>
      rs.includes(r) ? rs.filter((x) => x !== r) : ALL_ROLES.filter((x) => x === r || rs.includes(x)),
    );
  return (
    <Section title={title}>
      <form
        class="form person-form"
        data-form={person ? "edit-person" : "create-person"}
        onSubmit={(e) => {
          e.preventDefault();
          void save.go();
        }}
      >
        <div class="row">
          <label class="grow">
            姓名
            <input
              name="name"
              value={name}
              onInput={(e) => setName(e.currentTarget.value)}
              required
              maxLength={100}
            />
          </label>
          <label class="grow">
            用户名（登录用，开通后不可改）
            <input
              name="username"
              value={username}
              onInput={(e) => setUsername(e.currentTarget.value)}
              required
              disabled={!!person}
              autocomplete="off"
              autocapitalize="none"
              spellcheck={false}
            />
          </label>
          <label class="grow">
            手机号（可选）
            <input
              name="phone"
              type="tel"
              inputMode="tel"
              value={phone}
              onInput={(e) => setPhone(e.currentTarget.value)}
              placeholder="13800000000"
            />
          </label>
        </div>
        <fieldset>
          <legend>角色</legend>
          {ALL_ROLES.filter((r) => grantable.includes(r) || roles.includes(r)).map((r) => (
            <label class="inline" key={r}>
              <input
                type="checkbox"
                name={`role-${r}`}
                checked={roles.includes(r)}
                disabled={!grantable.includes(r) || (!isAdmin() && r === "inspector")}
                onChange={() => toggle(r)}
              />
              {ROLE_NAMES[r]}
            </label>
          ))}
        </fieldset>
        {roles.includes("unit") ? (
          <UnitField
            label="所在单位（被检查单位人员看到本单位的检查和整改）"
            name="unitId"
            value={unitId}
            onChange={setUnitId}
            required
          />
        ) : null}
        {roles.includes("inspector") ? (
          <UnitField
            label="所属单位（督查员抽签时回避本单位及其上下级）"
            name="homeUnitId"
            value={homeUnitId}
            onChange={setHomeUnitId}
            required
          />
        ) : null}
        {person ? (
          <p class="small muted">
            开通于 {fmtTime(person.createdAt)}，最近修改 {fmtTime(person.updatedAt)}
            。修改角色或单位后，本人下次续期登录（最迟 5 分钟）起生效。
          </p>
        ) : null}
        {problem ? (
          <div class="error" role="alert">
            {problem}
          </div>
        ) : null}
        <ErrorBox error={save.error} />
        <div class="row">
          <button type="submit" class="primary" disabled={save.busy}>
            {person ? "保存修改" : "开通账号"}
          </button>
          <button type="button" onClick={onCancel} disabled={save.busy}>
            取消
          </button>
        </div>
      </form>
    </Section>
  );
}

/** The temporary password, shown once, with a copy button and a warning. */
function SecretPanel({ secret, onClose }: { secret: Secret; onClose: () => void }) {
  return (
    <section class="card secret" role="alert" data-secret>
      <h2>{secret.reason === "created" ? `账号已开通：${secret.name}` : `已重置 ${secret.name} 的密码`}</h2>
      <dl class="facts">
        <dt>用户名</dt>
        <dd class="mono" data-username data-verbatim>
          {secret.username}
        </dd>
        <dt>临时密码</dt>
        <dd>
          <code class="temporary-password" data-temporary-password data-verbatim>
            {secret.password}
          </code>{" "}
          <CopyButton text={secret.password} label="复制临时密码" />
        </dd>
      </dl>
      <p class="warn">
        临时密码只显示这一次，离开或关闭后无法再查看（忘记只能重置）。请当面或通过安全渠道交给本人，不要在群聊中发送。本人首次登录时须改为自己的新密码；临时密码逾期未用须重置。
      </p>
      <button type="button" onClick={onClose}>
        我已记下，关闭
      </button>
    </section>
  );
}
