// Alerts: the queue of the office with filters (state, kind, age) and the workflow
// open → investigating → BAP → closed (POST /api/v1/alerts/{id}/transition), with the API's
// field-level messages shown next to the field. Listing is an audited read.
import { h, api, errorBox } from '../app.js';
import { t, instant, num, getLang, word } from '../i18n.js';
import { WORDS as PERMIT_WORDS } from './permits.js';

/** The alert kinds' words (also used by the person and officers pages). */
export const KIND_WORDS = {
  id: {
    ak_expiring: 'Segera habis berlaku', ak_overstay: 'Overstay', ak_forged: 'Kode QR palsu', ak_unknown_permit: 'Izin tidak dikenal',
    ak_revoked_seen: 'Izin yang dicabut masih dipakai', ak_incomplete: 'Data tidak lengkap', ak_check_without_order: 'Pemeriksaan tanpa surat perintah',
    ak_away_from_address: 'Jauh dari alamat', ak_sponsor_mismatch: 'Tidak sesuai penjamin', ak_lookup_without_scan: 'Pencarian tanpa pindai',
    ak_repeated_lookup: 'Pencarian berulang', ak_device_chain: 'Rantai perangkat terputus', ak_officer_outside_area: 'Petugas di luar wilayah operasi',
    ak_device_clock: 'Jam perangkat menyimpang',
  },
  en: {
    ak_expiring: 'Expiring soon', ak_overstay: 'Overstay', ak_forged: 'Forged QR code', ak_unknown_permit: 'Unknown permit',
    ak_revoked_seen: 'Revoked permit still in use', ak_incomplete: 'Incomplete data', ak_check_without_order: 'Check without a written order',
    ak_away_from_address: 'Away from the address', ak_sponsor_mismatch: 'Sponsor mismatch', ak_lookup_without_scan: 'Look-up without a scan',
    ak_repeated_lookup: 'Repeated look-up', ak_device_chain: 'Device chain broken', ak_officer_outside_area: 'Officer outside the operation area',
    ak_device_clock: 'Device clock off',
  },
};

/**
 * An alert's reason in the page's language, written from its kind and evidence (`details`). The
 * server's reason is one English sentence; where the evidence does not carry what a sentence needs
 * (or the kind has no sentence here) that sentence is shown as it is.
 */
export function alertReason(a) {
  let d = a.details || {};
  if (typeof d === 'string') {
    try { d = JSON.parse(d) || {}; } catch { d = {}; }
  }
  const has = (...keys) => keys.every((k) => d[k] != null);
  const km = (m) => num(Math.round(m / 100) / 10);
  const id = {
    forged: () => has('outcome') && `Perangkat menilai kode tidak asli (${d.outcome})`,
    unknown_permit: () => 'Dokumen yang diperiksa tidak cocok dengan izin mana pun di registri',
    incomplete: () => 'Data izin tidak lengkap',
    revoked_seen: () => has('status') && `Izin berstatus ${word('st', d.status).toLowerCase()} diperlihatkan di lapangan`,
    overstay: () => has('days', 'charge_idr') && `Overstay ${num(d.days)} hari, denda Rp${num(d.charge_idr)}`,
    expiring: () => has('days_left') && `Habis berlaku dalam ${num(d.days_left)} hari, perpanjangan belum diajukan`,
    away_from_address: () => {
      if (!has('distance_m', 'limit_m')) return null;
      const far = d.distance_m > d.limit_m;
      const other = d.kecamatan_seen && d.kecamatan_registered && d.kecamatan_seen !== d.kecamatan_registered;
      if (far && other) return `Terlihat ${km(d.distance_m)} km dari alamat terdaftar, di kecamatan lain`;
      if (far) return `Terlihat ${km(d.distance_m)} km dari alamat terdaftar`;
      return 'Terlihat di kecamatan lain dari alamat terdaftar';
    },
    check_without_order: () => !has('problem') && 'Diperiksa tanpa surat perintah (tertangkap tangan)',
    officer_outside_area: () => has('order') && `Pemeriksaan di luar wilayah surat perintah ${d.order}`,
    device_clock: () => has('skew_s') && `Jam perangkat menyimpang ${num(d.skew_s)} detik dari waktu GNSS`,
  };
  const en = {
    overstay: () => has('days', 'charge_idr') && `Overstay of ${num(d.days)} days, charge Rp${num(d.charge_idr)}`,
    expiring: () => has('days_left') && `Expires in ${num(d.days_left)} days, no extension filed`,
  };
  const own = (getLang() === 'en' ? (a.reason ? null : en[a.kind]) : id[a.kind])?.();
  return own || a.reason || '';
}

/** An alert kind in words, or the code itself when it has none. */
export function alertKind(code) {
  return word('ak', code, code.replace(/_/g, ' '));
}

export const WORDS = {
  id: {
    ...PERMIT_WORDS.id,
    ...KIND_WORDS.id,
    a_title: 'Peringatan', a_state: 'Tahap', a_kind: 'Jenis', a_age: 'Usia', a_any: 'Semua', a_filter: 'Saring', a_when: 'Dibuat',
    a_person: 'Orang asing', a_reason: 'Alasan', a_action: 'Tindak lanjut', a_to: 'Pindahkan ke', a_note: 'Catatan / nomor BAP', a_apply: 'Simpan',
    a_none: 'Tidak ada peringatan.', a_count: '{n} peringatan ditampilkan', a_done: 'Peringatan #{id} sekarang: {state}',
    as_open: 'Terbuka', as_investigating: 'Diselidiki', as_bap: 'BAP', as_closed: 'Ditutup', days_n: '{n} hari terakhir', a_more: 'Berikutnya →',
  },
  en: {
    ...PERMIT_WORDS.en,
    ...KIND_WORDS.en,
    a_title: 'Alerts', a_state: 'Stage', a_kind: 'Kind', a_age: 'Age', a_any: 'Any', a_filter: 'Filter', a_when: 'Raised',
    a_person: 'Foreigner', a_reason: 'Reason', a_action: 'Follow-up', a_to: 'Move to', a_note: 'Note / BAP number', a_apply: 'Save',
    a_none: 'No alerts.', a_count: '{n} alerts shown', a_done: 'Alert #{id} is now: {state}',
    as_open: 'Open', as_investigating: 'Investigating', as_bap: 'BAP', as_closed: 'Closed', days_n: 'last {n} days', a_more: 'Next →',
  },
};

const STATES = ['open', 'investigating', 'bap', 'closed'];
const KINDS = ['expiring', 'overstay', 'forged', 'unknown_permit', 'revoked_seen', 'incomplete', 'check_without_order', 'away_from_address',
  'sponsor_mismatch', 'device_chain', 'officer_outside_area', 'lookup_without_scan', 'repeated_lookup', 'device_clock'];
const NEXT = { open: ['investigating', 'closed'], investigating: ['bap', 'closed'], bap: ['closed'], closed: [] };
const PAGE = 50;

function workflow(a, onDone) {
  const options = NEXT[a.state] || [];
  if (!options.length) return h('span', { class: 'muted' }, '–');
  const to = h('select', { name: 'to', 'aria-label': t('a_to') }, ...options.map((s) => h('option', { value: s }, t(`as_${s}`))));
  const note = h('input', { name: 'note', maxlength: 2000, placeholder: t('a_note'), 'aria-label': t('a_note'), size: 16 });
  const msg = h('span', { class: 'field-error', role: 'alert' });
  const form = h('form', { class: 'workflow', dataset: { alert: a.id } }, to, note, h('button', { type: 'submit' }, t('a_apply')), msg);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    msg.textContent = '';
    note.removeAttribute('aria-invalid');
    try {
      const r = await api(`/api/v1/alerts/${a.id}/transition`, { method: 'POST', body: { to: to.value, note: note.value } });
      onDone(r);
    } catch (e) {
      msg.textContent = e.message;
      if (e.field === 'note') { note.setAttribute('aria-invalid', 'true'); note.focus(); }
    }
  });
  return form;
}

export async function render(main) {
  const params = new URLSearchParams(location.search);
  const f = { state: params.get('state') ?? 'open', kind: params.get('kind') || '', since_days: params.get('since_days') || '' };
  const offset = Math.max(0, Number(params.get('offset') || 0) | 0);
  const sel = (id, label, values, labelOf) => h('div', { class: 'field' }, h('label', { for: id }, label),
    h('select', { id, name: id }, h('option', { value: '' }, t('a_any')), ...values.map((v) => h('option', { value: v, selected: f[id] === String(v) }, labelOf(v)))));
  const form = h('form', { class: 'filters panel', id: 'alert-filters' },
    sel('state', t('a_state'), STATES, (s) => t(`as_${s}`)),
    sel('kind', t('a_kind'), KINDS, alertKind),
    sel('since_days', t('a_age'), [7, 30, 90, 365], (d) => t('days_n', { n: d })),
    h('div', { class: 'field actions' }, h('button', { type: 'submit' }, t('a_filter'))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const next = new URLSearchParams();
    for (const [k, v] of new FormData(form)) next.set(k, v);
    location.search = next.toString();
  });
  const note = h('p', { class: 'notice', id: 'alert-notice', role: 'status', hidden: true });
  const box = h('div', { class: 'table-wrap' });
  const count = h('p', { class: 'muted', id: 'alert-count' });
  main.append(h('div', { class: 'page-head' }, h('h1', {}, t('a_title'))), form, note, count, box);

  const q = new URLSearchParams({ limit: PAGE, offset });
  for (const [k, v] of Object.entries(f)) if (v) q.set(k, v);
  let res;
  try {
    res = await api(`/api/v1/alerts?${q}`, { personal: true });
  } catch (e) {
    box.replaceChildren(errorBox(e));
    return;
  }
  count.textContent = res.items.length ? t('a_count', { n: res.items.length }) : t('a_none');
  const rows = res.items.map((a) => {
    const stateCell = h('td', {}, h('span', { class: `badge st-${a.state}` }, t(`as_${a.state}`)));
    const actionCell = h('td', {});
    const done = (r) => {
      a.state = r.state;
      stateCell.replaceChildren(h('span', { class: `badge st-${r.state}` }, t(`as_${r.state}`)));
      actionCell.replaceChildren(workflow(a, done));
      note.hidden = false;
      note.textContent = t('a_done', { id: a.id, state: t(`as_${r.state}`) });
    };
    actionCell.append(workflow(a, done));
    return h('tr', { dataset: { id: a.id, kind: a.kind } },
      h('td', {}, `#${a.id}`), h('td', {}, instant(a.created_at)), h('td', {}, alertKind(a.kind)), stateCell,
      h('td', {}, a.niora ? h('a', { href: `/persons/${encodeURIComponent(a.niora)}` }, a.niora) : '–'),
      h('td', { class: 'wrap' }, alertReason(a)), actionCell);
  });
  box.replaceChildren(h('table', { id: 'alerts-table' },
    h('thead', {}, h('tr', {}, ...['#', t('a_when'), t('a_kind'), t('a_state'), t('a_person'), t('a_reason'), t('a_action')].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...rows)));
  if (res.items.length === PAGE) {
    const next = new URLSearchParams(location.search);
    next.set('offset', offset + PAGE);
    main.append(h('nav', { class: 'pager' }, h('span'), h('a', { class: 'button secondary', href: `?${next}`, id: 'next' }, t('a_more'))));
  }
}
