import type * as z from "zod/mini";
import { isOverseer } from "../../api/auth";
import { httpRoute, json, type RouteRequest } from "../../api/http";
import * as schemas from "../../api/schemas";
import { pageOf } from "../../api/schemas";
import { ForbiddenError } from "../../domain/errors";
import { auditTrailStore } from "../../services/context";
import { actorsOf } from "../../services/names";

type Params = z.infer<typeof schemas.entityParams>;
type Query = z.infer<typeof schemas.page>;

/**
 * Every change of an entity and every read of it before the team's arrival, oldest first, with
 * whether the page's hash chain verifies (an edited or removed event breaks it), and the names and
 * roles of the people who acted (`actors`), so that the trail reads as who did what.
 */
async function auditTrail({ caller, params, query }: RouteRequest<undefined, Query, Params>) {
  if (!isOverseer(caller)) throw new ForbiddenError("审计记录仅供督查组织人员、管理员和领导查看。");
  const page = await auditTrailStore.listAudit(params.entityId, pageOf(query));
  const actors = await actorsOf(page.items.map((e) => e.actor));
  return json(200, {
    entityId: params.entityId,
    items: page.items.map((e) => ({
      ...(e.detail ?? {}),
      at: e.at,
      actor: e.actor,
      action: e.action,
      seq: e.seq,
      prevHash: e.prevHash,
      hash: e.hash,
    })),
    nextCursor: page.nextCursor,
    chain: page.chain,
    actors,
  });
}

export const handler = httpRoute({ params: schemas.entityParams, query: schemas.page }, auditTrail);
