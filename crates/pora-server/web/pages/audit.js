// Audit: the result of verifying the hash chain (GET /api/v1/audit/verify) and the log, newest
// first, paged (GET /api/v1/audit; the listing is itself audited), with a search over the page shown.
import { h, api, errorBox } from '../app.js';
import { t, instant, num } from '../i18n.js';

export const WORDS = {
  id: {
    au_title: 'Log audit', au_chain: 'Verifikasi rantai hash', au_intact: 'Utuh: {n} entri diperiksa, tanda tangan kepala rantai sah.',
    au_broken: 'RUSAK: {fault}', au_key: 'Kunci audit', au_search: 'Cari di halaman ini (tindakan, subjek, peran, tujuan)', au_seq: 'No.',
    au_when: 'Waktu', au_actor: 'Pelaku', au_action: 'Tindakan', au_subject: 'Subjek', au_purpose: 'Tujuan', au_prev: '← Lebih baru', au_next: 'Lebih lama →',
  },
  en: {
    au_title: 'Audit log', au_chain: 'Hash chain verification', au_intact: 'Intact: {n} entries checked, chain head signature valid.',
    au_broken: 'BROKEN: {fault}', au_key: 'Audit key', au_search: 'Search this page (action, subject, role, purpose)', au_seq: 'Seq',
    au_when: 'When', au_actor: 'Actor', au_action: 'Action', au_subject: 'Subject', au_purpose: 'Purpose', au_prev: '← Newer', au_next: 'Older →',
  },
};

const PAGE = 100;

export async function render(main) {
  const offset = Math.max(0, Number(new URLSearchParams(location.search).get('offset') || 0) | 0);
  const chain = h('section', { class: 'panel block', id: 'chain' }, h('h2', {}, t('au_chain')), h('p', { class: 'loading' }, t('loading')));
  const search = h('input', { id: 'audit-search', type: 'search', size: 40, 'aria-label': t('au_search'), placeholder: t('au_search') });
  const box = h('div', { class: 'table-wrap' });
  main.append(h('div', { class: 'page-head' }, h('h1', {}, t('au_title'))), chain, h('div', { class: 'filters panel' }, search), box);
  api('/api/v1/audit/verify').then((r) => {
    const checked = r.report?.entries ?? 0;
    chain.lastChild.replaceWith(h('div', {},
      h('p', { class: r.intact ? 'ok-box' : 'error', id: 'chain-result' }, r.intact ? t('au_intact', { n: num(checked) }) : t('au_broken', { fault: r.fault })),
      h('p', { class: 'muted mono' }, `${t('au_key')}: ${r.key_id} · ${r.public_key}`)));
  }).catch((e) => chain.lastChild.replaceWith(errorBox(e)));
  let res;
  try {
    res = await api(`/api/v1/audit?limit=${PAGE}&offset=${offset}`);
  } catch (e) {
    box.replaceChildren(errorBox(e));
    return;
  }
  const rows = res.items.map((e) => h('tr', { dataset: { text: `${e.action} ${e.subject_kind}:${e.subject_id} ${e.actor_role} ${e.actor_office} ${e.purpose_kind}:${e.purpose_ref}`.toLowerCase() } },
    h('td', { class: 'num' }, e.seq), h('td', {}, instant(e.at)), h('td', {}, `${e.actor_role}${e.actor_office ? ` · ${e.actor_office}` : ''}${e.actor_id ? ` · #${e.actor_id}` : ''}`),
    h('td', {}, e.action), h('td', {}, `${e.subject_kind}:${e.subject_id}`), h('td', {}, `${e.purpose_kind}${e.purpose_ref ? `:${e.purpose_ref}` : ''}`)));
  box.replaceChildren(h('table', { id: 'audit-table' },
    h('thead', {}, h('tr', {}, ...[t('au_seq'), t('au_when'), t('au_actor'), t('au_action'), t('au_subject'), t('au_purpose')].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...rows)));
  search.addEventListener('input', () => {
    const s = search.value.trim().toLowerCase();
    for (const r of rows) r.hidden = s !== '' && !r.dataset.text.includes(s);
  });
  const link = (o, label, id) => h('a', { class: 'button secondary', id, href: `?offset=${o}` }, label);
  main.append(h('nav', { class: 'pager' }, offset > 0 ? link(Math.max(0, offset - PAGE), t('au_prev'), 'newer') : h('span'), res.items.length === PAGE ? link(offset + PAGE, t('au_next'), 'older') : h('span')));
}
