//! The QR text: a versioned context prefix followed by the Base45 of the tagged COSE_Sign1.
//!
//! `PR1:` is four QR-alphanumeric characters, so the whole text stays in alphanumeric mode.

use alloc::string::String;
use alloc::vec::Vec;

use crate::base45::{self, Base45Error};

/// The context prefix of version 1 credentials.
pub const PREFIX: &str = "PR1:";

/// Why a text is not a version 1 permit text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FrameError {
    /// It does not start with a pora prefix at all.
    NotOurs,
    /// It starts `PR<digits>:` with a version this implementation does not read.
    UnsupportedVersion(String),
    /// The Base45 body is invalid (positions count from after the prefix).
    Base45(Base45Error),
}

/// Wraps COSE bytes into the QR text.
pub fn wrap(cose: &[u8]) -> String {
    let mut s = String::from(PREFIX);
    s.push_str(&base45::encode(cose));
    s
}

/// Unwraps a QR text into COSE bytes. Leading and trailing ASCII whitespace (a scanner's line end)
/// is ignored; nothing else is.
pub fn unwrap(text: &str) -> Result<Vec<u8>, FrameError> {
    let text = text.trim_matches(|c: char| c.is_ascii_whitespace());
    if let Some(body) = text.strip_prefix(PREFIX) {
        return base45::decode(body).map_err(FrameError::Base45);
    }
    // "PR" + version digits + ":" is ours, from another version.
    if let Some(rest) = text.strip_prefix("PR") {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && rest.as_bytes().get(digits) == Some(&b':') {
            return Err(FrameError::UnsupportedVersion(String::from(
                &text[..2 + digits + 1],
            )));
        }
    }
    Err(FrameError::NotOurs)
}
