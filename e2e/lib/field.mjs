// Helpers shared by the field verifier's browser tests (e2e/tests/field-*.test.mjs): card videos
// for the fake camera, a phone-sized persistent chromium profile, and reading the page's state.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { launchBrowser, REPO_DIR } from './harness.mjs';
import { writeCardVideo, fakeCameraArgs } from './fakecam.mjs';

export const PHONE = { width: 412, height: 860 };
export const BEKASI = { latitude: -6.2866, longitude: 107.1722, accuracy: 12 };

/**
 * Y4M videos of three cards: `valid` and `expired` are the server's own printed cards of the demo's
 * sample permits (document endpoint, 300 dpi), `forged` a code signed by a key the trust list does
 * not know (testkit vector). Returns { valid, expired, forged } paths under `dir`.
 */
export async function cardVideos(server, dir) {
  const { username, password } = server.user('supervisor');
  const login = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password, mode: 'bearer' }),
  });
  const { token } = await login.json();
  const card = async (label) => {
    const number = server.samples[label];
    assert.ok(number, `demo sample ${label} in:\n${server.output()}`);
    const r = await fetch(`${server.url}/api/v1/permits/${encodeURIComponent(number)}/document?kind=card&format=png&dpi=300&purpose=check`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(r.status, 200, `card of ${number}: ${await r.clone().text()}`);
    return Buffer.from(await r.arrayBuffer());
  };
  const browser = await launchBrowser();
  try {
    const forged = readFileSync(join(REPO_DIR, 'crates/pora-testkit/vectors/png/unknown-signer.png'));
    return {
      valid: await writeCardVideo(browser, [await card('valid')], join(dir, 'valid.y4m')),
      expired: await writeCardVideo(browser, [await card('overstay')], join(dir, 'expired.y4m')),
      forged: await writeCardVideo(browser, [forged], join(dir, 'forged.y4m'), { cardWidth: 520 }),
    };
  } finally {
    await browser.close();
  }
}

/** Chromium with a persistent profile (IndexedDB, service worker kept) and the camera showing `video`. */
export async function openPhone(server, profile, video, { offline = false } = {}) {
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: PHONE,
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'id-ID',
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run', ...fakeCameraArgs(video)],
  });
  await ctx.grantPermissions(['geolocation', 'camera'], { origin: server.url });
  await ctx.setGeolocation(BEKASI);
  if (offline) await ctx.setOffline(true);
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  page.on('pageerror', (e) => console.log('page error:', e.message));
  return { ctx, page };
}

/** Opens /field/ and waits until it is ready to scan; returns the page's own ready time (ms). */
export async function ready(server, page) {
  await page.goto(`${server.url}/field/`);
  await page.waitForFunction(() => document.body.dataset.ready, null, { timeout: 60_000 });
  assert.equal(await page.evaluate(() => document.body.dataset.ready), 'yes');
  return page.evaluate(() => window.poraMetrics.ready);
}

/** Starts the camera (or "scan next") and waits for the verdict; what the result screen shows. */
export async function scan(page) {
  if (await page.isHidden('#view-scan')) await page.click('#btn-next');
  else await page.click('#btn-camera');
  await page.waitForSelector('#view-result:not([hidden])', { timeout: 60_000 });
  return page.evaluate(() => ({
    color: document.getElementById('verdict').dataset.color,
    code: document.getElementById('verdict').dataset.code,
    headline: document.getElementById('verdict-headline').textContent,
    extra: document.getElementById('verdict-extra').textContent,
    recorded: document.getElementById('recorded').textContent,
    ms: window.poraMetrics.frameToVerdictMs.at(-1),
  }));
}

/** The queue count the page shows. */
export const pending = (page) => page.evaluate(() => Number(document.getElementById('queue').dataset.pending));

/** The reports the page holds in IndexedDB: [{id, seq, state, outcome}]. */
export const localReports = (page) => page.evaluate(() => new Promise((ok, fail) => {
  const r = indexedDB.open('pora-field');
  r.onsuccess = () => {
    const q = r.result.transaction('reports').objectStore('reports').getAll();
    q.onsuccess = () => ok(q.result.map((x) => ({ id: x.id, seq: x.seq, state: x.state, outcome: x.outcome })));
    q.onerror = () => fail(q.error);
  };
  r.onerror = () => fail(r.error);
}));

/** The enrolled device as the page keeps it: {id, state, extractable (of the private key)}. */
export const localDevice = (page) => page.evaluate(() => new Promise((ok, fail) => {
  const r = indexedDB.open('pora-field');
  r.onsuccess = () => {
    const q = r.result.transaction('kv').objectStore('kv').get('device');
    q.onsuccess = () => ok(q.result && { id: q.result.id, state: q.result.state, extractable: q.result.keys.privateKey.extractable });
    q.onerror = () => fail(q.error);
  };
  r.onerror = () => fail(r.error);
}));

/** Marks every stored report pending again (as if the server's answers had been lost). */
export const markAllPending = (page) => page.evaluate(() => new Promise((ok, fail) => {
  const r = indexedDB.open('pora-field');
  r.onsuccess = () => {
    const tx = r.result.transaction('reports', 'readwrite');
    const s = tx.objectStore('reports');
    s.getAll().onsuccess = (e) => { for (const x of e.target.result) s.put({ ...x, state: 'pending' }); };
    tx.oncomplete = () => ok();
    tx.onerror = () => fail(tx.error);
  };
}));
