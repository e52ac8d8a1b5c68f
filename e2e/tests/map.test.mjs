// The supervision map in chromium: kecamatan choropleth from the embedded boundaries (no network),
// counts that add up to the API's, clustered points, drill-down into a kecamatan by mouse and by
// keyboard, and the link to that kecamatan's permits.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, screenshot, login, apiLogin } from '../lib/harness.mjs';

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the map draws every kecamatan, totals match the API, and nothing leaves the server', async () => {
  const call = await apiLogin(server, server.user('supervisor'));
  const counts = (await call('/api/v1/map?since_days=365')).json.items;
  const residents = counts.reduce((s, i) => s + i.residents, 0);
  assert.ok(residents > 0);
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await ctx.newPage();
  const foreign = [];
  page.on('request', (r) => { if (!r.url().startsWith(server.url)) foreign.push(r.url()); });
  await login(page, server, server.user('supervisor'));
  await page.goto(`${server.url}/map`);
  await page.waitForSelector('#map[data-ready="1"]', { timeout: 30_000 });
  assert.equal(await page.locator('.region-list tbody tr').count(), 35);
  const total = Number((await page.textContent('.region-list tfoot th:nth-child(2)')).replace(/\D/g, ''));
  assert.equal(total, residents, 'kecamatan totals add up to the desa counts of /api/v1/map');
  assert.ok(await page.locator('.leaflet-overlay-pane path, .leaflet-overlay-pane canvas').count() > 0);
  assert.ok(await page.locator('.marker-cluster, .leaflet-marker-pane *').count() > 0, 'check points are drawn (clustered)');
  await screenshot(page, 'map-kecamatan', { fullPage: false });
  assert.deepEqual(foreign, [], 'the map loads nothing from outside the server');

  // Drill into the kecamatan with the most residents, from the list (keyboard reachable button).
  const first = page.locator('.region-list tbody tr').first();
  const code = await first.getAttribute('data-code');
  await first.locator('button').focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector(`#map[data-level="desa"][data-kecamatan="${code}"]`);
  const desa = counts.filter((i) => i.region_code.startsWith(`${code}.`));
  const desaTotal = Number((await page.textContent('.region-list tfoot th:nth-child(2)')).replace(/\D/g, ''));
  assert.equal(desaTotal, desa.reduce((s, i) => s + i.residents, 0));
  const rows = await page.$$eval('.region-list tbody tr', (trs) => trs.map((tr) => tr.dataset.code));
  assert.ok(rows.length > 0 && rows.every((c) => c.startsWith(`${code}.`)), rows.join(','));
  assert.equal(new URL(page.url()).searchParams.get('kec'), code);
  assert.match(await page.getAttribute('#map-permits', 'href'), new RegExp(`kecamatan=${code.replace(/\./g, '\\.')}`));
  await screenshot(page, 'map-desa', { fullPage: false });

  // Back to all kecamatan; then a click on the map's polygon drills too.
  await page.click('#map-back');
  await page.waitForSelector('#map[data-level="kecamatan"]');
  await page.selectOption('#map-metric', 'checks');
  await page.waitForSelector('.legend b');
  assert.match(await page.textContent('.legend b'), /Pemeriksaan/);
  await ctx.close();
});

test('a deep link opens a kecamatan; phone width stacks the list under the map', async () => {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
  const page = await ctx.newPage();
  await login(page, server, server.user('admin'));
  await page.goto(`${server.url}/map?kec=32.16.06`);
  await page.waitForSelector('#map[data-ready="1"][data-kecamatan="32.16.06"]', { timeout: 30_000 });
  assert.match(await page.textContent('#region-title'), /Tambun Selatan/);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `wider than the phone by ${overflow}px`);
  await screenshot(page, 'map-phone');
  await ctx.close();
});

test('the map is refused to roles without it', async () => {
  const call = await apiLogin(server, server.user('issuing_officer'));
  assert.equal((await call('/api/v1/map/points')).status, 403);
  const page = await browser.newPage();
  await login(page, server, server.user('issuing_officer'));
  await page.goto(`${server.url}/map`);
  await page.waitForSelector('#forbidden');
  await page.close();
});
