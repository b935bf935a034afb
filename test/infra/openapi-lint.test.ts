import { describe, expect, it } from "vitest";
import { lintOpenApi } from "../../bin/lint-openapi";

/**
 * The published OpenAPI document (GET /openapi.json) against Redocly's recommended rules and Spectral's
 * OpenAPI rules with the OWASP API Security ruleset, as `npm run lint:openapi` runs them; the project
 * rulesets (redocly.yaml, .spectral.yaml) say why each rule they switch off does not apply.
 */
describe("the OpenAPI document", () => {
  it("has no error and no warning from Redocly (recommended) or Spectral (oas + OWASP API Security)", () => {
    const findings = lintOpenApi().map((f) => `${f.severity} ${f.tool}/${f.rule} ${f.where}: ${f.message}`);
    expect(findings).toEqual([]);
  }, 120_000);
});
