// Operations, the monthly Tim PORA report and the audit search in chromium: a supervisor plans an
// operation by drawing its area on the (offline) map and another by picking kecamatan, opens the
// results of a demo operation (counts equal the API's, checks on the map); opens /report and
// downloads the PDF; an auditor searches the log on the server, with paging that keeps the filters.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, launchBrowser, screenshot, login, apiLogin, ARTIFACTS } from '../lib/harness.mjs';

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

const today = () => new Date().toISOString().slice(0, 10);

test('a supervisor plans operations on the map and sees their results', async () => {
  const call = await apiLogin(server, server.user('supervisor'));
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const page = await ctx.newPage();
  const foreign = [];
  page.on('request', (r) => { if (!r.url().startsWith(server.url)) foreign.push(r.url()); });
  await login(page, server, server.user('supervisor'));

  // Draw a quadrilateral in the middle of the map.
  await page.goto(`${server.url}/operations?new=1`);
  await page.waitForSelector('#plan-map[data-ready="1"]', { timeout: 30_000 });
  await page.fill('#op-number', 'SP-77/PORA/E2E');
  await page.fill('#op-title', 'Operasi uji peramban');
  await page.fill('#op-starts_on', today());
  await page.fill('#op-ends_on', today());
  await page.locator('#op-team input[type=checkbox]').first().check();
  const box = await page.locator('#plan-map').boundingBox();
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  for (const [dx, dy] of [[-80, -60], [90, -50], [70, 70], [-60, 60]]) {
    await page.mouse.click(cx + dx, cy + dy);
  }
  assert.equal(await page.getAttribute('#plan-map', 'data-corners'), '4');
  await screenshot(page, 'operations-plan-draw', { fullPage: false });
  await Promise.all([page.waitForURL(/\/operations\?id=\d+/), page.click('#plan-save')]);
  await page.waitForSelector('#results-map[data-ready="1"]');
  assert.match(await page.textContent('#op-number'), /SP-77\/PORA\/E2E/);
  const id = new URL(page.url()).searchParams.get('id');
  const drawn = (await call(`/api/v1/operations/${id}`)).json;
  assert.equal(drawn.area.type, 'Polygon');
  assert.equal(drawn.area.coordinates[0].length, 5, 'four corners and the closing one');
  assert.equal(drawn.team.length, 1);

  // A bad plan: the API's field message is shown and the field marked.
  await page.goto(`${server.url}/operations?new=1`);
  await page.waitForSelector('#plan-map[data-ready="1"]');
  await page.fill('#op-number', 'SP-77/PORA/E2E');
  await page.fill('#op-title', 'Tanpa wilayah');
  await page.click('#plan-save');
  await page.waitForSelector('#plan-msg .error');
  assert.match(await page.textContent('#plan-msg'), /area|wilayah|kecamatan/i);

  // Pick two kecamatan from the list instead.
  await page.check('#mode-kec');
  const kec = page.locator('#kec-list input[type=checkbox]');
  await kec.nth(0).check();
  await kec.nth(1).check();
  await page.fill('#op-number', 'SP-78/PORA/E2E');
  await screenshot(page, 'operations-plan-kecamatan', { fullPage: false });
  await Promise.all([page.waitForURL(/\/operations\?id=\d+/), page.click('#plan-save')]);
  const id2 = new URL(page.url()).searchParams.get('id');
  assert.equal((await call(`/api/v1/operations/${id2}`)).json.area_kecamatan.length, 2);

  // The results of a demo operation with checks.
  const list = (await call('/api/v1/operations?limit=100')).json.items;
  const busy = list.filter((o) => o.checks > 0).sort((a, b) => b.checks - a.checks)[0];
  assert.ok(busy, 'the demo has operations with checks');
  const results = (await call(`/api/v1/operations/${busy.id}/results`)).json;
  await page.goto(`${server.url}/operations`);
  await page.waitForSelector('#operations-table tbody tr');
  await screenshot(page, 'operations-list');
  await Promise.all([page.waitForURL(new RegExp(`id=${busy.id}$`)), page.click(`#operations-table tr[data-number="${busy.number}"] a`)]);
  await page.waitForSelector('#results-map[data-ready="1"]');
  const kpi = async (sel) => Number((await page.textContent(`${sel} .kpi-value`)).replace(/\D/g, ''));
  assert.equal(await kpi('#kpi-checks'), results.checks);
  assert.equal(await kpi('#kpi-findings'), results.findings);
  assert.equal(await kpi('#kpi-outside'), results.outside_area);
  const perOfficer = await page.$$eval('#officer-results tbody tr td:nth-child(2)', (tds) => tds.reduce((s, td) => s + Number(td.textContent.replace(/\D/g, '')), 0));
  assert.equal(perOfficer, results.checks, 'the officers table adds up to the checks');
  assert.equal(Number(await page.getAttribute('#results-map', 'data-points')), results.points.length);
  assert.ok(await page.locator('.leaflet-overlay-pane path').count() >= results.points.length);
  await screenshot(page, 'operations-results', { fullPage: false });

  // Close it from the page.
  await page.click('#op-close');
  await page.waitForSelector('[data-phase="completed"]');
  assert.deepEqual(foreign, [], 'nothing is loaded from outside the server');
  await ctx.close();
});

test('the monthly report shows the month and downloads as a PDF', async () => {
  const call = await apiLogin(server, server.user('supervisor'));
  // The demo's busiest month.
  const overview = (await call('/api/v1/stats/overview')).json;
  const month = overview.months.slice().sort((a, b) => b.checks - a.checks)[0].month;
  const api = (await call(`/api/v1/reports/monthly?month=${month}`)).json;
  assert.ok(api.totals.checks > 0);
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 1000 }, acceptDownloads: true });
  const page = await ctx.newPage();
  await login(page, server, server.user('supervisor'));
  await page.goto(`${server.url}/report`);
  await page.waitForSelector('#report-summary');
  await page.fill('#report-month', month);
  await Promise.all([page.waitForURL(new RegExp(`month=${month}`)), page.click('#report-form button[type=submit]')]);
  await page.waitForSelector('#report-kecamatan');
  assert.equal(await page.locator('#report-kecamatan tbody tr').count(), api.by_kecamatan.length);
  const checks = Number((await page.textContent('#report-kecamatan tfoot th:nth-child(4)')).replace(/\D/g, ''));
  assert.equal(checks, api.by_kecamatan.reduce((s, k) => s + k.checks, 0));
  assert.equal(await page.locator('#report-nationality tbody tr').count(), api.by_nationality.length);
  assert.equal(await page.textContent('#report-actions dd[data-key="r_ops"]'), String(api.actions.operations_held));
  await screenshot(page, 'report');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#report-pdf')]);
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `report-${month}.pdf`);
  await download.saveAs(path);
  const pdf = readFileSync(path);
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  assert.match(download.suggestedFilename(), new RegExp(`laporan-tim-pora-.*${month}\\.pdf`));
  await ctx.close();
});

test('the auditor searches the log on the server, paging keeps the filters', async () => {
  const call = await apiLogin(server, server.user('auditor'));
  const all = (await call('/api/v1/audit?purpose=operation&limit=1')).json;
  assert.ok(all.total == null || all.total > 100, 'the demo wrote many operation-purpose entries');
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  await login(page, server, server.user('auditor'));
  await page.goto(`${server.url}/audit`);
  await page.waitForSelector('#audit-table tbody tr');
  await page.fill('#au-purpose', 'operation');
  await page.fill('#au-action', 'person');
  await Promise.all([page.waitForURL(/purpose=operation/), page.click('#audit-go')]);
  await page.waitForSelector('#audit-table tbody tr');
  const purposes = await page.$$eval('#audit-table tbody tr td:nth-child(6)', (tds) => tds.map((td) => td.textContent));
  assert.equal(purposes.length, 100);
  assert.ok(purposes.every((p) => p.startsWith('operation:')), purposes.slice(0, 3).join(','));
  const actions = await page.$$eval('#audit-table tbody tr td:nth-child(4)', (tds) => tds.map((td) => td.textContent));
  assert.ok(actions.every((a) => a.startsWith('person.')), actions.slice(0, 3).join(','));
  assert.match(await page.textContent('#audit-count'), /\d/);
  const firstSeq = await page.getAttribute('#audit-table tbody tr', 'data-seq');
  await Promise.all([page.waitForURL(/offset=100/), page.click('#older')]);
  await page.waitForSelector('#audit-table tbody tr');
  assert.equal(await page.inputValue('#au-purpose'), 'operation', 'the filters stay on the next page');
  assert.ok(Number(await page.getAttribute('#audit-table tbody tr', 'data-seq')) < Number(firstSeq));
  // One person's trail.
  const niora = (await call('/api/v1/audit?purpose=operation&action=person.check&limit=1')).json.items[0].subject_id;
  await page.goto(`${server.url}/audit?person=${niora}`);
  await page.waitForSelector('#audit-table tbody tr');
  const subjects = await page.$$eval('#audit-table tbody tr td:nth-child(5)', (tds) => tds.map((td) => td.textContent));
  assert.ok(subjects.every((s) => s === `person:${niora}`), subjects.join(','));
  await screenshot(page, 'audit-search');
  // A bad filter: the API's message, the field marked.
  await page.goto(`${server.url}/audit?person=abc`);
  await page.waitForSelector('#au-person[aria-invalid="true"]');
  await page.close();
});
