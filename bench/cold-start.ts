import { spawnSync } from "node:child_process";
import { randomInt } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { documentFontFiles } from "../lambdas/shared/document-fonts";
import { buildApp } from "../lib/app";
import { HANDLER_METADATA_KEY, handlerEntry } from "../lib/constructs/inspection-function";
import { CDK_BUNDLING_COPY } from "./bundling";
import { LIBRARY_FLOORS, libraryFloorOf } from "./library-floors";
import { log, median, ROOT } from "./stats";

/**
 * Phase 1, cold start: every Lambda bundle exactly as CDK builds it (the app synthesized with
 * bundling into a temporary cloud assembly), its size and the time a fresh Node 22 process takes to
 * import it (median of SPAWNS), against a bundle that only creates a DynamoDB document client; the
 * functions that make files also against a library floor, that bundle plus their rendering library
 * alone (bench/library-floors.ts).
 */

const SPAWNS = Number(process.env.BENCH_SPAWNS ?? 25);
/** Imports of the floor per round (see the round loop). */
const FLOOR_PER_ROUND = 3;
/** bench/floor/plus-*.ts: the floor plus one of the handlers' dependencies (and all of them). */
const ATTRIBUTION = [
  "plus-sfn",
  "plus-logger",
  "plus-middy",
  "plus-zod-mini",
  "plus-idempotency",
  "plus-all",
];

export interface BundleFigure {
  readonly name: string;
  readonly handler: string | null;
  readonly bytes: number;
  readonly importMsMedian: number;
  readonly importMsSamples: number[];
  readonly wallMsMedian: number;
}

export interface PackageShare {
  readonly module: string;
  readonly bytes: number;
}

export interface ColdStartResult {
  readonly spawns: number;
  readonly node: string;
  readonly synthMs: number;
  readonly copyCheck: { handler: string; cdkBytes: number; copyBytes: number; identical: boolean };
  readonly floor: BundleFigure;
  /** The floor plus one dependency of the handlers (bench/floor/plus-*.ts). */
  readonly attribution: BundleFigure[];
  /** The floor plus one rendering library alone (bench/library-floors.ts), measured in the same rounds. */
  readonly libraryFloors: BundleFigure[];
  /** The library floor of each handler that carries a rendering library (by its composition). */
  readonly libraryFloorByHandler: Record<string, string>;
  readonly floorWithSourceMaps: { importMsMedian: number };
  readonly largestWithSourceMaps: { handler: string; importMsMedian: number };
  readonly bundles: BundleFigure[];
  /** Bytes in the output by package, per handler (esbuild metafile, same options). */
  readonly composition: Record<string, PackageShare[]>;
}

function moduleOf(path: string): string {
  const i = path.lastIndexOf("node_modules/");
  if (i >= 0) {
    const rest = path.slice(i + "node_modules/".length).split("/");
    return rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1]}` : (rest[0] ?? path);
  }
  const parts = path.split("/");
  return parts.slice(0, 2).join("/");
}

async function composition(entry: string): Promise<{ bytes: number; shares: PackageShare[] }> {
  const result = await build({
    ...CDK_BUNDLING_COPY,
    entryPoints: [entry],
    outfile: "index.mjs",
    write: false,
    metafile: true,
    absWorkingDir: ROOT,
    logLevel: "silent",
  });
  const output = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith(".mjs"));
  const byModule = new Map<string, number>();
  for (const [path, input] of Object.entries(output?.[1].inputs ?? {})) {
    const m = moduleOf(path);
    byModule.set(m, (byModule.get(m) ?? 0) + input.bytesInOutput);
  }
  const js = result.outputFiles.find((f) => f.path.endsWith(".mjs"));
  return {
    bytes: js?.contents.byteLength ?? 0,
    shares: [...byModule].map(([module, bytes]) => ({ module, bytes })).sort((a, b) => b.bytes - a.bytes),
  };
}

/** Fisher–Yates. */
function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(0, i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function importOnce(
  file: string,
  env: NodeJS.ProcessEnv,
  extraArgs: string[] = [],
): { importMs: number; wallMs: number } {
  const code =
    "const t=performance.now();await import(process.argv[1]);process.stdout.write(String(performance.now()-t))";
  const started = performance.now();
  const out = spawnSync(
    process.execPath,
    [...extraArgs, "--input-type=module", "-e", code, pathToFileURL(file).href],
    {
      env,
      encoding: "utf8",
    },
  );
  const wallMs = performance.now() - started;
  if (out.status !== 0) throw new Error(`importing ${file} failed: ${out.stderr}`);
  return { importMs: Number(out.stdout), wallMs };
}

async function main(outFile: string) {
  if (!process.versions.node.startsWith("22."))
    throw new Error(`Node 22 expected, this is ${process.version}`);
  const outdir = mkdtempSync(join(tmpdir(), "spot-bench-cdk-"));
  try {
    // Asset paths on the functions (the CDK CLI sets this context; a programmatic App reads it here).
    process.env.CDK_CONTEXT_JSON = JSON.stringify({ "aws:cdk:enable-asset-metadata": true });
    log("synthesizing the CDK app with bundling (esbuild, as for `cdk deploy`)");
    const synthStarted = performance.now();
    const { app, stack } = buildApp({ bundling: true, outdir });
    const assembly = app.synth();
    const synthMs = performance.now() - synthStarted;
    const template = assembly.getStackArtifact(stack.artifactId).template as {
      Resources: Record<
        string,
        {
          Type: string;
          Properties?: { Code?: { S3Key?: unknown }; Environment?: { Variables?: Record<string, unknown> } };
          Metadata?: Record<string, unknown>;
        }
      >;
    };

    const functions: { name: string; handler: string; file: string; env: Record<string, string> }[] = [];
    for (const [logicalId, r] of Object.entries(template.Resources)) {
      if (r.Type !== "AWS::Lambda::Function") continue;
      const handler = r.Metadata?.[HANDLER_METADATA_KEY];
      if (typeof handler !== "string") continue;
      const assetPath =
        typeof r.Metadata?.["aws:asset:path"] === "string"
          ? (r.Metadata["aws:asset:path"] as string)
          : `asset.${String(r.Properties?.Code?.S3Key ?? "").replace(/\.zip$/, "")}`;
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries<unknown>(r.Properties?.Environment?.Variables ?? {})) {
        // References (table name, topic, state machine) are only read at import: any value will do.
        env[k] = typeof v === "string" ? v : `bench-${k.toLowerCase()}`;
      }
      functions.push({ name: logicalId, handler, file: join(outdir, assetPath, "index.mjs"), env });
    }
    functions.sort((a, b) => a.handler.localeCompare(b.handler));
    log(`${functions.length} handler bundles in ${(synthMs / 1000).toFixed(1)} s`);

    // The floor, with the same options.
    const floorDir = join(outdir, "floor");
    mkdirSync(floorDir);
    await build({
      ...CDK_BUNDLING_COPY,
      entryPoints: [join(ROOT, "bench", "floor", "document-client.ts")],
      outfile: join(floorDir, "index.mjs"),
      absWorkingDir: ROOT,
      logLevel: "silent",
    });
    const floorFile = join(floorDir, "index.mjs");
    // Attribution: the floor plus one dependency of the handlers at a time, built the same way.
    const parts: { name: string; file: string }[] = [];
    for (const part of ATTRIBUTION) {
      const dir = join(outdir, part);
      mkdirSync(dir);
      await build({
        ...CDK_BUNDLING_COPY,
        entryPoints: [join(ROOT, "bench", "floor", `${part}.ts`)],
        outfile: join(dir, "index.mjs"),
        absWorkingDir: ROOT,
        logLevel: "silent",
      });
      parts.push({ name: part, file: join(dir, "index.mjs") });
    }
    // The library floors, the same way; the PDF's carries the route's fonts beside it, as the construct
    // copies them beside the route's bundle (read when a document is made, not at import).
    const libraryParts: { name: string; file: string }[] = [];
    for (const { name } of LIBRARY_FLOORS) {
      const dir = join(outdir, name);
      mkdirSync(dir);
      await build({
        ...CDK_BUNDLING_COPY,
        entryPoints: [join(ROOT, "bench", "floor", `${name}.ts`)],
        outfile: join(dir, "index.mjs"),
        absWorkingDir: ROOT,
        logLevel: "silent",
      });
      if (name === "plus-pdfkit")
        for (const { from, to } of documentFontFiles()) {
          mkdirSync(dirname(join(dir, to)), { recursive: true });
          copyFileSync(from, join(dir, to));
        }
      libraryParts.push({ name, file: join(dir, "index.mjs") });
    }

    // The copy of the options must reproduce a CDK bundle byte for byte.
    const probe = functions[0];
    if (!probe) throw new Error("No handler functions in the template");
    const probeBuilt = await composition(handlerEntry(probe.handler));
    const cdkBytes = statSync(probe.file).size;
    const copyCheck = {
      handler: probe.handler,
      cdkBytes,
      copyBytes: probeBuilt.bytes,
      identical: probeBuilt.bytes === cdkBytes,
    };
    if (!copyCheck.identical)
      log(`WARNING: the copied esbuild options do not reproduce the CDK bundle of ${probe.handler}`);

    // Import times: every round imports each bundle once, in a new random order, so that a burst of
    // load on this machine hits random bundles rather than the same neighbours every round.
    const baseEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "bench",
      AWS_SECRET_ACCESS_KEY: "bench",
    };
    const floorEntry = {
      name: "floor",
      handler: null as string | null,
      file: floorFile,
      env: { ...baseEnv },
    };
    const targets = [
      floorEntry,
      ...[...parts, ...libraryParts].map((p) => ({
        name: p.name,
        handler: null as string | null,
        file: p.file,
        env: { ...baseEnv },
      })),
      ...functions.map((f) => {
        const { NODE_OPTIONS: _sourceMaps, ...env } = f.env;
        return {
          name: f.name,
          handler: f.handler as string | null,
          file: f.file,
          env: { ...baseEnv, ...env },
        };
      }),
    ];
    const samples = new Map(
      targets.map((t) => [t.name, { importMs: [] as number[], wallMs: [] as number[] }]),
    );
    log(
      `importing ${targets.length} bundles × ${SPAWNS} fresh node processes (the floor × ${FLOOR_PER_ROUND * SPAWNS})`,
    );
    for (const t of targets) importOnce(t.file, t.env); // warm-up round (file cache), not counted
    const floorRepeats = Array.from({ length: FLOOR_PER_ROUND - 1 }, () => floorEntry);
    for (let round = 0; round < SPAWNS; round++) {
      // The floor divides every ratio, so its own noise would move all of them at once: it is
      // imported FLOOR_PER_ROUND times a round (at random places), the bundles once.
      for (const t of shuffled([...targets, ...floorRepeats])) {
        const s = importOnce(t.file, t.env);
        samples.get(t.name)?.importMs.push(s.importMs);
        samples.get(t.name)?.wallMs.push(s.wallMs);
      }
    }
    const figure = (t: (typeof targets)[number]): BundleFigure => {
      const s = samples.get(t.name) ?? { importMs: [], wallMs: [] };
      return {
        name: t.name,
        handler: t.handler,
        bytes: statSync(t.file).size,
        importMsMedian: median(s.importMs),
        importMsSamples: s.importMs.map((v) => Math.round(v * 10) / 10),
        wallMsMedian: median(s.wallMs),
      };
    };
    const [floorTarget, ...rest] = targets;
    if (!floorTarget) throw new Error("unreachable");
    const floor = figure(floorTarget);
    const attribution = rest.slice(0, parts.length).map(figure);
    const libraryFloors = rest.slice(parts.length, parts.length + libraryParts.length).map(figure);
    const bundleTargets = rest.slice(parts.length + libraryParts.length);
    const bundles = bundleTargets.map(figure);

    // For information: Lambda runs with NODE_OPTIONS=--enable-source-maps (the functions' environment).
    const largest = [...bundles].sort((a, b) => b.bytes - a.bytes)[0] ?? floor;
    const largestTarget = bundleTargets.find((t) => t.name === largest.name) ?? floorTarget;
    const withMaps = (file: string, env: NodeJS.ProcessEnv) =>
      median(Array.from({ length: SPAWNS }, () => importOnce(file, env, ["--enable-source-maps"]).importMs));
    const floorWithSourceMaps = { importMsMedian: withMaps(floorFile, floorTarget.env) };
    const largestWithSourceMaps = {
      handler: largest.handler ?? largest.name,
      importMsMedian: withMaps(largestTarget.file, largestTarget.env),
    };

    log("bundle composition (esbuild metafile)");
    const compositionByHandler: Record<string, PackageShare[]> = {};
    compositionByHandler.floor = (
      await composition(join(ROOT, "bench", "floor", "document-client.ts"))
    ).shares;
    for (const f of functions)
      compositionByHandler[f.handler] = (await composition(handlerEntry(f.handler))).shares;
    for (const { name } of LIBRARY_FLOORS)
      compositionByHandler[name] = (await composition(join(ROOT, "bench", "floor", `${name}.ts`))).shares;
    const libraryFloorByHandler: Record<string, string> = {};
    for (const f of functions) {
      const floorName = libraryFloorOf(compositionByHandler[f.handler] ?? []);
      if (floorName) libraryFloorByHandler[f.handler] = floorName;
    }

    const result: ColdStartResult = {
      spawns: SPAWNS,
      node: process.version,
      synthMs,
      copyCheck,
      floor,
      attribution,
      libraryFloors,
      libraryFloorByHandler,
      floorWithSourceMaps,
      largestWithSourceMaps,
      bundles,
      composition: compositionByHandler,
    };
    writeFileSync(outFile, JSON.stringify(result, null, 2));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

await main(process.argv[2] ?? join(ROOT, "bench", "results", "cold-start.json"));
process.exit(0);
