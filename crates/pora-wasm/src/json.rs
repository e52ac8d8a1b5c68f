//! The JSON the page receives: verdicts shaped like `pora verify --json` (pora-cli's `verdict_json`),
//! the loaded trust data, and reader results. Plain Rust, tested natively.

use pora_core::verify::{Layer, NotAllowed, SignatureProblem};
use pora_core::{hex, Outcome, StatusListToken, TrustList, Verdict, Warning};
#[cfg(feature = "reader")]
use pora_reader::{QrCode, ReadError};
use serde_json::{json, Value};

/// The class name as the CLI prints it (`format!("{:?}", class).to_lowercase()`).
fn class_name(o: &Outcome) -> String {
    format!("{:?}", o.class()).to_lowercase()
}

/// The reason in Indonesian, word for word as pora-cli's `show::reason_id` (the officer's screen
/// language). Keep the two in step; the unit tests pin a few of them.
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
fn rupiah(n: u64) -> String {
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

/// A verdict as JSON: `code`, `class`, `message_id`, `message_en`, `detail`, `warnings`, `kid`,
/// `permit` — the same keys and values as `pora verify --json`.
pub fn verdict(v: &Verdict) -> Value {
    let detail = match &v.outcome {
        Outcome::Malformed { layer, detail } => json!({ "layer": layer.name(), "detail": detail }),
        Outcome::UnknownSigner { kid } => json!({ "kid": hex::encode(kid) }),
        Outcome::BadSignature(p) => json!({ "problem": match p {
            SignatureProblem::AlgorithmMismatch => "algorithm_mismatch",
            SignatureProblem::Invalid => "invalid",
        } }),
        Outcome::SignerNotAllowed(r) => json!({ "reason": r.name() }),
        Outcome::NotYetValid {
            valid_from,
            days_until,
        } => json!({ "valid_from": valid_from.to_string(), "days_until": days_until }),
        Outcome::Expired {
            valid_until,
            days_ago,
            overstay_charge_idr,
        } => json!({
            "valid_until": valid_until.to_string(),
            "days_ago": days_ago,
            "overstay_charge_idr": overstay_charge_idr,
        }),
        Outcome::Incomplete { missing } => {
            json!({ "missing": missing.iter().map(|f| f.name()).collect::<Vec<_>>() })
        }
        Outcome::TrustListStale { next_update } => json!({ "next_update": next_update }),
        Outcome::StatusListStale {
            office,
            fresh_until,
        } => json!({ "office": office, "fresh_until": fresh_until }),
        Outcome::Valid | Outcome::NotOurFormat | Outcome::Revoked | Outcome::Suspended => {
            json!({})
        }
    };
    let warnings: Vec<Value> = v
        .warnings
        .iter()
        .map(|w| match w {
            Warning::ExpiresSoon { days } => json!({ "code": w.code(), "days": days }),
            _ => json!({ "code": w.code() }),
        })
        .collect();
    json!({
        "code": v.outcome.code(),
        "class": class_name(&v.outcome),
        "message_id": reason_id(&v.outcome),
        "message_en": v.outcome.explain(),
        "detail": detail,
        "warnings": warnings,
        "kid": v.kid.as_ref().map(|k| hex::encode(k)),
        "permit": v.permit,
    })
}

/// The loaded trust data: trust list header, signer count and summaries, and the status lists held.
pub fn trust_info(trust: &TrustList, status_lists: &[StatusListToken]) -> Value {
    let signers: Vec<Value> = trust
        .signers
        .iter()
        .map(|s| {
            json!({
                "kid": hex::encode(&s.kid),
                "office": s.office,
                "alg": s.public_key.algorithm().name(),
                "permit_types": s.permit_types.iter().map(|t| t.name()).collect::<Vec<_>>(),
                "valid_from": s.valid_from,
                "valid_until": s.valid_until,
            })
        })
        .collect();
    let lists: Vec<Value> = status_lists
        .iter()
        .map(|l| {
            json!({
                "office": l.office,
                "issued_at": l.issued_at,
                "fresh_until": l.fresh_until(),
                "entries": l.list.len(),
            })
        })
        .collect();
    json!({
        "version": trust.version,
        "issued_at": trust.issued_at,
        "next_update": trust.next_update,
        "signer_count": trust.signers.len(),
        "signers": signers,
        "status_lists": lists,
    })
}

#[cfg(feature = "reader")]
/// Reader output: an array of `{text, corners, ecLevel, version, pass}` objects, or
/// `{error, reason}` with the reader's stable error code and its English message.
pub fn read_result(r: &Result<Vec<QrCode>, ReadError>) -> Value {
    match r {
        Ok(codes) => Value::Array(
            codes
                .iter()
                .map(|c| {
                    json!({
                        "text": c.text,
                        "corners": c.corners.iter().map(|&(x, y)| [x, y]).collect::<Vec<_>>(),
                        "ecLevel": c.ec_level.as_str(),
                        "version": c.version,
                        "pass": c.pass.name(),
                    })
                })
                .collect(),
        ),
        Err(e) => json!({ "error": e.code(), "reason": e.to_string() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rupiah_groups_by_three() {
        assert_eq!(rupiah(0), "0");
        assert_eq!(rupiah(1_000), "1.000");
        assert_eq!(rupiah(30_000_000), "30.000.000");
    }

    #[cfg(feature = "reader")]
    #[test]
    fn read_error_is_code_and_reason() {
        let v = read_result(&Err(ReadError::Empty));
        assert_eq!(v["error"], "empty");
        assert_eq!(v["reason"], "the image is empty");
    }
}
