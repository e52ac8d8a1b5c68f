// The field verifier page (Tim PORA): scans a permit's QR code with the camera or from a photo,
// verifies it offline with pora-wasm, shows the verdict, and — on an enrolled device — signs a
// chained check report with the device's WebCrypto key, stores it in IndexedDB (together with the
// new chain head, in one transaction) BEFORE the verdict is shown, and uploads the queue when online.
// Nothing is loaded from outside this server; the service worker (sw.js) keeps the page usable offline.

import init, { Verifier, readRgba, readImage, reportToBeSigned, reportFinalize, reportHash, docHash } from './pkg/pora_wasm.js';

const $ = (id) => document.getElementById(id);
const API = '/api/v1';
const SCAN_INTERVAL_MS = 120; // frame throttle: ~8 reads a second
const SYNC_INTERVAL_MS = 15_000;
const BATCH = 100;

// ---------------------------------------------------------------------------------------------
// Words: Bahasa Indonesia first, English second.
const WORDS = {
  id: {
    title: 'Pemeriksa PORA', camera_off: 'Kamera mati', camera_on: 'Arahkan ke kode QR pada kartu izin',
    start_camera: 'Mulai pindai', stop_camera: 'Hentikan', torch: 'Senter', switch_camera: 'Ganti kamera',
    choose_photo: 'Pilih foto', note_next: 'Catatan (ikut ditandatangani)', basis: 'Dasar pemeriksaan', order: 'Surat perintah', caught: 'Tertangkap tangan',
    gps: 'GPS', trust_list: 'Daftar kepercayaan', status_lists: 'Daftar status', device: 'Perangkat',
    add_note: 'Tambah koreksi', next: 'Pindai berikutnya', save: 'Simpan',
    corr_kind: 'Yang dikoreksi', corr_value: 'Yang ditemukan di lapangan', corr_region: 'Kode wilayah (PP.KK.CC.DDDD)',
    c_employer: 'Pemberi kerja', c_occupation: 'Pekerjaan', c_phone: 'Telepon', c_civil: 'Status sipil (single/married/divorced/widowed)', c_address: 'Alamat',
    enrol_title: 'Daftarkan perangkat ini', enrol_help: 'Masuk sebagai petugas lapangan. Kunci perangkat dibuat di peramban ini dan tidak pernah keluar dari perangkat.',
    username: 'Nama pengguna', password: 'Kata sandi', device_label: 'Nama perangkat', enrol: 'Daftarkan',
    tab_scan: 'Pindai', tab_device: 'Perangkat', sync: 'Sinkron',
    online: 'Daring', offline: 'Luring', queue: (n) => `${n} antre`, queue_title: 'Laporan pemeriksaan menunggu unggah',
    no_fix: 'belum ada posisi', accuracy: (m) => `±${m} m`, gps_off: 'GPS tidak diizinkan',
    age: (s) => s < 90 ? 'baru saja' : s < 5400 ? `${Math.round(s / 60)} menit lalu` : s < 172800 ? `${Math.round(s / 3600)} jam lalu` : `${Math.round(s / 86400)} hari lalu`,
    none: 'belum ada', stale: 'kedaluwarsa', lists: (n) => `${n} kantor`,
    not_enrolled: 'belum terdaftar', pending: (id) => `menunggu persetujuan (#${id})`, approved: (id) => `disetujui (#${id})`, revoked: 'dicabut',
    days_left: (d) => d === 0 ? 'Berakhir hari ini' : `Sisa ${d} hari`, overstay: (d) => `Overstay ${d} hari`,
    charge: (rp) => `Biaya beban Rp${rp}`,
    recorded: (seq) => `Tercatat & ditandatangani: laporan #${seq}`, not_recorded: 'Tidak dicatat: perangkat belum disetujui',
    f_type: 'Jenis', f_number: 'No. izin', f_name: 'Nama', f_born: 'Lahir', f_sex: 'Kelamin', f_nat: 'Kewarganegaraan',
    f_passport: 'Paspor', f_niora: 'NIORA', f_sponsor: 'Penjamin', f_valid: 'Berlaku', f_office: 'Kantor',
    server_title: 'Data server', address: 'Alamat terdaftar', sponsor: 'Penjamin', photo: 'Foto', no_photo: 'tidak ada foto di server',
    server_offline: 'Luring: data server tidak tersedia', no_trust: 'Belum ada daftar kepercayaan: sambungkan sekali ke server',
    no_code: 'Tidak ada kode QR terbaca di foto', enrol_done: 'Perangkat terdaftar, menunggu persetujuan pengawas.',
    enrol_approved: 'Perangkat disetujui. Pemeriksaan ditandatangani dan dikirim.', note_saved: 'Koreksi disimpan; dikirim ke pengawas saat daring',
    need_order: 'Isi nomor surat perintah atau pilih tertangkap tangan', camera_error: 'Kamera tidak tersedia',
  },
  en: {
    title: 'PORA verifier', camera_off: 'Camera off', camera_on: 'Point at the QR code on the permit card',
    start_camera: 'Start scanning', stop_camera: 'Stop', torch: 'Torch', switch_camera: 'Switch camera',
    choose_photo: 'Choose a photo', note_next: 'Note (signed with the check)', basis: 'Basis of check', order: 'Written order', caught: 'Caught in the act',
    gps: 'GPS', trust_list: 'Trust list', status_lists: 'Status lists', device: 'Device',
    add_note: 'Add a correction', next: 'Scan next', save: 'Save',
    corr_kind: 'What is corrected', corr_value: 'What was found in the field', corr_region: 'Region code (PP.KK.CC.DDDD)',
    c_employer: 'Employer', c_occupation: 'Occupation', c_phone: 'Phone', c_civil: 'Civil status (single/married/divorced/widowed)', c_address: 'Address',
    enrol_title: 'Enrol this device', enrol_help: 'Sign in as a field officer. The device key is made in this browser and never leaves the device.',
    username: 'User name', password: 'Password', device_label: 'Device name', enrol: 'Enrol',
    tab_scan: 'Scan', tab_device: 'Device', sync: 'Sync',
    online: 'Online', offline: 'Offline', queue: (n) => `${n} queued`, queue_title: 'Check reports waiting for upload',
    no_fix: 'no position yet', accuracy: (m) => `±${m} m`, gps_off: 'GPS not allowed',
    age: (s) => s < 90 ? 'just now' : s < 5400 ? `${Math.round(s / 60)} min ago` : s < 172800 ? `${Math.round(s / 3600)} h ago` : `${Math.round(s / 86400)} days ago`,
    none: 'none yet', stale: 'stale', lists: (n) => `${n} office(s)`,
    not_enrolled: 'not enrolled', pending: (id) => `waiting for approval (#${id})`, approved: (id) => `approved (#${id})`, revoked: 'revoked',
    days_left: (d) => d === 0 ? 'Expires today' : `${d} days left`, overstay: (d) => `Overstay ${d} days`,
    charge: (rp) => `Charge Rp${rp}`,
    recorded: (seq) => `Recorded & signed: report #${seq}`, not_recorded: 'Not recorded: device not approved',
    f_type: 'Type', f_number: 'Permit no.', f_name: 'Name', f_born: 'Born', f_sex: 'Sex', f_nat: 'Nationality',
    f_passport: 'Passport', f_niora: 'NIORA', f_sponsor: 'Sponsor', f_valid: 'Valid', f_office: 'Office',
    server_title: 'Server data', address: 'Registered address', sponsor: 'Sponsor', photo: 'Photo', no_photo: 'no photo on the server',
    server_offline: 'Offline: server data not available', no_trust: 'No trust list yet: connect to the server once',
    no_code: 'No QR code found in the photo', enrol_done: 'Device enrolled, waiting for a supervisor to approve it.',
    enrol_approved: 'Device approved. Checks are signed and sent.', note_saved: 'Correction saved; sent to the supervisor when online',
    need_order: 'Enter the written order number or choose caught in the act', camera_error: 'No camera available',
  },
};
let lang = localStorage.getItem('pora.lang') === 'en' ? 'en' : 'id';
const t = (k, ...a) => { const w = WORDS[lang][k]; return typeof w === 'function' ? w(...a) : (w ?? k); };

function applyLang() {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  $('lang').textContent = lang === 'id' ? 'EN' : 'ID';
  refreshStatus();
  if (lastShown) render(lastShown.check, lastShown.recorded);
}

// ---------------------------------------------------------------------------------------------
// Bytes.
const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const unhex = (s) => new Uint8Array((s.match(/../g) || []).map((h) => parseInt(h, 16)));
const b64url = (b) => btoa(String.fromCharCode(...b)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const rupiah = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '.');

// ---------------------------------------------------------------------------------------------
// IndexedDB: `kv` (device, chain head, trust data) and `reports` (the signed queue, keyPath id).
let dbp;
function db() {
  dbp ||= new Promise((ok, fail) => {
    const r = indexedDB.open('pora-field', 1);
    r.onupgradeneeded = () => {
      const d = r.result;
      d.createObjectStore('kv');
      const s = d.createObjectStore('reports', { keyPath: 'id' });
      s.createIndex('state', 'state');
    };
    r.onsuccess = () => ok(r.result);
    r.onerror = () => fail(r.error);
  });
  return dbp;
}
const done = (tx) => new Promise((ok, fail) => { tx.oncomplete = ok; tx.onerror = () => fail(tx.error); tx.onabort = () => fail(tx.error || new Error('transaction aborted')); });
const req = (r) => new Promise((ok, fail) => { r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
async function kvGet(k) { const d = await db(); return req(d.transaction('kv').objectStore('kv').get(k)); }
async function kvPut(k, v) { const d = await db(); const tx = d.transaction('kv', 'readwrite'); tx.objectStore('kv').put(v, k); await done(tx); }
async function reportsIn(state, limit) {
  const d = await db();
  return req(d.transaction('reports').objectStore('reports').index('state').getAll(state, limit));
}
async function countIn(state) { const d = await db(); return req(d.transaction('reports').objectStore('reports').index('state').count(state)); }

// ---------------------------------------------------------------------------------------------
// Trust data: root key, trust list and status lists, kept in IndexedDB and refreshed when online
// with If-None-Match; the verifier is rebuilt from what is stored.
let verifier = null;
let trustInfo = null;

async function buildVerifier() {
  const trust = await kvGet('trust');
  if (!trust) { verifier = null; trustInfo = null; return; }
  const v = new Verifier(trust.root.algorithm, trust.root.public_key, trust.bytes);
  for (const office of trust.offices || []) {
    const s = await kvGet(`status:${office}`);
    if (s) { try { v.addStatusList(s.bytes); } catch (e) { console.warn('status list', office, e); } }
  }
  verifier?.free();
  verifier = v;
  trustInfo = JSON.parse(v.trustListInfo());
}

async function fetchCond(path, etag) {
  const headers = etag ? { 'if-none-match': etag } : {};
  const r = await fetch(API + path, { headers, cache: 'no-store' });
  if (r.status === 304) return { notModified: true };
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return { bytes: new Uint8Array(await r.arrayBuffer()), etag: r.headers.get('etag') };
}

async function refreshTrust() {
  if (!navigator.onLine) return;
  const now = Date.now();
  let trust = await kvGet('trust');
  // The root key is pinned the first time (the page comes from the same server); it never changes silently.
  let root = trust?.root;
  if (!root) {
    const r = await fetch(`${API}/trust-root`, { cache: 'no-store' });
    if (!r.ok) throw new Error(`trust-root: HTTP ${r.status}`);
    root = await r.json();
  }
  const tl = await fetchCond('/trust-list', trust?.etag);
  if (tl.notModified) {
    trust.checkedAt = now;
  } else {
    // Verify before storing: a list that does not verify against the pinned root is not kept.
    const probe = new Verifier(root.algorithm, root.public_key, tl.bytes);
    const info = JSON.parse(probe.trustListInfo());
    probe.free();
    const offices = [...new Set(info.signers.map((s) => s.office))];
    trust = { root, bytes: tl.bytes, etag: tl.etag, fetchedAt: now, checkedAt: now, offices };
  }
  await kvPut('trust', trust);
  for (const office of trust.offices) {
    const held = await kvGet(`status:${office}`);
    try {
      const s = await fetchCond(`/status-list/${encodeURIComponent(office)}`, held?.etag);
      await kvPut(`status:${office}`, s.notModified ? { ...held, checkedAt: now } : { bytes: s.bytes, etag: s.etag, fetchedAt: now, checkedAt: now });
    } catch (e) {
      console.warn('status list', office, e.message);
    }
  }
  await buildVerifier();
}

// ---------------------------------------------------------------------------------------------
// Position: watched while the page is open; the last fix goes into the report.
let fix = null;
let gpsDenied = false;
function watchPosition() {
  if (!navigator.geolocation) { gpsDenied = true; return; }
  navigator.geolocation.watchPosition(
    (p) => { fix = p; gpsDenied = false; refreshStatus(); },
    (e) => { if (e.code === e.PERMISSION_DENIED) gpsDenied = true; refreshStatus(); },
    { enableHighAccuracy: true, maximumAge: 10_000, timeout: 30_000 },
  );
}

// ---------------------------------------------------------------------------------------------
// The device: key pair (private key non-extractable) in IndexedDB, enrolment, token.
async function device() { return kvGet('device'); }

async function api(path, { method = 'GET', body, token, purpose } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (purpose) headers['x-pora-purpose'] = purpose;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  let json = null;
  try { json = await r.json(); } catch { /* empty */ }
  if (!r.ok) {
    const e = new Error(json?.message || `HTTP ${r.status}`);
    e.status = r.status;
    e.code = json?.code;
    throw e;
  }
  return json;
}

async function enrol(username, password, label) {
  const login = await api('/auth/login', { method: 'POST', body: { username, password, mode: 'bearer' } });
  const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  const publicRaw = new Uint8Array(await crypto.subtle.exportKey('raw', keys.publicKey));
  const reg = await api('/devices', { method: 'POST', token: login.token, body: { label, public_key: hex(publicRaw), algorithm: 'ES256' } });
  const d = { id: reg.id, device: reg.device ?? String(reg.id), officer: username, state: reg.state, keys, publicRaw, token: login.token, docHashKey: null, office: null };
  await kvPut('device', d);
  await checkEnrolment();
  return d;
}

async function checkEnrolment() {
  const d = await device();
  if (!d || d.state === 'approved' || !navigator.onLine) return d;
  try {
    const e = await api(`/devices/${d.id}/enrolment`, { token: d.token });
    d.state = e.state;
    d.device = e.device ?? d.device;
    d.officer = e.officer ?? d.officer;
    d.office = e.office;
    if (e.doc_hash_key) d.docHashKey = unhex(e.doc_hash_key);
    await kvPut('device', d);
  } catch (err) {
    console.warn('enrolment', err.message);
  }
  return d;
}

// ---------------------------------------------------------------------------------------------
// One check: verify, sign and store the report (with the new chain head, one transaction), then show.
let busy = false;
let lastShown = null;
const metrics = (window.poraMetrics = { frameToVerdictMs: [], ready: null });

/** `s` cut to at most `max` UTF-8 bytes, at a character boundary (the report's limits are in bytes). */
function clampBytes(s, max) {
  const enc = new TextEncoder();
  while (enc.encode(s).length > max) s = s.slice(0, -1);
  return s;
}

function reportBasis() {
  if ($('basis').value === 'caught') return 'caught_in_act';
  const n = $('order').value.trim();
  return n ? { order: n } : null;
}

async function record(check, text, now) {
  const d = await device();
  if (!d || d.state !== 'approved' || !d.docHashKey) return null;
  const basis = reportBasis() ?? 'caught_in_act';
  const pos = fix?.coords;
  const position = pos && Number.isFinite(pos.latitude) && pos.accuracy <= 100000
    ? { lat_e7: Math.round(pos.latitude * 1e7), lon_e7: Math.round(pos.longitude * 1e7), accuracy_m: Math.round(pos.accuracy) }
    : null;
  const permitNumber = check.permit?.permit_number ?? null;
  const run = async () => {
    const head = (await kvGet('head')) || { seq: 0, prev: null };
    const report = {
      report_id: hex(crypto.getRandomValues(new Uint8Array(16))),
      device: d.device,
      officer: d.officer,
      seq: head.seq,
      prev: head.prev,
      basis,
      device_time: now,
      gnss_time: fix ? Math.floor(fix.timestamp / 1000) : null,
      position,
      outcome: check.code,
      warnings: check.warnings.map((w) => w.code),
      trust_list_version: check.trust_list_version,
      status_list_at: check.status_list_at,
      doc_hash: hex(docHash(d.docHashKey, permitNumber ?? text)),
      permit_number: permitNumber,
      note: clampBytes($('note').value.trim(), 1000) || null,
    };
    const json = JSON.stringify(report);
    const tbs = reportToBeSigned(json, d.publicRaw);
    const sig = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, d.keys.privateKey, tbs));
    const bytes = reportFinalize(json, d.publicRaw, sig);
    const idb = await db();
    const tx = idb.transaction(['kv', 'reports'], 'readwrite');
    tx.objectStore('reports').add({ id: report.report_id, seq: report.seq, bytes, state: 'pending', created: now, outcome: report.outcome, permit: permitNumber });
    tx.objectStore('kv').put({ seq: head.seq + 1, prev: hex(reportHash(bytes)) }, 'head');
    await done(tx);
    $('note').value = '';
    return { id: report.report_id, seq: report.seq };
  };
  // One chain per device: checks in two tabs take turns.
  return navigator.locks ? navigator.locks.request('pora-chain', run) : run();
}

async function onText(text, t0) {
  if (busy) return;
  busy = true;
  try {
    if (!verifier) { showError(t('no_trust')); return; }
    const now = Math.floor(Date.now() / 1000);
    const check = JSON.parse(verifier.check(text, now));
    const recorded = await record(check, text, now);
    stopCamera();
    render(check, recorded);
    showView('result');
    await new Promise((r) => requestAnimationFrame(() => r()));
    if (t0 !== undefined) metrics.frameToVerdictMs.push(performance.now() - t0);
    refreshStatus();
    sync();
    lookup(check, recorded);
  } catch (e) {
    showError(e.message || String(e));
  } finally {
    busy = false;
  }
}

const COLORS = { valid: 'green', incomplete: 'amber', cannottell: 'amber', expired: 'red', revoked: 'red', forged: 'red', unreadable: 'grey' };

function render(check, recorded) {
  lastShown = { check, recorded };
  const v = $('verdict');
  v.dataset.color = COLORS[check.class] || 'grey';
  v.dataset.code = check.code;
  $('verdict-headline').textContent = lang === 'id' ? check.headline.id : check.headline.en;
  $('verdict-reason').textContent = lang === 'id' ? check.message_id : check.message_en;
  const extra = [];
  if (check.days_left !== null && check.days_left !== undefined) {
    if (check.days_left >= 0) extra.push(t('days_left', check.days_left));
    else {
      extra.push(t('overstay', -check.days_left));
      extra.push(t('charge', rupiah(check.detail.overstay_charge_idr ?? -check.days_left * check.charge_per_day_idr)));
    }
  }
  $('verdict-extra').textContent = extra.join(' · ');
  const ul = $('warnings');
  ul.replaceChildren(...check.warning_texts.map((w) => Object.assign(document.createElement('li'), { textContent: lang === 'id' ? w.id : w.en })));
  $('recorded').textContent = recorded ? t('recorded', recorded.seq) : t('not_recorded');
  // A correction is attached to a stored report.
  $('btn-note').hidden = !recorded;
  $('note-form').hidden = true;
  const p = check.permit;
  const rows = p ? [
    ['f_type', `${p.permit_type}${p.visa_index ? ' ' + p.visa_index : ''}`],
    ['f_number', p.permit_number], ['f_name', p.name && p.name.replace('<<', ', ').replaceAll('<', ' ')], ['f_born', p.date_of_birth], ['f_sex', p.sex],
    ['f_nat', p.nationality], ['f_passport', p.passport_number], ['f_niora', p.niora], ['f_sponsor', p.sponsor_id],
    ['f_valid', `${p.valid_from} – ${p.valid_until}`], ['f_office', p.office],
  ] : [];
  $('permit').replaceChildren(...rows.filter(([, val]) => val).flatMap(([k, val]) => [
    Object.assign(document.createElement('dt'), { textContent: t(k) }),
    Object.assign(document.createElement('dd'), { textContent: String(val) }),
  ]));
}

// Address, sponsor and photo from the server: only online, only for a role that may read them,
// an audited read whose purpose is this check.
async function lookup(check, recorded) {
  const box = $('server-data');
  box.hidden = true;
  const d = await device();
  const number = check.permit?.permit_number;
  if (!d?.token || !number) return;
  if (!navigator.onLine) { box.hidden = false; box.textContent = t('server_offline'); return; }
  const purpose = recorded ? `check:${recorded.id}` : 'check';
  try {
    const permit = await api(`/permits/${encodeURIComponent(number)}`, { token: d.token, purpose });
    const person = await api(`/foreigners/${encodeURIComponent(permit.niora)}`, { token: d.token, purpose }).catch(() => null);
    const addr = person?.addresses?.find((a) => a.id === permit.address_id) ?? person?.addresses?.[0];
    const sponsor = person?.sponsor ?? permit.sponsor ?? null;
    const rows = [
      ['address', addr ? [addr.line, addr.region_code].filter(Boolean).join(', ') : '–'],
      ['sponsor', sponsor ? (sponsor.name ?? JSON.stringify(sponsor)) : (permit.sponsor_id ? `#${permit.sponsor_id}` : '–')],
      ['photo', person?.photo_url ? '' : t('no_photo')],
    ];
    const title = Object.assign(document.createElement('h3'), { textContent: t('server_title') });
    box.replaceChildren(title, ...rows.map(([k, val]) => {
      const row = document.createElement('div');
      row.className = 'kv';
      row.append(Object.assign(document.createElement('span'), { textContent: t(k) }), Object.assign(document.createElement('span'), { textContent: val }));
      return row;
    }));
    box.hidden = false;
  } catch (e) {
    // 403: the role may not read the record; nothing to show.
    if (e.status !== 403) console.warn('lookup', e.message);
  }
}

// ---------------------------------------------------------------------------------------------
// Upload: pending reports in batches; the server answers accepted / duplicates / rejected by id.
let syncing = false;
async function sync() {
  if (syncing || !navigator.onLine) return;
  syncing = true;
  try {
    await checkEnrolment();
    const d = await device();
    if (!d?.token || d.state !== 'approved') return;
    for (;;) {
      const batch = await reportsIn('pending', BATCH);
      if (!batch.length) break;
      const res = await api('/field/reports', { method: 'POST', token: d.token, body: { reports: batch.map((r) => b64url(r.bytes)) } });
      const idb = await db();
      const tx = idb.transaction('reports', 'readwrite');
      const s = tx.objectStore('reports');
      let marked = 0;
      const mark = (id, state, extra = {}) => {
        const r = batch.find((x) => x.id === String(id).toLowerCase());
        if (r) { s.put({ ...r, ...extra, state, syncedAt: Date.now() }); marked++; }
      };
      for (const id of res.accepted || []) mark(id, 'accepted');
      for (const id of res.duplicates || []) mark(id, 'duplicate');
      for (const r of res.rejected || []) mark(r.id, 'rejected', { code: r.code, message: r.message });
      await done(tx);
      // An answer that names none of the reports sent: stop rather than send the batch again.
      if (!marked) break;
    }
    await sendCorrections(d);
  } catch (e) {
    console.warn('sync', e.message);
  } finally {
    syncing = false;
    refreshStatus();
  }
}

// Corrections (pendataan ulang) found at a check, attached to its report once the report is on
// the server; a supervisor accepts or rejects each.
async function sendCorrections(d) {
  const queued = (await kvGet('corrections')) || [];
  const left = [];
  for (const c of queued) {
    const stored = await req((await db()).transaction('reports').objectStore('reports').get(c.report));
    if (!stored || !['accepted', 'duplicate'].includes(stored.state)) { left.push(c); continue; }
    try {
      await api(`/field/reports/${c.report}/corrections`, { method: 'POST', token: d.token, body: { corrections: [c.item] } });
    } catch (e) {
      if (e.status === undefined || e.status >= 500) left.push(c);
      else console.warn('correction refused', e.message);
    }
  }
  await kvPut('corrections', left);
}

// ---------------------------------------------------------------------------------------------
// Camera: continuous frame scanning (canvas → readRgba), torch and camera switch where supported.
let stream = null;
let scanTimer = 0;
let facing = 'environment';
let torchOn = false;

async function startCamera() {
  $('scan-error').hidden = true;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: facing }, width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false });
  } catch (e) {
    showError(`${t('camera_error')}: ${e.message}`);
    return;
  }
  const video = $('video');
  video.srcObject = stream;
  await video.play();
  $('camera-hint').textContent = t('camera_on');
  $('btn-camera').textContent = t('stop_camera');
  const track = stream.getVideoTracks()[0];
  const caps = track.getCapabilities ? track.getCapabilities() : {};
  $('btn-torch').hidden = !caps.torch;
  const cams = (await navigator.mediaDevices.enumerateDevices()).filter((x) => x.kind === 'videoinput');
  $('btn-switch').hidden = cams.length < 2;
  scanLoop();
}

function stopCamera() {
  clearTimeout(scanTimer);
  scanTimer = 0;
  stream?.getTracks().forEach((tr) => tr.stop());
  stream = null;
  $('video').srcObject = null;
  $('camera-hint').textContent = t('camera_off');
  $('btn-camera').textContent = t('start_camera');
  $('btn-torch').hidden = true;
}

function scanLoop() {
  if (!stream) return;
  const video = $('video');
  if (video.readyState >= 2 && !busy && verifier) {
    const t0 = performance.now();
    const scale = Math.min(1, 960 / video.videoWidth);
    const w = Math.round(video.videoWidth * scale);
    const h = Math.round(video.videoHeight * scale);
    const c = $('canvas');
    c.width = w;
    c.height = h;
    const ctx = c.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(video, 0, 0, w, h);
    const px = ctx.getImageData(0, 0, w, h).data;
    const found = JSON.parse(readRgba(w, h, new Uint8Array(px.buffer, px.byteOffset, px.byteLength), false));
    if (Array.isArray(found) && found.length) {
      onText(found[0].text, t0);
      return;
    }
  }
  scanTimer = setTimeout(scanLoop, SCAN_INTERVAL_MS);
}

async function toggleTorch() {
  const track = stream?.getVideoTracks()[0];
  if (!track) return;
  torchOn = !torchOn;
  try { await track.applyConstraints({ advanced: [{ torch: torchOn }] }); } catch (e) { console.warn('torch', e.message); }
}

async function switchCamera() {
  facing = facing === 'environment' ? 'user' : 'environment';
  stopCamera();
  await startCamera();
}

async function onPhoto(file) {
  if (!file) return;
  const t0 = performance.now();
  const found = JSON.parse(readImage(new Uint8Array(await file.arrayBuffer())));
  $('photo').value = '';
  if (Array.isArray(found) && found.length) await onText(found[0].text, t0);
  else showError(`${t('no_code')}${found.reason ? ` (${found.reason})` : ''}`);
}

// ---------------------------------------------------------------------------------------------
// Screens and status line.
function showView(name) {
  for (const v of ['scan', 'result', 'enrol']) $(`view-${v}`).hidden = v !== name;
  for (const b of document.querySelectorAll('.tabs [data-view]')) b.classList.toggle('active', b.dataset.view === name || (name === 'result' && b.dataset.view === 'scan'));
}

function showError(msg) {
  const e = $('scan-error');
  e.textContent = msg;
  e.hidden = false;
  showView('scan');
}

async function refreshStatus() {
  const online = navigator.onLine;
  $('net').dataset.state = online ? 'online' : 'offline';
  $('net').textContent = t(online ? 'online' : 'offline');
  const pending = await countIn('pending').catch(() => 0);
  $('queue').textContent = t('queue', pending);
  $('queue').dataset.pending = String(pending);
  $('queue').title = t('queue_title');
  $('gps').textContent = fix ? t('accuracy', Math.round(fix.coords.accuracy)) + ` (${fix.coords.latitude.toFixed(5)}, ${fix.coords.longitude.toFixed(5)})` : (gpsDenied ? t('gps_off') : t('no_fix'));
  const now = Date.now();
  const trust = await kvGet('trust').catch(() => null);
  const tEl = $('trust-age');
  if (trust && trustInfo) {
    const stale = trustInfo.next_update < now / 1000;
    tEl.textContent = `v${trustInfo.version} · ${t('age', (now - trust.checkedAt) / 1000)}${stale ? ' · ' + t('stale') : ''}`;
    tEl.classList.toggle('stale', stale);
    const lists = trustInfo.status_lists;
    const oldest = lists.length ? Math.min(...lists.map((l) => l.issued_at)) : null;
    const staleS = lists.some((l) => l.fresh_until < now / 1000);
    $('status-age').textContent = lists.length ? `${t('lists', lists.length)} · ${t('age', now / 1000 - oldest)}${staleS ? ' · ' + t('stale') : ''}` : t('none');
    $('status-age').classList.toggle('stale', staleS || !lists.length);
  } else {
    tEl.textContent = t('none');
    tEl.classList.add('stale');
    $('status-age').textContent = t('none');
  }
  const d = await device().catch(() => null);
  $('device-state').textContent = !d ? t('not_enrolled') : d.state === 'approved' ? t('approved', d.device) : d.state === 'revoked' ? t('revoked') : t('pending', d.device);
  $('enrol-state').textContent = !d ? '' : d.state === 'approved' ? t('enrol_approved') : t('enrol_done');
}

// ---------------------------------------------------------------------------------------------
async function main() {
  const tStart = performance.now();
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('sw.js', { scope: './' }).catch((e) => console.warn('sw', e.message));
  applyLang();
  $('order').value = localStorage.getItem('pora.order') || '';
  $('basis').value = localStorage.getItem('pora.basis') || 'order';
  await init({ module_or_path: new URL('pkg/pora_wasm_bg.wasm', import.meta.url) });
  try { await buildVerifier(); } catch (e) { console.warn('stored trust data', e.message); }
  if (!verifier) { try { await refreshTrust(); } catch (e) { console.warn('trust', e.message); } }
  metrics.ready = performance.now() - tStart;
  metrics.readySinceNavigation = performance.now();
  document.body.dataset.ready = verifier ? 'yes' : 'no-trust';
  refreshStatus();
  watchPosition();

  $('lang').onclick = () => { lang = lang === 'id' ? 'en' : 'id'; localStorage.setItem('pora.lang', lang); applyLang(); };
  $('btn-camera').onclick = () => (stream ? stopCamera() : startCamera());
  $('btn-torch').onclick = toggleTorch;
  $('btn-switch').onclick = switchCamera;
  $('photo').onchange = (e) => onPhoto(e.target.files[0]);
  $('btn-next').onclick = () => { showView('scan'); startCamera(); };
  $('btn-note').onclick = () => { $('note-form').hidden = !$('note-form').hidden; $('corr-value').focus(); };
  $('corr-kind').onchange = () => { $('corr-region-row').hidden = $('corr-kind').value !== 'address'; };
  $('note-form').onsubmit = async (e) => {
    e.preventDefault();
    const kind = $('corr-kind').value;
    const value = $('corr-value').value.trim();
    if (!value || !lastShown?.recorded) return;
    const item = kind === 'address'
      ? { address: { line: value, region_code: $('corr-region').value.trim(), lat: fix?.coords.latitude ?? null, lng: fix?.coords.longitude ?? null } }
      : { [kind]: value };
    if (kind === 'address' && item.address.lat === null) { delete item.address.lat; delete item.address.lng; }
    const queued = (await kvGet('corrections')) || [];
    queued.push({ report: lastShown.recorded.id, item });
    await kvPut('corrections', queued);
    $('corr-value').value = '';
    $('note-form').hidden = true;
    $('recorded').textContent = t('note_saved');
    sync();
  };
  $('order').onchange = () => localStorage.setItem('pora.order', $('order').value.trim());
  $('basis').onchange = () => localStorage.setItem('pora.basis', $('basis').value);
  for (const b of document.querySelectorAll('.tabs [data-view]')) b.onclick = () => { if (b.dataset.view !== 'scan') stopCamera(); showView(b.dataset.view); };
  $('btn-sync').onclick = async () => { try { await refreshTrust(); } catch (e) { console.warn(e.message); } await sync(); };
  $('login-form').onsubmit = async (e) => {
    e.preventDefault();
    $('enrol-state').textContent = '…';
    try {
      await enrol($('username').value.trim(), $('password').value, $('device-label').value.trim() || 'Ponsel lapangan');
      $('password').value = '';
      await sync();
    } catch (err) {
      $('enrol-state').textContent = err.message;
      return;
    }
    refreshStatus();
  };
  window.addEventListener('online', async () => { refreshStatus(); try { await refreshTrust(); } catch (e) { console.warn(e.message); } sync(); });
  window.addEventListener('offline', refreshStatus);
  setInterval(() => { sync(); refreshStatus(); }, SYNC_INTERVAL_MS);
  if (navigator.onLine && verifier) refreshTrust().then(refreshStatus, (e) => console.warn('trust', e.message));
  sync();
}

main().catch((e) => { document.body.dataset.ready = 'error'; showError(e.message || String(e)); });
