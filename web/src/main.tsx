import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiClient } from "./api";
import {
  clearToken,
  cognitoSignOutUrl,
  completeCognitoSignIn,
  loadConfig,
  type Session,
  storedSession,
} from "./auth";
import { AssignmentPage, AssignmentsPage } from "./pages/assignments";
import { AuditPage } from "./pages/audit";
import { BulletinPage } from "./pages/bulletin";
import { DashboardPage } from "./pages/dashboard";
import { LoginPage } from "./pages/login";
import { NotificationsPage } from "./pages/notifications";
import { RectificationPage, RectificationsPage } from "./pages/rectifications";
import { DrawProofPage, PlanSpotCheckPage, SpotCheckPage, SpotChecksPage } from "./pages/spot-checks";
import { TemplatesPage } from "./pages/templates";
import { UnitsPage } from "./pages/units";
import { app, ErrorBox, hasRole, isOrganizer, isOverseer, ROLE_NAMES } from "./ui";
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
  if (isOrganizer()) links.push(["templates", "检查细则"], ["units", "单位与人员"]);
  if (hasRole("inspector")) links.push(["assignments", "我的督查任务"]);
  else if (hasRole("unit")) links.push(["assignments", "本单位检查"]);
  if (hasRole("inspector")) links.push(["rectifications", "回头看"]);
  else if (hasRole("unit")) links.push(["rectifications", "我的整改单"]);
  else if (isOverseer()) links.push(["rectifications", "整改单"]);
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
    case "assignments":
      return second ? <AssignmentPage id={second} /> : <AssignmentsPage />;
    case "rectifications":
      return second ? <RectificationPage id={second} /> : <RectificationsPage />;
    case "audit":
      return <AuditPage id={second} />;
    case "notifications":
      return <NotificationsPage />;
    default:
      return null;
  }
}

function App({ initialError }: { initialError?: unknown }) {
  const parts = useHash();
  const [session, setSession] = useState<Session | undefined>(app.session);
  app.session = session;

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
          <ErrorBox error={initialError} />
          <LoginPage onSignedIn={(s) => setSession(s)} />
        </main>
      </div>
    );
  }

  const signOut = () => {
    clearToken();
    const url = cognitoSignOutUrl(app.config);
    if (url) location.assign(url);
    else setSession(undefined);
  };
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
        <div class="who">
          <span title={session.sub}>
            {session.name ?? session.sub}（{session.roles.map((r) => ROLE_NAMES[r] ?? r).join("、")}）
          </span>
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
  const onUnauthorized = () => {
    clearToken();
    location.reload();
  };
  app.api = new ApiClient(app.config.apiUrl, () => app.session?.token, onUnauthorized);
  let initialError: unknown;
  try {
    app.session = (await completeCognitoSignIn(app.config)) ?? storedSession();
  } catch (e) {
    initialError = e;
  }
  render(<App initialError={initialError} />, root);
}

void boot();
