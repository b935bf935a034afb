import { clientsClaim } from "workbox-core";
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";
import { NetworkFirst } from "workbox-strategies";

/**
 * The console's service worker (built by vite-plugin-pwa's injectManifest into `sw.js`): the app
 * shell — index.html, every script and style chunk, the icons and the manifest — is precached, so
 * the pages open with no network once visited; `config.json` is answered from the network, or when
 * there is none from its last copy. Nothing of the API is ever cached here: the pages keep what they
 * may keep themselves (web/src/offline/reads.ts), per person, and a unit's device none of an
 * assignment.
 */

declare const self: {
  __WB_MANIFEST: (string | { url: string; revision: string | null })[];
  registration: { scope: string };
  location: Location;
  skipWaiting(): Promise<void>;
};

// A new build takes over at once; a page still running the old one reloads when a chunk is missing
// (its drafts are kept on the device, so nothing typed is lost).
void self.skipWaiting();
clientsClaim();

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

const scope = new URL(self.registration.scope).pathname;
const escaped = scope.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// Only the console's own page is a navigation to answer: the API's document routes (exports, the
// evidence pack, openapi.json) go to the network as ever.
registerRoute(
  new NavigationRoute(createHandlerBoundToURL("index.html"), {
    allowlist: [new RegExp(`^${escaped}(index\\.html)?(\\?.*)?$`)],
  }),
);

registerRoute(
  ({ url }) => url.origin === self.location.origin && url.pathname === `${scope}config.json`,
  new NetworkFirst({ cacheName: "spot-console-config", networkTimeoutSeconds: 4 }),
);
