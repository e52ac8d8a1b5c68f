// Alerts worked to closed through the page (with the API's field message when a note is missing),
// and the audit page's chain verification and its log searched on the server.
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

test('a supervisor works an alert open → investigating → BAP → closed', async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  await login(page, server, server.user('supervisor'));
  await page.goto(`${server.url}/alerts`);
  await page.waitForSelector('#alerts-table tbody tr, #alert-count:not(:empty)');
  const row = page.locator('#alerts-table tbody tr').first();
  const id = await row.getAttribute('data-id');
  assert.ok(id, 'the demo has open alerts');
  // Reasons in Bahasa Indonesia, written from each alert's evidence (the server's are English).
  const reasons = await page.$$eval('#alerts-table tbody tr', (trs) => trs.map((tr) => [tr.dataset.kind, tr.children[5].textContent]));
  const bahasa = { officer_outside_area: /^Pemeriksaan di luar wilayah surat perintah /, overstay: /^Overstay [\d.]+ hari, denda Rp/,
    expiring: /^Habis berlaku dalam /, incomplete: /^Data izin tidak lengkap$/, revoked_seen: /^Izin berstatus .* diperlihatkan di lapangan$/ };
  let seen = 0;
  for (const [kind, text] of reasons) {
    if (bahasa[kind]) { assert.match(text, bahasa[kind], kind); seen += 1; }
  }
  assert.ok(seen > 0, `translated kinds on the first page: ${[...new Set(reasons.map(([k]) => k))].join(', ')}`);
  await screenshot(page, 'alerts');
  const form = page.locator(`form.workflow[data-alert="${id}"]`);
  await form.locator('select').selectOption('investigating');
  await form.locator('button').click();
  await page.waitForSelector(`#alerts-table tr[data-id="${id}"] .badge.st-investigating`);
  // BAP without its number: the API's message is shown at the field.
  await page.locator(`form.workflow[data-alert="${id}"] select`).selectOption('bap');
  await page.locator(`form.workflow[data-alert="${id}"] button`).click();
  await page.waitForSelector(`form.workflow[data-alert="${id}"] input[aria-invalid="true"]`);
  assert.match(await page.locator(`form.workflow[data-alert="${id}"] .field-error`).textContent(), /BAP|examination/i);
  await page.locator(`form.workflow[data-alert="${id}"] input`).fill('BAP-017/PORA/2026');
  await page.locator(`form.workflow[data-alert="${id}"] button`).click();
  await page.waitForSelector(`#alerts-table tr[data-id="${id}"] .badge.st-bap`);
  await page.locator(`form.workflow[data-alert="${id}"] input`).fill('Deportasi diusulkan, kasus selesai di tingkat kantor');
  await page.locator(`form.workflow[data-alert="${id}"] button`).click();
  await page.waitForSelector(`#alerts-table tr[data-id="${id}"] .badge.st-closed`);
  const call = await apiLogin(server, server.user('supervisor'));
  const a = (await call(`/api/v1/alerts/${id}`, { purpose: 'check' })).json;
  assert.equal(a.state ?? a.alert?.state, 'closed');
  await page.goto(`${server.url}/alerts?state=closed`);
  await page.waitForSelector(`#alerts-table tr[data-id="${id}"]`);
  await page.close();
});

test('the auditor sees the chain intact and the log, and nothing else', async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  await login(page, server, server.user('auditor'));
  await page.goto(`${server.url}/audit`);
  await page.waitForSelector('#chain-result');
  assert.match(await page.textContent('#chain-result'), /Utuh/);
  await page.waitForSelector('#audit-table tbody tr');
  assert.equal(await page.locator('#audit-table tbody tr').count(), 100);
  // The search runs on the server: every row shown is a sign-in.
  await page.fill('#au-action', 'auth.login');
  await Promise.all([page.waitForURL(/action=auth\.login/), page.click('#audit-go')]);
  await page.waitForSelector('#audit-table tbody tr');
  const visible = await page.$$eval('#audit-table tbody tr td:nth-child(4)', (tds) => tds.map((td) => td.textContent));
  assert.ok(visible.length > 0 && visible.every((a) => a === 'auth.login'), visible.join(','));
  await screenshot(page, 'audit');
  await page.goto(`${server.url}/alerts`);
  await page.waitForSelector('#forbidden');
  await page.close();
});

test("officers: each field officer's checks, devices and open alerts", async () => {
  const call = await apiLogin(server, server.user('supervisor'));
  const api = (await call('/api/v1/stats/officers?since_days=365')).json;
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  await login(page, server, server.user('supervisor'));
  await page.goto(`${server.url}/officers?days=365`);
  await page.waitForSelector('#officers-table tbody tr');
  assert.equal(await page.locator('#officers-table tbody tr').count(), api.items.length);
  const shown = await page.$$eval('#officers-table tbody tr td:nth-child(2)', (tds) => tds.reduce((s, td) => s + Number(td.textContent.replace(/\D/g, '')), 0));
  assert.equal(shown, api.items.reduce((s, o) => s + o.checks, 0));
  // One chip per open alert kind, in words (Bahasa Indonesia by default), with the API's count.
  const chips = await page.$$eval('#officers-table tbody tr', (trs) => trs.map((tr) => ({
    officer: tr.dataset.officer,
    chips: [...tr.querySelectorAll('.badge[data-kind]')].map((b) => [b.dataset.kind, b.textContent]),
  })));
  for (const o of api.items) {
    const row = chips.find((c) => c.officer === o.username);
    assert.deepEqual(row.chips.map(([k]) => k).sort(), Object.keys(o.open_alerts).sort(), o.username);
    for (const [k, text] of row.chips) {
      assert.ok(!text.includes('_') && text.endsWith(`: ${o.open_alerts[k]}`), `${k}: ${text}`);
    }
  }
  const outside = chips.flatMap((c) => c.chips).find(([k]) => k === 'officer_outside_area');
  if (outside) assert.match(outside[1], /^Petugas di luar wilayah operasi: /);
  await screenshot(page, 'officers');
  await page.close();
});
