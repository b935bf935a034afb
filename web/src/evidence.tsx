import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import {
  ApiError,
  type Evidence,
  type EvidencePurpose,
  type EvidenceSubject,
  type EvidenceSubjectKind,
  type EvidenceUpload,
  type LatLng,
} from "./api";
import { PURPOSE_NAMES } from "./labels";
import { app, errorText, fmtTime, PersonName } from "./ui";

/**
 * 取证 in the console: photos and documents taken or picked on a page, shrunk on the device, sent
 * with a presigned PUT straight to the object store (with progress), then followed until the
 * server's own check verifies or rejects them; and the thumbnails, the before/after comparison and
 * the full-size view of what is stored. Every page that takes or shows evidence uses this module.
 */

export { PURPOSE_NAMES };

/** What the API accepts (API.md "Evidence"): these types, at most 10 MiB. */
export const ACCEPTED_TYPES = ["image/jpeg", "image/png", "image/webp", "application/pdf"];
export const MAX_BYTES = 10 * 1024 * 1024;
/** Photos are shrunk to this long edge, as JPEG of this quality: a 12-megapixel photo sends a few hundred KB. */
const LONG_EDGE = 2048;
const JPEG_QUALITY = 0.8;
/** A photo already this small (long edge ≤ LONG_EDGE and bytes ≤ this) goes as it is, with its own EXIF. */
const KEEP_AS_IS_BYTES = 1024 * 1024;
/** How long the console follows an upload's check before it gives up waiting. */
const CHECK_TIMEOUT_MS = 3 * 60_000;

/** A refusal the person can act on (wrong type, too large, refused by the server's check). */
export class Refused extends Error {}

// ---------- reading the original: EXIF time and place ----------

export interface Capture {
  capturedAt?: string;
  location?: LatLng;
}

/**
 * The capture time of EXIF `DateTimeOriginal` with `OffsetTimeOriginal`; a camera clock without an
 * offset is read as China Standard Time (as the server reads it).
 */
function exifTime(dateTimeOriginal: unknown, offset: unknown): string | undefined {
  if (typeof dateTimeOriginal !== "string") return undefined;
  const m = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(dateTimeOriginal.trim());
  if (!m) return undefined;
  const zone =
    typeof offset === "string" && /^[+-]\d{2}:\d{2}$/.test(offset.trim()) ? offset.trim() : "+08:00";
  const t = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${zone}`);
  return Number.isNaN(t.getTime()) ? undefined : t.toISOString();
}

/**
 * When and where the original photo was taken, from its EXIF, read before shrinking (a canvas JPEG
 * carries no EXIF). The console never adds the device's own clock or position: only what the file says.
 */
export async function readCapture(file: File): Promise<Capture> {
  if (!file.type.startsWith("image/")) return {};
  try {
    const { default: exifr } = await import("exifr");
    const [tags, gps] = await Promise.all([
      exifr
        .parse(file, { pick: ["DateTimeOriginal", "OffsetTimeOriginal"], reviveValues: false })
        .catch(() => undefined) as Promise<Record<string, unknown> | undefined>,
      exifr.gps(file).catch(() => undefined),
    ]);
    const capturedAt = exifTime(tags?.DateTimeOriginal, tags?.OffsetTimeOriginal);
    const lat = gps?.latitude;
    const lng = gps?.longitude;
    const location =
      typeof lat === "number" &&
      typeof lng === "number" &&
      Number.isFinite(lat) &&
      Number.isFinite(lng) &&
      Math.abs(lat) <= 90 &&
      Math.abs(lng) <= 180 &&
      !(lat === 0 && lng === 0)
        ? { lat: Math.round(lat * 1e7) / 1e7, lng: Math.round(lng * 1e7) / 1e7 }
        : undefined;
    return { ...(capturedAt ? { capturedAt } : {}), ...(location ? { location } : {}) };
  } catch {
    return {};
  }
}

// ---------- shrinking ----------

export interface Prepared {
  blob: Blob;
  contentType: string;
  fileName: string;
  /** Whether this browser could show it (a preview is made only then). */
  viewable: boolean;
}

export const isPdf = (file: File) => file.type === "application/pdf" || /\.pdf$/i.test(file.name);

/** Decodes a photo upright (EXIF orientation applied), by createImageBitmap or else an <img>. */
async function decode(file: File): Promise<{ image: CanvasImageSource; width: number; height: number }> {
  if (typeof createImageBitmap === "function") {
    for (const options of [{ imageOrientation: "from-image" } as const, undefined]) {
      try {
        const bitmap = await createImageBitmap(file, options);
        return { image: bitmap, width: bitmap.width, height: bitmap.height };
      } catch {
        // an older engine may not know the option; a format it cannot read fails below as well
      }
    }
  }
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    return { image: img, width: img.naturalWidth, height: img.naturalHeight };
  } finally {
    URL.revokeObjectURL(url);
  }
}

function jpegName(name: string): string {
  const base = name.replace(/\.[^./\\]*$/, "") || "照片";
  return `${base}.jpg`;
}

/**
 * The bytes to send: a PDF as it is; a photo shrunk to a long edge of 2048 px as JPEG (quality 0.8),
 * unless it is small already and of an accepted type (then it goes as it is, EXIF and all).
 */
export async function prepare(file: File): Promise<Prepared> {
  if (isPdf(file))
    return { blob: file, contentType: "application/pdf", fileName: file.name, viewable: false };
  let decoded: Awaited<ReturnType<typeof decode>>;
  try {
    decoded = await decode(file);
  } catch {
    // Not decodable here: an accepted type still goes, and the server's check says what it is.
    if (ACCEPTED_TYPES.includes(file.type))
      return { blob: file, contentType: file.type, fileName: file.name, viewable: false };
    throw new Refused("无法识别的文件，请选择 JPEG、PNG、WebP 照片或 PDF 文件");
  }
  const { image, width, height } = decoded;
  try {
    const long = Math.max(width, height);
    const accepted = ACCEPTED_TYPES.includes(file.type);
    if (accepted && long <= LONG_EDGE && file.size <= KEEP_AS_IS_BYTES) {
      return { blob: file, contentType: file.type, fileName: file.name, viewable: true };
    }
    const scale = Math.min(1, LONG_EDGE / long);
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    const ctx = canvas.getContext("2d");
    if (!ctx) throw new Error("此浏览器无法处理照片");
    ctx.fillStyle = "#fff"; // a transparent PNG becomes a JPEG on white, not on black
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise<Blob | null>((resolve) =>
      canvas.toBlob(resolve, "image/jpeg", JPEG_QUALITY),
    );
    if (!blob) throw new Error("照片压缩失败");
    if (accepted && scale === 1 && blob.size >= file.size) {
      return { blob: file, contentType: file.type, fileName: file.name, viewable: true };
    }
    return { blob, contentType: "image/jpeg", fileName: jpegName(file.name), viewable: true };
  } finally {
    if ("close" in image && typeof image.close === "function") image.close();
  }
}

// ---------- upload and check ----------

/** PUTs the bytes to the presigned URL with exactly its headers, reporting progress (0–100). */
export function putUpload(
  upload: EvidenceUpload["upload"],
  blob: Blob,
  onProgress: (percent: number) => void,
) {
  return new Promise<void>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(upload.method, upload.url);
    for (const [name, value] of Object.entries(upload.headers)) {
      // The browser sets these itself (Content-Length from the body, which is the declared size).
      if (!["content-length", "host"].includes(name.toLowerCase())) xhr.setRequestHeader(name, value);
    }
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(Math.min(99, Math.floor((e.loaded / e.total) * 100)));
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(100);
        resolve();
      } else if (xhr.status === 403) reject(new Error("上传链接已失效或被存储服务拒绝（403），请重试"));
      else reject(new Error(`存储服务拒绝了上传（HTTP ${xhr.status}），请重试`));
    };
    xhr.onerror = () => reject(new Error("网络中断，上传未完成"));
    xhr.onabort = () => reject(new Error("上传已取消"));
    xhr.send(blob);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Follows `GET /evidence/{id}` until the server's check has verified or rejected the upload. */
async function settled(evidenceId: string, live: () => boolean): Promise<Evidence> {
  const started = Date.now();
  for (let n = 0; ; n++) {
    await sleep(n < 4 ? 500 : n < 12 ? 1000 : 3000);
    if (!live()) throw new Error("已离开页面");
    try {
      const e = await app.api.call("getEvidence", { params: { id: evidenceId } });
      if (e.status !== "pending") return e;
    } catch (error) {
      if (!(error instanceof TypeError)) throw error; // a dropped connection is tried again
    }
    if (Date.now() - started > CHECK_TIMEOUT_MS) throw new Error("校验超时，请稍后重试");
  }
}

/** `saved`: kept on this device (offline capture), sent when the network and the record allow. */
export type UploadState =
  | "preparing"
  | "saved"
  | "uploading"
  | "checking"
  | "verified"
  | "rejected"
  | "failed";

/** One file on its way: its state as the person sees it. */
export interface UploadItem {
  key: string;
  fileName: string;
  pdf: boolean;
  state: UploadState;
  progress: number;
  /** A local object URL of the bytes being sent (photos only). */
  previewUrl?: string;
  originalSize: number;
  size?: number;
  capture?: Capture;
  evidenceId?: string;
  evidence?: Evidence;
  message?: string;
}

/** The uploads of one form, in named groups (a checklist item, an issue, a report). */
export interface Uploads {
  list(group: string): UploadItem[];
  add(group: string, files: readonly File[]): void;
  remove(group: string, key: string): void;
  /** Puts the files of `from` into `to` as well (an item's photos on the issue made from it). */
  copy(from: string, to: string): void;
  retry(key: string): void;
  /** The verified evidence ids of a group, in the order taken. */
  ids(group: string): string[];
  /** How many files of these groups are still being prepared, sent or checked. */
  unsettled(groups: readonly string[]): number;
}

interface UploadsState {
  items: Record<string, UploadItem>;
  groups: Record<string, string[]>;
}

let uploadKeys = 0;

/**
 * The uploads of a form: each file is prepared (shrunk, EXIF read), announced with `POST /evidence`,
 * PUT to the store with progress, and followed until verified or rejected.
 */
export function useUploads(
  subject: EvidenceSubject,
  purpose: EvidencePurpose,
  onVerified?: (e: Evidence) => void,
): Uploads {
  const [state, setState] = useState<UploadsState>({ items: {}, groups: {} });
  const files = useRef(new Map<string, File>());
  const urls = useRef(new Set<string>());
  const live = useRef(true);
  const verified = useRef(onVerified);
  verified.current = onVerified;
  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
      for (const url of urls.current) URL.revokeObjectURL(url);
      urls.current.clear();
    };
  }, []);

  const patch = (key: string, change: Partial<UploadItem>) => {
    if (!live.current) return;
    setState((s) => {
      const item = s.items[key];
      return item ? { ...s, items: { ...s.items, [key]: { ...item, ...change } } } : s;
    });
  };

  const run = async (key: string) => {
    const file = files.current.get(key);
    if (!file) return;
    patch(key, { state: "preparing", progress: 0, message: undefined, evidenceId: undefined });
    try {
      const [prepared, capture] = await Promise.all([prepare(file), readCapture(file)]);
      if (!ACCEPTED_TYPES.includes(prepared.contentType))
        throw new Refused("只接受 JPEG、PNG、WebP 图片或 PDF 文件");
      if (prepared.blob.size > MAX_BYTES) throw new Refused("文件超过 10 MiB 上限");
      let previewUrl: string | undefined;
      if (prepared.viewable && live.current) {
        previewUrl = URL.createObjectURL(prepared.blob);
        urls.current.add(previewUrl);
      }
      patch(key, { state: "uploading", previewUrl, size: prepared.blob.size, capture });
      const asked = await app.api.call("createEvidence", {
        body: {
          subject,
          purpose,
          fileName: prepared.fileName,
          contentType: prepared.contentType,
          size: prepared.blob.size,
          ...capture,
        },
      });
      patch(key, { evidenceId: asked.evidenceId });
      await putUpload(asked.upload, prepared.blob, (progress) => patch(key, { progress }));
      patch(key, { state: "checking", progress: 100 });
      const e = await settled(asked.evidenceId, () => live.current);
      if (e.status === "verified") {
        patch(key, { state: "verified", evidence: e });
        if (live.current) verified.current?.(e);
      } else patch(key, { state: "rejected", message: e.reason ?? "文件不符合要求", evidence: e });
    } catch (error) {
      if (error instanceof Refused) patch(key, { state: "rejected", message: error.message });
      else if (error instanceof ApiError && error.status === 422)
        patch(key, { state: "rejected", message: error.errors[0]?.message ?? error.detail });
      else patch(key, { state: "failed", message: errorText(error) });
    }
  };

  const ofGroup = (s: UploadsState, group: string) =>
    (s.groups[group] ?? []).map((k) => s.items[k]).filter((i): i is UploadItem => i !== undefined);

  return {
    list: (group) => ofGroup(state, group),
    add(group, list) {
      const added: UploadItem[] = list.map((file) => ({
        key: `u${++uploadKeys}`,
        fileName: file.name || "照片.jpg",
        pdf: isPdf(file),
        state: "preparing",
        progress: 0,
        originalSize: file.size,
      }));
      for (const [i, item] of added.entries()) files.current.set(item.key, list[i]!);
      setState((s) => ({
        items: { ...s.items, ...Object.fromEntries(added.map((i) => [i.key, i])) },
        groups: { ...s.groups, [group]: [...(s.groups[group] ?? []), ...added.map((i) => i.key)] },
      }));
      for (const item of added) void run(item.key);
    },
    remove(group, key) {
      setState((s) => ({
        ...s,
        groups: { ...s.groups, [group]: (s.groups[group] ?? []).filter((k) => k !== key) },
      }));
    },
    copy(from, to) {
      setState((s) => {
        const have = s.groups[to] ?? [];
        const more = (s.groups[from] ?? []).filter((k) => !have.includes(k));
        return { ...s, groups: { ...s.groups, [to]: [...have, ...more] } };
      });
    },
    retry(key) {
      void run(key);
    },
    ids: (group) =>
      ofGroup(state, group)
        .filter((i) => i.state === "verified" && i.evidenceId)
        .map((i) => i.evidenceId!),
    unsettled: (groups) =>
      [...new Set(groups.flatMap((g) => state.groups[g] ?? []))].filter((k) => {
        const s = state.items[k]?.state;
        return s === "preparing" || s === "uploading" || s === "checking";
      }).length,
  };
}

/** Throws (in Chinese) while files of these groups are still on their way. */
export function requireSettled(uploads: Uploads, groups: readonly string[]): void {
  const n = uploads.unsettled(groups);
  if (n > 0) throw new Error(`还有 ${n} 个文件正在上传或校验，请等显示“已校验”后再提交`);
}

function statusText(item: UploadItem): string {
  switch (item.state) {
    case "preparing":
      return item.pdf ? "准备中" : "处理中（压缩照片）";
    case "saved":
      return "已保存在本机";
    case "uploading":
      return `上传中 ${item.progress}%`;
    case "checking":
      return "校验中";
    case "verified":
      return "已校验";
    case "rejected":
      return `未通过：${item.message ?? "文件不符合要求"}`;
    case "failed":
      return `上传失败：${item.message ?? "请重试"}`;
  }
}

export function fmtSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} 字节`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * Buttons to take photos with the camera or pick files, and the state of each file of the group:
 * 处理中 / 上传中 n% / 校验中 / 已校验 / 未通过：原因.
 */
export function EvidencePicker({
  uploads,
  group,
  name,
  accept = "image/*",
  hint,
}: {
  uploads: Uploads;
  group: string;
  /** Names the inputs: `${name}-camera` and `${name}-files`. */
  name: string;
  accept?: string;
  hint?: string;
}) {
  const items = uploads.list(group);
  const onChange = (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    const chosen = input.files ? Array.from(input.files) : [];
    if (chosen.length > 0) uploads.add(group, chosen);
    input.value = "";
  };
  const pdf = accept.includes("pdf");
  return (
    <div class="evidence-picker" data-evidence-group={group}>
      <div class="picker-buttons">
        <label class="button file-button">
          拍照
          <input
            class="visually-hidden"
            type="file"
            name={`${name}-camera`}
            accept="image/*"
            capture="environment"
            multiple
            onChange={onChange}
          />
        </label>
        <label class="button file-button">
          {pdf ? "选择照片或 PDF" : "选择照片"}
          <input
            class="visually-hidden"
            type="file"
            name={`${name}-files`}
            accept={accept}
            multiple
            onChange={onChange}
          />
        </label>
        {hint ? <span class="small muted">{hint}</span> : null}
      </div>
      {items.length > 0 ? (
        <ul class="uploads">
          {items.map((item) => (
            <li
              key={item.key}
              class={`upload upload-${item.state}`}
              data-state={item.state}
              data-evidence={item.evidenceId}
            >
              {item.previewUrl ? (
                <img class="upload-thumb" src={item.previewUrl} alt={item.fileName} />
              ) : (
                <span class="upload-thumb file-icon">{item.pdf ? "PDF" : "文件"}</span>
              )}
              <div class="upload-body">
                <span class="upload-name" data-verbatim>
                  {item.fileName}
                </span>
                <span class="small muted">
                  {item.size !== undefined && item.size !== item.originalSize
                    ? `${fmtSize(item.originalSize)} → ${fmtSize(item.size)}`
                    : fmtSize(item.originalSize)}
                  {item.capture?.capturedAt ? ` · 拍摄于 ${fmtTime(item.capture.capturedAt)}` : ""}
                </span>
                <span class="upload-status" role="status">
                  {statusText(item)}
                </span>
                {item.state === "uploading" ? (
                  <progress max={100} value={item.progress} aria-label={`${item.fileName} 上传进度`} />
                ) : null}
              </div>
              <div class="upload-actions">
                {item.state === "failed" ? (
                  <button type="button" class="link" onClick={() => uploads.retry(item.key)}>
                    重试
                  </button>
                ) : null}
                <button type="button" class="link" onClick={() => uploads.remove(group, item.key)}>
                  移除
                </button>
              </div>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

// ---------- showing what is stored ----------

/** Every photo and document of an assignment or an order (oldest first). */
export function loadSubjectEvidence(kind: EvidenceSubjectKind, id: string): Promise<Evidence[]> {
  return app.api.all("listEvidence", { query: { subjectKind: kind, subjectId: id } }, 1000);
}

/** These evidence items, one `GET /evidence/{id}` each; those that cannot be read are left out. */
export async function loadEvidenceByIds(ids: readonly string[]): Promise<Evidence[]> {
  const found = await Promise.all(
    [...new Set(ids)].map((id) => app.api.call("getEvidence", { params: { id } }).catch(() => undefined)),
  );
  return found.filter((e): e is Evidence => e !== undefined);
}

/** The items of `ids` found in `all`, in the order of `ids`. */
export function pickEvidence(all: readonly Evidence[], ids: readonly string[] | undefined): Evidence[] {
  const byId = new Map(all.map((e) => [e.evidenceId, e]));
  return (ids ?? []).map((id) => byId.get(id)).filter((e): e is Evidence => e !== undefined);
}

function fmtLocation(l: LatLng): string {
  const lat = `${l.lat < 0 ? "南纬" : "北纬"} ${Math.abs(l.lat).toFixed(5)}°`;
  const lng = `${l.lng < 0 ? "西经" : "东经"} ${Math.abs(l.lng).toFixed(5)}°`;
  return `${lat}，${lng}`;
}

/** Names by person id, as `GET /assignments/{id}` and `GET /rectifications/{id}` give them. */
type Names = Record<string, string> | undefined;

/** What the server knows of a file: when and where it was taken, by whom, and its hash. */
export function EvidenceFacts({ e, names }: { e: Evidence; names?: Names }) {
  return (
    <dl class="evidence-facts">
      <dt>用途</dt>
      <dd>{PURPOSE_NAMES[e.purpose]}</dd>
      <dt>拍摄时间</dt>
      <dd>
        {e.capturedAt ? fmtTime(e.capturedAt) : "文件未记录"}
        {e.capturedAt && e.captureSource ? (
          <span class="muted small">
            {e.captureSource === "exif" ? "（照片 EXIF）" : "（上传设备读取的原图 EXIF）"}
          </span>
        ) : null}
      </dd>
      <dt>拍摄位置</dt>
      <dd>{e.location ? fmtLocation(e.location) : "文件未记录"}</dd>
      <dt>上传人</dt>
      <dd>
        <PersonName id={e.uploadedBy} names={names} />
      </dd>
      <dt>上传时间</dt>
      <dd>{fmtTime(e.uploadedAt ?? e.createdAt)}</dd>
      <dt>文件</dt>
      <dd>
        <span data-verbatim>{e.fileName}</span>（{fmtSize(e.size)}）
      </dd>
      {e.sha256 ? (
        <>
          <dt>SHA-256</dt>
          <dd class="mono small">{e.sha256}</dd>
        </>
      ) : null}
    </dl>
  );
}

/** One stored file: a thumbnail that opens full size, or a link for a PDF. */
function Thumb({ e, names }: { e: Evidence; names: Names }) {
  const [src, setSrc] = useState(e.downloadUrl);
  const [open, setOpen] = useState(false);
  const renewed = useRef(false);
  useEffect(() => setSrc(e.downloadUrl), [e.downloadUrl]);
  // A download URL lives five minutes: a page left open asks for a fresh one when an image fails.
  const renew = () => {
    if (renewed.current) return;
    renewed.current = true;
    void app.api
      .call("getEvidence", { params: { id: e.evidenceId } })
      .then((fresh) => fresh.downloadUrl && setSrc(fresh.downloadUrl))
      .catch(() => undefined);
  };
  const caption = e.capturedAt
    ? `拍摄 ${fmtTime(e.capturedAt)}`
    : `上传 ${fmtTime(e.uploadedAt ?? e.createdAt)}`;
  if (e.status !== "verified") {
    return (
      <span class="thumb thumb-pending" title={e.fileName}>
        {e.status === "pending" ? "校验中" : `未通过：${e.reason ?? "文件不符"}`}
      </span>
    );
  }
  if (e.contentType === "application/pdf") {
    return (
      <a class="thumb thumb-file" href={src} target="_blank" rel="noopener noreferrer" title={e.fileName}>
        <span class="file-icon">PDF</span>
        <span class="small" data-verbatim>
          {e.fileName}
        </span>
      </a>
    );
  }
  return (
    <>
      <button
        type="button"
        class="thumb"
        onClick={() => setOpen(true)}
        aria-label={`查看大图：${e.fileName}`}
        title={e.fileName}
      >
        <img src={src} alt={e.fileName} onError={renew} />
        <span class="thumb-caption small">{caption}</span>
      </button>
      {open ? <Lightbox e={e} names={names} src={src} onClose={() => setOpen(false)} /> : null}
    </>
  );
}

/** The photo full size over the page, with its facts; closed by a tap, the button or Escape. */
function Lightbox({
  e,
  names,
  src,
  onClose,
}: {
  e: Evidence;
  names: Names;
  src: string | undefined;
  onClose: () => void;
}) {
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const onKey = (k: KeyboardEvent) => {
      if (k.key === "Escape") onClose();
    };
    window.addEventListener("keydown", onKey);
    close.current?.focus();
    const overflow = document.body.style.overflow;
    document.body.style.overflow = "hidden";
    return () => {
      window.removeEventListener("keydown", onKey);
      document.body.style.overflow = overflow;
    };
  }, []);
  return (
    <div
      class="lightbox"
      role="dialog"
      aria-modal="true"
      aria-label={`${PURPOSE_NAMES[e.purpose]}：${e.fileName}`}
    >
      <button type="button" class="lightbox-backdrop" aria-label="关闭大图" tabIndex={-1} onClick={onClose} />
      <img class="lightbox-image" src={src} alt={e.fileName} />
      <div class="lightbox-panel">
        <EvidenceFacts e={e} names={names} />
        <button type="button" ref={close} onClick={onClose}>
          关闭
        </button>
      </div>
    </div>
  );
}

/** Thumbnails of stored files. */
export function EvidenceThumbs({
  items,
  empty,
  names,
}: {
  items: readonly Evidence[];
  empty?: string;
  names?: Names;
}) {
  if (items.length === 0) return empty ? <p class="small muted thumbs-empty">{empty}</p> : null;
  return (
    <ul class="thumbs">
      {items.map((e) => (
        <li key={e.evidenceId} data-evidence={e.evidenceId} data-purpose={e.purpose}>
          <Thumb e={e} names={names} />
        </li>
      ))}
    </ul>
  );
}

/** 整改前后对比: before on the left, after on the right, on a phone too. */
export function BeforeAfter({
  before,
  after,
  afterTitle = "整改后",
  names,
  children,
}: {
  before: readonly Evidence[];
  after?: readonly Evidence[];
  afterTitle?: string;
  names?: Names;
  /** In place of the after thumbnails (the unit's upload while it reports). */
  children?: ComponentChildren;
}) {
  return (
    <div class="compare">
      <div class="compare-col compare-before" data-side="before">
        <h3>整改前（问题照片）</h3>
        <EvidenceThumbs items={before} empty="检查时未拍照。" names={names} />
      </div>
      <div class="compare-col compare-after" data-side="after">
        <h3>{afterTitle}</h3>
        {children ?? <EvidenceThumbs items={after ?? []} empty="暂无整改后材料。" names={names} />}
      </div>
    </div>
  );
}
