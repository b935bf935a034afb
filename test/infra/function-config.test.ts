import { execFile } from "node:child_process";
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
    // The same template without the policy checks (cdk-nag and CloudFormation validation, about
    // 6 s of CPU a synth): test/infra/nag.test.ts runs them.
    const { stack } = buildApp({ bundling: false, policyChecks: false });
    const resources = Template.fromStack(stack).toJSON().Resources as Record<
      string,
      { Type: string; Metadata?: Record<string, unknown>; Properties: Record<string, unknown> }
    >;
    const functions = Object.values(resources).filter(
      (r) => r.Type === "AWS::Lambda::Function" && typeof r.Metadata?.[HANDLER_METADATA_KEY] === "string",
    );
    expect(functions.length).toBeGreaterThan(40);
    const outdir = mkdtempSync(join(tmpdir(), "fn-config-"));
    const bundles = functions.map((fn) => {
      const handler = String(fn.Metadata?.[HANDLER_METADATA_KEY]);
      const variables =
        (fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      const env = Object.fromEntries(
        Object.entries(variables).map(([name, value]) => [
          name,
          typeof value === "string" ? value : `${name}-ref`,
        ]),
      );
      return { handler, env, name: handler.replaceAll("/", "-") };
    });
    // One esbuild run for every function: without code splitting each entry point is bundled on its
    // own, byte for byte as a build of that entry alone, and the runs share their parsing (a build per
    // function took 2-3 times as long).
    await build({
      ...CDK_BUNDLING_COPY,
      entryPoints: Object.fromEntries(
        [...new Set(bundles.map((b) => b.handler))].map((h) => [h.replaceAll("/", "-"), handlerEntry(h)]),
      ),
      outdir,
      logLevel: "silent",
    });
    // Each bundle loads in a fresh process of its own with its function's environment, two at a time.
    const load = ({ handler, env, name }: (typeof bundles)[number]) =>
      new Promise<string | undefined>((resolve) => {
        const file = join(outdir, `${name}.mjs`);
        execFile(
          process.execPath,
          [
            "--input-type=module",
            "-e",
            `const m = await import(${JSON.stringify(file)}); if (typeof m.handler !== "function") process.exit(3);`,
          ],
          { encoding: "utf8", env: { PATH: process.env.PATH ?? "", AWS_REGION: "eu-west-1", ...env } },
          (error, _stdout, stderr) =>
            resolve(
              error
                ? `${handler}: ${stderr.split("\n").find((l) => l.includes("Error")) ?? (stderr.slice(0, 200) || error.message)}`
                : undefined,
            ),
        );
      });
    const failures: string[] = [];
    const queue = [...bundles];
    await Promise.all(
      [0, 1].map(async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          const failure = await load(next);
          if (failure) failures.push(failure);
        }
      }),
    );
    expect(failures).toEqual([]);
  }, 300_000);
});
