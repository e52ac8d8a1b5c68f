// Permits and a foreigner in chromium: filters agree with the API, sorting, paging, the CSV
// export, the foreigner's page with the card preview and download, and the access log that
// records these very reads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, screenshot, login, apiLogin, poraBin } from '../lib/harness.mjs';

let server;
let browser;
let ctx;
let page;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, acceptDownloads: true });
  page = await ctx.newPage();
  await login(page, server, server.user('supervisor'));
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const ready = () => page.waitForSelector('#results:not(:empty), .error', { timeout: 20_000 });
const numbers = () => page.$$eval('#permits-table tbody tr', (trs) => trs.map((tr) => tr.dataset.number));

test('filters: nationality, type and status in the form give the API answer', async () => {
  const call = await apiLogin(server, server.user('supervisor'));
  const want = (await call('/api/v1/permits?nationality=KOR&type=ITAS&status=active&limit=50', { purpose: 'check' })).json;
  assert.ok(want.total > 0);
  await page.goto(`${server.url}/permits`);
  await ready();
  await page.fill('#nationality', 'kor');
  await page.selectOption('#type', 'ITAS');
  await page.selectOption('#status', 'active');
  await Promise.all([page.waitForNavigation(), page.click('#filters button[type=submit]')]);
  await ready();
  assert.deepEqual(await numbers(), want.items.map((p) => p.number));
  assert.match(await page.textContent('#results'), new RegExp(`${want.total}`));
  const nat = await page.$$eval('#permits-table tbody tr td:nth-child(3)', (tds) => [...new Set(tds.map((td) => td.textContent))]);
  assert.deepEqual(nat, ['KOR']);
  await screenshot(page, 'permits-filtered');
});

test('filters: kecamatan, overstay, expiring window and a passport number', async () => {
  const call = await apiLogin(server, server.user('supervisor'));
  const map = (await call('/api/v1/map')).json.items.sort((a, b) => b.residents - a.residents);
  const code = map[0].region_code.slice(0, 8);
  const kec = (await call(`/api/v1/permits?region=${code}&limit=100`, { purpose: 'check' })).json;
  assert.ok(kec.total > 0);
  await page.goto(`${server.url}/permits?kecamatan=${code}`);
  await ready();
  assert.equal(await page.inputValue('#kecamatan'), code);
  assert.match(await page.textContent('#results'), new RegExp(`${kec.total}`));
  const ov = (await call('/api/v1/stats/overview')).json;
  await page.goto(`${server.url}/permits?overstay=1`);
  await ready();
  assert.match((await page.textContent('#results')).replace(/\./g, ''), new RegExp(` ${ov.overstays} `));
  assert.ok((await page.$$eval('.badge', (b) => b.map((x) => x.textContent))).every((s) => s === 'Overstay'));
  await page.goto(`${server.url}/permits?expiring=30`);
  await ready();
  assert.match((await page.textContent('#results')).replace(/\./g, ''), new RegExp(` ${ov.expiring_30} `));
  // A passport number finds its holder.
  const one = (await call('/api/v1/permits?limit=1', { purpose: 'check' })).json.items[0];
  const rec = (await call(`/api/v1/foreigners/${one.niora}`, { purpose: 'check' })).json;
  await page.goto(`${server.url}/permits`);
  await ready();
  await page.fill('#q', rec.passports[0].number);
  await Promise.all([page.waitForNavigation(), page.press('#q', 'Enter')]);
  await ready();
  assert.ok((await numbers()).includes(one.number));
});

test('sorting by valid-until both ways, and paging', async () => {
  await page.goto(`${server.url}/permits?status=active`);
  await ready();
  await Promise.all([page.waitForNavigation(), page.click('th a[href*="sort=valid_until"]')]);
  await ready();
  const asc = await page.$$eval('#permits-table tbody tr', (trs) => trs.map((tr) => tr.children[5].textContent));
  assert.equal(await page.getAttribute('th[aria-sort]', 'aria-sort'), 'ascending');
  await Promise.all([page.waitForNavigation(), page.click('th a[href*="sort=-valid_until"]')]);
  await ready();
  assert.equal(await page.getAttribute('th[aria-sort]', 'aria-sort'), 'descending');
  const firstPage = await numbers();
  assert.equal(firstPage.length, 50);
  await Promise.all([page.waitForNavigation(), page.click('#next')]);
  await ready();
  const second = await numbers();
  assert.ok(second.length > 0 && !second.some((n) => firstPage.includes(n)), 'page 2 holds other permits');
  assert.ok(asc.length === 50);
});

test('CSV export holds the filtered rows', async () => {
  const call = await apiLogin(server, server.user('supervisor'));
  const want = (await call('/api/v1/permits?nationality=CHN&limit=100', { purpose: 'check' })).json;
  await page.goto(`${server.url}/permits?nationality=CHN`);
  await ready();
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
  const csv = readFileSync(await dl.path(), 'utf8').trim().split('\r\n');
  assert.match(csv[0], /^permit_number,permit_type,status,niora,full_name,nationality/);
  assert.equal(csv.length - 1, want.total);
  assert.ok(csv.slice(1).every((l) => l.split(',')[5] === 'CHN'));
  // Garbage is refused with the field named.
  const bad = await call('/api/v1/exports/permits.csv?region=32.x', { purpose: 'check' });
  assert.equal(bad.status, 422);
  assert.equal(bad.json.field, 'region');
});

test("a foreigner's page: identity, permits, card preview and PDF, movements, who read it", async () => {
  await page.goto(`${server.url}/permits?status=active&type=ITAS`);
  await ready();
  const first = page.locator('#permits-table tbody tr a').first();
  const number = await first.textContent();
  await Promise.all([page.waitForNavigation(), first.click()]);
  await page.waitForSelector('body[data-ready="1"] #access-log tbody tr', { timeout: 20_000 });
  assert.ok(await page.locator(`#permit-history a[aria-current="true"]:text("${number}")`).count() === 1);
  await page.waitForFunction(() => { const img = document.querySelector('#card-preview'); return img.complete && img.naturalWidth > 500; }, null, { timeout: 30_000 });
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#card-pdf')]);
  assert.equal(readFileSync(await dl.path()).subarray(0, 5).toString(), '%PDF-');
  assert.ok(await page.locator('#movements tbody tr[data-kind="address"]').count() >= 1, 'the movement timeline holds the declared address');
  await page.waitForSelector('#movement-map[data-points]');
  assert.ok(await page.locator('#permit-events tbody tr').count() >= 1);
  const actions = await page.$$eval('#access-log tbody tr td:nth-child(3)', (tds) => tds.map((td) => td.textContent));
  assert.ok(actions.includes('person.read'), actions.join(','));
  await screenshot(page, 'person');
});

test('an issuing officer sees the card but not the access log; a field officer neither', async () => {
  const c2 = await browser.newContext();
  const p2 = await c2.newPage();
  await login(p2, server, server.user('issuing_officer'));
  const call = await apiLogin(server, server.user('issuing_officer'));
  const one = (await call('/api/v1/permits?limit=1&status=active', { purpose: 'check' })).json.items[0];
  await p2.goto(`${server.url}/persons/${one.niora}`);
  await p2.waitForSelector('#permit-history');
  await p2.waitForSelector('#card-preview');
  assert.equal(await p2.getAttribute('#manage-link', 'href'), `/issue?permit=${encodeURIComponent(one.number)}`);
  assert.equal(await p2.locator('#access-log').count(), 0);
  await p2.waitForSelector('#addresses tbody tr');
  await c2.close();
  const c3 = await browser.newContext();
  const p3 = await c3.newPage();
  await login(p3, server, server.user('field_officer'));
  await p3.goto(`${server.url}/persons/${one.niora}`);
  await p3.waitForSelector('#permit-history');
  assert.equal(await p3.locator('#card-preview').count(), 0);
  assert.equal(await p3.locator('#export').count(), 0);
  await c3.close();
});

test("a foreigner's page: the timeline filtered to checks, corrections found in the field, alerts", async () => {
  const sup = await apiLogin(server, server.user('supervisor'));
  const one = (await sup('/api/v1/permits?status=active&type=ITAS&limit=1&offset=7', { purpose: 'check' })).json.items[0];
  // A field officer checks the person without a written order and finds a new occupation.
  const fieldOfficer = server.user('field_officer');
  const field = await apiLogin(server, fieldOfficer);
  // The check reaches the centre as the real path makes it: `pora field` enrols a device, the
  // supervisor approves it, the device verifies the card offline, signs a report and syncs it.
  const dev = mkdtempSync(join(tmpdir(), 'pora-e2e-device-'));
  const pora = (...args) => execFileSync(poraBin(), ['field', ...args, '--dir', dev], { encoding: 'utf8' });
  try {
    pora('enrol', '--server', server.url, '--user', fieldOfficer.username, '--password', fieldOfficer.password);
    const devices = (await sup('/api/v1/devices?limit=100')).json.items;
    const mine = devices.filter((d) => d.state === 'pending').at(-1);
    assert.equal((await sup(`/api/v1/devices/${mine.id}/approve`, { method: 'POST', body: {} })).status, 200);
    pora('sync');
    const credential = (await sup(`/api/v1/permits/${one.number}`, { purpose: 'check' })).json.credential;
    const checked = JSON.parse(pora('check', credential, '--caught', '--lat', '-6.2866', '--lng', '107.1722', '--note', 'uji e2e', '--json'));
    pora('sync');
    const k = await field(`/api/v1/field/reports/${checked.report_id}/corrections`, { method: 'POST', body: {
      corrections: [{ occupation: 'Kepala produksi (uji)' }],
    } });
    assert.equal(k.status, 201, k.text);
  } finally {
    rmSync(dev, { recursive: true, force: true });
  }
  const mv = (await sup(`/api/v1/foreigners/${one.niora}/movements`, { purpose: 'check' })).json.items;
  const alerts = [
    ...(await sup(`/api/v1/alerts?niora=${one.niora}&limit=100`, { purpose: 'check' })).json.items,
    ...(await sup(`/api/v1/alerts?niora=${one.niora}&state=closed&limit=100`, { purpose: 'check' })).json.items,
  ];
  const corrections = (await sup(`/api/v1/corrections?state=all&niora=${one.niora}`, { purpose: 'check' })).json.items;
  assert.deepEqual(corrections.map((k) => k.new_value), ['Kepala produksi (uji)']);

  await page.goto(`${server.url}/persons/${one.niora}`);
  await page.waitForSelector('body[data-ready="1"] #access-log tbody tr', { timeout: 20_000 });
  const rows = await page.$$eval('#corrections tbody tr', (trs) => trs.map((tr) => [tr.dataset.state, tr.children[3].textContent]));
  assert.deepEqual(rows, [['pending', 'Kepala produksi (uji)']]);
  assert.equal(await page.locator('#person-alerts tbody tr').count(), alerts.length);
  assert.ok(alerts.some((a) => a.kind === 'check_without_order'), alerts.map((a) => a.kind).join(','));
  // The timeline shows everything, then only the checks (the new one: by whom, without an order).
  assert.equal(await page.locator('#movements tbody tr').count(), mv.length);
  await page.click('.chip[data-kind="check"]');
  const visible = await page.$$eval('#movements tbody tr', (trs) => trs.filter((tr) => !tr.hidden).map((tr) => [tr.dataset.kind, tr.textContent]));
  assert.equal(visible.length, mv.filter((m) => m.kind === 'check').length);
  assert.ok(visible.every(([k]) => k === 'check'));
  assert.ok(visible.some(([, text]) => text.includes(fieldOfficer.username) && text.includes('tertangkap tangan')), JSON.stringify(visible));
  await page.click('.chip[data-kind="all"]');
  assert.equal(await page.$$eval('#movements tbody tr', (trs) => trs.filter((tr) => !tr.hidden).length), mv.length);
  assert.deepEqual(await page.$$eval('#person-alerts tbody td[data-kind]', (tds) => tds.map((td) => td.dataset.kind).sort()), alerts.map((a) => a.kind).sort());
  await page.waitForFunction(() => { const img = document.querySelector('#card-preview'); return img.complete && img.naturalWidth > 500; }, null, { timeout: 30_000 });
  await screenshot(page, 'person-supervision');
});
