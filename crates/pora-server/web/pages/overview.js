// The overview: permits in force, expiring, overstays, open alerts, this week's checks, and the
// 12-month trends (from GET /api/v1/stats/overview; aggregates only).
import { h, api } from '../app.js';
import { t, num, date, month } from '../i18n.js';
import { chart } from '../charts.js';

function card(id, label, value, sub, href, tone = '') {
  const inner = [h('span', { class: 'kpi-label' }, label), h('span', { class: 'kpi-value', id }, num(value)), sub ? h('span', { class: 'kpi-sub' }, sub) : null];
  return href ? h('a', { class: `kpi ${tone}`, href }, ...inner) : h('div', { class: `kpi ${tone}` }, ...inner);
}

export async function render(main, { me }) {
  const s = await api('/api/v1/stats/overview');
  const can = (roles) => roles.includes(me.role);
  const permits = can(['issuing_officer', 'field_officer', 'supervisor']);
  const today = s.today;
  const expHref = (n) => (permits ? `/permits?expiring=${n}` : null);
  main.append(
    h('div', { class: 'page-head' }, h('h1', {}, t('ov_title')), h('p', { class: 'muted' }, t('ov_today', { date: date(today) }))),
    h('section', { class: 'kpis', 'aria-label': t('ov_title') },
      card('kpi-itas', t('ov_active_itas'), s.active_itas, null, permits ? '/permits?status=active&type=ITAS' : null),
      card('kpi-itap', t('ov_active_itap'), s.active_itap, null, permits ? '/permits?status=active&type=ITAP' : null),
      card('kpi-exp30', `${t('ov_expiring')} · ${t('ov_days', { n: 30 })}`, s.expiring_30, null, expHref(30), 'warn'),
      card('kpi-exp60', `${t('ov_expiring')} · ${t('ov_days', { n: 60 })}`, s.expiring_60, null, expHref(60)),
      card('kpi-exp90', `${t('ov_expiring')} · ${t('ov_days', { n: 90 })}`, s.expiring_90, null, expHref(90)),
      card('kpi-overstay', t('ov_overstays'), s.overstays, t('ov_overstays_sub'), permits ? '/permits?overstay=1' : null, 'bad'),
      card('kpi-alerts', t('ov_open_alerts'), s.open_alerts, null, can(['supervisor']) ? '/alerts' : null, 'bad'),
      card('kpi-checks', t('ov_checks_week'), s.checks_7d, t('ov_findings', { n: num(s.findings_7d) }), can(['supervisor', 'admin']) ? '/map' : null)),
  );
  const labels = s.months.map((m) => month(m.month));
  const col = (k) => s.months.map((m) => m[k]);
  const panels = [
    [t('ov_trend_active'), [{ label: 'ITAS', values: col('active_itas'), color: '#1f5fa8' }, { label: 'ITAP', values: col('active_itap'), color: '#c2410c' }]],
    [t('ov_trend_checks'), [{ label: t('ov_checks'), values: col('checks'), color: '#0f766e', bars: true }, { label: t('ov_findings_label'), values: col('findings'), color: '#b91c1c' }]],
    [t('ov_trend_issued'), [{ label: t('ov_issued'), values: col('issued'), color: '#1f5fa8', bars: true }, { label: t('ov_alerts'), values: col('alerts'), color: '#b45309' }]],
  ];
  const grid = h('section', { class: 'charts' });
  main.append(grid);
  for (const [title, series] of panels) {
    const box = h('div', { class: 'chart' });
    grid.append(h('figure', { class: 'panel' }, h('figcaption', {}, title), box));
    await chart(box, { labels, series });
  }
}
