// Issuance in chromium, as an issuing officer: register a foreigner (a mirrored format check and a
// server refusal, each shown next to its field in both languages, then fixed), issue a permit (the
// server's "incomplete: no sponsor" shown at the sponsor, a sponsor registered on the spot), extend
// it through the confirmation dialog, suspend and resume it, download its card as PDF and PNG, and
// read the PNG's QR code with the field verifier's own reader (wasm) and have the server verify it.
// A field officer gets neither the page nor the API. Screenshots at laptop and phone size.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, launchBrowser, screenshot, login, apiLogin, REPO_DIR } from '../lib/harness.mjs';
import { initSync, readImage } from '../../crates/pora-server/web/field/pkg/pora_wasm.js';

initSync({ module: readFileSync(join(REPO_DIR, 'crates/pora-server/web/field/pkg/pora_wasm_bg.wasm')) });

const LAPTOP = { width: 1366, height: 900 };
const PHONE = { width: 412, height: 860 };
const isoDay = (offset = 0) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);

// Invented person, sponsor and numbers (the demo's NIORAs start with 2, its permits with 2C11).
const NIORA = '8800000001';
const NUMBER = 'E2E/ITAS/0001';
const PERSON = { name: 'Marta Zofia Kowalska', place: 'Kraków', nationality: 'POL', passport: 'EK4471902' };
const RENEWED = 'EK9920011';
const SPONSOR = { name: 'PT Contoh Presisi Cikarang', nib: '9120000000017', npwp: '019283746501000' };

let server;
let browser;
let ctx;
let page;
const errors = [];
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  ctx = await browser.newContext({ viewport: LAPTOP, acceptDownloads: true });
  page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await login(page, server, server.user('issuing_officer'));
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The error shown next to the input whose API field is `field`. */
const fieldError = (form, field) => page.evaluate(([f, name]) => {
  const input = document.querySelector(`${f} [data-field="${name}"]`);
  return { invalid: input.getAttribute('aria-invalid'), text: document.getElementById(`${input.id}-err`).textContent, focused: document.activeElement === input };
}, [form, field]);

test('register a foreigner: a format error and a server refusal shown at their fields, fixed', async () => {
  await page.goto(`${server.url}/issue`);
  await page.waitForSelector('body[data-ready="1"]');
  assert.equal(await page.getAttribute('#tab-register', 'aria-selected'), 'true');
  const f = (name) => `#register-form [data-field="${name}"]`;
  await page.fill(f('niora'), NIORA);
  await page.fill(f('full_name'), PERSON.name);
  await page.selectOption(f('sex'), 'F');
  await page.fill(f('birth_place'), PERSON.place);
  // A birth date in the future is well-formed: only the server refuses it.
  await page.fill(f('birth_date'), isoDay(30));
  await page.fill(f('nationality'), PERSON.nationality);
  await page.fill(f('passport.number'), 'EK-44719');
  await page.fill(f('passport.issuing_state'), PERSON.nationality);
  await page.fill(f('passport.expiry_date'), isoDay(3000));
  await page.fill(f('address.line'), 'Jl. Contoh Raya No. 7, RT 002/RW 005');
  await page.selectOption('#register-form [data-field="kecamatan"]', '32.16.06');
  const desa = await page.$eval(f('address.region_code'), (s) => s.options[1].value);
  await page.selectOption(f('address.region_code'), desa);
  assert.equal(await page.textContent('#register-form .region-code'), desa);

  await page.click('#register-submit');
  let e = await fieldError('#register-form', 'passport.number');
  assert.equal(e.invalid, 'true');
  assert.match(e.text, /huruf kapital A–Z atau angka/);
  assert.match(e.text, /want 1-9 characters A-Z or 0-9/);
  assert.ok(e.focused, 'the first wrong field has the focus');
  await page.fill(f('passport.number'), PERSON.passport);

  await page.click('#register-submit');
  await page.waitForSelector(`${f('birth_date')}[aria-invalid="true"]`);
  e = await fieldError('#register-form', 'birth_date');
  assert.match(e.text, /tidak boleh di masa depan/);
  assert.match(e.text, /in the future/);
  assert.ok(e.focused);
  assert.equal(await page.getAttribute(f('passport.number'), 'aria-invalid'), null, 'the fixed field is no longer marked');
  await screenshot(page, 'issuance-register-error');

  await page.fill(f('birth_date'), '1988-04-17');
  await page.click('#register-submit');
  await page.waitForSelector('#register-done .ok-box');
  assert.match(await page.textContent('#register-done'), new RegExp(NIORA));
  const call = await apiLogin(server, server.user('issuing_officer'));
  const rec = (await call(`/api/v1/foreigners/${NIORA}`, { purpose: 'issuance:e2e' })).json;
  assert.equal(rec.foreigner.full_name, PERSON.name);
  assert.equal(rec.foreigner.mrz_name, 'MARTA<ZOFIA<KOWALSKA');
  assert.equal(rec.passports[0].number, PERSON.passport);
  assert.equal(rec.addresses[0].region_code, desa);
  // The same NIORA again: the server names the field.
  const again = await call('/api/v1/foreigners', { method: 'POST', body: { niora: NIORA, full_name: 'X', sex: 'M', birth_place: 'X', birth_date: '1990-01-01', nationality: 'POL' } });
  assert.equal(again.status, 409);
  assert.equal(again.json.field, 'niora');
});

test('issue an ITAS: no sponsor is refused at the sponsor field; a sponsor registered on the spot', async () => {
  await page.click('#to-issue');
  assert.equal(await page.getAttribute('#tab-issue', 'aria-selected'), 'true');
  await page.waitForSelector('#holder-info strong');
  assert.match(await page.textContent('#holder-info'), new RegExp(PERSON.name));
  // The passport was renewed: the new one is added, and the permit will carry it.
  await page.click('#passport-new summary');
  await page.fill('#passport-form [data-field="passport.number"]', PERSON.passport);
  await page.fill('#passport-form [data-field="passport.expiry_date"]', isoDay(3650));
  await page.click('#passport-submit');
  await page.waitForSelector('#passport-form [data-field="passport.number"][aria-invalid="true"]');
  assert.match((await fieldError('#passport-form', 'passport.number')).text, /paspor ini sudah terdaftar/);
  await page.fill('#passport-form [data-field="passport.number"]', RENEWED);
  await page.click('#passport-submit');
  await page.waitForFunction((n) => document.querySelector('#holder-info').textContent.includes(n), RENEWED);
  const f = (name) => `#issue-form [data-field="${name}"]`;
  await page.fill(f('number'), NUMBER);
  await page.selectOption(f('permit_type'), 'ITAS');
  // Issued ten months ago and running out in two: an extension can be filed now.
  await page.fill(f('valid_from'), isoDay(-300));
  await page.dispatchEvent(f('valid_from'), 'change');
  await page.selectOption(f('visa_code'), 'E23');
  assert.ok(await page.inputValue(f('valid_until')), 'the longest grant is proposed');
  await page.fill(f('valid_until'), isoDay(60));
  await page.click('#issue-submit');
  await page.waitForSelector('#sponsor-id-q[aria-invalid="true"]');
  const e = await fieldError('#issue-form', 'sponsor_id');
  assert.match(e.text, /ITAS wajib memiliki penjamin/);
  assert.match(e.text, /An ITAS needs a sponsor/);
  const call = await apiLogin(server, server.user('issuing_officer'));
  assert.equal((await call(`/api/v1/permits/${encodeURIComponent(NUMBER)}`, { purpose: 'issuance:e2e' })).status, 404, 'nothing was issued');
  await screenshot(page, 'issuance-issue-incomplete');

  await page.click('#sponsor-new summary');
  await page.fill('#sponsor-form [data-field="name"]', SPONSOR.name);
  await page.fill('#sponsor-form [data-field="nib"]', SPONSOR.nib);
  await page.fill('#sponsor-form [data-field="npwp"]', '0192');
  await page.click('#sponsor-submit');
  assert.match((await page.textContent('#sponsor-form .form-errors')) + (await fieldError('#sponsor-form', 'npwp')).text, /15 atau 16 angka/);
  await page.fill('#sponsor-form [data-field="npwp"]', SPONSOR.npwp);
  await page.click('#sponsor-submit');
  await page.waitForSelector('#sponsor-chosen:not(:empty)');
  assert.match(await page.textContent('#sponsor-chosen'), new RegExp(SPONSOR.name));
  // The office's sponsors can be found again by NIB.
  const found = (await call(`/api/v1/sponsors?q=${SPONSOR.nib}`, { purpose: 'issuance:e2e' })).json.items;
  assert.deepEqual(found.map((s) => s.name), [SPONSOR.name]);

  await page.click('#issue-submit');
  await page.waitForSelector('#issue-done .ok-box');
  assert.match(await page.textContent('#issue-done'), new RegExp(NUMBER));
  const p = (await call(`/api/v1/permits/${encodeURIComponent(NUMBER)}`, { purpose: 'issuance:e2e' })).json;
  assert.equal(p.status, 'active');
  assert.equal(p.niora, NIORA);
  assert.equal(p.valid_until, isoDay(60));
  await screenshot(page, 'issuance-issued');
});

test('extend through the confirmation dialog; suspend needs a reason; resume', async () => {
  await page.click('#to-manage');
  await page.waitForSelector('#permit-status[data-status="active"]');
  assert.equal(await page.getAttribute('#tab-manage', 'aria-selected'), 'true');
  assert.equal(await page.isDisabled('#act-resume'), true, 'nothing to resume on an active permit');
  await page.click('#act-extend');
  await page.waitForSelector('#action-dialog[open]');
  await page.fill('#action-dialog [data-field="valid_until"]', isoDay(425));
  await screenshot(page, 'issuance-extend-dialog', { fullPage: false });
  await page.click('#action-confirm');
  await page.waitForSelector('#action-done');
  assert.equal(await page.isVisible('#action-dialog'), false);
  const call = await apiLogin(server, server.user('issuing_officer'));
  const p = (await call(`/api/v1/permits/${encodeURIComponent(NUMBER)}`, { purpose: 'issuance:e2e' })).json;
  assert.equal(p.valid_until, isoDay(425));
  assert.equal(await page.locator('#issue-events tbody tr[data-kind="extended"]').count(), 1);

  // Escape leaves the confirmation without doing anything.
  await page.click('#act-cancel');
  await page.waitForSelector('#action-dialog[open]');
  await page.keyboard.press('Escape');
  await page.waitForSelector('#action-dialog:not([open])', { state: 'attached' });
  assert.equal(await page.getAttribute('#permit-status', 'data-status'), 'active');
  await page.click('#act-suspend');
  await page.click('#action-confirm');
  const e = await fieldError('#action-dialog', 'reason');
  assert.match(e.text, /wajib diisi/);
  assert.ok(e.focused);
  await page.fill('#action-dialog [data-field="reason"]', 'Sponsor melaporkan pekerja tidak lagi bekerja (uji)');
  await page.click('#action-confirm');
  await page.waitForSelector('#permit-status[data-status="suspended"]');
  await page.click('#act-resume');
  await page.click('#action-confirm');
  await page.waitForSelector('#permit-status[data-status="active"]');
  const kinds = await page.$$eval('#issue-events tbody tr', (trs) => trs.map((tr) => tr.dataset.kind));
  for (const k of ['issued', 'extended', 'suspended', 'resumed']) assert.ok(kinds.includes(k), kinds.join(','));
});

test('print: the card as PDF and PNG; the PNG QR reads and verifies as valid', async () => {
  await page.waitForFunction(() => { const img = document.querySelector('#issue-card-preview'); return img.complete && img.naturalWidth > 500; }, null, { timeout: 30_000 });
  const [pdf] = await Promise.all([page.waitForEvent('download'), page.click('#dl-card-pdf')]);
  assert.equal(readFileSync(await pdf.path()).subarray(0, 5).toString(), '%PDF-');
  const [epermit] = await Promise.all([page.waitForEvent('download'), page.click('#dl-epermit-pdf')]);
  assert.equal(readFileSync(await epermit.path()).subarray(0, 5).toString(), '%PDF-');
  const [png] = await Promise.all([page.waitForEvent('download'), page.click('#dl-card-png')]);
  const bytes = readFileSync(await png.path());
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const codes = JSON.parse(readImage(bytes));
  assert.ok(Array.isArray(codes) && codes.length === 1, JSON.stringify(codes));
  assert.match(codes[0].text, /^PR1:/);
  const call = await apiLogin(server, server.user('issuing_officer'));
  const v = await call('/api/v1/verify', { method: 'POST', body: { qr_text: codes[0].text } });
  assert.equal(v.status, 200, v.text);
  assert.equal(v.json.code, 'valid', JSON.stringify(v.json));
  assert.equal(v.json.permit.permit_number, NUMBER);
  assert.equal(v.json.permit.passport_number, RENEWED);
  // The card carries the extended credential, not the first one.
  const p = (await call(`/api/v1/permits/${encodeURIComponent(NUMBER)}`, { purpose: 'issuance:e2e' })).json;
  assert.equal(codes[0].text, p.credential);
  await screenshot(page, 'issuance-manage');
  assert.deepEqual(errors, []);
});

test('convert the ITAS to an ITAP, then close the ITAP by EPO', async () => {
  await page.click('#act-convert');
  await page.fill('#action-dialog [data-field="new_number"]', 'e2e/itap/0001');
  await page.click('#action-confirm');
  await page.waitForSelector('#permit-title:text("ITAP E2E/ITAP/0001")');
  assert.match(await page.textContent('#action-done'), /E2E\/ITAP\/0001/);
  assert.equal(await page.isDisabled('#act-convert'), true, 'an ITAP is not converted again');
  const call = await apiLogin(server, server.user('issuing_officer'));
  assert.equal((await call(`/api/v1/permits/${encodeURIComponent(NUMBER)}`, { purpose: 'issuance:e2e' })).json.status, 'converted');
  await page.click('#act-exit');
  await page.fill('#action-dialog [data-field="reason"]', 'Pindah kerja ke luar negeri (uji)');
  await page.click('#action-confirm');
  await page.waitForSelector('#permit-status[data-status="exited"]');
  assert.deepEqual(await page.$$eval('#permit-actions button:not([disabled])', (bs) => bs.map((b) => b.id)), [], 'nothing more to do on a closed permit');
  const itap = (await call('/api/v1/permits/E2E%2FITAP%2F0001', { purpose: 'issuance:e2e' })).json;
  assert.equal(itap.status, 'exited');
  assert.equal(itap.permit_type, 'ITAP');
});

test('phone width: the steps and the permit view fit and work', async () => {
  const phone = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const p = await phone.newPage();
  await login(p, server, server.user('issuing_officer'));
  await p.goto(`${server.url}/issue?lang=en`);
  await p.waitForSelector('body[data-ready="1"]');
  assert.equal((await p.textContent('#tab-register')).trim(), '1. Register a foreigner');
  await p.click('#register-submit');
  await p.waitForSelector('#register-form [data-field="niora"][aria-invalid="true"]');
  // English first, Bahasa Indonesia beneath.
  assert.deepEqual(await p.$$eval('#register-form .field-error:not(:empty)', (es) => [...es[0].children].map((c) => [c.lang, c.textContent])),
    [['en', 'required'], ['id', 'wajib diisi']]);
  const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 1, `no sideways scrolling (${overflow}px)`);
  await screenshot(p, 'issuance-register-phone');
  await p.goto(`${server.url}/issue?permit=${encodeURIComponent(NUMBER)}&lang=id`);
  await p.waitForSelector('#permit-status[data-status="converted"]');
  await p.waitForFunction(() => { const img = document.querySelector('#issue-card-preview'); return img.complete && img.naturalWidth > 500; }, null, { timeout: 30_000 });
  assert.ok(await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth) <= 1);
  await screenshot(p, 'issuance-manage-phone');
  await phone.close();
});

test("keyboard: the steps are tabs moved with the arrow keys; a holder's permits found by passport", async () => {
  await page.goto(`${server.url}/issue?permit=${encodeURIComponent(NUMBER)}`);
  await page.waitForSelector('#permit-status');
  await page.focus('#tab-manage');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-register');
  assert.equal(await page.getAttribute('#tab-register', 'aria-selected'), 'true');
  assert.equal(await page.isVisible('#panel-manage'), false);
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.getAttribute('#tab-manage', 'aria-selected'), 'true');
  assert.match(page.url(), /step=manage/);
  // Only the selected tab is in the Tab order; Tab from it goes into its panel.
  assert.deepEqual(await page.$$eval('[role="tab"]', (ts) => ts.map((t) => t.tabIndex)), [-1, -1, 0]);
  await page.goto(`${server.url}/issue?permit=E2E%2FITAP%2F0001`);
  await page.waitForSelector('#permit-status[data-status="exited"]');
  await page.goto(`${server.url}/issue?step=manage`);
  await page.fill('#find-q', RENEWED);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#find-table tbody tr');
  assert.equal(await page.locator('#find-table tbody tr').count(), 2, 'both permits of the holder, found by passport');
  await page.click('#find-table button:text("E2E/ITAS/0001")');
  await page.waitForSelector('#permit-status[data-status="converted"]');
});

test('a field officer has no issuance page and the API refuses', async () => {
  const c = await browser.newContext();
  const p = await c.newPage();
  await login(p, server, server.user('field_officer'));
  assert.equal(await p.locator('nav a[data-page="issue"]').count(), 0);
  await p.goto(`${server.url}/issue`);
  await p.waitForSelector('#forbidden');
  assert.equal(await p.locator('#register-form').count(), 0);
  await c.close();
  const call = await apiLogin(server, server.user('field_officer'));
  const r = await call('/api/v1/foreigners', { method: 'POST', body: { niora: '8800000002', full_name: 'X', sex: 'M', birth_place: 'X', birth_date: '1990-01-01', nationality: 'POL' } });
  assert.equal(r.status, 403);
  assert.equal((await call(`/api/v1/permits/${encodeURIComponent(NUMBER)}/extend`, { method: 'POST', body: { valid_until: isoDay(500) } })).status, 403);
});
