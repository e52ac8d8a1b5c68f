// Issuance, for issuing officers: register a foreigner (POST /api/v1/foreigners), issue a permit
// (POST /api/v1/permits, with a sponsor found or registered here), find a permit and act on it
// (extend, convert ITAS→ITAP, cancel, suspend/resume, EPO, deceased: each confirmed in a dialog,
// with a reason where the API takes one), and print it (card PNG preview, card and e-permit PDF).
// The API names the field it refuses (and lists what an incomplete permit lacks); each message is
// shown next to its field in Bahasa Indonesia and English. The checks made here only mirror the
// server's formats so that typing errors show at once; the server decides.
import { h, api, errorBox } from '../app.js';
import { t, date, instant, getLang, DICT } from '../i18n.js';
import { statusBadge, eventName, WORDS as PERMIT_WORDS } from './permits.js';

export const WORDS = {
  id: {
    ...PERMIT_WORDS.id,
    i_title: 'Penerbitan izin tinggal', i_lead: 'Daftarkan orang asing, terbitkan dan kelola ITAS / ITAP, cetak kartunya.',
    i_tabs: 'Langkah penerbitan', i_tab_register: '1. Daftarkan orang asing', i_tab_issue: '2. Terbitkan izin', i_tab_manage: '3. Kelola dan cetak izin',
    i_task: 'Nomor permohonan', i_task_hint: 'Dicatat di log audit sebagai tujuan setiap pembacaan dan penerbitan.',
    i_identity: 'Identitas', i_passport: 'Paspor', i_address: 'Alamat di Indonesia', i_optional: '(opsional)',
    i_niora: 'NIORA', i_niora_hint: 'Nomor induk orang asing seumur hidup, 1–16 angka.', i_full_name: 'Nama lengkap (sesuai paspor)',
    i_mrz_name: 'Nama MRZ', i_mrz_hint: 'Transliterasi A–Z dan <; dibuat otomatis dari nama bila dikosongkan: {mrz}', i_sex: 'Jenis kelamin',
    i_sex_m: 'Laki-laki (M)', i_sex_f: 'Perempuan (F)', i_sex_x: 'Tidak disebutkan (X)', i_choose: '— pilih —',
    i_birth_place: 'Tempat lahir', i_birth_date: 'Tanggal lahir', i_nationality: 'Kewarganegaraan (ISO alpha-3)', i_occupation: 'Pekerjaan / jabatan',
    i_pp_number: 'Nomor paspor', i_pp_state: 'Negara penerbit (alpha-3)', i_pp_expiry: 'Berlaku s.d.',
    i_line: 'Jalan, nomor, RT/RW', i_kecamatan: 'Kecamatan', i_desa: 'Desa / kelurahan', i_region_code: 'Kode wilayah',
    i_register: 'Daftarkan', i_registered: '{name} terdaftar dengan NIORA {niora}.', i_to_issue: 'Terbitkan izin untuk orang ini →',
    i_open_person: 'Buka data orang asing', i_fix: 'Periksa {n} isian yang ditandai.', i_fix_one: 'Periksa isian yang ditandai.',
    i_holder: 'Pemegang izin', i_holder_find: 'Cari', i_holder_found: '{name} · {nat} · lahir {birth}', i_holder_passport: 'Paspor {n} (s.d. {exp})',
    i_holder_no_passport: 'Belum ada paspor terdaftar: izin tidak dapat diterbitkan.', i_permit: 'Izin', i_number: 'Nomor izin',
    i_number_hint: '1–20 karakter A–Z, 0–9, - atau /', i_type: 'Jenis izin', i_visa: 'Indeks visa', i_visa_hint: 'Tabel yang berlaku pada tanggal mulai.',
    i_visa_max: 'maks. {n} bulan', i_valid_from: 'Berlaku dari', i_valid_until: 'Berlaku s.d.', i_port: 'Tempat masuk (TPI)', i_entry_date: 'Tanggal masuk',
    i_sponsor: 'Penjamin', i_sponsor_q: 'Cari penjamin (nama, NIB atau NIK)', i_sponsor_none: 'Tidak ada penjamin yang cocok.',
    i_sponsor_chosen: 'Penjamin terpilih: {name}', i_sponsor_new: 'Daftarkan penjamin baru', i_sponsor_kind: 'Jenis penjamin',
    i_company: 'Perusahaan', i_person: 'Perseorangan', i_sp_name: 'Nama penjamin', i_nib: 'NIB (13 angka)', i_npwp: 'NPWP (15/16 angka)', i_nik: 'NIK (16 angka)',
    i_pp_new: 'Tambah paspor (paspor baru atau yang belum tercatat)', i_pp_add: 'Simpan paspor', i_sp_register: 'Daftarkan penjamin', i_sp_none_itap: 'Tanpa penjamin (hanya ITAP)', i_issue: 'Terbitkan izin',
    i_issued: 'Izin {n} diterbitkan dan ditandatangani.', i_manage_this: 'Kelola dan cetak izin ini →',
    i_find: 'Cari izin', i_find_q: 'Nomor izin, NIORA, nama atau nomor paspor', i_find_none: 'Tidak ada izin yang cocok.',
    i_card: 'Kartu izin tinggal', i_card_alt: 'Pratinjau kartu {n} dengan kode QR', i_card_pdf: 'Kartu (PDF)', i_card_png: 'Kartu (PNG)', i_epermit_pdf: 'E-permit A4 (PDF)',
    i_actions: 'Tindakan', i_history: 'Riwayat izin', i_when: 'Waktu', i_event: 'Peristiwa', i_reason: 'Alasan',
    a_extend: 'Perpanjang', a_convert: 'Alih status ITAS → ITAP', a_cancel: 'Batalkan / cabut', a_suspend: 'Tangguhkan', a_resume: 'Cabut penangguhan',
    a_exit: 'EPO (keluar)', a_deceased: 'Catat meninggal dunia',
    a_extend_q: 'Perpanjang izin {n}?', a_convert_q: 'Alihkan ITAS {n} menjadi ITAP?', a_cancel_q: 'Batalkan izin {n}?', a_suspend_q: 'Tangguhkan izin {n}?',
    a_resume_q: 'Cabut penangguhan izin {n}?', a_exit_q: 'Tutup izin {n} dengan Exit Permit Only (EPO)?', a_deceased_q: 'Catat pemegang izin {n} meninggal dunia?',
    a_extend_d: 'Diajukan paling cepat tiga bulan sebelum habis berlaku. Kode QR baru ditandatangani.', a_convert_d: 'ITAS ditutup sebagai dialihstatuskan dan ITAP baru diterbitkan (maks. lima tahun).',
    a_cancel_d: 'Kode QR segera ditolak pemeriksa lapangan (daftar status).', a_suspend_d: 'Kode QR ditolak selama penangguhan.', a_resume_d: 'Izin kembali aktif.',
    a_exit_d: 'Untuk keluar dari Indonesia, ganti penjamin atau ganti jenis izin. Izin tidak dapat dibuka kembali.', a_deceased_d: 'Izin ditutup. Tindakan ini tidak dapat dibatalkan.',
    a_new_number: 'Nomor ITAP baru', a_new_until: 'Berlaku s.d. (kosong: lima tahun)', a_reason: 'Alasan', a_reason_req: 'Alasan (wajib)',
    a_confirm: 'Ya, lanjutkan', a_back: 'Batal', a_done_extend: 'Izin {n} diperpanjang s.d. {d}.', a_done_convert: 'ITAP {n} diterbitkan; ITAS {old} dialihstatuskan.',
    a_done: 'Izin {n}: {s}.', a_unavailable: 'Tidak tersedia untuk status ini.',
    e_required: 'wajib diisi', e_server: 'Ditolak server', e_missing_sponsor_id: 'ITAS wajib memiliki penjamin: pilih atau daftarkan penjamin.',
    e_missing_passport: 'orang ini belum memiliki paspor terdaftar; daftarkan paspornya dahulu.', e_missing: 'data belum lengkap: {f}',
    i_lead_register: 'Data diri sesuai paspor. NIORA dan nomor paspor tidak boleh sudah terdaftar.',
    i_lead_issue: 'Izin ditandatangani dengan kunci kantor; kode QR-nya langsung dapat diperiksa petugas lapangan.',
    i_lead_manage: 'Cari izin, lakukan tindakan dengan konfirmasi, dan cetak kartu atau e-permit.',
  },
  en: {
    ...PERMIT_WORDS.en,
    i_title: 'Permit issuance', i_lead: 'Register a foreigner, issue and manage ITAS / ITAP, print the card.',
    i_tabs: 'Issuance steps', i_tab_register: '1. Register a foreigner', i_tab_issue: '2. Issue a permit', i_tab_manage: '3. Manage and print a permit',
    i_task: 'Application number', i_task_hint: 'Recorded in the audit log as the purpose of every read and issuance.',
    i_identity: 'Identity', i_passport: 'Passport', i_address: 'Address in Indonesia', i_optional: '(optional)',
    i_niora: 'NIORA', i_niora_hint: "The foreigner's lifetime number, 1–16 digits.", i_full_name: 'Full name (as in the passport)',
    i_mrz_name: 'MRZ name', i_mrz_hint: 'A–Z and < transliteration; made from the name when left empty: {mrz}', i_sex: 'Sex',
    i_sex_m: 'Male (M)', i_sex_f: 'Female (F)', i_sex_x: 'Unspecified (X)', i_choose: '— choose —',
    i_birth_place: 'Place of birth', i_birth_date: 'Date of birth', i_nationality: 'Nationality (ISO alpha-3)', i_occupation: 'Occupation / job title',
    i_pp_number: 'Passport number', i_pp_state: 'Issuing state (alpha-3)', i_pp_expiry: 'Valid until',
    i_line: 'Street, number, RT/RW', i_kecamatan: 'Kecamatan', i_desa: 'Desa / kelurahan', i_region_code: 'Region code',
    i_register: 'Register', i_registered: '{name} registered with NIORA {niora}.', i_to_issue: 'Issue a permit for this person →',
    i_open_person: "Open the foreigner's record", i_fix: 'Check the {n} marked fields.', i_fix_one: 'Check the marked field.',
    i_holder: 'Holder', i_holder_find: 'Find', i_holder_found: '{name} · {nat} · born {birth}', i_holder_passport: 'Passport {n} (until {exp})',
    i_holder_no_passport: 'No passport on record: no permit can be issued.', i_permit: 'Permit', i_number: 'Permit number',
    i_number_hint: '1–20 characters A–Z, 0–9, - or /', i_type: 'Permit type', i_visa: 'Visa index', i_visa_hint: 'The table in force on the first day.',
    i_visa_max: 'max. {n} months', i_valid_from: 'Valid from', i_valid_until: 'Valid until', i_port: 'Port of entry', i_entry_date: 'Date of entry',
    i_sponsor: 'Sponsor', i_sponsor_q: 'Find a sponsor (name, NIB or NIK)', i_sponsor_none: 'No sponsor matches.',
    i_sponsor_chosen: 'Sponsor chosen: {name}', i_sponsor_new: 'Register a new sponsor', i_sponsor_kind: 'Sponsor kind',
    i_company: 'Company', i_person: 'Person', i_sp_name: 'Sponsor name', i_nib: 'NIB (13 digits)', i_npwp: 'NPWP (15/16 digits)', i_nik: 'NIK (16 digits)',
    i_pp_new: 'Add a passport (a new one, or one not on record)', i_pp_add: 'Save passport', i_sp_register: 'Register sponsor', i_sp_none_itap: 'No sponsor (ITAP only)', i_issue: 'Issue permit',
    i_issued: 'Permit {n} issued and signed.', i_manage_this: 'Manage and print this permit →',
    i_find: 'Find a permit', i_find_q: 'Permit number, NIORA, name or passport number', i_find_none: 'No permit matches.',
    i_card: 'Permit card', i_card_alt: 'Preview of card {n} with its QR code', i_card_pdf: 'Card (PDF)', i_card_png: 'Card (PNG)', i_epermit_pdf: 'A4 e-permit (PDF)',
    i_actions: 'Actions', i_history: 'Permit history', i_when: 'When', i_event: 'Event', i_reason: 'Reason',
    a_extend: 'Extend', a_convert: 'Convert ITAS → ITAP', a_cancel: 'Cancel / revoke', a_suspend: 'Suspend', a_resume: 'Lift suspension',
    a_exit: 'EPO (exit)', a_deceased: 'Record death',
    a_extend_q: 'Extend permit {n}?', a_convert_q: 'Convert ITAS {n} to an ITAP?', a_cancel_q: 'Cancel permit {n}?', a_suspend_q: 'Suspend permit {n}?',
    a_resume_q: 'Lift the suspension of permit {n}?', a_exit_q: 'Close permit {n} by Exit Permit Only (EPO)?', a_deceased_q: 'Record the death of the holder of permit {n}?',
    a_extend_d: 'Filed from three months before expiry. A new QR code is signed.', a_convert_d: 'The ITAS is closed as converted and a new ITAP issued (at most five years).',
    a_cancel_d: 'Field checks refuse the QR code at once (status list).', a_suspend_d: 'The QR code is refused while suspended.', a_resume_d: 'The permit is active again.',
    a_exit_d: 'For leaving Indonesia, changing sponsor or changing permit type. The permit cannot be reopened.', a_deceased_d: 'The permit is closed. This cannot be undone.',
    a_new_number: 'New ITAP number', a_new_until: 'Valid until (empty: five years)', a_reason: 'Reason', a_reason_req: 'Reason (required)',
    a_confirm: 'Yes, go ahead', a_back: 'Cancel', a_done_extend: 'Permit {n} extended until {d}.', a_done_convert: 'ITAP {n} issued; ITAS {old} converted.',
    a_done: 'Permit {n}: {s}.', a_unavailable: 'Not available in this status.',
    e_required: 'required', e_server: 'Refused by the server', e_missing_sponsor_id: 'An ITAS needs a sponsor: choose or register one.',
    e_missing_passport: 'this person has no passport on record; register it first.', e_missing: 'incomplete: {f}',
    i_lead_register: 'Personal data as in the passport. The NIORA and the passport must not be registered yet.',
    i_lead_issue: "The permit is signed with the office's key; field officers can check its QR code at once.",
    i_lead_manage: 'Find a permit, act on it with a confirmation, and print the card or e-permit.',
  },
};

/** The server's English reasons (after `field: `) and their Indonesian; `$1` is the captured part. */
const REASONS = [
  [/^want a date as YYYY-MM-DD$/, 'isi tanggal dengan format TTTT-BB-HH'],
  [/^(.+) is not a calendar date$/, '$1 bukan tanggal kalender yang sah'],
  [/^in the future$/, 'tidak boleh di masa depan'],
  [/^(\d+)-(\d+) characters$/, 'isi $1–$2 karakter'],
  [/^1-40 characters A-Z or '<'$/, "isi 1–40 huruf A–Z atau '<'"],
  [/^the name has no Latin letters; give mrz_name$/, 'nama tidak memuat huruf Latin; isi nama MRZ'],
  [/^want 1-9 characters A-Z or 0-9$/, 'isi 1–9 huruf kapital A–Z atau angka 0–9'],
  [/^want an ISO 3166-1 alpha-3 code such as JPN$/, 'isi kode negara ISO 3166-1 alpha-3, mis. JPN'],
  [/^want 1-16 digits$/, 'isi 1–16 angka'],
  [/^want 1-20 characters A-Z, 0-9, '-' or '\/'$/, "isi 1–20 karakter A–Z, 0–9, '-' atau '/'"],
  [/^want 13 digits$/, 'isi 13 angka'],
  [/^want 15 or 16 digits$/, 'isi 15 atau 16 angka'],
  [/^want 16 digits$/, 'isi 16 angka'],
  [/^not a plausible NIK/, 'bukan NIK yang mungkin (kode provinsi atau tanggal lahir di luar rentang)'],
  [/^want a Kemendagri code PP\.KK\.CC\.DDDD/, 'pilih desa / kelurahan (kode Kemendagri PP.KK.CC.DDDD)'],
  [/^give both lat and lng, or neither$/, 'isi lintang dan bujur, atau keduanya kosong'],
  [/^unknown value/, 'nilai tidak dikenal'],
  [/^want company or person$/, 'pilih perusahaan atau perseorangan'],
  [/^before valid_from$/, 'tidak boleh sebelum tanggal mulai berlaku'],
  [/^longer than (\d+) months for (.+)$/, 'lebih dari $1 bulan untuk $2'],
  [/^no visa index (\S+) in force on (\S+)$/, 'indeks visa $1 tidak berlaku pada $2'],
  [/^unknown NIORA$/, 'NIORA belum terdaftar'],
  [/^unknown sponsor$/, 'penjamin tidak dikenal'],
  [/^a reason is required$/, 'alasan wajib diisi'],
  [/^at most (\d+) characters$/, 'paling banyak $1 karakter'],
  [/^an extension is filed from three months before expiry$/, 'perpanjangan diajukan paling cepat tiga bulan sebelum habis berlaku'],
  [/^an ITAP runs at most five years$/, 'ITAP berlaku paling lama lima tahun'],
  [/^only an active ITAS can be converted$/, 'hanya ITAS yang aktif dapat dialihstatuskan'],
  [/^permit (\S+) is not suspended$/, 'izin $1 tidak sedang ditangguhkan'],
  [/^this NIORA is already registered$/, 'NIORA ini sudah terdaftar'],
  [/^this passport is already registered$/, 'paspor ini sudah terdaftar'],
  [/^this permit number is already used$/, 'nomor izin ini sudah dipakai'],
  [/^a sponsor with this (NIB|NIK) is already registered$/, 'penjamin dengan $1 ini sudah terdaftar'],
  [/^missing field/, 'wajib diisi'],
  [/^required$/, 'wajib diisi'],
];

/** One message in both languages: { id, en } from the server's (or a mirrored check's) English. */
function bilingual(field, message) {
  const en = String(message || '').replace(/^[\w.]+: /, '');
  for (const [re, id] of REASONS) {
    if (re.test(en)) return { id: en.replace(re, id), en };
  }
  return { id: `${DICT.id.e_server}: ${en}`, en };
}

const PATTERNS = {
  niora: [/^\d{1,16}$/, 'want 1-16 digits'],
  passport: [/^[A-Z0-9]{1,9}$/, 'want 1-9 characters A-Z or 0-9'],
  alpha3: [/^[A-Z]{3}$/, 'want an ISO 3166-1 alpha-3 code such as JPN'],
  number: [/^[A-Z0-9/-]{1,20}$/, "want 1-20 characters A-Z, 0-9, '-' or '/'"],
  date: [/^\d{4}-\d{2}-\d{2}$/, 'want a date as YYYY-MM-DD'],
  nib: [/^\d{13}$/, 'want 13 digits'],
  npwp: [/^\d{15,16}$/, 'want 15 or 16 digits'],
  nik: [/^\d{16}$/, 'want 16 digits'],
};

const NATIONS = ['JPN', 'KOR', 'CHN', 'IND', 'TWN', 'MYS', 'SGP', 'THA', 'VNM', 'PHL', 'AUS', 'USA', 'GBR', 'DEU', 'FRA', 'NLD', 'RUS', 'SAU', 'ARE', 'PAK', 'BGD', 'NGA'];

const isoDay = (offset = 0) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);

/** `YYYY-MM-DD` plus n months, minus one day: the last day of a grant of n months. */
function lastDay(from, months) {
  const d = new Date(`${from}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return '';
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const dim = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, dim));
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

/** MRZ-style transliteration, as the server makes it when the MRZ name is left empty. */
function mrzOf(name) {
  const fold = name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toUpperCase();
  return fold.replace(/[^A-Z]+/g, '<').replace(/^<+|<+$/g, '').slice(0, 40);
}

let uid = 0;

/** A labelled field: `name` is the API's field path; returns the wrapper with `.input`. */
function field(name, label, input, { hint, wide = false, optional = false } = {}) {
  const id = `f-${name.replace(/\W/g, '-')}-${++uid}`;
  input.id = id;
  input.dataset.field = name;
  const hintEl = hint ? h('small', { class: 'hint', id: `${id}-hint` }, hint) : null;
  const err = h('p', { class: 'field-error', id: `${id}-err`, 'aria-live': 'polite' });
  input.setAttribute('aria-describedby', [hintEl && hintEl.id, err.id].filter(Boolean).join(' '));
  const wrap = h('div', { class: `field${wide ? ' wide' : ''}` },
    h('label', { for: id }, label, optional ? h('span', { class: 'muted' }, ` ${t('i_optional')}`) : null), input, hintEl, err);
  wrap.input = input;
  return wrap;
}

const text = (attrs = {}) => h('input', { type: 'text', autocomplete: 'off', ...attrs });

function select(options, attrs = {}) {
  return h('select', attrs, ...options.map(([v, label]) => h('option', { value: v }, label)));
}

/** Clears the marks of a form. */
function clearErrors(form) {
  form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
  form.querySelectorAll('.field-error').forEach((el) => el.replaceChildren());
  form.querySelectorAll('.form-errors').forEach((el) => { el.hidden = true; el.replaceChildren(); });
}

/** One message line in the current language first, the other beneath it. */
function messageLines(m) {
  const [first, second] = getLang() === 'en' ? ['en', 'id'] : ['id', 'en'];
  return [h('span', { lang: first, class: 'msg-main' }, m[first]), h('span', { lang: second, class: 'msg-alt' }, m[second])];
}

/**
 * Shows errors [{ field, message } or { field, id, en }] next to their fields (the form-level box
 * for a field the form lacks) and focuses the first one.
 */
function showErrors(form, errors) {
  clearErrors(form);
  const box = form.querySelector('.form-errors');
  let first = null;
  const unplaced = [];
  for (const e of errors) {
    const m = e.id ? { id: e.id, en: e.en } : bilingual(e.field, e.message);
    const input = e.field ? form.querySelector(`[data-field="${CSS.escape(e.field)}"]`) : null;
    if (!input) {
      unplaced.push(m);
      continue;
    }
    input.setAttribute('aria-invalid', 'true');
    const err = form.querySelector(`#${CSS.escape(input.id)}-err`);
    err.replaceChildren(...messageLines(m));
    first ||= input;
  }
  if (box) {
    box.hidden = false;
    box.replaceChildren(
      h('strong', {}, errors.length > 1 ? t('i_fix', { n: errors.length }) : t('i_fix_one')),
      ...unplaced.map((m) => h('p', {}, ...messageLines(m))));
  }
  (first || box)?.focus();
}

/** The API's refusal as field errors: one per missing field when the data are incomplete. */
function apiErrors(e) {
  if (e.code === 'incomplete' && e.missing.length) {
    return e.missing.map((f) => {
      const key = `e_missing_${f}`;
      return DICT.id[key]
        ? { field: f, id: DICT.id[key], en: DICT.en[key] }
        : { field: f, id: DICT.id.e_missing.replace('{f}', f), en: DICT.en.e_missing.replace('{f}', f) };
    });
  }
  return [{ field: e.field, message: e.message }];
}

/** Mirrored format checks: [[apiField, value, pattern key, required]] → errors. */
function check(rules) {
  const out = [];
  for (const [f, v, pat, required] of rules) {
    if (!v) {
      if (required) out.push({ field: f, message: 'required' });
      continue;
    }
    if (pat && !PATTERNS[pat][0].test(v)) out.push({ field: f, message: PATTERNS[pat][1] });
  }
  return out;
}

/** Runs `work` with the form's submit button disabled; shows API refusals by field. */
async function submitting(form, work, btn = form.querySelector('button[type="submit"]')) {
  btn.disabled = true;
  form.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } catch (e) {
    if (e.status && e.status < 500 && e.status !== 401) showErrors(form, apiErrors(e));
    else showErrors(form, [{ field: null, id: `${DICT.id.error}: ${e.message}`, en: `${DICT.en.error}: ${e.message}` }]);
    return undefined;
  } finally {
    btn.disabled = false;
    form.removeAttribute('aria-busy');
  }
}

/** The region picker: kecamatan then desa / kelurahan, from the embedded Kemendagri codes. */
async function regionPicker() {
  const csv = await fetch('/assets/geo/wilayah.csv').then((r) => r.text());
  const rows = csv.trim().split(/\r?\n/).slice(1).map((l) => { const [code, name, level] = l.split(','); return { code, name, level }; });
  const kab = rows.filter((r) => r.level === 'kabupaten_kota');
  const kec = rows.filter((r) => r.level === 'kecamatan');
  const desa = rows.filter((r) => r.level === 'desa_kelurahan');
  const kecSel = h('select', {}, h('option', { value: '' }, t('i_choose')),
    ...kab.map((k) => h('optgroup', { label: k.name }, ...kec.filter((c) => c.code.startsWith(`${k.code}.`)).sort((a, b) => a.name.localeCompare(b.name))
      .map((c) => h('option', { value: c.code }, c.name)))));
  const desaSel = h('select', { disabled: true }, h('option', { value: '' }, t('i_choose')));
  const code = h('output', { class: 'mono region-code' }, '–');
  kecSel.addEventListener('change', () => {
    const list = desa.filter((d) => d.code.startsWith(`${kecSel.value}.`)).sort((a, b) => a.name.localeCompare(b.name));
    desaSel.replaceChildren(h('option', { value: '' }, t('i_choose')), ...list.map((d) => h('option', { value: d.code }, d.name)));
    desaSel.disabled = !list.length;
    code.textContent = '–';
  });
  desaSel.addEventListener('change', () => { code.textContent = desaSel.value || '–'; });
  return { kecSel, desaSel, code };
}

function tabs(panels, active) {
  const list = h('div', { class: 'tabs', role: 'tablist', 'aria-label': t('i_tabs') });
  const buttons = panels.map((p) => h('button', {
    type: 'button', role: 'tab', id: `tab-${p.key}`, 'aria-controls': `panel-${p.key}`, class: 'tab',
  }, t(`i_tab_${p.key}`)));
  const show = (key, focus = false) => {
    panels.forEach((p, i) => {
      const on = p.key === key;
      buttons[i].setAttribute('aria-selected', on ? 'true' : 'false');
      buttons[i].tabIndex = on ? 0 : -1;
      p.el.hidden = !on;
      if (on && focus) buttons[i].focus();
    });
    const u = new URL(location.href);
    u.searchParams.set('step', key);
    history.replaceState(null, '', u);
  };
  buttons.forEach((b, i) => {
    b.addEventListener('click', () => show(panels[i].key));
    b.addEventListener('keydown', (ev) => {
      const d = { ArrowRight: 1, ArrowLeft: -1 }[ev.key];
      if (d) { ev.preventDefault(); show(panels[(i + d + panels.length) % panels.length].key, true); }
    });
  });
  list.append(...buttons);
  panels.forEach((p) => { p.el.setAttribute('role', 'tabpanel'); p.el.id = `panel-${p.key}`; p.el.setAttribute('aria-labelledby', `tab-${p.key}`); });
  show(active);
  return { list, show };
}

export async function render(main) {
  const params = new URLSearchParams(location.search);
  const task = text({ id: 'task', value: sessionStorage.getItem('pora.issue.task') || '', placeholder: 'W.11.IMI.3-GR.01.01-1234', maxlength: 56, size: 26 });
  task.addEventListener('change', () => sessionStorage.setItem('pora.issue.task', task.value.trim()));
  /** The purpose of this page's reads: the application number, else what is being handled. */
  const why = (subject) => `issuance:${(task.value.trim() || subject).slice(0, 64)}`;

  const register = h('section', { class: 'panel block' });
  const issue = h('section', { class: 'panel block' });
  const manage = h('section', { class: 'panel block' });
  const nav = tabs([{ key: 'register', el: register }, { key: 'issue', el: issue }, { key: 'manage', el: manage }],
    ['register', 'issue', 'manage'].includes(params.get('step')) ? params.get('step') : (params.get('permit') ? 'manage' : 'register'));

  main.append(
    h('div', { class: 'page-head' },
      h('div', {}, h('h1', {}, t('i_title')), h('p', { class: 'muted lead' }, t('i_lead'))),
      h('div', { class: 'field task' }, h('label', { for: 'task' }, t('i_task')), task, h('small', { class: 'hint' }, t('i_task_hint')))),
    nav.list, register, issue, manage);

  const manageApi = await manageStep(manage, why);
  const issueApi = await issueStep(issue, why, task, (permit) => { nav.show('manage'); manageApi.open(permit.number); });
  await registerStep(register, (niora) => { nav.show('issue', true); issueApi.holder(niora); });
  if (params.get('niora')) issueApi.holder(params.get('niora'));
  if (params.get('permit')) manageApi.open(params.get('permit'));
}

// ------------------------------------------------------------------------------------------------
// 1. Register a foreigner

async function registerStep(panel, onIssue) {
  const { kecSel, desaSel, code } = await regionPicker();
  const nat = h('datalist', { id: 'nations' }, ...NATIONS.map((n) => h('option', { value: n })));
  const f = {
    niora: field('niora', t('i_niora'), text({ inputmode: 'numeric', maxlength: 16, autocomplete: 'off' }), { hint: t('i_niora_hint') }),
    full_name: field('full_name', t('i_full_name'), text({ maxlength: 100, autocomplete: 'off' }), { wide: true }),
    mrz_name: field('mrz_name', t('i_mrz_name'), text({ maxlength: 40, class: 'upper' }), { optional: true, hint: t('i_mrz_hint', { mrz: '–' }) }),
    sex: field('sex', t('i_sex'), select([['', t('i_choose')], ['M', t('i_sex_m')], ['F', t('i_sex_f')], ['X', t('i_sex_x')]])),
    birth_place: field('birth_place', t('i_birth_place'), text({ maxlength: 100 })),
    birth_date: field('birth_date', t('i_birth_date'), h('input', { type: 'date', max: isoDay() })),
    nationality: field('nationality', t('i_nationality'), text({ list: 'nations', maxlength: 3, class: 'upper', size: 6 })),
    occupation: field('occupation', t('i_occupation'), text({ maxlength: 100 }), { optional: true }),
    pp_number: field('passport.number', t('i_pp_number'), text({ maxlength: 9, class: 'upper' })),
    pp_state: field('passport.issuing_state', t('i_pp_state'), text({ list: 'nations', maxlength: 3, class: 'upper', size: 6 })),
    pp_expiry: field('passport.expiry_date', t('i_pp_expiry'), h('input', { type: 'date', min: isoDay() })),
    line: field('address.line', t('i_line'), text({ maxlength: 200 }), { wide: true }),
    kec: field('kecamatan', t('i_kecamatan'), kecSel),
    desa: field('address.region_code', t('i_desa'), desaSel),
  };
  const mrzHint = f.mrz_name.querySelector('.hint');
  f.full_name.input.addEventListener('input', () => { mrzHint.textContent = t('i_mrz_hint', { mrz: mrzOf(f.full_name.input.value) || '–' }); });
  // The state that issued the passport is usually the nationality.
  f.nationality.input.addEventListener('change', () => { if (!f.pp_state.input.value) f.pp_state.input.value = f.nationality.input.value.toUpperCase(); });
  const done = h('div', { id: 'register-done', 'aria-live': 'polite' });
  const form = h('form', { id: 'register-form', novalidate: true },
    h('div', { class: 'form-errors error', role: 'alert', tabindex: -1, hidden: true }),
    h('fieldset', {}, h('legend', {}, t('i_identity')),
      h('div', { class: 'form-grid' }, f.niora, f.full_name, f.mrz_name, f.sex, f.birth_place, f.birth_date, f.nationality, f.occupation)),
    h('fieldset', {}, h('legend', {}, t('i_passport')),
      h('div', { class: 'form-grid' }, f.pp_number, f.pp_state, f.pp_expiry)),
    h('fieldset', {}, h('legend', {}, t('i_address'), h('span', { class: 'muted' }, ` ${t('i_optional')}`)),
      h('div', { class: 'form-grid' }, f.line, f.kec, f.desa, h('div', { class: 'field' }, h('span', { class: 'label' }, t('i_region_code')), code))),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', id: 'register-submit' }, t('i_register'))),
    nat);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    done.replaceChildren();
    const v = (w) => w.input.value.trim();
    const up = (w) => v(w).toUpperCase();
    const body = {
      niora: v(f.niora), full_name: v(f.full_name), sex: f.sex.input.value, birth_place: v(f.birth_place), birth_date: f.birth_date.input.value,
      nationality: up(f.nationality),
      passport: { number: up(f.pp_number), issuing_state: up(f.pp_state), expiry_date: f.pp_expiry.input.value },
    };
    if (v(f.mrz_name)) body.mrz_name = up(f.mrz_name);
    if (v(f.occupation)) body.occupation = v(f.occupation);
    const wantsAddress = v(f.line) || kecSel.value || desaSel.value;
    if (wantsAddress) body.address = { line: v(f.line), region_code: desaSel.value };
    const errors = check([
      ['niora', body.niora, 'niora', true], ['full_name', body.full_name, null, true], ['sex', body.sex, null, true],
      ['birth_place', body.birth_place, null, true], ['birth_date', body.birth_date, 'date', true], ['nationality', body.nationality, 'alpha3', true],
      ['passport.number', body.passport.number, 'passport', true], ['passport.issuing_state', body.passport.issuing_state, 'alpha3', true],
      ['passport.expiry_date', body.passport.expiry_date, 'date', true],
      ...(wantsAddress ? [['address.line', body.address.line, null, true], ['address.region_code', body.address.region_code, null, true]] : []),
    ]);
    if (errors.length) { showErrors(form, errors); return; }
    const r = await submitting(form, () => api('/api/v1/foreigners', { method: 'POST', body }));
    if (!r) return;
    clearErrors(form);
    form.reset();
    kecSel.dispatchEvent(new Event('change'));
    done.replaceChildren(h('div', { class: 'ok-box', role: 'status' },
      h('p', {}, t('i_registered', { name: body.full_name, niora: r.niora })),
      h('div', { class: 'actions' },
        h('button', { type: 'button', id: 'to-issue', onclick: () => onIssue(r.niora) }, t('i_to_issue')),
        h('a', { class: 'button secondary', href: `/persons/${encodeURIComponent(r.niora)}` }, t('i_open_person')))));
    done.querySelector('button').focus();
  });
  panel.append(h('p', { class: 'muted step-lead' }, t('i_lead_register')), done, form);
}

// ------------------------------------------------------------------------------------------------
// 2. Issue a permit

async function issueStep(panel, why, task, onManage) {
  const visas = (await api('/api/v1/visa-index')).items;
  const f = {
    niora: field('niora', t('i_niora'), text({ inputmode: 'numeric', maxlength: 16 })),
    number: field('number', t('i_number'), text({ maxlength: 20, class: 'upper' }), { hint: t('i_number_hint') }),
    type: field('permit_type', t('i_type'), select([['ITAS', 'ITAS'], ['ITAP', 'ITAP']])),
    visa: field('visa_code', t('i_visa'), h('select', {}), { hint: t('i_visa_hint'), wide: true }),
    from: field('valid_from', t('i_valid_from'), h('input', { type: 'date', value: isoDay() })),
    until: field('valid_until', t('i_valid_until'), h('input', { type: 'date' })),
    occupation: field('occupation', t('i_occupation'), text({ maxlength: 100 }), { optional: true }),
    port: field('port_of_entry', t('i_port'), text({ maxlength: 60, placeholder: 'CGK' }), { optional: true }),
    entry: field('entry_date', t('i_entry_date'), h('input', { type: 'date', max: isoDay() }), { optional: true }),
  };
  const holderInfo = h('div', { class: 'holder-info', id: 'holder-info', 'aria-live': 'polite' });
  let holder = null;
  const lookUp = async () => {
    const n = f.niora.input.value.trim();
    holder = null;
    holderInfo.replaceChildren();
    if (!PATTERNS.niora[0].test(n)) return;
    try {
      const rec = await api(`/api/v1/foreigners/${encodeURIComponent(n)}`, { personal: why(n) });
      holder = rec;
      const pp = rec.passports[0];
      holderInfo.replaceChildren(...[h('p', {}, h('strong', {}, t('i_holder_found', { name: rec.foreigner.full_name, nat: rec.foreigner.nationality, birth: date(rec.foreigner.birth_date) }))),
        pp ? h('p', { class: 'muted' }, t('i_holder_passport', { n: pp.number, exp: date(pp.expiry_date) })) : h('p', { class: 'field-error' }, t('i_holder_no_passport')),
        rec.permits.length ? h('p', { class: 'muted' }, rec.permits.map((p) => `${p.number} (${p.permit_type}, ${t(`st_${p.status}`)})`).join(' · ')) : null,
        passportForm(n, rec.foreigner.nationality, !pp, lookUp)].filter(Boolean));
      if (!f.occupation.input.value && rec.foreigner.occupation) f.occupation.input.placeholder = rec.foreigner.occupation;
    } catch (e) {
      holderInfo.replaceChildren(h('p', { class: 'field-error' }, ...messageLines(bilingual('niora', e.status === 404 ? 'unknown NIORA' : e.message))));
    }
  };
  f.niora.input.addEventListener('change', lookUp);

  let autoUntil = true;
  const fillVisas = () => {
    const on = f.from.input.value || isoDay();
    const keep = f.visa.input.value;
    const list = visas.filter((v) => v.valid_from <= on && (!v.valid_until || v.valid_until >= on));
    f.visa.input.replaceChildren(h('option', { value: '' }, t('i_choose')),
      ...list.map((v) => h('option', { value: v.code, dataset: { months: v.max_months, table: v.table_version } }, `${v.code} — ${v.title} (${v.table_version}, ${t('i_visa_max', { n: v.max_months })})`)));
    if (list.some((v) => v.code === keep)) f.visa.input.value = keep;
  };
  const fillUntil = () => {
    if (!autoUntil) return;
    const opt = f.visa.input.selectedOptions[0];
    const months = f.type.input.value === 'ITAP' ? 60 : Number(opt?.dataset.months || 0);
    f.until.input.value = months && f.from.input.value ? lastDay(f.from.input.value, months) : '';
  };
  f.from.input.addEventListener('change', () => { fillVisas(); fillUntil(); });
  f.visa.input.addEventListener('change', fillUntil);
  f.type.input.addEventListener('change', () => { fillUntil(); sponsorNone.hidden = f.type.input.value !== 'ITAP'; });
  f.until.input.addEventListener('input', () => { autoUntil = !f.until.input.value; });
  fillVisas();

  // The sponsor: found among the office's sponsors, or registered here.
  const sponsorId = h('input', { type: 'hidden', value: '' });
  const chosen = h('p', { class: 'chosen', id: 'sponsor-chosen', 'aria-live': 'polite' });
  const results = h('ul', { class: 'picklist', id: 'sponsor-results' });
  const choose = (s) => {
    sponsorId.value = s ? String(s.id) : '';
    chosen.textContent = s ? t('i_sponsor_chosen', { name: `${s.name}${s.nib ? ` · NIB ${s.nib}` : ''}${s.nik ? ` · NIK ${s.nik}` : ''}` }) : '';
    results.querySelectorAll('button').forEach((b) => b.setAttribute('aria-pressed', b.dataset.id === sponsorId.value ? 'true' : 'false'));
  };
  const q = h('input', { type: 'search', id: 'sponsor-q', placeholder: t('i_sponsor_q'), 'aria-label': t('i_sponsor_q'), maxlength: 100 });
  const search = async () => {
    results.replaceChildren(h('li', { class: 'loading' }, t('loading')));
    try {
      const r = await api(`/api/v1/sponsors?limit=8&q=${encodeURIComponent(q.value.trim())}`, { personal: why('sponsor') });
      results.replaceChildren(...(r.items.length ? r.items.map((s) => h('li', {}, h('button', {
        type: 'button', class: 'pick', dataset: { id: String(s.id) }, 'aria-pressed': String(s.id) === sponsorId.value ? 'true' : 'false', onclick: () => choose(s),
      }, h('b', {}, s.name), h('small', {}, `${t(s.kind === 'company' ? 'i_company' : 'i_person')}${s.nib ? ` · NIB ${s.nib}` : ''}${s.nik ? ` · NIK ${s.nik}` : ''}`)))) : [h('li', { class: 'muted' }, t('i_sponsor_none'))]));
    } catch (e) {
      results.replaceChildren(h('li', {}, errorBox(e)));
    }
  };
  q.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { ev.preventDefault(); search(); } });
  const sponsorNone = h('button', { type: 'button', class: 'link', hidden: true, onclick: () => choose(null) }, t('i_sp_none_itap'));
  const sponsorField = h('div', { class: 'field wide' },
    h('div', { class: 'search-row' }, q, h('button', { type: 'button', class: 'secondary', id: 'sponsor-search', onclick: search }, t('i_holder_find')), sponsorNone),
    results, chosen, h('p', { class: 'field-error', id: 'sponsor-id-err', 'aria-live': 'polite' }));
  sponsorId.id = 'sponsor-id';
  sponsorId.dataset.field = 'sponsor_id';
  // A hidden input cannot take focus: the search box stands for it when the sponsor is at fault.
  q.dataset.field = 'sponsor_id';
  q.id = 'sponsor-id-q';
  sponsorField.querySelector('.field-error').id = 'sponsor-id-q-err';
  q.setAttribute('aria-describedby', 'sponsor-id-q-err');

  const newSponsor = sponsorForm((s) => { choose(s); results.replaceChildren(); });

  const done = h('div', { id: 'issue-done', 'aria-live': 'polite' });
  const form = h('form', { id: 'issue-form', novalidate: true },
    h('div', { class: 'form-errors error', role: 'alert', tabindex: -1, hidden: true }),
    h('fieldset', {}, h('legend', {}, t('i_holder')),
      h('div', { class: 'form-grid' }, h('div', { class: 'field' }, f.niora.querySelector('label'), h('div', { class: 'search-row' }, f.niora.input,
        h('button', { type: 'button', class: 'secondary', onclick: lookUp }, t('i_holder_find'))), f.niora.querySelector('.field-error')), holderInfo)),
    h('fieldset', {}, h('legend', {}, t('i_permit')),
      h('div', { class: 'form-grid' }, f.number, f.type, f.visa, f.from, f.until, f.occupation, f.port, f.entry)),
    h('fieldset', {}, h('legend', {}, t('i_sponsor')), sponsorField, sponsorId, newSponsor),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', id: 'issue-submit' }, t('i_issue'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    done.replaceChildren();
    const body = {
      niora: f.niora.input.value.trim(), number: f.number.input.value.trim().toUpperCase(), permit_type: f.type.input.value,
      visa_code: f.visa.input.value, valid_from: f.from.input.value, valid_until: f.until.input.value,
    };
    const table = f.visa.input.selectedOptions[0]?.dataset.table;
    if (table) body.visa_table = table;
    if (sponsorId.value) body.sponsor_id = Number(sponsorId.value);
    const occ = f.occupation.input.value.trim();
    if (occ) body.occupation = occ;
    if (f.port.input.value.trim()) body.port_of_entry = f.port.input.value.trim();
    if (f.entry.input.value) body.entry_date = f.entry.input.value;
    body.task = task.value.trim() || undefined;
    const errors = check([
      ['niora', body.niora, 'niora', true], ['number', body.number, 'number', true], ['visa_code', body.visa_code, null, true],
      ['valid_from', body.valid_from, 'date', true], ['valid_until', body.valid_until, 'date', true],
    ]);
    if (errors.length) { showErrors(form, errors); return; }
    const r = await submitting(form, () => api('/api/v1/permits', { method: 'POST', body }));
    if (!r) return;
    clearErrors(form);
    const p = r.permit;
    done.replaceChildren(h('div', { class: 'ok-box', role: 'status' },
      h('p', {}, h('strong', {}, t('i_issued', { n: p.number })), ' ', `${p.permit_type} ${p.visa_code} · ${p.full_name} · ${date(p.valid_from)} – ${date(p.valid_until)}`),
      h('div', { class: 'actions' }, h('button', { type: 'button', id: 'to-manage', onclick: () => onManage(p) }, t('i_manage_this')))));
    f.number.input.value = '';
    lookUp();
    done.querySelector('button').focus();
  });
  panel.append(h('p', { class: 'muted step-lead' }, t('i_lead_issue')), done, form);
  return {
    holder(niora) {
      f.niora.input.value = niora;
      lookUp();
    },
  };
}

/**
 * Adds a passport to a registered person (a new passport, or the first one when none is on record):
 * the credential carries the newest. A group inside the issuance form, with its own button; its
 * fields are named `passport.*` so that they cannot be taken for the permit's own.
 */
function passportForm(niora, nationality, open, onAdded) {
  const number = field('passport.number', t('i_pp_number'), text({ maxlength: 9, class: 'upper' }));
  const state = field('passport.issuing_state', t('i_pp_state'), text({ list: 'nations', maxlength: 3, class: 'upper', size: 6, value: nationality }));
  const expiry = field('passport.expiry_date', t('i_pp_expiry'), h('input', { type: 'date', min: isoDay() }));
  const btn = h('button', { type: 'button', class: 'secondary', id: 'passport-submit' }, t('i_pp_add'));
  const box = h('div', { id: 'passport-form', role: 'group', 'aria-label': t('i_pp_new') },
    h('div', { class: 'form-errors error', role: 'alert', tabindex: -1, hidden: true }),
    h('div', { class: 'form-grid' }, number, state, expiry), h('div', { class: 'form-actions' }, btn));
  const submit = async () => {
    const body = { number: number.input.value.trim().toUpperCase(), issuing_state: state.input.value.trim().toUpperCase(), expiry_date: expiry.input.value };
    const errors = check([['passport.number', body.number, 'passport', true], ['passport.issuing_state', body.issuing_state, 'alpha3', true],
      ['passport.expiry_date', body.expiry_date, 'date', true]]);
    if (errors.length) { showErrors(box, errors); return; }
    const r = await submitting(box, async () => {
      try {
        return await api(`/api/v1/foreigners/${encodeURIComponent(niora)}/passports`, { method: 'POST', body });
      } catch (e) {
        if (e.field) e.field = `passport.${e.field}`;
        throw e;
      }
    }, btn);
    if (r) onAdded();
  };
  btn.addEventListener('click', submit);
  box.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' && ev.target.tagName === 'INPUT') { ev.preventDefault(); submit(); } });
  return h('details', { class: 'sub-form', id: 'passport-new', open }, h('summary', {}, t('i_pp_new')), box);
}

/**
 * The part of the issuance form that registers a sponsor (a company with NIB and NPWP, or a person
 * with NIK). It sits inside the issuance form, so it is a group with its own button, not a form.
 */
function sponsorForm(onCreated) {
  const kind = field('kind', t('i_sponsor_kind'), select([['company', t('i_company')], ['person', t('i_person')]]));
  const name = field('name', t('i_sp_name'), text({ maxlength: 200 }), { wide: true });
  const nib = field('nib', t('i_nib'), text({ inputmode: 'numeric', maxlength: 13 }));
  const npwp = field('npwp', t('i_npwp'), text({ inputmode: 'numeric', maxlength: 16 }));
  const nik = field('nik', t('i_nik'), text({ inputmode: 'numeric', maxlength: 16 }));
  const sync = () => { const company = kind.input.value === 'company'; nib.hidden = !company; npwp.hidden = !company; nik.hidden = company; };
  kind.input.addEventListener('change', sync);
  sync();
  const btn = h('button', { type: 'button', class: 'secondary', id: 'sponsor-submit' }, t('i_sp_register'));
  const form = h('div', { id: 'sponsor-form', role: 'group', 'aria-label': t('i_sponsor_new') },
    h('div', { class: 'form-errors error', role: 'alert', tabindex: -1, hidden: true }),
    h('div', { class: 'form-grid' }, kind, name, nib, npwp, nik),
    h('div', { class: 'form-actions' }, btn));
  const submit = async () => {
    const body = { kind: kind.input.value, name: name.input.value.trim() };
    const rules = [['name', body.name, null, true]];
    if (body.kind === 'company') {
      body.nib = nib.input.value.trim();
      body.npwp = npwp.input.value.trim();
      rules.push(['nib', body.nib, 'nib', true], ['npwp', body.npwp, 'npwp', true]);
    } else {
      body.nik = nik.input.value.trim();
      rules.push(['nik', body.nik, 'nik', true]);
    }
    const errors = check(rules);
    if (errors.length) { showErrors(form, errors); return; }
    const r = await submitting(form, () => api('/api/v1/sponsors', { method: 'POST', body }), btn);
    if (!r) return;
    clearErrors(form);
    const masked = body.nik ? `${'•'.repeat(12)}${body.nik.slice(-4)}` : null;
    onCreated({ id: r.id, kind: body.kind, name: body.name, nib: body.nib || null, nik: masked });
    for (const w of [name, nib, npwp, nik]) w.input.value = '';
    details.open = false;
  };
  btn.addEventListener('click', submit);
  // Enter in one of these fields registers the sponsor, not the permit.
  form.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' && ev.target.tagName === 'INPUT') { ev.preventDefault(); submit(); } });
  const details = h('details', { class: 'sub-form', id: 'sponsor-new' }, h('summary', {}, t('i_sponsor_new')), form);
  return details;
}

// ------------------------------------------------------------------------------------------------
// 3. Find a permit, act on it, print it

const ACTIONS = [
  // key, API step, allowed statuses, fields
  { key: 'extend', when: (p) => ['active', 'expired'].includes(p.status), fields: ['valid_until'] },
  { key: 'convert', when: (p) => p.status === 'active' && p.permit_type === 'ITAS', fields: ['new_number', 'valid_until_opt', 'reason_opt'] },
  { key: 'suspend', when: (p) => p.status === 'active', fields: ['reason'] },
  { key: 'resume', when: (p) => p.status === 'suspended', fields: ['reason_opt'] },
  { key: 'cancel', when: (p) => ['active', 'suspended'].includes(p.status), fields: ['reason'], danger: true },
  { key: 'exit', when: (p) => ['active', 'suspended'].includes(p.status), fields: ['reason_opt'], danger: true },
  { key: 'deceased', when: (p) => ['active', 'suspended', 'expired'].includes(p.status), fields: ['reason_opt'], danger: true },
];

async function manageStep(panel, why) {
  const q = h('input', { type: 'search', id: 'find-q', 'aria-label': t('i_find_q'), placeholder: t('i_find_q'), maxlength: 100 });
  const found = h('div', { id: 'find-results' });
  const view = h('div', { id: 'permit-view', 'aria-live': 'polite' });
  const dialog = h('dialog', { id: 'action-dialog', 'aria-labelledby': 'action-title' });
  const findForm = h('form', { class: 'search-row', role: 'search', onsubmit: async (ev) => {
    ev.preventDefault();
    const s = q.value.trim();
    if (!s) return;
    found.replaceChildren(h('p', { class: 'loading' }, t('loading')));
    try {
      const r = await api(`/api/v1/permits?limit=20&q=${encodeURIComponent(s)}`, { personal: why('search') });
      if (r.items.length === 1) { found.replaceChildren(); open(r.items[0].number); return; }
      found.replaceChildren(r.items.length ? h('div', { class: 'table-wrap' }, h('table', { id: 'find-table' },
        h('thead', {}, h('tr', {}, ...[t('p_number'), t('p_name'), t('p_type'), t('p_valid_until'), t('p_status')].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, ...r.items.map((p) => h('tr', {},
          h('td', {}, h('button', { type: 'button', class: 'link', onclick: () => open(p.number) }, p.number)), h('td', {}, p.full_name), h('td', {}, p.permit_type),
          h('td', {}, date(p.valid_until)), h('td', {}, statusBadge(p))))))) : h('p', { class: 'muted' }, t('i_find_none')));
    } catch (e) {
      found.replaceChildren(errorBox(e));
    }
  } }, q, h('button', { type: 'submit', id: 'find-submit' }, t('i_find')));

  async function open(number, notice) {
    view.replaceChildren(h('p', { class: 'loading' }, t('loading')));
    const purpose = why(number);
    let p;
    let events;
    try {
      p = await api(`/api/v1/permits/${encodeURIComponent(number)}`, { personal: purpose });
      events = (await api(`/api/v1/permits/${encodeURIComponent(number)}/history`, { personal: purpose })).events;
    } catch (e) {
      view.replaceChildren(errorBox(e));
      return;
    }
    const u = new URL(location.href);
    u.searchParams.set('permit', p.number);
    history.replaceState(null, '', u);
    // `v` changes with every event, so that a page that showed the card before a change does not
    // reuse the old image.
    const doc = (kind, format, extra = '') => `/api/v1/permits/${encodeURIComponent(p.number)}/document?kind=${kind}&format=${format}${extra}&purpose=${encodeURIComponent(purpose)}&v=${events.length}`;
    view.replaceChildren(...[
      notice ? h('div', { class: 'ok-box', role: 'status', id: 'action-done', tabindex: -1 }, notice) : null,
      h('div', { class: 'permit-head' },
        h('div', {}, h('h3', { id: 'permit-title' }, `${p.permit_type} ${p.number}`), h('p', { class: 'muted' },
          h('a', { href: `/persons/${encodeURIComponent(p.niora)}` }, p.full_name), ` · NIORA ${p.niora} · ${p.nationality}`)),
        statusBadge(p)),
      h('div', { class: 'manage-grid' },
        h('div', {},
          h('dl', { class: 'facts' },
            h('dt', {}, t('p_visa')), h('dd', {}, `${p.visa_code} (${p.visa_table})`),
            h('dt', {}, t('i_valid_from')), h('dd', {}, date(p.valid_from)),
            h('dt', {}, t('i_valid_until')), h('dd', { id: 'permit-until' }, date(p.valid_until)),
            h('dt', {}, t('p_status')), h('dd', { id: 'permit-status', dataset: { status: p.status } }, t(`st_${p.status}`)),
            h('dt', {}, t('p_office')), h('dd', {}, p.office_code)),
          h('h3', {}, t('i_actions')),
          h('div', { class: 'actions', id: 'permit-actions' }, ...ACTIONS.map((a) => {
            const ok = a.when(p);
            return h('button', {
              type: 'button', class: a.danger ? 'danger' : 'secondary', id: `act-${a.key}`, disabled: !ok, title: ok ? null : t('a_unavailable'),
              onclick: () => confirmAction(a, p),
            }, t(`a_${a.key}`));
          }))),
        h('figure', { class: 'card-fig' },
          h('img', { id: 'issue-card-preview', class: 'card-preview', alt: t('i_card_alt', { n: p.number }), src: doc('card', 'png', '&dpi=200') }),
          h('figcaption', { class: 'actions' },
            h('a', { class: 'button', id: 'dl-card-pdf', href: doc('card', 'pdf'), download: `${p.number}-kartu.pdf` }, t('i_card_pdf')),
            h('a', { class: 'button secondary', id: 'dl-card-png', href: doc('card', 'png', '&dpi=300'), download: `${p.number}-kartu.png` }, t('i_card_png')),
            h('a', { class: 'button secondary', id: 'dl-epermit-pdf', href: doc('epermit', 'pdf'), download: `${p.number}-e-permit.pdf` }, t('i_epermit_pdf'))))),
      h('h3', {}, t('i_history')),
      h('div', { class: 'table-wrap' }, h('table', { id: 'issue-events' },
        h('thead', {}, h('tr', {}, ...[t('i_when'), t('i_event'), t('p_status'), t('i_valid_until'), t('i_reason')].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, ...[...events].reverse().map((e) => h('tr', { dataset: { kind: e.kind } }, h('td', {}, instant(e.at)), h('td', {}, eventName(e.kind)),
          h('td', {}, `${e.from_status ? `${t(`st_${e.from_status}`)} → ` : ''}${t(`st_${e.to_status}`)}`), h('td', {}, date(e.valid_until)), h('td', { class: 'wrap' }, e.reason || '')))))),
    ].filter(Boolean));
    if (notice) view.querySelector('#action-done').focus();
  }

  function confirmAction(a, p) {
    const inputs = {
      valid_until: field('valid_until', t('i_valid_until'), h('input', { type: 'date', value: lastDay(p.valid_until, p.permit_type === 'ITAP' ? 60 : 12) })),
      valid_until_opt: field('valid_until', t('a_new_until'), h('input', { type: 'date' })),
      new_number: field('new_number', t('a_new_number'), text({ maxlength: 20, class: 'upper' }), { hint: t('i_number_hint') }),
      reason: field('reason', t('a_reason_req'), h('textarea', { rows: 3, maxlength: 500 }), { wide: true }),
      reason_opt: field('reason', t('a_reason'), h('textarea', { rows: 2, maxlength: 500 }), { wide: true, optional: true }),
    };
    const used = a.fields.map((k) => [k, inputs[k]]);
    const form = h('form', { method: 'dialog', novalidate: true, id: 'action-form' },
      h('h2', { id: 'action-title' }, t(`a_${a.key}_q`, { n: p.number })),
      h('p', { class: 'muted' }, t(`a_${a.key}_d`)),
      h('div', { class: 'form-errors error', role: 'alert', tabindex: -1, hidden: true }),
      h('div', { class: 'form-grid' }, ...used.map(([, w]) => w)),
      h('div', { class: 'form-actions' },
        h('button', { type: 'button', class: 'secondary', id: 'action-cancel', onclick: () => dialog.close() }, t('a_back')),
        h('button', { type: 'submit', class: a.danger ? 'danger' : '', id: 'action-confirm' }, t('a_confirm'))));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const body = {};
      const rules = [];
      for (const [k, w] of used) {
        const v = w.input.value.trim();
        const name = w.input.dataset.field;
        if (v) body[name] = name === 'new_number' ? v.toUpperCase() : v;
        if (k === 'valid_until') rules.push([name, v, 'date', true]);
        if (k === 'new_number') rules.push([name, v.toUpperCase(), 'number', true]);
        if (k === 'reason') rules.push([name, v, null, true]);
      }
      const errors = check(rules);
      if (errors.length) { showErrors(form, errors); return; }
      const r = await submitting(form, () => api(`/api/v1/permits/${encodeURIComponent(p.number)}/${a.key}`, { method: 'POST', body }));
      if (!r) return;
      dialog.close();
      const np = r.permit;
      const notice = a.key === 'extend' ? t('a_done_extend', { n: np.number, d: date(np.valid_until) })
        : a.key === 'convert' ? t('a_done_convert', { n: np.number, old: p.number })
          : t('a_done', { n: np.number, s: t(`st_${np.status}`) });
      await open(np.number, notice);
    });
    dialog.replaceChildren(form);
    dialog.showModal();
    (used[0]?.[1].input || form.querySelector('#action-confirm')).focus();
  }

  panel.append(h('p', { class: 'muted step-lead' }, t('i_lead_manage')), findForm, found, view, dialog);
  return { open };
}
