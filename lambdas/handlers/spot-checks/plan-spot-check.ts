import { randomUUID } from "node:crypto";
import type * as z from "zod/mini";
import { isPlanner } from "../../api/auth";
import { httpRoute, json, type RouteRequest } from "../../api/idempotent-http";
import * as schemas from "../../api/schemas";
import type { SpotCheckRecord } from "../../data/records";
import { windowProblems } from "../../domain/deadlines";
import { commitSeed, newSeed } from "../../domain/draw";
import { type FieldError, ForbiddenError, RuleViolationError } from "../../domain/errors";
import { DEFAULT_MAX_EXTENSIONS } from "../../domain/rectification-order";
import { inspectorStore, spotCheckStore, templateStore, unitStore } from "../../services/context";
import { spotCheckView } from "../../services/views";

type Body = z.infer<typeof schemas.planSpotCheck>;

/** The largest pool a spot check draws from (the draw proof lists every member). */
const MAX_POOL = 2000;

/**
 * The unit reads of one plan, each made once however many of its questions need it: with
 * `parentUnitId` and `inspectorPoolUnitId` both the district (管城区: 726 units), the tree is walked
 * once, not twice.
 */
function unitReads() {
  const found = new Map<string, Promise<boolean>>();
  const trees = new Map<string, Promise<{ leaves: string[]; all: string[] }>>();
  const once = <T>(cache: Map<string, Promise<T>>, id: string, read: () => Promise<T>) => {
    let value = cache.get(id);
    if (!value) {
      value = read();
      cache.set(id, value);
    }
    return value;
  };
  return {
    exists: (id: string) => once(found, id, async () => (await unitStore.getUnit(id)) !== undefined),
    subtree: (id: string) => once(trees, id, () => unitStore.subtree(id)),
  };
}
type UnitReads = ReturnType<typeof unitReads>;

/** The candidates: the list given, or every leaf under the parent unit. */
async function candidatesOf(body: Body, units: UnitReads) {
  const problems: FieldError[] = [];
  let candidates: string[] = [];
  if (body.candidateUnitIds) {
    candidates = [...new Set(body.candidateUnitIds)].sort();
    const found = await unitStore.getUnits(candidates);
    candidates.forEach((id, i) => {
      if (!found.has(id)) problems.push({ path: `body.candidateUnitIds.${i}`, message: `没有单位 ${id}` });
    });
  } else if (body.parentUnitId) {
    const [exists, tree] = await Promise.all([
      units.exists(body.parentUnitId),
      units.subtree(body.parentUnitId),
    ]);
    if (!exists) {
      problems.push({ path: "body.parentUnitId", message: "没有这个单位" });
    } else {
      candidates = tree.leaves;
      if (candidates.length === 0) problems.push({ path: "body.parentUnitId", message: "其下没有单位" });
    }
  }
  return { candidates, problems };
}

/**
 * The pool: the inspectors given, or (双随机 from a pool given by unit) every enabled inspector whose
 * home unit is `inspectorPoolUnitId` or lies under it, by id.
 */
async function poolOf(body: Body, units: UnitReads) {
  const problems: FieldError[] = [];
  let inspectorIds: string[] = [];
  if (body.inspectorIds) {
    inspectorIds = [...new Set(body.inspectorIds)].sort();
    const inspectors = await inspectorStore.getInspectors(inspectorIds);
    inspectorIds.forEach((id) => {
      if (!inspectors.has(id)) problems.push({ path: "body.inspectorIds", message: `没有督查员 ${id}` });
    });
  } else if (body.inspectorPoolUnitId) {
    const [exists, tree, inspectors] = await Promise.all([
      units.exists(body.inspectorPoolUnitId),
      units.subtree(body.inspectorPoolUnitId),
      inspectorStore.listAllInspectors(),
    ]);
    const within = new Set(tree.all);
    const pool = inspectors
      .filter((i) => i.enabled !== false && within.has(i.homeUnitId))
      .map((i) => i.inspectorId)
      .sort();
    if (!exists) problems.push({ path: "body.inspectorPoolUnitId", message: "没有这个单位" });
    else if (pool.length === 0)
      problems.push({ path: "body.inspectorPoolUnitId", message: "该单位及其下级单位没有在岗的督查员" });
    else if (pool.length > MAX_POOL)
      problems.push({
        path: "body.inspectorPoolUnitId",
        message: `督查人员库最多 ${MAX_POOL} 名，该单位及其下级单位有 ${pool.length} 名`,
      });
    else inspectorIds = pool;
  }
  return { inspectorIds, problems };
}

/**
 * Plans a spot check (督查任务). The candidate units are fixed now (a list, or every leaf under a
 * parent) and a secret seed is drawn; only its SHA-256 is published, so the later draw is committed
 * before it happens and can be re-computed once the seed is revealed after the window closes. The
 * template, the candidates and the pool are read at once.
 */
async function planSpotCheck({ caller, body, now }: RouteRequest<Body, undefined, undefined>) {
  if (!isPlanner(caller)) throw new ForbiddenError("只有督查组织人员和管理员可以制定督查任务。");
  const problems: FieldError[] = windowProblems(body.window, now);

  const units = unitReads();
  const [template, { candidates, problems: candidateProblems }, { inspectorIds, problems: poolProblems }] =
    await Promise.all([
      templateStore.getLatestTemplate(body.templateId),
      candidatesOf(body, units),
      poolOf(body, units),
    ]);
  if (!template) problems.push({ path: "body.templateId", message: "没有这个考评细则" });
  problems.push(...candidateProblems);
  if (candidates.length > 0 && body.sampleSize > candidates.length) {
    problems.push({ path: "body.sampleSize", message: `超过了 ${candidates.length} 个候选单位` });
  }
  problems.push(...poolProblems);
  // Whether the pool can staff every candidate without a conflict is the draw's question (422 there).
  const teamSize = body.teamSize ?? 2;
  if (problems.length > 0 || !template) throw new RuleViolationError("督查任务无法按此制定。", problems);

  const seed = newSeed();
  const at = now.toISOString();
  const record: SpotCheckRecord = {
    spotCheckId: randomUUID(),
    title: body.title,
    templateId: template.templateId,
    templateVersion: template.version,
    candidateUnitIds: candidates,
    ...(body.parentUnitId ? { parentUnitId: body.parentUnitId } : {}),
    ...(body.inspectorPoolUnitId ? { inspectorPoolUnitId: body.inspectorPoolUnitId } : {}),
    sampleSize: body.sampleSize,
    inspectorIds,
    teamSize,
    ...(body.excludeInspectedWithinDays
      ? { excludeInspectedWithinDays: body.excludeInspectedWithinDays }
      : {}),
    window: {
      start: new Date(body.window.start).toISOString(),
      end: new Date(body.window.end).toISOString(),
    },
    rectifyWithinDays: body.rectifyWithinDays ?? 7,
    ...(body.rectifyWithinWorkdays !== undefined
      ? { rectifyWithinWorkdays: body.rectifyWithinWorkdays }
      : {}),
    maxExtensions: body.maxExtensions ?? DEFAULT_MAX_EXTENSIONS,
    escalateAfterHours: body.escalateAfterHours ?? 72,
    seed,
    seedCommitment: commitSeed(seed),
    status: "planned",
    createdBy: caller.sub,
    createdAt: at,
  };
  await spotCheckStore.createSpotCheck(record, {
    entityId: record.spotCheckId,
    actor: caller.sub,
    action: "spot_check_planned",
    at,
    created: true,
    detail: {
      seedCommitment: record.seedCommitment,
      candidates: candidates.length,
      sampleSize: record.sampleSize,
      ...(record.excludeInspectedWithinDays
        ? { excludeInspectedWithinDays: record.excludeInspectedWithinDays }
        : {}),
    },
  });
  return json(201, spotCheckView(record));
}

export const handler = httpRoute({ body: schemas.planSpotCheck, idempotent: true }, planSpotCheck);
