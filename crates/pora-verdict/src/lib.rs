//! How a verdict and a permit are told: bilingual text (Bahasa Indonesia first, English) or JSON.
//!
//! One place for the officer's words, shared by `pora verify` and the browser verifier (pora-wasm),
//! so the two never drift apart. The JSON keys are stable: `code`, `class`, `message_id`,
//! `message_en`, `detail`, `warnings`, `kid`, `permit`.
#![forbid(unsafe_code)]

use pora_core::verify::{Layer, NotAllowed, SignatureProblem};
use pora_core::{hex, Class, Outcome, Permit, Verdict, Warning};
use serde_json::json;

/// The headline of an outcome in Indonesian and English.
pub fn headline(o: &Outcome) -> (&'static str, &'static str) {
    match o.class() {
        Class::Valid => ("SAH", "VALID"),
        Class::Expired if matches!(o, Outcome::NotYetValid { .. }) => {
            ("BELUM BERLAKU", "NOT YET VALID")
        }
        Class::Expired => ("KEDALUWARSA", "EXPIRED"),
        Class::Revoked if matches!(o, Outcome::Suspended) => ("DITANGGUHKAN", "SUSPENDED"),
        Class::Revoked => ("DICABUT", "REVOKED"),
        Class::Forged => ("PALSU / TIDAK SAH", "FORGED / NOT AUTHENTIC"),
        Class::Incomplete => ("DATA TIDAK LENGKAP", "INCOMPLETE"),
        Class::CannotTell => ("TIDAK DAPAT DIPASTIKAN", "CANNOT TELL"),
        Class::Unreadable => ("BUKAN KODE PORA", "NOT A PORA CODE"),
    }
}

/// The reason in Indonesian.
pub fn reason_id(o: &Outcome) -> String {
    match o {
        Outcome::Valid => "izin tinggal asli dan berlaku".into(),
        Outcome::NotOurFormat => "kode ini bukan kode izin tinggal pora".into(),
        Outcome::Malformed { layer, detail } => format!(
            "kode rusak atau dipalsukan (lapisan {}): {detail}",
            match layer {
                Layer::Prefix => "awalan",
                Layer::Base45 => "Base45",
                Layer::Cose => "COSE",
                Layer::Claims => "klaim",
            }
        ),
        Outcome::UnknownSigner { kid } => format!(
            "ditandatangani kunci yang tidak dikenal ({})",
            hex::encode(kid)
        ),
        Outcome::BadSignature(SignatureProblem::AlgorithmMismatch) => {
            "algoritma tanda tangan tidak sesuai dengan kunci penanda tangan".into()
        }
        Outcome::BadSignature(SignatureProblem::Invalid) => {
            "tanda tangan tidak cocok dengan isi: diubah atau dipalsukan".into()
        }
        Outcome::SignerNotAllowed(r) => format!(
            "penanda tangan tidak berwenang untuk izin ini ({})",
            match r {
                NotAllowed::OutsideUsagePeriod => "di luar masa pakai kunci",
                NotAllowed::SignerNotValidNow => "sertifikat penanda tangan tidak berlaku",
                NotAllowed::PermitType => "jenis izin tidak diizinkan",
                NotAllowed::Office => "kantor lain",
            }
        ),
        Outcome::NotYetValid {
            valid_from,
            days_until,
        } => format!("berlaku mulai {valid_from}, {days_until} hari lagi"),
        Outcome::Expired {
            valid_until,
            days_ago,
            overstay_charge_idr,
        } => format!(
            "berakhir {valid_until}, {days_ago} hari yang lalu; biaya beban overstay Rp{}",
            rupiah(*overstay_charge_idr)
        ),
        Outcome::Revoked => "izin tinggal telah dicabut".into(),
        Outcome::Suspended => "izin tinggal ditangguhkan".into(),
        Outcome::Incomplete { missing } => format!(
            "data izin tidak lengkap, kurang: {}",
            missing
                .iter()
                .map(|f| f.name())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Outcome::TrustListStale { .. } => {
            "daftar kepercayaan sudah kedaluwarsa: sinkronkan perangkat".into()
        }
        Outcome::StatusListStale { office, .. } => format!(
            "daftar status kantor {office} tidak ada atau kedaluwarsa: sinkronkan perangkat"
        ),
    }
}

/// Thousands separated with dots, as written in Indonesia.
pub fn rupiah(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    out
}

pub fn warning_text(w: &Warning) -> (String, String) {
    match w {
        Warning::ExpiresSoon { days: 0 } => ("berakhir hari ini".into(), "expires today".into()),
        Warning::ExpiresSoon { days } => (
            format!("berakhir dalam {days} hari"),
            format!("expires in {days} days"),
        ),
        Warning::TrustListPastNextUpdate { .. } => (
            "daftar kepercayaan melewati jadwal pembaruan".into(),
            "trust list is past its next update".into(),
        ),
        Warning::StatusListPastFresh { .. } => (
            "daftar status melewati masa segar".into(),
            "status list is past its freshness".into(),
        ),
        Warning::UnknownFieldsIgnored { count } => (
            format!("{count} kolom tak dikenal diabaikan"),
            format!("{count} unknown field(s) ignored"),
        ),
    }
}

/// The permit's fields, one per line.
pub fn permit_lines(p: &Permit) -> Vec<String> {
    let o = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    vec![
        format!(
            "  Jenis / Type            {} {}",
            p.permit_type.name(),
            o(&p.visa_index)
        ),
        format!("  No. Izin / Permit no.   {}", o(&p.permit_number)),
        format!("  Nama / Name             {}", o(&p.name)),
        format!(
            "  Lahir / Born            {}   Kelamin / Sex {}",
            p.date_of_birth
                .map(|d| d.to_string())
                .unwrap_or_else(|| "-".into()),
            p.sex
                .map(|s| format!("{s:?}"))
                .unwrap_or_else(|| "-".into())
        ),
        format!(
            "  Kewarganegaraan / Nat.  {}   Paspor / Passport {}",
            o(&p.nationality),
            o(&p.passport_number)
        ),
        format!(
            "  NIORA                   {}   Penjamin / Sponsor {}",
            o(&p.niora),
            o(&p.sponsor_id)
        ),
        format!(
            "  Berlaku / Valid         {} .. {}",
            p.valid_from, p.valid_until
        ),
        format!(
            "  Kantor / Office         {}   Seri / Serial {}",
            p.office,
            hex::encode(&p.document_serial)
        ),
    ]
}

/// The verdict as text.
pub fn verdict_text(v: &Verdict) -> String {
    let (id, en) = headline(&v.outcome);
    let mut lines = vec![
        format!("{id} / {en}  [{}]", v.outcome.code()),
        format!("  {}", reason_id(&v.outcome)),
        format!("  {}", v.outcome.explain()),
    ];
    for w in &v.warnings {
        let (i, e) = warning_text(w);
        lines.push(format!("  ! {i} / {e}  [{}]", w.code()));
    }
    if let Some(p) = &v.permit {
        lines.extend(permit_lines(p));
    }
    lines.join("\n") + "\n"
}

/// The verdict as JSON.
pub fn verdict_json(v: &Verdict) -> serde_json::Value {
    let detail = match &v.outcome {
        Outcome::Malformed { layer, detail } => json!({ "layer": layer.name(), "detail": detail }),
        Outcome::UnknownSigner { kid } => json!({ "kid": hex::encode(kid) }),
        Outcome::BadSignature(p) => {
            json!({ "problem": match p { SignatureProblem::AlgorithmMismatch => "algorithm_mismatch", SignatureProblem::Invalid => "invalid" } })
        }
        Outcome::SignerNotAllowed(r) => json!({ "reason": r.name() }),
        Outcome::NotYetValid {
            valid_from,
            days_until,
        } => json!({ "valid_from": valid_from.to_string(), "days_until": days_until }),
        Outcome::Expired {
            valid_until,
            days_ago,
            overstay_charge_idr,
        } => {
            json!({ "valid_until": valid_until.to_string(), "days_ago": days_ago, "overstay_charge_idr": overstay_charge_idr })
        }
        Outcome::Incomplete { missing } => {
            json!({ "missing": missing.iter().map(|f| f.name()).collect::<Vec<_>>() })
        }
        Outcome::TrustListStale { next_update } => json!({ "next_update": next_update }),
        Outcome::StatusListStale {
            office,
            fresh_until,
        } => json!({ "office": office, "fresh_until": fresh_until }),
        _ => json!({}),
    };
    let warnings: Vec<_> = v
        .warnings
        .iter()
        .map(|w| match w {
            Warning::ExpiresSoon { days } => json!({ "code": w.code(), "days": days }),
            _ => json!({ "code": w.code() }),
        })
        .collect();
    json!({
        "code": v.outcome.code(),
        "class": format!("{:?}", v.outcome.class()).to_lowercase(),
        "message_id": reason_id(&v.outcome),
        "message_en": v.outcome.explain(),
        "detail": detail,
        "warnings": warnings,
        "kid": v.kid.as_ref().map(|k| hex::encode(k)),
        "permit": v.permit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rupiah_groups_thousands_with_dots() {
        assert_eq!(rupiah(0), "0");
        assert_eq!(rupiah(999), "999");
        assert_eq!(rupiah(1_000), "1.000");
        assert_eq!(rupiah(30_000_000), "30.000.000");
    }

    #[test]
    fn every_vector_has_a_headline_and_stable_json() {
        let (_, vectors) = pora_testkit::vectors::load();
        let w = pora_testkit::World::new();
        for v in vectors {
            let verdict = pora_core::verify(
                &v.layers.qr_text,
                &w.context(v.now),
                &pora_crypto::RustCryptoProvider,
            );
            let j = verdict_json(&verdict);
            assert_eq!(j["code"], v.expect.code.as_str(), "{}", v.name);
            assert!(
                !j["message_id"].as_str().unwrap_or_default().is_empty(),
                "{}",
                v.name
            );
            let text = verdict_text(&verdict);
            let (id, en) = headline(&verdict.outcome);
            assert!(
                text.starts_with(&format!("{id} / {en}  [{}]", v.expect.code)),
                "{}: {text}",
                v.name
            );
        }
    }
}
