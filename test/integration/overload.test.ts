import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isoIn } from "../support/api";
import { useLocalWorld } from "../support/system";

/**
 * Overload at the local gateway (issue 19, item 6; lib/local/concurrency.ts): more writes at once than
 * the functions may run are shed before they run — 429, `Retry-After`, an RFC 9457 problem people can
 * read — instead of all slowing down past their timeout. A shed write changed nothing: sent again
 * later with its Idempotency-Key it takes effect exactly once. Two may run at once here and two wait,
 * so a burst of thirty must shed.
 */
const LIMITS = { account: 2, maxWaitMs: 5_000, maxQueued: 2 };
const BURST = 30;
const HAN = /[\u4e00-\u9fff]/;

const ctx = useLocalWorld("overload", "ovl", { concurrency: LIMITS });

interface Answer {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly contentType: string;
  readonly body: any;
}

describe("overload at the local gateway", () => {
  it("sheds what it cannot run with 429 + Retry-After + a problem, changes nothing for it, and times nothing out", async () => {
    const { world, system } = ctx;
    const prefix = `过载-${randomUUID().slice(0, 8)}`;
    // The same body each time a key is sent (another body with the key would be a 422).
    const window = { start: isoIn(-60_000), end: isoIn(24 * 3600_000) };
    const plan = (i: number) => ({
      title: `${prefix}-${i}`,
      templateId: world.templateId,
      candidateUnitIds: [world.units.yatai],
      sampleSize: 1,
      inspectorIds: Object.keys(world.inspectors).filter((id) => !id.endsWith("minghu")),
      teamSize: 2,
      window,
    });
    const keys = Array.from({ length: BURST }, () => randomUUID());
    const send = async (i: number): Promise<Answer> => {
      const res = await fetch(`${system.url}/spot-checks`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${world.organizer.bearer}`,
          "content-type": "application/json",
          "idempotency-key": keys[i] as string,
        },
        body: JSON.stringify(plan(i)),
      });
      const text = await res.text();
      return {
        status: res.status,
        retryAfter: res.headers.get("retry-after"),
        contentType: res.headers.get("content-type") ?? "",
        body: text ? JSON.parse(text) : undefined,
      };
    };
    const before = system.overloadStats();

    const burst = await Promise.all(Array.from({ length: BURST }, (_, i) => send(i)));

    // Each answer is either the write done or the write shed: no timeout, no 5xx.
    expect(burst.map((a) => a.status).filter((s) => s !== 201 && s !== 429)).toEqual([]);
    const shed = burst.flatMap((a, i) => (a.status === 429 ? [i] : []));
    const done = burst.flatMap((a, i) => (a.status === 201 ? [i] : []));
    expect(shed.length).toBeGreaterThan(0);
    expect(done.length).toBeGreaterThan(0);
    for (const i of shed) {
      const a = burst[i] as Answer;
      expect(a.retryAfter).toMatch(/^[1-9]\d*$/);
      expect(a.contentType).toContain("application/problem+json");
      expect(a.body).toMatchObject({ type: "urn:spot-inspections:problem:throttled", status: 429 });
      expect(a.body.title).toMatch(HAN);
      expect(a.body.detail).toMatch(HAN);
    }
    const after = system.overloadStats();
    expect(after.throttled.account - before.throttled.account).toBe(shed.length);
    expect(after.timedOut).toBe(before.timedOut);

    // Nothing shed was written: only the done ones are there.
    const titles = async () =>
      ((await world.organizer.get("/spot-checks?limit=200")).body.items as { title: string }[])
        .map((s) => s.title)
        .filter((t) => t.startsWith(prefix))
        .sort();
    expect(await titles()).toEqual(done.map((i) => `${prefix}-${i}`).sort());

    // The shed ones, sent again after Retry-After with their keys, each take effect; sent once more,
    // every key answers its first spot check again and nothing is written twice.
    const firstIds = new Map<number, string>(done.map((i) => [i, (burst[i] as Answer).body.spotCheckId]));
    const told = Math.max(...shed.map((i) => Number((burst[i] as Answer).retryAfter)));
    await new Promise((r) => setTimeout(r, told * 1000));
    for (const i of shed) {
      const again = await send(i);
      expect(again.status).toBe(201);
      firstIds.set(i, again.body.spotCheckId);
    }
    for (let i = 0; i < BURST; i++) {
      const replay = await send(i);
      expect(replay.status).toBe(201);
      expect(replay.body.spotCheckId).toBe(firstIds.get(i));
    }
    expect(await titles()).toEqual(Array.from({ length: BURST }, (_, i) => `${prefix}-${i}`).sort());
    expect(new Set(firstIds.values()).size).toBe(BURST);
    expect(system.overloadStats().timedOut).toBe(0);
  });
});
