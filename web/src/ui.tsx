import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import {
  ApiClient,
  ApiError,
  type AssignmentStatus,
  type Inspector,
  type Light,
  type RectificationStatus,
  type Severity,
  type SpotCheckStatus,
  type Unit,
} from "./api";
import type { Auth, ConsoleConfig, Session } from "./auth";

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

// ---------- words of the field ----------
export const ASSIGNMENT_STATUS: Record<AssignmentStatus, string> = {
  dispatched: "待检查",
  on_site: "已到场",
  scored: "已评分",
  rectifying: "整改中",
  closed: "已办结",
  missed: "未按期检查",
};
export const RECT_STATUS: Record<RectificationStatus, string> = {
  open: "待整改",
  submitted: "已报告待回头看",
  closed: "已销号",
};
export const SEVERITY: Record<Severity, string> = { minor: "一般", major: "较重", critical: "严重" };
export const LIGHT: Record<Light, string> = { green: "绿灯", yellow: "黄灯", red: "红灯" };
export const ESCALATION = ["—", "催办", "问责"];
export const SPOT_CHECK_STATUS: Record<SpotCheckStatus, string> = {
  planned: "待抽签",
  dispatched: "已派出",
};
export const ROLE_NAMES: Record<string, string> = {
  admin: "管理员",
  organizer: "督查组织",
  inspector: "督查员",
  unit: "被检查单位",
  official: "领导",
};

/** "管理员、督查组织": the roles in Chinese. */
export function roleNames(roles: readonly string[]): string {
  return roles.map((r) => ROLE_NAMES[r] ?? r).join("、");
}

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
/** Times are read and typed in China Standard Time, wherever the browser is. */
export const TIME_ZONE = "Asia/Shanghai";
const CST_MS = 8 * 3_600_000;
export function fmtTime(iso: string | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString("zh-CN", {
    timeZone: TIME_ZONE,
    hour12: false,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  });
}
export function fmtDate(iso: string): string {
  return new Date(iso).toLocaleDateString("zh-CN", { timeZone: TIME_ZONE, month: "2-digit", day: "2-digit" });
}
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
/** The light the API would give (for rows it did not light): red overdue, yellow ≤ 3 days, else green. */
export function lightOf(deadline: string, closed: boolean, now = Date.now()): Light | null {
  if (closed) return null;
  const ms = new Date(deadline).getTime() - now;
  return ms < 0 ? "red" : ms <= 3 * DAY ? "yellow" : "green";
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

export function UnitName({ id }: { id: string }) {
  const [name, setName] = useState<string | undefined>();
  useEffect(() => {
    let live = true;
    void getUnitCached(id).then((u) => live && setName(u?.name));
    return () => {
      live = false;
    };
  }, [id]);
  return <span title={id}>{name ?? id}</span>;
}
export function InspectorName({ id }: { id: string }) {
  const [name, setName] = useState<string | undefined>();
  useEffect(() => {
    let live = true;
    void getInspectorCached(id).then((u) => live && setName(u?.name));
    return () => {
      live = false;
    };
  }, [id]);
  return <span title={id}>{name ?? id}</span>;
}

/** A person: the name the page's response gave, else an inspector's profile name, else the id. */
export function PersonName({ id, names }: { id: string; names?: Record<string, string> | undefined }) {
  const known = names?.[id];
  return known ? <span title={id}>{known}</span> : <InspectorName id={id} />;
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
  return <span class={`badge esc-${level}`}>{ESCALATION[level] ?? `级别 ${level}`}</span>;
}
export function StatusBadge({ text, tone }: { text: string; tone?: string }) {
  return <span class={`badge ${tone ?? ""}`}>{text}</span>;
}

/** Request fields as the forms name them, for the messages of a refused request. */
const FIELD_NAMES: Record<string, string> = {
  name: "名称",
  phone: "手机号",
  username: "用户名",
  roles: "角色",
  unitId: "所在单位",
  homeUnitId: "所属单位",
  enabled: "状态",
  fileName: "文件",
  contentType: "文件类型",
};
function fieldName(path: string): string {
  const key = path.replace(/^(body|query|params)\./, "").split(/[.[]/)[0] ?? path;
  return FIELD_NAMES[key] ?? path;
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = error.errors.map((e) => `${fieldName(e.path)}：${e.message}`).join("；");
    const known: Record<number, string> = {
      401: "登录已失效，请重新登录",
      403: "当前角色无权进行此操作",
      404: "未找到（或对您保密）",
      409: "状态冲突：该步骤已完成或尚未到这一步",
      422: "规则不允许",
    };
    return `${known[error.status] ?? `错误 ${error.status}`}：${error.detail}${fields ? `（${fields}）` : ""}`;
  }
  return error instanceof Error ? error.message : String(error);
}
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
