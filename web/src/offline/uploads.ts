import { useEffect } from "preact/hooks";
import type { EvidencePurpose, EvidenceSubject } from "../api";
import { type UploadItem, type Uploads, useUploads } from "../evidence";
import type { PhotoRecord } from "./store";
import {
  addPhotos,
  copyGroup,
  kick,
  LOCAL,
  type OfflineState,
  previewOf,
  removePhoto,
  retryPhoto,
  useOffline,
} from "./sync";

function itemOf(p: PhotoRecord, s: OfflineState): UploadItem {
  const previewUrl = previewOf(p);
  return {
    key: p.id,
    fileName: p.fileName,
    pdf: p.pdf,
    state: p.state,
    progress: p.state === "uploading" ? (s.progress[p.id] ?? 0) : p.state === "saved" ? 0 : 100,
    ...(previewUrl ? { previewUrl } : {}),
    originalSize: p.originalSize,
    ...(p.blob.size > 0 ? { size: p.blob.size } : {}),
    capture: p.capture,
    ...(p.evidenceId ? { evidenceId: p.evidenceId } : {}),
    ...(p.message ? { message: p.message } : {}),
  };
}

/**
 * The photos of a form kept on the device (the same `Uploads` the pickers of evidence.tsx show):
 * each is stored with its bytes as soon as it is shrunk — 已保存在本机 — and uploaded when the
 * network allows. `ids(group)` names them `local:<id>`: sync.ts sends the record that cites them
 * after they are verified, with their evidence ids. Without storage on this device (no IndexedDB)
 * it is evidence.tsx's `useUploads`, which sends at once.
 */
export function useStoredUploads(owner: string, subject: EvidenceSubject, purpose: EvidencePurpose): Uploads {
  const s = useOffline();
  const direct = useUploads(subject, purpose);
  useEffect(() => kick(), []);
  if (!s.sub || s.unavailable) return direct;
  const mine = s.photos.filter((p) => p.owner === owner);
  const inGroup = (group: string) => mine.filter((p) => p.groups.includes(group));
  return {
    list: (group) => [
      ...inGroup(group).map((p) => itemOf(p, s)),
      ...s.preparing
        .filter((x) => x.owner === owner && x.group === group)
        .map(
          (x): UploadItem => ({
            key: x.id,
            fileName: x.fileName,
            pdf: x.pdf,
            state: "preparing",
            progress: 0,
            originalSize: x.originalSize,
          }),
        ),
    ],
    add: (group, files) => void addPhotos(owner, subject, purpose, group, files),
    remove: (group, key) => void removePhoto(key, group),
    copy: (from, to) => void copyGroup(owner, from, to),
    retry: (key) => void retryPhoto(key),
    ids: (group) =>
      inGroup(group)
        .filter((p) => p.state !== "rejected")
        .map((p) => `${LOCAL}${p.id}`),
    // Only a photo still being stored holds the form back: the rest is sent when it can be.
    unsettled: (groups) => s.preparing.filter((x) => x.owner === owner && groups.includes(x.group)).length,
  };
}
