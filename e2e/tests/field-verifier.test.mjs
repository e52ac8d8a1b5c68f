// The field verifier page (/field/) in Debian's chromium, phone-sized, with a fake camera fed from
// card videos and a fake GPS: a valid card (green, days left), a forged one (red) and an expired one
// (red, overstay days and charge) — the last two with the network off, after browser restarts and a
// reload, so the page, its wasm and the trust data come from the service worker and IndexedDB.
// Screenshots: e2e/artifacts/field-*.png. Prints the page's timings (docs/BENCHMARKS.md).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, screenshot } from '../lib/harness.mjs';
import { cardVideos, openPhone, ready, scan } from '../lib/field.mjs';

let server;
let tmp;
let videos;
const figures = { frameToVerdictMs: [], readyMs: {} };

before(async () => {
  server = await startServer();
  tmp = mkdtempSync(join(tmpdir(), 'pora-field-'));
  videos = await cardVideos(server, tmp);
});

after(async () => {
  await server?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  console.log(`field page figures: ${JSON.stringify(figures)}`);
});

test('the page is served, installable and locked down', async () => {
  const r = await fetch(`${server.url}/field/`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-security-policy'), /script-src 'self' 'wasm-unsafe-eval'/);
  const m = await (await fetch(`${server.url}/field/manifest.webmanifest`)).json();
  assert.equal(m.display, 'standalone');
  assert.ok(m.icons.some((i) => i.sizes === '512x512'));
  const wasm = await fetch(`${server.url}/field/pkg/pora_wasm_bg.wasm`, { headers: { 'accept-encoding': 'deflate' } });
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
  const etag = wasm.headers.get('etag');
  const again = await fetch(`${server.url}/field/pkg/pora_wasm_bg.wasm`, { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);
  assert.equal((await fetch(`${server.url}/field/nope.js`)).status, 404);
});

test('valid online, forged and expired offline across restarts and a reload', async () => {
  const profile = join(tmp, 'profile');
  let { ctx, page } = await openPhone(server, profile, videos.valid);
  figures.readyMs.cold = Math.round(await ready(server, page));
  await screenshot(page, 'field-1-start', { fullPage: false });
  // The trust data are there and fresh; GPS shows its accuracy.
  await page.waitForFunction(() => /±12 m/.test(document.getElementById('gps').textContent));
  assert.match(await page.textContent('#trust-age'), /^v\d+ · baru saja$/);

  let v = await scan(page);
  figures.frameToVerdictMs.push(Math.round(v.ms));
  assert.equal(v.color, 'green', JSON.stringify(v));
  assert.equal(v.code, 'valid');
  assert.match(v.headline, /^SAH$/);
  assert.match(v.extra, /^Sisa \d+ hari$/);
  await screenshot(page, 'field-2-valid');
  await ctx.setOffline(true);
  await ctx.close();

  ({ ctx, page } = await openPhone(server, profile, videos.forged, { offline: true }));
  figures.readyMs.warmOffline = Math.round(await ready(server, page));
  assert.equal(await page.getAttribute('#net', 'data-state'), 'offline');
  v = await scan(page);
  figures.frameToVerdictMs.push(Math.round(v.ms));
  assert.equal(v.color, 'red', JSON.stringify(v));
  assert.equal(v.code, 'unknown_signer');
  await screenshot(page, 'field-3-forged');
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.ready === 'yes', null, { timeout: 60_000 });
  await ctx.close();

  ({ ctx, page } = await openPhone(server, profile, videos.expired, { offline: true }));
  await ready(server, page);
  v = await scan(page);
  figures.frameToVerdictMs.push(Math.round(v.ms));
  assert.equal(v.color, 'red', JSON.stringify(v));
  assert.equal(v.code, 'expired');
  const m = v.extra.match(/^Overstay (\d+) hari · Biaya beban Rp([\d.]+)$/);
  assert.ok(m, v.extra);
  assert.equal(Number(m[2].replaceAll('.', '')), Number(m[1]) * 1_000_000);
  await screenshot(page, 'field-4-expired');
  await page.click('#lang');
  assert.match(await page.textContent('#verdict-headline'), /^EXPIRED$/);
  await screenshot(page, 'field-5-expired-en');
  await ctx.close();

  // Warm, online: the service worker answers the page and the wasm.
  ({ ctx, page } = await openPhone(server, profile, videos.valid));
  figures.readyMs.warm = Math.round(await ready(server, page));
  await ctx.close();
});
