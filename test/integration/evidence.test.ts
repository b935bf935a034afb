import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalSystem } from "../../lib/local/system";
import { Api, type Client, eventually } from "../support/api";
import { tempDataDir } from "../support/local";
import { jpeg, notAnImage, pdf } from "../support/photos";
import { buildWorld, drawOne, type World } from "../support/scenario";
import { startTestSystem } from "../support/system";

/**
 * 取证: real bytes through presigned URLs to the local S3-compatible store, checked by the bucket's
 * own upload event (size, type by magic bytes, SHA-256, EXIF), never on the client's word; the
 * photos then cited by findings, reports and reviews, their hashes in the audit chains.
 */
let system: LocalSystem;
let world: World;
let team: Client;
let unit: Client;
let assignmentId: string;
let unitId: string;

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

interface Upload {
  readonly url: string;
  readonly headers: Record<string, string>;
}

async function ask(client: Client, body: Record<string, unknown>) {
  return client.post("/evidence", body);
}

async function put(upload: Upload, bytes: Buffer, headers = upload.headers) {
  const res = await fetch(upload.url, { method: "PUT", headers, body: bytes });
  return { status: res.status, text: await res.text() };
}

/** The evidence once the upload check has settled it (verified or rejected). */
async function settled(client: Client, evidenceId: string) {
  const res = await eventually(
    () => client.get(`/evidence/${evidenceId}`),
    (r) => r.status === 200 && r.body.status !== "pending",
  );
  return res.body;
}

/** Asks, uploads and waits: the verified evidence. */
async function uploaded(client: Client, body: Record<string, unknown>, bytes: Buffer) {
  const asked = await ask(client, { size: bytes.length, ...body });
  expect(asked.status).toBe(201);
  expect((await put(asked.body.upload, bytes)).status).toBe(200);
  return settled(client, asked.body.evidenceId);
}

const finding = (id = assignmentId) => ({
  subject: { kind: "assignment", id },
  purpose: "finding",
  fileName: "消杀记录本.jpg",
  contentType: "image/jpeg",
});

beforeAll(async () => {
  const dataDir = tempDataDir("evidence");
  system = await startTestSystem({ dataDir });
  world = await buildWorld(new Api(system.url, dataDir), "ev");
  const drawn = await drawOne(world, { candidateUnitIds: [world.units.yatai] });
  assignmentId = drawn.assignment.assignmentId;
  unitId = drawn.assignment.unitId;
  team = world.inspectorFor(drawn.assignment);
  unit = await world.unitUser(unitId);
});

afterAll(async () => {
  await system?.stop();
});

describe("before arrival", () => {
  it("the unit learns nothing, and the team must arrive before taking 问题照片", async () => {
    const forUnit = await ask(unit, { ...finding(), size: 100 });
    expect(forUnit.status).toBe(404);
    const unknown = await ask(unit, { ...finding("00000000-0000-4000-8000-000000000000"), size: 100 });
    expect(forUnit.body).toEqual(unknown.body);
    expect((await unit.get(`/evidence?subjectKind=assignment&subjectId=${assignmentId}`)).status).toBe(404);

    const early = await ask(team, { ...finding(), size: 100 });
    expect(early.status).toBe(409);
    expect(early.body.detail).toMatch(/到达/);

    const arrived = await team.post(`/assignments/${assignmentId}/arrival`, {
      location: { lat: 34.7, lng: 113.7 },
    });
    expect(arrived.status).toBe(200);
  });
});

describe("an inspector's photo from the site", () => {
  it("is uploaded straight to the store, verified from its bytes, with EXIF time and place", async () => {
    const photo = jpeg({
      dateTimeOriginal: "2026:12:03 10:15:30",
      offsetTimeOriginal: "+08:00",
      lat: 34.7001,
      lng: 113.7002,
    });
    const asked = await ask(team, { ...finding(), size: photo.length });
    expect(asked.status).toBe(201);
    expect(asked.body).toMatchObject({ status: "pending", upload: { method: "PUT" } });
    expect(Date.parse(asked.body.expiresAt) - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    expect(asked.body.upload.url).toContain("X-Amz-Signature=");
    expect(asked.body.upload.url).toContain("X-Amz-Expires=900");
    expect(asked.body.upload.url).not.toContain("x-amz-checksum");

    expect((await put(asked.body.upload, photo)).status).toBe(200);
    const e = await settled(team, asked.body.evidenceId);
    expect(e).toMatchObject({
      status: "verified",
      sha256: sha256(photo),
      size: photo.length,
      contentType: "image/jpeg",
      capturedAt: "2026-12-03T02:15:30.000Z",
      location: { lat: 34.7001, lng: 113.7002 },
      captureSource: "exif",
      subject: { kind: "assignment", id: assignmentId },
      purpose: "finding",
    });
    expect(Date.parse(e.downloadExpiresAt) - Date.now()).toBeLessThanOrEqual(5 * 60_000);

    const download = await fetch(e.downloadUrl);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toBe("image/jpeg");
    expect(sha256(Buffer.from(await download.arrayBuffer()))).toBe(sha256(photo));

    // The hash is a link of the assignment's audit chain, and the chain verifies.
    const audit = await world.organizer.get(`/audit/${assignmentId}`);
    expect(audit.body.chain).toEqual({ verified: true });
    const link = audit.body.items.find(
      (i: { action: string; evidenceId?: string }) =>
        i.action === "evidence_verified" && i.evidenceId === e.evidenceId,
    );
    expect(link?.sha256).toBe(sha256(photo));
  });

  it("without an offset, the camera clock is read as China Standard Time; a device's word is used only without EXIF", async () => {
    const noOffset = await uploaded(team, finding(), jpeg({ dateTimeOriginal: "2026:12:01 08:00:00" }));
    expect(noOffset.capturedAt).toBe("2026-12-01T00:00:00.000Z");

    // A photo shrunk by the console has lost its EXIF; the console sends what it read from the original.
    const shrunk = await uploaded(
      team,
      { ...finding(), capturedAt: "2026-12-02T01:00:00Z", location: { lat: 34.71, lng: 113.71 } },
      jpeg(),
    );
    expect(shrunk).toMatchObject({
      capturedAt: "2026-12-02T01:00:00.000Z",
      location: { lat: 34.71, lng: 113.71 },
      captureSource: "device",
    });
    // With EXIF in the file, the file wins over the device's word.
    const both = await uploaded(
      team,
      { ...finding(), capturedAt: "2026-12-02T01:00:00Z" },
      jpeg({ dateTimeOriginal: "2026:12:03 09:00:00", offsetTimeOriginal: "+08:00" }),
    );
    expect(both).toMatchObject({ capturedAt: "2026-12-03T01:00:00.000Z", captureSource: "exif" });
  });
});

describe("bad uploads change nothing", () => {
  it("refuses a type not accepted and a size over 10 MiB before any URL is issued (422, Chinese)", async () => {
    const gif = await ask(team, { ...finding(), contentType: "image/gif", size: 1000 });
    expect(gif.status).toBe(422);
    expect(gif.body.upload).toBeUndefined();
    expect(gif.body.errors[0]).toMatchObject({ path: "body.contentType" });
    expect(gif.body.errors[0].message).toMatch(/JPEG/);
    const big = await ask(team, { ...finding(), size: 10 * 1024 * 1024 + 1 });
    expect(big.status).toBe(422);
    expect(big.body.errors[0].message).toMatch(/10 MiB/);
    const wrongSubject = await ask(team, { ...finding(), purpose: "after", size: 10 });
    expect(wrongSubject.status).toBe(422);
  });

  it("the store refuses bytes of another length or type than was signed", async () => {
    const photo = jpeg();
    const asked = await ask(team, { ...finding(), size: photo.length + 5 });
    expect((await put(asked.body.upload, photo)).status).toBe(403);
    const typed = await ask(team, { ...finding(), size: photo.length });
    expect((await put(typed.body.upload, photo, { "content-type": "image/png" })).status).toBe(403);
    const e = await team.get(`/evidence/${asked.body.evidenceId}`);
    expect(e.body.status).toBe("pending");
    expect(e.body.downloadUrl).toBeUndefined();
  });

  it("bytes that contradict the declared type are rejected and deleted, with the reason in Chinese", async () => {
    const asPng = await ask(team, { ...finding(), contentType: "image/png", size: jpeg().length });
    expect((await put(asPng.body.upload, jpeg())).status).toBe(200);
    const rejected = await settled(team, asPng.body.evidenceId);
    expect(rejected).toMatchObject({ status: "rejected" });
    expect(rejected.reason).toMatch(/JPEG 图片.*PNG 图片/);
    expect(rejected.downloadUrl).toBeUndefined();

    const binary = notAnImage();
    const exe = await ask(team, { ...finding(), size: binary.length });
    await put(exe.body.upload, binary);
    expect((await settled(team, exe.body.evidenceId)).reason).toMatch(/不是可接受的图片或 PDF/);
  });

  it("an expired URL is refused by the store", async () => {
    // The same presigning code, with a one-second life instead of fifteen minutes.
    const { presignUpload } = await import("../../lambdas/shared/object-store");
    const photo = jpeg();
    const asked = await ask(team, { ...finding(), size: photo.length });
    const short = await presignUpload(`uploads/${asked.body.evidenceId}`, "image/jpeg", photo.length, 1);
    await new Promise((r) => setTimeout(r, 2100));
    const res = await put(short, photo);
    expect(res.status).toBe(403);
    expect(res.text).toMatch(/expired/i);
  });

  it("a URL used again cannot replace verified bytes", async () => {
    const first = jpeg({ dateTimeOriginal: "2026:12:03 11:00:00" });
    const asked = await ask(team, { ...finding(), size: first.length });
    await put(asked.body.upload, first);
    const verified = await settled(team, asked.body.evidenceId);
    const second = jpeg({ dateTimeOriginal: "2026:12:03 12:00:00" }); // same length, other bytes
    expect(second.length).toBe(first.length);
    await put(asked.body.upload, second);
    await system.objectStore.drained();
    const after = await team.get(`/evidence/${asked.body.evidenceId}`);
    expect(after.body.sha256).toBe(verified.sha256);
    const bytes = Buffer.from(await (await fetch(after.body.downloadUrl)).arrayBuffer());
    expect(sha256(bytes)).toBe(sha256(first));
  });
});

describe("photos cited by findings, reports and reviews", () => {
  let rectificationId: string;
  let findingPhoto: string;

  it("findings cite only verified 问题照片 of this assignment, at most 20 per issue", async () => {
    const photo = await uploaded(team, finding(), jpeg({ dateTimeOriginal: "2026:12:03 10:20:00" }));
    findingPhoto = photo.evidenceId;
    const pending = await ask(team, { ...finding(), size: 10 });
    const rejectedAsk = await ask(team, {
      ...finding(),
      contentType: "application/pdf",
      size: jpeg().length,
    });
    await put(rejectedAsk.body.upload, jpeg());
    await settled(team, rejectedAsk.body.evidenceId);

    // Another assignment's photo: someone else's evidence.
    const other = await drawOne(world, { candidateUnitIds: [world.units.dongjia] });
    const otherTeam = world.inspectorFor(other.assignment);
    await otherTeam.post(`/assignments/${other.assignment.assignmentId}/arrival`, {
      location: { lat: 34.68, lng: 113.75 },
    });
    const foreign = await uploaded(otherTeam, finding(other.assignment.assignmentId), jpeg());

    const issue = { description: "消杀记录不详", severity: "major" };
    const refused = await team.post(`/assignments/${assignmentId}/findings`, {
      items: [{ code: "A2", deduction: 5, evidenceIds: [pending.body.evidenceId] }],
      issues: [
        { ...issue, evidenceIds: [foreign.evidenceId, rejectedAsk.body.evidenceId] },
        { ...issue, evidenceIds: Array.from({ length: 21 }, () => findingPhoto) },
      ],
    });
    expect(refused.status).toBe(422);
    const messages = Object.fromEntries(
      refused.body.errors.map((e: { path: string; message: string }) => [e.path, e.message]),
    );
    expect(messages["body.items.0.evidenceIds.0"]).toMatch(/尚未/);
    expect(messages["body.issues.0.evidenceIds.0"]).toMatch(/不是本事项/);
    expect(messages["body.issues.0.evidenceIds.1"]).toMatch(/未通过校验/);
    expect(messages["body.issues.1.evidenceIds"]).toMatch(/最多 20/);
    expect((await team.get(`/assignments/${assignmentId}`)).body.status).toBe("on_site");

    const accepted = await team.post(`/assignments/${assignmentId}/findings`, {
      items: [{ code: "A2", deduction: 5, evidenceIds: [findingPhoto] }],
      issues: [{ ...issue, itemCode: "A2", evidenceIds: [findingPhoto] }],
    });
    expect(accepted.status).toBe(202);
    rectificationId = accepted.body.rectificationIds[0];
    const order = await unit.get(`/rectifications/${rectificationId}`);
    expect(order.body.beforeEvidenceIds).toEqual([findingPhoto]);
    const a = await world.organizer.get(`/assignments/${assignmentId}`);
    expect(a.body.findings.items[0].evidenceIds).toEqual([findingPhoto]);
    const audit = await world.organizer.get(`/audit/${rectificationId}`);
    expect(audit.body.items[0].evidence).toEqual([{ evidenceId: findingPhoto, sha256: photo.sha256 }]);
  });

  it("the unit reports with 整改后 proof; the order's history shows which photo came when", async () => {
    // The unit's user sees the inspector's photo of its own order, after arrival.
    expect((await unit.get(`/evidence/${findingPhoto}`)).status).toBe(200);
    const other = await world.unitUser(world.units.dongjia);
    expect((await other.get(`/evidence/${findingPhoto}`)).status).toBe(404);
    expect(
      (
        await ask(other, {
          subject: { kind: "rectification", id: rectificationId },
          purpose: "after",
          fileName: "a.pdf",
          contentType: "application/pdf",
          size: 10,
        })
      ).status,
    ).toBe(404);
    const notUnit = await ask(team, {
      subject: { kind: "rectification", id: rectificationId },
      purpose: "after",
      fileName: "整改后.pdf",
      contentType: "application/pdf",
      size: 10,
    });
    expect(notUnit.status).toBe(403);

    const proof = await uploaded(
      unit,
      {
        subject: { kind: "rectification", id: rectificationId },
        purpose: "after",
        fileName: "整改后.pdf",
        contentType: "application/pdf",
      },
      pdf(),
    );
    expect(proof).toMatchObject({ status: "verified", contentType: "application/pdf" });
    expect(proof.capturedAt).toBeUndefined();

    const wrongPurpose = await unit.post(`/rectifications/${rectificationId}/report`, {
      description: "已补齐消杀记录",
      evidenceIds: [findingPhoto],
    });
    expect(wrongPurpose.status).toBe(422);
    const reported = await unit.post(`/rectifications/${rectificationId}/report`, {
      description: "已补齐消杀记录",
      evidenceIds: [proof.evidenceId],
    });
    expect(reported.status).toBe(200);
    expect(reported.body.report.evidenceIds).toEqual([proof.evidenceId]);
    const added = reported.body.history.find((h: { action: string }) => h.action === "evidence_added");
    expect(added).toMatchObject({
      evidenceIds: [proof.evidenceId],
      purpose: "after",
      actor: `${unitId}-head`,
    });

    const list = await world.organizer.get(
      `/evidence?subjectKind=rectification&subjectId=${rectificationId}`,
    );
    expect(list.body.items.map((e: { evidenceId: string }) => e.evidenceId)).toEqual([proof.evidenceId]);
  });

  it("the reviewer compares and accepts with a photo of their own (回头看)", async () => {
    const look = await uploaded(
      team,
      {
        subject: { kind: "rectification", id: rectificationId },
        purpose: "review",
        fileName: "回头看.jpg",
        contentType: "image/jpeg",
      },
      jpeg({ dateTimeOriginal: "2026:12:04 09:00:00", offsetTimeOriginal: "+08:00" }),
    );
    const review = await team.post(`/rectifications/${rectificationId}/review`, {
      decision: "accept",
      comment: "现场复核已整改",
      evidenceIds: [look.evidenceId],
    });
    expect(review.status).toBe(200);
    expect(review.body.status).toBe("closed");
    const audit = await world.organizer.get(`/audit/${rectificationId}`);
    expect(audit.body.chain).toEqual({ verified: true });
    const accepted = audit.body.items.find((i: { action: string }) => i.action === "accepted");
    expect(accepted.evidence).toEqual([{ evidenceId: look.evidenceId, sha256: look.sha256 }]);
    // A closed order takes no more material.
    const late = await ask(unit, {
      subject: { kind: "rectification", id: rectificationId },
      purpose: "after",
      fileName: "迟到.jpg",
      contentType: "image/jpeg",
      size: 100,
    });
    expect(late.status).toBe(409);
  });
});
