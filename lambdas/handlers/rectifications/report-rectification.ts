import type * as z from "zod/mini";
import { unitOf } from "../../api/auth";
import { httpRoute, json, type RouteRequest } from "../../api/idempotent-http";
import * as schemas from "../../api/schemas";
import { ForbiddenError } from "../../domain/errors";
import { reportOrder } from "../../domain/rectification-order";
import { retryOnConcurrentChange } from "../../services/concurrency";
import { rectificationStore, unitStore } from "../../services/context";
import { citedOnOrder } from "../../services/evidence";
import { reportReceivedNotices } from "../../services/notices";
import { rectificationView } from "../../services/views";
import { loadVisibleRectification } from "../../services/visibility";

type Body = z.infer<typeof schemas.report>;
type Params = z.infer<typeof schemas.idParams>;

/**
 * The inspected unit reports what it did (整改情况) with evidence; a report after the deadline stays
 * late. The team and the organizer are told that a report waits for them (待回头看).
 */
async function reportRectification(request: RouteRequest<Body, undefined, Params>) {
  return retryOnConcurrentChange(() => reportRectificationOnce(request));
}

async function reportRectificationOnce({ caller, body, params, now }: RouteRequest<Body, undefined, Params>) {
  const r = await loadVisibleRectification(caller, params.id);
  if (unitOf(caller) !== r.unitId) throw new ForbiddenError("只有被检查单位可以报告整改情况。");
  reportOrder(r, caller.sub, now); // the step's own refusal (409) comes before the evidence's (422)
  // 整改后: each id a verified photo or document of this order that the unit uploaded as proof.
  const cited = await citedOnOrder(body.evidenceIds, r.rectificationId, "after", "整改材料不符合要求。");
  const step = reportOrder(r, caller.sub, now, cited.history);
  const at = now.toISOString();
  const after = {
    ...step.order,
    report: {
      description: body.description,
      evidence: body.evidence ?? [],
      ...cited.history,
      at,
      by: caller.sub,
      late: step.late,
    },
  };
  const unit = await unitStore.getUnit(r.unitId);
  await rectificationStore.saveRectification(
    r,
    after,
    {
      audits: [
        {
          entityId: r.rectificationId,
          actor: caller.sub,
          action: step.action,
          at,
          detail: { ...step.detail, ...cited.audit },
        },
      ],
      notifications: reportReceivedNotices(after, unit?.name ?? r.unitId, at),
    },
    "整改单刚被他人修改，请刷新后重试。",
  );
  return json(200, rectificationView(after, now));
}

export const handler = httpRoute(
  { body: schemas.report, params: schemas.idParams, idempotent: true },
  reportRectification,
);
