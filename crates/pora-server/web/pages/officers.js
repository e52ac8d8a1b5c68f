// Officers: each field officer's checks, findings and checks without a written order over a period,
// the last check, their devices and the open alerts naming them (chain breaks, clock, area…), from
// GET /api/v1/stats/officers (no person named).
import { h, api } from '../app.js';
import { t, num, instant, word } from '../i18n.js';
import { alertKind, KIND_WORDS } from './alerts.js';

export const WORDS = {
  id: {
    ...KIND_WORDS.id,
    ds_pending: 'menunggu persetujuan', ds_approved: 'disetujui', ds_revoked: 'dicabut',
    o_title: 'Petugas dan perangkat', o_period: 'Periode', days_n: '{n} hari terakhir', o_officer: 'Petugas', o_checks: 'Pemeriksaan',
    o_findings: 'Temuan', o_no_order: 'Tanpa surat perintah', o_last: 'Pemeriksaan terakhir', o_devices: 'Perangkat', o_alerts: 'Peringatan terbuka',
    o_chain_ok: 'Tidak ada', o_none: '–',
  },
  en: {
    ...KIND_WORDS.en,
    ds_pending: 'awaiting approval', ds_approved: 'approved', ds_revoked: 'revoked',
    o_title: 'Officers and devices', o_period: 'Period', days_n: 'last {n} days', o_officer: 'Officer', o_checks: 'Checks',
    o_findings: 'Findings', o_no_order: 'Without written order', o_last: 'Last check', o_devices: 'Devices', o_alerts: 'Open alerts',
    o_chain_ok: 'None', o_none: '–',
  },
};

export async function render(main) {
  const params = new URLSearchParams(location.search);
  const days = [7, 30, 90, 365].includes(Number(params.get('days'))) ? Number(params.get('days')) : 30;
  const sel = h('select', { id: 'officer-period' }, ...[7, 30, 90, 365].map((d) => h('option', { value: d, selected: d === days }, t('days_n', { n: d }))));
  sel.addEventListener('change', () => { location.search = `days=${sel.value}`; });
  const r = await api(`/api/v1/stats/officers?since_days=${days}`);
  // Tim PORA 2 before Tim PORA 10.
  const byName = (a, b) => a.display_name.localeCompare(b.display_name, undefined, { numeric: true });
  const devices = (m) => Object.entries(m).map(([s, n]) => `${num(n)} ${word('ds', s)}`).join(', ');
  // One chip per alert kind; a broken device chain is red, the rest amber.
  const alerts = (m) => h('div', { class: 'chips tight' }, ...Object.entries(m).map(([k, n]) =>
    h('span', { class: `badge ${k === 'device_chain' ? 'overstay' : 'expiring'}`, dataset: { kind: k } }, `${alertKind(k)}: ${num(n)}`)));
  main.append(
    h('div', { class: 'page-head' }, h('h1', {}, t('o_title')), h('div', { class: 'controls' }, h('label', { for: 'officer-period' }, t('o_period')), sel)),
    h('div', { class: 'table-wrap' }, h('table', { id: 'officers-table' },
      h('thead', {}, h('tr', {}, ...[t('o_officer'), t('o_checks'), t('o_findings'), t('o_no_order'), t('o_last'), t('o_devices'), t('o_alerts')].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...[...r.items].sort(byName).map((o) => {
        return h('tr', { dataset: { officer: o.username } },
          h('td', {}, h('b', {}, o.display_name), h('br'), h('span', { class: 'muted' }, o.username)),
          h('td', { class: 'num' }, num(o.checks)), h('td', { class: 'num' }, num(o.findings)), h('td', { class: 'num' }, num(o.without_order)),
          h('td', {}, o.last_check_at ? instant(o.last_check_at) : t('o_none')),
          h('td', {}, devices(o.devices) || t('o_none')),
          h('td', { class: 'wrap' }, Object.keys(o.open_alerts).length ? alerts(o.open_alerts) : h('span', { class: 'badge active' }, t('o_chain_ok'))));
      })))));
}
