/* fagui service worker: saved documents and the site shell open with no connection.
   Pages: network first, then the saved copy, then the offline page. Static files: cache first. */
// portal/offline.py serves this file with the shell's fingerprinted names (/static/site.1a2b3c4d5e.css) and a
// cache name made from them: a changed site.css or app.js is a new worker that replaces the old cache.
const SHELL = "fagui-shell-v4";
const SAVED = "fagui-saved";
const SHELL_URLS = ["/offline", "/saved", "/static/site.css", "/static/app.js", "/static/icon.svg"];

// A static file's name without its fingerprint: what an older saved page asks for is still found offline.
function staticKey(pathname) {
  return pathname.replace(/\.[0-9a-f]{10}(\.[A-Za-z0-9]+)$/, "$1");
}

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((c) => Promise.all(SHELL_URLS.map((u) => fetch(u).then((res) => {
    if (!res.ok) throw new Error("shell file missing: " + u);
    const key = staticKey(u);
    return Promise.all([c.put(u, res.clone()), key !== u ? c.put(key, res.clone()) : null]);
  })))).then(() => self.skipWaiting()));
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
    const key = staticKey(url.pathname);
    event.respondWith(caches.open(SHELL).then(async (c) => {
      const hit = await c.match(req);
      if (hit) return hit;
      try {
        const res = await fetch(req);
        if (res.ok) { c.put(req, res.clone()); if (key !== url.pathname) c.put(key, res.clone()); }
        return res;
      } catch (err) {
        const older = await c.match(key);
        if (older) return older;
        throw err;
      }
    }));
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
