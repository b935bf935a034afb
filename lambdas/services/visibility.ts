import type { AuditInput } from "../data/journal";
import type { AssignmentRecord, RectificationRecord } from "../data/records";
import { NotFoundError } from "../domain/errors";
import { type Caller, isOverseer, isTeamInspector, unitOf } from "../domain/roles";
import { assignmentStore, journal, rectificationStore } from "./context";

/**
 * Object-level visibility (OWASP API1). A caller who may not see a resource gets the same 404 as
 * for an unknown id. The inspected unit sees its assignment only after the team's arrival
 * (四不两直: no notice beforehand); every read of a not-yet-visited assignment is audited, and so
 * is every refused attempt by the unit itself, so a leak can be traced.
 */
export function canSeeAssignment(caller: Caller, a: AssignmentRecord): boolean {
  if (isOverseer(caller)) return true;
  if (isTeamInspector(caller, a)) return true;
  const unitId = unitOf(caller);
  return unitId !== undefined && unitId === a.unitId && a.arrival !== undefined;
}

/**
 * Audits the read of every assignment not visited yet; `alongside` are other audit events of the same
 * read, appended with them (one transaction for up to 100 events).
 */
export async function auditPreArrivalReads(
  caller: Caller,
  assignments: readonly AssignmentRecord[],
  via: string,
  at: string,
  alongside: readonly AuditInput[] = [],
): Promise<void> {
  const secret = assignments.filter((a) => a.arrival === undefined && a.status === "dispatched");
  if (secret.length === 0 && alongside.length === 0) return;
  await journal.appendAudit([
    ...secret.map((a) => ({
      entityId: a.assignmentId,
      actor: caller.sub,
      action: "read_before_arrival",
      at,
      detail: { via, roles: [...caller.roles] },
    })),
    ...alongside,
  ]);
}

export async function loadVisibleAssignment(caller: Caller, assignmentId: string, via: string, now: Date) {
  const a = await assignmentStore.getAssignment(assignmentId);
  if (!a) throw new NotFoundError();
  if (!canSeeAssignment(caller, a)) {
    if (a.arrival === undefined) {
      await journal.appendAudit([
        {
          entityId: a.assignmentId,
          actor: caller.sub,
          action: "refused_read_before_arrival",
          at: now.toISOString(),
          detail: { via, roles: [...caller.roles] },
        },
      ]);
    }
    throw new NotFoundError();
  }
  await auditPreArrivalReads(caller, [a], via, now.toISOString());
  return a;
}

export function canSeeRectification(caller: Caller, r: RectificationRecord): boolean {
  if (isOverseer(caller)) return true;
  if (isTeamInspector(caller, r)) return true;
  const unitId = unitOf(caller);
  return unitId !== undefined && unitId === r.unitId;
}

export async function loadVisibleRectification(caller: Caller, id: string): Promise<RectificationRecord> {
  const r = await rectificationStore.getRectification(id);
  if (!r || !canSeeRectification(caller, r)) throw new NotFoundError();
  return r;
}
