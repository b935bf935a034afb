import type { ImportRecord } from "../data/records";
import { ForbiddenError, NotFoundError } from "../domain/errors";
import type { ImportError } from "../domain/imports";
import { type Caller, isPlanner } from "../domain/roles";
import type { ImportKind } from "../domain/statuses";

/**
 * Who may import what: the unit tree is the admin's; people the admin's, and an organizer's for
 * people whose roles are `inspector` alone (checked row by row when the file is validated).
 */
export function assertMayImport(caller: Caller, kind: ImportKind): void {
  if (kind === "units" && !caller.roles.has("admin")) throw new ForbiddenError("只有管理员可以导入单位。");
  if (kind === "people" && !isPlanner(caller))
    throw new ForbiddenError("只有管理员和督查组织人员可以导入人员（督查组织人员只能导入督查员）。");
}

/**
 * The import if the caller may see it — its importer (still an admin or organizer) and any admin;
 * to anyone else it does not exist (404). Kept free of the stores: the template route, which uses
 * the rights above, has no table.
 */
export function visibleImport<T extends { record: ImportRecord }>(
  caller: Caller,
  found: T | undefined,
): T & { isImporter: boolean } {
  const isImporter = found?.record.createdBy === caller.sub && isPlanner(caller);
  if (!found || !(isImporter || caller.roles.has("admin"))) throw new NotFoundError("没有这个导入任务。");
  return { ...found, isImporter };
}

/** The wire shape of an import (its lease and the workbook's key never leave). */
export function importView(r: ImportRecord, errors: readonly ImportError[]) {
  return {
    importId: r.importId,
    kind: r.kind,
    status: r.status,
    fileName: r.fileName,
    contentType: r.contentType,
    ...(r.size !== undefined ? { size: r.size } : {}),
    total: r.total,
    done: r.done,
    created: r.created,
    updated: r.updated,
    unchanged: r.unchanged,
    errors: [...errors],
    errorCount: r.errorCount,
    createdAt: r.createdAt,
    createdBy: r.createdBy,
    updatedAt: r.updatedAt,
    ...(r.startedAt ? { startedAt: r.startedAt } : {}),
    ...(r.finishedAt ? { finishedAt: r.finishedAt } : {}),
    ...(r.credentials ? { accountsCreated: r.credentials.count } : {}),
  };
}
