import { describe, expect, it } from "vitest";
import { isAboveOrBelow, pathOf, wouldCreateCycle } from "../../lambdas/domain/unit-tree";

// 中原区 → 建设路街道 → 某社区; 中原区 → 莲湖街道
const ancestors = {
  zhongyuan: [],
  jianshelu: ["zhongyuan"],
  community: ["zhongyuan", "jianshelu"],
  lianhu: ["zhongyuan"],
} as const;

describe("pathOf", () => {
  it("is the ancestors, root first, followed by the unit itself", () => {
    expect(pathOf("community", ancestors.community)).toEqual(["zhongyuan", "jianshelu", "community"]);
  });

  it("of a root is just the root", () => {
    expect(pathOf("zhongyuan", [])).toEqual(["zhongyuan"]);
  });
});

describe("wouldCreateCycle", () => {
  it("a unit cannot be its own parent", () => {
    expect(wouldCreateCycle("jianshelu", "jianshelu", ancestors.jianshelu)).toBe(true);
  });

  it("a unit cannot move under one of its descendants", () => {
    expect(wouldCreateCycle("zhongyuan", "community", ancestors.community)).toBe(true);
    expect(wouldCreateCycle("jianshelu", "community", ancestors.community)).toBe(true);
  });

  it("moving under a sibling's subtree or to the root is fine", () => {
    expect(wouldCreateCycle("community", "lianhu", ancestors.lianhu)).toBe(false);
    expect(wouldCreateCycle("jianshelu", null, [])).toBe(false);
  });
});

describe("isAboveOrBelow", () => {
  it("a unit is related to itself", () => {
    expect(isAboveOrBelow("lianhu", ancestors.lianhu, "lianhu", ancestors.lianhu)).toBe(true);
  });

  it("an ancestor and its descendant are related, in either order", () => {
    expect(isAboveOrBelow("zhongyuan", ancestors.zhongyuan, "community", ancestors.community)).toBe(true);
    expect(isAboveOrBelow("community", ancestors.community, "zhongyuan", ancestors.zhongyuan)).toBe(true);
  });

  it("siblings and cousins are not related", () => {
    expect(isAboveOrBelow("jianshelu", ancestors.jianshelu, "lianhu", ancestors.lianhu)).toBe(false);
    expect(isAboveOrBelow("community", ancestors.community, "lianhu", ancestors.lianhu)).toBe(false);
  });
});
