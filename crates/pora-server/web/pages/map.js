// Peta pengawasan: Kota and Kabupaten Bekasi by kecamatan (embedded boundaries, no tiles needed),
// a choropleth of residents / checks / findings (GET /api/v1/map), clustered check points and stay
// reports (GET /api/v1/map/points), and a drill-down into a kecamatan's desa / kelurahan with its
// list. An optional tile layer comes from the server's PORA_TILE_URL.
import { h, api } from '../app.js';
import { t, num, getLang } from '../i18n.js';
import { leaflet } from '../charts.js';

export const WORDS = {
  id: {
    map_title: 'Peta pengawasan', map_metric: 'Tampilkan', map_period: 'Periode pemeriksaan',
    m_residents: 'Orang asing (domisili)', m_checks: 'Pemeriksaan', m_findings: 'Temuan',
    days_n: '{n} hari terakhir', map_all: 'Kota & Kabupaten Bekasi', map_back: '← Semua kecamatan',
    map_regions_kec: 'Kecamatan', map_regions_desa: 'Desa / kelurahan', map_points_checks: 'Titik pemeriksaan',
    map_points_stays: 'Laporan menginap', map_boundaries: 'Batas wilayah', map_permits_here: 'Izin tinggal di {name}',
    map_legend: 'Legenda', map_zoom: 'Perbesar {name}', out_ok: 'Sah', out_incomplete: 'Tidak lengkap',
    out_finding: 'Temuan', out_not_found: 'Tidak dikenal', out_forged: 'Palsu', map_total: 'Jumlah',
  },
  en: {
    map_title: 'Supervision map', map_metric: 'Show', map_period: 'Check period',
    m_residents: 'Foreigners (residence)', m_checks: 'Checks', m_findings: 'Findings',
    days_n: 'last {n} days', map_all: 'Kota & Kabupaten Bekasi', map_back: '← All kecamatan',
    map_regions_kec: 'Kecamatan', map_regions_desa: 'Desa / kelurahan', map_points_checks: 'Check points',
    map_points_stays: 'Stay reports', map_boundaries: 'Boundaries', map_permits_here: 'Permits in {name}',
    map_legend: 'Legend', map_zoom: 'Zoom to {name}', out_ok: 'Valid', out_incomplete: 'Incomplete',
    out_finding: 'Finding', out_not_found: 'Unknown', out_forged: 'Forged', map_total: 'Total',
  },
};

const PALETTE = {
  residents: ['#eff6ff', '#c6dbef', '#9ecae1', '#6baed6', '#3182bd', '#08519c'],
  checks: ['#f0fdfa', '#c7eae5', '#80cdc1', '#35978f', '#01665e', '#003c30'],
  findings: ['#fff5f0', '#fcbba1', '#fc9272', '#fb6a4a', '#de2d26', '#a50f15'],
};
const OUTCOME_COLOR = { ok: '#15803d', incomplete: '#d97706', finding: '#b91c1c', not_found: '#7c3aed', forged: '#111827' };

/** Upper bounds of 5 classes over the non-zero values (quantiles), so a few big desa do not flatten the rest. */
function breaks(values) {
  const v = values.filter((x) => x > 0).sort((a, b) => a - b);
  if (!v.length) return [0, 0, 0, 0, 0];
  const q = (p) => v[Math.min(v.length - 1, Math.floor(p * v.length))];
  return [q(0.2), q(0.4), q(0.6), q(0.8), v[v.length - 1]];
}

function colour(metric, value, b) {
  const p = PALETTE[metric];
  if (!value) return p[0];
  const i = b.findIndex((x) => value <= x);
  return p[1 + (i < 0 ? 4 : i)];
}

export async function render(main) {
  const params = new URLSearchParams(location.search);
  let metric = ['residents', 'checks', 'findings'].includes(params.get('metric')) ? params.get('metric') : 'residents';
  const startCode = params.get('kec');
  const days = [30, 90, 365].includes(Number(params.get('days'))) ? Number(params.get('days')) : 365;
  // The desa polygons (0.5 MB) are fetched on the first drill-down only.
  let desaGeo = null;
  const desa = async () => (desaGeo ||= await fetch('/assets/geo/desa.geojson').then((r) => r.json()));
  const [L, kecGeo, counts, points] = await Promise.all([
    leaflet(),
    fetch('/assets/geo/kecamatan.geojson').then((r) => r.json()),
    api(`/api/v1/map?since_days=${days}`),
    api(`/api/v1/map/points?since_days=${days}`),
  ]);
  const byDesa = new Map(counts.items.map((i) => [i.region_code, i]));
  const zero = { residents: 0, checks: 0, findings: 0 };
  const kecCounts = new Map(kecGeo.features.map((f) => [f.properties.code, { ...zero }]));
  for (const i of counts.items) {
    const k = kecCounts.get(i.region_code.slice(0, 8));
    if (k) for (const m of Object.keys(zero)) k[m] += i[m] || 0;
  }
  const desaValue = (code) => byDesa.get(code) || zero;

  const metricSel = h('select', { id: 'map-metric' }, ...['residents', 'checks', 'findings'].map((m) => h('option', { value: m, selected: m === metric }, t(`m_${m}`))));
  const periodSel = h('select', { id: 'map-period' }, ...[30, 90, 365].map((d) => h('option', { value: d, selected: d === days }, t('days_n', { n: d }))));
  periodSel.addEventListener('change', () => { params.set('days', periodSel.value); location.search = params.toString(); });
  const mapEl = h('div', { id: 'map', class: 'map', role: 'region', 'aria-label': t('map_title') });
  const listTitle = h('h2', { id: 'region-title' });
  const back = h('button', { type: 'button', class: 'secondary', id: 'map-back', hidden: true }, t('map_back'));
  const permitsLink = h('a', { class: 'button secondary', id: 'map-permits', hidden: true });
  const list = h('div', { class: 'table-wrap region-list' });
  main.append(
    h('div', { class: 'page-head' }, h('h1', {}, t('map_title')),
      h('div', { class: 'controls' }, h('label', { for: 'map-metric' }, t('map_metric')), metricSel, h('label', { for: 'map-period' }, t('map_period')), periodSel)),
    h('div', { class: 'map-layout' }, h('div', { class: 'panel map-panel' }, mapEl), h('div', { class: 'panel side-panel' }, h('div', { class: 'side-head' }, listTitle, back), permitsLink, list)),
  );

  const map = L.map(mapEl, { zoomSnap: 0.25, minZoom: 8, maxZoom: 18, preferCanvas: true, attributionControl: true });
  map.attributionControl.setPrefix(false);
  const tileUrl = document.querySelector('meta[name="pora-tile-url"]')?.content;
  if (tileUrl) L.tileLayer(tileUrl, { maxZoom: 19 }).addTo(map);
  map.attributionControl.addAttribution('<a href="/assets/geo/README.md">Batas wilayah: cahyadsn/wilayah (MIT)</a>');

  let kecLayer;
  let desaLayer;
  let selected = null;
  const legend = L.control({ position: 'bottomright' });
  legend.onAdd = () => L.DomUtil.create('div', 'legend');
  legend.addTo(map);

  function drawLegend(b) {
    const el = legend.getContainer();
    const p = PALETTE[metric];
    const rows = [[p[0], '0']];
    let lo = 1;
    b.forEach((x, i) => { if (x >= lo) { rows.push([p[i + 1], lo === x ? num(x) : `${num(lo)}–${num(x)}`]); lo = x + 1; } });
    el.replaceChildren(h('b', {}, t(`m_${metric}`)), ...rows.map(([c, l]) => h('div', {}, h('i', { style: `background:${c}` }), l)));
  }

  function style_(values, b) {
    return (f) => ({ color: '#0f2a4a', weight: 1, opacity: 0.7, fillOpacity: 0.75, fillColor: colour(metric, values(f.properties.code)[metric], b) });
  }

  function tooltip(f, v) {
    return `<b>${f.properties.name}</b><br>${t('m_residents')}: ${num(v.residents)}<br>${t('m_checks')}: ${num(v.checks)}<br>${t('m_findings')}: ${num(v.findings)}`;
  }

  function table(features, values, onPick) {
    const rows = features.map((f) => ({ f, v: values(f.properties.code) })).sort((a, b) => b.v[metric] - a.v[metric] || a.f.properties.name.localeCompare(b.f.properties.name));
    const total = rows.reduce((s, r) => ({ residents: s.residents + r.v.residents, checks: s.checks + r.v.checks, findings: s.findings + r.v.findings }), { ...zero });
    list.replaceChildren(h('table', {},
      h('thead', {}, h('tr', {}, h('th', {}, selected ? t('map_regions_desa') : t('map_regions_kec')), h('th', { class: 'num' }, t('m_residents')), h('th', { class: 'num' }, t('m_checks')), h('th', { class: 'num' }, t('m_findings')))),
      h('tbody', {}, ...rows.map(({ f, v }) => h('tr', { dataset: { code: f.properties.code } },
        h('td', {}, onPick ? h('button', { type: 'button', class: 'link', onclick: () => onPick(f), 'aria-label': t('map_zoom', { name: f.properties.name }) }, f.properties.name) : f.properties.name),
        h('td', { class: 'num' }, num(v.residents)), h('td', { class: 'num' }, num(v.checks)), h('td', { class: 'num' }, num(v.findings))))),
      h('tfoot', {}, h('tr', {}, h('th', {}, t('map_total')), h('th', { class: 'num' }, num(total.residents)), h('th', { class: 'num' }, num(total.checks)), h('th', { class: 'num' }, num(total.findings))))));
  }

  function drawAll() {
    selected = null;
    desaLayer?.remove();
    kecLayer?.remove();
    const b = breaks([...kecCounts.values()].map((v) => v[metric]));
    const values = (code) => kecCounts.get(code) || zero;
    kecLayer = L.geoJSON(kecGeo, {
      style: style_(values, b),
      onEachFeature: (f, layer) => {
        layer.bindTooltip(tooltip(f, values(f.properties.code)), { sticky: true });
        layer.on('click', () => drill(f));
      },
    }).addTo(map);
    kecLayer.bringToBack();
    map.fitBounds(kecLayer.getBounds(), { padding: [8, 8] });
    drawLegend(b);
    listTitle.textContent = t('map_all');
    back.hidden = true;
    permitsLink.hidden = true;
    table(kecGeo.features, values, drill);
    params.delete('kec');
    history.replaceState(null, '', `?${params}`);
    mapEl.dataset.level = 'kecamatan';
  }

  async function drill(kf) {
    await desa();
    selected = kf;
    kecLayer?.remove();
    desaLayer?.remove();
    const code = kf.properties.code;
    const features = desaGeo.features.filter((f) => f.properties.code.startsWith(`${code}.`));
    const b = breaks(features.map((f) => desaValue(f.properties.code)[metric]));
    kecLayer = L.geoJSON(kecGeo, { style: (f) => ({ color: '#0f2a4a', weight: f.properties.code === code ? 3 : 1, opacity: 0.6, fillOpacity: f.properties.code === code ? 0 : 0.25, fillColor: '#cbd2d9' }),
      onEachFeature: (f, layer) => { if (f.properties.code !== code) layer.on('click', () => drill(f)); } }).addTo(map);
    desaLayer = L.geoJSON({ type: 'FeatureCollection', features }, {
      style: style_(desaValue, b),
      onEachFeature: (f, layer) => layer.bindTooltip(tooltip(f, desaValue(f.properties.code)), { sticky: true }),
    }).addTo(map);
    kecLayer.bringToBack();
    map.fitBounds(desaLayer.getBounds(), { padding: [12, 12] });
    drawLegend(b);
    listTitle.textContent = `${t('map_regions_kec')} ${kf.properties.name}`;
    back.hidden = false;
    permitsLink.hidden = false;
    permitsLink.textContent = t('map_permits_here', { name: kf.properties.name });
    permitsLink.href = `/permits?kecamatan=${encodeURIComponent(code)}`;
    table(features, desaValue, null);
    params.set('kec', code);
    history.replaceState(null, '', `?${params}`);
    mapEl.dataset.level = 'desa';
    mapEl.dataset.kecamatan = code;
  }

  // Clustered points: checks coloured by outcome, stay reports in purple.
  // Thousands of points: built as arrays and added in one batch each (markercluster clusters a batch
  // once instead of re-clustering per marker); tooltips are written when first shown.
  const clusterChecks = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 45 });
  const clusterStays = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 45 });
  const day = new Intl.DateTimeFormat(getLang() === 'en' ? 'en-GB' : 'id-ID', { dateStyle: 'medium' });
  const checkMarkers = [];
  const stayMarkers = [];
  for (const p of points.items) {
    if (p.kind === 'check') {
      checkMarkers.push(L.circleMarker([p.lat, p.lng], { radius: 6, color: '#fff', weight: 1, fillColor: OUTCOME_COLOR[p.detail] || '#334155', fillOpacity: 0.95 })
        .bindTooltip(() => `${t('m_checks')}: ${t(`out_${p.detail}`)}<br>${day.format(new Date(p.at * 1000))}`));
    } else {
      stayMarkers.push(L.circleMarker([p.lat, p.lng], { radius: 5, color: '#fff', weight: 1, fillColor: '#7c3aed', fillOpacity: 0.9 })
        .bindTooltip(() => `${t('map_points_stays')}: ${p.detail}`));
    }
  }
  clusterChecks.addLayers(checkMarkers);
  clusterStays.addLayers(stayMarkers);
  clusterChecks.addTo(map);
  L.control.layers(null, { [`${t('map_points_checks')} (${num(checkMarkers.length)})`]: clusterChecks, [`${t('map_points_stays')} (${num(stayMarkers.length)})`]: clusterStays }, { collapsed: false, position: 'topright' }).addTo(map);

  metricSel.addEventListener('change', () => {
    metric = metricSel.value;
    params.set('metric', metric);
    if (selected) drill(selected); else drawAll();
  });
  back.addEventListener('click', () => { drawAll(); back.blur(); });
  drawAll();
  const startKec = kecGeo.features.find((f) => f.properties.code === startCode);
  if (startKec) await drill(startKec);
  mapEl.dataset.ready = '1';
}
