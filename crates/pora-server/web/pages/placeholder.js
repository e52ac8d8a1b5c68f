// Pages not built yet in this version: say so plainly.
import { h } from '../app.js';
import { t } from '../i18n.js';

export async function render(main, { page }) {
  main.replaceChildren(h('h1', {}, t(page.key)), h('p', { class: 'muted', id: 'not-yet' }, t('coming')));
}
