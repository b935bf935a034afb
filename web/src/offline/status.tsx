import { useEffect, useRef, useState } from "preact/hooks";
import type { EvidenceSubject } from "../api";
import { fmtTime, SEVERITY } from "../labels";
import { app, ConfirmDialog, ErrorBox, saveBlob, useAction } from "../ui";
import { onStaleRead } from "./reads";
import type { PhotoRecord, WriteRecord, WriteState } from "./store";
import {
  clearDevice,
  discardWrite,
  editWrite,
  kick,
  localRefs,
  type OfflineState,
  oldestWaiting,
  previewOf,
  retryWrite,
  useOffline,
  waiting,
  waitingCount,
  writesOf,
} from "./sync";
import "./offline.css";

/**
 * What the field pages show of offline capture: how many items wait (header), whether the device is
 * offline or showing kept copies, the storage warnings (not persisted; unsent for more than a day),
 * each record of a page with its state — 已保存在本机 / 正在同步 / 已同步 / 同步失败：原因 — and the
 * person's choices when the server refused it; and signing out, which clears the device.
 */

export const OP_NAMES: Record<WriteRecord["op"], string> = {
  recordArrival: "到场签到",
  submitFindings: "现场检查结果",
  reportRectification: "整改报告",
};

const STATE_TONE: Record<WriteState, string> = {
  saved: "saved",
  syncing: "syncing",
  synced: "synced",
  failed: "failed",
  conflict: "failed",
};

/** A record's state in the four words people see. */
export function writeStateText(w: WriteRecord): string {
  switch (w.state) {
    case "saved":
      return "已保存在本机";
    case "syncing":
      return "正在同步";
    case "synced":
      return "已同步";
    case "failed":
    case "conflict":
      return `同步失败：${w.reason ?? "请重试"}`;
  }
}

/** A photo's state in the same four words (its picker says more: 上传中 n% / 校验中 / 已校验). */
export function photoStateText(p: PhotoRecord): string {
  switch (p.state) {
    case "saved":
      return "已保存在本机";
    case "uploading":
    case "checking":
      return "正在同步";
    case "verified":
      return "已同步";
    case "rejected":
      return `同步失败：未通过校验（${p.message ?? "文件不符合要求"}）`;
    case "failed":
      return `同步失败：${p.message ?? "请重试"}`;
  }
}

const PHOTO_TONE: Record<PhotoRecord["state"], string> = {
  saved: "saved",
  uploading: "syncing",
  checking: "syncing",
  verified: "synced",
  rejected: "failed",
  failed: "failed",
};

function subjectHref(subject: EvidenceSubject): string {
  return `#/${subject.kind === "assignment" ? "assignments" : "rectifications"}/${encodeURIComponent(subject.id)}`;
}

// ---------- the header ----------

/** 待同步 n (or 已全部同步), and 离线; opens the list of what waits. */
export function SyncBadge() {
  const s = useOffline();
  const [open, setOpen] = useState(false);
  if (!s.sub) return null;
  const n = waitingCount(s);
  return (
    <div class="sync-status">
      <button
        type="button"
        class={`sync-badge ${n > 0 ? "waiting" : "done"}`}
        data-waiting={n}
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        {s.online ? null : <span class="offline-dot">离线</span>}
        {n > 0 ? `待同步 ${n}` : "已全部同步"}
      </button>
      {open ? <SyncPanel s={s} onClose={() => setOpen(false)} /> : null}
    </div>
  );
}

function StorageLine({ s }: { s: OfflineState }) {
  const [estimate, setEstimate] = useState<{ usage?: number; quota?: number }>();
  useEffect(() => {
    void navigator.storage
      ?.estimate?.()
      .then(setEstimate)
      .catch(() => undefined);
  }, []);
  const mb = (n: number | undefined) => (n === undefined ? "—" : `${(n / 1024 / 1024).toFixed(1)} MB`);
  return (
    <p class="small muted storage-line">
      {s.unavailable
        ? "此浏览器不允许在本机保存数据（可能是无痕模式）：记录须在有网络时提交。"
        : s.persisted
          ? "浏览器已允许长期保存本机数据。"
          : "浏览器未允许长期保存本机数据：存储空间紧张时，未发送的记录可能被清除。"}
      {estimate ? ` 本机已用 ${mb(estimate.usage)}，可用约 ${mb(estimate.quota)}。` : ""}
    </p>
  );
}

function SyncPanel({ s, onClose }: { s: OfflineState; onClose: () => void }) {
  const w = waiting(s);
  return (
    <div class="sync-panel" role="dialog" aria-label="本机记录">
      <div class="row between">
        <strong>本机记录</strong>
        <button type="button" class="link" onClick={onClose}>
          关闭
        </button>
      </div>
      {w.writes.length + w.photos.length === 0 ? (
        <p class="small">没有待发送的记录。</p>
      ) : (
        <ul class="sync-list">
          {w.writes.map((x) => (
            <li key={x.id} data-write={x.op}>
              <a href={subjectHref(x.subject)} onClick={onClose}>
                {OP_NAMES[x.op]}
              </a>
              <span class="small muted"> · 记录于 {fmtTime(x.capturedAt || x.createdAt)}</span>
              <span class={`sync-state ${STATE_TONE[x.state]}`}>{writeStateText(x)}</span>
            </li>
          ))}
          {w.photos.map((p) => (
            <li key={p.id} data-photo={p.id}>
              <a href={subjectHref(p.subject)} onClick={onClose}>
                照片
              </a>{" "}
              <span class="small" data-verbatim>
                {p.fileName}
              </span>
              <span class={`sync-state ${PHOTO_TONE[p.state]}`}>{photoStateText(p)}</span>
            </li>
          ))}
        </ul>
      )}
      <StorageLine s={s} />
      <button type="button" disabled={!s.online || s.syncing} onClick={() => kick()}>
        {s.syncing ? "正在同步…" : "立即同步"}
      </button>
    </div>
  );
}

// ---------- banners under the header ----------

const DAY_MS = 86_400_000;

/** Offline, kept copies shown, storage not persisted, unsent for more than a day. */
export function OfflineBanners() {
  const s = useOffline();
  const [stale, setStale] = useState<string | undefined>();
  const [dismissed, setDismissed] = useState(
    () => sessionStorage.getItem("spot.console.persistNotice") === "1",
  );
  useEffect(() => {
    // The oldest copy shown since the last fresh answer.
    const off = onStaleRead((savedAt) =>
      setStale((before) =>
        savedAt === undefined ? undefined : before && before < savedAt ? before : savedAt,
      ),
    );
    const reset = () => setStale(undefined);
    window.addEventListener("hashchange", reset);
    return () => {
      off();
      window.removeEventListener("hashchange", reset);
    };
  }, []);
  if (!s.sub) return null;
  const n = waitingCount(s);
  const oldest = oldestWaiting(s);
  const overdue = oldest !== undefined && Date.now() - Date.parse(oldest) > DAY_MS;
  const old = overdue
    ? waiting(s).writes.filter((x) => Date.now() - Date.parse(x.createdAt) > DAY_MS).length +
      waiting(s).photos.filter((x) => Date.now() - Date.parse(x.createdAt) > DAY_MS).length
    : 0;
  return (
    <div class="offline-banners">
      {!s.online ? (
        <p class="banner offline" role="status">
          当前无网络：新记录保存在本机，联网后自动发送。
        </p>
      ) : null}
      {stale ? (
        <p class="banner stale" role="status">
          未能连接服务器，页面显示的是本机保存的内容（保存于 {fmtTime(stale)}）。
        </p>
      ) : null}
      {overdue ? (
        <p class="banner danger" role="alert" data-warning="old-unsent">
          有 {old} 项记录在本机保存已超过一天仍未发送：请尽快到有网络的地方打开本应用同步，以免丢失。
        </p>
      ) : null}
      {s.unavailable ? (
        <p class="banner danger" role="alert">
          此浏览器不允许在本机保存数据（可能是无痕模式）：没有网络时无法保存记录。
        </p>
      ) : s.persisted === false && (n > 0 || !dismissed) ? (
        <p class="banner warn" role="alert" data-warning="not-persisted">
          浏览器未允许长期保存本机数据：存储空间紧张时，{n > 0 ? `本机 ${n} 项未发送的记录` : "未发送的记录"}
          可能被浏览器清除。请尽快联网同步；把本应用添加到主屏幕可让浏览器更可靠地保存。
          {n === 0 ? (
            <button
              type="button"
              class="link"
              onClick={() => {
                sessionStorage.setItem("spot.console.persistNotice", "1");
                setDismissed(true);
              }}
            >
              知道了
            </button>
          ) : null}
        </p>
      ) : null}
    </div>
  );
}

// ---------- a page's own records ----------

/**
 * The records of one assignment or order kept on this device, re-rendered as they change;
 * `onSynced` runs when one of them has been accepted (the page reloads what the server holds).
 */
export function useLocalWrites(
  kind: EvidenceSubject["kind"],
  id: string,
  onSynced: () => void,
): WriteRecord[] {
  const s = useOffline();
  const writes = writesOf(s, kind, id);
  const before = useRef(new Map<string, WriteState>());
  const synced = useRef(onSynced);
  synced.current = onSynced;
  useEffect(() => {
    let fire = false;
    for (const w of writes) {
      const was = before.current.get(w.id);
      if (w.state !== was && (w.state === "synced" || w.state === "conflict") && was !== undefined)
        fire = true;
      before.current.set(w.id, w.state);
    }
    if (fire) synced.current();
  });
  return writes;
}

/** The records still waiting (or refused) — a page shows them instead of the form they came from. */
export const unsent = (writes: readonly WriteRecord[], op: WriteRecord["op"]) =>
  writes.find((w) => w.op === op && w.state !== "synced");

/** The records of a page: what was recorded on the device, its state and, when refused, the choices. */
export function LocalRecords({ writes }: { writes: readonly WriteRecord[] }) {
  const s = useOffline();
  if (writes.length === 0) return null;
  return (
    <section class="card local-records" aria-label="本机记录">
      <h2>本机记录</h2>
      <ul class="local-list">
        {writes.map((w) => (
          <LocalRecord key={w.id} w={w} photos={s.photos} />
        ))}
      </ul>
    </section>
  );
}

function LocalRecord({ w, photos }: { w: WriteRecord; photos: readonly PhotoRecord[] }) {
  const [confirm, setConfirm] = useState(false);
  const refs = new Set(localRefs(w));
  const own = photos.filter((p) => refs.has(p.id));
  const exporting = useAction(() => exportWrite(w, own));
  const edit = useAction(() => editWrite(w.id));
  const retry = useAction(() => retryWrite(w.id));
  const decided = w.state === "conflict" || w.state === "failed";
  return (
    <li class={`local-record state-${STATE_TONE[w.state]}`} data-write={w.op} data-state={w.state}>
      <div class="row between">
        <strong>{OP_NAMES[w.op]}</strong>
        <span class={`sync-state ${STATE_TONE[w.state]}`} role="status">
          {writeStateText(w)}
        </span>
      </div>
      <p class="small muted">
        本机记录于 {fmtTime(w.capturedAt || w.createdAt)}
        {w.syncedAt ? `，${fmtTime(w.syncedAt)} 送达服务器` : ""}
      </p>
      {w.state !== "synced" ? <WriteDetails w={w} /> : null}
      {own.length > 0 ? (
        <ul class="local-photos">
          {own.map((p) => {
            const url = previewOf(p);
            return (
              <li key={p.id} data-photo-state={p.state}>
                {url ? (
                  <img src={url} alt={p.fileName} />
                ) : (
                  <span class="file-icon">{p.pdf ? "PDF" : "文件"}</span>
                )}
                <span class={`small sync-state ${PHOTO_TONE[p.state]}`}>{photoStateText(p)}</span>
              </li>
            );
          })}
        </ul>
      ) : null}
      {w.droppedPhotos && w.droppedPhotos.length > 0 ? (
        <p class="small note">
          未通过校验、未随记录提交的照片：<span data-verbatim>{w.droppedPhotos.join("、")}</span>
        </p>
      ) : null}
      {w.message && w.state !== "synced" ? (
        <p
          class={w.state === "conflict" ? "conflict-message" : "small muted"}
          role={w.state === "conflict" ? "alert" : undefined}
        >
          {w.message}
        </p>
      ) : null}
      {decided ? (
        <div class="row local-actions">
          {w.state === "failed" ? (
            <button type="button" disabled={retry.busy} onClick={() => void retry.go()}>
              立即重试
            </button>
          ) : null}
          {w.state === "conflict" && w.conflict === "rule" && w.draftKey ? (
            <button type="button" disabled={edit.busy} onClick={() => void edit.go()}>
              重新编辑
            </button>
          ) : null}
          {w.state === "conflict" && w.conflict === "rule" ? (
            <button type="button" disabled={retry.busy} onClick={() => void retry.go()}>
              再次提交
            </button>
          ) : null}
          <button type="button" disabled={exporting.busy} onClick={() => void exporting.go()}>
            下载本机记录
          </button>
          <button type="button" class="danger" onClick={() => setConfirm(true)}>
            放弃本机记录
          </button>
        </div>
      ) : null}
      <ErrorBox error={exporting.error ?? edit.error ?? retry.error} />
      {confirm ? (
        <ConfirmDialog
          title={`放弃本机的${OP_NAMES[w.op]}`}
          confirmText="放弃并删除"
          danger
          onConfirm={() => discardWrite(w.id)}
          onClose={() => setConfirm(false)}
        >
          <p>
            这份{OP_NAMES[w.op]}
            {own.length > 0 ? `及其 ${own.length} 张照片` : ""}
            将从本机删除，无法恢复。如需留存，请先“下载本机记录”。
          </p>
        </ConfirmDialog>
      ) : null}
    </li>
  );
}

function WriteDetails({ w }: { w: WriteRecord }) {
  if (w.op === "recordArrival") {
    const l = w.body.location;
    return (
      <p class="small">
        定位 {l.lat.toFixed(5)}, {l.lng.toFixed(5)}
      </p>
    );
  }
  if (w.op === "reportRectification") {
    return (
      <div class="small">
        <p class="local-text">{w.body.description}</p>
        {(w.body.evidence ?? []).length > 0 ? (
          <p class="muted">佐证说明：{(w.body.evidence ?? []).join("；")}</p>
        ) : null}
      </div>
    );
  }
  const { items, issues } = w.body;
  return (
    <div class="small">
      {items.length > 0 ? (
        <ul class="local-items">
          {items.map((i) => (
            <li key={i.code} data-item={i.code}>
              <span data-verbatim>{i.code}</span> 扣 {i.deduction} 分{i.note ? `：${i.note}` : ""}
              {(i.evidenceIds?.length ?? 0) > 0 ? `（照片 ${i.evidenceIds?.length} 张）` : ""}
            </li>
          ))}
        </ul>
      ) : (
        <p>各项均未扣分。</p>
      )}
      <p>
        问题 {issues.length} 个{issues.length > 0 ? "：" : "。"}
      </p>
      {issues.length > 0 ? (
        <ol class="local-issues">
          {issues.map((x, n) => (
            <li key={n}>
              {x.description}（{SEVERITY[x.severity]}
              {x.deadline
                ? `，期限 ${fmtTime(x.deadline)}`
                : x.rectifyWithinWorkdays
                  ? `，限 ${x.rectifyWithinWorkdays} 个工作日`
                  : x.rectifyWithinDays
                    ? `，限 ${x.rectifyWithinDays} 天`
                    : ""}
              ）
            </li>
          ))}
        </ol>
      ) : null}
    </div>
  );
}

function dataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(new Error("照片读取失败"));
    reader.readAsDataURL(blob);
  });
}

/** 下载本机记录: the record, its time and its photos in one file the person keeps. */
async function exportWrite(w: WriteRecord, photos: readonly PhotoRecord[]): Promise<void> {
  const file = {
    记录: OP_NAMES[w.op],
    对象: w.subject,
    本机记录时间: w.capturedAt || w.createdAt,
    状态: writeStateText(w),
    说明: w.message,
    内容: w.body,
    照片: await Promise.all(
      photos.map(async (p) => ({
        id: `local:${p.id}`,
        fileName: p.fileName,
        contentType: p.contentType,
        capturedAt: p.capture.capturedAt,
        location: p.capture.location,
        data: p.blob.size > 0 ? await dataUrl(p.blob) : undefined,
      })),
    ),
  };
  const stamp = (w.capturedAt || w.createdAt).replace(/[:.]/g, "-");
  saveBlob(
    new Blob([JSON.stringify(file, null, 2)], { type: "application/json" }),
    `本机记录-${OP_NAMES[w.op]}-${w.subject.id}-${stamp}.json`,
  );
}

// ---------- signing out ----------

/**
 * 退出: clears everything this person kept on the device — after saying how many records would be
 * lost, when some are unsent.
 */
export function SignOutButton({ onSignOut }: { onSignOut: () => void }) {
  const s = useOffline();
  const [asking, setAsking] = useState(false);
  const n = waitingCount(s);
  const leave = async () => {
    await clearDevice(app.session?.sub ?? s.sub);
    for (const key of Object.keys(localStorage))
      if (key.startsWith("spot.console.assignmentTemplate.")) localStorage.removeItem(key);
    sessionStorage.removeItem("spot.console.persistNotice");
    onSignOut();
  };
  return (
    <>
      <button type="button" class="link" onClick={() => (n > 0 ? setAsking(true) : void leave())}>
        退出
      </button>
      {asking ? (
        <ConfirmDialog
          title="退出登录"
          confirmText="仍然退出并删除"
          danger
          onConfirm={leave}
          onClose={() => setAsking(false)}
        >
          <p class="unsent-warning">
            本机还有 {n} 项记录尚未发送到服务器。退出登录会删除本机保存的全部数据，这些记录将丢失、无法恢复。
          </p>
          <p>建议先取消，到有网络的地方等“待同步”归零后再退出。</p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
