import type { DrawProof } from "./api";

/**
 * The draw re-computed in the browser from its published proof, step by step, for anyone to follow:
 * an independent implementation of the algorithm "sha256-counter-v1" as lambdas/domain/draw.ts
 * publishes it (its header is the specification), over the browser's own SHA-256 (WebCrypto). It
 * is kept equal to the server's by test/unit/console-draw-check.test.ts, which runs both on random
 * inputs. Every intermediate value is kept so that the draw proof page can show each step.
 */

export interface PoolMember {
  readonly inspectorId: string;
  readonly homeUnitId: string;
}
export interface Team {
  readonly unitId: string;
  readonly inspectorIds: readonly string[];
}

/** One draw of `randomBelow(n, label)`: the blocks it read and the number it gave. */
export interface RandomDraw {
  readonly label: string;
  readonly n: number;
  /** Block indexes read (more than one when a block fell in the rejected tail). */
  readonly blocks: readonly { readonly k: number; readonly u: number; readonly accepted: boolean }[];
  readonly result: number;
}
export interface Swap {
  readonly i: number;
  readonly j: number;
  readonly draw: RandomDraw;
}
export interface TeamStep {
  readonly unitId: string;
  /** Pool members who may not inspect the unit (回避), sorted. */
  readonly conflicted: readonly string[];
  /** The sorted pool members without a conflict. */
  readonly eligible: readonly string[];
  /** `eligible` after Fisher–Yates with the label `team:${unitId}`. */
  readonly shuffled: readonly string[];
  readonly swaps: readonly Swap[];
  /** Each eligible inspector's load (teams served so far) before this unit. */
  readonly loads: Readonly<Record<string, number>>;
  /** `shuffled`, stably sorted by load. */
  readonly ordered: readonly string[];
  readonly team: readonly string[];
}
export interface DrawTrace {
  readonly seed: string;
  readonly commitment: { readonly published: string; readonly computed: string; readonly matches: boolean };
  /** Step 1: the inputs normalised. */
  readonly candidates: readonly string[];
  readonly excluded: readonly string[];
  readonly remaining: readonly string[];
  readonly pool: readonly PoolMember[];
  /** Step 3: why the rules refuse the inputs (empty when a draw is possible). */
  readonly refusals: readonly string[];
  /** Step 5: the targets. */
  readonly targetSwaps: readonly Swap[];
  readonly shuffled: readonly string[];
  readonly targets: readonly string[];
  /** Step 6: the teams. */
  readonly teams: readonly TeamStep[];
  readonly selected: readonly Team[];
  /** The outcome: the commitment and every team equal to what was published. */
  readonly matches: boolean;
  readonly differences: readonly string[];
}

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const TWO_POW_48 = 2 ** 48;
const utf8 = new TextEncoder();

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", utf8.encode(text)));
}
export const toHex = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/** The published commitment to a seed: lowercase hex SHA-256 of its UTF-8 bytes. */
export async function commitmentOf(seed: string): Promise<string> {
  return toHex(await sha256(seed));
}

/** The labelled random streams of one seed (step 4): block k of a label is SHA-256 of `${seed}:${label}:${k}`. */
class Streams {
  private readonly counters = new Map<string, number>();
  constructor(private readonly seed: string) {}

  async below(n: number, label: string): Promise<RandomDraw> {
    const limit = Math.floor(TWO_POW_48 / n) * n;
    const blocks: { k: number; u: number; accepted: boolean }[] = [];
    for (;;) {
      const k = this.counters.get(label) ?? 0;
      this.counters.set(label, k + 1);
      const block = await sha256(`${this.seed}:${label}:${k}`);
      let u = 0;
      for (let b = 0; b < 6; b++) u = u * 256 + block[b]!;
      const accepted = u < limit;
      blocks.push({ k, u, accepted });
      if (accepted) return { label, n, blocks, result: u % n };
    }
  }

  /** Fisher–Yates, in place, keeping each swap. */
  async shuffle<T>(items: T[], label: string): Promise<Swap[]> {
    const swaps: Swap[] = [];
    for (let i = items.length - 1; i >= 1; i--) {
      const draw = await this.below(i + 1, label);
      const j = draw.result;
      swaps.push({ i, j, draw });
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return swaps;
  }
}

function ancestorsOf(
  unitId: string,
  lineage: Readonly<Record<string, readonly string[]>>,
): readonly string[] {
  return Object.hasOwn(lineage, unitId) ? (lineage[unitId] ?? []) : [];
}

/** 回避: the same unit, or one of the two lies above the other. */
export function conflicts(
  homeUnitId: string,
  targetUnitId: string,
  lineage: Readonly<Record<string, readonly string[]>>,
): boolean {
  return (
    homeUnitId === targetUnitId ||
    ancestorsOf(targetUnitId, lineage).includes(homeUnitId) ||
    ancestorsOf(homeUnitId, lineage).includes(targetUnitId)
  );
}

/** What the re-computation reads of a draw proof: its published inputs and teams, and the revealed seed. */
export type DrawInputs = Pick<
  DrawProof,
  "seedCommitment" | "candidates" | "excluded" | "pool" | "lineage" | "sampleSize" | "teamSize" | "selected"
> & { seed: string };

const excludedIds = (proof: DrawInputs): string[] => (proof.excluded ?? []).map((e) => e.unitId);

const canonical = (teams: readonly Team[]) =>
  JSON.stringify(
    teams.map((t) => ({ unitId: t.unitId, inspectorIds: [...t.inspectorIds].sort(compareStrings) })),
  );

/**
 * Re-computes the draw of a proof whose seed is published, keeping every step. Resolves to the trace;
 * `matches` says whether the seed hashes to the commitment and the teams equal the published ones.
 */
export async function recomputeDraw(proof: DrawInputs): Promise<DrawTrace> {
  const { seed, sampleSize, teamSize } = proof;
  const lineage = proof.lineage ?? {};
  const computed = await commitmentOf(seed);
  const commitment = {
    published: proof.seedCommitment,
    computed,
    matches: computed === proof.seedCommitment,
  };

  // Step 1: normalise.
  const candidates = [...new Set(proof.candidates)].sort(compareStrings);
  const seen = new Set<string>();
  const pool: PoolMember[] = [];
  for (const m of proof.pool) {
    if (seen.has(m.inspectorId)) continue;
    seen.add(m.inspectorId);
    pool.push({ inspectorId: m.inspectorId, homeUnitId: m.homeUnitId ?? "" });
  }
  pool.sort((a, b) => compareStrings(a.inspectorId, b.inspectorId));
  const leftOut = new Set(excludedIds(proof));
  const excluded = candidates.filter((u) => leftOut.has(u));
  const remaining = candidates.filter((u) => !leftOut.has(u));
  const eligibleFor = (unitId: string) => pool.filter((m) => !conflicts(m.homeUnitId, unitId, lineage));

  // Step 3: the rules that do not depend on the seed.
  const refusals: string[] = [];
  if (!Number.isInteger(sampleSize) || sampleSize < 1 || sampleSize > candidates.length)
    refusals.push(`抽取数量须为 1 到候选单位数（${candidates.length}）之间的整数`);
  else if (sampleSize > remaining.length)
    refusals.push(`排除近期已检查的单位后只剩 ${remaining.length} 个候选单位，不足抽取 ${sampleSize} 个`);
  if (!Number.isInteger(teamSize) || teamSize < 1) refusals.push("每组人数须为不小于 1 的整数");
  else
    for (const unitId of remaining) {
      const n = eligibleFor(unitId).length;
      if (n < teamSize) refusals.push(`单位 ${unitId} 只有 ${n} 名无回避关系的督查员，不足 ${teamSize} 名`);
    }

  const random = new Streams(seed);
  const shuffled = [...remaining];
  const teams: TeamStep[] = [];
  const selected: Team[] = [];
  let targetSwaps: Swap[] = [];
  let targets: string[] = [];
  if (refusals.length === 0) {
    // Step 5: targets.
    targetSwaps = await random.shuffle(shuffled, "targets");
    targets = shuffled.slice(0, sampleSize);
    // Step 6: teams.
    const load = new Map<string, number>(pool.map((m) => [m.inspectorId, 0]));
    const loadOf = (m: PoolMember) => load.get(m.inspectorId) ?? 0;
    for (const unitId of targets) {
      const eligible = eligibleFor(unitId);
      const conflicted = pool.filter((m) => !eligible.includes(m)).map((m) => m.inspectorId);
      const before = eligible.map((m) => m.inspectorId);
      const swaps = await random.shuffle(eligible, `team:${unitId}`);
      const after = eligible.map((m) => m.inspectorId);
      const loads = Object.fromEntries(eligible.map((m) => [m.inspectorId, loadOf(m)]));
      eligible.sort((a, b) => loadOf(a) - loadOf(b));
      const team = eligible.slice(0, teamSize);
      for (const m of team) load.set(m.inspectorId, loadOf(m) + 1);
      const inspectorIds = team.map((m) => m.inspectorId).sort(compareStrings);
      teams.push({
        unitId,
        conflicted,
        eligible: before,
        shuffled: after,
        swaps,
        loads,
        ordered: eligible.map((m) => m.inspectorId),
        team: inspectorIds,
      });
      selected.push({ unitId, inspectorIds });
    }
  }

  const differences: string[] = [];
  if (!commitment.matches) differences.push("种子的 SHA-256 与计划时公布的承诺值不同");
  if (refusals.length > 0) differences.push("按公布的输入，规则本不允许抽签");
  else if (canonical(selected) !== canonical(proof.selected)) {
    const published = new Map(
      proof.selected.map((t) => [t.unitId, [...t.inspectorIds].sort(compareStrings)]),
    );
    for (const t of selected) {
      const p = published.get(t.unitId);
      if (!p) differences.push(`复算抽中了单位 ${t.unitId}，公布的结果中没有它`);
      else if (p.join() !== t.inspectorIds.join()) differences.push(`单位 ${t.unitId} 的检查组与公布的不同`);
    }
    for (const unitId of published.keys())
      if (!selected.some((t) => t.unitId === unitId))
        differences.push(`公布的结果抽中了单位 ${unitId}，复算没有抽中它`);
    if (differences.length === 0) differences.push("抽中的顺序与公布的不同");
  }
  return {
    seed,
    commitment,
    candidates,
    excluded,
    remaining,
    pool,
    refusals,
    targetSwaps,
    shuffled,
    targets,
    teams,
    selected,
    matches: differences.length === 0,
    differences,
  };
}

const DAY_MS = 86_400_000;
/** 减负: whether an arrival at `lastArrivalAt` lies within `days` days before the draw at `drawnAt`. */
export function withinDaysBefore(lastArrivalAt: string, days: number, drawnAt: string): boolean {
  return Date.parse(lastArrivalAt) >= Date.parse(drawnAt) - days * DAY_MS;
}
