// Audit: the result of verifying the hash chain (GET /api/v1/audit/verify) and the log, newest
// first, searched on the server (GET /api/v1/audit?actor=&role=&person=&purpose=&action=&from=&to=,
// paged, with the number of matches; the search is itself audited).
import { h, api, errorBox } from '../app.js';
import { t, instant, num } from '../i18n.js';

export const WORDS = {
  id: {
    au_title: 'Log audit', au_chain: 'Verifikasi rantai hash', au_intact: 'Utuh: {n} entri diperiksa, tanda tangan kepala rantai sah.',
    au_broken: 'RUSAK: {fault}', au_key: 'Kunci audit', au_seq: 'No.', au_f_actor: 'Pelaku (nama login / id)', au_f_role: 'Peran',
    au_f_person: 'Orang (NIORA)', au_f_purpose: 'Tujuan (jenis[:rujukan])', au_f_action: 'Tindakan (mis. permit.read atau permit)', au_f_from: 'Dari tanggal',
    au_f_to: 'Sampai tanggal', au_f_go: 'Cari', au_f_reset: 'Hapus saringan', au_any: 'Semua', au_found: '{n} entri cocok', au_found_many: 'lebih dari {n} entri cocok',
    au_none: 'Tidak ada entri yang cocok.', au_page: 'Entri {from}–{to}',
    au_when: 'Waktu', au_actor: 'Pelaku', au_action: 'Tindakan', au_subject: 'Subjek', au_purpose: 'Tujuan', au_prev: '← Lebih baru', au_next: 'Lebih lama →',
  },
  en: {
    au_title: 'Audit log', au_chain: 'Hash chain verification', au_intact: 'Intact: {n} entries checked, chain head signature valid.',
    au_broken: 'BROKEN: {fault}', au_key: 'Audit key', au_seq: 'Seq', au_f_actor: 'Actor (login name / id)', au_f_role: 'Role',
    au_f_person: 'Person (NIORA)', au_f_purpose: 'Purpose (kind[:reference])', au_f_action: 'Action (e.g. permit.read or permit)', au_f_from: 'From',
    au_f_to: 'To', au_f_go: 'Search', au_f_reset: 'Clear filters', au_any: 'Any', au_found: '{n} matching entries', au_found_many: 'more than {n} matching entries',
    au_none: 'No matching entries.', au_page: 'Entries {from}–{to}',
    au_when: 'When', au_actor: 'Actor', au_action: 'Action', au_subject: 'Subject', au_purpose: 'Purpose', au_prev: '← Newer', au_next: 'Older →',
  },
};

const PAGE = 100;
const FILTERS = ['actor', 'role', 'person', 'purpose', 'action', 'from', 'to'];
const ROLES = ['admin', 'issuing_officer', 'field_officer', 'supervisor', 'auditor', 'foreigner', 'system'];

export async function render(main) {
  const params = new URLSearchParams(location.search);
  const offset = Math.max(0, Number(params.get('offset') || 0) | 0);
  const chain = h('section', { class: 'panel block', id: 'chain' }, h('h2', {}, t('au_chain')), h('p', { class: 'loading' }, t('loading')));
  const input = (name, label, attrs = {}) => h('div', { class: 'field' }, h('label', { for: `au-${name}` }, label),
    h('input', { id: `au-${name}`, name, value: params.get(name) || '', ...attrs }));
  const role = h('div', { class: 'field' }, h('label', { for: 'au-role' }, t('au_f_role')),
    h('select', { id: 'au-role', name: 'role' }, h('option', { value: '' }, t('au_any')),
      ...ROLES.map((r) => h('option', { value: r, selected: params.get('role') === r }, r === 'system' ? 'system' : t(`role_${r}`)))));
  const msg = h('div', { id: 'audit-msg' });
  const form = h('form', { class: 'filters panel', id: 'audit-search', role: 'search' },
    input('actor', t('au_f_actor'), { size: 14 }), role, input('person', t('au_f_person'), { size: 14, inputmode: 'numeric' }),
    input('purpose', t('au_f_purpose'), { size: 18 }), input('action', t('au_f_action'), { size: 18 }),
    input('from', t('au_f_from'), { type: 'date' }), input('to', t('au_f_to'), { type: 'date' }),
    h('div', { class: 'field actions' }, h('button', { type: 'submit', id: 'audit-go' }, t('au_f_go')),
      h('a', { class: 'button secondary', href: '/audit', id: 'audit-reset' }, t('au_f_reset'))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    for (const f of FILTERS) {
      const v = form.elements[f].value.trim();
      if (v) q.set(f, v);
    }
    location.search = q.toString();
  });
  const box = h('div', { class: 'table-wrap' });
  main.append(h('div', { class: 'page-head' }, h('h1', {}, t('au_title'))), chain, form, msg, box);
  api('/api/v1/audit/verify').then((r) => {
    const checked = r.report?.entries ?? 0;
    chain.lastChild.replaceWith(h('div', {},
      h('p', { class: r.intact ? 'ok-box' : 'error', id: 'chain-result' }, r.intact ? t('au_intact', { n: num(checked) }) : t('au_broken', { fault: r.fault })),
      h('p', { class: 'muted mono' }, `${t('au_key')}: ${r.key_id} · ${r.public_key}`)));
  }).catch((e) => chain.lastChild.replaceWith(errorBox(e)));
  const q = new URLSearchParams();
  for (const f of FILTERS) if (params.get(f)) q.set(f, params.get(f));
  let res;
  try {
    res = await api(`/api/v1/audit?${q}${q.toString() ? '&' : ''}limit=${PAGE}&offset=${offset}`);
  } catch (e) {
    box.replaceChildren(errorBox(e));
    const bad = e.field && form.elements[e.field];
    if (bad) { bad.setAttribute('aria-invalid', 'true'); bad.focus(); }
    return;
  }
  msg.replaceChildren(h('p', { class: 'muted', id: 'audit-count' },
    res.total == null ? t('au_found_many', { n: num(10000) }) : t('au_found', { n: num(res.total) }),
    res.items.length ? ` · ${t('au_page', { from: num(offset + 1), to: num(offset + res.items.length) })}` : ''));
  if (!res.items.length) {
    box.replaceChildren(h('p', { class: 'muted', id: 'audit-none' }, t('au_none')));
    return;
  }
  const rows = res.items.map((e) => h('tr', { dataset: { seq: e.seq } },
    h('td', { class: 'num' }, e.seq), h('td', {}, instant(e.at)), h('td', {}, `${e.actor_role}${e.actor_office ? ` · ${e.actor_office}` : ''}${e.actor_id ? ` · #${e.actor_id}` : ''}`),
    h('td', {}, e.action), h('td', {}, `${e.subject_kind}:${e.subject_id}`), h('td', {}, `${e.purpose_kind}${e.purpose_ref ? `:${e.purpose_ref}` : ''}`)));
  box.replaceChildren(h('table', { id: 'audit-table' },
    h('thead', {}, h('tr', {}, ...[t('au_seq'), t('au_when'), t('au_actor'), t('au_action'), t('au_subject'), t('au_purpose')].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...rows)));
  const link = (o, label, id) => {
    const p = new URLSearchParams(q);
    p.set('offset', o);
    return h('a', { class: 'button secondary', id, href: `?${p}` }, label);
  };
  main.append(h('nav', { class: 'pager' }, offset > 0 ? link(Math.max(0, offset - PAGE), t('au_prev'), 'newer') : h('span'), res.next_offset != null ? link(res.next_offset, t('au_next'), 'older') : h('span')));
}
