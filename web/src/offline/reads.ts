import { ApiClient, ApiError, type Assignment, type CallOptions, type Responses } from "../api";
import { isUnreachable, type Session } from "../auth";
import type { EndpointName } from "../endpoints";
import { deleteRead, getRead, putRead } from "./store";

/**
 * Which answers of the API the device keeps, per role, so that the field pages open with no network
 * once they have been seen. Secrecy first (四不两直): a unit's users keep their orders and unit
 * names, never anything of an assignment (the API hides an assignment from its unit until the team
 * has arrived; a device that kept its answers could not). Inspectors keep their own assignments and
 * checklists. Overseers' desktops keep nothing. The service worker never caches API answers at all.
 */
const INSPECTOR_READS: ReadonlySet<EndpointName> = new Set<EndpointName>([
  "listAssignments",
  "getAssignment",
  "getTemplate",
  "listTemplates",
  "getUnit",
  "getInspector",
  "listRectifications",
  "getRectification",
]);
const UNIT_READS: ReadonlySet<EndpointName> = new Set<EndpointName>([
  "listRectifications",
  "getRectification",
  "getUnit",
]);

/** Whether this person's device keeps the answers of this operation. */
export function mayKeep(name: EndpointName, session: Session | undefined): boolean {
  if (!session) return false;
  // An overseer reads everything, pre-arrival assignments included: nothing of it stays on a device.
  if (session.roles.some((r) => r === "admin" || r === "organizer" || r === "official")) return false;
  if (session.roles.includes("unit")) return UNIT_READS.has(name);
  if (session.roles.includes("inspector")) return INSPECTOR_READS.has(name);
  return false;
}

/** Wait this long for the network before showing the kept copy (a weak signal in a basement). */
const SLOW_NETWORK_MS = 6000;

/**
 * A page showed what the device kept instead of a fresh answer (when that copy was saved), or a
 * fresh answer came again (undefined).
 */
type StaleListener = (savedAt: string | undefined) => void;
const staleListeners = new Set<StaleListener>();
export function onStaleRead(listener: StaleListener): () => void {
  staleListeners.add(listener);
  return () => staleListeners.delete(listener);
}

const keyFor = (name: EndpointName, options: { params?: unknown; query?: unknown }) =>
  `${name} ${JSON.stringify(options.params ?? {})} ${JSON.stringify(options.query ?? {})}`;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

const sleep = (ms: number) => new Promise<"slow">((resolve) => setTimeout(() => resolve("slow"), ms));

/**
 * The console's API client, with the field pages' reads kept on the device: each answer is stored
 * as it arrives; with no network (or none within 6 s) the kept copy is answered instead, and the
 * page is told it is a copy. A 404 forgets the kept copy (no longer visible to this person).
 */
export class OfflineApiClient extends ApiClient {
  constructor(
    baseUrl: string,
    token: () => string | undefined | Promise<string | undefined>,
    onUnauthorized: () => void,
    private readonly session: () => Session | undefined,
  ) {
    super(baseUrl, token, onUnauthorized);
  }

  override async call<N extends EndpointName>(name: N, options: CallOptions<N>): Promise<Responses[N]> {
    const session = this.session();
    if (!session || !mayKeep(name, session)) return super.call(name, options);
    const sub = session.sub;
    const key = keyFor(name, options);
    const fresh = super.call(name, options).then(
      (value) => {
        // Kept only if the same person is still signed in when the answer arrives.
        if (this.session()?.sub === sub) {
          void putRead(sub, key, value).catch(() => undefined);
          this.prefetch(name, value);
          for (const listener of staleListeners) listener(undefined);
        }
        return value;
      },
      (error: unknown) => {
        if (error instanceof ApiError && (error.status === 404 || error.status === 403))
          void deleteRead(sub, key).catch(() => undefined);
        throw error;
      },
    );
    const first = await Promise.race([
      fresh.then(
        () => "fresh" as const,
        () => "failed" as const,
      ),
      sleep(SLOW_NETWORK_MS),
    ]);
    if (first === "fresh") return fresh;
    const kept = await getRead(sub, key).catch(() => undefined);
    if (first === "failed") {
      const error = await fresh.then(
        () => undefined,
        (e: unknown) => e,
      );
      // Only a missing network falls back to the copy; the server's refusals stand.
      if (kept && isUnreachable(error)) return this.stale(kept);
      return fresh;
    }
    if (kept) {
      fresh.catch(() => undefined);
      return this.stale(kept);
    }
    return fresh;
  }

  /** Straight from the server, never the kept copy (what sync.ts decides on); kept as it arrives. */
  fresh<N extends EndpointName>(name: N, options: CallOptions<N>): Promise<Responses[N]> {
    const session = this.session();
    return super.call(name, options).then((value) => {
      if (session && mayKeep(name, session) && this.session()?.sub === session.sub)
        void putRead(session.sub, keyFor(name, options), value).catch(() => undefined);
      return value;
    });
  }

  private stale<T>(kept: { value: unknown; savedAt: string }): T {
    for (const listener of staleListeners) listener(kept.savedAt);
    // The value is exactly what this client received from the API for the same call before.
    return kept.value as T;
  }

  /**
   * An inspector's list of assignments, or one assignment, makes the device keep what the field
   * needs before going: each active assignment as its own page would read it, and its checklist.
   */
  private prefetch(name: EndpointName, value: unknown): void {
    if (name !== "listAssignments" && name !== "getAssignment") return;
    const session = this.session();
    if (!session || !mayKeep("getAssignment", session)) return;
    const active = (a: Assignment) =>
      (a.status === "dispatched" || a.status === "on_site") && a.inspectorIds.includes(session.sub);
    const templates = new Set<string>();
    if (name === "getAssignment") {
      const a = value as Responses["getAssignment"];
      if (active(a) && a.templateId) templates.add(a.templateId);
    } else {
      for (const a of (value as Responses["listAssignments"]).items) {
        if (!active(a)) continue;
        const key = keyFor("getAssignment", { params: { id: a.assignmentId } });
        // The list is fresher; a kept page copy adds the names only that page's answer carries.
        void getRead(session.sub, key)
          .then((kept) => putRead(session.sub, key, { ...(isRecord(kept?.value) ? kept.value : {}), ...a }))
          .catch(() => undefined);
        if (a.templateId) templates.add(a.templateId);
      }
    }
    // The checklist of each, unless kept already (a page that reads it online refreshes the copy).
    for (const templateId of templates) {
      const key = keyFor("getTemplate", { params: { templateId } });
      void getRead(session.sub, key)
        .then((kept) => (kept ? undefined : this.call("getTemplate", { params: { templateId } })))
        .catch(() => undefined);
    }
  }
}
