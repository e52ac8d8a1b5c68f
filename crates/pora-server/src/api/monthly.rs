//! The monthly report of Tim PORA: `GET /api/v1/reports/monthly?month=YYYY-MM` as JSON, or with
//! `&format=pdf` as an A4 document through `pora-card`'s report layout — counts by kecamatan and by
//! nationality, findings by result code, and what was done (alerts opened and closed, examination
//! reports, corrections accepted, operations held). Counts only: no person is named.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use pora_card::{Block, Report};
use pora_store::audit::NewEntry;
use pora_store::model::{now_unix, Date, Purpose, PurposeKind};
use pora_store::stats::{self, Monthly};
use serde::Deserialize;
use serde_json::json;

use super::own_office;
use crate::auth::Principal;
use crate::demo::geo;
use crate::error::{ApiError, ApiResult};
use crate::export_pdf::time_text;
use crate::state::AppState;

/// `?month=YYYY-MM&format=json|pdf`.
#[derive(Debug, Default, Deserialize)]
pub struct MonthlyQuery {
    /// The month (default: the current one).
    pub month: Option<String>,
    /// `json` (default) or `pdf`.
    pub format: Option<String>,
}

/// The first day of `YYYY-MM`, refusing months after the current one and before 2000.
pub fn parse_month(s: &str, today: Date) -> ApiResult<Date> {
    let b = s.as_bytes();
    let shape = b.len() == 7
        && b[4] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || c.is_ascii_digit());
    let first = shape
        .then(|| Date::parse("month", &format!("{s}-01")).ok())
        .flatten()
        .ok_or_else(|| ApiError::invalid("month", "want YYYY-MM, e.g. 2026-10"))?;
    let (y, m, _) = today.ymd();
    let this_month = Date::parse("month", &format!("{y:04}-{m:02}-01"))?;
    if first > this_month {
        return Err(ApiError::invalid("month", "that month has not begun"));
    }
    if first.ymd().0 < 2000 {
        return Err(ApiError::invalid("month", "want a month from 2000 on"));
    }
    Ok(first)
}

/// `GET /api/v1/reports/monthly`.
pub async fn monthly(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Query(q): Query<MonthlyQuery>,
) -> ApiResult<Response> {
    let (office_id, office_code) = own_office(&p)?;
    let today = Date::from_unix(now_unix());
    let first = match q.month.as_deref() {
        Some(m) => parse_month(m.trim(), today)?,
        None => {
            let (y, m, _) = today.ymd();
            Date::parse("month", &format!("{y:04}-{m:02}-01"))?
        }
    };
    let pdf = match q.format.as_deref() {
        None | Some("json") => false,
        Some("pdf") => true,
        Some(_) => return Err(ApiError::invalid("format", "want json or pdf")),
    };
    let mut c = state.store.conn().await?;
    let m = stats::monthly(&mut c, Some(office_id), first).await?;
    let office = pora_store::repo::office_by_code(&mut c, &office_code).await?;
    drop(c);
    state
        .store
        .audit_append(NewEntry {
            actor: p.actor(),
            action: "report.monthly".into(),
            subject_kind: "system".into(),
            subject_id: m.month.clone(),
            purpose: Purpose {
                kind: PurposeKind::System,
                reference: "monthly-report".into(),
            },
            details: json!({ "format": if pdf { "pdf" } else { "json" } }),
        })
        .await?;
    if pdf {
        let generated = format!("{} · {}", time_text(now_unix()), p.username);
        let doc = report(&m, &office.name, &generated);
        let bytes = pora_card::report_pdf(&doc).map_err(ApiError::internal)?;
        return Ok((
            [
                (header::CONTENT_TYPE, "application/pdf".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"laporan-tim-pora-{}-{}.pdf\"",
                        office.code.to_lowercase(),
                        m.month
                    ),
                ),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            bytes,
        )
            .into_response());
    }
    let names: Vec<Option<String>> = m
        .by_kecamatan
        .iter()
        .map(|k| kecamatan_name(&k.code))
        .collect();
    let mut v = serde_json::to_value(&m).map_err(ApiError::internal)?;
    if let Some(rows) = v["by_kecamatan"].as_array_mut() {
        for (row, name) in rows.iter_mut().zip(names) {
            row["name"] = json!(name);
        }
    }
    v["office"] = json!({ "code": office.code, "name": office.name });
    Ok(Json(v).into_response())
}

/// The name of kecamatan `PP.KK.CC`, if it is one of Bekasi's.
pub fn kecamatan_name(code: &str) -> Option<String> {
    geo::kecamatan(code).map(|k| k.name.clone())
}

const MONTHS_ID: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

/// "1–30 November 2026".
fn period_text(m: &Monthly) -> String {
    let first = Date::parse("d", &m.first_day).map(Date::ymd);
    let last = Date::parse("d", &m.last_day).map(Date::ymd);
    match (first, last) {
        (Ok((y, mo, d0)), Ok((_, _, d1))) => format!(
            "{d0}–{d1} {} {y}",
            MONTHS_ID[(mo as usize).saturating_sub(1).min(11)]
        ),
        _ => m.month.clone(),
    }
}

/// Indonesian and English words for a result code.
fn code_words(code: &str) -> &'static str {
    match code {
        "expired" => "Izin kedaluwarsa / Expired",
        "revoked" => "Izin dicabut / Revoked",
        "suspended" => "Izin ditangguhkan / Suspended",
        "not_yet_valid" => "Belum berlaku / Not yet valid",
        "incomplete" | "valid" => "Data tidak lengkap / Incomplete data",
        "bad_signature" => "Tanda tangan tidak sah / Bad signature",
        "unknown_signer" => "Penerbit tidak dikenal / Unknown signer",
        "signer_not_allowed" => "Penerbit tidak berwenang / Signer not allowed",
        "malformed" => "Kode rusak / Malformed code",
        "not_our_format" => "Bukan kode izin tinggal / Not a permit code",
        _ => "",
    }
}

/// Indonesian and English words for an alert kind.
fn alert_words(kind: &str) -> &'static str {
    match kind {
        "expiring" => "Izin akan berakhir / Expiring",
        "overstay" => "Melebihi izin tinggal / Overstay",
        "forged" => "Kode palsu / Forged code",
        "unknown_permit" => "Izin tidak terdaftar / Unknown permit",
        "revoked_seen" => "Izin dicabut ditunjukkan / Revoked permit shown",
        "incomplete" => "Data tidak lengkap / Incomplete data",
        "check_without_order" => "Pemeriksaan tanpa surat perintah / Check without order",
        "away_from_address" => "Jauh dari alamat / Away from address",
        "sponsor_mismatch" => "Penjamin tidak sesuai / Sponsor mismatch",
        "device_chain" => "Rantai laporan perangkat / Device chain",
        "officer_outside_area" => "Di luar wilayah operasi / Outside operation area",
        "lookup_without_scan" => "Akses tanpa pemindaian / Look-up without scan",
        "repeated_lookup" => "Akses berulang / Repeated look-ups",
        "device_clock" => "Jam perangkat / Device clock",
        _ => "",
    }
}

fn n(v: i64) -> String {
    // Thousands with a dot, as written in Indonesian.
    let s = v.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    if v < 0 {
        format!("-{out}")
    } else {
        out
    }
}

fn table(columns: &[(&str, f32)], rows: Vec<Vec<String>>) -> Block {
    Block::Table {
        columns: columns.iter().map(|(t, w)| ((*t).to_owned(), *w)).collect(),
        rows,
        empty: "Tidak ada / None".into(),
    }
}

/// The month as a printed report of `office` (its name); `generated` says when and by whom.
pub fn report(m: &Monthly, office: &str, generated: &str) -> Report {
    let t = &m.totals;
    let a = &m.actions;
    let mut kec_rows: Vec<Vec<String>> = m
        .by_kecamatan
        .iter()
        .map(|k| {
            vec![
                k.code.clone(),
                kecamatan_name(&k.code).unwrap_or_else(|| "—".into()),
                n(k.residents),
                n(k.checks),
                n(k.findings),
                n(k.stay_reports),
            ]
        })
        .collect();
    kec_rows.push(vec![
        String::new(),
        "JUMLAH / TOTAL".into(),
        n(m.by_kecamatan.iter().map(|k| k.residents).sum()),
        n(m.by_kecamatan.iter().map(|k| k.checks).sum()),
        n(m.by_kecamatan.iter().map(|k| k.findings).sum()),
        n(t.stay_reports),
    ]);
    let mut nat_rows: Vec<Vec<String>> = m
        .by_nationality
        .iter()
        .map(|x| {
            vec![
                if x.nationality.is_empty() {
                    "— (tidak dikenal / unknown)".into()
                } else {
                    x.nationality.clone()
                },
                n(x.itas),
                n(x.itap),
                n(x.issued),
                n(x.checks),
                n(x.findings),
            ]
        })
        .collect();
    nat_rows.push(vec![
        "JUMLAH / TOTAL".into(),
        n(t.itas),
        n(t.itap),
        n(t.issued),
        n(t.checks),
        n(t.findings),
    ]);
    let blocks = vec![
        Block::Paragraph(format!(
            "Laporan ini merangkum hasil pengawasan orang asing oleh Tim PORA di wilayah kerja {office} \
             selama {period}: izin tinggal yang berlaku, pemeriksaan lapangan, temuan, dan tindak lanjutnya. \
             Angka dihitung dari sistem pora; tidak ada nama orang dalam laporan ini.\n\
             This report summarises the foreigner supervision by Tim PORA in the working area of {office} \
             during {period}: permits in force, field checks, findings and the action taken. Counts only; no \
             person is named.",
            period = period_text(m)
        )),
        Block::Heading("I. Ringkasan / Summary".into()),
        Block::Fields(vec![
            (
                "ITAS berlaku / in force".into(),
                format!("{} (per {})", n(t.itas), m.last_day),
            ),
            (
                "ITAP berlaku / in force".into(),
                format!("{} (per {})", n(t.itap), m.last_day),
            ),
            ("Izin diterbitkan / Issued".into(), n(t.issued)),
            (
                "Pemeriksaan / Field checks".into(),
                format!(
                    "{} ({} orang / persons)",
                    n(t.checks),
                    n(t.persons_checked)
                ),
            ),
            ("Temuan / Findings".into(), n(t.findings)),
            (
                "Tertangkap tangan / Caught in act".into(),
                n(t.caught_in_act),
            ),
            ("Laporan menginap / Stay reports".into(), n(t.stay_reports)),
        ]),
        Block::Heading("II. Per kecamatan / By kecamatan".into()),
        table(
            &[
                ("Kode / Code", 0.8),
                ("Kecamatan", 1.6),
                ("Domisili / Residents", 1.0),
                ("Pemeriksaan / Checks", 1.0),
                ("Temuan / Findings", 0.9),
                ("Lap. menginap / Stays", 0.9),
            ],
            kec_rows,
        ),
        Block::Heading("III. Per kewarganegaraan / By nationality".into()),
        table(
            &[
                ("Kewarganegaraan / Nationality", 1.5),
                ("ITAS", 0.7),
                ("ITAP", 0.7),
                ("Diterbitkan / Issued", 1.0),
                ("Pemeriksaan / Checks", 1.0),
                ("Temuan / Findings", 0.9),
            ],
            nat_rows,
        ),
        Block::Heading("IV. Temuan / Findings".into()),
        table(
            &[
                ("Kode / Code", 1.0),
                ("Keterangan / Meaning", 2.2),
                ("Golongan / Class", 0.9),
                ("Jumlah / Count", 0.8),
            ],
            m.findings
                .iter()
                .map(|f| {
                    vec![
                        f.code.clone(),
                        code_words(&f.code).to_owned(),
                        f.outcome.clone(),
                        n(f.count),
                    ]
                })
                .collect(),
        ),
        Block::Heading("V. Tindak lanjut / Actions".into()),
        Block::Fields(vec![
            ("Peringatan dibuka / Alerts opened".into(), n(a.alerts_opened)),
            ("Peringatan ditutup / Alerts closed".into(), n(a.alerts_closed)),
            (
                "Berita Acara Pemeriksaan (BAP)".into(),
                n(a.bap),
            ),
            (
                "Koreksi diterima / Corrections accepted".into(),
                format!("{} (ditolak / rejected {})", n(a.corrections_accepted), n(a.corrections_rejected)),
            ),
            (
                "Permohonan koreksi / Requests accepted".into(),
                n(a.correction_requests_accepted),
            ),
            ("Operasi dilaksanakan / Operations held".into(), n(a.operations_held)),
        ]),
        table(
            &[
                ("Jenis peringatan / Alert kind", 2.4),
                ("Kode / Code", 1.4),
                ("Jumlah / Count", 0.8),
            ],
            m.alerts_by_kind
                .iter()
                .map(|k| vec![alert_words(&k.kind).to_owned(), k.kind.clone(), n(k.count)])
                .collect(),
        ),
        Block::Heading("VI. Operasi / Operations".into()),
        table(
            &[
                ("Surat perintah / Order", 1.3),
                ("Judul / Title", 1.7),
                ("Tanggal / Dates", 1.5),
                ("Tim / Team", 0.6),
                ("Periksa / Checks", 0.8),
                ("Temuan / Find.", 0.7),
            ],
            m.operations
                .iter()
                .map(|o| {
                    vec![
                        o.number.clone(),
                        o.title.clone(),
                        format!("{} – {}", o.starts_on, o.ends_on),
                        n(o.team),
                        n(o.checks),
                        n(o.findings),
                    ]
                })
                .collect(),
        ),
        Block::Heading("Pengesahan / Approval".into()),
        Block::Fields(vec![
            ("Dibuat / Prepared".into(), generated.to_owned()),
            (
                "Mengetahui / Acknowledged".into(),
                "Kepala Seksi Intelijen dan Penindakan Keimigrasian\n\n\n(.......................................)\nNIP ".into(),
            ),
        ]),
    ];
    Report {
        title: format!(
            "LAPORAN BULANAN TIM PORA · {}",
            period_text(m).to_uppercase()
        ),
        subtitle: format!(
            "Direktorat Jenderal Imigrasi · {office} · Tim Pengawasan Orang Asing (Tim PORA) · Monthly report"
        ),
        footer: format!("pora · {office} · laporan bulanan {}", m.month),
        page_label: ["Halaman / Page ".into(), " / ".into()],
        blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_parse_strictly() {
        let today = Date::parse("d", "2026-11-25").unwrap();
        assert_eq!(
            parse_month("2026-10", today).unwrap().to_string(),
            "2026-10-01"
        );
        assert_eq!(
            parse_month("2026-11", today).unwrap().to_string(),
            "2026-11-01"
        );
        for bad in [
            "2026-12",
            "2026-13",
            "2026-1",
            "26-10",
            "2026/10",
            "",
            "2026-10-01",
            "1999-12",
            "２０２６-10",
        ] {
            let e = parse_month(bad, today).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("month"), "{bad}");
        }
    }

    #[test]
    fn numbers_and_periods_read_as_in_indonesian() {
        assert_eq!(n(0), "0");
        assert_eq!(n(1234), "1.234");
        assert_eq!(n(1_234_567), "1.234.567");
        assert_eq!(n(-1000), "-1.000");
        let m = Monthly {
            month: "2026-02".into(),
            first_day: "2026-02-01".into(),
            last_day: "2026-02-28".into(),
            ..Default::default()
        };
        assert_eq!(period_text(&m), "1–28 Februari 2026");
        let r = report(&m, "Kantor Imigrasi Bekasi", "x");
        assert!(r.title.contains("FEBRUARI 2026"), "{}", r.title);
        let pdf = pora_card::report_pdf(&r).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
    }
}
