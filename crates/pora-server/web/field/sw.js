// Service worker of the field verifier: keeps the page, its script, style, icons and the wasm module
// in a cache so the page opens and verifies with no network. Trust list and status lists are kept
// by the page itself in IndexedDB (with their ETags), so API calls are never answered from here.
// Page assets: cache first, refreshed in the background (the next load gets the new copy).
const CACHE = 'pora-field-v1';
const ASSETS = ['./', 'field.js', 'field.css', 'manifest.webmanifest', 'icon.svg', 'icon-192.png', 'icon-512.png', 'pkg/pora_wasm.js', 'pkg/pora_wasm_bg.wasm'];

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (e) => {
  e.waitUntil((async () => {
    for (const k of await caches.keys()) if (k !== CACHE) await caches.delete(k);
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || url.origin !== location.origin) return;
  const scope = new URL(self.registration.scope).pathname;
  if (!url.pathname.startsWith(scope)) return;
  const key = url.pathname === scope || url.pathname === scope + 'index.html' ? scope : url.pathname;
  e.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const hit = await cache.match(key);
    const fresh = fetch(e.request).then(async (r) => {
      if (r.ok) await cache.put(key, r.clone());
      return r;
    });
    if (hit) {
      e.waitUntil(fresh.catch(() => undefined));
      return hit;
    }
    return fresh;
  })());
});
