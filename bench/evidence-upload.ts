import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { chromium } from "playwright-core";
import { jpeg } from "../test/support/photos";
import { buildWorld, runMain, startBench, stopBench } from "./drive";
import { log, median } from "./stats";

/**
 * Phase 5, evidence over a slow link: five 400 KB photos uploaded from headless Chromium with the
 * network throttled to a 3G profile (1.6 Mbps down, 750 kbps up, 150 ms round trip), the way the
 * console uploads them — POST /evidence, PUT to the presigned URL, then GET /evidence/{id} until the
 * upload check has verified it. Reported beside the floor of the same link: the time the bytes alone
 * take at 750 kbps. The bytes go to the object store, never through a handler: the phase counts the
 * handler invocations and the bytes of every API request, per photo.
 */

const PHOTOS = 5;
const PHOTO_BYTES = 400 * 1024;
const LINK = { latencyMs: 150, downKbps: 1600, upKbps: 750 };
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export interface EvidenceUploadResult {
  readonly photos: number;
  readonly bytesPerPhoto: number;
  readonly link: typeof LINK;
  /** Wall time from the first POST to the last photo verified, all five at once. */
  readonly allSeconds: number;
  /** The same, one photo at a time (a median of the five). */
  readonly onePhotoSecondsMedian: number;
  /** The bytes of five photos at the uplink's rate, no overhead: the floor. */
  readonly floorSeconds: number;
  readonly apiRequests: number;
  readonly apiRequestBytes: number;
  readonly checkInvocations: number;
  readonly verified: number;
}

interface BrowserRun {
  readonly seconds: number;
  readonly times: number[];
  readonly verified: number;
  readonly requests: number;
  readonly requestBytes: number;
}

/**
 * What the page runs, as the console does it (plain JavaScript: it is sent to the browser as text,
 * untouched by the TypeScript loader's helpers).
 */
const BROWSER_UPLOAD = `async ({ token, assignmentId, bytes, count, parallel }) => {
  const body = Uint8Array.from(atob(bytes), (c) => c.charCodeAt(0));
  let requests = 0;
  let requestBytes = 0;
  const api = async (method, path, json) => {
    const text = json === undefined ? undefined : JSON.stringify(json);
    requests++;
    requestBytes += text ? text.length : 0;
    const headers = { authorization: "Bearer " + token };
    if (text) headers["content-type"] = "application/json";
    const res = await fetch(path, { method, headers, body: text });
    return res.json();
  };
  const one = async (i) => {
    const asked = await api("POST", "/evidence", {
      subject: { kind: "assignment", id: assignmentId },
      purpose: "finding",
      fileName: "现场照片" + i + ".jpg",
      contentType: "image/jpeg",
      size: body.length,
    });
    const put = await fetch(asked.upload.url, { method: "PUT", headers: asked.upload.headers, body });
    if (put.status !== 200) throw new Error("PUT " + put.status);
    for (;;) {
      const e = await api("GET", "/evidence/" + asked.evidenceId);
      if (e.status === "verified") return 1;
      if (e.status === "rejected") throw new Error(e.reason);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const started = performance.now();
  const times = [];
  let verified = 0;
  if (parallel) verified = (await Promise.all(Array.from({ length: count }, (_, i) => one(i)))).length;
  else
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      verified += await one(i);
      times.push((performance.now() - t) / 1000);
    }
  return { seconds: (performance.now() - started) / 1000, times, verified, requests, requestBytes };
}`;

/** A real JPEG padded to `size` with application segments of random bytes (as a camera's maker notes are). */
function photoOf(size: number): Buffer {
  const base = jpeg({ dateTimeOriginal: "2026:12:03 10:00:00", offsetTimeOriginal: "+08:00" });
  const segments: Buffer[] = [];
  let remaining = size - base.length;
  while (remaining > 4) {
    const body = Math.min(60_000, remaining - 4);
    const head = Buffer.alloc(4);
    head.writeUInt16BE(0xffef, 0);
    head.writeUInt16BE(body + 2, 2);
    segments.push(head, randomBytes(body));
    remaining -= body + 4;
  }
  return Buffer.concat([base.subarray(0, 2), ...segments, base.subarray(2)]);
}

async function main() {
  const bench = await startBench("evidence");
  const world = await buildWorld(bench.api, "ev");
  const planned = await world.organizer.post("/spot-checks", {
    title: "取证上传测速",
    templateId: world.templateId,
    candidateUnitIds: [world.units.yatai],
    sampleSize: 1,
    inspectorIds: Object.keys(world.inspectors).filter((id) => !id.endsWith("minghu")),
    teamSize: 1,
    window: {
      start: new Date(Date.now() - 60_000).toISOString(),
      end: new Date(Date.now() + 86_400_000).toISOString(),
    },
  });
  const drawn = await world.organizer.post(`/spot-checks/${planned.body.spotCheckId}/draw`);
  const assignment = drawn.body.assignments[0];
  const team = world.inspectorFor(assignment);
  await team.post(`/assignments/${assignment.assignmentId}/arrival`, { location: { lat: 34.7, lng: 113.7 } });

  const store = bench.system.objectStore;

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`${bench.system.url}/health`);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: LINK.latencyMs,
      downloadThroughput: (LINK.downKbps * 1000) / 8,
      uploadThroughput: (LINK.upKbps * 1000) / 8,
    });
    const photo = photoOf(PHOTO_BYTES);
    const upload = (count: number, parallel: boolean): Promise<BrowserRun> =>
      page.evaluate(
        `(${BROWSER_UPLOAD})(${JSON.stringify({
          token: team.bearer ?? "",
          assignmentId: assignment.assignmentId,
          bytes: photo.toString("base64"),
          count,
          parallel,
        })})`,
      );

    const before = store.invocations();
    log(`uploading ${PHOTOS} photos of ${PHOTO_BYTES / 1024} KB at once over the 3G profile`);
    const all = await upload(PHOTOS, true);
    await store.drained();
    const checkInvocations = store.invocations() - before;
    log(`all at once: ${all.seconds.toFixed(1)} s, ${all.verified} verified`);
    log("uploading them one at a time");
    const sequential = await upload(PHOTOS, false);
    const floorSeconds = (PHOTOS * photo.length * 8) / (LINK.upKbps * 1000);
    const result: EvidenceUploadResult = {
      photos: PHOTOS,
      bytesPerPhoto: photo.length,
      link: LINK,
      allSeconds: all.seconds,
      onePhotoSecondsMedian: median(sequential.times),
      floorSeconds,
      apiRequests: all.requests,
      apiRequestBytes: all.requestBytes,
      checkInvocations,
      verified: all.verified,
    };
    writeFileSync(process.argv[2] ?? "evidence-upload.json", JSON.stringify(result, null, 2));
  } finally {
    await browser.close();
    await stopBench(bench);
  }
}

runMain(main);
