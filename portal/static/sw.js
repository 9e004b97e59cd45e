/* fagui service worker: saved documents and the site shell open with no connection.
   Pages: network first, then the saved copy, then the offline page. Static files: cache first. */
const SHELL = "fagui-shell-v4";  // a new name when site.css or app.js change: static files are served cache first
const SAVED = "fagui-saved";
const SHELL_URLS = ["/offline", "/saved", "/static/site.css", "/static/app.js", "/static/icon.svg"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((c) => c.addAll(SHELL_URLS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("fagui-shell-") && k !== SHELL).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

function savedKey(url) {
  const u = new URL(url);
  return u.origin + u.pathname;
}

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET" || new URL(req.url).origin !== self.location.origin) return;
  const url = new URL(req.url);
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(req).then((hit) => hit || fetch(req)));
    return;
  }
  if (req.mode === "navigate") {
    event.respondWith(
      fetch(req).catch(async () => {
        const saved = await caches.open(SAVED);
        return (await saved.match(savedKey(req.url))) || (await caches.match(url.pathname, { cacheName: SHELL }))
          || (await caches.match("/offline", { cacheName: SHELL }));
      })
    );
  }
});
