import type * as z from "zod/mini";
import { isTeamInspector } from "../../api/auth";
import { httpRoute, json, type RouteRequest } from "../../api/idempotent-http";
import * as schemas from "../../api/schemas";
import type { AssignmentRecord } from "../../data/records";
import { windowEnded } from "../../domain/deadlines";
import { ConflictError, ForbiddenError, RuleViolationError } from "../../domain/errors";
import { checkArrival } from "../../domain/geo";
import { capturedAtProblem, isDelayedSync } from "../../domain/offline-capture";
import { assignmentStore, unitStore } from "../../services/context";
import { arrivalView } from "../../services/views";
import { loadVisibleAssignment } from "../../services/visibility";

type Body = z.infer<typeof schemas.arrival>;
type Params = z.infer<typeof schemas.idParams>;

/**
 * The team is on site (直插现场): time and GPS position are recorded, the distance to the unit is
 * measured and a position outside its radius is flagged. From now on the unit can see the inspection.
 * An arrival captured offline carries the device's `capturedAt` (not in the future, not before the
 * dispatch); the server's own time stays `at`, and a late sync is marked `delayedSync`.
 */
async function recordArrival({ caller, body, params, now }: RouteRequest<Body, undefined, Params>) {
  const a = await loadVisibleAssignment(caller, params.id, "POST /assignments/{id}/arrival", now);
  if (!isTeamInspector(caller, a)) throw new ForbiddenError("只有本组督查员可以记录到达。");
  if (a.status !== "dispatched") throw new ConflictError("本组已记录过到达。");
  if (windowEnded(a.window.end, now)) throw new ConflictError("督查时段已结束。");
  const capturedAt = body.capturedAt ? new Date(body.capturedAt).toISOString() : undefined;
  if (capturedAt) {
    const problem = capturedAtProblem(capturedAt, { now, dispatchedAt: a.createdAt });
    if (problem) {
      throw new RuleViolationError("到达的采集时间不能接受。", [
        { path: "body.capturedAt", message: problem },
      ]);
    }
  }
  const unit = await unitStore.getUnit(a.unitId);
  const check = checkArrival(body.location, unit?.location, unit?.radiusMeters);
  const at = now.toISOString();
  const arrival: NonNullable<AssignmentRecord["arrival"]> = {
    at,
    by: caller.sub,
    location: { lat: body.location.lat, lng: body.location.lng },
    distanceMeters: check.distanceMeters,
    onSite: check.onSite,
    ...(capturedAt ? { capturedAt } : {}),
    delayedSync: isDelayedSync(capturedAt, at),
  };
  await assignmentStore.recordArrival(a, arrival, {
    entityId: a.assignmentId,
    actor: caller.sub,
    action: "arrived",
    at,
    detail: {
      distanceMeters: check.distanceMeters,
      onSite: check.onSite,
      ...(capturedAt ? { capturedAt, delayedSync: arrival.delayedSync } : {}),
    },
  });
  return json(200, { assignmentId: a.assignmentId, status: "on_site", arrival: arrivalView(arrival) });
}

export const handler = httpRoute(
  { body: schemas.arrival, params: schemas.idParams, idempotent: true },
  recordArrival,
);
