import type * as z from "zod/mini";
import { isPlanner } from "../../api/auth";
import { httpRoute, json, type RouteRequest } from "../../api/idempotent-http";
import * as schemas from "../../api/schemas";
import type { RectificationRecord } from "../../data/records";
import { RECTIFICATION_STATUS_NAMES } from "../../domain/deadlines";
import { ConflictError, ForbiddenError, RuleViolationError } from "../../domain/errors";
import { rectificationStore } from "../../services/context";
import { citedOnOrder } from "../../services/evidence";
import { rectificationView } from "../../services/views";
import { isTeamInspector, loadVisibleRectification } from "../../services/visibility";

type Body = z.infer<typeof schemas.review>;

const MAX_DEADLINE_MS = 365 * 24 * 60 * 60 * 1000;
type Params = z.infer<typeof schemas.idParams>;

/**
 * Review of a rectification report (回头看): accepted → closed (销号); rejected → open again with a
 * new deadline and the escalation clock reset.
 */
async function reviewRectification({ caller, body, params, now }: RouteRequest<Body, undefined, Params>) {
  const r = await loadVisibleRectification(caller, params.id);
  if (!isTeamInspector(caller, r) && !isPlanner(caller)) {
    throw new ForbiddenError("只有本组督查员、督查组织人员或管理员可以回头看。");
  }
  if (r.status !== "submitted")
    throw new ConflictError(
      `该整改单当前为“${RECTIFICATION_STATUS_NAMES[r.status]}”，只有已报告的整改单可以回头看。`,
    );
  // 回头看 photos: each id a verified photo or document of this order taken for the review.
  const evidence = await citedOnOrder(
    body.evidenceIds,
    r.rectificationId,
    "review",
    "回头看材料不符合要求。",
  );
  const cited = evidence.history;
  const at = now.toISOString();
  let after: RectificationRecord;
  let closedOnTime: boolean | undefined;
  if (body.decision === "accept") {
    closedOnTime = !(r.lateReported ?? false);
    after = {
      ...r,
      status: "closed",
      closedAt: at,
      history: [...r.history, { at, actor: caller.sub, action: "accepted", comment: body.comment, ...cited }],
    };
  } else {
    const deadline = new Date(body.deadline ?? "");
    if (!(deadline.getTime() > now.getTime()) || deadline.getTime() > now.getTime() + MAX_DEADLINE_MS) {
      throw new RuleViolationError("新的整改期限须在今后一年之内。", [
        { path: "body.deadline", message: "须在今后一年之内" },
      ]);
    }
    after = {
      ...r,
      status: "open",
      deadline: deadline.toISOString(),
      escalationLevel: 0,
      history: [
        ...r.history,
        {
          at,
          actor: caller.sub,
          action: "rejected",
          comment: body.comment,
          deadline: deadline.toISOString(),
          ...cited,
        },
      ],
    };
  }
  await rectificationStore.saveRectification(
    r,
    after,
    {
      audits: [
        {
          entityId: r.rectificationId,
          actor: caller.sub,
          action: body.decision === "accept" ? "accepted" : "rejected",
          at,
          detail: {
            comment: body.comment,
            ...(after.status === "open" ? { deadline: after.deadline } : {}),
            ...evidence.audit,
          },
        },
      ],
      ...(closedOnTime !== undefined ? { closedOnTime } : {}),
    },
    "整改单刚被他人修改，请刷新后重试。",
  );
  return json(200, rectificationView(after, now));
}

export const handler = httpRoute(
  { body: schemas.review, params: schemas.idParams, idempotent: true },
  reviewRectification,
);
