import type { EvidencePurpose, EvidenceSubjectKind } from "./statuses";

/**
 * Evidence (取证): the rules of photos and documents as proof, with no AWS imports. What a file is
 * is decided from its bytes (magic numbers), never from the name or type the client declared; when
 * and where a photo was taken comes from its EXIF, read in China Standard Time when the camera
 * recorded no offset.
 */

/** The file types accepted as evidence. */
export const EVIDENCE_TYPES = ["image/jpeg", "image/png", "image/webp", "application/pdf"] as const;
export type EvidenceContentType = (typeof EVIDENCE_TYPES)[number];

/** 10 MiB: the largest file accepted (a phone photo shrunk by the console sends a few hundred KB). */
export const MAX_EVIDENCE_BYTES = 10 * 1024 * 1024;

/** How long a presigned upload URL lives (the contract allows at most 15 minutes). */
export const UPLOAD_URL_SECONDS = 15 * 60;

/** How long a presigned download URL lives (the contract allows at most 5 minutes). */
export const DOWNLOAD_URL_SECONDS = 5 * 60;

/** At most this many evidence ids on one checklist item, issue, report or review. */
export const MAX_EVIDENCE_PER_REFERENCE = 20;

/** Which kind of subject each purpose attaches to: 问题照片 to the assignment, the rest to an order. */
export const SUBJECT_OF_PURPOSE: Readonly<Record<EvidencePurpose, EvidenceSubjectKind>> = {
  finding: "assignment",
  before: "rectification",
  after: "rectification",
  review: "rectification",
};

/**
 * Where an upload lands, and where the verified bytes are kept. Presigned PUTs only ever name an
 * `uploads/` key; the check copies accepted bytes to `evidence/` (which no URL can write) and
 * deletes the upload, so re-using an upload URL cannot replace verified proof.
 */
export const UPLOAD_PREFIX = "uploads/";
export const EVIDENCE_PREFIX = "evidence/";
export const evidenceObjectKeys = (evidenceId: string) => ({
  upload: `${UPLOAD_PREFIX}${evidenceId}`,
  stored: `${EVIDENCE_PREFIX}${evidenceId}`,
});

/** The evidence id an upload key names, or undefined for a key outside `uploads/`. */
export function evidenceIdOfUploadKey(key: string): string | undefined {
  if (!key.startsWith(UPLOAD_PREFIX)) return undefined;
  const id = key.slice(UPLOAD_PREFIX.length);
  return /^[0-9a-f-]{36}$/.test(id) ? id : undefined;
}

/** The content type the bytes are, by their magic numbers; undefined for anything else. */
export function sniffContentType(head: Uint8Array): EvidenceContentType | undefined {
  const starts = (bytes: readonly number[], at = 0) => bytes.every((b, i) => head[at + i] === b);
  if (starts([0xff, 0xd8, 0xff])) return "image/jpeg";
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  // RIFF....WEBP
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return "image/webp";
  if (starts([0x25, 0x50, 0x44, 0x46, 0x2d])) return "application/pdf"; // %PDF-
  return undefined;
}

export interface DeclaredUpload {
  readonly contentType: string;
  readonly size: number;
}

/** Why stored bytes were refused (Chinese: the uploader reads it as `reason`). */
export type UploadVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const TYPE_NAMES: Readonly<Record<EvidenceContentType, string>> = {
  "image/jpeg": "JPEG 图片",
  "image/png": "PNG 图片",
  "image/webp": "WebP 图片",
  "application/pdf": "PDF 文件",
};

/** Checks stored bytes against what was declared when the upload URL was issued. */
export function checkUpload(declared: DeclaredUpload, size: number, head: Uint8Array): UploadVerdict {
  if (size !== declared.size) {
    return { ok: false, reason: `文件大小与申报不符：申报 ${declared.size} 字节，实际 ${size} 字节。` };
  }
  if (size > MAX_EVIDENCE_BYTES) return { ok: false, reason: "文件超过 10 MiB 上限。" };
  const actual = sniffContentType(head);
  if (!actual) return { ok: false, reason: "文件内容不是可接受的图片或 PDF（按文件头判断）。" };
  if (actual !== declared.contentType) {
    const said = TYPE_NAMES[declared.contentType as EvidenceContentType] ?? declared.contentType;
    return { ok: false, reason: `文件内容是${TYPE_NAMES[actual]}，与申报的${said}不符。` };
  }
  return { ok: true };
}

/** China Standard Time: the offset of a camera clock that recorded none. */
const CST_OFFSET = "+08:00";

/**
 * The capture time of an EXIF `DateTimeOriginal` ("YYYY:MM:DD HH:MM:SS") with its
 * `OffsetTimeOriginal` ("+08:00"), as an ISO UTC time; without an offset the clock is read as China
 * Standard Time. Undefined when the value is missing or malformed.
 */
export function exifCaptureTime(dateTimeOriginal: unknown, offsetTimeOriginal: unknown): string | undefined {
  if (typeof dateTimeOriginal !== "string") return undefined;
  const m = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(dateTimeOriginal.trim());
  if (!m) return undefined;
  const offset =
    typeof offsetTimeOriginal === "string" && /^[+-]\d{2}:\d{2}$/.test(offsetTimeOriginal.trim())
      ? offsetTimeOriginal.trim()
      : CST_OFFSET;
  const time = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${offset}`);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}

/** Degrees of an EXIF GPS coordinate ([degrees, minutes, seconds] and its N/S/E/W reference). */
export function exifCoordinate(value: unknown, ref: unknown): number | undefined {
  const parts = Array.isArray(value) ? value : typeof value === "number" ? [value] : undefined;
  if (!parts || parts.length === 0 || !parts.every((p) => typeof p === "number" && Number.isFinite(p)))
    return undefined;
  const [d = 0, m = 0, s = 0] = parts as number[];
  const degrees = d + m / 60 + s / 3600;
  const sign = typeof ref === "string" && /^[SW]/i.test(ref) ? -1 : 1;
  return sign * degrees;
}

/** A photo's position from its EXIF GPS tags, when both coordinates are present and in range. */
export function exifLocation(tags: {
  GPSLatitude?: unknown;
  GPSLatitudeRef?: unknown;
  GPSLongitude?: unknown;
  GPSLongitudeRef?: unknown;
}): { lat: number; lng: number } | undefined {
  const lat = exifCoordinate(tags.GPSLatitude, tags.GPSLatitudeRef);
  const lng = exifCoordinate(tags.GPSLongitude, tags.GPSLongitudeRef);
  if (lat === undefined || lng === undefined) return undefined;
  if (Math.abs(lat) > 90 || Math.abs(lng) > 180) return undefined;
  return { lat: Math.round(lat * 1e7) / 1e7, lng: Math.round(lng * 1e7) / 1e7 };
}

/** A download file name that cannot break the Content-Disposition header. */
export function safeFileName(name: string): string {
  const cleaned = [...name]
    .map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f || '"\\/'.includes(c) ? "_" : c))
    .join("")
    .trim();
  return cleaned.length > 0 ? cleaned.slice(0, 200) : "evidence";
}
