// The dashboard's words: Bahasa Indonesia first (the default), English second. `t(key, vars)`
// looks a key up in the current language and fills {name} placeholders.

const id = {
  skip: 'Lewati ke isi',
  app_name: 'PORA',
  app_sub: 'Pengawasan Orang Asing · Kantor Imigrasi Bekasi',
  loading: 'Memuat…',
  nav: 'Menu utama',
  nav_overview: 'Ringkasan',
  nav_map: 'Peta pengawasan',
  nav_permits: 'Izin tinggal',
  nav_issue: 'Penerbitan',
  nav_alerts: 'Peringatan',
  nav_operations: 'Operasi',
  nav_officers: 'Petugas',
  nav_audit: 'Audit',
  nav_report: 'Laporan bulanan',
  nav_me: 'Izin tinggal saya',
  lang_switch: 'English',
  lang_switch_label: 'Switch to English',
  logout: 'Keluar',
  role_admin: 'Administrator',
  role_issuing_officer: 'Petugas penerbitan',
  role_field_officer: 'Petugas lapangan',
  role_supervisor: 'Supervisor',
  role_auditor: 'Auditor',
  role_foreigner: 'Orang asing',
  national: 'Nasional',
  purpose: 'Tujuan akses',
  chart_x: 'Bulan',
  purpose_hint: 'Setiap pembacaan data pribadi dicatat di log audit bersama tujuannya.',
  purpose_check: 'Pemeriksaan (check)',
  purpose_operation: 'Operasi (surat perintah)',
  purpose_case: 'Perkara (case)',
  purpose_issuance: 'Penerbitan (issuance)',
  purpose_audit: 'Audit',
  purpose_reference: 'Nomor rujukan',
  purpose_apply: 'Terapkan',
  login_title: 'Masuk',
  login_lead: 'Dasbor pengawasan izin tinggal (ITAS / ITAP) untuk Tim PORA.',
  username: 'Nama pengguna',
  password: 'Kata sandi',
  login_submit: 'Masuk',
  login_failed: 'Nama pengguna atau kata sandi salah.',
  login_locked: 'Terlalu banyak percobaan. Coba lagi nanti.',
  demo_logins: 'Akun demo',
  forbidden_page: 'Peran Anda tidak memiliki akses ke halaman ini.',
  error: 'Terjadi kesalahan',
  retry: 'Coba lagi',
  ov_title: 'Ringkasan',
  ov_today: 'Data per {date}',
  ov_active_itas: 'ITAS berlaku',
  ov_active_itap: 'ITAP berlaku',
  ov_expiring: 'Habis berlaku',
  ov_days: '{n} hari',
  ov_overstays: 'Overstay',
  ov_overstays_sub: 'aktif tetapi lewat masa berlaku',
  ov_open_alerts: 'Peringatan terbuka',
  ov_checks_week: 'Pemeriksaan 7 hari',
  ov_findings: '{n} temuan',
  ov_findings_label: 'Temuan',
  ov_trend_active: 'Izin tinggal berlaku, 12 bulan terakhir',
  ov_trend_checks: 'Pemeriksaan lapangan dan temuan, 12 bulan terakhir',
  ov_trend_issued: 'Izin diterbitkan dan peringatan, 12 bulan terakhir',
  ov_checks: 'Pemeriksaan',
  ov_issued: 'Diterbitkan',
  ov_alerts: 'Peringatan',
  coming: 'Halaman ini belum tersedia pada versi ini.',
  footer: 'Data wilayah: cahyadsn/wilayah (MIT). Semua orang dan perusahaan dalam data demo adalah fiktif.',
};

const en = {
  skip: 'Skip to content',
  app_name: 'PORA',
  app_sub: 'Foreigner supervision · Bekasi immigration office',
  loading: 'Loading…',
  nav: 'Main menu',
  nav_overview: 'Overview',
  nav_map: 'Supervision map',
  nav_permits: 'Permits',
  nav_issue: 'Issuance',
  nav_alerts: 'Alerts',
  nav_operations: 'Operations',
  nav_officers: 'Officers',
  nav_audit: 'Audit',
  nav_report: 'Monthly report',
  nav_me: 'My permit',
  lang_switch: 'Bahasa Indonesia',
  lang_switch_label: 'Ganti ke Bahasa Indonesia',
  logout: 'Sign out',
  role_admin: 'Administrator',
  role_issuing_officer: 'Issuing officer',
  role_field_officer: 'Field officer',
  role_supervisor: 'Supervisor',
  role_auditor: 'Auditor',
  role_foreigner: 'Foreigner',
  national: 'National',
  purpose: 'Purpose of access',
  chart_x: 'Month',
  purpose_hint: 'Every read of personal data is recorded in the audit log with its purpose.',
  purpose_check: 'Check',
  purpose_operation: 'Operation (written order)',
  purpose_case: 'Case',
  purpose_issuance: 'Issuance',
  purpose_audit: 'Audit',
  purpose_reference: 'Reference',
  purpose_apply: 'Apply',
  login_title: 'Sign in',
  login_lead: 'The residence-permit (ITAS / ITAP) supervision dashboard for Tim PORA.',
  username: 'User name',
  password: 'Password',
  login_submit: 'Sign in',
  login_failed: 'Wrong user name or password.',
  login_locked: 'Too many attempts. Try again later.',
  demo_logins: 'Demo accounts',
  forbidden_page: 'Your role has no access to this page.',
  error: 'Something went wrong',
  retry: 'Try again',
  ov_title: 'Overview',
  ov_today: 'Figures as of {date}',
  ov_active_itas: 'ITAS in force',
  ov_active_itap: 'ITAP in force',
  ov_expiring: 'Expiring',
  ov_days: '{n} days',
  ov_overstays: 'Overstays',
  ov_overstays_sub: 'active but past validity',
  ov_open_alerts: 'Open alerts',
  ov_checks_week: 'Checks, 7 days',
  ov_findings: '{n} findings',
  ov_findings_label: 'Findings',
  ov_trend_active: 'Permits in force, last 12 months',
  ov_trend_checks: 'Field checks and findings, last 12 months',
  ov_trend_issued: 'Permits issued and alerts, last 12 months',
  ov_checks: 'Checks',
  ov_issued: 'Issued',
  ov_alerts: 'Alerts',
  coming: 'This page is not available in this version yet.',
  footer: 'Region data: cahyadsn/wilayah (MIT). Every person and company in the demo data is invented.',
};

export const DICT = { id, en };

/** The current language: `?lang=` (remembered), then the remembered choice, then Indonesian. */
export function currentLang() {
  const q = new URLSearchParams(location.search).get('lang');
  if (q === 'id' || q === 'en') {
    localStorage.setItem('pora.lang', q);
    return q;
  }
  const saved = localStorage.getItem('pora.lang');
  return saved === 'en' ? 'en' : 'id';
}

let lang = currentLang();

export function getLang() {
  return lang;
}

export function setLang(l) {
  lang = l === 'en' ? 'en' : 'id';
  localStorage.setItem('pora.lang', lang);
}

/** Adds words (pages bring their own). */
export function extend(more) {
  Object.assign(id, more.id);
  Object.assign(en, more.en);
}

export function t(key, vars = {}) {
  const s = DICT[lang][key] ?? DICT.id[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => (vars[k] ?? `{${k}}`));
}

/** The word for `code` under `prefix` (`t(`${prefix}_${code}`)`), or `fallback` (the code itself)
 * when there is none. */
export function word(prefix, code, fallback = code) {
  if (code == null) return '–';
  const key = `${prefix}_${code}`;
  const w = t(key);
  return w === key ? fallback : w;
}

/** A number in the language's grouping (1.234 / 1,234). */
export function num(n) {
  return new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'id-ID').format(n ?? 0);
}

/** A date `YYYY-MM-DD` as 5 Mei 2026 / 5 May 2026. */
export function date(iso) {
  if (!iso) return '–';
  const d = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'id-ID', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(d);
}

/** A unix instant as a local date and time. */
export function instant(secs) {
  if (secs == null) return '–';
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'id-ID', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(secs * 1000));
}

/** `YYYY-MM` as a short month label (Mei 26 / May 26). */
export function month(ym) {
  const d = new Date(`${ym}-01T00:00:00Z`);
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'id-ID', { month: 'short', year: '2-digit', timeZone: 'UTC' }).format(d);
}
