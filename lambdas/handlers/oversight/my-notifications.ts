import type * as z from "zod/mini";
import { hasRole, unitOf } from "../../api/auth";
import { httpRoute, json, type RouteRequest } from "../../api/http";
import * as schemas from "../../api/schemas";
import { pageOf } from "../../api/schemas";
import type { NotificationRecord } from "../../data/records";
import { InvalidInputError } from "../../domain/errors";
import { notificationStore } from "../../services/context";
import { recipient } from "../../services/notices";
import { notificationView } from "../../services/views";

type Query = z.infer<typeof schemas.page>;

/**
 * Reminders (催办) and escalations (问责) addressed to the caller, to the caller's unit, and — for
 * officials — to all officials: newest first, merged over those mailboxes. The cursor keeps one
 * position per mailbox.
 */
async function myNotifications({ caller, query }: RouteRequest<undefined, Query, undefined>) {
  const { limit, cursor } = pageOf(query);
  const mailboxes = [recipient.user(caller.sub)];
  const unitId = unitOf(caller);
  if (unitId) mailboxes.push(recipient.unit(unitId));
  if (hasRole(caller, "official")) mailboxes.push(recipient.role("official"));

  // Per mailbox: absent = from the start, a sort key = after it, null = read to the end.
  const positions = decodePositions(cursor);
  const pages = await Promise.all(
    mailboxes.map(async (box) => {
      const position = positions[box];
      if (position === null) return { box, items: [] as NotificationRecord[], hasMore: false };
      const innerCursor = position
        ? Buffer.from(JSON.stringify({ pk: `NOTIFY#${box}`, sk: position }), "utf8").toString("base64url")
        : undefined;
      const page = await notificationStore.listNotifications(box, { limit, cursor: innerCursor });
      return { box, items: page.items, hasMore: page.nextCursor !== null };
    }),
  );
  const merged = pages
    .flatMap((p) => p.items.map((item) => ({ box: p.box, item })))
    .sort(
      (a, b) =>
        b.item.at.localeCompare(a.item.at) || b.item.notificationId.localeCompare(a.item.notificationId),
    )
    .slice(0, limit);

  const next: Record<string, string | null> = {};
  for (const p of pages) {
    const taken = merged.filter((m) => m.box === p.box);
    const last = taken[taken.length - 1];
    const exhausted = taken.length === p.items.length && !p.hasMore;
    if (exhausted) next[p.box] = null;
    else if (last) next[p.box] = `${last.item.at}#${last.item.notificationId}`;
    else {
      const previous = positions[p.box];
      if (previous) next[p.box] = previous;
    }
  }
  const more = mailboxes.some((box) => next[box] !== null);
  return json(200, {
    items: merged.map((m) => notificationView(m.item)),
    nextCursor: more ? Buffer.from(JSON.stringify(next), "utf8").toString("base64url") : null,
  });
}

function decodePositions(cursor: string | undefined): Record<string, string | null> {
  if (!cursor) return {};
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      const out: Record<string, string | null> = {};
      for (const [k, v] of Object.entries(value)) {
        if (typeof v === "string" || v === null) out[k] = v;
        else throw new Error("bad");
      }
      return out;
    }
  } catch {
    // fall through
  }
  throw new InvalidInputError("分页游标无效。", [{ path: "query.cursor", message: "分页游标无效" }]);
}

export const handler = httpRoute({ query: schemas.page }, myNotifications);
