/**
 * Installs the service worker (web/src/sw.ts → sw.js) once the page has loaded, so that its
 * precaching never competes with the page's own first load on a slow link. Not under the Vite dev
 * server (it has no sw.js). A page left running when a new build takes over reloads if one of its
 * chunks can no longer be fetched — its forms are kept on the device, nothing typed is lost.
 */
export function registerServiceWorker(): void {
  window.addEventListener("vite:preloadError", () => {
    // Once a minute at most: a chunk missing for another reason must not reload the page in a loop.
    const last = Number(sessionStorage.getItem("spot.console.chunkReload") ?? 0);
    if (Date.now() - last < 60_000) return;
    sessionStorage.setItem("spot.console.chunkReload", String(Date.now()));
    location.reload();
  });
  if (import.meta.hot || !("serviceWorker" in navigator)) return;
  const register = () => {
    navigator.serviceWorker.register("./sw.js", { scope: "./" }).catch(() => {
      // No worker (a private window, an insecure origin): the console works online as before.
    });
  };
  if (document.readyState === "complete") register();
  else window.addEventListener("load", register, { once: true });
}
