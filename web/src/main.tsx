import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Auth, hasStoredSession, loadConfig, type Session } from "./auth";
import { lazyPage } from "./lazy";
import { OfflineApiClient } from "./offline/reads";
import { registerServiceWorker } from "./offline/register";
import { OfflineBanners, SignOutButton, SyncBadge } from "./offline/status";
import { configureSync, startOffline } from "./offline/sync";
import { app, forgetCaches, hasRole, isOrganizer, isOverseer, whoIs } from "./ui";
import "./style.css";

// Each page's code is its own chunk, loaded when the page is first shown (lazy.tsx).
const assignments = () => import("./pages/assignments");
const rectifications = () => import("./pages/rectifications");
const spotChecks = () => import("./pages/spot-checks");
const AssignmentPage = lazyPage(() => assignments().then((m) => m.AssignmentPage));
const AssignmentsPage = lazyPage(() => assignments().then((m) => m.AssignmentsPage));
const AuditPage = lazyPage(() => import("./pages/audit").then((m) => m.AuditPage));
const BulletinPage = lazyPage(() => import("./pages/bulletin").then((m) => m.BulletinPage));
const DashboardPage = lazyPage(() => import("./pages/dashboard").then((m) => m.DashboardPage));
const DrawProofPage = lazyPage(() => import("./pages/draw-proof").then((m) => m.DrawProofPage));
const ExtensionRequestsPage = lazyPage(() =>
  import("./pages/extensions").then((m) => m.ExtensionRequestsPage),
);
const ImportsPage = lazyPage(() => import("./pages/imports").then((m) => m.ImportsPage));
const LoginPage = lazyPage(() => import("./pages/login").then((m) => m.LoginPage));
const NotificationsPage = lazyPage(() => import("./pages/notifications").then((m) => m.NotificationsPage));
const PeoplePage = lazyPage(() => import("./pages/people").then((m) => m.PeoplePage));
const RectificationPage = lazyPage(() => rectifications().then((m) => m.RectificationPage));
const RectificationsPage = lazyPage(() => rectifications().then((m) => m.RectificationsPage));
const PlanSpotCheckPage = lazyPage(() => spotChecks().then((m) => m.PlanSpotCheckPage));
const SpotCheckPage = lazyPage(() => spotChecks().then((m) => m.SpotCheckPage));
const SpotChecksPage = lazyPage(() => spotChecks().then((m) => m.SpotChecksPage));
const TemplatesPage = lazyPage(() => import("./pages/templates").then((m) => m.TemplatesPage));
const UnitsPage = lazyPage(() => import("./pages/units").then((m) => m.UnitsPage));

/** The page a hash opens, fetched at start beside config.json instead of after it. */
function preloadPage(hash: string, signedIn: boolean): void {
  const [first, second] = hash.replace(/^#\/?/, "").split("?")[0]!.split("/");
  const pages: Record<string, { preload: () => Promise<unknown> }> = {
    assignments: second ? AssignmentPage : AssignmentsPage,
    rectifications: second ? RectificationPage : RectificationsPage,
    dashboard: DashboardPage,
    notifications: NotificationsPage,
  };
  void (signedIn ? pages[first ?? ""] : LoginPage)?.preload().catch(() => undefined);
}

function useHash(): string[] {
  const read = () =>
    (location.hash.replace(/^#\/?/, "") || "")
      .split("?")[0]!
      .split("/")
      .filter(Boolean)
      .map((s) => decodeURIComponent(s));
  const [parts, setParts] = useState(read);
  useEffect(() => {
    const on = () => {
      setParts(read());
      window.scrollTo(0, 0);
    };
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return parts;
}

function homeOf(): string {
  if (isOverseer()) return "dashboard";
  if (hasRole("inspector")) return "assignments";
  return "rectifications";
}

function navLinks(): [string, string][] {
  const links: [string, string][] = [];
  if (isOverseer()) links.push(["dashboard", "督办看板"]);
  if (isOrganizer()) links.push(["spot-checks", "督查任务"]);
  else if (isOverseer()) links.push(["bulletin", "督查通报"], ["spot-checks", "督查任务"]);
  if (isOrganizer()) links.push(["templates", "检查细则"], ["units", "单位"], ["people", "人员"]);
  if (isOrganizer()) links.push(["imports", "批量导入"]);
  if (hasRole("inspector")) links.push(["assignments", "我的督查任务"]);
  else if (hasRole("unit")) links.push(["assignments", "本单位检查"]);
  if (hasRole("inspector")) links.push(["rectifications", "回头看"]);
  else if (hasRole("unit")) links.push(["rectifications", "我的整改单"]);
  else if (isOverseer()) links.push(["rectifications", "整改单"]);
  if (isOrganizer()) links.push(["extension-requests", "延期审批"]);
  if (isOverseer()) links.push(["audit", "审计追踪"]);
  links.push(["notifications", "通知"]);
  return links;
}

function Page({ parts }: { parts: string[] }) {
  const [first, second, third] = parts;
  switch (first) {
    case "dashboard":
      return <DashboardPage />;
    case "spot-checks":
      if (second === "new") return <PlanSpotCheckPage />;
      if (second && third === "bulletin") return <BulletinPage id={second} />;
      if (second && third === "draw-proof") return <DrawProofPage id={second} />;
      if (second) return <SpotCheckPage id={second} />;
      return <SpotChecksPage />;
    case "bulletin":
      return <BulletinPage />;
    case "templates":
      return <TemplatesPage id={second} />;
    case "units":
      return <UnitsPage />;
    case "people":
      return isOrganizer() ? <PeoplePage /> : null;
    case "imports":
      return isOrganizer() ? <ImportsPage id={second} /> : null;
    case "assignments":
      return second ? <AssignmentPage id={second} /> : <AssignmentsPage />;
    case "rectifications":
      return second ? <RectificationPage id={second} /> : <RectificationsPage />;
    case "extension-requests":
      return isOrganizer() ? <ExtensionRequestsPage /> : null;
    case "audit":
      return <AuditPage id={second} />;
    case "notifications":
      return <NotificationsPage />;
    default:
      return null;
  }
}

/** The same person with the same name and roles: a renewal that changes nothing the pages show. */
function samePerson(a: Session, b: Session): boolean {
  return a.sub === b.sub && a.name === b.name && a.roles.join() === b.roles.join() && a.unitId === b.unitId;
}

/** Who was signed in last in this tab. */
let lastSub: string | undefined;

function App({ initialNotice }: { initialNotice?: string | undefined }) {
  const parts = useHash();
  const [session, setSession] = useState<Session | undefined>(app.session);
  const [notice, setNotice] = useState<string | undefined>(initialNotice);
  app.session = session;

  useEffect(
    () =>
      app.auth!.onChange((next, why) => {
        // A renewed token keeps the same person: only a change of person re-renders the pages.
        setSession((before) => (before && next && samePerson(before, next) ? before : next));
        app.session = next;
        void startOffline(next);
        if (!next) {
          forgetCaches();
          setNotice(why);
        } else {
          setNotice(undefined);
          // Someone else signed in on this browser: start from their home page, not the last person's.
          if (lastSub !== undefined && lastSub !== next.sub) location.replace(`#/${homeOf()}`);
          lastSub = next.sub;
        }
      }),
    [],
  );

  useEffect(() => {
    if (session && parts.length === 0) location.replace(`#/${homeOf()}`);
  }, [session, parts.length]);

  if (!session) {
    return (
      <div class="shell">
        <header class="topbar">
          <span class="brand">四不两直 · 督查督办</span>
        </header>
        <main class="container">
          <LoginPage notice={notice} />
        </main>
      </div>
    );
  }

  const signOut = () => {
    setNotice(undefined);
    void app.auth!.signOut();
  };
  const who = whoIs(session);
  // An official's bulletin of one spot check lights 督查通报, not 督查任务.
  const current =
    parts[0] === "spot-checks" && parts[2] === "bulletin" && !isOrganizer()
      ? "bulletin"
      : (parts[0] ?? homeOf());
  return (
    <div class="shell">
      <header class="topbar">
        <a class="brand" href={`#/${homeOf()}`}>
          四不两直 · 督查督办
        </a>
        <nav aria-label="主导航">
          {navLinks().map(([hash, label]) => (
            <a key={hash} href={`#/${hash}`} class={current === hash ? "active" : ""}>
              {label}
            </a>
          ))}
        </nav>
        <div class="who" data-who>
          <span class="who-name">{who.name}</span>
          <span class="who-roles">{who.roles}</span>
          <SyncBadge />
          <SignOutButton onSignOut={signOut} />
        </div>
      </header>
      <OfflineBanners />
      <main class="container">
        <Page parts={parts.length ? parts : [homeOf()]} />
      </main>
    </div>
  );
}

/** Lists this browser once kept because the API had no list routes; the console now reads the API's. */
const STALE_KEYS = ["spot.console.spotChecks", "spot.console.templates", "spot.console.inspectors"];

async function boot() {
  const root = document.getElementById("app")!;
  for (const key of STALE_KEYS) localStorage.removeItem(key);
  preloadPage(location.hash, hasStoredSession());
  app.config = await loadConfig();
  const auth = new Auth(app.config);
  app.auth = auth;
  // A 401 means the API no longer takes the token (it expired, or the key changed): sign in again.
  const onUnauthorized = () => auth.end("登录已失效，请重新登录。");
  // The field pages' reads are kept on the device, and their records sent from it (offline/).
  const api = new OfflineApiClient(
    app.config.apiUrl,
    () => auth.token(),
    onUnauthorized,
    () => app.session,
  );
  app.api = api;
  configureSync(api);
  const notice = await auth.restore();
  app.session = auth.session;
  lastSub = auth.session?.sub;
  await startOffline(auth.session);
  render(<App initialNotice={notice} />, root);
  registerServiceWorker();
}

void boot();
