import type * as z from "zod/mini";
import { httpRoute, json, type RouteRequest } from "../../api/http";
import * as schemas from "../../api/schemas";
import { pageOf } from "../../api/schemas";
import { evidenceStore } from "../../services/context";
import { loadVisibleSubject } from "../../services/evidence";
import { evidenceView } from "../../services/evidence-view";

type Query = z.infer<typeof schemas.listEvidence>;

/**
 * The photos and documents of one assignment or rectification order, oldest first (the console's
 * thumbnails and its before/after comparison), for whoever may see that subject.
 */
async function listEvidence({ caller, query, now }: RouteRequest<undefined, Query, undefined>) {
  const subject = { kind: query.subjectKind, id: query.subjectId };
  await loadVisibleSubject(caller, subject, "GET /evidence", now);
  const page = await evidenceStore.pageOfSubject(subject, pageOf(query));
  return json(200, {
    items: await Promise.all(page.items.map((e) => evidenceView(e, now))),
    nextCursor: page.nextCursor,
  });
}

export const handler = httpRoute({ query: schemas.listEvidence }, listEvidence);
