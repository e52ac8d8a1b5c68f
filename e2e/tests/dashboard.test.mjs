// The dashboard's frame in chromium: sign-in per role, the menu each role gets (and pages it may
// not open), the overview's figures against the API, the language switch, phone width.
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

const MENUS = {
  admin: ['overview', 'map', 'officers'],
  issuing_officer: ['overview', 'permits', 'issue'],
  field_officer: ['overview', 'permits'],
  supervisor: ['overview', 'map', 'permits', 'alerts', 'operations', 'officers', 'report'],
  auditor: ['overview', 'audit'],
};

async function ready(page) {
  await page.waitForSelector('body[data-ready="1"], .error', { timeout: 20_000 });
}

for (const [role, menu] of Object.entries(MENUS)) {
  test(`${role} signs in and sees only its menu`, async () => {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await login(page, server, server.user(role));
    await ready(page);
    assert.equal(new URL(page.url()).pathname, '/');
    const items = await page.$$eval('nav a[data-page]', (as) => as.map((a) => a.dataset.page));
    assert.deepEqual(items, menu);
    assert.match(await page.textContent('#whoami'), new RegExp(server.user(role).username));
    await screenshot(page, `overview-${role}`);
    // A page outside the role's menu says so (the API refuses the data anyway).
    const other = ['/audit', '/map', '/permits'].find((p) => !menu.includes(p.slice(1)));
    await page.goto(`${server.url}${other}`);
    await page.waitForSelector('#forbidden');
    assert.deepEqual(errors, []);
    await ctx.close();
  });
}

test('the overview shows the API figures and 12-month charts', async () => {
  const sup = server.user('supervisor');
  const call = await apiLogin(server, sup);
  const s = (await call('/api/v1/stats/overview')).json;
  assert.equal(s.months.length, 12);
  assert.ok(s.active_itas > 0, JSON.stringify(s));
  const page = await browser.newPage();
  await login(page, server, sup);
  await ready(page);
  const n = async (id) => Number((await page.textContent(`#${id}`)).replace(/\D/g, ''));
  assert.equal(await n('kpi-itas'), s.active_itas);
  assert.equal(await n('kpi-itap'), s.active_itap);
  assert.equal(await n('kpi-exp90'), s.expiring_90);
  assert.equal(await n('kpi-overstay'), s.overstays);
  assert.equal(await n('kpi-alerts'), s.open_alerts);
  assert.equal(await page.locator('.chart canvas').count(), 3);
  await page.close();
});

test('language: Bahasa Indonesia by default, English with one click, remembered', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await login(page, server, server.user('supervisor'));
  await ready(page);
  assert.equal(await page.getAttribute('html', 'lang'), 'id');
  assert.equal((await page.textContent('h1')).trim(), 'Ringkasan');
  await Promise.all([page.waitForNavigation(), page.click('#lang-switch')]);
  await ready(page);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal((await page.textContent('h1')).trim(), 'Overview');
  await screenshot(page, 'overview-en');
  await page.goto(`${server.url}/permits`);
  await ready(page);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await ctx.close();
});

test('keyboard: skip link and menu reachable with Tab; phone width keeps the menu', async () => {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await ctx.newPage();
  await login(page, server, server.user('supervisor'));
  await ready(page);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.page), 'overview');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `page wider than the phone by ${overflow}px`);
  await screenshot(page, 'overview-phone');
  await ctx.close();
});

test('a wrong password is refused on the sign-in page with a message', async () => {
  const page = await browser.newPage();
  await page.goto(`${server.url}/login`);
  await page.fill('#username', 'supervisor');
  await page.fill('#password', 'not-the-password');
  await page.click('button[type=submit]');
  await page.waitForSelector('#login-error:not([hidden])');
  assert.match(await page.textContent('#login-error'), /salah/);
  assert.equal(new URL(page.url()).pathname, '/login');
  await screenshot(page, 'login');
  await page.close();
});
