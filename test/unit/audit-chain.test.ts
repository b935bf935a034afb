import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AuditContent,
  type ChainLink,
  canonicalJson,
  nextLink,
  verifyChain,
} from "../../lambdas/domain/audit-chain";

function chain(contents: AuditContent[]): (AuditContent & ChainLink)[] {
  const out: (AuditContent & ChainLink)[] = [];
  for (const c of contents) out.push({ ...c, ...nextLink(out[out.length - 1] ?? null, c) });
  return out;
}

const content = fc.record({
  entityId: fc.constant("a-1"),
  at: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  actor: fc.string({ minLength: 1 }),
  action: fc.constantFrom("arrived", "findings_submitted", "read_before_arrival", "reported"),
  detail: fc.option(fc.dictionary(fc.string(), fc.jsonValue()), { nil: undefined }),
});

describe("the audit hash chain", () => {
  it("verifies any chain built link by link, from its start or from any event inside it", () => {
    fc.assert(
      fc.property(fc.array(content, { minLength: 1, maxLength: 12 }), fc.nat(), (contents, cut) => {
        const events = chain(contents);
        expect(verifyChain(events, null)).toEqual({ verified: true });
        const i = cut % events.length;
        expect(verifyChain(events.slice(i + 1), events[i] ?? null)).toEqual({ verified: true });
      }),
    );
  });

  it("breaks at the first edited, removed or re-ordered event", () => {
    fc.assert(
      fc.property(fc.array(content, { minLength: 3, maxLength: 10 }), fc.nat(), (contents, pick) => {
        const events = chain(contents);
        const i = pick % events.length;
        const edited = events.map((e, j) => (j === i ? { ...e, actor: `${e.actor}!` } : e));
        expect(verifyChain(edited, null)).toEqual({ verified: false, brokenAt: i + 1 });
        const removed = events.filter((_, j) => j !== i);
        if (i < events.length - 1) expect(verifyChain(removed, null)).toMatchObject({ verified: false });
        const swapped = [...events];
        [swapped[0], swapped[1]] = [
          swapped[1] as (typeof events)[number],
          swapped[0] as (typeof events)[number],
        ];
        expect(verifyChain(swapped, null)).toMatchObject({ verified: false, brokenAt: events[1]?.seq });
      }),
    );
  });

  it("hashes content independently of key order", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}',
    );
  });
});
