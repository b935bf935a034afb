import type * as z from "zod/mini";
import { isPlanner } from "../../api/auth";
import { httpRoute, json, type RouteRequest } from "../../api/idempotent-http";
import * as schemas from "../../api/schemas";
import type { UnitRecord } from "../../data/records";
import { ForbiddenError, RuleViolationError } from "../../domain/errors";
import { wouldCreateCycle } from "../../domain/unit-tree";
import { unitStore } from "../../services/context";
import { unitView } from "../../services/views";

type Body = z.infer<typeof schemas.putUnit>;
type Params = z.infer<typeof schemas.unitParams>;

/**
 * Creates or replaces a unit of the grid (district → street → community → grid). The parent must
 * exist and the move must not close a cycle; the parent's ancestry is re-checked in the write's
 * transaction so concurrent moves cannot close one either.
 */
async function putUnit({ caller, body, params, now }: RouteRequest<Body, undefined, Params>) {
  if (!isPlanner(caller)) throw new ForbiddenError("只有督查组织人员和管理员可以维护单位。");
  const unitId = params.unitId;
  const parentId = body.parentId ?? null;
  const existing = await unitStore.getUnit(unitId);

  let parentPath: string[] = [];
  const ancestorParents: { unitId: string; parentId: string | null }[] = [];
  if (parentId !== null) {
    const { ancestors, units } = await unitStore.lineage([parentId]);
    if (!units.has(parentId)) {
      throw new RuleViolationError("上级单位不存在。", [{ path: "body.parentId", message: "没有这个单位" }]);
    }
    const parentAncestors = ancestors[parentId] ?? [];
    if (wouldCreateCycle(unitId, parentId, parentAncestors)) {
      throw new RuleViolationError("这样设置会使该单位成为自己的上级。", [
        { path: "body.parentId", message: "会在单位树中形成循环" },
      ]);
    }
    parentPath = [...parentAncestors, parentId];
    for (const id of parentPath)
      ancestorParents.push({ unitId: id, parentId: units.get(id)?.parentId ?? null });
  }

  const at = now.toISOString();
  const record: UnitRecord = {
    unitId,
    name: body.name,
    parentId,
    kind: body.kind,
    ...(body.location ? { location: body.location } : {}),
    ...(body.radiusMeters !== undefined ? { radiusMeters: body.radiusMeters } : {}),
    version: (existing?.version ?? 0) + 1,
    createdAt: existing?.createdAt ?? at,
    updatedAt: at,
  };
  await unitStore.putUnit(record, existing?.version ?? null, ancestorParents, {
    entityId: unitId,
    actor: caller.sub,
    action: existing ? "unit_updated" : "unit_created",
    at,
    detail: { name: record.name, parentId, kind: record.kind },
  });
  return json(existing ? 200 : 201, unitView(record, [...parentPath, unitId]));
}

export const handler = httpRoute(
  { body: schemas.putUnit, params: schemas.unitParams, idempotent: true },
  putUnit,
);
