import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiClient } from "./api";
import { Auth, loadConfig, type Session } from "./auth";
import { AssignmentPage, AssignmentsPage } from "./pages/assignments";
import { AuditPage } from "./pages/audit";
import { BulletinPage } from "./pages/bulletin";
import { DashboardPage } from "./pages/dashboard";
import { DrawProofPage } from "./pages/draw-proof";
import { ExtensionRequestsPage } from "./pages/extensions";
import { ImportsPage } from "./pages/imports";
import { LoginPage } from "./pages/login";
import { NotificationsPage } from "./pages/notifications";
import { PeoplePage } from "./pages/people";
import { RectificationPage, RectificationsPage } from "./pages/rectifications";
import { PlanSpotCheckPage, SpotCheckPage, SpotChecksPage } from "./pages/spot-checks";
import { TemplatesPage } from "./pages/templates";
import { UnitsPage } from "./pages/units";
import { app, forgetCaches, hasRole, isOrganizer, isOverseer, whoIs } from "./ui";
import "./style.css";

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
          <button type="button" class="link" onClick={signOut}>
            退出
          </button>
        </div>
      </header>
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
  app.config = await loadConfig();
  const auth = new Auth(app.config);
  app.auth = auth;
  // A 401 means the API no longer takes the token (it expired, or the key changed): sign in again.
  const onUnauthorized = () => auth.end("登录已失效，请重新登录。");
  app.api = new ApiClient(app.config.apiUrl, () => auth.token(), onUnauthorized);
  const notice = await auth.restore();
  app.session = auth.session;
  lastSub = auth.session?.sub;
  render(<App initialNotice={notice} />, root);
}

void boot();
