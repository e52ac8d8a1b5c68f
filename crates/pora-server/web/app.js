// The dashboard's frame: who is signed in, the menu their role allows, the language switch, the
// purpose of access, and the JSON API helper. Each page is a module in pages/ exporting
// `render(main, ctx)`; pages are plain server routes (a full load per page), so links, the back
// button and the keyboard behave as on any web site.

import { t, getLang, setLang, extend } from './i18n.js';

/** The menu: path, label key, page module, roles that may open it (mirrors the API's rule table). */
export const PAGES = [
  { path: '/', key: 'nav_overview', module: 'overview', roles: ['admin', 'issuing_officer', 'field_officer', 'supervisor', 'auditor'] },
  { path: '/map', key: 'nav_map', module: 'map', roles: ['supervisor', 'admin'] },
  { path: '/permits', key: 'nav_permits', module: 'permits', roles: ['issuing_officer', 'field_officer', 'supervisor'] },
  { path: '/issue', key: 'nav_issue', module: 'issue', roles: ['issuing_officer'] },
  { path: '/alerts', key: 'nav_alerts', module: 'alerts', roles: ['supervisor'] },
  { path: '/operations', key: 'nav_operations', module: 'operations', roles: ['supervisor'] },
  { path: '/officers', key: 'nav_officers', module: 'officers', roles: ['supervisor', 'admin'] },
  { path: '/audit', key: 'nav_audit', module: 'audit', roles: ['auditor'] },
  { path: '/report', key: 'nav_report', module: 'report', roles: ['supervisor'] },
  { path: '/me', key: 'nav_me', module: 'me', roles: ['foreigner'] },
];
const PERSON = { path: '/persons/', key: 'nav_permits', module: 'person', roles: ['issuing_officer', 'field_officer', 'supervisor'] };

/** Builds an element: h('a', { href: '/', class: 'x', onclick: f }, 'text', child, …). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** An API error with the server's stable code, message and field. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.code || 'http';
    this.field = body?.field;
    this.missing = body?.missing || [];
  }
}

/** The purpose of access sent with reads of personal data (kept for this browser tab). */
export function purpose() {
  return sessionStorage.getItem('pora.purpose') || 'check';
}

/**
 * Calls the JSON API with the session cookie, the CSRF token on writes, and the purpose: `personal`
 * is true (the purpose chosen in the top bar) or a purpose of the page's own (`issuance:…`).
 */
export async function api(path, { method = 'GET', body, personal = false, raw = false } = {}) {
  const headers = { accept: 'application/json' };
  if (method !== 'GET') headers['x-csrf-token'] = sessionStorage.getItem('pora.csrf') || '';
  if (personal) headers['x-pora-purpose'] = typeof personal === 'string' ? personal : purpose();
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  if (res.status === 401 && !path.endsWith('/auth/login')) {
    toLogin();
    throw new ApiError(401, { code: 'unauthenticated', message: 'sign in first' });
  }
  if (raw) {
    if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null));
    return res;
  }
  const text = await res.text();
  const json = text ? JSON.parse(text) : null;
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}

function toLogin() {
  const next = location.pathname + location.search;
  if (!location.pathname.startsWith('/login')) location.assign(`/login?next=${encodeURIComponent(next)}`);
}

/** A block telling what went wrong, with the server's message. */
export function errorBox(e) {
  return h('div', { class: 'error', role: 'alert' }, h('strong', {}, t('error')), ': ', e.message || String(e));
}

function langButton() {
  return h('button', {
    type: 'button', class: 'lang', id: 'lang-switch', lang: getLang() === 'id' ? 'en' : 'id',
    'aria-label': t('lang_switch_label'),
    onclick: () => { setLang(getLang() === 'id' ? 'en' : 'id'); const u = new URL(location.href); u.searchParams.delete('lang'); location.replace(u); },
  }, t('lang_switch'));
}

function purposeBar() {
  const current = purpose();
  const [kind, ...rest] = current.split(':');
  const sel = h('select', { id: 'purpose-kind', 'aria-label': t('purpose') },
    ...['check', 'operation', 'case', 'issuance', 'audit'].map((k) => h('option', { value: k, selected: k === kind }, t(`purpose_${k}`))));
  const ref = h('input', { id: 'purpose-ref', value: rest.join(':'), placeholder: t('purpose_reference'), 'aria-label': t('purpose_reference'), size: 14, hidden: kind === 'check' });
  sel.addEventListener('change', () => { ref.hidden = sel.value === 'check'; if (!ref.hidden) ref.focus(); });
  const form = h('form', { class: 'purpose', title: t('purpose_hint'), onsubmit: (ev) => {
    ev.preventDefault();
    const p = sel.value === 'check' ? 'check' : `${sel.value}:${ref.value.trim()}`;
    sessionStorage.setItem('pora.purpose', p);
    location.reload();
  } }, h('label', { for: 'purpose-kind' }, t('purpose')), sel, ref, h('button', { type: 'submit', class: 'secondary' }, t('purpose_apply')));
  return form;
}

function frame(me, active) {
  document.documentElement.lang = getLang();
  document.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
  const side = document.getElementById('side');
  side.replaceChildren(
    h('a', { href: '/', class: 'brand' }, h('img', { src: '/assets/favicon.svg', alt: '', width: 32, height: 32 }), h('span', {}, h('b', {}, t('app_name')), h('small', {}, t('app_sub')))),
    h('nav', { 'aria-label': t('nav') }, h('ul', {}, ...PAGES.filter((p) => p.roles.includes(me.role)).map((p) =>
      h('li', {}, h('a', { href: p.path, 'aria-current': p === active ? 'page' : null, dataset: { page: p.module === 'placeholder' ? p.path.slice(1) : p.module } }, t(p.key)))))),
  );
  const top = document.getElementById('top');
  const personal = ['issuing_officer', 'field_officer', 'supervisor'].includes(me.role);
  top.replaceChildren(
    personal ? purposeBar() : h('span'),
    h('div', { class: 'who' },
      h('span', { class: 'user', id: 'whoami' }, h('b', {}, me.username), ' · ', t(`role_${me.role}`), me.role === 'foreigner' ? '' : ` · ${me.office || t('national')}`),
      langButton(),
      h('button', { type: 'button', class: 'secondary', id: 'logout', onclick: async () => {
        try { await api('/api/v1/auth/logout', { method: 'POST' }); } catch { /* already signed out */ }
        sessionStorage.removeItem('pora.csrf');
        location.assign('/login');
      } }, t('logout'))),
  );
  document.getElementById('foot').textContent = t('footer');
}

async function loadPage(module) {
  const m = await import(`./pages/${module}.js`);
  if (m.WORDS) extend(m.WORDS);
  return m;
}

async function main() {
  const path = location.pathname;
  const mainEl = document.getElementById('main');
  if (path === '/login') {
    document.body.classList.add('bare');
    document.documentElement.lang = getLang();
    document.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
    const m = await loadPage('login');
    await m.render(mainEl, { langButton });
    return;
  }
  let me;
  try {
    me = await api('/api/v1/auth/me');
  } catch {
    return; // api() went to the sign-in page
  }
  // A permit holder has one page of their own.
  if (me.role === 'foreigner' && path !== '/me') {
    location.replace('/me');
    return;
  }
  const page = path.startsWith('/persons/') ? PERSON : PAGES.find((p) => p.path === path) || PAGES[0];
  frame(me, page === PERSON ? PAGES.find((p) => p.path === '/permits') : page);
  document.title = `${t(page.key)} · PORA`;
  if (!page.roles.includes(me.role)) {
    mainEl.replaceChildren(h('div', { class: 'error', role: 'alert', id: 'forbidden' }, t('forbidden_page')));
    return;
  }
  try {
    const m = await loadPage(page.module);
    mainEl.replaceChildren();
    await m.render(mainEl, { me, page, h, api, t });
  } catch (e) {
    mainEl.replaceChildren(errorBox(e));
  }
  document.body.dataset.ready = '1';
}

main();
