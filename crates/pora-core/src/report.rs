//! Check reports: what a field device signs after each check, chained per device.
//!
//! A check report is a tagged COSE_Sign1 made by the device's own key (ES256 or EdDSA, `kid` =
//! [`crate::trust::kid_of`] of the device key, in the protected header) over a deterministic CBOR map
//! with small integer keys (`docs/SPEC.md`, "Check reports"). Each report names its device sequence
//! number and the SHA-256 of the same device's previous report ([`hash`]), so the centre can tell a
//! missing, reordered, forked or altered report from a clean chain ([`link`]).
//!
//! The document id is carried as a keyed hash ([`doc_hash`]: HMAC-SHA256 under a key the office hands
//! to its enrolled devices), and the permit number only where the officer's role may see it.
//!
//! Like the rest of the core this module does no I/O and reads no clock; signing goes through
//! [`Signer`] (or, in the browser, WebCrypto with [`Unsigned::to_be_signed`] and
//! [`Unsigned::finalize`]).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use sha2::{Digest, Sha256};

use crate::cbor::{CborError, Value};
use crate::cose::{AlgorithmLabel, CoseError, CoseSign1, Header, ProtectedHeader};
use crate::crypto::{CryptoProvider, PublicKey, SignError, Signer};
use crate::issue::SIGNATURE_LEN;
use crate::trust::kid_of;

/// The format version carried under key 0.
pub const VERSION: u64 = 1;
/// Longest device id, officer name, written-order number or warning code, in bytes.
pub const MAX_NAME_LEN: usize = 64;
/// Longest free-text note, in bytes.
pub const MAX_NOTE_LEN: usize = 1000;
/// Most warnings a report may carry.
pub const MAX_WARNINGS: usize = 16;
/// Largest position accuracy accepted, in metres.
pub const MAX_ACCURACY_M: u32 = 100_000;
/// Largest encoded report accepted by [`parse`], in bytes.
pub const MAX_REPORT_LEN: usize = 4096;

/// Why the check was made: a written order (surat perintah) or a foreigner caught in the act.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Basis {
    /// The number of the written order the officer works under.
    Order(String),
    /// No order: the officer met the situation (tertangkap tangan).
    CaughtInAct,
}

/// Where the device was, from its GNSS receiver.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Position {
    /// Latitude in units of 1e-7 degree.
    pub lat_e7: i32,
    /// Longitude in units of 1e-7 degree.
    pub lon_e7: i32,
    /// Horizontal accuracy radius, metres.
    pub accuracy_m: u32,
}

impl Position {
    /// From degrees, rounding to 1e-7 degree; `None` when out of range or not finite.
    pub fn from_degrees(lat: f64, lon: f64, accuracy_m: f64) -> Option<Self> {
        fn e7(v: f64, max: f64) -> Option<i32> {
            if !v.is_finite() || !(-max..=max).contains(&v) {
                return None;
            }
            let scaled = v * 1e7;
            // Round half away from zero without std (f64::round is std-only).
            let r = if scaled >= 0.0 {
                scaled + 0.5
            } else {
                scaled - 0.5
            };
            Some(r as i32)
        }
        if !accuracy_m.is_finite() || !(0.0..=MAX_ACCURACY_M as f64).contains(&accuracy_m) {
            return None;
        }
        Some(Position {
            lat_e7: e7(lat, 90.0)?,
            lon_e7: e7(lon, 180.0)?,
            accuracy_m: (accuracy_m + 0.5) as u32,
        })
    }

    /// Latitude in degrees.
    pub fn lat(&self) -> f64 {
        self.lat_e7 as f64 / 1e7
    }

    /// Longitude in degrees.
    pub fn lon(&self) -> f64 {
        self.lon_e7 as f64 / 1e7
    }
}

/// The content of a check report.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CheckReport {
    /// Chosen by the device, unique: the idempotency key of sync.
    #[cfg_attr(feature = "serde", serde(with = "crate::hex::serde_array"))]
    pub report_id: [u8; 16],
    /// The device id the server assigned at enrolment.
    pub device: String,
    /// The officer's user name.
    pub officer: String,
    /// Position in the device's chain, from 0.
    pub seq: u64,
    /// [`hash`] of the device's report `seq - 1`; `None` exactly when `seq` is 0.
    #[cfg_attr(feature = "serde", serde(with = "crate::hex::serde_opt_array"))]
    pub prev: Option<[u8; 32]>,
    /// Written order or caught in the act.
    pub basis: Basis,
    /// The device clock, Unix seconds.
    pub device_time: i64,
    /// The GNSS fix time, Unix seconds, when the receiver gave one.
    pub gnss_time: Option<i64>,
    /// The GNSS position, when there was a fix.
    pub position: Option<Position>,
    /// The verification outcome code ([`crate::verify::Outcome::code`]).
    pub outcome: String,
    /// Warning codes ([`crate::verify::Warning::code`]).
    pub warnings: Vec<String>,
    /// Version of the trust list the device verified with.
    pub trust_list_version: u64,
    /// Issued-at of the office status list the device used, if it had one.
    pub status_list_at: Option<i64>,
    /// [`doc_hash`] of the permit number (or, when the code did not decode, of the scanned text).
    #[cfg_attr(feature = "serde", serde(with = "crate::hex::serde_array"))]
    pub doc_hash: [u8; 32],
    /// The permit number itself, only where the officer's role may see it.
    pub permit_number: Option<String>,
    /// The officer's note.
    pub note: Option<String>,
}

/// A field of a check report, for error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReportField {
    Version,
    ReportId,
    Device,
    Officer,
    Seq,
    Prev,
    Order,
    CaughtInAct,
    DeviceTime,
    GnssTime,
    Position,
    Outcome,
    Warnings,
    TrustListVersion,
    StatusListAt,
    DocHash,
    PermitNumber,
    Note,
}

const FIELDS: [ReportField; 18] = [
    ReportField::Version,
    ReportField::ReportId,
    ReportField::Device,
    ReportField::Officer,
    ReportField::Seq,
    ReportField::Prev,
    ReportField::Order,
    ReportField::CaughtInAct,
    ReportField::DeviceTime,
    ReportField::GnssTime,
    ReportField::Position,
    ReportField::Outcome,
    ReportField::Warnings,
    ReportField::TrustListVersion,
    ReportField::StatusListAt,
    ReportField::DocHash,
    ReportField::PermitNumber,
    ReportField::Note,
];

impl ReportField {
    /// The CBOR map key.
    pub fn key(self) -> i128 {
        FIELDS.iter().position(|f| *f == self).unwrap_or(0) as i128
    }

    fn from_key(key: i128) -> Option<Self> {
        usize::try_from(key)
            .ok()
            .and_then(|k| FIELDS.get(k).copied())
    }

    /// The field's name, as in the JSON form.
    pub fn name(self) -> &'static str {
        match self {
            Self::Version => "version",
            Self::ReportId => "report_id",
            Self::Device => "device",
            Self::Officer => "officer",
            Self::Seq => "seq",
            Self::Prev => "prev",
            Self::Order => "order",
            Self::CaughtInAct => "caught_in_act",
            Self::DeviceTime => "device_time",
            Self::GnssTime => "gnss_time",
            Self::Position => "position",
            Self::Outcome => "outcome",
            Self::Warnings => "warnings",
            Self::TrustListVersion => "trust_list_version",
            Self::StatusListAt => "status_list_at",
            Self::DocHash => "doc_hash",
            Self::PermitNumber => "permit_number",
            Self::Note => "note",
        }
    }
}

/// Why bytes are not an acceptable, authentic check report.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReportError {
    /// Larger than [`MAX_REPORT_LEN`].
    TooLarge(usize),
    /// Not a tagged COSE_Sign1.
    Cose(CoseError),
    /// The COSE_Sign1 has no payload.
    NoPayload,
    /// The payload is not CBOR.
    Cbor(CborError),
    /// The payload is CBOR but not its deterministic encoding.
    NotDeterministic,
    /// The payload is not a map with integer keys.
    NotAMap,
    /// A key this version does not define.
    UnknownKey(i128),
    /// A field is missing, of the wrong type, or out of range.
    Field {
        field: ReportField,
        reason: &'static str,
    },
    /// The protected header lacks an algorithm or kid, or the algorithm is not the key's.
    Header(&'static str),
    /// The kid is not the one of the key the report was checked against.
    KidMismatch,
    /// The signature is not the device's.
    BadSignature,
    /// The signature has the wrong length.
    BadSignatureLength(usize),
    /// The signer failed.
    Sign(SignError),
}

impl fmt::Display for ReportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge(n) => write!(f, "report is {n} bytes, more than {MAX_REPORT_LEN}"),
            Self::Cose(e) => write!(f, "not a COSE_Sign1: {e}"),
            Self::NoPayload => f.write_str("the COSE_Sign1 has no payload"),
            Self::Cbor(e) => write!(f, "payload is not CBOR: {e}"),
            Self::NotDeterministic => f.write_str("payload is not deterministically encoded"),
            Self::NotAMap => f.write_str("payload is not a map with integer keys"),
            Self::UnknownKey(k) => write!(f, "unknown report key {k}"),
            Self::Field { field, reason } => write!(f, "{}: {reason}", field.name()),
            Self::Header(why) => write!(f, "protected header: {why}"),
            Self::KidMismatch => f.write_str("kid is not the device key's"),
            Self::BadSignature => f.write_str("signature is not the device's"),
            Self::BadSignatureLength(n) => write!(f, "signature is {n} bytes, not 64"),
            Self::Sign(e) => write!(f, "{e}"),
        }
    }
}

impl core::error::Error for ReportError {}

impl ReportError {
    /// A stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLarge(_) => "too_large",
            Self::Cose(_) | Self::NoPayload => "not_cose",
            Self::Cbor(_) | Self::NotDeterministic | Self::NotAMap | Self::UnknownKey(_) => {
                "malformed"
            }
            Self::Field { .. } => "invalid_field",
            Self::Header(_) => "bad_header",
            Self::KidMismatch => "kid_mismatch",
            Self::BadSignature | Self::BadSignatureLength(_) => "bad_signature",
            Self::Sign(_) => "sign_failed",
        }
    }
}

fn bad(field: ReportField, reason: &'static str) -> ReportError {
    ReportError::Field { field, reason }
}

fn name_ok(s: &str) -> bool {
    !s.is_empty() && s.len() <= MAX_NAME_LEN && !s.chars().any(char::is_control)
}

impl CheckReport {
    /// Checks every field's range and the rules between fields.
    pub fn validate(&self) -> Result<(), ReportError> {
        use ReportField as F;
        if !name_ok(&self.device) {
            return Err(bad(
                F::Device,
                "must be 1 to 64 bytes without control characters",
            ));
        }
        if !name_ok(&self.officer) {
            return Err(bad(
                F::Officer,
                "must be 1 to 64 bytes without control characters",
            ));
        }
        if (self.seq == 0) != self.prev.is_none() {
            return Err(bad(F::Prev, "must be present exactly when seq is not 0"));
        }
        if let Basis::Order(n) = &self.basis {
            if !name_ok(n) {
                return Err(bad(
                    F::Order,
                    "must be 1 to 64 bytes without control characters",
                ));
            }
        }
        if !(0..=253_402_300_799).contains(&self.device_time) {
            return Err(bad(F::DeviceTime, "is out of range"));
        }
        if self
            .gnss_time
            .is_some_and(|t| !(0..=253_402_300_799).contains(&t))
        {
            return Err(bad(F::GnssTime, "is out of range"));
        }
        if let Some(p) = &self.position {
            if !(-900_000_000..=900_000_000).contains(&p.lat_e7)
                || !(-1_800_000_000..=1_800_000_000).contains(&p.lon_e7)
                || p.accuracy_m > MAX_ACCURACY_M
            {
                return Err(bad(F::Position, "is out of range"));
            }
        }
        let code_ok = |s: &str| {
            !s.is_empty()
                && s.len() <= MAX_NAME_LEN
                && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
        };
        if !code_ok(&self.outcome) {
            return Err(bad(F::Outcome, "must be an outcome code (a-z and _)"));
        }
        if self.warnings.len() > MAX_WARNINGS || !self.warnings.iter().all(|w| code_ok(w)) {
            return Err(bad(
                F::Warnings,
                "must be at most 16 warning codes (a-z and _)",
            ));
        }
        if self
            .status_list_at
            .is_some_and(|t| !(0..=253_402_300_799).contains(&t))
        {
            return Err(bad(F::StatusListAt, "is out of range"));
        }
        if let Some(n) = &self.permit_number {
            if !name_ok(n) {
                return Err(bad(
                    F::PermitNumber,
                    "must be 1 to 64 bytes without control characters",
                ));
            }
        }
        if let Some(n) = &self.note {
            if n.len() > MAX_NOTE_LEN {
                return Err(bad(F::Note, "is longer than 1000 bytes"));
            }
        }
        Ok(())
    }

    /// The deterministic CBOR payload. Fails when [`CheckReport::validate`] does.
    pub fn to_cbor(&self) -> Result<Vec<u8>, ReportError> {
        use ReportField as F;
        self.validate()?;
        let k = |f: ReportField| Value::Integer(f.key());
        let int = |i: i64| Value::Integer(i as i128);
        let text = |s: &str| Value::Text(String::from(s));
        let mut m = alloc::vec![
            (k(F::Version), Value::Integer(VERSION as i128)),
            (k(F::ReportId), Value::Bytes(self.report_id.to_vec())),
            (k(F::Device), text(&self.device)),
            (k(F::Officer), text(&self.officer)),
            (k(F::Seq), Value::Integer(self.seq as i128)),
        ];
        if let Some(p) = &self.prev {
            m.push((k(F::Prev), Value::Bytes(p.to_vec())));
        }
        match &self.basis {
            Basis::Order(n) => m.push((k(F::Order), text(n))),
            Basis::CaughtInAct => m.push((k(F::CaughtInAct), Value::Bool(true))),
        }
        m.push((k(F::DeviceTime), int(self.device_time)));
        if let Some(t) = self.gnss_time {
            m.push((k(F::GnssTime), int(t)));
        }
        if let Some(p) = &self.position {
            m.push((
                k(F::Position),
                Value::Array(alloc::vec![
                    Value::Integer(p.lat_e7 as i128),
                    Value::Integer(p.lon_e7 as i128),
                    Value::Integer(p.accuracy_m as i128),
                ]),
            ));
        }
        m.push((k(F::Outcome), text(&self.outcome)));
        m.push((
            k(F::Warnings),
            Value::Array(self.warnings.iter().map(|w| text(w)).collect()),
        ));
        m.push((
            k(F::TrustListVersion),
            Value::Integer(self.trust_list_version as i128),
        ));
        if let Some(t) = self.status_list_at {
            m.push((k(F::StatusListAt), int(t)));
        }
        m.push((k(F::DocHash), Value::Bytes(self.doc_hash.to_vec())));
        if let Some(n) = &self.permit_number {
            m.push((k(F::PermitNumber), text(n)));
        }
        if let Some(n) = &self.note {
            m.push((k(F::Note), text(n)));
        }
        Ok(Value::Map(m).to_vec())
    }

    /// Decodes a payload: deterministic CBOR, every field valid, no unknown key.
    pub fn from_cbor(bytes: &[u8]) -> Result<Self, ReportError> {
        use ReportField as F;
        let v = Value::from_slice(bytes).map_err(ReportError::Cbor)?;
        if !Value::is_deterministic(bytes) {
            return Err(ReportError::NotDeterministic);
        }
        let Value::Map(entries) = v else {
            return Err(ReportError::NotAMap);
        };
        let mut slots: [Option<Value>; 18] = Default::default();
        for (key, val) in entries {
            let Value::Integer(key) = key else {
                return Err(ReportError::NotAMap);
            };
            let f = ReportField::from_key(key).ok_or(ReportError::UnknownKey(key))?;
            slots[f.key() as usize] = Some(val);
        }
        let mut take = |f: ReportField| slots[f.key() as usize].take();
        fn uint(f: ReportField, v: Option<Value>) -> Result<Option<u64>, ReportError> {
            match v {
                None => Ok(None),
                Some(Value::Integer(i)) => u64::try_from(i)
                    .map(Some)
                    .map_err(|_| bad(f, "is out of range")),
                Some(_) => Err(bad(f, "must be an unsigned integer")),
            }
        }
        fn int(f: ReportField, v: Option<Value>) -> Result<Option<i64>, ReportError> {
            match v {
                None => Ok(None),
                Some(Value::Integer(i)) => i64::try_from(i)
                    .map(Some)
                    .map_err(|_| bad(f, "is out of range")),
                Some(_) => Err(bad(f, "must be an integer")),
            }
        }
        fn text(f: ReportField, v: Option<Value>) -> Result<Option<String>, ReportError> {
            match v {
                None => Ok(None),
                Some(Value::Text(t)) => Ok(Some(t)),
                Some(_) => Err(bad(f, "must be a text string")),
            }
        }
        fn fixed<const N: usize>(
            f: ReportField,
            v: Option<Value>,
        ) -> Result<Option<[u8; N]>, ReportError> {
            match v {
                None => Ok(None),
                Some(Value::Bytes(b)) => <[u8; N]>::try_from(b.as_slice())
                    .map(Some)
                    .map_err(|_| bad(f, "has the wrong length")),
                Some(_) => Err(bad(f, "must be a byte string")),
            }
        }
        let need = |f: ReportField| bad(f, "is missing");
        let version = uint(F::Version, take(F::Version))?.ok_or(need(F::Version))?;
        if version != VERSION {
            return Err(bad(F::Version, "is not a supported version"));
        }
        let report_id = fixed::<16>(F::ReportId, take(F::ReportId))?.ok_or(need(F::ReportId))?;
        let device = text(F::Device, take(F::Device))?.ok_or(need(F::Device))?;
        let officer = text(F::Officer, take(F::Officer))?.ok_or(need(F::Officer))?;
        let seq = uint(F::Seq, take(F::Seq))?.ok_or(need(F::Seq))?;
        let prev = fixed::<32>(F::Prev, take(F::Prev))?;
        let order = text(F::Order, take(F::Order))?;
        let caught = match take(F::CaughtInAct) {
            None => false,
            Some(Value::Bool(true)) => true,
            Some(_) => return Err(bad(F::CaughtInAct, "must be true when present")),
        };
        let basis = match (order, caught) {
            (Some(n), false) => Basis::Order(n),
            (None, true) => Basis::CaughtInAct,
            (Some(_), true) => {
                return Err(bad(
                    F::CaughtInAct,
                    "a report has an order or is caught in the act, not both",
                ))
            }
            (None, false) => return Err(bad(F::Order, "is missing (and not caught in the act)")),
        };
        let device_time = int(F::DeviceTime, take(F::DeviceTime))?.ok_or(need(F::DeviceTime))?;
        let gnss_time = int(F::GnssTime, take(F::GnssTime))?;
        let position = match take(F::Position) {
            None => None,
            Some(Value::Array(a)) => {
                let Ok::<[Value; 3], _>(
                    [Value::Integer(la), Value::Integer(lo), Value::Integer(ac)],
                ) = a.try_into()
                else {
                    return Err(bad(F::Position, "must be [lat_e7, lon_e7, accuracy_m]"));
                };
                let conv = || -> Option<Position> {
                    Some(Position {
                        lat_e7: i32::try_from(la).ok()?,
                        lon_e7: i32::try_from(lo).ok()?,
                        accuracy_m: u32::try_from(ac).ok()?,
                    })
                };
                Some(conv().ok_or(bad(F::Position, "is out of range"))?)
            }
            Some(_) => return Err(bad(F::Position, "must be [lat_e7, lon_e7, accuracy_m]")),
        };
        let outcome = text(F::Outcome, take(F::Outcome))?.ok_or(need(F::Outcome))?;
        let warnings = match take(F::Warnings) {
            None => return Err(need(F::Warnings)),
            Some(Value::Array(a)) => a
                .into_iter()
                .map(|w| match w {
                    Value::Text(t) => Ok(t),
                    _ => Err(bad(F::Warnings, "must be text strings")),
                })
                .collect::<Result<Vec<_>, _>>()?,
            Some(_) => return Err(bad(F::Warnings, "must be an array")),
        };
        let trust_list_version = uint(F::TrustListVersion, take(F::TrustListVersion))?
            .ok_or(need(F::TrustListVersion))?;
        let status_list_at = int(F::StatusListAt, take(F::StatusListAt))?;
        let doc_hash = fixed::<32>(F::DocHash, take(F::DocHash))?.ok_or(need(F::DocHash))?;
        let permit_number = text(F::PermitNumber, take(F::PermitNumber))?;
        let note = text(F::Note, take(F::Note))?;
        let r = CheckReport {
            report_id,
            device,
            officer,
            seq,
            prev,
            basis,
            device_time,
            gnss_time,
            position,
            outcome,
            warnings,
            trust_list_version,
            status_list_at,
            doc_hash,
            permit_number,
            note,
        };
        r.validate()?;
        Ok(r)
    }
}

/// A report ready to be signed by the device.
#[derive(Clone, Debug)]
pub struct Unsigned {
    msg: CoseSign1,
}

impl Unsigned {
    /// Validates the report and builds the COSE_Sign1 for the device `key`.
    pub fn new(report: &CheckReport, key: &PublicKey) -> Result<Self, ReportError> {
        let header = Header {
            alg: Some(AlgorithmLabel::Known(key.algorithm())),
            kid: Some(kid_of(key)),
            ..Default::default()
        };
        Ok(Unsigned {
            msg: CoseSign1 {
                protected: ProtectedHeader::new(header),
                unprotected: Header::default(),
                payload: Some(report.to_cbor()?),
                signature: Vec::new(),
            },
        })
    }

    /// The Sig_structure the device signs (for ES256, WebCrypto's raw r || s is the COSE form).
    pub fn to_be_signed(&self) -> Vec<u8> {
        self.msg.tbs_data(&[])
    }

    /// Attaches the signature; returns the tagged COSE_Sign1 bytes (what is stored and uploaded).
    pub fn finalize(mut self, signature: Vec<u8>) -> Result<Vec<u8>, ReportError> {
        if signature.len() != SIGNATURE_LEN {
            return Err(ReportError::BadSignatureLength(signature.len()));
        }
        self.msg.signature = signature;
        Ok(self.msg.to_tagged_vec())
    }

    /// Signs with `signer`.
    pub fn sign(self, signer: &dyn Signer) -> Result<Vec<u8>, ReportError> {
        let sig = signer
            .sign(&self.to_be_signed())
            .map_err(ReportError::Sign)?;
        self.finalize(sig)
    }
}

/// A decoded but not yet authenticated report: use the kid (or `report.device`) to find the
/// device key, then [`Parsed::verify`].
#[derive(Clone, Debug)]
pub struct Parsed {
    /// The claimed content.
    pub report: CheckReport,
    /// The kid of the protected header.
    pub kid: Vec<u8>,
    msg: CoseSign1,
}

impl Parsed {
    /// Checks the signature against the device key; returns the report.
    pub fn verify(
        self,
        key: &PublicKey,
        provider: &dyn CryptoProvider,
    ) -> Result<CheckReport, ReportError> {
        match self.msg.alg() {
            Some(AlgorithmLabel::Known(a)) if *a == key.algorithm() => {}
            Some(_) => return Err(ReportError::Header("algorithm is not the device key's")),
            None => return Err(ReportError::Header("no algorithm")),
        }
        if self.kid != kid_of(key) {
            return Err(ReportError::KidMismatch);
        }
        if self.msg.signature.len() != SIGNATURE_LEN {
            return Err(ReportError::BadSignatureLength(self.msg.signature.len()));
        }
        if !provider.verify(key, &self.msg.tbs_data(&[]), &self.msg.signature) {
            return Err(ReportError::BadSignature);
        }
        Ok(self.report)
    }
}

/// Decodes a report without checking its signature.
pub fn parse(bytes: &[u8]) -> Result<Parsed, ReportError> {
    if bytes.len() > MAX_REPORT_LEN {
        return Err(ReportError::TooLarge(bytes.len()));
    }
    let msg = CoseSign1::from_tagged_slice(bytes).map_err(ReportError::Cose)?;
    let kid = msg.kid().ok_or(ReportError::Header("no kid"))?.to_vec();
    if msg.alg().is_none() {
        return Err(ReportError::Header("no algorithm"));
    }
    let payload = msg.payload.as_deref().ok_or(ReportError::NoPayload)?;
    let report = CheckReport::from_cbor(payload)?;
    Ok(Parsed { report, kid, msg })
}

/// Decodes and authenticates a report made by the device holding `key`.
pub fn verify(
    bytes: &[u8],
    key: &PublicKey,
    provider: &dyn CryptoProvider,
) -> Result<CheckReport, ReportError> {
    parse(bytes)?.verify(key, provider)
}

/// The chain hash of a report: SHA-256 of its tagged COSE_Sign1 bytes, as uploaded.
pub fn hash(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// HMAC-SHA256 (RFC 2104).
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(k.map(|b| b ^ 0x36));
    inner.update(message);
    let mut outer = Sha256::new();
    outer.update(k.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// The keyed hash of a document id: HMAC-SHA256 under the office's doc-hash key of the permit number
/// in upper case without surrounding spaces.
pub fn doc_hash(key: &[u8], permit_number: &str) -> [u8; 32] {
    let norm = permit_number.trim().to_ascii_uppercase();
    hmac_sha256(key, norm.as_bytes())
}

/// What the centre last holds of a device's chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainHead {
    /// The sequence number of the highest report received.
    pub seq: u64,
    /// Its [`hash`].
    pub hash: [u8; 32],
}

/// How a report relates to the device's chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    /// The first report of the device (seq 0, no previous).
    Genesis,
    /// Follows the head: seq is head + 1 and prev is the head's hash.
    Next,
    /// Reports `from..=to` are missing between the head and this one.
    Gap { from: u64, to: u64 },
    /// seq is head + 1 but prev is not the head's hash: a report was altered or the chain forked.
    Broken,
    /// seq is at or below the head: a late, reordered or replayed report (the caller checks
    /// whether it fills a gap or duplicates a stored one).
    Behind,
    /// The device's first report the centre sees does not start at 0.
    MissingStart { to: u64 },
}

/// Places `report` (whose bytes hash to anything) against the `head` the centre holds for its device.
pub fn link(head: Option<ChainHead>, report: &CheckReport) -> Link {
    match head {
        None if report.seq == 0 => Link::Genesis,
        None => Link::MissingStart { to: report.seq - 1 },
        Some(h) if report.seq <= h.seq => Link::Behind,
        Some(h) if report.seq == h.seq + 1 => {
            if report.prev == Some(h.hash) {
                Link::Next
            } else {
                Link::Broken
            }
        }
        Some(h) => Link::Gap {
            from: h.seq + 1,
            to: report.seq - 1,
        },
    }
}
