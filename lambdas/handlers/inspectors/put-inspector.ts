import type * as z from "zod/mini";
import { isPlanner } from "../../api/auth";
import { httpRoute, json, type RouteRequest } from "../../api/idempotent-http";
import * as schemas from "../../api/schemas";
import type { InspectorRecord } from "../../data/records";
import { ConflictError, ForbiddenError, RuleViolationError } from "../../domain/errors";
import { inspectorStore, unitStore } from "../../services/context";

type Body = z.infer<typeof schemas.putInspector>;
type Params = z.infer<typeof schemas.inspectorParams>;

/** Registers an inspector (their id is their JWT `sub`) with the home unit that conflict-of-interest rules use. */
async function putInspector({ caller, body, params, now }: RouteRequest<Body, undefined, Params>) {
  if (!isPlanner(caller)) throw new ForbiddenError("只有督查组织人员和管理员可以管理督查员。");
  if (!(await unitStore.getUnit(body.homeUnitId))) {
    throw new RuleViolationError("所属单位不存在。", [{ path: "body.homeUnitId", message: "没有这个单位" }]);
  }
  const existing = await inspectorStore.getInspector(params.inspectorId);
  const at = now.toISOString();
  const record: InspectorRecord = {
    inspectorId: params.inspectorId,
    name: body.name,
    homeUnitId: body.homeUnitId,
    version: (existing?.version ?? 0) + 1,
    createdAt: existing?.createdAt ?? at,
    updatedAt: at,
  };
  try {
    await inspectorStore.putInspector(record, existing?.version ?? null, {
      entityId: record.inspectorId,
      actor: caller.sub,
      action: existing ? "inspector_updated" : "inspector_registered",
      at,
      detail: { homeUnitId: record.homeUnitId },
    });
  } catch (error) {
    if (error instanceof ConflictError && !(await unitStore.getUnit(body.homeUnitId))) {
      throw new RuleViolationError("所属单位不存在。", [
        { path: "body.homeUnitId", message: "没有这个单位" },
      ]);
    }
    throw error;
  }
  return json(existing ? 200 : 201, record);
}

export const handler = httpRoute(
  { body: schemas.putInspector, params: schemas.inspectorParams, idempotent: true },
  putInspector,
);
