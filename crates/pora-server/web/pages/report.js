// Monthly report of Tim PORA: a month picker, the month's tables (GET /api/v1/reports/monthly) —
// summary, by kecamatan, by nationality, findings by code, actions and operations — and the A4 PDF
// of the same figures (&format=pdf) to download. Counts only: no person is named.
import { h, api, errorBox } from '../app.js';
import { t, num, date } from '../i18n.js';

export const WORDS = {
  id: {
    r_title: 'Laporan bulanan Tim PORA', r_month: 'Bulan', r_show: 'Tampilkan', r_pdf: 'Unduh PDF', r_summary: 'Ringkasan',
    r_itas: 'ITAS berlaku', r_itap: 'ITAP berlaku', r_issued: 'Izin diterbitkan', r_checks: 'Pemeriksaan', r_persons: 'Orang diperiksa',
    r_findings: 'Temuan', r_caught: 'Tertangkap tangan', r_stays: 'Laporan menginap', r_by_kec: 'Per kecamatan', r_by_nat: 'Per kewarganegaraan',
    r_kec: 'Kecamatan', r_code: 'Kode', r_residents: 'Domisili', r_nat: 'Kewarganegaraan', r_by_code: 'Temuan per kode', r_class: 'Golongan',
    r_count: 'Jumlah', r_actions: 'Tindak lanjut', r_alerts_opened: 'Peringatan dibuka', r_alerts_closed: 'Peringatan ditutup', r_bap: 'BAP',
    r_corr: 'Koreksi lapangan diterima', r_corr_rej: 'Koreksi lapangan ditolak', r_req: 'Permohonan koreksi diterima', r_ops: 'Operasi dilaksanakan',
    r_operations: 'Operasi', r_order: 'Surat perintah', r_op_title: 'Judul', r_dates: 'Tanggal', r_team: 'Tim', r_alert_kinds: 'Peringatan per jenis',
    r_kind: 'Jenis', r_none: 'Tidak ada.', r_total: 'Jumlah', r_period: 'Periode {from} – {to}; izin dan domisili per {to}.', r_unknown: '(tidak dikenal)',
  },
  en: {
    r_title: 'Tim PORA monthly report', r_month: 'Month', r_show: 'Show', r_pdf: 'Download PDF', r_summary: 'Summary',
    r_itas: 'ITAS in force', r_itap: 'ITAP in force', r_issued: 'Permits issued', r_checks: 'Checks', r_persons: 'Persons checked',
    r_findings: 'Findings', r_caught: 'Caught in the act', r_stays: 'Stay reports', r_by_kec: 'By kecamatan', r_by_nat: 'By nationality',
    r_kec: 'Kecamatan', r_code: 'Code', r_residents: 'Residents', r_nat: 'Nationality', r_by_code: 'Findings by code', r_class: 'Class',
    r_count: 'Count', r_actions: 'Actions', r_alerts_opened: 'Alerts opened', r_alerts_closed: 'Alerts closed', r_bap: 'BAP (examination reports)',
    r_corr: 'Field corrections accepted', r_corr_rej: 'Field corrections rejected', r_req: 'Correction requests accepted', r_ops: 'Operations held',
    r_operations: 'Operations', r_order: 'Written order', r_op_title: 'Title', r_dates: 'Dates', r_team: 'Team', r_alert_kinds: 'Alerts by kind',
    r_kind: 'Kind', r_none: 'None.', r_total: 'Total', r_period: 'Period {from} – {to}; permits and residence as of {to}.', r_unknown: '(unknown)',
  },
};

function table(id, heads, rows, foot) {
  if (!rows.length) return h('p', { class: 'muted' }, t('r_none'));
  const cell = (c, i) => h('td', { class: i > 0 && typeof c === 'number' ? 'num' : null }, typeof c === 'number' ? num(c) : c);
  return h('div', { class: 'table-wrap' }, h('table', { id },
    h('thead', {}, h('tr', {}, ...heads.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map(cell)))),
    foot ? h('tfoot', {}, h('tr', {}, ...foot.map((c, i) => h('th', { class: i > 0 && typeof c === 'number' ? 'num' : null }, typeof c === 'number' ? num(c) : c)))) : null));
}

export async function render(main) {
  const params = new URLSearchParams(location.search);
  const now = new Date();
  const thisMonth = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}`;
  const month = /^\d{4}-\d{2}$/.test(params.get('month') || '') ? params.get('month') : thisMonth;
  const picker = h('input', { type: 'month', id: 'report-month', name: 'month', value: month, max: thisMonth, required: true });
  const pdf = h('a', { class: 'button', id: 'report-pdf', href: `/api/v1/reports/monthly?month=${month}&format=pdf`, download: `laporan-tim-pora-${month}.pdf` }, t('r_pdf'));
  const form = h('form', { class: 'controls', id: 'report-form', onsubmit: (ev) => { ev.preventDefault(); location.search = `month=${picker.value}`; } },
    h('label', { for: 'report-month' }, t('r_month')), picker, h('button', { type: 'submit', class: 'secondary' }, t('r_show')), pdf);
  main.append(h('div', { class: 'page-head' }, h('h1', {}, t('r_title')), form));
  let m;
  try {
    m = await api(`/api/v1/reports/monthly?month=${encodeURIComponent(month)}`);
  } catch (e) {
    main.append(errorBox(e));
    return;
  }
  const T = m.totals;
  const A = m.actions;
  const kpi = (label, value, cls = '') => h('div', { class: `kpi ${cls}` }, h('span', { class: 'kpi-label' }, label), h('span', { class: 'kpi-value' }, num(value)));
  const sum = (rows, k) => rows.reduce((s, r) => s + (r[k] || 0), 0);
  main.append(
    h('p', { class: 'lead', id: 'report-period' }, `${m.office.name} · ${t('r_period', { from: date(m.first_day), to: date(m.last_day) })}`),
    h('section', { class: 'kpis', id: 'report-summary', 'aria-label': t('r_summary') },
      kpi(t('r_itas'), T.itas), kpi(t('r_itap'), T.itap), kpi(t('r_issued'), T.issued), kpi(t('r_checks'), T.checks),
      kpi(t('r_persons'), T.persons_checked), kpi(t('r_findings'), T.findings, 'warn'), kpi(t('r_caught'), T.caught_in_act, 'bad'), kpi(t('r_stays'), T.stay_reports)),
    h('div', {},
      h('section', {}, h('h2', {}, t('r_by_kec')), table('report-kecamatan', [t('r_code'), t('r_kec'), t('r_residents'), t('r_checks'), t('r_findings'), t('r_stays')],
        m.by_kecamatan.map((k) => [k.code, k.name || '–', k.residents, k.checks, k.findings, k.stay_reports]),
        [t('r_total'), '', sum(m.by_kecamatan, 'residents'), sum(m.by_kecamatan, 'checks'), sum(m.by_kecamatan, 'findings'), sum(m.by_kecamatan, 'stay_reports')])),
      h('section', {}, h('h2', {}, t('r_by_nat')), table('report-nationality', [t('r_nat'), 'ITAS', 'ITAP', t('r_issued'), t('r_checks'), t('r_findings')],
        m.by_nationality.map((n) => [n.nationality || t('r_unknown'), n.itas, n.itap, n.issued, n.checks, n.findings]),
        [t('r_total'), T.itas, T.itap, T.issued, T.checks, T.findings]))),
    h('div', { class: 'report-grid' },
      h('section', {}, h('h2', {}, t('r_by_code')), table('report-findings', [t('r_code'), t('r_class'), t('r_count')], m.findings.map((f) => [f.code, f.outcome, f.count]))),
      h('section', {}, h('h2', {}, t('r_actions')), h('dl', { class: 'facts panel', id: 'report-actions' },
        ...[['r_alerts_opened', A.alerts_opened], ['r_alerts_closed', A.alerts_closed], ['r_bap', A.bap], ['r_corr', A.corrections_accepted],
          ['r_corr_rej', A.corrections_rejected], ['r_req', A.correction_requests_accepted], ['r_ops', A.operations_held]]
          .flatMap(([k, v]) => [h('dt', {}, t(k)), h('dd', { dataset: { key: k } }, num(v))])),
        h('h2', {}, t('r_alert_kinds')), table('report-alerts', [t('r_kind'), t('r_count')], m.alerts_by_kind.map((k) => [k.kind.replace(/_/g, ' '), k.count])))),
    h('section', {}, h('h2', {}, t('r_operations')), table('report-operations', [t('r_order'), t('r_op_title'), t('r_dates'), t('r_team'), t('r_checks'), t('r_findings')],
      m.operations.map((o) => [h('a', { href: `/operations?id=${o.id}` }, o.number), o.title, `${date(o.starts_on)} – ${date(o.ends_on)}`, o.team, o.checks, o.findings]))),
  );
}
