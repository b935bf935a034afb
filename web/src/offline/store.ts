import { type DBSchema, deleteDB, type IDBPDatabase, openDB } from "idb";
import type { Bodies, EvidencePurpose, EvidenceSubject, LatLng } from "../api";

/**
 * What this device keeps for field work without a network (离线采集), in IndexedDB (`idb`):
 *
 * - `reads`: answers of the API that the inspector's and the unit's pages need to open offline
 *   (their assignments, checklists, orders, unit names), per person — see reads.ts for which;
 * - `drafts`: forms as they are typed (the findings of an assignment, the report of an order);
 * - `writes`: records made on the device and not yet accepted by the server (到场签到, 现场检查结果,
 *   整改报告), each with its own `Idempotency-Key` and `capturedAt`, and their sync state;
 * - `photos`: photos and documents taken for those forms, with their bytes, until the server has
 *   verified them and the record citing them has been accepted.
 *
 * Every record names the person (`sub`) it belongs to; the pages read only the signed-in person's.
 * Signing out deletes the person's records (status.tsx warns of unsent ones first).
 */

/** A record made on the device, as sync.ts sends it: the operation and its request body. */
export type WriteBody =
  | { op: "recordArrival"; body: Bodies["recordArrival"] }
  | { op: "submitFindings"; body: Bodies["submitFindings"] }
  | { op: "reportRectification"; body: Bodies["reportRectification"] };
export type WriteOp = WriteBody["op"];

/**
 * saved: 已保存在本机, waiting for the network; syncing: 正在同步; synced: 已同步; failed: 同步失败
 * (tried again by itself: no network, a server error); conflict: the server refused it for a reason
 * the person must decide on (the window closed, a teammate was first, no longer visible, a rule).
 */
export type WriteState = "saved" | "syncing" | "synced" | "failed" | "conflict";

/** Why the server refused a record (sync.ts explains each in Chinese). */
export type ConflictKind = "missed" | "taken" | "arrived" | "gone" | "closed" | "rule";

/**
 * A record made on the device. `body.evidenceIds` may name local photos (`local:<photo id>`): they
 * are uploaded first and replaced by their evidence ids when the record is sent.
 */
export type WriteRecord = WriteBody & {
  id: string;
  sub: string;
  subject: EvidenceSubject;
  idempotencyKey: string;
  /** The device's time of capture (sent as `capturedAt` with arrivals and findings). */
  capturedAt: string;
  createdAt: string;
  state: WriteState;
  attempts: number;
  lastTriedAt?: string;
  /** Why it failed or conflicts: a short reason and the explanation, in Chinese. */
  reason?: string;
  message?: string;
  conflict?: ConflictKind;
  syncedAt?: string;
  /** The form it came from and the form's state when submitted: 重新编辑 restores it. */
  draftKey?: string;
  draft?: Record<string, unknown>;
  /** Photos it cited that the server's check refused, left out when it was sent. */
  droppedPhotos?: string[];
};

/** saved: on the device; uploading / checking: 正在同步; verified: 已同步 (校验通过). */
export type PhotoState = "saved" | "uploading" | "checking" | "verified" | "rejected" | "failed";

export interface PhotoRecord {
  id: string;
  sub: string;
  subject: EvidenceSubject;
  purpose: EvidencePurpose;
  /** The draft (form) the photo was taken for. */
  owner: string;
  /** The form's groups (a checklist item, an issue) that show and cite it. */
  groups: string[];
  blob: Blob;
  fileName: string;
  contentType: string;
  originalSize: number;
  pdf: boolean;
  viewable: boolean;
  capture: { capturedAt?: string; location?: LatLng };
  idempotencyKey: string;
  createdAt: string;
  state: PhotoState;
  attempts: number;
  lastTriedAt?: string;
  evidenceId?: string;
  /** The bytes reached the object store (only the server's check is awaited). */
  uploaded?: boolean;
  message?: string;
}

export interface ReadRecord {
  key: string;
  sub: string;
  value: unknown;
  savedAt: string;
}

export interface DraftRecord {
  key: string;
  sub: string;
  draftKey: string;
  value: Record<string, unknown>;
  savedAt: string;
}

interface OfflineDb extends DBSchema {
  reads: { key: string; value: ReadRecord; indexes: { sub: string } };
  drafts: { key: string; value: DraftRecord; indexes: { sub: string } };
  writes: { key: string; value: WriteRecord; indexes: { sub: string } };
  photos: { key: string; value: PhotoRecord; indexes: { sub: string } };
}

export const DB_NAME = "spot-console-offline";
const STORES = ["reads", "drafts", "writes", "photos"] as const;

let opening: Promise<IDBPDatabase<OfflineDb>> | undefined;

/** The device's database (opened once per page; reopened if the browser closes it). */
export function db(): Promise<IDBPDatabase<OfflineDb>> {
  opening ??= openDB<OfflineDb>(DB_NAME, 1, {
    upgrade(database) {
      for (const name of STORES)
        database
          .createObjectStore(name, { keyPath: name === "reads" || name === "drafts" ? "key" : "id" })
          .createIndex("sub", "sub");
    },
    blocking() {
      // Another tab deletes or upgrades the database (signing out): let it.
      void opening?.then((d) => d.close());
      opening = undefined;
    },
    terminated() {
      opening = undefined;
    },
  });
  return opening;
}

/** Whether this browser can keep anything at all (private modes may refuse IndexedDB). */
export async function available(): Promise<boolean> {
  try {
    await db();
    return true;
  } catch {
    return false;
  }
}

export const keyOf = (sub: string, key: string) => `${sub}\u0000${key}`;

export function newId(): string {
  const c = globalThis.crypto;
  if (typeof c.randomUUID === "function") return c.randomUUID();
  const bytes = c.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// ---------- reads ----------

export async function getRead(sub: string, key: string): Promise<ReadRecord | undefined> {
  return (await db()).get("reads", keyOf(sub, key));
}

export async function putRead(sub: string, key: string, value: unknown): Promise<void> {
  await (await db()).put("reads", { key: keyOf(sub, key), sub, value, savedAt: new Date().toISOString() });
}

export async function deleteRead(sub: string, key: string): Promise<void> {
  await (await db()).delete("reads", keyOf(sub, key));
}

// ---------- drafts ----------

export async function allDrafts(sub: string): Promise<DraftRecord[]> {
  return (await db()).getAllFromIndex("drafts", "sub", sub);
}

export async function putDraft(sub: string, draftKey: string, value: Record<string, unknown>): Promise<void> {
  await (await db()).put("drafts", {
    key: keyOf(sub, draftKey),
    sub,
    draftKey,
    value,
    savedAt: new Date().toISOString(),
  });
}

export async function deleteDraft(sub: string, draftKey: string): Promise<void> {
  await (await db()).delete("drafts", keyOf(sub, draftKey));
}

// ---------- writes and photos ----------

export async function allWrites(sub: string): Promise<WriteRecord[]> {
  const list = await (await db()).getAllFromIndex("writes", "sub", sub);
  return list.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

export async function getWrite(id: string): Promise<WriteRecord | undefined> {
  return (await db()).get("writes", id);
}

export async function putWrite(w: WriteRecord): Promise<void> {
  await (await db()).put("writes", w);
}

export async function deleteWrite(id: string): Promise<void> {
  await (await db()).delete("writes", id);
}

export async function allPhotos(sub: string): Promise<PhotoRecord[]> {
  const list = await (await db()).getAllFromIndex("photos", "sub", sub);
  return list.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

export async function getPhoto(id: string): Promise<PhotoRecord | undefined> {
  return (await db()).get("photos", id);
}

export async function putPhoto(p: PhotoRecord): Promise<void> {
  await (await db()).put("photos", p);
}

export async function deletePhoto(id: string): Promise<void> {
  await (await db()).delete("photos", id);
}

/** Changes one stored photo, if it is still there (the person may have removed it meanwhile). */
export async function patchPhoto(id: string, change: Partial<PhotoRecord>): Promise<PhotoRecord | undefined> {
  const d = await db();
  const tx = d.transaction("photos", "readwrite");
  const p = await tx.store.get(id);
  if (p) await tx.store.put({ ...p, ...change });
  await tx.done;
  return p ? { ...p, ...change } : undefined;
}

/** Changes one stored write, if it is still there. */
export type WritePatch = Partial<Omit<WriteRecord, "op" | "body" | "id" | "sub">>;

export async function patchWrite(id: string, change: WritePatch): Promise<WriteRecord | undefined> {
  const d = await db();
  const tx = d.transaction("writes", "readwrite");
  const w = await tx.store.get(id);
  if (w) await tx.store.put({ ...w, ...change });
  await tx.done;
  return w ? { ...w, ...change } : undefined;
}

// ---------- whose data ----------

/** Deletes everything this person kept on the device (signing out). */
export async function clearPerson(sub: string): Promise<void> {
  const d = await db();
  const tx = d.transaction([...STORES], "readwrite");
  for (const name of STORES) {
    const index = tx.objectStore(name).index("sub");
    for (let cursor = await index.openCursor(sub); cursor; cursor = await cursor.continue())
      await cursor.delete();
  }
  await tx.done;
}

/**
 * When someone else signs in on this device: what earlier people read is deleted (a unit's user must
 * find nothing of an assignment here); their unsent records and drafts stay, shown to no one else,
 * until they sign in again and send them — or sign out and delete them.
 */
export async function forgetOthersReads(sub: string): Promise<void> {
  const d = await db();
  const tx = d.transaction(["reads", "writes"], "readwrite");
  for (let cursor = await tx.objectStore("reads").openCursor(); cursor; cursor = await cursor.continue())
    if (cursor.value.sub !== sub) await cursor.delete();
  // Records of others already accepted by the server are no longer needed either.
  for (let cursor = await tx.objectStore("writes").openCursor(); cursor; cursor = await cursor.continue())
    if (cursor.value.sub !== sub && cursor.value.state === "synced") await cursor.delete();
  await tx.done;
}

/** Deletes the whole database (nothing of anyone left), e.g. when the device is handed over. */
export async function deleteEverything(): Promise<void> {
  const d = await opening?.catch(() => undefined);
  d?.close();
  opening = undefined;
  await deleteDB(DB_NAME);
}
