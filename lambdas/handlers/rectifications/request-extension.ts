import type * as z from "zod/mini";
import { unitOf } from "../../api/auth";
import { httpRoute, json, type RouteRequest } from "../../api/idempotent-http";
import * as schemas from "../../api/schemas";
import { ForbiddenError } from "../../domain/errors";
import { requestExtension } from "../../domain/rectification-order";
import { retryOnConcurrentChange } from "../../services/concurrency";
import { rectificationStore } from "../../services/context";
import { loadVisibleRectification } from "../../services/visibility";
import { countBusinessEvent } from "../../shared/metrics";

type Body = z.infer<typeof schemas.extensionRequest>;
type Params = z.infer<typeof schemas.idParams>;

/**
 * 延期申请: the inspected unit asks, before the deadline and with its reason, for a later one. The
 * request joins the organizers' queue in the same transaction as the order's change.
 */
async function requestOrderExtension(request: RouteRequest<Body, undefined, Params>) {
  return retryOnConcurrentChange(() => requestOrderExtensionOnce(request));
}

async function requestOrderExtensionOnce({
  caller,
  body,
  params,
  now,
}: RouteRequest<Body, undefined, Params>) {
  const r = await loadVisibleRectification(caller, params.id);
  if (unitOf(caller) !== r.unitId) throw new ForbiddenError("只有被检查单位可以申请延期。");
  // Numbered within the order: the order's version check makes two concurrent requests one.
  const requestId = `${r.rectificationId}-E${(r.extensionRequests ?? []).length + 1}`;
  const step = requestExtension(
    r,
    { requestId, by: caller.sub, reason: body.reason, requestedDeadline: body.requestedDeadline },
    now,
  );
  await rectificationStore.saveRectification(
    r,
    step.order,
    {
      audits: [
        {
          entityId: r.rectificationId,
          actor: caller.sub,
          action: step.action,
          at: step.request.requestedAt,
          detail: step.detail,
        },
      ],
      pendingExtension: {
        add: {
          ...step.request,
          status: "pending",
          rectificationId: r.rectificationId,
          spotCheckId: r.spotCheckId,
          unitId: r.unitId,
          description: r.description,
          deadline: r.deadline,
        },
      },
    },
    "整改单刚被他人修改，请刷新后重试。",
  );
  countBusinessEvent("ExtensionRequests");
  return json(201, { ...step.request, rectificationId: r.rectificationId });
}

export const handler = httpRoute(
  { body: schemas.extensionRequest, params: schemas.idParams, idempotent: true },
  requestOrderExtension,
);
