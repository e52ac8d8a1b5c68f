//! The field verifier in plain Rust: trust data loaded once, then any number of offline verifications
//! and QR reads. The wasm-bindgen layer in `lib.rs` only converts types and errors; everything here
//! runs (and is tested) natively too.

use core::fmt;

use pora_core::crypto::KeyError;
use pora_core::status_list::StatusListError;
use pora_core::trust::TrustError;
use pora_core::{hex, Algorithm, Context, Policy, PublicKey, StatusListToken, TrustList};
#[cfg(feature = "reader")]
use pora_reader::ReadOptions;

/// Why the verifier could not be set up or could not take an input. Its `Display` text is what the
/// page sees as the `JsError` message.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SetupError {
    /// The root algorithm name is not `ES256` or `EdDSA`.
    UnknownAlgorithm(String),
    /// The root public key is not hex.
    KeyNotHex,
    /// The root public key bytes do not fit the algorithm.
    Key(KeyError),
    /// The trust list does not verify against the root key, or does not parse.
    TrustList(TrustError),
    /// A status list does not verify against the trust list, or does not parse.
    StatusList(StatusListError),
    /// A status list older than the one already loaded for its office.
    StatusListOlder {
        /// The office.
        office: String,
        /// Issue time of the list offered.
        offered: i64,
        /// Issue time of the list already held.
        held: i64,
    },
    /// `now` is not a whole number of seconds within the range of an `i64`.
    BadTime(f64),
}

impl fmt::Display for SetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownAlgorithm(a) => {
                write!(f, "unknown root algorithm {a:?}: use \"ES256\" or \"EdDSA\"")
            }
            Self::KeyNotHex => f.write_str("the root public key is not an even-length hex string"),
            Self::Key(e) => write!(f, "root public key rejected: {e}"),
            Self::TrustList(e) => write!(f, "trust list rejected: {e}"),
            Self::StatusList(e) => write!(f, "status list rejected: {e}"),
            Self::StatusListOlder {
                office,
                offered,
                held,
            } => write!(
                f,
                "status list rejected: office {office}'s list issued at {offered} is older than the one held (issued at {held})"
            ),
            Self::BadTime(t) => write!(
                f,
                "now must be whole Unix seconds (a safe integer), got {t}"
            ),
        }
    }
}

impl std::error::Error for SetupError {}

/// Parses a root algorithm name, as the CLI accepts it.
pub fn parse_alg(s: &str) -> Result<Algorithm, SetupError> {
    match s {
        "ES256" | "es256" => Ok(Algorithm::ES256),
        "EdDSA" | "eddsa" | "Ed25519" | "ed25519" => Ok(Algorithm::EdDSA),
        _ => Err(SetupError::UnknownAlgorithm(s.into())),
    }
}

/// A JavaScript number as Unix seconds: finite, whole, and a safe integer (|t| < 2^53).
pub fn unix_seconds(t: f64) -> Result<i64, SetupError> {
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
    if t.is_finite() && t.fract() == 0.0 && t.abs() <= MAX_SAFE {
        // Exact: a whole number within ±2^53 converts to i64 without rounding or saturation.
        Ok(t as i64)
    } else {
        Err(SetupError::BadTime(t))
    }
}

/// The verifier's state: a verified trust list and the verified status lists, one per office.
#[derive(Debug, Clone)]
pub struct FieldVerifier {
    trust: TrustList,
    status_lists: Vec<StatusListToken>,
    policy: Policy,
}

impl FieldVerifier {
    /// Verifies the signed trust list against the root key.
    pub fn new(
        root_alg: &str,
        root_public_key_hex: &str,
        trust_list: &[u8],
    ) -> Result<Self, SetupError> {
        let alg = parse_alg(root_alg)?;
        let raw = hex::decode(root_public_key_hex.trim()).ok_or(SetupError::KeyNotHex)?;
        let root = PublicKey::from_bytes(alg, &raw).map_err(SetupError::Key)?;
        let trust = TrustList::verify(trust_list, &root, pora_crypto::default_provider())
            .map_err(SetupError::TrustList)?;
        Ok(Self {
            trust,
            status_lists: Vec::new(),
            policy: Policy::default(),
        })
    }

    /// Verifies a signed status list token against the trust list and holds it, replacing the
    /// office's previous list unless that one is newer.
    pub fn add_status_list(&mut self, bytes: &[u8]) -> Result<(), SetupError> {
        let token = StatusListToken::verify(bytes, &self.trust, pora_crypto::default_provider())
            .map_err(SetupError::StatusList)?;
        match self
            .status_lists
            .iter_mut()
            .find(|l| l.office == token.office)
        {
            Some(held) if held.issued_at > token.issued_at => Err(SetupError::StatusListOlder {
                office: token.office,
                offered: token.issued_at,
                held: held.issued_at,
            }),
            Some(held) => {
                *held = token;
                Ok(())
            }
            None => {
                self.status_lists.push(token);
                Ok(())
            }
        }
    }

    /// The trust list and status lists held, as JSON text.
    pub fn trust_list_info(&self) -> String {
        crate::json::trust_info(&self.trust, &self.status_lists).to_string()
    }

    /// Verifies a QR text at `now` (Unix seconds) and returns the verdict as JSON text.
    pub fn verify(&self, text: &str, now: i64) -> String {
        crate::json::verdict(&self.verdict(text, now)).to_string()
    }

    /// Verifies a QR text at `now` (Unix seconds) and returns what the result screen and the check
    /// report need, as JSON text ([`crate::json::check`]).
    pub fn check(&self, text: &str, now: i64) -> String {
        crate::json::check(
            &self.verdict(text, now),
            now,
            &self.trust,
            &self.status_lists,
        )
        .to_string()
    }

    /// Verifies a QR text at `now` (Unix seconds).
    pub fn verdict(&self, text: &str, now: i64) -> pora_core::Verdict {
        let ctx = Context {
            trust: &self.trust,
            status_lists: &self.status_lists,
            now,
            policy: self.policy,
        };
        pora_core::verify(text, &ctx, pora_crypto::default_provider())
    }
}

#[cfg(feature = "reader")]
fn options(try_harder: bool) -> ReadOptions {
    ReadOptions::default().with_try_harder(try_harder)
}

#[cfg(feature = "reader")]
/// Reads the QR codes in an RGBA8 frame (a canvas `ImageData`); JSON text as described in
/// [`crate::json::read_result`].
pub fn read_rgba(width: u32, height: u32, pixels: &[u8], try_harder: bool) -> String {
    crate::json::read_result(&pora_reader::read_rgba(
        width,
        height,
        pixels,
        &options(try_harder),
    ))
    .to_string()
}

#[cfg(feature = "reader")]
/// Reads the QR codes in a PNG, JPEG or WebP file's bytes (full cascade).
pub fn read_image(bytes: &[u8]) -> String {
    crate::json::read_result(&pora_reader::read_image(bytes, &options(true))).to_string()
}
