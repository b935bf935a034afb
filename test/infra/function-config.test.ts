import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Template } from "aws-cdk-lib/assertions";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { CDK_BUNDLING_COPY } from "../../bench/bundling";
import { buildApp } from "../../lib/app";
import { HANDLER_METADATA_KEY, handlerEntry } from "../../lib/constructs/inspection-function";

/**
 * Every function of the stack loads, bundled as CDK bundles it, with exactly the environment its
 * synthesized function is given (references resolved to placeholders) and nothing else. Locally all
 * configuration sits in one process, so a module that requires a variable at load (the bucket, the
 * user pool) can reach a function that is not given it without any other test noticing — and that
 * function then fails every cold start in the cloud.
 */
describe("function configuration", () => {
  it("each function's bundle loads with only the environment the stack gives it", async () => {
    const { stack } = buildApp({ bundling: false });
    const resources = Template.fromStack(stack).toJSON().Resources as Record<
      string,
      { Type: string; Metadata?: Record<string, unknown>; Properties: Record<string, unknown> }
    >;
    const functions = Object.values(resources).filter(
      (r) => r.Type === "AWS::Lambda::Function" && typeof r.Metadata?.[HANDLER_METADATA_KEY] === "string",
    );
    expect(functions.length).toBeGreaterThan(40);
    const failures: string[] = [];
    const outdir = mkdtempSync(join(tmpdir(), "fn-config-"));
    for (const fn of functions) {
      const handler = String(fn.Metadata?.[HANDLER_METADATA_KEY]);
      const variables =
        (fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      const env = Object.fromEntries(
        Object.entries(variables).map(([name, value]) => [
          name,
          typeof value === "string" ? value : `${name}-ref`,
        ]),
      );
      const file = join(outdir, `${handler.replaceAll("/", "-")}.mjs`);
      await build({
        ...CDK_BUNDLING_COPY,
        entryPoints: [handlerEntry(handler)],
        outfile: file,
        logLevel: "silent",
      });
      const run = spawnSync(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `const m = await import(${JSON.stringify(file)}); if (typeof m.handler !== "function") process.exit(3);`,
        ],
        { encoding: "utf8", env: { PATH: process.env.PATH ?? "", AWS_REGION: "eu-west-1", ...env } },
      );
      if (run.status !== 0)
        failures.push(
          `${handler}: ${run.stderr.split("\n").find((l) => l.includes("Error")) ?? run.stderr.slice(0, 200)}`,
        );
    }
    expect(failures).toEqual([]);
  }, 300_000);
});
