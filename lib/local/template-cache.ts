import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import * as z from "zod";
import { type CloudTemplate, synthesizeCloudTemplate } from "./template";

/**
 * The synthesized template, kept between starts. Synthesizing the CDK app costs about 4 s of CPU
 * (2 s of importing aws-cdk-lib, 2 s of synth); a restart, a test file or a bench phase on sources
 * that have not changed reads it back instead.
 *
 * The key is every project file the app imports (found by esbuild from `lib/app.ts`, with the
 * packages left out) with its SHA-256, plus `package-lock.json` (the versions of aws-cdk-lib and the
 * rest). A change to any of those files — including one that adds an import — changes the key, and
 * a file nobody imports cannot change the template. What the key leaves out on purpose: `web/dist`,
 * whose contents only reach the console's asset hash in a nested stack, which the local runtime does
 * not read.
 *
 * One entry, under `SPOT_CACHE_DIR` (default `node_modules/.cache/spot-inspections/`), written to a
 * temporary file and renamed, so processes starting at once never read half an entry.
 */

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const FORMAT = 1;

export function cacheDirectory(): string {
  return process.env.SPOT_CACHE_DIR ?? join(ROOT, "node_modules", ".cache", "spot-inspections");
}

const entrySchema = z.object({
  format: z.literal(FORMAT),
  inputs: z.record(z.string(), z.string()),
  template: z.looseObject({
    Resources: z.record(
      z.string(),
      z.looseObject({
        Type: z.string(),
        Properties: z.optional(z.record(z.string(), z.unknown())),
        Metadata: z.optional(z.record(z.string(), z.unknown())),
      }),
    ),
  }),
});

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

/** Each file's hash, keyed by its path from the project root (a file that is gone: "missing"). */
function hashes(files: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of files) {
    try {
      out[file] = sha256(join(ROOT, file));
    } catch {
      out[file] = "missing";
    }
  }
  return out;
}

/** The project files `lib/app.ts` imports, at any depth (packages excluded), and the lock file. */
async function appInputs(): Promise<string[]> {
  const { build } = await import("esbuild");
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ["lib/app.ts"],
    bundle: true,
    write: false,
    metafile: true,
    platform: "node",
    format: "esm",
    packages: "external",
    logLevel: "silent",
  });
  const inputs = Object.keys(result.metafile.inputs).map((p) => relative(ROOT, join(ROOT, p)));
  return [...inputs.filter((p) => !p.startsWith("node_modules")), "package-lock.json"].sort();
}

function readEntry(file: string) {
  try {
    const parsed = entrySchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export interface LoadedTemplate {
  readonly template: CloudTemplate;
  /** Read from the cache (true), or synthesized now (false). */
  readonly cached: boolean;
}

/** The stack's template: from the cache when no input changed, else synthesized (and cached). */
export async function loadCloudTemplate(): Promise<LoadedTemplate> {
  const dir = cacheDirectory();
  const file = join(dir, "template.json");
  const entry = readEntry(file);
  if (entry) {
    const now = hashes(Object.keys(entry.inputs));
    if (Object.entries(entry.inputs).every(([path, hash]) => now[path] === hash)) {
      return { template: entry.template, cached: true };
    }
  }
  // The inputs are hashed before the synth: a file edited meanwhile makes the next start synthesize again.
  let inputs: Record<string, string> | undefined;
  try {
    inputs = hashes(await appInputs());
  } catch {
    inputs = undefined; // esbuild could not follow the imports: synthesize, and do not cache
  }
  const template = await synthesizeCloudTemplate();
  if (inputs) {
    try {
      mkdirSync(dir, { recursive: true });
      const temporary = `${file}.${process.pid}.tmp`;
      writeFileSync(temporary, JSON.stringify({ format: FORMAT, inputs, template }));
      renameSync(temporary, file);
    } catch {
      // A read-only node_modules: the next start synthesizes again.
    }
  }
  return { template, cached: false };
}
