import { describe, expect, it } from "vitest";
import { relayedChanges } from "../../lambdas/workflow/relay";
import { assertSupportedPattern, matchesAnyFilter, matchesPattern } from "../../lib/local/event-filter";

/** A stream record as Lambda hands it over: new and old images in DynamoDB JSON. */
function change(
  eventName: "INSERT" | "MODIFY" | "REMOVE",
  sk: string,
  oldImage: Record<string, unknown> | undefined,
  newImage: Record<string, unknown> | undefined,
) {
  const image = (fields: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries({ pk: "X#1", sk, ...fields }).map(([k, v]) => [
        k,
        typeof v === "boolean" ? { BOOL: v } : { S: String(v) },
      ]),
    );
  return {
    eventName,
    dynamodb: {
      Keys: { pk: { S: "X#1" }, sk: { S: sk } },
      ...(oldImage ? { OldImage: image(oldImage) } : {}),
      ...(newImage ? { NewImage: image(newImage) } : {}),
    },
  };
}

const relays = (record: unknown) => matchesAnyFilter(relayedChanges, record);

describe("the changes the relay is invoked for", () => {
  it("are the human steps a callback task waits for", () => {
    expect(relays(change("MODIFY", "#ASSIGNMENT", { status: "on_site" }, { status: "scored" }))).toBe(true);
    expect(relays(change("MODIFY", "#ASSIGNMENT", { status: "on_site" }, { status: "closed" }))).toBe(true);
    expect(relays(change("MODIFY", "#RECT", { status: "open" }, { status: "submitted" }))).toBe(true);
    expect(relays(change("MODIFY", "#RECT", { status: "submitted" }, { status: "closed" }))).toBe(true);
    expect(relays(change("MODIFY", "#RECT", { status: "submitted" }, { status: "open" }))).toBe(true);
  });

  it("and a draw's outbox entry", () => {
    expect(
      relays(
        change(
          "MODIFY",
          "#SPOTCHECK",
          { status: "planned" },
          { status: "dispatched", pendingDispatch: true },
        ),
      ),
    ).toBe(true);
    // The dispatch completed: the outbox entry is gone.
    expect(
      relays(
        change(
          "MODIFY",
          "#SPOTCHECK",
          { status: "dispatched", pendingDispatch: true },
          { status: "dispatched" },
        ),
      ),
    ).toBe(false);
  });

  it("not changes within a waiting status, creations, the workflow's own steps or other items", () => {
    // Arrival: still awaiting findings.
    expect(relays(change("MODIFY", "#ASSIGNMENT", { status: "dispatched" }, { status: "on_site" }))).toBe(
      false,
    );
    // A reminder raises the escalation level; the order is still open.
    expect(relays(change("MODIFY", "#RECT", { status: "open" }, { status: "open" }))).toBe(false);
    expect(relays(change("INSERT", "#RECT", undefined, { status: "open" }))).toBe(false);
    // The workflow closes the assignment once every order is closed.
    expect(relays(change("MODIFY", "#ASSIGNMENT", { status: "rectifying" }, { status: "closed" }))).toBe(
      false,
    );
    expect(relays(change("MODIFY", "#TOKEN", { status: "open" }, { status: "submitted" }))).toBe(false);
    expect(relays(change("REMOVE", "#RECT", { status: "open" }, undefined))).toBe(false);
  });
});

describe("the local event filter", () => {
  it("implements exact values, anything-but, prefix and exists", () => {
    const event = { a: "x", n: { b: "yes" }, list: ["p", "q"] };
    expect(matchesPattern({ a: ["x", "y"] }, event)).toBe(true);
    expect(matchesPattern({ a: ["y"] }, event)).toBe(false);
    expect(matchesPattern({ a: [{ "anything-but": ["x"] }] }, event)).toBe(false);
    expect(matchesPattern({ a: [{ "anything-but": "z" }] }, event)).toBe(true);
    expect(matchesPattern({ n: { b: [{ prefix: "ye" }] } }, event)).toBe(true);
    expect(matchesPattern({ missing: [{ exists: false }] }, event)).toBe(true);
    expect(matchesPattern({ missing: [{ exists: true }] }, event)).toBe(false);
    expect(matchesPattern({ missing: [{ "anything-but": "x" }] }, event)).toBe(false);
    expect(matchesPattern({ list: ["q"] }, event)).toBe(true);
    expect(matchesAnyFilter([], event)).toBe(true);
  });

  it("refuses an operator it does not implement instead of matching differently", () => {
    expect(() => assertSupportedPattern({ a: [{ numeric: [">", 1] }] })).toThrow(/unsupported/);
    for (const pattern of relayedChanges) expect(() => assertSupportedPattern(pattern)).not.toThrow();
  });
});
