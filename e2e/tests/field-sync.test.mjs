// The field verifier page (/field/) in Debian's chromium with a fake camera fed from card images
// and a fake GPS: enrolment with a WebCrypto key, a valid card, a forged one and an expired one;
// offline scans survive browser restarts and a reload (service worker + IndexedDB); back online the
// queue uploads and the server holds each report exactly once, chained; a resend is all duplicates.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, screenshot, apiLogin } from '../lib/harness.mjs';
import { cardVideos, openPhone, ready as readyAt, scan, pending, localReports, localDevice, markAllPending } from '../lib/field.mjs';

let server;
let tmp;
let officer;
let sup;
let videos;

before(async () => {
  server = await startServer();
  tmp = mkdtempSync(join(tmpdir(), 'pora-field-sync-'));
  officer = server.user('field_officer');
  sup = await apiLogin(server, server.user('supervisor'));
  videos = await cardVideos(server, tmp);
});

after(async () => {
  await server?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const open = (profile, video, opts) => openPhone(server, profile, video, opts);
const ready = (page) => readyAt(server, page);

/** The reports the server stored from this test's device (the newest; the demo's own devices have a year of reports), read from its SQLite file. */
function serverReports() {
  const db = join(server.dir, 'pora-demo.db');
  const out = execFileSync('sqlite3', ['-readonly', '-json', db, 'SELECT report_id, seq, chain, outcome_code FROM field_reports WHERE device_id = (SELECT MAX(id) FROM devices) ORDER BY seq'], { encoding: 'utf8' });
  return out.trim() ? JSON.parse(out) : [];
}

test('enrol, scan valid / forged / expired, offline across restarts and a reload, then sync exactly once', async () => {
  const profile = join(tmp, 'profile');

  // 1. Online: the page loads (cold), the officer enrols the device; a supervisor approves it.
  let { ctx, page } = await open(profile, videos.valid);
  await ready(page);
  await page.click('.tabs [data-view=enrol]');
  await page.fill('#username', officer.username);
  await page.fill('#password', officer.password);
  await page.click('#login-form button[type=submit]');
  await page.waitForFunction(() => /#\d+/.test(document.getElementById('device-state').textContent), null, { timeout: 30_000 });
  const dev = await localDevice(page);
  // The private key stayed in the browser, not extractable.
  assert.equal(dev.extractable, false);
  const deviceId = dev.id;
  const approve = await sup(`/api/v1/devices/${deviceId}/approve`, { method: 'POST', body: {} });
  assert.equal(approve.status, 200, approve.text);
  await page.click('#btn-sync');
  await page.waitForFunction(() => /disetujui|approved/.test(document.getElementById('device-state').textContent), null, { timeout: 30_000 });
  await screenshot(page, 'field-sync-1-enrolled', { fullPage: false });
  await page.click('.tabs [data-view=scan]');
  await page.fill('#order', 'SP-E2E-01');
  await page.selectOption('#basis', 'caught');

  // 2. A valid card, online: green, recorded, uploaded.
  let v = await scan(page);
  assert.equal(v.color, 'green', JSON.stringify(v));
  assert.equal(v.code, 'valid');
  assert.match(v.headline, /SAH/);
  assert.match(v.extra, /Sisa \d+ hari/);
  assert.match(v.recorded, /#0/);
  await page.waitForFunction(() => document.getElementById('queue').dataset.pending === '0', null, { timeout: 30_000 });

  // 3. Offline: the same card again (queued), then the browser is closed as a crash would.
  await ctx.setOffline(true);
  await page.waitForFunction(() => document.getElementById('net').dataset.state === 'offline');
  v = await scan(page);
  assert.equal(v.color, 'green');
  assert.equal(await pending(page), 1);
  await ctx.close();

  // 4. Restart offline with the forged card: the page comes from the service worker.
  ({ ctx, page } = await open(profile, videos.forged, { offline: true }));
  await ready(page);
  v = await scan(page);
  assert.equal(v.color, 'red', JSON.stringify(v));
  assert.equal(v.code, 'unknown_signer');
  assert.equal(await pending(page), 2);
  // A reload (offline) loses nothing.
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.ready === 'yes', null, { timeout: 60_000 });
  await page.waitForFunction(() => document.getElementById('queue').dataset.pending === '2');
  await ctx.close();

  // 5. Restart offline with the expired card: red, overstay days and the charge.
  ({ ctx, page } = await open(profile, videos.expired, { offline: true }));
  await ready(page);
  v = await scan(page);
  assert.equal(v.color, 'red', JSON.stringify(v));
  assert.equal(v.code, 'expired');
  assert.match(v.extra, /Overstay \d+ hari · Biaya beban Rp[\d.]+/);
  assert.equal(await pending(page), 3);
  // The scan screen (without starting the camera) shows the queue and the data's age.
  await page.click('.tabs [data-view=scan]');
  await screenshot(page, 'field-sync-2-offline-queue', { fullPage: false });

  // 6. Online again: the queue uploads; the server holds each report exactly once, chained.
  await ctx.setOffline(false);
  await page.waitForFunction(() => document.getElementById('queue').dataset.pending === '0', null, { timeout: 60_000 });
  const local = await localReports(page);
  assert.equal(local.length, 4);
  assert.ok(local.every((r) => r.state === 'accepted'), JSON.stringify(local));
  let remote = serverReports();
  assert.deepEqual(remote.map((r) => r.report_id).sort(), local.map((r) => r.id).sort());
  assert.deepEqual(remote.map((r) => r.seq), [0, 1, 2, 3]);
  assert.ok(remote.every((r) => ['first', 'linked'].includes(r.chain)), JSON.stringify(remote));
  assert.deepEqual(remote.map((r) => r.outcome_code), ['valid', 'valid', 'unknown_signer', 'expired']);

  // 7. Sending everything again (as after a lost answer) creates nothing new: all duplicates.
  await markAllPending(page);
  await page.click('#btn-sync');
  let again = await localReports(page);
  for (let i = 0; i < 300 && again.some((r) => r.state === 'pending'); i++) {
    await new Promise((r) => setTimeout(r, 100));
    again = await localReports(page);
  }
  assert.ok(again.every((r) => r.state === 'duplicate'), JSON.stringify(again));
  remote = serverReports();
  assert.equal(remote.length, 4);
  await ctx.close();
});
