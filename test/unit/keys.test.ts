import { describe, expect, it } from "vitest";
import { ENTITY_KINDS, keys, parseEntityKey } from "../../lambdas/data/keys";

describe("parseEntityKey", () => {
  it("reads back the kind and id of every entity's key", () => {
    expect(ENTITY_KINDS).toContain("assignment");
    expect(ENTITY_KINDS).toContain("rect");
    expect(ENTITY_KINDS).toContain("spotCheck");
    for (const kind of ENTITY_KINDS) {
      for (const id of ["a1", "asg-7-1", "id#with#hashes", "单位-3"]) {
        expect(parseEntityKey(keys[kind](id))).toEqual({ kind, id });
      }
    }
  });

  it("names no entity for keys of anything else", () => {
    expect(parseEntityKey(keys.callbackToken(keys.assignment("a1")))).toBeUndefined();
    expect(parseEntityKey(keys.callbackToken(keys.rect("r1")))).toBeUndefined();
    expect(parseEntityKey(keys.unitLastArrival("u1"))).toBeUndefined();
    expect(parseEntityKey(keys.inspectorAssignment("i1", "2026-01-01T00:00:00.000Z", "a1"))).toBeUndefined();
    expect(parseEntityKey(keys.template("t1", 1))).toBeUndefined();
    expect(parseEntityKey(keys.importErrors("imp1", 0))).toBeUndefined();
    expect(parseEntityKey({ pk: "ASSIGNMENT#", sk: "#ASSIGNMENT" })).toBeUndefined();
    expect(parseEntityKey({ pk: "RECT#r1", sk: "#ASSIGNMENT" })).toBeUndefined();
  });
});
