// A foreigner: identity, passports, permit history with the selected permit's events, the card
// preview and download (GET /api/v1/permits/{n}/document), declared addresses as a movement
// timeline with a map, and who read the record (supervisors). Every call here is an audited read
// with the chosen purpose.
import { h, api, purpose, errorBox } from '../app.js';
import { t, date, instant } from '../i18n.js';
import { statusBadge, WORDS as PERMIT_WORDS } from './permits.js';
import { script, style } from '../charts.js';

export const WORDS = {
  id: {
    ...PERMIT_WORDS.id,
    f_niora: 'NIORA', f_sex: 'Jenis kelamin', f_birth: 'Tempat, tanggal lahir', f_occupation: 'Pekerjaan', f_passports: 'Paspor',
    f_permits: 'Riwayat izin tinggal', f_events: 'Riwayat izin {n}', f_card: 'Kartu izin tinggal', f_card_pdf: 'Unduh kartu (PDF)',
    f_epermit_pdf: 'Unduh e-permit (PDF)', f_card_alt: 'Pratinjau kartu {n} dengan kode QR', f_addresses: 'Alamat dan perpindahan (pemeriksaan, laporan menginap, alamat)',
    f_access: 'Siapa yang membaca data ini', f_from: 'Sejak', f_until: 'Sampai', f_source: 'Sumber', f_region: 'Kode wilayah',
    f_address: 'Alamat', f_now: 'sekarang', f_when: 'Waktu', f_who: 'Oleh', f_action: 'Tindakan', f_purpose: 'Tujuan',
    f_valid_from: 'Berlaku dari', f_event: 'Peristiwa', f_reason: 'Alasan', f_expiry: 'Habis berlaku', f_state: 'Negara penerbit',
    f_no_role: 'Peran Anda tidak dapat melihat bagian ini.', f_back: '← Kembali ke daftar', f_detail: 'Keterangan',
    mv_address: 'Alamat dilaporkan', mv_check: 'Pemeriksaan lapangan', mv_stay_report: 'Laporan menginap',
  },
  en: {
    ...PERMIT_WORDS.en,
    f_niora: 'NIORA', f_sex: 'Sex', f_birth: 'Place and date of birth', f_occupation: 'Occupation', f_passports: 'Passports',
    f_permits: 'Permit history', f_events: 'History of permit {n}', f_card: 'Permit card', f_card_pdf: 'Download card (PDF)',
    f_epermit_pdf: 'Download e-permit (PDF)', f_card_alt: 'Preview of card {n} with its QR code', f_addresses: 'Addresses and movements (checks, stay reports, addresses)',
    f_access: 'Who read this record', f_from: 'From', f_until: 'Until', f_source: 'Source', f_region: 'Region code',
    f_address: 'Address', f_now: 'now', f_when: 'When', f_who: 'By', f_action: 'Action', f_purpose: 'Purpose',
    f_valid_from: 'Valid from', f_event: 'Event', f_reason: 'Reason', f_expiry: 'Expiry', f_state: 'Issuing state',
    f_no_role: 'Your role cannot see this part.', f_back: '← Back to the list', f_detail: 'Detail',
    mv_address: 'Address declared', mv_check: 'Field check', mv_stay_report: 'Stay report',
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
  // The view first: vector layers need the map's pixel bounds.
  map.fitBounds(L.latLngBounds(latlngs).pad(0.4), { maxZoom: 13 });
  map.attributionControl.setPrefix(false);
  const tileUrl = document.querySelector('meta[name="pora-tile-url"]')?.content;
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
          h('a', { class: 'button secondary', id: 'epermit-pdf', href: `/api/v1/permits/${encodeURIComponent(current.number)}/document?kind=epermit&format=pdf&${pq}`, download: `${current.number}-epermit.pdf` }, t('f_epermit_pdf')))) : null),
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
        r.events.map((e) => h('tr', {}, h('td', {}, instant(e.at)), h('td', {}, e.kind), h('td', {}, `${e.from_status ? `${t(`st_${e.from_status}`)} → ` : ''}${t(`st_${e.to_status}`)}`), h('td', {}, date(e.valid_until)), h('td', {}, e.reason || '')))));
    }).catch((e) => box.lastChild.replaceWith(errorBox(e)));
  }

  const addresses = [...rec.addresses].sort((a, b) => b.valid_from.localeCompare(a.valid_from));
  const mapEl = h('div', { class: 'mini-map', id: 'movement-map', role: 'img', 'aria-label': t('f_addresses') });
  const moveBox = h('div', {});
  main.append(section(t('f_addresses'), h('div', { class: 'movement' }, mapEl, moveBox)));
  const dayOf = (iso) => Date.parse(`${iso}T00:00:00Z`) / 1000;
  let points = rec.addresses.map((a) => ({ ...a, kind: 'address', at: dayOf(a.valid_from), label: `${a.line} (${date(a.valid_from)})` }));
  if (me.role === 'supervisor') {
    try {
      const mv = await api(`/api/v1/foreigners/${encodeURIComponent(niora)}/movements`, { personal: true });
      points = mv.items.map((m) => ({ ...m, label: `${t(`mv_${m.kind}`)} · ${instant(m.at)} · ${m.detail || ''}` }));
      moveBox.append(table('movements', [t('f_when'), t('f_event'), t('f_detail'), t('p_kecamatan'), t('f_region')],
        [...mv.items].sort((a, b) => b.at - a.at).map((m) => h('tr', { dataset: { kind: m.kind } }, h('td', {}, instant(m.at)), h('td', {}, h('span', { class: `dot ${m.kind}` }), t(`mv_${m.kind}`)),
          h('td', { class: 'wrap' }, m.detail || ''), h('td', {}, m.kecamatan || '–'), h('td', {}, m.region_code || '–')))));
    } catch (e) {
      moveBox.append(errorBox(e));
    }
  } else {
    moveBox.append(table('addresses', [t('f_from'), t('f_until'), t('f_address'), t('f_region'), t('f_source')],
      addresses.map((a) => h('tr', {}, h('td', {}, date(a.valid_from)), h('td', {}, a.valid_until ? date(a.valid_until) : t('f_now')), h('td', { class: 'wrap' }, a.line), h('td', {}, a.region_code), h('td', {}, a.source)))));
  }
  await movementMap(mapEl, points).catch((e) => { mapEl.dataset.error = e.message; });

  if (me.role === 'supervisor') {
    const box = section(t('f_access'), h('p', { class: 'loading' }, t('loading')));
    main.append(box);
    try {
      const log = await api(`/api/v1/foreigners/${encodeURIComponent(niora)}/access-log?limit=50`, { personal: true });
      box.lastChild.replaceWith(table('access-log', [t('f_when'), t('f_who'), t('f_action'), t('f_purpose')],
        log.items.map((e) => h('tr', {}, h('td', {}, instant(e.at)), h('td', {}, `${e.by_role}${e.by_office ? ` · ${e.by_office}` : ''}${e.by_user ? ` · #${e.by_user}` : ''}`), h('td', {}, e.action), h('td', {}, `${e.purpose}${e.purpose_ref ? `:${e.purpose_ref}` : ''}`)))));
    } catch (e) {
      box.lastChild.replaceWith(errorBox(e));
    }
  }
}
