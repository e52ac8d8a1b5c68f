// The harness itself: a demo server starts, chromium reaches it, a cookie session works in the
// browser, and a state-changing call without the CSRF header is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser } from '../lib/harness.mjs';

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

test('the demo prints a login for every staff role and sample permits', () => {
  for (const role of ['admin', 'issuing_officer', 'field_officer', 'supervisor', 'auditor']) {
    assert.ok(server.logins[role]?.length, `no ${role} login in:\n${server.output()}`);
  }
  assert.match(server.samples.valid ?? '', /^\S{1,20}$/);
});

test('chromium signs in with a cookie session and CSRF protects writes', async () => {
  const page = await browser.newPage();
  const health = await page.goto(`${server.url}/healthz`);
  assert.equal(health.status(), 200);
  const sup = server.user('supervisor');
  const r = await page.evaluate(async ({ username, password }) => {
    const login = await fetch('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password, mode: 'cookie' }),
    });
    const body = await login.json();
    const me = await (await fetch('/api/v1/auth/me')).json();
    const noCsrf = await fetch('/api/v1/auth/logout', { method: 'POST' });
    const withCsrf = await fetch('/api/v1/auth/logout', { method: 'POST', headers: { 'x-csrf-token': body.csrf_token } });
    const after = await fetch('/api/v1/auth/me');
    return { login: login.status, role: me.role, noCsrf: noCsrf.status, code: (await noCsrf.json()).code, withCsrf: withCsrf.status, after: after.status };
  }, sup);
  assert.deepEqual(r, { login: 200, role: 'supervisor', noCsrf: 403, code: 'csrf', withCsrf: 204, after: 401 });
  await page.close();
});
