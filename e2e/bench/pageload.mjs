// Page load times of the dashboard in Debian's chromium against `pora demo` (full Bekasi demo by
// default): for each page, N cold-cache loads (new browser context each time, signed in), timed from
// navigation start until the page says it is drawn with its data. Prints a Markdown table.
//   node bench/pageload.mjs [runs=10] [path prefix …]   (PORA_BIN, PORA_E2E_SCALE=1 by default here)
// With path prefixes, only the pages starting with one of them are loaded (e.g. `/issue /persons`).
import { startServer, launchBrowser, login, apiLogin } from '../lib/harness.mjs';

const runs = Number(process.argv[2] || 10);
const scale = Number(process.env.PORA_E2E_SCALE || 1);
const only = process.argv.slice(3);
// [path, selector that says the page is drawn, role signed in]; `{niora}` is the holder of the demo's
// sample valid permit, `{operation}` the demo operation with the most checks, `{month}` last month.
const PAGES = [
  ['/', 'body[data-ready="1"]', 'supervisor'],
  ['/permits', '#permits-table tbody tr', 'supervisor'],
  ['/permits?nationality=JPN&type=ITAS&sort=valid_until', '#permits-table tbody tr', 'supervisor'],
  ['/map', '#map[data-ready="1"]', 'supervisor'],
  ['/map?kec=32.16.07', '#map[data-ready="1"][data-level="desa"]', 'supervisor'],
  ['/persons/{niora}', 'body[data-ready="1"] #access-log tbody tr', 'supervisor'],
  ['/issue', 'body[data-ready="1"]', 'issuing_officer'],
  ['/issue?permit={permit}', '#issue-card-preview', 'issuing_officer'],
  ['/operations', '#operations-table tbody tr', 'supervisor'],
  ['/operations?id={operation}', '#results-map[data-ready="1"]', 'supervisor'],
  ['/report?month={month}', '#report-operations, #report-kecamatan', 'supervisor'],
  ['/audit?purpose=operation&action=person', '#audit-table tbody tr', 'auditor'],
  ['/audit?person={niora}', '#audit-table tbody tr', 'auditor'],
].filter(([path]) => !only.length || only.some((o) => path.startsWith(o)));

const t0 = Date.now();
const server = await startServer({ scale, timeoutMs: 600_000 });
console.error(`demo at scale ${scale} ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
const browser = await launchBrowser();
const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];
try {
  const permit = server.samples.valid;
  const call = await apiLogin(server, server.user('supervisor'));
  const { niora } = (await call(`/api/v1/permits/${encodeURIComponent(permit)}`, { purpose: 'check' })).json;
  const ops = (await call('/api/v1/operations?limit=100')).json.items;
  const operation = ops.slice().sort((a, b) => b.checks - a.checks)[0]?.id;
  const d = new Date();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - 1);
  const month = d.toISOString().slice(0, 7);
  const rows = [];
  for (const [path, ready, role] of PAGES) {
    const url = path.replace('{niora}', niora).replace('{permit}', encodeURIComponent(permit))
      .replace('{operation}', operation).replace('{month}', month);
    const times = [];
    for (let i = 0; i < runs; i++) {
      const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
      const page = await ctx.newPage();
      await login(page, server, server.user(role));
      await page.goto('about:blank');
      const start = performance.now();
      await page.goto(`${server.url}${url}`);
      await page.waitForSelector(ready, { timeout: 60_000 });
      times.push(performance.now() - start);
      await ctx.close();
    }
    times.sort((a, b) => a - b);
    rows.push(`| \`${path}\` | ${runs} | ${pct(times, 0.5).toFixed(0)} ms | ${pct(times, 0.9).toFixed(0)} ms | ${times[times.length - 1].toFixed(0)} ms |`);
  }
  console.log('| page | loads | median | p90 | max |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) console.log(r);
} finally {
  await browser.close();
  await server.stop();
}
