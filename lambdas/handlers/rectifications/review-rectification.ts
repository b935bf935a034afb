import type * as z from "zod/mini";
import { isPlanner, isTeamInspector } from "../../api/auth";
import { httpRoute, json, type RouteRequest } from "../../api/idempotent-http";
import * as schemas from "../../api/schemas";
import { ForbiddenError } from "../../domain/errors";
import { reviewOrder } from "../../domain/rectification-order";
import { retryOnConcurrentChange } from "../../services/concurrency";
import { rectificationStore } from "../../services/context";
import { citedOnOrder } from "../../services/evidence";
import { rectificationView } from "../../services/views";
import { loadVisibleRectification } from "../../services/visibility";

type Body = z.infer<typeof schemas.review>;
type Params = z.infer<typeof schemas.idParams>;

/**
 * Review of a rectification report (回头看): accepted → closed (销号; a critical order by two
 * reviewers); rejected → open again with a new deadline and the escalation clock reset.
 */
async function reviewRectification(request: RouteRequest<Body, undefined, Params>) {
  return retryOnConcurrentChange(() => reviewRectificationOnce(request));
}

async function reviewRectificationOnce({ caller, body, params, now }: RouteRequest<Body, undefined, Params>) {
  const r = await loadVisibleRectification(caller, params.id);
  if (!isTeamInspector(caller, r) && !isPlanner(caller)) {
    throw new ForbiddenError("只有本组督查员、督查组织人员或管理员可以回头看。");
  }
  reviewOrder(r, caller.sub, body, now); // the step's own refusal (409, 422) comes before the evidence's
  // 回头看 photos: each id a verified photo or document of this order taken for the review.
  const evidence = await citedOnOrder(
    body.evidenceIds,
    r.rectificationId,
    "review",
    "回头看材料不符合要求。",
  );
  const step = reviewOrder(r, caller.sub, body, now, evidence.history);
  const after = step.order;
  await rectificationStore.saveRectification(
    r,
    after,
    {
      audits: [
        {
          entityId: r.rectificationId,
          actor: caller.sub,
          action: step.action,
          at: now.toISOString(),
          detail: { ...step.detail, ...evidence.audit },
        },
      ],
    },
    "整改单刚被他人修改，请刷新后重试。",
  );
  return json(200, rectificationView(after, now));
}

export const handler = httpRoute(
  { body: schemas.review, params: schemas.idParams, idempotent: true },
  reviewRectification,
);
