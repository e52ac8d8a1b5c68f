// A foreigner: identity, passports, permit history with the selected permit's events, the card
// preview and download (GET /api/v1/permits/{n}/document), the movement timeline with a map
// (checks with their verdict, officer and written order; stay reports; declared addresses),
// corrections found in the field, alerts about the person, and who read the record
// (supervisors). Every call here is an audited read with the chosen purpose.
import { h, api, purpose, errorBox } from '../app.js';
import { t, date, instant, word } from '../i18n.js';
import { statusBadge, eventName, WORDS as PERMIT_WORDS } from './permits.js';
import { alertKind, alertReason, KIND_WORDS } from './alerts.js';
import { script, style } from '../charts.js';

export const WORDS = {
  id: {
    ...PERMIT_WORDS.id,
    ...KIND_WORDS.id,
    f_niora: 'NIORA', f_sex: 'Jenis kelamin', f_birth: 'Tempat, tanggal lahir', f_occupation: 'Pekerjaan', f_passports: 'Paspor',
    f_permits: 'Riwayat izin tinggal', f_events: 'Riwayat izin {n}', f_card: 'Kartu izin tinggal', f_card_pdf: 'Unduh kartu (PDF)',
    f_epermit_pdf: 'Unduh e-permit (PDF)', f_card_alt: 'Pratinjau kartu {n} dengan kode QR', f_addresses: 'Alamat dan perpindahan (pemeriksaan, laporan menginap, alamat)',
    f_access: 'Siapa yang membaca data ini', f_from: 'Sejak', f_until: 'Sampai', f_source: 'Sumber', f_region: 'Kode wilayah',
    f_address: 'Alamat', f_now: 'sekarang', f_when: 'Waktu', f_who: 'Oleh', f_action: 'Tindakan', f_purpose: 'Tujuan',
    f_valid_from: 'Berlaku dari', f_event: 'Peristiwa', f_reason: 'Alasan', f_expiry: 'Habis berlaku', f_state: 'Negara penerbit',
    f_no_role: 'Peran Anda tidak dapat melihat bagian ini.', f_back: '← Kembali ke daftar', f_detail: 'Keterangan',
    mv_address: 'Alamat dilaporkan', mv_check: 'Pemeriksaan lapangan', mv_stay_report: 'Laporan menginap',
    f_manage: 'Kelola dan cetak di halaman penerbitan', f_all: 'Semua', f_show: 'Tampilkan', f_order: 'Surat perintah / sampai',
    f_caught: 'tertangkap tangan', f_corrections: 'Koreksi data (pendataan ulang)', f_field: 'Data', f_old: 'Tercatat', f_new: 'Ditemukan',
    f_decision: 'Keputusan', f_none: 'Tidak ada.', f_alerts: 'Peringatan', f_kind: 'Jenis', f_stage: 'Tahap', f_open_alerts: 'Buka antrean peringatan',
    v_valid: 'Sah', v_expired: 'Kedaluwarsa', v_revoked: 'Dicabut', v_suspended: 'Ditangguhkan', v_bad_signature: 'Tanda tangan tidak sah',
    v_unknown_signer: 'Penanda tangan tak dikenal', o_ok: 'sesuai', o_incomplete: 'data tidak lengkap', o_finding: 'temuan', o_not_found: 'tidak ditemukan', o_forged: 'palsu',
    src_declared: 'dilaporkan', src_field_check: 'pemeriksaan lapangan', src_stay_report: 'laporan menginap', src_sponsor: 'penjamin',
    rk_hotel: 'hotel', rk_kost: 'kos', rk_landlord: 'pemilik rumah', rk_self: 'diri sendiri',
    cf_address: 'Alamat', cf_employer: 'Pemberi kerja', cf_occupation: 'Pekerjaan', cf_phone: 'Telepon', cf_civil_status: 'Status sipil',
    cs_pending: 'Menunggu', cs_accepted: 'Diterima', cs_rejected: 'Ditolak',
    as_open: 'Terbuka', as_investigating: 'Diselidiki', as_bap: 'BAP', as_closed: 'Ditutup', v_manual: 'dibaca manual',
  },
  en: {
    ...PERMIT_WORDS.en,
    ...KIND_WORDS.en,
    f_niora: 'NIORA', f_sex: 'Sex', f_birth: 'Place and date of birth', f_occupation: 'Occupation', f_passports: 'Passports',
    f_permits: 'Permit history', f_events: 'History of permit {n}', f_card: 'Permit card', f_card_pdf: 'Download card (PDF)',
    f_epermit_pdf: 'Download e-permit (PDF)', f_card_alt: 'Preview of card {n} with its QR code', f_addresses: 'Addresses and movements (checks, stay reports, addresses)',
    f_access: 'Who read this record', f_from: 'From', f_until: 'Until', f_source: 'Source', f_region: 'Region code',
    f_address: 'Address', f_now: 'now', f_when: 'When', f_who: 'By', f_action: 'Action', f_purpose: 'Purpose',
    f_valid_from: 'Valid from', f_event: 'Event', f_reason: 'Reason', f_expiry: 'Expiry', f_state: 'Issuing state',
    f_no_role: 'Your role cannot see this part.', f_back: '← Back to the list', f_detail: 'Detail',
    mv_address: 'Address declared', mv_check: 'Field check', mv_stay_report: 'Stay report',
    f_manage: 'Manage and print on the issuance page', f_all: 'All', f_show: 'Show', f_order: 'Written order / until',
    f_caught: 'caught in the act', f_corrections: 'Corrections (field re-registration)', f_field: 'Item', f_old: 'On record', f_new: 'Found',
    f_decision: 'Decision', f_none: 'None.', f_alerts: 'Alerts', f_kind: 'Kind', f_stage: 'Stage', f_open_alerts: 'Open the alert queue',
    v_valid: 'Valid', v_expired: 'Expired', v_revoked: 'Revoked', v_suspended: 'Suspended', v_bad_signature: 'Bad signature',
    v_unknown_signer: 'Unknown signer', o_ok: 'in order', o_incomplete: 'incomplete data', o_finding: 'finding', o_not_found: 'not found', o_forged: 'forged',
    src_declared: 'declared', src_field_check: 'field check', src_stay_report: 'stay report', src_sponsor: 'sponsor',
    rk_hotel: 'hotel', rk_kost: 'boarding house', rk_landlord: 'landlord', rk_self: 'self',
    cf_address: 'Address', cf_employer: 'Employer', cf_occupation: 'Occupation', cf_phone: 'Phone', cf_civil_status: 'Civil status',
    cs_pending: 'Pending', cs_accepted: 'Accepted', cs_rejected: 'Rejected',
    as_open: 'Open', as_investigating: 'Investigating', as_bap: 'BAP', as_closed: 'Closed', v_manual: 'read by hand',
  },
};


function table(id, head, rows) {
  return h('div', { class: 'table-wrap' }, h('table', { id },
    h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...rows)));
}

function section(title, ...body) {
  return h('section', { class: 'panel block' }, h('h2', {}, title), ...body);
}

const KIND_COLOUR = { address: '#c2410c', check: '#1f5fa8', stay_report: '#7c3aed' };

/** Points in time order on the region boundaries, joined by a dashed line: [{ lat, lng, at, kind, label }]. */
async function movementMap(el, points) {
  const pts = points.filter((p) => p.lat != null && p.lng != null).sort((a, b) => a.at - b.at);
  if (!pts.length) return;
  style('/assets/vendor/leaflet/leaflet.css');
  await script('/assets/vendor/leaflet/leaflet.js');
  const L = window.L;
  const latlngs = pts.map((p) => [p.lat, p.lng]);
  const map = L.map(el, { minZoom: 8, maxZoom: 18, attributionControl: true });
  const tileUrl = document.querySelector('meta[name="pora-tile-url"]')?.content;
  // The view first: vector layers need the map's pixel bounds. On the bare boundaries a close view
  // of one point shows only lines, so it stops where the neighbouring kecamatan are still in sight.
  map.fitBounds(L.latLngBounds(latlngs).pad(0.4), { maxZoom: tileUrl ? 14 : 11 });
  map.attributionControl.setPrefix(false);
  if (tileUrl) L.tileLayer(tileUrl, { maxZoom: 19 }).addTo(map);
  const kec = await fetch('/assets/geo/kecamatan.geojson').then((r) => r.json());
  L.geoJSON(kec, { style: { color: '#52606d', weight: 1, fillColor: '#f8fafc', fillOpacity: 0.7 } }).addTo(map);
  if (latlngs.length > 1) L.polyline(latlngs, { color: '#0f2a4a', weight: 2, opacity: 0.6, dashArray: '6 6' }).addTo(map);
  pts.forEach((p, i) => L.circleMarker([p.lat, p.lng], { radius: 7, color: '#fff', weight: 2, fillColor: KIND_COLOUR[p.kind] || '#334155', fillOpacity: 1 })
    .bindTooltip(`${i + 1}. ${p.label}`).addTo(map));
  el.dataset.points = String(pts.length);
}

export async function render(main, { me }) {
  const niora = decodeURIComponent(location.pathname.split('/')[2] || '');
  const rec = await api(`/api/v1/foreigners/${encodeURIComponent(niora)}`, { personal: true });
  const f = rec.foreigner;
  const permits = [...rec.permits].sort((a, b) => b.valid_from.localeCompare(a.valid_from));
  const wanted = new URLSearchParams(location.search).get('permit');
  const current = permits.find((p) => p.number === wanted) || permits.find((p) => p.status === 'active') || permits[0];
  const docs = ['issuing_officer', 'supervisor'].includes(me.role);
  const pq = `purpose=${encodeURIComponent(purpose())}`;

  main.append(
    h('p', {}, h('a', { href: '/permits' }, t('f_back'))),
    h('div', { class: 'page-head person-head' },
      h('div', {}, h('h1', { id: 'person-name' }, f.full_name), h('p', { class: 'muted' }, `${t('f_niora')} ${f.niora} · ${f.nationality} · ${f.mrz_name}`)),
      current ? statusBadge(current) : null),
    h('div', { class: 'person-grid' },
      section(f.full_name,
        h('dl', { class: 'facts' },
          h('dt', {}, t('f_niora')), h('dd', {}, f.niora),
          h('dt', {}, t('p_nationality')), h('dd', {}, f.nationality),
          h('dt', {}, t('f_sex')), h('dd', {}, f.sex),
          h('dt', {}, t('f_birth')), h('dd', {}, `${f.birth_place}, ${date(f.birth_date)}`),
          h('dt', {}, t('f_occupation')), h('dd', {}, f.occupation || '–')),
        h('h3', {}, t('f_passports')),
        table('passports', [t('f_passports'), t('f_state'), t('f_expiry')], rec.passports.map((p) => h('tr', {}, h('td', {}, p.number), h('td', {}, p.issuing_state), h('td', {}, date(p.expiry_date)))))),
      current && docs ? section(t('f_card'),
        h('img', { id: 'card-preview', class: 'card-preview', alt: t('f_card_alt', { n: current.number }), src: `/api/v1/permits/${encodeURIComponent(current.number)}/document?kind=card&format=png&dpi=200&${pq}` }),
        h('div', { class: 'actions' },
          h('a', { class: 'button', id: 'card-pdf', href: `/api/v1/permits/${encodeURIComponent(current.number)}/document?kind=card&format=pdf&${pq}`, download: `${current.number}-card.pdf` }, t('f_card_pdf')),
          h('a', { class: 'button secondary', id: 'epermit-pdf', href: `/api/v1/permits/${encodeURIComponent(current.number)}/document?kind=epermit&format=pdf&${pq}`, download: `${current.number}-epermit.pdf` }, t('f_epermit_pdf'))),
        me.role === 'issuing_officer' ? h('p', {}, h('a', { id: 'manage-link', href: `/issue?permit=${encodeURIComponent(current.number)}` }, t('f_manage'))) : null) : null),
    section(t('f_permits'), table('permit-history', [t('p_number'), t('p_type'), t('p_visa'), t('f_valid_from'), t('p_valid_until'), t('p_status'), t('p_office')],
      permits.map((p) => h('tr', { class: p === current ? 'selected' : '' },
        h('td', {}, h('a', { href: `?permit=${encodeURIComponent(p.number)}`, 'aria-current': p === current ? 'true' : null }, p.number)),
        h('td', {}, p.permit_type), h('td', {}, `${p.visa_code} (${p.visa_table})`), h('td', {}, date(p.valid_from)), h('td', {}, date(p.valid_until)), h('td', {}, statusBadge(p)), h('td', {}, p.office_code))))),
  );

  if (current && docs) {
    const box = section(t('f_events', { n: current.number }), h('p', { class: 'loading' }, t('loading')));
    main.append(box);
    api(`/api/v1/permits/${encodeURIComponent(current.number)}/history`, { personal: true }).then((r) => {
      box.lastChild.replaceWith(table('permit-events', [t('f_when'), t('f_event'), t('p_status'), t('p_valid_until'), t('f_reason')],
        r.events.map((e) => h('tr', { dataset: { kind: e.kind } }, h('td', {}, instant(e.at)), h('td', {}, eventName(e.kind)), h('td', {}, `${e.from_status ? `${t(`st_${e.from_status}`)} → ` : ''}${t(`st_${e.to_status}`)}`), h('td', {}, date(e.valid_until)), h('td', {}, e.reason || '')))));
    }).catch((e) => box.lastChild.replaceWith(errorBox(e)));
  }

  const addresses = [...rec.addresses].sort((a, b) => b.valid_from.localeCompare(a.valid_from));
  const mapEl = h('div', { class: 'mini-map', id: 'movement-map', role: 'img', 'aria-label': t('f_addresses') });
  const moveBox = h('div', {});
  main.append(section(t('f_addresses'), h('div', { class: 'movement' }, mapEl, moveBox)));
  const dayOf = (iso) => Date.parse(`${iso}T00:00:00Z`) / 1000;
  let points = rec.addresses.map((a) => ({ ...a, kind: 'address', at: dayOf(a.valid_from), label: `${a.line} (${date(a.valid_from)})` }));
  const supervisor = me.role === 'supervisor';
  if (!supervisor) {
    moveBox.append(table('addresses', [t('f_from'), t('f_until'), t('f_address'), t('f_region'), t('f_source')],
      addresses.map((a) => h('tr', {}, h('td', {}, date(a.valid_from)), h('td', {}, a.valid_until ? date(a.valid_until) : t('f_now')), h('td', { class: 'wrap' }, a.line), h('td', {}, a.region_code), h('td', {}, word('src', a.source))))));
    await movementMap(mapEl, points).catch((e) => { mapEl.dataset.error = e.message; });
    return;
  }

  // Supervisors: the timeline, corrections, alerts and the access log, fetched side by side.
  const enc = encodeURIComponent(niora);
  const later = (title, id, load) => {
    const box = section(title, h('p', { class: 'loading' }, t('loading')));
    box.id = id;
    main.append(box);
    return () => load().then((el) => box.lastChild.replaceWith(el)).catch((e) => box.lastChild.replaceWith(errorBox(e)));
  };
  const timeline = async () => {
    try {
      const [mv, names] = await Promise.all([
        api(`/api/v1/foreigners/${enc}/movements`, { personal: true }),
        regionNames(),
      ]);
      points = mv.items.map((m) => ({ ...m, label: `${t(`mv_${m.kind}`)} · ${instant(m.at)} · ${m.detail || ''}` }));
      moveBox.append(movementTable(mv.items, names));
    } catch (e) {
      moveBox.append(errorBox(e));
    }
    await movementMap(mapEl, points).catch((e) => { mapEl.dataset.error = e.message; });
  };
  const corrections = later(t('f_corrections'), 'corrections-section', async () => {
    const r = await api(`/api/v1/corrections?state=all&niora=${enc}&limit=100`, { personal: true });
    if (!r.items.length) return h('p', { class: 'muted', id: 'corrections-none' }, t('f_none'));
    const show = (f, v) => {
      if (v == null) return '–';
      if (f !== 'address') return v;
      try { const a = JSON.parse(v); return `${a.line || ''} (${a.region_code || ''})`; } catch { return v; }
    };
    return table('corrections', [t('f_when'), t('f_field'), t('f_old'), t('f_new'), t('f_stage'), t('f_decision')],
      r.items.map((k) => h('tr', { dataset: { state: k.state } }, h('td', {}, instant(k.created_at)), h('td', {}, word('cf', k.field)),
        h('td', { class: 'wrap' }, show(k.field, k.old_value)), h('td', { class: 'wrap' }, show(k.field, k.new_value)),
        h('td', {}, h('span', { class: `badge cs-${k.state}` }, word('cs', k.state))), h('td', { class: 'wrap' }, k.decision_note || ''))));
  });
  const alerts = later(t('f_alerts'), 'alerts-section', async () => {
    const [open, closed] = await Promise.all([
      api(`/api/v1/alerts?niora=${enc}&limit=100`, { personal: true }),
      api(`/api/v1/alerts?niora=${enc}&state=closed&limit=100`, { personal: true }),
    ]);
    const items = [...open.items, ...closed.items].sort((a, b) => b.created_at - a.created_at);
    if (!items.length) return h('p', { class: 'muted', id: 'alerts-none' }, t('f_none'));
    return h('div', {}, table('person-alerts', [t('f_when'), t('f_kind'), t('f_stage'), t('f_reason')],
      items.map((a) => h('tr', { dataset: { state: a.state } }, h('td', {}, instant(a.created_at)), h('td', { dataset: { kind: a.kind } }, alertKind(a.kind)),
        h('td', {}, h('span', { class: `badge st-${a.state}` }, word('as', a.state))), h('td', { class: 'wrap' }, alertReason(a))))),
    h('p', {}, h('a', { href: '/alerts' }, t('f_open_alerts'))));
  });
  const access = later(t('f_access'), 'access-section', async () => {
    const log = await api(`/api/v1/foreigners/${enc}/access-log?limit=50`, { personal: true });
    return table('access-log', [t('f_when'), t('f_who'), t('f_action'), t('f_purpose')],
      log.items.map((e) => h('tr', {}, h('td', {}, instant(e.at)), h('td', {}, `${e.by_role}${e.by_office ? ` · ${e.by_office}` : ''}${e.by_user ? ` · #${e.by_user}` : ''}`), h('td', {}, e.action), h('td', {}, `${e.purpose}${e.purpose_ref ? `:${e.purpose_ref}` : ''}`))));
  });
  await Promise.all([timeline(), corrections(), alerts(), access()]);
}

/** Kecamatan and desa names by code, from the embedded Kemendagri list. */
async function regionNames() {
  const csv = await fetch('/assets/geo/wilayah.csv').then((r) => r.text());
  return new Map(csv.trim().split(/\r?\n/).slice(1).map((l) => l.split(',')).map(([code, name]) => [code, name]));
}

/** The timeline as a table with a filter by kind: checks, stay reports, addresses. */
function movementTable(items, names) {
  const rows = [...items].sort((a, b) => b.at - a.at).map((m) => {
    let detail;
    let by = m.by;
    let extra = '';
    if (m.kind === 'check') {
      detail = h('span', {}, h('span', { class: `badge v-${m.detail}` }, word('v', m.detail)), ' ', word('o', m.outcome));
      extra = m.order_number || t('f_caught');
    } else if (m.kind === 'stay_report') {
      detail = m.detail;
      by = word('rk', m.by);
      extra = m.until ? date(m.until) : '';
    } else {
      detail = m.detail;
      by = word('src', m.by);
      extra = m.until ? date(m.until) : t('f_now');
    }
    const kec = m.kecamatan ? `${names.get(m.kecamatan) || ''} (${m.kecamatan})` : '–';
    const desa = m.region_code ? `${names.get(m.region_code) || ''} ${m.region_code}`.trim() : '–';
    return h('tr', { dataset: { kind: m.kind } }, h('td', {}, m.kind === 'check' ? instant(m.at) : date(new Date(m.at * 1000).toISOString())),
      h('td', {}, h('span', { class: `dot ${m.kind}` }), t(`mv_${m.kind}`)), h('td', { class: 'wrap' }, detail), h('td', {}, by || '–'),
      h('td', {}, extra), h('td', {}, kec), h('td', {}, desa));
  });
  const tbl = table('movements', [t('f_when'), t('f_event'), t('f_detail'), t('f_who'), t('f_order'), t('p_kecamatan'), t('f_region')], rows);
  const kinds = ['check', 'stay_report', 'address'];
  const count = (k) => items.filter((m) => !k || m.kind === k).length;
  const chips = h('div', { class: 'chips', role: 'group', 'aria-label': t('f_show') }, ...[null, ...kinds].map((k) => h('button', {
    type: 'button', class: 'chip', 'aria-pressed': k ? 'false' : 'true', dataset: { kind: k || 'all' },
    onclick: (ev) => {
      chips.querySelectorAll('button').forEach((b) => b.setAttribute('aria-pressed', b === ev.currentTarget ? 'true' : 'false'));
      tbl.querySelectorAll('tbody tr').forEach((tr) => { tr.hidden = !!k && tr.dataset.kind !== k; });
    },
  }, `${k ? t(`mv_${k}`) : t('f_all')} (${count(k)})`)));
  return h('div', {}, chips, tbl);
}
