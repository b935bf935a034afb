import type * as z from "zod/mini";
import { unitOf } from "../../api/auth";
import { httpRoute, json, type RouteRequest } from "../../api/idempotent-http";
import * as schemas from "../../api/schemas";
import type { RectificationRecord } from "../../data/records";
import { RECTIFICATION_STATUS_NAMES } from "../../domain/deadlines";
import { ConflictError, ForbiddenError } from "../../domain/errors";
import { rectificationStore } from "../../services/context";
import { citedOnOrder } from "../../services/evidence";
import { rectificationView } from "../../services/views";
import { loadVisibleRectification } from "../../services/visibility";

type Body = z.infer<typeof schemas.report>;
type Params = z.infer<typeof schemas.idParams>;

/** The inspected unit reports what it did (整改情况) with evidence; a report after the deadline stays late. */
async function reportRectification({ caller, body, params, now }: RouteRequest<Body, undefined, Params>) {
  const r = await loadVisibleRectification(caller, params.id);
  if (unitOf(caller) !== r.unitId) throw new ForbiddenError("只有被检查单位可以报告整改情况。");
  if (r.status !== "open")
    throw new ConflictError(
      `该整改单当前为“${RECTIFICATION_STATUS_NAMES[r.status]}”，只有待整改的整改单可以报告。`,
    );
  // 整改后: each id a verified photo or document of this order that the unit uploaded as proof.
  const cited = await citedOnOrder(body.evidenceIds, r.rectificationId, "after", "整改材料不符合要求。");
  const at = now.toISOString();
  const late = now.getTime() > new Date(r.deadline).getTime();
  const after: RectificationRecord = {
    ...r,
    status: "submitted",
    report: {
      description: body.description,
      evidence: body.evidence ?? [],
      ...cited.history,
      at,
      by: caller.sub,
      late,
    },
    lateReported: (r.lateReported ?? false) || late,
    history: [
      ...r.history,
      {
        at,
        actor: caller.sub,
        action: late ? "reported_late" : "reported",
        ...cited.history,
      },
    ],
  };
  await rectificationStore.saveRectification(
    r,
    after,
    {
      audits: [
        {
          entityId: r.rectificationId,
          actor: caller.sub,
          action: "reported",
          at,
          detail: { late, ...cited.audit },
        },
      ],
    },
    "整改单刚被他人修改，请刷新后重试。",
  );
  return json(200, rectificationView(after, now));
}

export const handler = httpRoute(
  { body: schemas.report, params: schemas.idParams, idempotent: true },
  reportRectification,
);
