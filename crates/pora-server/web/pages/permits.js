// Permits: search and filters (name / passport / number / NIORA, nationality, type, visa index,
// sponsor, kecamatan, status, expiry window, overstay), sortable, paginated, CSV export. The filters
// live in the address bar, so the overview's and the map's links land on a filtered list. Every row
// shown is an audited read with the chosen purpose (GET /api/v1/permits).
import { h, api, purpose, errorBox } from '../app.js';
import { t, num, date } from '../i18n.js';

export const WORDS = {
  id: {
    p_title: 'Izin tinggal', p_q: 'Nama, paspor, nomor izin atau NIORA', p_nationality: 'Kewarganegaraan', p_type: 'Jenis',
    p_visa: 'Indeks visa', p_sponsor: 'Penjamin (nama / NIB)', p_kecamatan: 'Kecamatan', p_status: 'Status', p_expiring: 'Habis berlaku dalam',
    p_overstay: 'Hanya overstay', p_search: 'Cari', p_reset: 'Atur ulang', p_export: 'Unduh CSV', p_any: 'Semua',
    p_number: 'Nomor izin', p_name: 'Nama', p_valid_until: 'Berlaku s.d.', p_office: 'Kantor', p_results: '{from}–{to} dari {total} izin',
    p_none: 'Tidak ada izin yang cocok.', p_prev: '← Sebelumnya', p_next: 'Berikutnya →', p_sort_by: 'Urutkan menurut {col}',
    p_filters: 'Saring', st_active: 'Aktif', st_suspended: 'Ditangguhkan', st_expired: 'Kedaluwarsa', st_cancelled: 'Dibatalkan',
    st_converted: 'Dialihstatuskan', st_exited: 'EPO (keluar)', st_deported: 'Dideportasi', st_deceased: 'Meninggal', st_overstay: 'Overstay',
    ev_issued: 'Diterbitkan', ev_extended: 'Diperpanjang', ev_converted: 'Dialihstatuskan', ev_cancelled: 'Dibatalkan', ev_suspended: 'Ditangguhkan',
    ev_resumed: 'Penangguhan dicabut', ev_exited: 'EPO', ev_deported: 'Dideportasi', ev_deceased: 'Meninggal dunia', ev_expired: 'Kedaluwarsa',
  },
  en: {
    p_title: 'Permits', p_q: 'Name, passport, permit number or NIORA', p_nationality: 'Nationality', p_type: 'Type',
    p_visa: 'Visa index', p_sponsor: 'Sponsor (name / NIB)', p_kecamatan: 'Kecamatan', p_status: 'Status', p_expiring: 'Expiring within',
    p_overstay: 'Overstays only', p_search: 'Search', p_reset: 'Reset', p_export: 'Download CSV', p_any: 'Any',
    p_number: 'Permit number', p_name: 'Name', p_valid_until: 'Valid until', p_office: 'Office', p_results: '{from}–{to} of {total} permits',
    p_none: 'No permit matches.', p_prev: '← Previous', p_next: 'Next →', p_sort_by: 'Sort by {col}',
    p_filters: 'Filter', st_active: 'Active', st_suspended: 'Suspended', st_expired: 'Expired', st_cancelled: 'Cancelled',
    st_converted: 'Converted', st_exited: 'Exited (EPO)', st_deported: 'Deported', st_deceased: 'Deceased', st_overstay: 'Overstay',
    ev_issued: 'Issued', ev_extended: 'Extended', ev_converted: 'Converted', ev_cancelled: 'Cancelled', ev_suspended: 'Suspended',
    ev_resumed: 'Suspension lifted', ev_exited: 'EPO', ev_deported: 'Deported', ev_deceased: 'Deceased', ev_expired: 'Expired',
  },
};

/** A permit event's name in the current language (the code when there is no word for it). */
export function eventName(kind) {
  const w = t(`ev_${kind}`);
  return w === `ev_${kind}` ? kind : w;
}

const STATUSES = ['active', 'suspended', 'expired', 'cancelled', 'converted', 'exited', 'deported', 'deceased'];
const PAGE = 50;

const isoDay = (offset = 0) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);

/** The API query for the page's filters. */
export function apiQuery(f) {
  const q = new URLSearchParams();
  const set = (k, v) => { if (v) q.set(k, v); };
  set('q', f.q);
  set('nationality', f.nationality?.toUpperCase());
  set('type', f.type);
  set('visa', f.visa);
  set('sponsor', f.sponsor);
  set('region', f.kecamatan);
  set('status', f.status);
  if (f.overstay) {
    q.set('status', 'active');
    q.set('valid_until_before', isoDay(-1));
  } else if (f.expiring) {
    q.set('status', 'active');
    q.set('valid_until_after', isoDay(0));
    q.set('valid_until_before', isoDay(Number(f.expiring)));
  }
  set('sort', f.sort);
  return q;
}

export function statusBadge(p) {
  const over = p.status === 'active' && p.valid_until < isoDay(0);
  return h('span', { class: `badge ${over ? 'overstay' : p.status}` }, over ? t('st_overstay') : t(`st_${p.status}`));
}

export async function render(main, { me }) {
  const params = new URLSearchParams(location.search);
  const f = Object.fromEntries(['q', 'nationality', 'type', 'visa', 'sponsor', 'kecamatan', 'status', 'expiring', 'overstay', 'sort'].map((k) => [k, params.get(k) || '']));
  const pageNo = Math.max(0, Number(params.get('page') || 0) | 0);
  const kec = await fetch('/assets/geo/kecamatan.geojson').then((r) => r.json()).catch(() => ({ features: [] }));
  const kecs = kec.features.map((x) => x.properties).sort((a, b) => a.name.localeCompare(b.name));

  const field = (id, label, control) => h('div', { class: 'field' }, h('label', { for: id }, label), control);
  const input = (id, attrs = {}) => h('input', { id, name: id, value: f[id], ...attrs });
  const select = (id, options) => h('select', { id, name: id }, h('option', { value: '' }, t('p_any')),
    ...options.map(([v, l]) => h('option', { value: v, selected: f[id] === String(v) }, l)));
  const form = h('form', { class: 'filters panel', id: 'filters', role: 'search', 'aria-label': t('p_filters') },
    field('q', t('p_q'), input('q', { type: 'search', size: 28, maxlength: 100 })),
    field('nationality', t('p_nationality'), input('nationality', { size: 4, maxlength: 3, pattern: '[A-Za-z]{3}', placeholder: 'JPN' })),
    field('type', t('p_type'), select('type', [['ITAS', 'ITAS'], ['ITAP', 'ITAP']])),
    field('visa', t('p_visa'), input('visa', { size: 6, maxlength: 8, placeholder: 'E23' })),
    field('sponsor', t('p_sponsor'), input('sponsor', { size: 18, maxlength: 100 })),
    field('kecamatan', t('p_kecamatan'), select('kecamatan', kecs.map((k) => [k.code, k.name]))),
    field('status', t('p_status'), select('status', STATUSES.map((s) => [s, t(`st_${s}`)]))),
    field('expiring', t('p_expiring'), select('expiring', [30, 60, 90].map((d) => [d, t('ov_days', { n: d })]))),
    h('div', { class: 'field check' }, h('input', { type: 'checkbox', id: 'overstay', name: 'overstay', value: '1', checked: f.overstay === '1' }), h('label', { for: 'overstay' }, t('p_overstay'))),
    h('div', { class: 'field actions' }, h('button', { type: 'submit' }, t('p_search')), h('a', { href: '/permits', class: 'button secondary' }, t('p_reset'))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const next = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (v) next.set(k, v);
    if (f.sort) next.set('sort', f.sort);
    location.search = next.toString();
  });

  const status = h('p', { class: 'muted', id: 'results', 'aria-live': 'polite' });
  const tableBox = h('div', { class: 'table-wrap' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'pagination' });
  const q = apiQuery(f);
  const canExport = ['issuing_officer', 'supervisor'].includes(me.role);
  const exportQ = new URLSearchParams(q);
  exportQ.set('purpose', purpose());
  main.append(
    h('div', { class: 'page-head' }, h('h1', {}, t('p_title')),
      canExport ? h('a', { class: 'button secondary', id: 'export', href: `/api/v1/exports/permits.csv?${exportQ}`, download: '' }, t('p_export')) : null),
    form, status, tableBox, pager);

  q.set('limit', PAGE);
  q.set('offset', pageNo * PAGE);
  let res;
  try {
    res = await api(`/api/v1/permits?${q}`, { personal: true });
  } catch (e) {
    tableBox.replaceChildren(errorBox(e));
    if (e.field) document.getElementById(e.field === 'region' ? 'kecamatan' : e.field)?.setAttribute('aria-invalid', 'true');
    return;
  }
  const total = res.total ?? res.items.length;
  status.textContent = total ? t('p_results', { from: num(pageNo * PAGE + 1), to: num(pageNo * PAGE + res.items.length), total: num(total) }) : t('p_none');

  const cols = [['number', t('p_number')], ['name', t('p_name')], ['nationality', t('p_nationality')], [null, t('p_type')], [null, t('p_visa')], ['valid_until', t('p_valid_until')], ['status', t('p_status')], [null, t('p_office')]];
  const sortKey = f.sort.replace(/^-/, '');
  const desc = f.sort.startsWith('-');
  const sortLink = (key) => {
    const next = new URLSearchParams(location.search);
    next.set('sort', sortKey === key && !desc ? `-${key}` : key);
    next.delete('page');
    return `?${next}`;
  };
  tableBox.replaceChildren(h('table', { id: 'permits-table' },
    h('thead', {}, h('tr', {}, ...cols.map(([key, label]) => h('th', { scope: 'col', 'aria-sort': key && sortKey === key ? (desc ? 'descending' : 'ascending') : null },
      key ? h('a', { href: sortLink(key), class: 'sort', 'aria-label': t('p_sort_by', { col: label }) }, label, sortKey === key ? (desc ? ' ▼' : ' ▲') : '') : label)))),
    h('tbody', {}, ...res.items.map((p) => h('tr', { dataset: { number: p.number } },
      h('td', {}, h('a', { href: `/persons/${encodeURIComponent(p.niora)}?permit=${encodeURIComponent(p.number)}` }, p.number)),
      h('td', {}, p.full_name), h('td', {}, p.nationality), h('td', {}, p.permit_type), h('td', {}, p.visa_code),
      h('td', {}, date(p.valid_until)), h('td', {}, statusBadge(p)), h('td', {}, p.office_code))))));
  const link = (n, label, id) => {
    const next = new URLSearchParams(location.search);
    next.set('page', n);
    return h('a', { href: `?${next}`, class: 'button secondary', id, rel: id }, label);
  };
  pager.replaceChildren(
    pageNo > 0 ? link(pageNo - 1, t('p_prev'), 'prev') : h('span'),
    (pageNo + 1) * PAGE < total ? link(pageNo + 1, t('p_next'), 'next') : h('span'));
}
