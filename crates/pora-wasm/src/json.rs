//! The JSON the page receives: verdicts (from `pora-verdict`, exactly as `pora verify --json`),
//! the loaded trust data, and reader results. Plain Rust, tested natively.

use pora_core::verify::{days_until, OVERSTAY_CHARGE_PER_DAY_IDR};
use pora_core::{hex, StatusListToken, TrustList, Verdict};
#[cfg(feature = "reader")]
use pora_reader::{QrCode, ReadError};
use serde_json::{json, Value};

/// Verdicts are told by `pora-verdict`, the same words and keys as `pora verify --json`.
pub use pora_verdict::{reason_id, verdict_json as verdict};

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

/// What the result screen shows and the check report records for one scan: the verdict JSON
/// (as [`verdict`]) plus
/// - `headline`: `{id, en}` (e.g. SAH / VALID), `warning_texts`: `[{code, id, en}]`;
/// - `days_left`: days from today (WIB) to the last valid day, negative when overstayed, and
///   `charge_per_day_idr`, only when the permit's signature verified;
/// - `trust_list_version`, and `status_list_at`: issue time of the permit office's status list
///   held (null without a verified permit or without a list for its office).
pub fn check(v: &Verdict, now: i64, trust: &TrustList, status_lists: &[StatusListToken]) -> Value {
    let mut out = verdict(v);
    let (id, en) = pora_verdict::headline(&v.outcome);
    let texts: Vec<Value> = v
        .warnings
        .iter()
        .map(|w| {
            let (wid, wen) = pora_verdict::warning_text(w);
            json!({ "code": w.code(), "id": wid, "en": wen })
        })
        .collect();
    let permit = v.permit.as_ref();
    let status_list_at = permit.and_then(|p| {
        status_lists
            .iter()
            .find(|l| l.office == p.office)
            .map(|l| l.issued_at)
    });
    if let Value::Object(m) = &mut out {
        m.insert("headline".into(), json!({ "id": id, "en": en }));
        m.insert("warning_texts".into(), Value::Array(texts));
        m.insert(
            "days_left".into(),
            json!(permit.map(|p| days_until(p.valid_until, now))),
        );
        m.insert(
            "charge_per_day_idr".into(),
            json!(permit.map(|_| OVERSTAY_CHARGE_PER_DAY_IDR)),
        );
        m.insert("trust_list_version".into(), json!(trust.version));
        m.insert("status_list_at".into(), json!(status_list_at));
    }
    out
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

    #[cfg(feature = "reader")]
    #[test]
    fn read_error_is_code_and_reason() {
        let v = read_result(&Err(ReadError::Empty));
        assert_eq!(v["error"], "empty");
        assert_eq!(v["reason"], "the image is empty");
    }
}
