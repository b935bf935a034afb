import { useCallback, useEffect, useState } from "preact/hooks";
import {
  ApiError,
  type Assignment,
  type Bodies,
  type EvidencePurpose,
  type EvidenceSubject,
  type Rectification,
} from "../api";
import { isUnreachable, type Session } from "../auth";
import { fmtTime } from "../labels";
import { errorText } from "../ui";
import type { OfflineApiClient } from "./reads";
import type { ConflictKind, PhotoRecord, WriteBody, WritePatch, WriteRecord } from "./store";
import * as store from "./store";

/**
 * Offline capture (离线采集) on the device: records and photos are kept in IndexedDB the moment they
 * are made and sent when the network allows — each record once, with its own `Idempotency-Key`
 * and `capturedAt` (API.md v2 "Offline capture"), a record's photos uploaded and verified before the
 * record that cites them, an assignment's arrival before anything else of it.
 *
 * A refusal never passes silently and never loses what the device holds: the window closed
 * (missed), a teammate was first, the assignment or order is no longer visible, a rule refused it —
 * each is explained in Chinese and the record stays on the device until the person decides
 * (status.tsx: 下载本机记录, 重新编辑, 放弃本机记录). A missing network, a server error or an expired
 * session is simply tried again.
 */

// ---------- state shared with the pages ----------

/** A photo being shrunk before it is stored. */
export interface Preparing {
  id: string;
  owner: string;
  group: string;
  fileName: string;
  pdf: boolean;
  originalSize: number;
}

export interface OfflineState {
  /** The device's records have been read (drafts can be shown as typed). */
  ready: boolean;
  /** Whose records: the signed-in inspector or unit user; undefined for other roles. */
  sub: string | undefined;
  /** IndexedDB could not be opened (a private window, storage disabled). */
  unavailable: boolean;
  writes: WriteRecord[];
  photos: PhotoRecord[];
  preparing: Preparing[];
  /** Upload progress by photo id (0–100). */
  progress: Record<string, number>;
  online: boolean;
  /** navigator.storage.persist(): granted, refused, or not asked/known. */
  persisted: boolean | undefined;
  syncing: boolean;
}

let state: OfflineState = {
  ready: false,
  sub: undefined,
  unavailable: false,
  writes: [],
  photos: [],
  preparing: [],
  progress: {},
  online: typeof navigator === "undefined" ? true : navigator.onLine,
  persisted: undefined,
  syncing: false,
};
const listeners = new Set<() => void>();
/** The drafts of the signed-in person, by draft key (read at start; written as typed). */
const drafts = new Map<string, Record<string, unknown>>();

function setState(change: Partial<OfflineState>): void {
  state = { ...state, ...change };
  for (const listener of listeners) listener();
}

export function offlineState(): OfflineState {
  return state;
}

/** The device's records, re-rendered when they change. */
export function useOffline(): OfflineState {
  const [, setTick] = useState(0);
  useEffect(() => {
    const listener = () => setTick((t) => t + 1);
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, []);
  return state;
}

/** Records that still wait to be accepted by the server, and photos still to be uploaded. */
export function waiting(s: OfflineState = state): { writes: WriteRecord[]; photos: PhotoRecord[] } {
  const open = s.writes.filter((w) => w.state !== "synced");
  return { writes: open, photos: s.photos.filter((p) => p.state !== "verified" && p.state !== "rejected") };
}

export function waitingCount(s: OfflineState = state): number {
  const w = waiting(s);
  return w.writes.length + w.photos.length + s.preparing.length;
}

/** When the oldest unsent item was made (for the warning after a day). */
export function oldestWaiting(s: OfflineState = state): string | undefined {
  const w = waiting(s);
  return [...w.writes.map((x) => x.createdAt), ...w.photos.map((p) => p.createdAt)].sort()[0];
}

const channel =
  typeof BroadcastChannel === "function" ? new BroadcastChannel("spot-console-offline") : undefined;
channel?.addEventListener("message", () => void refresh());

/** Reads the person's records again (after a change here or in another tab). */
async function refresh(): Promise<void> {
  const sub = state.sub;
  if (!sub) return;
  const [writes, photos] = await Promise.all([store.allWrites(sub), store.allPhotos(sub)]);
  if (state.sub === sub) setState({ writes, photos });
}

async function changed(): Promise<void> {
  await refresh();
  channel?.postMessage("changed");
}

// ---------- start, stop ----------

let api: OfflineApiClient | undefined;

/** The client the engine sends with (main.tsx). */
export function configureSync(client: OfflineApiClient): void {
  api = client;
}

const isFieldRole = (s: Session) => s.roles.includes("inspector") || s.roles.includes("unit");
const DAY_MS = 86_400_000;

/**
 * Starts offline capture for the signed-in person (inspectors and units; others keep nothing):
 * reads their records and drafts, forgets what others read on this device, asks the browser to
 * keep the data (persist), and starts sending.
 */
export async function startOffline(session: Session | undefined): Promise<void> {
  if (!session || !isFieldRole(session)) {
    drafts.clear();
    setState({ ready: true, sub: undefined, writes: [], photos: [], preparing: [], progress: {} });
    return;
  }
  if (state.sub === session.sub && state.ready) return;
  const sub = session.sub;
  setState({ ready: false, sub, writes: [], photos: [], preparing: [], progress: {} });
  try {
    await store.forgetOthersReads(sub);
    const [writes, photos, saved] = await Promise.all([
      store.allWrites(sub),
      store.allPhotos(sub),
      store.allDrafts(sub),
    ]);
    // Records the server accepted more than a day ago are no longer shown.
    const now = Date.now();
    const kept: WriteRecord[] = [];
    for (const w of writes) {
      if (w.state === "synced" && now - Date.parse(w.syncedAt ?? w.createdAt) > DAY_MS)
        await store.deleteWrite(w.id);
      else kept.push(w);
    }
    if (state.sub !== sub) return;
    drafts.clear();
    for (const d of saved) drafts.set(d.draftKey, d.value);
    setState({ ready: true, unavailable: false, writes: kept, photos });
  } catch {
    // No IndexedDB here: the pages work online as before, and say that nothing can be kept.
    if (state.sub === sub) setState({ ready: true, unavailable: true });
    return;
  }
  void askPersist();
  kick();
}

/** Signing out: everything this person kept on the device is deleted. */
export async function clearDevice(sub: string | undefined): Promise<void> {
  drafts.clear();
  setState({ sub: undefined, writes: [], photos: [], preparing: [], progress: {} });
  for (const url of previews.values()) URL.revokeObjectURL(url);
  previews.clear();
  if (sub) await store.clearPerson(sub).catch(() => undefined);
  channel?.postMessage("changed");
}

async function askPersist(): Promise<void> {
  const storage = navigator.storage;
  if (!storage?.persist) {
    setState({ persisted: false });
    return;
  }
  try {
    let persisted = await storage.persisted();
    if (!persisted) persisted = await storage.persist();
    setState({ persisted });
  } catch {
    setState({ persisted: false });
  }
}

if (typeof window !== "undefined") {
  window.addEventListener("online", () => {
    setState({ online: true });
    kick();
  });
  window.addEventListener("offline", () => setState({ online: false }));
  // A page left open: try again now and then (navigator.onLine may say online without a network).
  setInterval(() => {
    if (waiting().writes.length + waiting().photos.length > 0) kick();
  }, 60_000);
}

// ---------- drafts: forms kept as they are typed ----------

const sameKind = (a: unknown, b: unknown) =>
  typeof a === typeof b && Array.isArray(a) === Array.isArray(b) && (a === null) === (b === null);

/**
 * A form field kept on the device as it is typed (useState's twin): the value comes back after a
 * reload, offline too, until the form is submitted.
 */
export function useSavedState<T>(draftKey: string, field: string, initial: T): [T, (next: T) => void] {
  const [value, setValue] = useState<T>(() => {
    const saved = drafts.get(draftKey)?.[field];
    // The device's own draft of this very form, of the same shape as the form's initial value.
    return saved !== undefined && sameKind(saved, initial) ? (saved as T) : initial;
  });
  const set = useCallback(
    (next: T) => {
      setValue(next);
      const sub = state.sub;
      if (!sub || state.unavailable) return;
      const draft = { ...drafts.get(draftKey), [field]: next };
      drafts.set(draftKey, draft);
      void store.putDraft(sub, draftKey, draft).catch(() => undefined);
    },
    [draftKey, field],
  );
  return [value, set];
}

export function hasDraft(draftKey: string): boolean {
  return drafts.has(draftKey);
}

// ---------- records ----------

export const LOCAL = "local:";
const isLocal = (id: string) => id.startsWith(LOCAL);

/** The local photos a record cites. */
export function localRefs(w: WriteBody): string[] {
  const ids: string[] = [];
  if (w.op === "submitFindings") {
    for (const i of w.body.items) ids.push(...(i.evidenceIds ?? []));
    for (const i of w.body.issues) ids.push(...(i.evidenceIds ?? []));
  } else if (w.op === "reportRectification") ids.push(...(w.body.evidenceIds ?? []));
  return [...new Set(ids.filter(isLocal).map((id) => id.slice(LOCAL.length)))];
}

/**
 * Keeps a record on the device and starts sending it: an arrival, findings or a report, with the
 * time it was captured here. The form's draft becomes the record (kept with it for 重新编辑).
 */
export async function recordLocally(
  record: WriteBody,
  subject: EvidenceSubject,
  options: { draftKey?: string; capturedAt?: string } = {},
): Promise<WriteRecord | undefined> {
  const sub = state.sub;
  if (!api) throw new Error("控制台尚未就绪，请刷新页面");
  const now = new Date().toISOString();
  if (!sub || state.unavailable) {
    // Nothing can be kept on this device (a private window): sent at once, as before.
    const params = { id: subject.id };
    if (record.op === "recordArrival") await api.call("recordArrival", { params, body: record.body });
    else if (record.op === "submitFindings") await api.call("submitFindings", { params, body: record.body });
    else await api.call("reportRectification", { params, body: record.body });
    if (options.draftKey) drafts.delete(options.draftKey);
    return undefined;
  }
  const draft = options.draftKey ? drafts.get(options.draftKey) : undefined;
  const w: WriteRecord = {
    ...record,
    id: store.newId(),
    sub,
    subject,
    idempotencyKey: store.newId(),
    capturedAt: options.capturedAt ?? now,
    createdAt: now,
    state: "saved",
    attempts: 0,
    ...(options.draftKey ? { draftKey: options.draftKey } : {}),
    ...(draft ? { draft } : {}),
  };
  await store.putWrite(w);
  if (options.draftKey) {
    drafts.delete(options.draftKey);
    await store.deleteDraft(sub, options.draftKey);
  }
  await changed();
  kick();
  return w;
}

/** The person's records of one assignment or order, oldest first. */
export function writesOf(s: OfflineState, kind: EvidenceSubject["kind"], id: string): WriteRecord[] {
  return s.writes.filter((w) => w.subject.kind === kind && w.subject.id === id);
}

/** 放弃本机记录: the record and its photos leave the device. */
export async function discardWrite(id: string): Promise<void> {
  const w = await store.getWrite(id);
  if (!w) return;
  for (const photoId of localRefs(w)) await store.deletePhoto(photoId);
  if (w.draftKey)
    for (const p of state.photos.filter((x) => x.owner === w.draftKey)) await store.deletePhoto(p.id);
  await store.deleteWrite(id);
  await changed();
}

/** 重新编辑: the record goes back into its form, photos and all. */
export async function editWrite(id: string): Promise<void> {
  const w = await store.getWrite(id);
  if (!w?.draftKey || !state.sub) return;
  const draft = w.draft ?? {};
  drafts.set(w.draftKey, draft);
  await store.putDraft(state.sub, w.draftKey, draft);
  await store.deleteWrite(id);
  await changed();
}

/** 立即重试 (or: send without `capturedAt`, when the server refused the device's clock). */
export async function retryWrite(id: string, options: { withoutCapturedAt?: boolean } = {}): Promise<void> {
  await store.patchWrite(id, {
    state: "saved",
    reason: undefined,
    message: undefined,
    conflict: undefined,
    attempts: 0,
    ...(options.withoutCapturedAt ? { capturedAt: "" } : {}),
  });
  await changed();
  kick();
}

// ---------- photos ----------

const previews = new Map<string, string>();

/** A local address of a stored photo's bytes, for its thumbnail. */
export function previewOf(p: PhotoRecord): string | undefined {
  if (!p.viewable || p.blob.size === 0) return undefined;
  let url = previews.get(p.id);
  if (!url) {
    url = URL.createObjectURL(p.blob);
    previews.set(p.id, url);
  }
  return url;
}

/**
 * Photos taken or picked for a form: shrunk on the device (evidence.tsx), then stored with their
 * bytes; uploading starts as soon as the network and the assignment's arrival allow.
 */
export async function addPhotos(
  owner: string,
  subject: EvidenceSubject,
  purpose: EvidencePurpose,
  group: string,
  files: readonly File[],
): Promise<void> {
  const sub = state.sub;
  if (!sub) throw new Error("本机无法保存照片");
  const evidence = await import("../evidence");
  const items = files.map((file) => ({
    file,
    id: store.newId(),
    fileName: file.name || "照片.jpg",
    pdf: evidence.isPdf(file),
  }));
  setState({
    preparing: [
      ...state.preparing,
      ...items.map((i) => ({
        id: i.id,
        owner,
        group,
        fileName: i.fileName,
        pdf: i.pdf,
        originalSize: i.file.size,
      })),
    ],
  });
  await Promise.all(
    items.map(async ({ file, id, fileName, pdf }) => {
      const base: PhotoRecord = {
        id,
        sub,
        subject,
        purpose,
        owner,
        groups: [group],
        blob: new Blob([]),
        fileName,
        contentType: file.type,
        originalSize: file.size,
        pdf,
        viewable: false,
        capture: {},
        idempotencyKey: store.newId(),
        createdAt: new Date().toISOString(),
        state: "saved",
        attempts: 0,
      };
      let record: PhotoRecord;
      try {
        const [prepared, capture] = await Promise.all([evidence.prepare(file), evidence.readCapture(file)]);
        if (!evidence.ACCEPTED_TYPES.includes(prepared.contentType))
          throw new evidence.Refused("只接受 JPEG、PNG、WebP 图片或 PDF 文件");
        if (prepared.blob.size > evidence.MAX_BYTES) throw new evidence.Refused("文件超过 10 MiB 上限");
        record = {
          ...base,
          blob: prepared.blob,
          fileName: prepared.fileName,
          contentType: prepared.contentType,
          viewable: prepared.viewable,
          capture,
        };
      } catch (error) {
        // Refused here already (not a photo, too large): shown as such, its bytes not kept.
        record = { ...base, state: "rejected", message: errorText(error) };
      }
      try {
        await store.putPhoto(record);
        // Shown stored in the same render in which it stops being prepared: no flicker.
        const photos = await store.allPhotos(sub);
        if (state.sub === sub) setState({ photos, preparing: state.preparing.filter((x) => x.id !== id) });
      } finally {
        if (state.preparing.some((x) => x.id === id))
          setState({ preparing: state.preparing.filter((x) => x.id !== id) });
      }
    }),
  );
  await changed();
  kick();
}

/** 移除: the photo leaves this group; once in no group, it leaves the device. */
export async function removePhoto(id: string, group: string): Promise<void> {
  const p = await store.getPhoto(id);
  if (!p) return;
  const groups = p.groups.filter((g) => g !== group);
  if (groups.length === 0) await store.deletePhoto(id);
  else await store.putPhoto({ ...p, groups });
  await changed();
}

/** The photos of one group shown in another too (an item's photos on the issue made from it). */
export async function copyGroup(owner: string, from: string, to: string): Promise<void> {
  for (const p of state.photos) {
    if (p.owner !== owner || !p.groups.includes(from) || p.groups.includes(to)) continue;
    await store.patchPhoto(p.id, { groups: [...p.groups, to] });
  }
  await changed();
}

export async function retryPhoto(id: string): Promise<void> {
  await store.patchPhoto(id, { state: "saved", attempts: 0, message: undefined });
  await changed();
  kick();
}

// ---------- the engine ----------

let timer: ReturnType<typeof setTimeout> | undefined;
let running: Promise<void> | undefined;
let again = false;

/** Sends what waits, now (or after `delay` ms); one pass at a time, across tabs too. */
export function kick(delay = 0): void {
  clearTimeout(timer);
  timer = setTimeout(() => void run(), delay);
}

async function run(): Promise<void> {
  if (running) {
    again = true;
    return;
  }
  running = (async () => {
    setState({ syncing: true });
    try {
      do {
        again = false;
        const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
        if (locks) await locks.request("spot-console-sync", () => pass());
        else await pass();
      } while (again);
    } finally {
      setState({ syncing: false });
    }
  })();
  try {
    await running;
  } finally {
    running = undefined;
  }
  // Something failed for want of a network or a server: try again later, sooner at first.
  const failed = [
    ...state.writes.filter((w) => w.state === "failed"),
    ...state.photos.filter((p) => p.state === "failed"),
  ];
  if (failed.length > 0) {
    const attempts = Math.min(...failed.map((x) => x.attempts));
    kick(Math.min(5 * 60_000, 5000 * 2 ** Math.max(0, attempts - 1)));
  }
}

/** Whether a failed item's pause before the next try is over. */
function due(x: { state: string; attempts: number; lastTriedAt?: string }): boolean {
  if (x.state !== "failed" || !x.lastTriedAt) return true;
  const pause = Math.min(5 * 60_000, 5000 * 2 ** Math.max(0, x.attempts - 1));
  return Date.now() - Date.parse(x.lastTriedAt) >= pause - 100;
}

async function pass(): Promise<void> {
  const sub = state.sub;
  if (!sub || !api || state.unavailable) return;
  if (typeof navigator !== "undefined" && !navigator.onLine) return;
  for (const { id } of await store.allWrites(sub)) {
    if (state.sub !== sub) return;
    // Read again each time: the record before this one (its arrival) may have just been accepted.
    const writes = await store.allWrites(sub);
    const w = writes.find((x) => x.id === id);
    if (!w || w.state === "synced" || w.state === "conflict" || !due(w)) continue;
    await syncWrite(w, writes);
  }
  // Photos of forms still being filled in go up at once, so that submitting is quick.
  const open = (await store.allWrites(sub)).filter((w) => w.state !== "synced");
  const cited = new Set(open.flatMap(localRefs));
  for (const p of await store.allPhotos(sub)) {
    if (state.sub !== sub) return;
    if (cited.has(p.id) || !needsUpload(p) || !due(p) || arrivalPending(p.subject, open)) continue;
    await uploadPhoto(p);
  }
  await refresh();
}

const needsUpload = (p: PhotoRecord) => p.state !== "verified" && p.state !== "rejected";

/** An assignment's arrival is still on the device: nothing else of it can be sent yet. */
function arrivalPending(subject: EvidenceSubject, writes: readonly WriteRecord[]): boolean {
  return writes.some(
    (w) =>
      w.op === "recordArrival" &&
      w.subject.id === subject.id &&
      w.subject.kind === subject.kind &&
      w.state !== "synced" &&
      w.conflict !== "arrived",
  );
}

async function setWrite(w: WriteRecord, change: WritePatch): Promise<void> {
  await store.patchWrite(w.id, change);
  await changed();
}

async function syncWrite(w: WriteRecord, writes: readonly WriteRecord[]): Promise<void> {
  if (!api) return;
  if (w.op !== "recordArrival" && arrivalPending(w.subject, writes)) {
    const arrival = writes.find((x) => x.op === "recordArrival" && x.subject.id === w.subject.id);
    if (arrival?.state === "conflict" && w.reason !== "等待到场签到") {
      await setWrite(w, {
        state: "saved",
        reason: "等待到场签到",
        message: "到场签到未被服务器接受，请先处理到场签到的问题。",
      });
    }
    return;
  }
  // Sent before (its answer may have been lost): only the same request again, under the same key,
  // tells — the server answers a replay with its first answer.
  const sentBefore = w.lastTriedAt !== undefined;
  await setWrite(w, {
    state: "syncing",
    reason: undefined,
    message: undefined,
    lastTriedAt: new Date().toISOString(),
  });
  try {
    // Nothing is uploaded for a record that can no longer be accepted.
    const before = sentBefore
      ? undefined
      : w.op === "submitFindings"
        ? await findingsRefusal(w)
        : w.op === "reportRectification"
          ? await reportRefusal(w)
          : undefined;
    if (before) {
      await setWrite(w, { state: "conflict", ...before });
      return;
    }
    const refs = localRefs(w);
    for (const id of refs) {
      const p = await store.getPhoto(id);
      if (p && needsUpload(p)) await uploadPhoto(p);
    }
    const photos = new Map(
      (await Promise.all(refs.map((id) => store.getPhoto(id))))
        .filter((p) => p !== undefined)
        .map((p) => [p.id, p]),
    );
    const resolved = resolve(w, photos);
    if (resolved.waiting > 0) {
      await setWrite(w, {
        state: "failed",
        attempts: w.attempts + 1,
        reason: `${resolved.waiting} 张照片尚未上传`,
        message: "照片上传完成后自动发送。",
      });
      return;
    }
    const capturedAt = w.capturedAt ? { capturedAt: w.capturedAt } : {};
    const options = { params: { id: w.subject.id }, idempotencyKey: w.idempotencyKey };
    if (resolved.record.op === "recordArrival")
      await api.call("recordArrival", { ...options, body: { ...resolved.record.body, ...capturedAt } });
    else if (resolved.record.op === "submitFindings")
      await api.call("submitFindings", { ...options, body: { ...resolved.record.body, ...capturedAt } });
    else await api.call("reportRectification", { ...options, body: resolved.record.body });
    await setWrite(w, {
      state: "synced",
      syncedAt: new Date().toISOString(),
      reason: undefined,
      message: undefined,
      conflict: undefined,
      ...(resolved.dropped.length > 0 ? { droppedPhotos: resolved.dropped } : {}),
    });
    // The server holds the photos now: their bytes leave the device, with any the form no longer cited
    // (an issue deleted after its photo was taken).
    for (const id of refs) await store.deletePhoto(id);
    if (w.draftKey)
      for (const p of await store.allPhotos(w.sub)) if (p.owner === w.draftKey) await store.deletePhoto(p.id);
    await changed();
  } catch (error) {
    await setWrite(w, { ...(await failure(w, error)), attempts: w.attempts + 1 });
  }
}

/** The record with its local photos replaced by their evidence ids (refused photos left out). */
function resolve(
  w: WriteRecord,
  photos: ReadonlyMap<string, PhotoRecord>,
): { record: WriteBody; waiting: number; dropped: string[] } {
  let waitingFor = 0;
  const dropped: string[] = [];
  const ids = (list: string[] | undefined): string[] | undefined => {
    if (!list) return undefined;
    const out: string[] = [];
    for (const id of list) {
      if (!isLocal(id)) {
        out.push(id);
        continue;
      }
      const p = photos.get(id.slice(LOCAL.length));
      if (!p) continue; // removed from the device: not cited
      if (p.state === "verified" && p.evidenceId) out.push(p.evidenceId);
      else if (p.state === "rejected") dropped.push(p.fileName);
      else waitingFor++;
    }
    return out;
  };
  const withIds = <T extends { evidenceIds?: string[] }>(x: T): T => {
    const { evidenceIds, ...rest } = x;
    const list = ids(evidenceIds);
    return { ...rest, ...(list && list.length > 0 ? { evidenceIds: list } : {}) } as T;
  };
  if (w.op === "submitFindings") {
    const body: Bodies["submitFindings"] = {
      items: w.body.items
        .map(withIds)
        // An item kept only for its photos, all refused, says nothing any more.
        .filter((i) => i.deduction > 0 || i.note || (i.evidenceIds?.length ?? 0) > 0),
      issues: w.body.issues.map(withIds),
    };
    return { record: { op: w.op, body }, waiting: waitingFor, dropped };
  }
  if (w.op === "reportRectification")
    return { record: { op: w.op, body: withIds(w.body) }, waiting: waitingFor, dropped };
  return { record: { op: w.op, body: w.body }, waiting: 0, dropped };
}

// ---------- refusals explained ----------

type Refusal = { conflict: ConflictKind; reason: string; message: string };

const KEPT = "本机记录已保留，可下载留存，或放弃本机记录。";

async function loadAssignment(id: string): Promise<Assignment | "gone"> {
  try {
    return await api!.fresh("getAssignment", { params: { id } });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return "gone";
    throw error;
  }
}

async function loadRectification(id: string): Promise<Rectification | "gone"> {
  try {
    return await api!.fresh("getRectification", { params: { id } });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return "gone";
    throw error;
  }
}

const GONE_ASSIGNMENT: Refusal = {
  conflict: "gone",
  reason: "该检查已对您不可见",
  message: `服务器上已看不到这项检查（可能调整了检查组或撤销了任务），本机记录无法提交。${KEPT}`,
};

/** Why findings cannot be accepted now, read from the assignment as the server has it. */
async function findingsRefusal(w: WriteRecord, error?: unknown): Promise<Refusal | undefined> {
  const a = await loadAssignment(w.subject.id);
  if (a === "gone") return GONE_ASSIGNMENT;
  const me = w.sub;
  if (a.findings) {
    const mine = a.findings.submittedBy === me;
    return {
      conflict: "taken",
      reason: mine ? "本人已在其他设备提交" : "同组督查员已先提交",
      message: mine
        ? `您已于 ${fmtTime(a.findings.submittedAt)} 在其他设备上提交了本检查的现场检查结果，本机这份未再提交。${KEPT}`
        : `同组督查员${nameIn(a, a.findings.submittedBy)}已于 ${fmtTime(a.findings.submittedAt)} 先提交了现场检查结果，以先提交者为准，本机这份未提交。${KEPT}`,
    };
  }
  if (a.status === "missed" || Date.now() >= Date.parse(a.window.end)) return missed(a);
  if (a.status !== "on_site") {
    return {
      conflict: "rule",
      reason: "检查状态已变化",
      message: `该检查当前状态为「${a.status === "dispatched" ? "待到场" : a.status}」，本机记录未提交。${KEPT}`,
    };
  }
  return error === undefined ? undefined : ruleRefusal(error);
}

function missed(a: Assignment): Refusal {
  return {
    conflict: "missed",
    reason: "检查时段已结束",
    message: `检查时段已于 ${fmtTime(a.window.end)} 结束，系统已记为未按时完成，本机记录无法再提交。${KEPT}`,
  };
}

function nameIn(a: { names?: Record<string, string> }, id: string): string {
  const name = a.names?.[id];
  return name ? ` ${name} ` : "";
}

/** Why a report cannot be accepted now, read from the order as the server has it. */
async function reportRefusal(w: WriteRecord, error?: unknown): Promise<Refusal | undefined> {
  const r = await loadRectification(w.subject.id);
  if (r === "gone")
    return {
      conflict: "gone",
      reason: "该整改单已对您不可见",
      message: `服务器上已看不到这份整改单，本机的整改报告无法提交。${KEPT}`,
    };
  if (r.status === "open") return error === undefined ? undefined : ruleRefusal(error);
  if (r.status === "closed")
    return {
      conflict: "closed",
      reason: "整改单已销号",
      message: `这份整改单已于 ${r.closedAt ? fmtTime(r.closedAt) : "此前"} 销号，不再接收整改报告，本机报告未提交。${KEPT}`,
    };
  const mine = r.report?.by === w.sub;
  return {
    conflict: "taken",
    reason: mine ? "本人已在其他设备提交" : "本单位已有人提交",
    message: r.report
      ? mine
        ? `您已于 ${fmtTime(r.report.at)} 在其他设备上提交了整改报告，本机这份未再提交。${KEPT}`
        : `本单位${nameIn(r, r.report.by)}已于 ${fmtTime(r.report.at)} 先提交了整改报告，本机这份未提交。${KEPT}`
      : `整改报告已提交、正待回头看，本机这份未提交。${KEPT}`,
  };
}

function ruleRefusal(error: unknown): Refusal {
  return {
    conflict: "rule",
    reason: "服务器未接受",
    message: `服务器未接受这份记录：${errorText(error)}。可重新编辑后再提交。${KEPT}`,
  };
}

/** What a failed send means: try again by itself, or a refusal the person decides on. */
async function failure(w: WriteRecord, error: unknown): Promise<WritePatch> {
  const now = new Date().toISOString();
  if (!(error instanceof ApiError)) {
    const offline = isUnreachable(error);
    return {
      state: "failed",
      lastTriedAt: now,
      reason: offline ? "无法连接服务器" : errorText(error),
      message: offline ? "联网后自动重试。" : "稍后自动重试。",
    };
  }
  if (error.status === 401)
    return {
      state: "failed",
      lastTriedAt: now,
      reason: "登录已失效",
      message: "请重新登录，登录后自动发送。",
    };
  if (error.status === 429 || error.status >= 500)
    return { state: "failed", lastTriedAt: now, reason: "服务器暂时无法处理", message: "稍后自动重试。" };
  try {
    if (error.status === 404 || error.status === 409) {
      if (w.op === "recordArrival") {
        const a = await loadAssignment(w.subject.id);
        if (a === "gone") return { state: "conflict", ...GONE_ASSIGNMENT };
        if (a.arrival) {
          const mine = a.arrival.by === w.sub;
          return {
            state: "conflict",
            conflict: "arrived",
            reason: mine ? "本人已在其他设备签到" : "同组督查员已签到",
            message: mine
              ? `您已于 ${fmtTime(a.arrival.at)} 在其他设备上记录了到达，本机这次签到无需再提交；现场记录照常发送。`
              : `同组督查员${nameIn(a, a.arrival.by ?? "")}已于 ${fmtTime(a.arrival.at)} 记录了到达，本机这次签到无需再提交；现场记录照常发送。`,
          };
        }
        if (a.status === "missed" || Date.now() >= Date.parse(a.window.end))
          return { state: "conflict", ...missed(a) };
        return { state: "conflict", ...ruleRefusal(error) };
      }
      const refusal =
        w.op === "submitFindings" ? await findingsRefusal(w, error) : await reportRefusal(w, error);
      return { state: "conflict", ...(refusal ?? ruleRefusal(error)) };
    }
  } catch (again) {
    return { state: "failed", lastTriedAt: now, reason: errorText(again), message: "稍后自动重试。" };
  }
  // 400, 422: the content itself; 403: not this person's to do.
  return { state: "conflict", ...ruleRefusal(error) };
}

// ---------- uploading a photo ----------

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CHECK_TIMEOUT_MS = 3 * 60_000;

function setProgress(id: string, percent: number): void {
  if (state.progress[id] !== percent) setState({ progress: { ...state.progress, [id]: percent } });
}

async function setPhoto(p: PhotoRecord, change: Partial<PhotoRecord>): Promise<void> {
  await store.patchPhoto(p.id, change);
  await changed();
}

/**
 * One photo to the server: announced (`POST /evidence`, its own Idempotency-Key), its bytes PUT to
 * the presigned URL, then followed until the server's check has verified or rejected it.
 */
async function uploadPhoto(p: PhotoRecord): Promise<void> {
  if (!api) return;
  const evidence = await import("../evidence");
  const tried = { lastTriedAt: new Date().toISOString(), attempts: p.attempts + 1 };
  try {
    let evidenceId = p.uploaded ? p.evidenceId : undefined;
    if (!evidenceId) {
      await setPhoto(p, { state: "uploading", message: undefined, ...tried });
      setProgress(p.id, 0);
      const asked = await api.call("createEvidence", {
        body: {
          subject: p.subject,
          purpose: p.purpose,
          fileName: p.fileName,
          contentType: p.contentType,
          size: p.blob.size,
          ...p.capture,
        },
        idempotencyKey: p.idempotencyKey,
      });
      await store.patchPhoto(p.id, { evidenceId: asked.evidenceId });
      try {
        await evidence.putUpload(asked.upload, p.blob, (n) => setProgress(p.id, n));
      } catch (error) {
        // An expired link (after 15 minutes) is asked for anew, under a new key.
        if (error instanceof Error && error.message.includes("403"))
          await store.patchPhoto(p.id, { idempotencyKey: store.newId(), evidenceId: undefined });
        throw error;
      }
      evidenceId = asked.evidenceId;
      await setPhoto(p, { state: "checking", uploaded: true, evidenceId });
    } else await setPhoto(p, { state: "checking", ...tried });
    const started = Date.now();
    for (let n = 0; ; n++) {
      await sleep(n < 4 ? 500 : n < 12 ? 1000 : 3000);
      const e = await api.fresh("getEvidence", { params: { id: evidenceId } });
      if (e.status === "verified") {
        await setPhoto(p, { state: "verified", message: undefined });
        return;
      }
      if (e.status === "rejected") {
        await setPhoto(p, { state: "rejected", message: e.reason ?? "文件不符合要求" });
        return;
      }
      if (Date.now() - started > CHECK_TIMEOUT_MS) throw new Error("校验超时，稍后自动重试");
    }
  } catch (error) {
    if (error instanceof ApiError && error.status === 422)
      await setPhoto(p, { state: "rejected", message: error.errors[0]?.message ?? errorText(error) });
    else await setPhoto(p, { state: "failed", message: errorText(error) });
  }
}
