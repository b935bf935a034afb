/**
 * The verifiable random draw (双随机: random targets, random inspectors).
 *
 * When a spot check is planned, a secret `seed` is created and only its commitment
 * `commitSeed(seed)` = lowercase hex SHA-256 of the seed's UTF-8 bytes is published. Once the seed is
 * revealed, anyone can recompute the draw with the algorithm below and check that nobody rigged it.
 *
 * Algorithm "sha256-counter-v1" (re-implement exactly this):
 *
 * 1. Normalise the inputs. `candidates`: drop duplicates, sort by plain JS string comparison
 *    (`a < b`, i.e. by UTF-16 code units). `pool`: drop members whose `inspectorId` appeared earlier in
 *    the input (the first one wins), sort by `inspectorId` the same way. `excluded` (减负: units
 *    inspected recently, fixed and recorded at the draw; may be empty): the candidates listed there
 *    are removed; the rest, still sorted, are the *remaining* candidates that every later step uses.
 *
 * 2. Conflict of interest (回避): an inspector conflicts with a unit when their home unit is that unit,
 *    or one of the two lies above the other, i.e. is listed in the other's `lineage` entry (ancestors,
 *    root first, excluding itself; a missing entry means no ancestors).
 *
 * 3. Refuse (RuleViolationError, every problem listed) when `sampleSize` is not an integer in
 *    1…(remaining candidates), when `teamSize` is not an integer ≥ 1, or when ANY remaining candidate cannot be staffed,
 *    that is has fewer than `teamSize` pool members without a conflict (path `candidates`, one error per
 *    such unit). This check does not depend on the seed, so whether a draw succeeds is never luck.
 *
 * 4. Random streams. Each stream has a label; its block k (k = 0, 1, 2, …, counting on across every draw
 *    from the same label) is SHA-256 of the UTF-8 string `${seed}:${label}:${k}`.
 *    randomBelow(n, label): take the label's next block and read its first 6 bytes as a big-endian
 *    unsigned 48-bit integer u; with limit = floor(2^48 / n) * n, if u < limit the result is u % n,
 *    otherwise take the next block and repeat (rejection sampling, so every result is equally likely).
 *
 * 5. Targets. Fisher–Yates over the sorted remaining candidates: for i from length − 1 down to 1,
 *    j = randomBelow(i + 1, "targets"), swap elements i and j. The selected units are the first
 *    `sampleSize` elements of the shuffled array, in that order.
 *
 * 6. Teams. Start every inspector at load 0. For each selected unit in order: eligible = the sorted pool
 *    members without a conflict with the unit; shuffle eligible with the same Fisher–Yates using the
 *    label `team:${unitId}`; then stable-sort by load ascending; take the first `teamSize`. The team's
 *    `inspectorIds` are their ids sorted ascending; add 1 to each one's load.
 *
 * The result depends only on (seed, set of candidates, set of excluded units, set of pool members,
 * sizes, lineage), never on the order of the inputs. With nothing excluded it is the draw of the
 * candidates as they are.
 */
import { createHash, randomBytes } from "node:crypto";
import { type FieldError, RuleViolationError } from "./errors";

export const DRAW_ALGORITHM = "sha256-counter-v1";

/** A fresh secret seed: 32 random bytes as 64 lowercase hex characters. */
export function newSeed(): string {
  return randomBytes(32).toString("hex");
}

/** The published commitment to a seed: lowercase hex SHA-256 of its UTF-8 bytes. */
export function commitSeed(seed: string): string {
  return createHash("sha256").update(seed, "utf8").digest("hex");
}

export interface PoolMember {
  readonly inspectorId: string;
  readonly homeUnitId: string;
}

export interface DrawInput {
  readonly seed: string;
  readonly candidates: readonly string[]; // unit ids (any order; the algorithm sorts them)
  readonly pool: readonly PoolMember[]; // any order; the algorithm sorts by inspectorId
  readonly sampleSize: number;
  readonly teamSize: number;
  /** For every unit in candidates and every home unit: its ancestors, root first (excluding itself). */
  readonly lineage: Readonly<Record<string, readonly string[]>>;
  /** 减负: candidates left out of this draw (see {@link recentlyInspected}); ids that are no candidate are ignored. */
  readonly excluded?: readonly string[];
}

export interface DrawnAssignment {
  readonly unitId: string;
  readonly inspectorIds: readonly string[];
}

export interface DrawResult {
  readonly algorithm: string;
  /** Every candidate, normalised (unique, sorted), the excluded ones included. */
  readonly candidates: readonly string[];
  /** The candidates left out (sorted); the targets were drawn from `candidates` without them. */
  readonly excluded: readonly string[];
  readonly pool: readonly PoolMember[];
  readonly selected: readonly DrawnAssignment[];
}

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function ancestorsOf(unitId: string, lineage: DrawInput["lineage"]): readonly string[] {
  return Object.hasOwn(lineage, unitId) ? (lineage[unitId] ?? []) : [];
}

/** Whether an inspector from `homeUnitId` must not inspect `targetUnitId`: same unit, or one is above the other. */
export function hasConflict(
  homeUnitId: string,
  targetUnitId: string,
  lineage: DrawInput["lineage"],
): boolean {
  return (
    homeUnitId === targetUnitId ||
    ancestorsOf(targetUnitId, lineage).includes(homeUnitId) ||
    ancestorsOf(homeUnitId, lineage).includes(targetUnitId)
  );
}

const TWO_POW_48 = 2 ** 48;

/** The labelled random streams of one seed (step 4 of the algorithm). */
class RandomStreams {
  private readonly counters = new Map<string, number>();

  constructor(private readonly seed: string) {}

  private nextBlock(label: string): Buffer {
    const k = this.counters.get(label) ?? 0;
    this.counters.set(label, k + 1);
    return createHash("sha256").update(`${this.seed}:${label}:${k}`, "utf8").digest();
  }

  below(n: number, label: string): number {
    const limit = Math.floor(TWO_POW_48 / n) * n;
    for (;;) {
      const u = this.nextBlock(label).readUIntBE(0, 6);
      if (u < limit) return u % n;
    }
  }

  /** Fisher–Yates, in place. */
  shuffle<T>(items: T[], label: string): void {
    for (let i = items.length - 1; i >= 1; i--) {
      const j = this.below(i + 1, label);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
  }
}

/** Draws targets and teams; see the algorithm at the top of this file. */
export function drawTargets(input: DrawInput): DrawResult {
  const { seed, sampleSize, teamSize, lineage } = input;
  const candidates = [...new Set(input.candidates)].sort(compareStrings);
  const seenInspectors = new Set<string>();
  const pool: PoolMember[] = [];
  for (const m of input.pool) {
    if (seenInspectors.has(m.inspectorId)) continue;
    seenInspectors.add(m.inspectorId);
    pool.push({ inspectorId: m.inspectorId, homeUnitId: m.homeUnitId });
  }
  pool.sort((a, b) => compareStrings(a.inspectorId, b.inspectorId));

  const leftOut = new Set(input.excluded ?? []);
  const excluded = candidates.filter((u) => leftOut.has(u));
  const remaining = candidates.filter((u) => !leftOut.has(u));

  const eligibleFor = (unitId: string): PoolMember[] =>
    pool.filter((m) => !hasConflict(m.homeUnitId, unitId, lineage));

  const errors: FieldError[] = [];
  if (!Number.isInteger(sampleSize) || sampleSize < 1 || sampleSize > candidates.length) {
    errors.push({
      path: "sampleSize",
      message: `须为 1 到候选单位数（${candidates.length}）之间的整数`,
    });
  } else if (remaining.length === 0) {
    errors.push({
      path: "excludeInspectedWithinDays",
      message: `全部 ${candidates.length} 个候选单位近期都已检查过，按减负要求排除后没有可抽取的单位`,
    });
  } else if (sampleSize > remaining.length) {
    errors.push({
      path: "excludeInspectedWithinDays",
      message: `排除近期已检查过的 ${excluded.length} 个单位后只剩 ${remaining.length} 个候选单位，不足抽取 ${sampleSize} 个`,
    });
  }
  if (!Number.isInteger(teamSize) || teamSize < 1) {
    errors.push({ path: "teamSize", message: "须为不小于 1 的整数" });
  } else {
    for (const unitId of remaining) {
      const eligible = eligibleFor(unitId).length;
      if (eligible < teamSize) {
        errors.push({
          path: "candidates",
          message: `单位 "${unitId}" 无法组队：人员库中只有 ${eligible} 名督查员与其无回避关系，需要 ${teamSize} 名`,
        });
      }
    }
  }
  if (errors.length > 0) {
    throw new RuleViolationError("无法按计划抽签。", errors);
  }

  const random = new RandomStreams(seed);
  const shuffled = [...remaining];
  random.shuffle(shuffled, "targets");
  const targets = shuffled.slice(0, sampleSize);

  const load = new Map<string, number>(pool.map((m) => [m.inspectorId, 0]));
  const loadOf = (m: PoolMember): number => load.get(m.inspectorId) ?? 0;
  const selected: DrawnAssignment[] = targets.map((unitId) => {
    const eligible = eligibleFor(unitId);
    random.shuffle(eligible, `team:${unitId}`);
    eligible.sort((a, b) => loadOf(a) - loadOf(b)); // Array.prototype.sort is stable
    const team = eligible.slice(0, teamSize);
    for (const m of team) load.set(m.inspectorId, loadOf(m) + 1);
    return { unitId, inspectorIds: team.map((m) => m.inspectorId).sort(compareStrings) };
  });

  return { algorithm: DRAW_ALGORITHM, candidates, excluded, pool, selected };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** A unit's last recorded arrival of an inspection team (from any spot check). */
export interface UnitLastArrival {
  readonly unitId: string;
  /** The server's time of the arrival (`arrival.at`, never the device's `capturedAt`). */
  readonly lastArrivalAt: string;
}

/**
 * 减负: whether an arrival at `lastArrivalAt` keeps a unit out of a draw at `drawnAt` with
 * `excludeInspectedWithinDays` = `withinDays`: it lies at most `withinDays` × 24 hours before the draw
 * (the boundary instant included). An arrival recorded after `drawnAt` (while the draw ran) counts too.
 */
export function inspectedWithin(lastArrivalAt: string, withinDays: number, drawnAt: string): boolean {
  return Date.parse(lastArrivalAt) >= Date.parse(drawnAt) - withinDays * DAY_MS;
}

/**
 * 减负: the candidates a draw at `drawnAt` leaves out because a team arrived there within `withinDays`
 * days before it, sorted by unit id. Computed once, at the draw, from the recorded arrivals, and kept
 * in the draw record (the draw proof lists them); units that are no candidate are ignored.
 */
export function recentlyInspected<T extends UnitLastArrival>(
  candidates: readonly string[],
  lastArrivals: Iterable<T>,
  withinDays: number,
  drawnAt: string,
): T[] {
  const isCandidate = new Set(candidates);
  return [...lastArrivals]
    .filter((a) => isCandidate.has(a.unitId) && inspectedWithin(a.lastArrivalAt, withinDays, drawnAt))
    .sort((a, b) => compareStrings(a.unitId, b.unitId));
}
