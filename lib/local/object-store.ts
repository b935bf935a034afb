import { randomUUID } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import S3rver from "@20minutes/s3rver";
import { freePort } from "./dynamodb-local";
import type { LocalBucket } from "./template";

/**
 * The stack's S3 bucket(s) on this machine: @20minutes/s3rver, in-process, keeping its files under
 * DATA_DIR. It is the one local S3 store that checks what real S3 checks of a presigned URL — the
 * signature, the expiry, and the signed Content-Type and Content-Length — so the same
 * `@aws-sdk/client-s3` code presigns for both targets (docs/evidence.md says why this store).
 *
 * The bucket's "Object Created" events (the template's EventBridge rules on them) are played like
 * EventBridge plays them to Lambda, asynchronously and at least once: each event is first written
 * to a queue under DATA_DIR, then the function is invoked, retried, and set aside under `failed/`
 * if it still fails (the dead-letter queue). At start, queued events are delivered again, and an object under a notified
 * prefix that has no event (a crash between the store's write and the event) gets one.
 */
export interface LocalObjectStoreOptions {
  readonly dataDir: string;
  /** The buckets of the template, each under its local name. */
  readonly buckets: readonly LocalBucket[];
  /** The credentials the handlers sign with (`AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`). */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly invoke: (functionLogicalId: string, event: unknown) => Promise<unknown>;
  readonly log?: (line: string) => void;
  readonly host?: string;
  /** Delays before the retries of a failed delivery (Lambda's asynchronous invocation retries twice). */
  readonly retryDelaysMs?: readonly number[];
}

export interface LocalObjectStore {
  readonly endpoint: string;
  /** Starts serving, with the bucket's CORS rules granted to these origins (the local console). */
  start(consoleOrigins: readonly string[]): Promise<void>;
  /** How many times a function was invoked with an object event (retries included). */
  readonly invocations: () => number;
  /** Resolves once every event queued so far has been delivered or set aside. */
  drained(): Promise<void>;
  stop(): Promise<void>;
}

interface QueuedEvent {
  readonly id: string;
  readonly functionLogicalId: string;
  readonly event: unknown;
}

const escapeXml = (s: string) =>
  s.replace(
    /[<>&'"]/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c] ?? c,
  );

/** S3's CORS XML for a bucket's rules, with the console's origin played by the local server. */
export function corsXml(bucket: LocalBucket, origins: readonly string[]): string {
  const rules = bucket.cors.map((rule) =>
    [
      "<CORSRule>",
      ...origins.map((o) => `<AllowedOrigin>${escapeXml(o)}</AllowedOrigin>`),
      ...rule.allowedMethods.map((m) => `<AllowedMethod>${escapeXml(m)}</AllowedMethod>`),
      ...rule.allowedHeaders.map((h) => `<AllowedHeader>${escapeXml(h)}</AllowedHeader>`),
      ...rule.exposedHeaders.map((h) => `<ExposeHeader>${escapeXml(h)}</ExposeHeader>`),
      ...(rule.maxAge !== undefined ? [`<MaxAgeSeconds>${rule.maxAge}</MaxAgeSeconds>`] : []),
      "</CORSRule>",
    ].join(""),
  );
  return `<CORSConfiguration>${rules.join("")}</CORSConfiguration>`;
}

/** The "Object Created" event of one object, as S3 sends it to EventBridge. */
function objectCreatedEvent(bucket: string, key: string, size: number, reason: string) {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "Object Created",
    source: "aws.s3",
    account: "000000000000",
    time: new Date().toISOString(),
    region: "local",
    resources: [`arn:aws:s3:::${bucket}`],
    detail: { version: "0", bucket: { name: bucket }, object: { key, size }, reason },
  };
}

export async function createLocalObjectStore(options: LocalObjectStoreOptions): Promise<LocalObjectStore> {
  const log = options.log ?? (() => undefined);
  const host = options.host ?? "127.0.0.1";
  const port = await freePort();
  const directory = join(options.dataDir, "objects");
  const queueDir = join(options.dataDir, "object-events");
  const failedDir = join(queueDir, "failed");
  mkdirSync(directory, { recursive: true });
  mkdirSync(failedDir, { recursive: true });
  const retryDelays = options.retryDelaysMs ?? [1000, 5000];

  // The handlers sign with the process's credentials; the store accepts only that key pair.
  const require = createRequire(import.meta.url);
  const account: typeof import("@20minutes/s3rver/lib/models/account.js") = require("@20minutes/s3rver/lib/models/account.js");
  account.DUMMY_ACCOUNT.createKeyPair(options.credentials.accessKeyId, options.credentials.secretAccessKey);

  let server: S3rver | undefined;
  const inFlight = new Set<Promise<void>>();
  let stopping = false;
  let invocations = 0;

  const deliver = async (queued: QueuedEvent, file: string) => {
    for (let attempt = 0; ; attempt++) {
      try {
        invocations++;
        await options.invoke(queued.functionLogicalId, queued.event);
        rmSync(file, { force: true });
        return;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const delay = retryDelays[attempt];
        if (delay === undefined || stopping) {
          if (!stopping) {
            log(`object event for ${queued.functionLogicalId} failed after retries: ${message}`);
            renameSync(file, join(failedDir, `${queued.id}.json`));
          }
          return;
        }
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  };

  const enqueue = (functionLogicalId: string, event: unknown) => {
    const queued: QueuedEvent = { id: `${Date.now()}-${randomUUID()}`, functionLogicalId, event };
    const file = join(queueDir, `${queued.id}.json`);
    writeFileSync(file, JSON.stringify(queued));
    track(deliver(queued, file));
  };

  const track = (p: Promise<void>) => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };

  const onObjectEvent = (raw: unknown) => {
    const record = (raw as { Records?: { eventName?: string; s3?: Record<string, unknown> }[] })
      ?.Records?.[0];
    const bucketName = (record?.s3?.bucket as { name?: string } | undefined)?.name;
    const object = record?.s3?.object as { key?: string; size?: number } | undefined;
    const eventName = record?.eventName ?? "";
    if (!bucketName || typeof object?.key !== "string") return;
    const bucket = options.buckets.find((b) => b.name === bucketName);
    if (!eventName.startsWith("ObjectCreated:")) return;
    const reason = eventName === "ObjectCreated:Copy" ? "CopyObject" : "PutObject";
    for (const n of bucket?.notifications ?? []) {
      if (!n.events.includes("Object Created")) continue;
      if (n.prefix && !object.key.startsWith(n.prefix)) continue;
      enqueue(n.functionLogicalId, objectCreatedEvent(bucketName, object.key, object.size ?? 0, reason));
    }
  };

  return {
    endpoint: `http://${host}:${port}`,
    invocations: () => invocations,
    async start(consoleOrigins) {
      server = new S3rver({
        address: host,
        port,
        directory,
        silent: true,
        vhostBuckets: false,
        configureBuckets: options.buckets.map((b) => ({
          name: b.name,
          configs: b.cors.length > 0 ? [corsXml(b, consoleOrigins)] : [],
        })),
      });
      server.on("event", onObjectEvent);
      await server.run();

      // Events queued before a stop or crash are delivered again (the check is idempotent) ...
      const queued = readdirSync(queueDir).filter((f) => f.endsWith(".json"));
      const pendingKeys = new Set<string>();
      for (const f of queued) {
        const file = join(queueDir, f);
        const item = JSON.parse(readFileSync(file, "utf8")) as QueuedEvent;
        const key = (item.event as { detail?: { object?: { key?: string } } }).detail?.object?.key;
        if (key) pendingKeys.add(key);
        track(deliver(item, file));
      }
      // ... and an object that was stored but never announced gets its event now.
      for (const bucket of options.buckets) {
        for (const n of bucket.notifications) {
          const { objects } = await server.store.listObjects(bucket.name, { prefix: n.prefix ?? "" });
          for (const o of objects) {
            if (pendingKeys.has(o.key)) continue;
            enqueue(n.functionLogicalId, objectCreatedEvent(bucket.name, o.key, o.size, "PutObject"));
          }
        }
      }
      if (queued.length > 0) log(`redelivering ${queued.length} object event(s)`);
    },
    async drained() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    async stop() {
      stopping = true;
      if (server?.httpServer) {
        server.httpServer.closeAllConnections();
        await server.close();
      }
      await Promise.all([...inFlight]);
    },
  };
}
