//! Browser smoke test: bench/wasm/pkg really runs in a page. Serves the repository on 127.0.0.1,
//! opens smoke.html in headless Chromium (Debian: apt-get install chromium), and checks what the page
//! POSTs back: every named vector verified as expected, every vector PNG decoded by the browser and
//! read from canvas pixels with readRgba, and the JsError message for a bad root algorithm.
//!   node bench/wasm/smoke.mjs        (after bench/wasm/build.sh)

import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { spawn, execFileSync } from "node:child_process";
import { dirname, join, normalize, extname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = normalize(join(here, "..", ".."));
if (!existsSync(join(here, "pkg", "pora_wasm.js"))) {
  console.error("smoke.mjs: no bench/wasm/pkg (run bench/wasm/build.sh first)");
  process.exit(1);
}
const browser = ["chromium", "chromium-browser", "google-chrome"].find((b) => {
  try {
    execFileSync("which", [b], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
});
if (!browser) {
  console.error("smoke.mjs: no Chromium (apt-get install chromium)");
  process.exit(1);
}

const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json", ".png": "image/png" };
let resolveResult;
const result = new Promise((r) => (resolveResult = r));
const server = createServer(async (req, res) => {
  if (req.method === "POST" && req.url === "/__result") {
    let body = "";
    for await (const chunk of req) body += chunk;
    res.end("ok");
    resolveResult(JSON.parse(body));
    return;
  }
  const path = normalize(join(root, decodeURIComponent(new URL(req.url, "http://x").pathname)));
  if (!path.startsWith(root)) {
    res.writeHead(403).end();
    return;
  }
  try {
    const data = await readFile(path);
    res.writeHead(200, { "content-type": types[extname(path)] ?? "application/octet-stream" }).end(data);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const url = `http://127.0.0.1:${server.address().port}/bench/wasm/smoke.html`;

const chrome = spawn(browser, ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=" + join(here, "node_modules", ".smoke-profile"), url], { stdio: "ignore" });
const timeout = new Promise((r) => setTimeout(() => r({ error: "the page did not report within 120 s" }), 120_000));
const r = await Promise.race([result, timeout]);
chrome.kill();
server.close();

console.log(JSON.stringify(r));
const ok =
  !r.error &&
  r.verified_as_expected === r.vectors &&
  r.read_from_canvas === r.vectors &&
  String(r.js_error).startsWith("Error: unknown root algorithm");
console.log(`browser smoke: ${ok ? "1 passed, 0 failed" : "0 passed, 1 failed"}`);
process.exit(ok ? 0 : 1);
