// Lantong's service worker, served from the site root so its scope is the whole app.
// - Precaches what the app can name in advance: the offline page, the manifest and the icons.
// - Build assets under /assets/ carry a content hash in their names, so they are served cache-first.
// - Page navigations always go to the network (the HTML is never cached); when the network fails the cached
//   offline page answers instead of the browser's error.
// - Nothing else is touched: /api/ (signed-in data and photos), the /_event websocket, /_upload and every
//   non-GET request pass straight through, so nothing one person saw is ever served to the next sign-in.
// Bump VERSION when the precached files change; activate deletes every cache of an older version.
const VERSION = "v1";
const SHELL_CACHE = `lantong-shell-${VERSION}`;
const ASSET_CACHE = `lantong-assets-${VERSION}`;
const OFFLINE_URL = "/offline.html";
const SHELL = [
  OFFLINE_URL,
  "/manifest.json",
  "/icons/icon-192.png",
  "/icons/icon-512.png",
  "/icons/icon-maskable-512.png",
  "/icons/apple-touch-icon.png",
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE)
      .then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  const current = new Set([SHELL_CACHE, ASSET_CACHE]);
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((name) => !current.has(name)).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

async function navigation(request) {
  try {
    return await fetch(request);
  } catch (error) {
    return (await caches.match(OFFLINE_URL, { cacheName: SHELL_CACHE })) || Response.error();
  }
}

async function hashedAsset(request) {
  const cache = await caches.open(ASSET_CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) cache.put(request, response.clone());
  return response;
}

async function shellFile(request) {
  return (await caches.match(request, { cacheName: SHELL_CACHE })) || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(navigation(request));
  } else if (url.pathname.startsWith("/assets/")) {
    event.respondWith(hashedAsset(request));
  } else if (SHELL.includes(url.pathname)) {
    event.respondWith(shellFile(request));
  }
});
