// Operations: the office's written orders (GET /api/v1/operations), the plan form — number, title,
// dates, team, and the area drawn on the map (click the corners) or made of chosen kecamatan — and
// one operation's results (GET /api/v1/operations/{id}/results): counts, findings by code, a table by
// officer and the checks on the map, inside the area or outside it. The map's base layer is the
// embedded kecamatan outlines, so it works with no internet; a tile layer is added only when the
// server configures one.
import { h, api, errorBox } from '../app.js';
import { t, num, date, instant } from '../i18n.js';
import { leaflet } from '../charts.js';

export const WORDS = {
  id: {
    op_title: 'Operasi', op_new: 'Rencanakan operasi', op_list: 'Daftar operasi', op_number: 'Nomor surat perintah', op_name: 'Judul',
    op_dates: 'Tanggal', op_starts: 'Mulai', op_ends: 'Selesai', op_team: 'Tim', op_area: 'Wilayah operasi', op_status: 'Status',
    op_checks: 'Pemeriksaan', op_findings: 'Temuan', op_outside: 'Di luar wilayah', op_none: 'Belum ada operasi.',
    op_mode_draw: 'Gambar di peta', op_mode_kec: 'Pilih kecamatan', op_draw_hint: 'Klik peta untuk menambah titik sudut; minimal 3 titik.',
    op_kec_hint: 'Klik kecamatan di peta atau centang di daftar.', op_undo: 'Batalkan titik', op_clear: 'Hapus wilayah', op_save: 'Simpan rencana',
    op_points: '{n} titik', op_kec_n: '{n} kecamatan dipilih', op_saved: 'Operasi {number} disimpan.', op_back: '← Semua operasi',
    op_results: 'Hasil operasi', op_by_officer: 'Per petugas', op_by_code: 'Temuan per kode', op_officer: 'Petugas', op_on_team: 'Anggota tim',
    op_not_team: 'bukan anggota tim', op_code: 'Kode', op_class: 'Golongan', op_count: 'Jumlah', op_inside: 'Di dalam wilayah',
    op_unknown: 'Posisi tidak diketahui', op_close: 'Tutup operasi', op_cancel: 'Batalkan operasi', op_reopen: 'Buka kembali',
    op_no_checks: 'Belum ada pemeriksaan atas surat perintah ini.', op_team_none: 'Belum ada petugas lapangan.',
    ph_planned: 'Direncanakan', ph_active: 'Berjalan', ph_completed: 'Selesai', ph_cancelled: 'Dibatalkan', op_edit_area: 'Wilayah dari kecamatan: {list}',
  },
  en: {
    op_title: 'Operations', op_new: 'Plan an operation', op_list: 'Operations', op_number: 'Written order number', op_name: 'Title',
    op_dates: 'Dates', op_starts: 'Starts', op_ends: 'Ends', op_team: 'Team', op_area: 'Operation area', op_status: 'Status',
    op_checks: 'Checks', op_findings: 'Findings', op_outside: 'Outside the area', op_none: 'No operations yet.',
    op_mode_draw: 'Draw on the map', op_mode_kec: 'Choose kecamatan', op_draw_hint: 'Click the map to add corners; at least 3.',
    op_kec_hint: 'Click kecamatan on the map or tick them in the list.', op_undo: 'Undo corner', op_clear: 'Clear area', op_save: 'Save plan',
    op_points: '{n} corners', op_kec_n: '{n} kecamatan chosen', op_saved: 'Operation {number} saved.', op_back: '← All operations',
    op_results: 'Results', op_by_officer: 'By officer', op_by_code: 'Findings by code', op_officer: 'Officer', op_on_team: 'Team member',
    op_not_team: 'not on the team', op_code: 'Code', op_class: 'Class', op_count: 'Count', op_inside: 'Inside the area',
    op_unknown: 'Position unknown', op_close: 'Close operation', op_cancel: 'Cancel operation', op_reopen: 'Reopen',
    op_no_checks: 'No checks under this written order yet.', op_team_none: 'No field officers yet.',
    ph_planned: 'Planned', ph_active: 'Under way', ph_completed: 'Completed', ph_cancelled: 'Cancelled', op_edit_area: 'Area from kecamatan: {list}',
  },
};

const PHASE_BADGE = { planned: 'expiring', active: 'active', completed: 'exited', cancelled: 'cancelled' };
const OUT_COLOR = { inside: '#15803d', outside: '#b91c1c', unknown: '#64748b' };

function phase(p) {
  return h('span', { class: `badge ${PHASE_BADGE[p] || ''}`, dataset: { phase: p } }, t(`ph_${p}`));
}

/** A Leaflet map on `el` with the kecamatan outlines as the offline base layer. */
async function baseMap(el, kecGeo, opts = {}) {
  const L = await leaflet();
  const map = L.map(el, { zoomSnap: 0.25, minZoom: 8, maxZoom: 18, ...opts });
  map.attributionControl.setPrefix(false);
  const tileUrl = document.querySelector('meta[name="pora-tile-url"]')?.content;
  if (tileUrl) L.tileLayer(tileUrl, { maxZoom: 19 }).addTo(map);
  map.attributionControl.addAttribution('<a href="/assets/geo/README.md">Batas wilayah: cahyadsn/wilayah (MIT)</a>');
  return { L, map };
}

function kecStyle(selected) {
  return { color: '#0f2a4a', weight: selected ? 2 : 1, opacity: 0.7, fillColor: selected ? '#f59e0b' : '#cbd2d9', fillOpacity: selected ? 0.45 : 0.2 };
}

async function planForm(main, kecGeo) {
  const today = new Date().toISOString().slice(0, 10);
  const officers = await api('/api/v1/stats/officers?since_days=30').catch(() => ({ items: [] }));
  const msg = h('div', { id: 'plan-msg', role: 'status' });
  const input = (name, attrs) => h('input', { id: `op-${name}`, name, ...attrs });
  const field = (name, label, el) => h('div', { class: 'field' }, h('label', { for: `op-${name}` }, label), el);
  const number = input('number', { required: true, maxlength: 64, size: 22, placeholder: 'SP-12/PORA/2026' });
  const title = input('title', { required: true, maxlength: 200, size: 36 });
  const starts = input('starts_on', { type: 'date', required: true, value: today });
  const ends = input('ends_on', { type: 'date', required: true, value: today });
  const team = h('fieldset', { class: 'team', id: 'op-team' }, h('legend', {}, t('op_team')),
    ...(officers.items.length ? officers.items.map((o) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', name: 'team', value: o.id }), ` ${o.display_name} (${o.username})`)) : [h('span', { class: 'muted' }, t('op_team_none'))]));
  const modeDraw = h('input', { type: 'radio', name: 'area-mode', id: 'mode-draw', value: 'draw', checked: true });
  const modeKec = h('input', { type: 'radio', name: 'area-mode', id: 'mode-kec', value: 'kec' });
  const hint = h('p', { class: 'muted', id: 'area-hint' }, t('op_draw_hint'));
  const count = h('span', { class: 'badge', id: 'area-count' }, t('op_points', { n: 0 }));
  const undo = h('button', { type: 'button', class: 'secondary', id: 'area-undo' }, t('op_undo'));
  const clear = h('button', { type: 'button', class: 'secondary', id: 'area-clear' }, t('op_clear'));
  const kecList = h('div', { class: 'kec-list', id: 'kec-list', hidden: true },
    ...kecGeo.features.slice().sort((a, b) => a.properties.name.localeCompare(b.properties.name)).map((f) =>
      h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'kecamatan', value: f.properties.code }), ` ${f.properties.name}`)));
  const mapEl = h('div', { id: 'plan-map', class: 'map plan-map', role: 'region', 'aria-label': t('op_area') });
  const form = h('form', { class: 'panel block', id: 'plan-form', novalidate: true },
    h('h2', {}, t('op_new')),
    h('div', { class: 'filters' }, field('number', t('op_number'), number), field('title', t('op_name'), title),
      field('starts_on', t('op_starts'), starts), field('ends_on', t('op_ends'), ends)),
    team,
    h('fieldset', { class: 'area-mode' }, h('legend', {}, t('op_area')),
      h('label', { for: 'mode-draw', class: 'check' }, modeDraw, ` ${t('op_mode_draw')}`),
      h('label', { for: 'mode-kec', class: 'check' }, modeKec, ` ${t('op_mode_kec')}`), count, undo, clear),
    hint,
    h('div', { class: 'plan-layout' }, h('div', { class: 'map-panel panel' }, mapEl), kecList),
    h('div', { class: 'field actions' }, h('button', { type: 'submit', id: 'plan-save' }, t('op_save'))),
    msg);
  main.append(form);

  const { L, map } = await baseMap(mapEl, kecGeo);
  const chosen = new Set();
  const corners = [];
  const kecLayer = L.geoJSON(kecGeo, {
    style: (f) => kecStyle(chosen.has(f.properties.code)),
    onEachFeature: (f, layer) => {
      layer.bindTooltip(f.properties.name, { sticky: true });
      layer.on('click', (ev) => {
        if (modeKec.checked) { toggle(f.properties.code); L.DomEvent.stopPropagation(ev); }
      });
    },
  }).addTo(map);
  map.fitBounds(kecLayer.getBounds(), { padding: [8, 8] });
  let shape = null;
  const markers = L.layerGroup().addTo(map);
  function redraw() {
    shape?.remove();
    markers.clearLayers();
    const ll = corners.map(([lng, lat]) => [lat, lng]);
    corners.forEach(([lng, lat]) => L.circleMarker([lat, lng], { radius: 4, color: '#1d4ed8', fillOpacity: 1 }).addTo(markers));
    if (ll.length >= 3) shape = L.polygon(ll, { color: '#1d4ed8', weight: 2, fillOpacity: 0.15 }).addTo(map);
    else if (ll.length === 2) shape = L.polyline(ll, { color: '#1d4ed8', weight: 2 }).addTo(map);
    count.textContent = modeKec.checked ? t('op_kec_n', { n: chosen.size }) : t('op_points', { n: corners.length });
    mapEl.dataset.corners = String(corners.length);
    mapEl.dataset.kecamatan = [...chosen].join(',');
  }
  function toggle(code) {
    if (chosen.has(code)) chosen.delete(code); else chosen.add(code);
    kecLayer.setStyle((f) => kecStyle(chosen.has(f.properties.code)));
    for (const cb of kecList.querySelectorAll('input')) cb.checked = chosen.has(cb.value);
    redraw();
  }
  kecList.addEventListener('change', (ev) => { if (ev.target.name === 'kecamatan') toggle(ev.target.value); });
  map.on('click', (ev) => {
    if (!modeDraw.checked) return;
    corners.push([Number(ev.latlng.lng.toFixed(6)), Number(ev.latlng.lat.toFixed(6))]);
    redraw();
  });
  undo.addEventListener('click', () => { corners.pop(); redraw(); });
  clear.addEventListener('click', () => { corners.length = 0; chosen.clear(); kecLayer.setStyle((f) => kecStyle(false)); for (const cb of kecList.querySelectorAll('input')) cb.checked = false; redraw(); });
  const setMode = () => {
    const kec = modeKec.checked;
    kecList.hidden = !kec;
    undo.hidden = kec;
    hint.textContent = kec ? t('op_kec_hint') : t('op_draw_hint');
    redraw();
  };
  modeDraw.addEventListener('change', setMode);
  modeKec.addEventListener('change', setMode);
  mapEl.dataset.ready = '1';

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    msg.replaceChildren();
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    const body = {
      number: number.value.trim(), title: title.value.trim(), starts_on: starts.value, ends_on: ends.value,
      team: [...team.querySelectorAll('input:checked')].map((c) => Number(c.value)),
    };
    if (modeKec.checked) body.area_kecamatan = [...chosen];
    else if (corners.length) body.area = { type: 'Polygon', coordinates: [[...corners, corners[0]]] };
    try {
      const op = await api('/api/v1/operations', { method: 'POST', body });
      location.assign(`/operations?id=${op.id}`);
    } catch (e) {
      msg.replaceChildren(errorBox(e));
      const bad = { number, title, starts_on: starts, ends_on: ends, team, area: mapEl, area_kecamatan: kecList }[e.field];
      if (bad) { bad.setAttribute('aria-invalid', 'true'); bad.focus?.(); }
    }
  });
}

async function list(main, kecGeo) {
  const params = new URLSearchParams(location.search);
  const offset = Math.max(0, Number(params.get('offset') || 0) | 0);
  const res = await api(`/api/v1/operations?limit=50&offset=${offset}`);
  const newBtn = h('a', { class: 'button', href: '/operations?new=1', id: 'op-new' }, t('op_new'));
  main.append(h('div', { class: 'page-head' }, h('h1', {}, t('op_title')), newBtn));
  if (params.get('new') === '1') await planForm(main, kecGeo);
  main.append(h('h2', {}, t('op_list')), res.items.length ? h('div', { class: 'table-wrap' }, h('table', { id: 'operations-table' },
    h('thead', {}, h('tr', {}, ...[t('op_number'), t('op_name'), t('op_dates'), t('op_status'), t('op_team'), t('op_checks')].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...res.items.map((o) => h('tr', { dataset: { number: o.number } },
      h('td', {}, h('a', { href: `/operations?id=${o.id}` }, o.number)), h('td', { class: 'wrap' }, o.title),
      h('td', {}, `${date(o.starts_on)} – ${date(o.ends_on)}`), h('td', {}, phase(o.phase)),
      h('td', { class: 'num' }, num(o.team.length)), h('td', { class: 'num' }, num(o.checks)))))))
    : h('p', { class: 'muted' }, t('op_none')));
  if (res.next_offset != null) main.append(h('nav', { class: 'pager' }, h('span'), h('a', { class: 'button secondary', href: `?offset=${res.next_offset}` }, '→')));
}

async function detail(main, id, kecGeo) {
  const r = await api(`/api/v1/operations/${id}/results`);
  const o = r.operation;
  const status = async (s) => {
    await api(`/api/v1/operations/${o.id}`, { method: 'POST', body: { status: s } });
    location.reload();
  };
  const actions = o.status === 'planned'
    ? [h('button', { type: 'button', class: 'secondary', id: 'op-close', onclick: () => status('closed') }, t('op_close')),
      h('button', { type: 'button', class: 'secondary', id: 'op-cancel', onclick: () => status('cancelled') }, t('op_cancel'))]
    : [h('button', { type: 'button', class: 'secondary', id: 'op-reopen', onclick: () => status('planned') }, t('op_reopen'))];
  const kpi = (label, value, cls, id_) => h('div', { class: `kpi ${cls}`, id: id_ }, h('span', { class: 'kpi-label' }, label), h('span', { class: 'kpi-value' }, num(value)));
  const names = new Map(kecGeo.features.map((f) => [f.properties.code, f.properties.name]));
  main.append(
    h('p', {}, h('a', { href: '/operations' }, t('op_back'))),
    h('div', { class: 'page-head' }, h('div', {}, h('h1', { id: 'op-number' }, `${o.number} `, phase(o.phase)), h('p', { class: 'lead' }, o.title)),
      h('div', { class: 'controls' }, ...actions)),
    h('dl', { class: 'facts panel block' },
      h('dt', {}, t('op_dates')), h('dd', {}, `${date(o.starts_on)} – ${date(o.ends_on)}`),
      h('dt', {}, t('op_team')), h('dd', { id: 'op-team-list' }, o.team.map((m) => m.display_name).join(', ') || '–'),
      h('dt', {}, t('op_area')), h('dd', {}, o.area_kecamatan.length ? t('op_edit_area', { list: o.area_kecamatan.map((c) => names.get(c) || c).join(', ') }) : o.area ? t('op_mode_draw') : (o.area_region_code || '–'))),
    h('div', { class: 'kpis' }, kpi(t('op_checks'), r.checks, '', 'kpi-checks'), kpi(t('op_findings'), r.findings, 'warn', 'kpi-findings'),
      kpi(t('op_outside'), r.outside_area, 'bad', 'kpi-outside')),
  );
  const mapEl = h('div', { id: 'results-map', class: 'map results-map', role: 'region', 'aria-label': t('op_results') });
  const byOfficer = h('div', { class: 'table-wrap' }, h('table', { id: 'officer-results' },
    h('thead', {}, h('tr', {}, ...[t('op_officer'), t('op_checks'), t('op_findings'), t('op_outside')].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...r.by_officer.map((x) => h('tr', { dataset: { officer: x.officer } },
      h('td', {}, x.officer, x.on_team ? '' : h('span', { class: 'badge overstay' }, ` ${t('op_not_team')}`)),
      h('td', { class: 'num' }, num(x.checks)), h('td', { class: 'num' }, num(x.findings)), h('td', { class: 'num' }, num(x.outside_area)))))));
  const byCode = h('div', { class: 'table-wrap' }, h('table', { id: 'code-results' },
    h('thead', {}, h('tr', {}, ...[t('op_code'), t('op_class'), t('op_count')].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...r.findings_by_code.map((f) => h('tr', {}, h('td', {}, f.code), h('td', {}, f.outcome), h('td', { class: 'num' }, num(f.count)))))));
  main.append(h('div', { class: 'panel map-panel' }, mapEl),
    ...(r.checks ? [] : [h('p', { class: 'muted', id: 'no-checks' }, t('op_no_checks'))]),
    h('div', { class: 'report-grid results-tables' }, h('section', {}, h('h2', {}, t('op_by_officer')), byOfficer),
      h('section', {}, h('h2', {}, t('op_by_code')), byCode)));

  const { L, map } = await baseMap(mapEl, kecGeo);
  const kecLayer = L.geoJSON(kecGeo, { style: (f) => kecStyle(o.area_kecamatan.includes(f.properties.code)), interactive: false }).addTo(map);
  let bounds = kecLayer.getBounds();
  if (o.area) {
    const area = L.geoJSON(o.area, { style: { color: '#1d4ed8', weight: 2, fillOpacity: 0.12 } }).addTo(map);
    bounds = area.getBounds();
  }
  // The view first: vector markers are placed relative to it.
  for (const p of r.points) bounds.extend([p.lat, p.lng]);
  map.fitBounds(bounds, { padding: [16, 16] });
  for (const p of r.points) {
    const where = p.outside == null ? 'unknown' : p.outside ? 'outside' : 'inside';
    L.circleMarker([p.lat, p.lng], { radius: 6, color: '#fff', weight: 1, fillColor: OUT_COLOR[where], fillOpacity: 0.95 })
      .bindTooltip(`${p.officer} · ${p.verdict}<br>${instant(p.at)}<br>${t(where === 'outside' ? 'op_outside' : where === 'inside' ? 'op_inside' : 'op_unknown')}`)
      .addTo(map);
  }
  const legend = L.control({ position: 'bottomright' });
  legend.onAdd = () => h('div', { class: 'legend' }, ...['inside', 'outside'].map((k) => h('div', {}, h('i', { style: `background:${OUT_COLOR[k]}` }), t(k === 'inside' ? 'op_inside' : 'op_outside'))));
  legend.addTo(map);
  mapEl.dataset.points = String(r.points.length);
  mapEl.dataset.ready = '1';
}

export async function render(main) {
  const kecGeo = await fetch('/assets/geo/kecamatan.geojson').then((res) => res.json());
  const id = new URLSearchParams(location.search).get('id');
  if (id && /^\d+$/.test(id)) await detail(main, Number(id), kecGeo);
  else await list(main, kecGeo);
}
