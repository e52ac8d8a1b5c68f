//! Node benchmark of the browser field verifier (bench/wasm/pkg, the `wasm-bindgen --target web`
//! build of crates/pora-wasm) against zxing-wasm's reader, single thread, same RGBA frames.
//!
//!   node bench.mjs FRAMES_DIR [--quick]
//!
//! (a) verify of every named vector text: median µs per call, and the verdict code checked;
//! (b) QR read of every frame in FRAMES_DIR/frames.json (written by the pora-wasm-frames example):
//!     decoded / wrong text / median ms per frame, pora-wasm vs zxing-wasm;
//! (c) wasm sizes, raw and gzip -9.
//! Prints Markdown tables and writes results.json beside this file.

import { readFileSync, writeFileSync, statSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import os from "node:os";

import { initSync, Verifier, readRgba } from "./pkg/pora_wasm.js";
import { prepareZXingModule, readBarcodes, ZXING_WASM_VERSION, ZXING_CPP_COMMIT } from "zxing-wasm/reader";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const framesDir = process.argv[2] ?? join(here, "frames");
const quick = process.argv.includes("--quick");

const poraWasmPath = join(here, "pkg", "pora_wasm_bg.wasm");
const zxingWasmPath = join(here, "node_modules", "zxing-wasm", "dist", "reader", "zxing_reader.wasm");

// ---- load both modules, no network ----
initSync({ module: readFileSync(poraWasmPath) });
prepareZXingModule({
  overrides: { wasmBinary: readFileSync(zxingWasmPath).buffer },
  fireImmediately: true,
});

const nowNs = () => process.hrtime.bigint();
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x, d = 1) => (x === undefined || Number.isNaN(x) ? "-" : x.toFixed(d));
const hex = (h) => Uint8Array.from(Buffer.from(h, "hex"));

// ---- (a) verify ----
const vdir = join(root, "crates", "pora-testkit", "vectors");
const ctx = JSON.parse(readFileSync(join(vdir, "context.json"), "utf8"));
const vectors = JSON.parse(readFileSync(join(vdir, "vectors.json"), "utf8"));

let t0 = nowNs();
const verifier = new Verifier(ctx.root_alg, ctx.root_public_key, hex(ctx.trust_list));
for (const s of ctx.status_lists) verifier.addStatusList(hex(s));
const setupMs = Number(nowNs() - t0) / 1e6;
const info = JSON.parse(verifier.trustListInfo());

const verifyIters = quick ? 50 : 300;
const verifyRows = [];
let verifyMismatches = 0;
for (const v of vectors) {
  const text = v.layers.qr_text;
  const out = JSON.parse(verifier.verify(text, v.now));
  const ok = out.code === v.expect.code;
  if (!ok) verifyMismatches++;
  for (let i = 0; i < 20; i++) verifier.verify(text, v.now);
  const times = [];
  for (let i = 0; i < verifyIters; i++) {
    const s = nowNs();
    verifier.verify(text, v.now);
    times.push(Number(nowNs() - s) / 1e3);
  }
  verifyRows.push({ name: v.name, code: out.code, expected: v.expect.code, ok, median_us: median(times) });
}

// ---- (b) read ----
const frames = JSON.parse(readFileSync(join(framesDir, "frames.json"), "utf8"));
const zxOpts = { formats: ["QRCode"], tryHarder: true, maxNumberOfSymbols: 8 };

function poraRead(f, pixels, tryHarder) {
  const out = JSON.parse(readRgba(f.width, f.height, pixels, tryHarder));
  return Array.isArray(out) ? out.map((c) => c.text) : [];
}
async function zxRead(f, pixels) {
  const res = await readBarcodes({ data: pixels, width: f.width, height: f.height }, zxOpts);
  return res.filter((r) => r.isValid).map((r) => r.text);
}

// Repetitions per frame: enough for a stable median, bounded for the 1080p photos.
const reps = (f) => (quick ? 1 : f.width * f.height > 1_000_000 ? 3 : f.width * f.height > 300_000 ? 5 : 15);

const engines = [
  { id: "pora-wasm", run: async (f, px) => poraRead(f, px, true) },
  { id: "pora-wasm fast", run: async (f, px) => poraRead(f, px, false) },
  { id: "zxing-wasm", run: zxRead },
];

const perFrame = [];
for (const f of frames) {
  const pixels = new Uint8Array(readFileSync(join(framesDir, f.file)));
  const row = { name: f.name, group: f.group, width: f.width, height: f.height, text: f.text };
  for (const e of engines) {
    const texts = await e.run(f, pixels); // also the warm-up
    const times = [];
    for (let i = 0; i < reps(f); i++) {
      const s = nowNs();
      await e.run(f, pixels);
      times.push(Number(nowNs() - s) / 1e6);
    }
    row[e.id] = {
      // A frame without a code (text "") can only be answered wrongly.
      decoded: f.text !== "" && texts.includes(f.text),
      wrong: texts.filter((t) => t !== f.text).length,
      ms: median(times),
    };
  }
  perFrame.push(row);
  if (!quick) process.stderr.write(".");
}
if (!quick) process.stderr.write("\n");

// Native pora-reader on the same frames, when the pora-wasm-native example has written them.
const nativePath = join(framesDir, "native.json");
let native = null;
try {
  native = JSON.parse(readFileSync(nativePath, "utf8"));
} catch {
  native = null;
}
const ids = engines.map((e) => e.id);
if (native && perFrame.every((r) => native[r.name])) {
  for (const r of perFrame) r["pora native"] = native[r.name];
  ids.push("pora native");
}

// Groups: vector, canvas-720p, and each generator class folded into "gen-1080p (<class>)".
const groups = [...new Set(perFrame.map((r) => r.group))];
const groupRows = [];
const summarize = (label, rows) => {
  const g = {
    group: label,
    frames: rows.length,
    withCode: rows.filter((r) => r.text !== "").length,
    size: `${rows[0].width}x${rows[0].height}`,
  };
  for (const id of ids) {
    g[id] = {
      decoded: rows.filter((r) => r[id].decoded).length,
      wrong: rows.reduce((a, r) => a + r[id].wrong, 0),
      median_ms: median(rows.map((r) => r[id].ms)),
      mean_ms: rows.reduce((a, r) => a + r[id].ms, 0) / rows.length,
      max_ms: Math.max(...rows.map((r) => r[id].ms)),
    };
  }
  return g;
};
for (const g of groups) groupRows.push(summarize(g, perFrame.filter((r) => r.group === g)));
const gen = perFrame.filter((r) => r.group.startsWith("gen-"));
if (gen.length) groupRows.push(summarize("gen-1080p (all classes)", gen));

// ---- (c) sizes ----
const size = (p) => {
  const b = readFileSync(p);
  return { raw: b.length, gzip: gzipSync(b, { level: 9 }).length };
};
const sizes = {
  "pora-wasm (pora_wasm_bg.wasm)": size(poraWasmPath),
  "pora-wasm JS glue (pora_wasm.js)": size(join(here, "pkg", "pora_wasm.js")),
  ...(() => {
    const p = join(here, "pkg-verify-only", "pora_wasm_bg.wasm");
    try {
      return { "pora-wasm verify-only, no reader (pkg-verify-only)": size(p) };
    } catch {
      return {};
    }
  })(),
  "zxing-wasm reader (zxing_reader.wasm)": size(zxingWasmPath),
  "zxing-wasm reader JS (dist/es/reader/index.js)": size(join(here, "node_modules", "zxing-wasm", "dist", "es", "reader", "index.js")),
};

// ---- report ----
const cpu = os.cpus()[0]?.model ?? "unknown CPU";
const lines = [];
lines.push(`Node ${process.version}, ${cpu}, ${os.cpus().length} logical CPUs, load average ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
lines.push(`zxing-wasm ${ZXING_WASM_VERSION} (zxing-cpp ${String(ZXING_CPP_COMMIT).slice(0, 10)}), options ${JSON.stringify(zxOpts)}`);
lines.push("");
lines.push(`Verifier setup (trust list + ${ctx.status_lists.length} status lists, signatures checked): ${fmt(setupMs, 2)} ms; trust list v${info.version}, ${info.signer_count} signers`);
lines.push("");
lines.push("| vector | code | median µs |");
lines.push("| --- | --- | ---: |");
for (const r of verifyRows) lines.push(`| ${r.name} | ${r.code}${r.ok ? "" : ` (expected ${r.expected})`} | ${fmt(r.median_us)} |`);
const sigRows = verifyRows.filter((r) => r.code !== "not_our_format" && r.code !== "malformed" && r.code !== "unknown_signer");
lines.push("");
lines.push(`verify: ${verifyRows.length} vectors, ${verifyMismatches} code mismatches; median of medians ${fmt(median(verifyRows.map((r) => r.median_us)))} µs, over the ${sigRows.length} that reach the signature check ${fmt(median(sigRows.map((r) => r.median_us)))} µs`);
lines.push("");
lines.push("Decoded counts frames whose expected text was read (of the frames that hold a code: `no-code` frames hold none); wrong counts any other text returned.");
lines.push("");
const nativeCol = ids.includes("pora native");
lines.push(`| frames | n | size | pora-wasm decoded / wrong / median ms | pora-wasm fast (tryHarder=false) | zxing-wasm (tryHarder) |${nativeCol ? " pora-reader native (same cascade) |" : ""}`);
lines.push(`| --- | ---: | --- | --- | --- | --- |${nativeCol ? " --- |" : ""}`);
for (const g of groupRows) {
  const cell = (e) => `${g[e].decoded}/${g.withCode} / ${g[e].wrong} / ${fmt(g[e].median_ms, 2)}`;
  lines.push(`| ${g.group} | ${g.frames} | ${g.size} | ${cell("pora-wasm")} | ${cell("pora-wasm fast")} | ${cell("zxing-wasm")} |${nativeCol ? ` ${cell("pora native")} |` : ""}`);
}
lines.push("");
for (const g of groupRows.filter((g) => !g.group.startsWith("gen-") || g.group.startsWith("gen-1080p"))) {
  const m = (e) => `${e} mean ${fmt(g[e].mean_ms, 2)} / max ${fmt(g[e].max_ms, 2)} ms`;
  lines.push(`${g.group}: ${ids.map(m).join("; ")}`);
}
lines.push("");
lines.push("| file | raw bytes | gzip -9 bytes |");
lines.push("| --- | ---: | ---: |");
for (const [k, v] of Object.entries(sizes)) lines.push(`| ${k} | ${v.raw} | ${v.gzip} |`);
console.log(lines.join("\n"));

writeFileSync(
  join(here, "results.json"),
  JSON.stringify({ node: process.version, cpu, setupMs, info, verifyRows, groupRows, perFrame, sizes }, null, 1),
);
if (verifyMismatches) {
  console.error(`${verifyMismatches} verdict codes differ from the vectors' expectations`);
  process.exit(1);
}
