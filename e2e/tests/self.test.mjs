// A permit holder's own page in chromium: they land on /me after signing in, see their permits,
// the read an officer just made of their record (by role and office, with its purpose), file a
// correction request (the API's field message shown at the field when the reason is missing), see
// the officer's answer, and download everything held about them as a PDF.
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

test('a permit holder sees their permits, who read their data, files a correction and downloads their data', async () => {
  const holder = await apiLogin(server, server.user('foreigner'));
  const mine = (await holder('/api/v1/me/permits')).json;
  const niora = mine.person.niora;
  assert.ok(mine.permits.length > 0, 'the demo holder has a permit');

  // An issuing officer reads the record for an issuance task: the holder must see that read.
  const officer = await apiLogin(server, server.user('issuing_officer'));
  const ref = `e2e-${Date.now()}`;
  const read = await officer(`/api/v1/foreigners/${niora}`, { purpose: `issuance:${ref}` });
  assert.equal(read.status, 200, read.text);

  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  await login(page, server, server.user('foreigner'));
  await page.waitForURL(/\/me$/);
  await page.waitForSelector('body[data-ready="1"] #me-permits tbody tr');
  assert.equal(await page.locator('#me-permits tbody tr').count(), mine.permits.length);
  assert.ok((await page.textContent('#me-permits')).includes(mine.permits[0].number));
  await page.waitForSelector('#me-reads tbody tr');
  const reads = await page.$$eval('#me-reads tbody tr', (trs) => trs.map((tr) => tr.textContent));
  assert.ok(reads.some((r) => r.includes(ref) && /Petugas penerbitan/.test(r)), `the officer's read is listed: ${reads.slice(0, 5).join(' | ')}`);
  assert.ok(!reads.some((r) => r.includes('self.read')), 'the holder\'s own views are not listed');
  // No officer is named.
  assert.ok(!reads.some((r) => r.includes(server.user('issuing_officer').username)), 'officers are shown by role, not by name');

  // Other pages are not for a permit holder: they come back to their own page.
  await page.goto(`${server.url}/permits`);
  await page.waitForURL(/\/me$/);

  // A correction request without a reason: the API's message at the reason field.
  await page.waitForSelector('#rq-form');
  await page.selectOption('#rq-field', 'occupation');
  await page.fill('#rq-value', 'Quality engineer');
  await page.click('#rq-form button[type="submit"]');
  await page.waitForSelector('#rq-reason[aria-invalid="true"]');
  assert.ok((await page.textContent('#rq-reason-error')).length > 0);
  await page.fill('#rq-reason', 'I changed jobs within the same company in March.');
  await page.click('#rq-form button[type="submit"]');
  await page.waitForSelector('#rq-sent:not([hidden])');
  const rows = await page.$$eval('#me-requests tbody tr', (trs) => trs.map((tr) => tr.textContent));
  assert.ok(rows[0].includes('Quality engineer') && rows[0].includes('Menunggu'), rows[0]);
  await screenshot(page, 'self-id');

  // An officer answers; the holder sees the answer after a reload.
  const supervisor = await apiLogin(server, server.user('supervisor'));
  const pending = (await supervisor('/api/v1/correction-requests?state=pending', { purpose: `case:${ref}` })).json;
  const mineReq = pending.items.find((r) => r.niora === niora && r.requested_value === 'Quality engineer');
  assert.ok(mineReq, 'the request reached the office');
  const answer = await supervisor(`/api/v1/correction-requests/${mineReq.id}/decide`, {
    method: 'POST', body: { decision: 'accept', reason: 'Surat keterangan kerja sudah diperiksa' },
  });
  assert.equal(answer.status, 200, answer.text);
  await page.reload();
  await page.waitForSelector('#me-requests tbody tr');
  assert.match(await page.locator('#me-requests tbody tr').first().textContent(), /Diterima.*Surat keterangan kerja/);

  // Everything held, as a PDF, with the session cookie.
  const pdf = await page.evaluate(async () => {
    const r = await fetch(document.getElementById('me-pdf').getAttribute('href'));
    const b = new Uint8Array(await r.arrayBuffer());
    return { status: r.status, type: r.headers.get('content-type'), head: String.fromCharCode(...b.slice(0, 5)), size: b.length };
  });
  assert.equal(pdf.status, 200);
  assert.equal(pdf.type, 'application/pdf');
  assert.equal(pdf.head, '%PDF-');

  // English, at phone width.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.click('button.lang');
  await page.waitForSelector('body[data-ready="1"] #me-permits');
  assert.match(await page.textContent('h1'), /My residence permit/);
  await screenshot(page, 'self-en-phone');
  await page.close();
});
