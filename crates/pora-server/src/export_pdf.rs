//! The person's data export as a PDF document (Bahasa Indonesia first, English second), built from
//! the same [`PersonExport`] as the JSON with `pora-card`'s report layout.

use pora_card::{Block, Report};
use pora_store::model::Date;
use serde_json::Value;

use crate::api::privacy::PersonExport;

/// `YYYY-MM-DD HH:MM UTC` of a unix instant.
pub fn time_text(t: i64) -> String {
    let secs = t.rem_euclid(86_400);
    format!(
        "{} {:02}:{:02} UTC",
        Date::from_unix(t),
        secs / 3600,
        (secs % 3600) / 60
    )
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

fn position(lat: Option<f64>, lng: Option<f64>) -> String {
    match (lat, lng) {
        (Some(a), Some(b)) => format!("{a:.5}, {b:.5}"),
        _ => String::new(),
    }
}

fn s(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn table(columns: &[(&str, f32)], rows: Vec<Vec<String>>) -> Block {
    Block::Table {
        columns: columns.iter().map(|(t, w)| ((*t).to_owned(), *w)).collect(),
        rows,
        empty: "Tidak ada / None".into(),
    }
}

/// The export as a [`Report`].
pub fn report(e: &PersonExport) -> Report {
    let p = &e.person;
    let mut blocks = vec![
        Block::Paragraph(format!(
            "Dokumen ini memuat semua data tentang Anda yang disimpan dalam sistem pengawasan orang asing \
             pora, dan setiap akses ke data itu (UU 27/2022 tentang Pelindungan Data Pribadi). Jika ada data \
             yang salah, ajukan permohonan koreksi di /api/v1/me/correction-requests atau di kantor imigrasi.\n\
             This document lists all data about you held in the pora foreigner-supervision system, and every \
             access to it (Law 27/2022 on Personal Data Protection). If something is wrong, file a correction \
             request at /api/v1/me/correction-requests or at the immigration office. Generated {}.",
            time_text(e.generated_at)
        )),
        Block::Heading("Identitas / Identity".into()),
        Block::Fields(vec![
            ("NIORA".into(), p.niora.clone()),
            ("Nama / Name".into(), p.full_name.clone()),
            ("Nama MRZ / MRZ name".into(), p.mrz_name.clone()),
            ("Jenis kelamin / Sex".into(), p.sex.as_str().into()),
            (
                "Tempat, tgl lahir / Born".into(),
                format!("{}, {}", p.birth_place, p.birth_date),
            ),
            ("Kewarganegaraan / Nationality".into(), p.nationality.clone()),
            ("Pekerjaan / Occupation".into(), opt(&p.occupation)),
        ]),
        Block::Heading("Paspor / Passports".into()),
        table(
            &[("Nomor / Number", 1.0), ("Negara penerbit / Issuing state", 1.2), ("Berlaku s.d. / Expiry", 1.0)],
            e.passports
                .iter()
                .map(|x| vec![x.number.clone(), x.issuing_state.clone(), x.expiry_date.clone()])
                .collect(),
        ),
        Block::Heading("Alamat / Addresses".into()),
        table(
            &[
                ("Alamat / Address", 2.4),
                ("Wilayah / Region", 1.0),
                ("Sumber / Source", 0.9),
                ("Berlaku / Valid", 1.3),
                ("Posisi / Position", 1.2),
            ],
            e.addresses
                .iter()
                .map(|a| {
                    vec![
                        a.line.clone(),
                        a.region_code.clone(),
                        a.source.clone(),
                        format!("{} – {}", a.valid_from, opt(&a.valid_until)),
                        position(a.lat, a.lng),
                    ]
                })
                .collect(),
        ),
        Block::Heading("Izin tinggal / Permits".into()),
        table(
            &[
                ("Nomor / Number", 1.4),
                ("Jenis / Type", 0.6),
                ("Indeks visa / Visa index", 0.9),
                ("Berlaku / Valid", 1.5),
                ("Kantor / Office", 0.7),
                ("Status", 0.8),
            ],
            e.permits
                .iter()
                .map(|x| {
                    let p = &x.permit;
                    vec![
                        p.number.clone(),
                        p.permit_type.as_str().into(),
                        format!("{} ({})", p.visa_code, p.visa_table),
                        format!("{} – {}", p.valid_from, p.valid_until),
                        p.office_code.clone(),
                        p.status.as_str().into(),
                    ]
                })
                .collect(),
        ),
        Block::Heading("Riwayat izin / Permit history".into()),
        table(
            &[
                ("Izin / Permit", 1.3),
                ("Waktu / Time", 1.3),
                ("Peristiwa / Event", 0.9),
                ("Status", 1.3),
                ("Alasan / Reason", 1.6),
            ],
            e.permits
                .iter()
                .flat_map(|x| {
                    x.events.iter().map(|ev| {
                        vec![
                            x.permit.number.clone(),
                            time_text(ev.at),
                            ev.kind.clone(),
                            match &ev.from_status {
                                Some(f) => format!("{f} → {}", ev.to_status),
                                None => ev.to_status.clone(),
                            },
                            opt(&ev.reason),
                        ]
                    })
                })
                .collect(),
        ),
        Block::Heading("Pemeriksaan lapangan / Field checks".into()),
        table(
            &[
                ("Waktu / Time", 1.3),
                ("Kantor / Office", 0.7),
                ("Hasil / Outcome", 0.9),
                ("Wilayah / Region", 1.0),
                ("Posisi / Position", 1.3),
                ("Catatan / Notes", 1.6),
            ],
            e.checks
                .iter()
                .map(|k| {
                    vec![
                        k["at"].as_i64().map(time_text).unwrap_or_default(),
                        s(&k["office"]),
                        format!("{} ({})", s(&k["outcome"]), s(&k["verdict"])),
                        s(&k["region_code"]),
                        position(k["lat"].as_f64(), k["lng"].as_f64()),
                        s(&k["notes"]),
                    ]
                })
                .collect(),
        ),
        Block::Heading("Laporan tinggal / Stay reports".into()),
        table(
            &[
                ("Pelapor / Reporter", 1.8),
                ("Masuk – keluar / In – out", 1.5),
                ("Wilayah / Region", 1.0),
                ("Posisi / Position", 1.2),
            ],
            e.stay_reports
                .iter()
                .map(|r| {
                    vec![
                        format!("{} ({})", r.reporter_name, r.reporter_kind),
                        format!("{} – {}", r.check_in, opt(&r.check_out)),
                        r.region_code.clone(),
                        position(r.lat, r.lng),
                    ]
                })
                .collect(),
        ),
        Block::Heading("Koreksi oleh petugas / Corrections by officers".into()),
        table(
            &[
                ("Waktu / Time", 1.2),
                ("Data / Field", 0.9),
                ("Lama / Before", 1.3),
                ("Baru / After", 1.3),
                ("Status", 0.7),
            ],
            e.corrections
                .iter()
                .map(|c| {
                    vec![
                        time_text(c.created_at),
                        c.field.clone(),
                        opt(&c.old_value),
                        c.new_value.clone(),
                        c.state.clone(),
                    ]
                })
                .collect(),
        ),
        Block::Heading("Permohonan koreksi Anda / Your correction requests".into()),
        table(
            &[
                ("Diajukan / Filed", 1.2),
                ("Data / Field", 0.8),
                ("Diminta / Requested", 1.3),
                ("Status", 0.7),
                ("Jawaban / Answer", 1.8),
            ],
            e.correction_requests
                .iter()
                .map(|r| {
                    vec![
                        time_text(r.created_at),
                        r.field.clone(),
                        r.requested_value.clone(),
                        r.state.clone(),
                        opt(&r.decision_reason),
                    ]
                })
                .collect(),
        ),
        Block::Heading("Akses ke data Anda / Reads of your data".into()),
        Block::Paragraph(
            "Setiap akses oleh petugas dicatat dengan peran, kantor, tujuan dan waktu; petugas tidak disebut \
             namanya. / Every access by an officer is recorded with role, office, purpose and time; officers \
             are not named."
                .into(),
        ),
    ];
    blocks.push(table(
        &[
            ("Waktu / Time", 1.3),
            ("Tindakan / Action", 1.3),
            ("Peran / Role", 1.1),
            ("Kantor / Office", 0.7),
            ("Tujuan / Purpose", 1.4),
        ],
        e.reads
            .iter()
            .map(|r| {
                let purpose = match (s(&r["purpose"]), s(&r["purpose_ref"])) {
                    (k, reference) if reference.is_empty() => k,
                    (k, reference) => format!("{k}: {reference}"),
                };
                vec![
                    r["at"].as_i64().map(time_text).unwrap_or_default(),
                    s(&r["action"]),
                    s(&r["by_role"]),
                    s(&r["by_office"]),
                    purpose,
                ]
            })
            .collect(),
    ));
    Report {
        title: format!(
            "Data pribadi yang disimpan / Personal data held — {}",
            p.full_name
        ),
        subtitle: format!(
            "NIORA {} · dibuat / generated {}",
            p.niora,
            time_text(e.generated_at)
        ),
        footer: "pora · salinan untuk subjek data / copy for the data subject (UU PDP 27/2022)"
            .into(),
        page_label: ["Halaman / Page ".into(), " / ".into()],
        blocks,
    }
}

/// Renders the export as a multi-page A4 PDF.
pub fn render(e: &PersonExport) -> Result<Vec<u8>, pora_card::CardError> {
    pora_card::report_pdf(&report(e))
}

/// Renders page `index` of the export as a PNG (for looking at it; tests).
pub fn render_png(
    e: &PersonExport,
    index: usize,
    dpi: u32,
) -> Result<(Vec<u8>, usize), pora_card::CardError> {
    pora_card::report_png(&report(e), index, dpi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_utc() {
        assert_eq!(time_text(1_790_000_000), "2026-09-21 14:13 UTC");
        assert_eq!(time_text(0), "1970-01-01 00:00 UTC");
    }
}
