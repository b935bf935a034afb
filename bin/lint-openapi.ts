import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { openApiDocument } from "../lambdas/api/openapi";

/**
 * `npm run lint:openapi`: the published OpenAPI document (what `GET /openapi.json` serves, built by
 * lambdas/api/openapi.ts) written to a temporary file and linted by Redocly's recommended rules
 * (redocly.yaml) and by Spectral's OpenAPI rules with the OWASP API Security ruleset (.spectral.yaml).
 * Both project rulesets say beside each rule they switch off why it does not apply. Exits 1 on any
 * error of either tool; warnings are listed. test/infra/openapi-lint.test.ts runs the same check
 * within `npm test`.
 */

const ROOT = fileURLToPath(new URL("../", import.meta.url));

export interface Finding {
  readonly tool: "redocly" | "spectral";
  readonly severity: "error" | "warning";
  readonly rule: string;
  readonly where: string;
  readonly message: string;
}

function run(cli: string, args: string[]): string {
  // The CLIs' own scripts, run on this Node (22): their shebangs would pick whatever `node` is first.
  const out = spawnSync(process.execPath, [join(ROOT, "node_modules", cli), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (out.error) throw out.error;
  return out.stdout;
}

function redocly(file: string): Finding[] {
  const stdout = run("@redocly/cli/bin/cli.js", [
    "lint",
    "--config",
    "redocly.yaml",
    "--format",
    "json",
    file,
  ]);
  const report = JSON.parse(stdout.slice(stdout.indexOf("{"))) as {
    problems: { ruleId: string; severity: string; message: string; location: { pointer?: string }[] }[];
  };
  return report.problems.map((p) => ({
    tool: "redocly",
    severity: p.severity === "error" ? "error" : "warning",
    rule: p.ruleId,
    where: p.location[0]?.pointer ?? "",
    message: p.message,
  }));
}

function spectral(file: string): Finding[] {
  const stdout = run("@stoplight/spectral-cli/dist/index.js", [
    "lint",
    "--ruleset",
    ".spectral.yaml",
    "--format",
    "json",
    "--quiet",
    file,
  ]);
  const results = JSON.parse(stdout.slice(stdout.indexOf("["))) as {
    code: string;
    severity: number;
    message: string;
    path: string[];
  }[];
  return results
    .filter((r) => r.severity <= 1)
    .map((r) => ({
      tool: "spectral",
      severity: r.severity === 0 ? "error" : "warning",
      rule: r.code,
      where: `#/${r.path.map((p) => p.replaceAll("~", "~0").replaceAll("/", "~1")).join("/")}`,
      message: r.message,
    }));
}

/**
 * Where the document is written for the linters: inside the repository (ignored by git), because
 * Spectral matches its per-path overrides (.spectral.yaml) against file paths relative to the ruleset.
 */
const DOCUMENT = join("node_modules", ".cache", "openapi-lint", "openapi.json");

/** Lints the document as the API publishes it; every finding of both tools. */
export function lintOpenApi(): Finding[] {
  const file = join(ROOT, DOCUMENT);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(openApiDocument(), null, 2));
  try {
    return [...redocly(DOCUMENT), ...spectral(DOCUMENT)];
  } finally {
    rmSync(file, { force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const findings = lintOpenApi();
  for (const f of findings)
    console.log(`${f.severity.padEnd(7)} ${f.tool}/${f.rule} ${f.where}: ${f.message}`);
  const errors = findings.filter((f) => f.severity === "error").length;
  console.log(
    `OpenAPI document: ${errors} error(s), ${findings.length - errors} warning(s) (Redocly recommended; Spectral oas + OWASP API Security)`,
  );
  process.exit(errors > 0 ? 1 : 0);
}
