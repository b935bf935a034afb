import type { Page, Request } from "playwright-core";

/**
 * When a page of the console has finished loading what it shows, for the browser tests that read or
 * photograph a page: no request of the page in flight, none started or ended, and no change at all
 * to the page (text, elements or attributes) for `quietMs`, and no 加载中 or a lone … (a name still
 * coming) on it; at most `timeoutMs`.
 *
 * The requests are what a fixed quiet period stood in for (a page waited 250 ms with no change, or
 * Playwright's `networkidle`, 500 ms with no connection): with them watched, the quiet only has to
 * outlast the console's own steps between an answer and the next request or change — a render, and
 * Preact's effects after the next frame (at most 35 ms) — so 150 ms leaves a margin of four.
 */
interface Watched {
  readonly requests: Set<Request>;
  /** Counts every request started or ended. */
  activity: number;
}

const watched = new WeakMap<Page, Watched>();

/** Watches the page's requests from now on: call it on a new page, before it loads anything. */
export function watchRequests<P extends Page>(page: P): P {
  const state: Watched = { requests: new Set(), activity: 0 };
  watched.set(page, state);
  page.on("request", (request) => {
    state.requests.add(request);
    state.activity++;
  });
  const ended = (request: Request) => {
    state.requests.delete(request);
    state.activity++;
  };
  page.on("requestfinished", ended);
  page.on("requestfailed", ended);
  return page;
}

/**
 * One quiet window, evaluated in the page (a string: the tests' TypeScript has no DOM): resolves when
 * nothing on the page has changed for `quietMs`, or at `untilMs` from now, with whether the page
 * still says it is loading.
 */
const quietWindow = (quietMs: number, untilMs: number) => `new Promise((resolve) => {
  let timer;
  const done = () => {
    clearTimeout(timer);
    clearTimeout(cap);
    observer.disconnect();
    const text = document.body.innerText;
    resolve(text.includes("加载中") || /(^|[^…])…($|[^…])/.test(text));
  };
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(done, ${quietMs});
  };
  const cap = setTimeout(done, ${untilMs});
  const observer = new MutationObserver(arm);
  observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  arm();
})`;

export async function settle(page: Page, { quietMs = 150, timeoutMs = 10_000 } = {}): Promise<void> {
  const state = watched.get(page);
  if (!state) throw new Error("settle: the page's requests are not watched (watchRequests when it opens)");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const activity = state.activity;
    const idle = state.requests.size === 0;
    const loading = await page.evaluate<boolean>(quietWindow(quietMs, Math.max(0, deadline - Date.now())));
    if (idle && !loading && state.requests.size === 0 && state.activity === activity) return;
    if (Date.now() >= deadline) return;
  }
}
