import { relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * Seconds a file of each layer takes when vitest has no time of its own for it (a fresh clone, as in
 * CI; a new file): the end-to-end files run a server, a browser or both (25-65 s), the integration
 * files the system in process (3-35 s), the rest seconds.
 */
const LAYER_ESTIMATES: readonly (readonly [string, number])[] = [
  ["test/e2e/", 40],
  ["test/integration/", 12],
  ["test/fidelity/", 8],
  ["test/infra/", 8],
];

/**
 * Longest first: two workers share the files, and a run whose longest file starts last ends with
 * one worker idle while it finishes. A file's time is its last run's (vitest's results cache),
 * else its layer's estimate; ties keep vitest's own order (larger files first).
 */
export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const root = this.ctx.config.root;
    const seconds = (spec: TestSpecification): number => {
      const path = relative(root, spec.moduleId);
      const last = this.ctx.cache.getFileTestResults(`${spec.project.name}:${path}`);
      if (last) return last.duration / 1000;
      return LAYER_ESTIMATES.find(([dir]) => path.startsWith(dir))?.[1] ?? 1;
    };
    const order = new Map(sorted.map((spec, i) => [spec, i]));
    return [...sorted].sort((a, b) => seconds(b) - seconds(a) || (order.get(a) ?? 0) - (order.get(b) ?? 0));
  }
}
