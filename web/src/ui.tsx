import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiClient, ApiError, type Inspector, type Light, type Unit } from "./api";
import type { Auth, ConsoleConfig, Session } from "./auth";
import { ESCALATION, fieldName, LIGHT, roleNames, SYSTEM_ACTORS } from "./labels";

/** The signed-in console: configuration, session, sign-in and API client (set by main.tsx). */
export const app: {
  config: ConsoleConfig;
  session: Session | undefined;
  api: ApiClient;
  auth: Auth | undefined;
} = {
  config: { mode: "local", apiUrl: "" },
  session: undefined,
  api: new ApiClient("", () => undefined),
  auth: undefined,
};

export function hasRole(...roles: string[]): boolean {
  return app.session?.roles.some((r) => roles.includes(r)) ?? false;
}
export const isOverseer = () => hasRole("admin", "organizer", "official");
export const isOrganizer = () => hasRole("admin", "organizer");
export const isAdmin = () => hasRole("admin");

export function navigate(hash: string): void {
  location.hash = hash;
}

// ---------- words of the field (labels.ts) ----------
export {
  ASSIGNMENT_STATUS,
  ESCALATION,
  fmtDate,
  fmtTime,
  kindName,
  LIGHT,
  RECT_STATUS,
  ROLE_NAMES,
  roleNames,
  SEVERITY,
  SPOT_CHECK_STATUS,
  TIME_ZONE,
} from "./labels";

/** Who is signed in, as the header shows it: the name, else (a script token) "脚本令牌"; never an id. */
export function whoIs(session: Session): { name: string; roles: string } {
  const name = session.name ?? (session.kind === "script" ? "脚本令牌" : (session.username ?? "未命名账号"));
  return { name, roles: roleNames(session.roles) || "无角色" };
}

/** Saves a blob as a download with the given file name. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// ---------- formatting ----------
const DAY = 86_400_000;
const CST_MS = 8 * 3_600_000;
export function pct(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? "—" : `${Math.round(rate * 1000) / 10}%`;
}
/** "剩余 2 天 5 小时" / "逾期 3 天". */
export function timeLeft(deadline: string, now = Date.now()): string {
  const ms = new Date(deadline).getTime() - now;
  const abs = Math.abs(ms);
  const days = Math.floor(abs / DAY);
  const hours = Math.floor((abs % DAY) / 3_600_000);
  const minutes = Math.floor((abs % 3_600_000) / 60_000);
  const span =
    days > 0 ? `${days} 天 ${hours} 小时` : hours > 0 ? `${hours} 小时 ${minutes} 分` : `${minutes} 分钟`;
  return ms >= 0 ? `剩余 ${span}` : `逾期 ${span}`;
}
/** A `datetime-local` value: the wall-clock time in China Standard Time. */
export function toLocalInput(d: Date): string {
  const c = new Date(d.getTime() + CST_MS);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${c.getUTCFullYear()}-${p(c.getUTCMonth() + 1)}-${p(c.getUTCDate())}T${p(c.getUTCHours())}:${p(c.getUTCMinutes())}`;
}
/** A `datetime-local` value read as China Standard Time, as an ISO UTC time. */
export function fromLocalInput(value: string): string {
  return new Date(`${value.length === 16 ? `${value}:00` : value}+08:00`).toISOString();
}

// ---------- data hooks ----------
export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, error: undefined, loading: false }),
      (error: unknown) => live && setState((s) => ({ data: s.data, error, loading: false })),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

const unitCache = new Map<string, Promise<Unit | undefined>>();
/** What one person's calls loaded is not shown to the next one who signs in on this browser. */
export function forgetCaches(): void {
  unitCache.clear();
  inspectorCache.clear();
  knownNames.clear();
  knownRoles.clear();
  directory = undefined;
}
export function getUnitCached(unitId: string): Promise<Unit | undefined> {
  let p = unitCache.get(unitId);
  if (!p) {
    p = app.api.call("getUnit", { params: { unitId } }).catch(() => undefined);
    unitCache.set(unitId, p);
  }
  return p;
}
const inspectorCache = new Map<string, Promise<Inspector | undefined>>();
export function getInspectorCached(inspectorId: string): Promise<Inspector | undefined> {
  let p = inspectorCache.get(inspectorId);
  if (!p) {
    p = app.api.call("getInspector", { params: { inspectorId } }).catch(() => undefined);
    inspectorCache.set(inspectorId, p);
  }
  return p;
}

// ---------- names of people (cached for the session) ----------
/** Names and roles by person id that this session has read: pages' `names`, GET /people, GET /inspectors. */
const knownNames = new Map<string, string>();
const knownRoles = new Map<string, readonly string[]>();
const nameListeners = new Set<() => void>();
const notifyNames = () => {
  for (const listener of nameListeners) listener();
};
/** Keeps the names a response gave (`names` of an assignment or an order, `actors` of an audit trail). */
export function rememberNames(names: Record<string, string> | undefined): void {
  let changed = false;
  for (const [id, name] of Object.entries(names ?? {})) {
    if (knownNames.get(id) !== name) {
      knownNames.set(id, name);
      changed = true;
    }
  }
  if (changed) notifyNames();
}
export function rememberRoles(id: string, roles: readonly string[]): void {
  knownRoles.set(id, roles);
}
export const rolesOf = (id: string): readonly string[] | undefined => knownRoles.get(id);

let directory: Promise<void> | undefined;
/**
 * Loads once per session the people this role may list: everyone for an admin (GET /people), the
 * inspectors for organizers and officials (GET /inspectors). Others read names from their pages.
 */
export function loadDirectory(): Promise<void> {
  if (!directory) {
    const jobs: Promise<void>[] = [];
    if (isAdmin())
      jobs.push(
        app.api.all("listPeople", {}, 10_000).then((people) => {
          for (const p of people) {
            knownNames.set(p.personId, p.name);
            knownRoles.set(p.personId, p.roles);
          }
        }),
      );
    if (isOverseer())
      jobs.push(
        app.api.all("listInspectors", {}, 10_000).then((inspectors) => {
          for (const i of inspectors) {
            if (!knownNames.has(i.inspectorId)) knownNames.set(i.inspectorId, i.name);
            if (!knownRoles.has(i.inspectorId)) knownRoles.set(i.inspectorId, ["inspector"]);
          }
        }),
      );
    directory = Promise.allSettled(jobs).then(notifyNames);
  }
  return directory;
}

/** A person's name as far as this session knows it now (系统 for the workflow). */
export function nameOf(id: string): string | undefined {
  return SYSTEM_ACTORS[id] ?? knownNames.get(id);
}

/** Re-renders when names arrive. */
function useNameVersion(): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    const listener = () => setTick((t) => t + 1);
    nameListeners.add(listener);
    return () => {
      nameListeners.delete(listener);
    };
  }, []);
}

export function UnitName({ id, name }: { id: string; name?: string | undefined }) {
  const [loaded, setName] = useState<string | undefined>();
  useEffect(() => {
    if (name) return;
    let live = true;
    void getUnitCached(id).then((u) => live && setName(u?.name));
    return () => {
      live = false;
    };
  }, [id, name]);
  const shown = name ?? loaded;
  return shown ? <span title={id}>{shown}</span> : <span class="muted">（单位加载中）</span>;
}
export function InspectorName({ id }: { id: string }) {
  return <PersonName id={id} />;
}

/**
 * A person by name: the name the page's response gave, else what the session knows (GET /people,
 * GET /inspectors, an inspector profile), 系统 for the workflow; an id the API has no name for (a
 * script token's) is shown as 未登记账号 with the id.
 */
export function PersonName({ id, names }: { id: string; names?: Record<string, string> | undefined }) {
  useNameVersion();
  const [looked, setLooked] = useState<"no" | "yes">("no");
  const known = names?.[id] ?? nameOf(id);
  useEffect(() => {
    if (known) return;
    let live = true;
    void loadDirectory()
      .then(() => (nameOf(id) ? undefined : getInspectorCached(id)))
      .then((i) => {
        if (i) rememberNames({ [id]: i.name });
        if (live) setLooked("yes");
      });
    return () => {
      live = false;
    };
  }, [id, known]);
  if (known) return <span title={id}>{known}</span>;
  if (looked === "no") return <span class="muted">…</span>;
  return (
    <span class="unnamed">
      未登记账号（<code data-verbatim>{id}</code>）
    </span>
  );
}

// ---------- small components ----------
export function LightBadge({ light }: { light: Light | null | undefined }) {
  if (!light) return <span class="light light-none">—</span>;
  return (
    <span class={`light light-${light}`} data-light={light}>
      <i aria-hidden="true" />
      {LIGHT[light]}
    </span>
  );
}
export function EscalationBadge({ level }: { level: number }) {
  if (level <= 0) return <span class="muted">—</span>;
  return <span class={`badge esc-${level}`}>{ESCALATION[level] ?? `${level} 级督办`}</span>;
}
export function StatusBadge({ text, tone }: { text: string; tone?: string }) {
  return <span class={`badge ${tone ?? ""}`}>{text}</span>;
}

/**
 * A refused request in the person's words: the problem's `detail` (Chinese from the API), then each
 * invalid field by its form name; a failed connection as such. Never the problem's English paths.
 */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    const known: Record<number, string> = {
      401: "登录已失效，请重新登录",
      403: "当前角色无权进行此操作",
      404: "未找到（或对您保密）",
      409: "状态冲突：该步骤已完成或尚未到这一步",
      422: "规则不允许",
      429: "请求过于频繁，请稍后重试",
    };
    const fallback = known[error.status] ?? (error.status >= 500 ? "服务繁忙，请稍后重试" : "请求未被接受");
    const detail = hasChinese(error.detail) ? error.detail : fallback;
    const fields = error.errors
      .filter((e) => hasChinese(e.message) && !detail.includes(e.message))
      .map((e) => {
        const name = fieldName(e.path);
        return name ? `${name}：${e.message}` : e.message;
      });
    return fields.length > 0 ? `${detail}（${fields.join("；")}）` : detail;
  }
  // fetch's own failure: no answer at all.
  if (error instanceof TypeError) return "无法连接服务器，请检查网络后重试";
  const message = error instanceof Error ? error.message : String(error);
  return hasChinese(message) ? message : "操作未完成，请重试";
}
const hasChinese = (text: string): boolean => /\p{Script=Han}/u.test(text);
export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <div class="error" role="alert">
      {errorText(error)}
    </div>
  );
}
export function Loading({ when }: { when: boolean }) {
  return when ? <div class="muted loading">加载中…</div> : null;
}
export function Section({
  title,
  children,
  actions,
}: {
  title: string;
  children: ComponentChildren;
  actions?: ComponentChildren;
}) {
  return (
    <section class="card">
      <div class="card-head">
        <h2>{title}</h2>
        {actions ? <div class="actions">{actions}</div> : null}
      </div>
      {children}
    </section>
  );
}
export function Empty({ text }: { text: string }) {
  return <p class="muted empty">{text}</p>;
}

/** A form action: runs, shows its error, disables itself while busy. */
export function useAction<A extends unknown[]>(run: (...args: A) => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const go = async (...args: A) => {
    setBusy(true);
    setError(undefined);
    try {
      await run(...args);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, go };
}

/**
 * A modal question (native `<dialog>`: focus stays inside, Esc cancels). `onConfirm` runs the
 * action; its error is shown in the dialog, which closes when it succeeds.
 */
export function ConfirmDialog({
  title,
  children,
  confirmText,
  danger = false,
  onConfirm,
  onClose,
}: {
  title: string;
  children: ComponentChildren;
  confirmText: string;
  danger?: boolean;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const action = useAction(async () => {
    await onConfirm();
    onClose();
  });
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      class="confirm"
      aria-labelledby="confirm-title"
      onCancel={(e) => {
        e.preventDefault();
        if (!action.busy) onClose();
      }}
    >
      <h2 id="confirm-title">{title}</h2>
      <div class="confirm-body">{children}</div>
      <ErrorBox error={action.error} />
      <div class="row confirm-actions">
        <button type="button" onClick={onClose} disabled={action.busy}>
          取消
        </button>
        <button
          type="button"
          class={danger ? "danger-solid" : "primary"}
          disabled={action.busy}
          onClick={() => void action.go()}
        >
          {action.busy ? "请稍候…" : confirmText}
        </button>
      </div>
    </dialog>
  );
}

/** A copy-to-clipboard button ("复制" → "已复制"). */
export function CopyButton({ text, label = "复制" }: { text: string; label?: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  return (
    <button
      type="button"
      class="copy"
      onClick={() => {
        navigator.clipboard?.writeText(text).then(
          () => setState("copied"),
          () => setState("failed"),
        ) ?? setState("failed");
      }}
    >
      {state === "copied" ? "已复制" : state === "failed" ? "复制失败，请手动选中复制" : label}
    </button>
  );
}
