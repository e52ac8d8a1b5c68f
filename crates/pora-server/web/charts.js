// Small wrappers over uPlot (vendored from npm, loaded once on demand): a line chart and a bar
// chart over labelled categories (months), sized to their container and redrawn on resize; and
// the loader of the vendored Leaflet for the map pages.
import { t } from './i18n.js';

const loaded = {};

/** Loads a classic script (a vendored library) once. */
export function script(src) {
  loaded[src] ||= new Promise((ok, fail) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = ok;
    s.onerror = () => fail(new Error(`could not load ${src}`));
    document.head.append(s);
  });
  return loaded[src];
}

/** Adds a stylesheet once. */
export function style(href) {
  if (!document.querySelector(`link[href="${href}"]`)) {
    const l = document.createElement('link');
    l.rel = 'stylesheet';
    l.href = href;
    document.head.append(l);
  }
}

/** Leaflet with the marker-cluster plugin (vendored from npm), loaded once. */
export async function leaflet() {
  style('/assets/vendor/leaflet/leaflet.css');
  style('/assets/vendor/markercluster/MarkerCluster.css');
  style('/assets/vendor/markercluster/MarkerCluster.Default.css');
  await script('/assets/vendor/leaflet/leaflet.js');
  await script('/assets/vendor/markercluster/leaflet.markercluster.js');
  return window.L;
}

export async function uplot() {
  style('/assets/vendor/uplot/uPlot.min.css');
  await script('/assets/vendor/uplot/uPlot.iife.min.js');
  return window.uPlot;
}

/**
 * Draws a chart in `el`: `labels` for the x axis, `series` = [{ label, values, color, bars? }].
 * Returns the uPlot instance.
 */
export async function chart(el, { labels, series, height = 220 }) {
  const U = await uplot();
  const width = () => Math.max(260, el.clientWidth - 8);
  const bars = U.paths.bars({ size: [0.6, 40] });
  const opts = {
    width: width(),
    height,
    legend: { show: true },
    cursor: { points: { size: 6 } },
    scales: { x: { time: false, range: (u, min, max) => [min - 0.5, max + 0.5] } },
    axes: [
      { values: (u, splits) => splits.map((i) => (Number.isInteger(i) ? labels[i] ?? '' : '')), space: 40, gap: 4, stroke: '#52606d', grid: { show: false } },
      { stroke: '#52606d', grid: { stroke: '#e4e7eb' }, size: 50 },
    ],
    series: [{ label: t('chart_x'), value: (u, v) => (v == null ? '' : labels[v] ?? '') }, ...series.map((s) => ({
      label: s.label,
      stroke: s.color,
      fill: s.bars ? `${s.color}cc` : `${s.color}22`,
      width: s.bars ? 0 : 2,
      paths: s.bars ? bars : undefined,
      points: { show: !s.bars },
      value: (u, v) => (v == null ? '–' : v.toLocaleString()),
    }))],
  };
  const data = [labels.map((_, i) => i), ...series.map((s) => s.values)];
  const u = new U(opts, data, el);
  new ResizeObserver(() => u.setSize({ width: width(), height })).observe(el);
  return u;
}
