//! The JSON the page receives: verdicts (from `pora-verdict`, exactly as `pora verify --json`),
//! the loaded trust data, and reader results. Plain Rust, tested natively.

use pora_core::{hex, StatusListToken, TrustList};
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
