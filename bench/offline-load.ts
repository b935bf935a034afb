import { rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, type CDPSession, chromium, type Page } from "playwright-core";
import { buildConsole } from "../test/support/console";
import { buildWorld, runMain, startBench, stopBench } from "./drive";
import { log, median } from "./stats";

/**
 * Phase 7, the inspector's page over a slow link (issue 14): headless Chromium on a phone viewport
 * with the network throttled by the DevTools protocol to a 3G profile (1.6 Mbps down, 750 kbps up,
 * 150 ms round trip) opens an assignment on site — the checklist of the console's offline-first
 * build, served compressed as CloudFront serves it — first with nothing cached (a new profile), then
 * again in the same profile once the service worker has installed (warm: the shell from the worker's
 * precache, the API over the link). Per load: the largest contentful paint, the time the checklist
 * could be used, and the script the page fetched over the network (compressed bytes on the wire).
 * Goals: 2.5 s cold, 1 s warm, at most 60 KB of compressed script for the route. Not a timed test.
 */

const LINK = { latencyMs: 150, downKbps: 1600, upKbps: 750 };
const RUNS = 3;
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const GOALS = { coldLcpMs: 2500, warmLcpMs: 1000, scriptKb: 60 };

export interface LoadFigures {
  /** Largest contentful paint, ms after navigation start. */
  readonly lcpMs: number;
  /** When the checklist was in the page (usable), ms after navigation start. */
  readonly usableMs: number;
  /** Compressed bytes of script fetched over the network (headers included), and of everything. */
  readonly scriptBytes: number;
  readonly totalBytes: number;
  readonly scripts: { readonly url: string; readonly bytes: number }[];
}

export interface OfflineLoadResult {
  readonly link: typeof LINK;
  readonly runs: number;
  readonly goals: typeof GOALS;
  readonly cold: LoadFigures[];
  readonly warm: LoadFigures[];
  readonly medians: {
    readonly coldLcpMs: number;
    readonly warmLcpMs: number;
    readonly coldUsableMs: number;
    readonly warmUsableMs: number;
    readonly coldScriptBytes: number;
    readonly warmScriptBytes: number;
  };
  /** sw.js as the browser downloads it (brotli), fetched after the page has loaded. */
  readonly serviceWorkerBytes: number;
}

/** Installed before any script of the page: when the checklist first appears. */
const WATCH_CHECKLIST = `
  new MutationObserver((_, observer) => {
    if (document.querySelector("ol.checklist li")) {
      window.__usableAt = performance.now();
      observer.disconnect();
    }
  }).observe(document, { subtree: true, childList: true });
`;

/** The page's last largest-contentful-paint entry (the final one: no input has happened). */
const READ_LCP = `new Promise((resolve) => {
  new PerformanceObserver((list) => {
    const entries = list.getEntries();
    resolve(entries[entries.length - 1].startTime);
  }).observe({ type: "largest-contentful-paint", buffered: true });
})`;

async function throttle(page: Page): Promise<CDPSession> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: LINK.latencyMs,
    downloadThroughput: (LINK.downKbps * 1000) / 8,
    uploadThroughput: (LINK.upKbps * 1000) / 8,
  });
  return cdp;
}

/** Opens the assignment in a new page of this context over the throttled link, and measures it. */
async function load(context: BrowserContext, url: string): Promise<LoadFigures> {
  const page = await context.newPage();
  const cdp = await throttle(page);
  const types = new Map<string, { url: string; type: string; local: boolean }>();
  const bytes = new Map<string, number>();
  cdp.on("Network.responseReceived", (e) =>
    types.set(e.requestId, {
      url: e.response.url,
      type: e.type,
      // Answered on the device (the worker's precache, the HTTP cache): nothing crossed the link.
      local: Boolean(
        e.response.fromServiceWorker || e.response.fromDiskCache || e.response.fromPrefetchCache,
      ),
    }),
  );
  cdp.on("Network.loadingFinished", (e) => bytes.set(e.requestId, e.encodedDataLength));
  await page.goto(url);
  await page.locator("ol.checklist li").first().waitFor({ timeout: 60_000 });
  await page.waitForLoadState("networkidle");
  await page.waitForTimeout(500);
  const lcpMs = (await page.evaluate(READ_LCP)) as number;
  const usableMs = (await page.evaluate("window.__usableAt")) as number;
  const scripts: { url: string; bytes: number }[] = [];
  let totalBytes = 0;
  for (const [id, size] of bytes) {
    const what = types.get(id);
    if (what?.local) continue;
    totalBytes += size;
    if (what?.type === "Script" && size > 0) scripts.push({ url: new URL(what.url).pathname, bytes: size });
  }
  await cdp.detach();
  await page.close();
  return {
    lcpMs,
    usableMs,
    scriptBytes: scripts.reduce((s, x) => s + x.bytes, 0),
    totalBytes,
    scripts,
  };
}

async function controlled(context: BrowserContext, url: string): Promise<void> {
  const page = await context.newPage();
  await page.goto(url);
  const started = Date.now();
  while (!(await page.evaluate("Boolean(navigator.serviceWorker && navigator.serviceWorker.controller)"))) {
    if (Date.now() - started > 60_000) throw new Error("the service worker never took the page");
    await page.waitForTimeout(250);
  }
  await page.waitForLoadState("networkidle");
  await page.close();
}

async function main() {
  const consoleDir = buildConsole("bench-offline");
  const bench = await startBench("offline");
  let browser: Browser | undefined;
  try {
    const world = await buildWorld(bench.api, "ol");
    const planned = await world.organizer.post("/spot-checks", {
      title: "离线首屏测速",
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
    await team.post(`/assignments/${assignment.assignmentId}/arrival`, {
      location: { lat: 34.7, lng: 113.7 },
    });
    const url = `${bench.system.url}/#/assignments/${assignment.assignmentId}`;

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--lang=zh-CN",
      ],
    });
    const phone = async () => {
      const context = await browser!.newContext({
        viewport: { width: 390, height: 844 },
        isMobile: true,
        hasTouch: true,
        deviceScaleFactor: 2,
        locale: "zh-CN",
        timezoneId: "Asia/Shanghai",
      });
      await context.addInitScript((token) => localStorage.setItem("spot.console.token", token), team.bearer!);
      await context.addInitScript({ content: WATCH_CHECKLIST });
      return context;
    };

    const cold: LoadFigures[] = [];
    const warm: LoadFigures[] = [];
    for (let run = 1; run <= RUNS; run++) {
      // A new profile: no HTTP cache, no service worker, nothing kept on the device.
      const context = await phone();
      const first = await load(context, url);
      cold.push(first);
      log(
        `cold ${run}: LCP ${first.lcpMs.toFixed(0)} ms, checklist at ${first.usableMs.toFixed(0)} ms, script ${(first.scriptBytes / 1024).toFixed(1)} KB over the link`,
      );
      // The service worker installs after the load; then the same profile opens the page again.
      await controlled(context, url);
      const again = await load(context, url);
      warm.push(again);
      log(
        `warm ${run}: LCP ${again.lcpMs.toFixed(0)} ms, checklist at ${again.usableMs.toFixed(0)} ms, script ${(again.scriptBytes / 1024).toFixed(1)} KB over the link`,
      );
      await context.close();
    }

    const sw = await fetch(`${bench.system.url}/sw.js`, { headers: { "accept-encoding": "br" } });
    // fetch decompresses the body; the header tells what crossed the wire.
    const serviceWorkerBytes = Number(
      sw.headers.get("content-length") ?? (await sw.arrayBuffer()).byteLength,
    );
    const result: OfflineLoadResult = {
      link: LINK,
      runs: RUNS,
      goals: GOALS,
      cold,
      warm,
      medians: {
        coldLcpMs: median(cold.map((c) => c.lcpMs)),
        warmLcpMs: median(warm.map((c) => c.lcpMs)),
        coldUsableMs: median(cold.map((c) => c.usableMs)),
        warmUsableMs: median(warm.map((c) => c.usableMs)),
        coldScriptBytes: median(cold.map((c) => c.scriptBytes)),
        warmScriptBytes: median(warm.map((c) => c.scriptBytes)),
      },
      serviceWorkerBytes,
    };
    // The sizes as built, for the record: every chunk the cold load fetched.
    for (const s of cold[0]?.scripts ?? [])
      log(
        `  ${s.url}: ${(s.bytes / 1024).toFixed(1)} KB on the wire, ${(statSync(join(consoleDir, s.url)).size / 1024).toFixed(1)} KB built`,
      );
    writeFileSync(process.argv[2] ?? "offline-load.json", JSON.stringify(result, null, 2));
  } finally {
    await browser?.close();
    await stopBench(bench);
    rmSync(consoleDir, { recursive: true, force: true });
  }
}

runMain(main);
