//! Signed check reports made in the page: the page fills a [`CheckReport`] (its JSON form), signs
//! the Sig_structure with the device key it keeps in WebCrypto (non-extractable), and gets back the
//! tagged COSE_Sign1 bytes it stores and uploads. Plain Rust over [`pora_core::report`], tested
//! natively; `lib.rs` only binds it.
//!
//! The device key is given raw, as WebCrypto exports it: 65 bytes `04 || x || y` for ECDSA P-256
//! (ES256, WebCrypto's raw `r || s` signature is the COSE form), or 32 bytes for Ed25519 (EdDSA).

use core::fmt;

use pora_core::crypto::KeyError;
use pora_core::report::{self, CheckReport, ReportError, Unsigned};
use pora_core::{Algorithm, PublicKey};

/// Why a report could not be built, finalised or checked. Its `Display` text is the page's
/// `JsError` message and names the field at fault.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ReportInputError {
    /// The report JSON does not parse into a [`CheckReport`] (serde's message names the field).
    Json(String),
    /// The device public key is neither 65 bytes `04 || x || y` (P-256) nor 32 bytes (Ed25519).
    DeviceKey(usize),
    /// The key bytes have the right length but are not a key.
    Key(KeyError),
    /// The report is out of range, or the signature or bytes are not acceptable.
    Report(ReportError),
}

impl fmt::Display for ReportInputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Json(e) => write!(f, "report: {e}"),
            Self::DeviceKey(n) => write!(
                f,
                "devicePublicKey: {n} bytes; want 65 (P-256, 04 || x || y) or 32 (Ed25519)"
            ),
            Self::Key(e) => write!(f, "devicePublicKey: {e}"),
            Self::Report(e) => write!(f, "report {}: {e}", e.code()),
        }
    }
}

impl std::error::Error for ReportInputError {}

impl From<ReportError> for ReportInputError {
    fn from(e: ReportError) -> Self {
        Self::Report(e)
    }
}

/// The device key from its raw WebCrypto export; the algorithm follows from the length.
pub fn device_key(raw: &[u8]) -> Result<PublicKey, ReportInputError> {
    let alg = match raw.len() {
        65 => Algorithm::ES256,
        32 => Algorithm::EdDSA,
        n => return Err(ReportInputError::DeviceKey(n)),
    };
    PublicKey::from_bytes(alg, raw).map_err(ReportInputError::Key)
}

/// Parses the report's JSON form (hex for byte fields, `basis` as `{"order": "…"}` or
/// `"caught_in_act"`) and checks every field's range.
pub fn parse_json(report_json: &str) -> Result<CheckReport, ReportInputError> {
    let r: CheckReport =
        serde_json::from_str(report_json).map_err(|e| ReportInputError::Json(e.to_string()))?;
    r.validate()?;
    Ok(r)
}

fn unsigned(report_json: &str, device_public_key: &[u8]) -> Result<Unsigned, ReportInputError> {
    let key = device_key(device_public_key)?;
    Ok(Unsigned::new(&parse_json(report_json)?, &key)?)
}

/// The bytes the device signs for this report (the COSE Sig_structure).
pub fn to_be_signed(
    report_json: &str,
    device_public_key: &[u8],
) -> Result<Vec<u8>, ReportInputError> {
    Ok(unsigned(report_json, device_public_key)?.to_be_signed())
}

/// The tagged COSE_Sign1 of the report with `signature` (64 bytes). The encoding is
/// deterministic, so the report and key given here must be those given to [`to_be_signed`]; the
/// signature is checked against the key so that a wrong one never reaches the queue.
pub fn finalize(
    report_json: &str,
    device_public_key: &[u8],
    signature: &[u8],
) -> Result<Vec<u8>, ReportInputError> {
    let key = device_key(device_public_key)?;
    let bytes = Unsigned::new(&parse_json(report_json)?, &key)?.finalize(signature.to_vec())?;
    report::verify(&bytes, &key, pora_crypto::default_provider())?;
    Ok(bytes)
}

/// Authenticates report bytes against the device key; the report's JSON form.
pub fn verify(bytes: &[u8], device_public_key: &[u8]) -> Result<String, ReportInputError> {
    let key = device_key(device_public_key)?;
    let r = report::verify(bytes, &key, pora_crypto::default_provider())?;
    serde_json::to_string(&r).map_err(|e| ReportInputError::Json(e.to_string()))
}

/// The keyed hash of a permit number under the office's doc-hash key.
pub fn doc_hash(key: &[u8], permit_number: &str) -> [u8; 32] {
    report::doc_hash(key, permit_number)
}

/// The chain hash of report bytes (the next report's `prev`).
pub fn hash(bytes: &[u8]) -> [u8; 32] {
    report::hash(bytes)
}

#[cfg(test)]
mod tests {
    // Tests: a panic is the failure report.
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn device_key_length_picks_the_algorithm_or_names_the_field() {
        assert_eq!(device_key(&[7; 32]).unwrap().algorithm(), Algorithm::EdDSA);
        let e = device_key(&[4; 33]).unwrap_err();
        assert_eq!(e, ReportInputError::DeviceKey(33));
        assert!(e.to_string().starts_with("devicePublicKey: 33 bytes"));
        // 65 bytes without the 04 prefix: the key's own error.
        assert!(matches!(
            device_key(&[5; 65]).unwrap_err(),
            ReportInputError::Key(_)
        ));
    }

    #[test]
    fn garbage_json_is_an_error_naming_the_problem() {
        for bad in ["", "{", "[]", "{\"report_id\": 5}"] {
            let e = parse_json(bad).unwrap_err();
            assert!(matches!(e, ReportInputError::Json(_)), "{bad}: {e}");
        }
    }
}
