import { describe, expect, it } from "vitest";
import { chunkLists, jsonBytes } from "../../lambdas/data/chunks";

describe("chunkLists", () => {
  const lists = {
    ids: Array.from({ length: 5000 }, (_, i) => `unit-${i}`),
    pool: Array.from({ length: 900 }, (_, i) => ({ inspectorId: `p-${i}`, homeUnitId: `unit-${i * 3}` })),
    none: [] as string[],
  };

  it("keeps every chunk within its budget and gives the lists back in order", () => {
    const chunks = chunkLists(lists, 4096);
    expect(chunks.length).toBeGreaterThan(10);
    for (const c of chunks) {
      const bytes = [...(c.ids ?? []), ...(c.pool ?? [])].reduce((n, e) => n + jsonBytes(e), 0);
      expect(bytes).toBeLessThanOrEqual(4096);
      expect(c.none).toBeUndefined();
    }
    expect(chunks.flatMap((c) => c.ids ?? [])).toEqual(lists.ids);
    expect(chunks.flatMap((c) => c.pool ?? [])).toEqual(lists.pool);
  });

  it("gives an element over the budget a chunk of its own, and no chunk for no elements", () => {
    const big = "x".repeat(100);
    expect(chunkLists({ a: ["s", big, "t"] }, 50)).toEqual([{ a: ["s"] }, { a: [big] }, { a: ["t"] }]);
    expect(chunkLists({ a: [], b: [] })).toEqual([]);
  });
});
