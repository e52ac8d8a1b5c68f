// A permit holder's own page (UU PDP 27/2022: the right to see one's data and who processed it):
// their permits and status, the field checks and stay reports about them, every read of their
// record (officers by role and office, never by name), the download of everything held (JSON, PDF),
// and correction requests with their answers. Only the /api/v1/me/* endpoints are called.
import { h, api, errorBox } from '../app.js';
import { t, date, instant } from '../i18n.js';
import { statusBadge, WORDS as PERMIT_WORDS } from './permits.js';

const FIELDS = ['full_name', 'mrz_name', 'birth_place', 'birth_date', 'sex', 'nationality', 'occupation'];

export const WORDS = {
  id: {
    ...PERMIT_WORDS.id,
    me_title: 'Izin tinggal saya', me_lead: 'Data Anda yang disimpan Imigrasi, siapa yang membacanya, dan permintaan perbaikan.',
    me_permits: 'Izin tinggal', me_number: 'Nomor', me_kind: 'Jenis', me_valid: 'Berlaku', me_status: 'Status',
    me_days_left: 'sisa {n} hari', me_days_over: 'lewat {n} hari · denda Rp{fine}', me_checks: 'Pemeriksaan lapangan',
    me_stays: 'Laporan menginap', me_reads: 'Siapa yang membaca data saya', me_reads_lead: 'Setiap pembacaan oleh petugas, dengan peran, kantor, dan tujuannya. Tampilan Anda sendiri tidak dicantumkan di sini.', me_when: 'Waktu', me_office: 'Kantor',
    me_outcome: 'Hasil', me_region: 'Kode wilayah', me_by: 'Oleh', me_action: 'Tindakan', me_purpose: 'Tujuan',
    me_reporter: 'Pelapor', me_checkin: 'Masuk', me_checkout: 'Keluar', me_none: 'Tidak ada.', me_more: 'Muat lagi',
    me_export: 'Unduh semua data saya', me_export_lead: 'Salinan lengkap data Anda: izin, pemeriksaan, laporan menginap, perbaikan, dan setiap pembacaan.',
    me_json: 'Unduh JSON', me_pdf: 'Unduh PDF', me_requests: 'Permintaan perbaikan data',
    me_req_lead: 'Jika data Anda salah, minta perbaikan. Petugas wajib menjawab.', me_field: 'Data', me_value: 'Nilai yang benar',
    me_reason: 'Alasan', me_submit: 'Kirim permintaan', me_sent: 'Permintaan terkirim.', me_state: 'Status', me_answer: 'Jawaban',
    me_current: 'Nilai sekarang', rq_pending: 'Menunggu', rq_accepted: 'Diterima', rq_rejected: 'Ditolak',
    fld_full_name: 'Nama lengkap', fld_mrz_name: 'Nama di paspor (MRZ)', fld_birth_place: 'Tempat lahir', fld_birth_date: 'Tanggal lahir (YYYY-MM-DD)',
    fld_sex: 'Jenis kelamin (M/F)', fld_nationality: 'Kewarganegaraan (kode 3 huruf)', fld_occupation: 'Pekerjaan',
    out_ok: 'Sah', out_finding: 'Temuan', out_incomplete: 'Tidak lengkap', out_forged: 'Palsu', out_not_found: 'Tidak dikenal',
  },
  en: {
    ...PERMIT_WORDS.en,
    me_title: 'My residence permit', me_lead: 'Your data held by Immigration, who read it, and correction requests.',
    me_permits: 'Permits', me_number: 'Number', me_kind: 'Type', me_valid: 'Valid', me_status: 'Status',
    me_days_left: '{n} days left', me_days_over: '{n} days over · charge Rp{fine}', me_checks: 'Field checks',
    me_stays: 'Stay reports', me_reads: 'Who read my data', me_reads_lead: 'Every read by an officer, with their role, office and purpose. Your own views are not listed here.', me_when: 'When', me_office: 'Office',
    me_outcome: 'Result', me_region: 'Region code', me_by: 'By', me_action: 'Action', me_purpose: 'Purpose',
    me_reporter: 'Reported by', me_checkin: 'Check-in', me_checkout: 'Check-out', me_none: 'None.', me_more: 'Load more',
    me_export: 'Download all my data', me_export_lead: 'A full copy of your data: permits, checks, stay reports, corrections, and every read.',
    me_json: 'Download JSON', me_pdf: 'Download PDF', me_requests: 'Correction requests',
    me_req_lead: 'If your data are wrong, ask for a correction. An officer must answer.', me_field: 'Item', me_value: 'Correct value',
    me_reason: 'Reason', me_submit: 'Send request', me_sent: 'Request sent.', me_state: 'State', me_answer: 'Answer',
    me_current: 'Current value', rq_pending: 'Pending', rq_accepted: 'Accepted', rq_rejected: 'Rejected',
    fld_full_name: 'Full name', fld_mrz_name: 'Name in the passport (MRZ)', fld_birth_place: 'Place of birth', fld_birth_date: 'Date of birth (YYYY-MM-DD)',
    fld_sex: 'Sex (M/F)', fld_nationality: 'Nationality (3-letter code)', fld_occupation: 'Occupation',
    out_ok: 'Valid', out_finding: 'Finding', out_incomplete: 'Incomplete', out_forged: 'Forged', out_not_found: 'Unknown',
  },
};

const FINE_PER_DAY = 1000000;

function table(id, head, rows) {
  if (!rows.length) return h('p', { class: 'muted', id: `${id}-empty` }, t('me_none'));
  return h('div', { class: 'table-wrap' }, h('table', { id },
    h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...rows)));
}

function section(id, title, ...body) {
  return h('section', { class: 'panel block', id, 'aria-labelledby': `${id}-h` }, h('h2', { id: `${id}-h` }, title), ...body);
}

/** Days from today (UTC) to `iso` (YYYY-MM-DD); negative when past. */
function daysTo(iso) {
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  return Math.round((Date.parse(`${iso}T00:00:00Z`) - today) / 86400000);
}

function permitRow(p) {
  const d = daysTo(p.valid_until);
  const left = p.status !== 'active' ? '' : d >= 0 ? t('me_days_left', { n: d })
    : t('me_days_over', { n: -d, fine: (-d * FINE_PER_DAY).toLocaleString('id-ID') });
  return h('tr', {},
    h('td', {}, h('code', {}, p.number)), h('td', {}, p.permit_type.toUpperCase()),
    h('td', {}, `${date(p.valid_from)} – ${date(p.valid_until)}`),
    h('td', {}, statusBadge(p), left ? h('small', { class: 'muted' }, ` ${left}`) : null));
}

function readsSection() {
  const body = h('tbody');
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, t('me_more'));
  const wrap = h('div', { class: 'table-wrap' }, h('table', { id: 'me-reads' },
    h('thead', {}, h('tr', {}, ...[t('me_when'), t('me_by'), t('me_action'), t('me_purpose')].map((c) => h('th', { scope: 'col' }, c)))),
    body));
  let offset = 0;
  const load = async () => {
    more.disabled = true;
    const r = await api(`/api/v1/me/access-log?limit=50&offset=${offset}`);
    // The holder's own views are in the log (and the export) but are not news to them.
    body.append(...r.items.filter((e) => e.purpose !== 'self').map((e) => h('tr', {},
      h('td', {}, instant(e.at)), h('td', {}, t(`role_${e.by_role}`), e.by_office ? ` · ${e.by_office}` : ''),
      h('td', {}, h('code', {}, e.action)), h('td', {}, e.purpose, e.purpose_ref ? ` · ${e.purpose_ref}` : ''))));
    offset = r.next_offset ?? offset;
    more.hidden = r.next_offset == null;
    more.disabled = false;
  };
  more.addEventListener('click', () => load().catch((e) => wrap.after(errorBox(e))));
  return { el: section('me-reads-sec', t('me_reads'), h('p', { class: 'lead' }, t('me_reads_lead')), wrap, more), load };
}

function requestsSection(requests) {
  const rows = () => requests.map((r) => h('tr', {},
    h('td', {}, instant(r.created_at)), h('td', {}, t(`fld_${r.field}`)), h('td', {}, r.current_value ?? '—'),
    h('td', {}, r.requested_value), h('td', {}, h('span', { class: `badge cs-${r.state}` }, t(`rq_${r.state}`))),
    h('td', {}, r.decision_reason ?? '')));
  const head = [t('me_when'), t('me_field'), t('me_current'), t('me_value'), t('me_state'), t('me_answer')];
  const list = h('div', {}, table('me-requests', head, rows()));
  const errs = {};
  const field = (id, label, control) => {
    errs[id] = h('p', { class: 'field-error', id: `${id}-error`, role: 'alert', hidden: true });
    control.setAttribute('aria-describedby', `${id}-error`);
    return h('div', { class: 'field' }, h('label', { for: id }, label), control, errs[id]);
  };
  const sel = h('select', { id: 'rq-field', name: 'field' }, ...FIELDS.map((f) => h('option', { value: f }, t(`fld_${f}`))));
  const value = h('input', { id: 'rq-value', name: 'requested_value', required: true, maxlength: 200 });
  const reason = h('textarea', { id: 'rq-reason', name: 'reason', required: true, maxlength: 1000, rows: 3 });
  const done = h('p', { class: 'ok', id: 'rq-sent', role: 'status', hidden: true }, t('me_sent'));
  const submit = h('button', { type: 'submit' }, t('me_submit'));
  const controls = { field: sel, requested_value: value, reason };
  const form = h('form', { id: 'rq-form', class: 'form-grid', novalidate: true, onsubmit: async (ev) => {
    ev.preventDefault();
    Object.values(errs).forEach((e) => { e.hidden = true; });
    Object.values(controls).forEach((c) => c.removeAttribute('aria-invalid'));
    done.hidden = true;
    submit.disabled = true;
    try {
      const r = await api('/api/v1/me/correction-requests', { method: 'POST', body: { field: sel.value, requested_value: value.value, reason: reason.value } });
      requests.unshift(r);
      list.replaceChildren(table('me-requests', head, rows()));
      value.value = '';
      reason.value = '';
      done.hidden = false;
    } catch (e) {
      const key = { field: 'rq-field', requested_value: 'rq-value', reason: 'rq-reason' }[e.field];
      if (key) {
        errs[key].textContent = e.message;
        errs[key].hidden = false;
        controls[e.field].setAttribute('aria-invalid', 'true');
        controls[e.field].focus();
      } else {
        form.append(errorBox(e));
      }
    } finally {
      submit.disabled = false;
    }
  } },
  field('rq-field', t('me_field'), sel), field('rq-value', t('me_value'), value), field('rq-reason', t('me_reason'), reason),
  h('div', { class: 'actions' }, submit, done));
  return section('me-requests-sec', t('me_requests'), h('p', { class: 'lead' }, t('me_req_lead')), form, list);
}

export async function render(main) {
  const [mine, seen, reqs] = await Promise.all([
    api('/api/v1/me/permits'), api('/api/v1/me/checks'), api('/api/v1/me/correction-requests'),
  ]);
  const f = mine.person;
  const reads = readsSection();
  main.append(
    h('header', { class: 'page-head' }, h('h1', {}, t('me_title')), h('p', { class: 'lead' }, t('me_lead'))),
    h('section', { class: 'panel block', id: 'me-person' },
      h('h2', {}, f.full_name), h('p', {}, h('span', { class: 'muted' }, 'NIORA '), h('code', {}, f.niora), ' · ', f.nationality)),
    section('me-permits-sec', t('me_permits'), table('me-permits', [t('me_number'), t('me_kind'), t('me_valid'), t('me_status')],
      mine.permits.map(permitRow))),
    section('me-checks-sec', t('me_checks'), table('me-checks', [t('me_when'), t('me_office'), t('me_outcome'), t('me_region')],
      seen.checks.map((k) => h('tr', {}, h('td', {}, instant(k.at)), h('td', {}, k.office ?? '—'),
        h('td', {}, t(`out_${k.outcome}`)), h('td', {}, k.region_code ?? '—'))))),
    section('me-stays-sec', t('me_stays'), table('me-stays', [t('me_reporter'), t('me_checkin'), t('me_checkout'), t('me_region')],
      seen.stay_reports.map((s) => h('tr', {}, h('td', {}, s.reporter_name), h('td', {}, date(s.check_in)),
        h('td', {}, s.check_out ? date(s.check_out) : '—'), h('td', {}, s.region_code ?? '—'))))),
    reads.el,
    requestsSection(reqs.items),
    section('me-export-sec', t('me_export'), h('p', {}, t('me_export_lead')),
      h('p', { class: 'actions' },
        h('a', { class: 'button secondary', id: 'me-json', href: '/api/v1/me/export?format=json', download: '' }, t('me_json')),
        h('a', { class: 'button', id: 'me-pdf', href: '/api/v1/me/export?format=pdf', download: '' }, t('me_pdf')))),
  );
  await reads.load();
}
