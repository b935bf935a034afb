import type * as z from "zod/mini";
import { isPlanner } from "../../api/auth";
import { httpRoute, json, type RouteRequest } from "../../api/idempotent-http";
import * as schemas from "../../api/schemas";
import { ForbiddenError } from "../../domain/errors";
import { decideExtension } from "../../domain/rectification-order";
import { retryOnConcurrentChange } from "../../services/concurrency";
import { rectificationStore } from "../../services/context";
import { extensionDecidedNotice } from "../../services/notices";
import { publishNotices } from "../../services/publish";
import { rectificationView } from "../../services/views";
import { loadVisibleRectification } from "../../services/visibility";

type Body = z.infer<typeof schemas.extensionDecision>;
type Params = z.infer<typeof schemas.extensionRequestParams>;

/**
 * The decision on an extension request (延期审批). An approval moves the deadline, and the workflow's
 * timers with it: the order's change reaches the change relay, which resumes the waiting step with
 * the new deadline (see `relayedChanges`). The unit is told either way.
 */
async function decideOrderExtension(request: RouteRequest<Body, undefined, Params>) {
  return retryOnConcurrentChange(() => decideOrderExtensionOnce(request));
}

async function decideOrderExtensionOnce({
  caller,
  body,
  params,
  now,
}: RouteRequest<Body, undefined, Params>) {
  const r = await loadVisibleRectification(caller, params.id);
  if (!isPlanner(caller)) throw new ForbiddenError("只有督查组织人员或管理员可以审批延期申请。");
  const step = decideExtension(r, params.requestId, { by: caller.sub, ...body }, now);
  const at = now.toISOString();
  const notice = extensionDecidedNotice(step.order, body.decision, body.comment, at);
  await rectificationStore.saveRectification(
    r,
    step.order,
    {
      audits: [
        { entityId: r.rectificationId, actor: caller.sub, action: step.action, at, detail: step.detail },
      ],
      notifications: [notice],
      pendingExtension: { remove: params.requestId },
    },
    "整改单刚被他人修改，请刷新后重试。",
  );
  await publishNotices([notice]);
  return json(200, rectificationView(step.order, now));
}

export const handler = httpRoute(
  { body: schemas.extensionDecision, params: schemas.extensionRequestParams, idempotent: true },
  decideOrderExtension,
);
