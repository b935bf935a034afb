import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { API_GUIDE, currentGuide } from "../../bin/api-doc";

describe("docs/api.md", () => {
  it("lists exactly the routes the OpenAPI document has (npm run docs:api rewrites the table)", () => {
    expect(readFileSync(API_GUIDE, "utf8"), "docs/api.md is out of date: run npm run docs:api").toBe(
      currentGuide(),
    );
  });
});
