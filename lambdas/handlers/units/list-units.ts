import type * as z from "zod/mini";
import { httpRoute, json, type RouteRequest } from "../../api/http";
import * as schemas from "../../api/schemas";
import { pageOf } from "../../api/schemas";
import { unitStore } from "../../services/context";
import { unitView } from "../../services/views";

type Query = z.infer<typeof schemas.listUnits>;

/** Direct children of `parentId` (the roots without it), a page at a time. */
async function listUnits({ query }: RouteRequest<undefined, Query, undefined>) {
  const parentId = query.parentId ?? null;
  const page = await unitStore.listChildren(parentId, pageOf(query));
  const parentPath = parentId === null ? [] : await pathTo(parentId);
  return json(200, {
    items: page.items.map((u) => unitView(u, [...parentPath, u.unitId])),
    nextCursor: page.nextCursor,
  });
}

async function pathTo(unitId: string): Promise<string[]> {
  const { ancestors } = await unitStore.lineage([unitId]);
  return [...(ancestors[unitId] ?? []), unitId];
}

export const handler = httpRoute({ query: schemas.listUnits }, listUnits);
