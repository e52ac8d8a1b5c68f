// The shared browser-test harness: starts a pora server on a fresh demo database (free port,
// temporary directory), launches Debian's chromium through playwright-core, saves screenshots
// under e2e/artifacts/, and cleans everything up.
//
//   import { startServer, launchBrowser, screenshot, login } from '../lib/harness.mjs';
//   const server = await startServer();            // { url, logins, samples, dir, stop() }
//   const browser = await launchBrowser();         // extra chromium args: launchBrowser({ args: [...] })
//
// Environment: PORA_BIN (the `pora` binary; default <CARGO_TARGET_DIR or target>/debug/pora),
// CHROMIUM (default /usr/bin/chromium), PORA_E2E_SCALE (demo size, default 0.1).

import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const E2E_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_DIR = resolve(E2E_DIR, '..');
export const ARTIFACTS = join(E2E_DIR, 'artifacts');

/** The `pora` binary the tests run. */
export function poraBin() {
  if (process.env.PORA_BIN) return process.env.PORA_BIN;
  const target = process.env.CARGO_TARGET_DIR || join(REPO_DIR, 'target');
  return join(target, 'debug', 'pora');
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.unref();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

function parseDemoOutput(text) {
  const logins = {};
  const samples = {};
  for (const line of text.split('\n')) {
    const l = line.match(/^\s{2}(admin|issuing_officer|field_officer|supervisor|auditor|foreigner)\s+(\S+)\s+(\S+)\s*$/);
    if (l) {
      (logins[l[1]] ||= []).push({ role: l[1], username: l[2], password: l[3] });
    }
    const s = line.match(/^\s{2}sample (\S+)\s+permit (\S+)/);
    if (s) samples[s[1]] = s[2];
  }
  return { logins, samples };
}

/**
 * Starts `pora demo` on a fresh database in a temporary directory and waits for /healthz.
 * Returns { url, port, dir, logins: {role: [{username,password}]}, samples: {label: permit}, output(), stop() }.
 */
export async function startServer({ scale = Number(process.env.PORA_E2E_SCALE || 0.1), seed = 2018, timeoutMs = 180_000 } = {}) {
  const bin = poraBin();
  if (!existsSync(bin)) {
    throw new Error(`no pora binary at ${bin}: run \`cargo build -p pora-cli --locked\` (or set PORA_BIN)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'pora-e2e-'));
  const port = await freePort();
  const child = spawn(bin, ['demo', '--dir', dir, '--listen', `127.0.0.1:${port}`, '--scale', String(scale), '--seed', String(seed)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'warn' },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (exited) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`pora demo exited (${JSON.stringify(exited)}) before serving:\n${out}\n${err}`);
    }
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() - started > timeoutMs) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`pora demo did not answer /healthz within ${timeoutMs} ms:\n${out}\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const { logins, samples } = parseDemoOutput(out);
  const user = (role, i = 0) => {
    const l = logins[role]?.[i];
    if (!l) throw new Error(`the demo printed no ${role} login #${i}:\n${out}`);
    return l;
  };
  return {
    url,
    port,
    dir,
    logins,
    samples,
    user,
    output: () => out + err,
    async stop() {
      if (!exited) {
        const done = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await done;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Launches Debian's chromium, headless. `args` are added to the defaults. */
export async function launchBrowser({ args = [], headless = true } = {}) {
  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`no chromium at ${executablePath}: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM`);
  }
  return chromium.launch({
    executablePath,
    headless,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run', ...args],
  });
}

/** Saves a full-page screenshot as e2e/artifacts/<name>.png and returns its path. */
export async function screenshot(page, name, { fullPage = true } = {}) {
  // Every page shown is made of elements: a value appended to the page's <main> as bare text (a
  // `null` once stood under a map) fails the test that looks at the page.
  const stray = await page.$$eval('main', (ms) => ms.flatMap((m) => [...m.childNodes]
    .filter((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim()).map((n) => n.textContent)));
  if (stray.length) throw new Error(`${name}: stray text in <main>: ${JSON.stringify(stray)}`);
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}

/** Signs in through the dashboard's sign-in page and waits for the overview (or `expectPath`). */
export async function login(page, server, { username, password }, { lang } = {}) {
  await page.goto(`${server.url}/login${lang ? `?lang=${lang}` : ''}`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/login')),
    page.click('button[type=submit]'),
  ]);
}

/** Calls the JSON API with a bearer token (for test set-up and cross-checks, not for what the UI shows). */
export async function apiLogin(server, { username, password }) {
  const r = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password, mode: 'bearer' }),
  });
  if (!r.ok) throw new Error(`login ${username}: ${r.status} ${await r.text()}`);
  const { token } = await r.json();
  return async (path, { method = 'GET', body, purpose, headers = {} } = {}) => {
    const h = { authorization: `Bearer ${token}`, ...headers };
    if (purpose) h['x-pora-purpose'] = purpose;
    if (body !== undefined) h['content-type'] = 'application/json';
    const res = await fetch(`${server.url}${path}`, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: res.status, json, text, headers: res.headers };
  };
}
