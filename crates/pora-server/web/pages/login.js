// The sign-in page: a cookie session; the CSRF token from the answer is kept for this tab.
import { h, api } from '../app.js';
import { t } from '../i18n.js';

function safeNext() {
  const n = new URLSearchParams(location.search).get('next') || '/';
  return n.startsWith('/') && !n.startsWith('//') && !n.startsWith('/login') ? n : '/';
}

export async function render(main, { langButton }) {
  const msg = h('p', { class: 'error', role: 'alert', id: 'login-error', hidden: true });
  const user = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true, maxlength: 64, autofocus: true });
  const pass = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const button = h('button', { type: 'submit' }, t('login_submit'));
  const form = h('form', { class: 'login-form', onsubmit: async (ev) => {
    ev.preventDefault();
    msg.hidden = true;
    button.disabled = true;
    try {
      const r = await api('/api/v1/auth/login', { method: 'POST', body: { username: user.value.trim(), password: pass.value, mode: 'cookie' } });
      sessionStorage.setItem('pora.csrf', r.csrf_token);
      location.assign(r.user.role === 'foreigner' ? '/me' : safeNext());
    } catch (e) {
      msg.textContent = e.status === 401 ? t('login_failed') : e.status === 429 ? t('login_locked') : e.message;
      msg.hidden = false;
      button.disabled = false;
      pass.select();
    }
  } },
  h('label', { for: 'username' }, t('username')), user,
  h('label', { for: 'password' }, t('password')), pass,
  msg, button);
  main.replaceChildren(h('section', { class: 'login' },
    h('div', { class: 'login-card' },
      h('div', { class: 'login-head' }, h('img', { src: '/assets/favicon.svg', alt: '', width: 48, height: 48 }), h('div', {}, h('h1', {}, 'PORA'), h('p', {}, t('app_sub')))),
      h('h2', {}, t('login_title')),
      h('p', { class: 'lead' }, t('login_lead')),
      form,
      h('div', { class: 'login-foot' }, langButton()))));
  document.title = `${t('login_title')} · PORA`;
  document.body.dataset.ready = '1';
}
