// Page load times of the dashboard in Debian's chromium against `pora demo` (full Bekasi demo by
// default): for each page, N cold-cache loads (new browser context each time, signed in), timed from
// navigation start until the page says it is drawn with its data. Prints a Markdown table.
//   node bench/pageload.mjs [runs=10]            (PORA_BIN, PORA_E2E_SCALE=1 by default here)
import { startServer, launchBrowser, login } from '../lib/harness.mjs';

const runs = Number(process.argv[2] || 10);
const scale = Number(process.env.PORA_E2E_SCALE || 1);
const PAGES = [
  ['/', 'body[data-ready="1"]'],
  ['/permits', '#permits-table tbody tr'],
  ['/permits?nationality=JPN&type=ITAS&sort=valid_until', '#permits-table tbody tr'],
  ['/map', '#map[data-ready="1"]'],
  ['/map?kec=32.16.07', '#map[data-ready="1"][data-level="desa"]'],
];

const t0 = Date.now();
const server = await startServer({ scale, timeoutMs: 600_000 });
console.error(`demo at scale ${scale} ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
const browser = await launchBrowser();
const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];
try {
  const rows = [];
  for (const [path, ready] of PAGES) {
    const times = [];
    for (let i = 0; i < runs; i++) {
      const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
      const page = await ctx.newPage();
      await login(page, server, server.user('supervisor'));
      await page.goto('about:blank');
      const start = performance.now();
      await page.goto(`${server.url}${path}`);
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
