//! Trust: the national root, the signer records it certifies, and the signed trust list verifiers load.
//!
//! ```cddl
//! SignerRecord = {
//!   1 => bstr,            ; kid = first KID_LEN bytes of SHA-256(KeyRecord)
//!   2 => tstr,            ; office code
//!   3 => int,             ; algorithm (-7 ES256, -8 EdDSA)
//!   4 => bstr,            ; public key: SEC1 uncompressed P-256 point, or Ed25519 key
//!   5 => [+ 1 / 2],       ; permit types it may sign (1 ITAS, 2 ITAP)
//!   6 => int, 7 => int,   ; key-usage period: permits must be signed (iat) inside [6, 7]
//!   8 => int, 9 => int,   ; validity: its signatures are accepted while now is inside [8, 9]
//! }
//! KeyRecord = [alg: int, public key: bstr]
//! Certificate = COSE_Sign1 by the root over SignerRecord, protected {1: alg, 3: "application/pora-signer+cbor", 4: root kid}
//! TrustListPayload = { 1 => uint (version), 2 => int (issued-at), 3 => int (next-update), 4 => [* SignerRecord] }
//! TrustList = COSE_Sign1 by the root over TrustListPayload, protected {1: alg, 3: "application/pora-trust-list+cbor", 4: root kid}
//! ```

use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use sha2::{Digest, Sha256};

use crate::cbor::Value;
use crate::cose::{Algorithm, AlgorithmLabel, CoseSign1, Header, ProtectedHeader};
use crate::crypto::{CryptoProvider, PublicKey, SignError, Signer};
use crate::permit::{check_office, PermitType};

/// Length of a key id, bytes.
pub const KID_LEN: usize = 4;
/// Content type of a signer certificate.
pub const CT_CERTIFICATE: &str = "application/pora-signer+cbor";
/// Content type of a trust list.
pub const CT_TRUST_LIST: &str = "application/pora-trust-list+cbor";

/// The key id of a public key: the first [`KID_LEN`] bytes of SHA-256 of `[alg, key]`.
pub fn kid_of(key: &PublicKey) -> Vec<u8> {
    let rec = Value::Array(vec![
        Value::Integer(key.algorithm().cose_id()),
        Value::Bytes(key.as_bytes().to_vec()),
    ]);
    Sha256::digest(rec.to_vec())[..KID_LEN].to_vec()
}

/// A document signer as certified by the root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignerRecord {
    /// Key id (derived from the key).
    pub kid: Vec<u8>,
    /// The office whose permits it signs.
    pub office: String,
    /// Its public key (and so its algorithm).
    pub public_key: PublicKey,
    /// Permit types it may sign.
    pub permit_types: Vec<PermitType>,
    /// Start of the key-usage period (Unix seconds).
    pub usage_from: i64,
    /// End of the key-usage period.
    pub usage_until: i64,
    /// Start of the period in which its signatures are accepted.
    pub valid_from: i64,
    /// End of that period.
    pub valid_until: i64,
}

/// Why trust data is not acceptable.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrustError {
    /// Not a COSE_Sign1.
    Cose(crate::cose::CoseError),
    /// Signed by another key than the root.
    WrongRoot,
    /// The root's signature does not verify.
    BadSignature,
    /// The algorithm header disagrees with the root key.
    AlgorithmMismatch,
    /// The content type is not the expected one.
    WrongContentType,
    /// The payload is not valid: where and why.
    Malformed(String),
    /// Signing failed.
    Sign(SignError),
}

impl fmt::Display for TrustError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Cose(e) => write!(f, "not a signed object: {e}"),
            Self::WrongRoot => f.write_str("signed by a key other than the trusted root"),
            Self::BadSignature => f.write_str("the root signature does not verify"),
            Self::AlgorithmMismatch => {
                f.write_str("the algorithm header does not match the root key")
            }
            Self::WrongContentType => f.write_str("unexpected content type"),
            Self::Malformed(why) => write!(f, "malformed: {why}"),
            Self::Sign(e) => write!(f, "{e}"),
        }
    }
}

impl core::error::Error for TrustError {}

fn bad(why: impl Into<String>) -> TrustError {
    TrustError::Malformed(why.into())
}

impl SignerRecord {
    /// Builds a record for `key`, computing its kid.
    pub fn new(
        office: &str,
        public_key: PublicKey,
        permit_types: Vec<PermitType>,
        usage: (i64, i64),
        validity: (i64, i64),
    ) -> Result<Self, TrustError> {
        check_office(office).map_err(|e| bad(e.to_string()))?;
        let r = SignerRecord {
            kid: kid_of(&public_key),
            office: office.into(),
            public_key,
            permit_types,
            usage_from: usage.0,
            usage_until: usage.1,
            valid_from: validity.0,
            valid_until: validity.1,
        };
        r.check()?;
        Ok(r)
    }

    fn check(&self) -> Result<(), TrustError> {
        if self.permit_types.is_empty() {
            return Err(bad("signer may sign no permit type"));
        }
        if self.usage_until < self.usage_from || self.valid_until < self.valid_from {
            return Err(bad("a period ends before it starts"));
        }
        if self.usage_from < self.valid_from || self.usage_until > self.valid_until {
            return Err(bad("key-usage period must lie inside the validity period"));
        }
        if self.kid != kid_of(&self.public_key) {
            return Err(bad("kid does not match the public key"));
        }
        Ok(())
    }

    /// The record as a CBOR map.
    pub fn to_value(&self) -> Value {
        let i = |n: i64| Value::Integer(n as i128);
        Value::Map(vec![
            (Value::Integer(1), Value::Bytes(self.kid.clone())),
            (Value::Integer(2), Value::Text(self.office.clone())),
            (
                Value::Integer(3),
                Value::Integer(self.public_key.algorithm().cose_id()),
            ),
            (
                Value::Integer(4),
                Value::Bytes(self.public_key.as_bytes().to_vec()),
            ),
            (
                Value::Integer(5),
                Value::Array(
                    self.permit_types
                        .iter()
                        .map(|t| Value::Integer(t.code() as i128))
                        .collect(),
                ),
            ),
            (Value::Integer(6), i(self.usage_from)),
            (Value::Integer(7), i(self.usage_until)),
            (Value::Integer(8), i(self.valid_from)),
            (Value::Integer(9), i(self.valid_until)),
        ])
    }

    /// Reads a record from a CBOR map.
    pub fn from_value(v: &Value) -> Result<Self, TrustError> {
        let int = |k: i128| -> Result<i64, TrustError> {
            match v.map_get(k) {
                Some(Value::Integer(n)) => i64::try_from(*n)
                    .map_err(|_| bad(alloc::format!("signer field {k} out of range"))),
                _ => Err(bad(alloc::format!(
                    "signer field {k} missing or not an integer"
                ))),
            }
        };
        let Some(Value::Bytes(kid)) = v.map_get(1) else {
            return Err(bad("signer kid missing"));
        };
        let Some(Value::Text(office)) = v.map_get(2) else {
            return Err(bad("signer office missing"));
        };
        let alg = Algorithm::from_cose_id(int(3)? as i128)
            .ok_or(bad("signer algorithm not supported"))?;
        let Some(Value::Bytes(key)) = v.map_get(4) else {
            return Err(bad("signer key missing"));
        };
        let public_key = PublicKey::from_bytes(alg, key).map_err(|e| bad(e.to_string()))?;
        let Some(Value::Array(types)) = v.map_get(5) else {
            return Err(bad("signer permit types missing"));
        };
        let permit_types = types
            .iter()
            .map(|t| match t {
                Value::Integer(c) => PermitType::from_code(*c).ok_or(bad("unknown permit type")),
                _ => Err(bad("permit type not an integer")),
            })
            .collect::<Result<Vec<_>, _>>()?;
        check_office(office).map_err(|e| bad(e.to_string()))?;
        let r = SignerRecord {
            kid: kid.clone(),
            office: office.clone(),
            public_key,
            permit_types,
            usage_from: int(6)?,
            usage_until: int(7)?,
            valid_from: int(8)?,
            valid_until: int(9)?,
        };
        r.check()?;
        Ok(r)
    }
}

/// The list of trusted signers, as published by the root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustList {
    /// Sequence number; a verifier never replaces a list by one with a lower version.
    pub version: u64,
    /// When it was issued (Unix seconds).
    pub issued_at: i64,
    /// When the next list is due; past it the list is stale.
    pub next_update: i64,
    /// The signers.
    pub signers: Vec<SignerRecord>,
}

/// Signs `payload` as a COSE_Sign1 with `signer`, with a content type; returns the tagged bytes.
pub fn sign_cose(
    signer: &dyn Signer,
    content_type: Option<&str>,
    payload: Vec<u8>,
) -> Result<Vec<u8>, SignError> {
    let key = signer.public_key();
    let header = Header {
        alg: Some(AlgorithmLabel::Known(key.algorithm())),
        kid: Some(kid_of(&key)),
        content_type: content_type.map(|c| Value::Text(c.into())),
        ..Default::default()
    };
    let mut msg = CoseSign1 {
        protected: ProtectedHeader::new(header),
        unprotected: Header::default(),
        payload: Some(payload),
        signature: Vec::new(),
    };
    msg.signature = signer.sign(&msg.tbs_data(&[]))?;
    Ok(msg.to_tagged_vec())
}

/// Verifies a COSE_Sign1 made by `key` with the expected content type; returns its payload.
pub fn open_cose(
    bytes: &[u8],
    key: &PublicKey,
    content_type: &str,
    crypto: &dyn CryptoProvider,
) -> Result<Vec<u8>, TrustError> {
    let msg = CoseSign1::from_tagged_slice(bytes).map_err(TrustError::Cose)?;
    if msg.kid() != Some(&kid_of(key)[..]) {
        return Err(TrustError::WrongRoot);
    }
    if msg.protected.header.alg != Some(AlgorithmLabel::Known(key.algorithm())) {
        return Err(TrustError::AlgorithmMismatch);
    }
    if msg.protected.header.content_type != Some(Value::Text(content_type.into())) {
        return Err(TrustError::WrongContentType);
    }
    if !crypto.verify(key, &msg.tbs_data(&[]), &msg.signature) {
        return Err(TrustError::BadSignature);
    }
    msg.payload.ok_or(bad("payload is detached"))
}

/// Certifies a signer: the root signs its record.
pub fn certify(root: &dyn Signer, record: &SignerRecord) -> Result<Vec<u8>, TrustError> {
    record.check()?;
    sign_cose(root, Some(CT_CERTIFICATE), record.to_value().to_vec()).map_err(TrustError::Sign)
}

/// Reads a certificate made by [`certify`], checking the root's signature.
pub fn open_certificate(
    bytes: &[u8],
    root: &PublicKey,
    crypto: &dyn CryptoProvider,
) -> Result<SignerRecord, TrustError> {
    let payload = open_cose(bytes, root, CT_CERTIFICATE, crypto)?;
    let v = Value::from_slice(&payload).map_err(|e| bad(e.to_string()))?;
    SignerRecord::from_value(&v)
}

impl TrustList {
    /// The signer with this key id.
    pub fn signer(&self, kid: &[u8]) -> Option<&SignerRecord> {
        self.signers.iter().find(|s| s.kid == kid)
    }

    /// The payload encoding.
    pub fn to_payload(&self) -> Vec<u8> {
        Value::Map(vec![
            (Value::Integer(1), Value::Integer(self.version as i128)),
            (Value::Integer(2), Value::Integer(self.issued_at as i128)),
            (Value::Integer(3), Value::Integer(self.next_update as i128)),
            (
                Value::Integer(4),
                Value::Array(self.signers.iter().map(SignerRecord::to_value).collect()),
            ),
        ])
        .to_vec()
    }

    /// Signs the list with the root key.
    pub fn sign(&self, root: &dyn Signer) -> Result<Vec<u8>, TrustError> {
        self.check()?;
        sign_cose(root, Some(CT_TRUST_LIST), self.to_payload()).map_err(TrustError::Sign)
    }

    fn check(&self) -> Result<(), TrustError> {
        if self.next_update <= self.issued_at {
            return Err(bad("next-update is not after issued-at"));
        }
        for (i, s) in self.signers.iter().enumerate() {
            if self.signers[..i].iter().any(|o| o.kid == s.kid) {
                return Err(bad(alloc::format!(
                    "two signers share kid {}",
                    crate::hex::encode(&s.kid)
                )));
            }
        }
        Ok(())
    }

    /// Verifies a signed trust list against the root key and reads it.
    pub fn verify(
        bytes: &[u8],
        root: &PublicKey,
        crypto: &dyn CryptoProvider,
    ) -> Result<Self, TrustError> {
        let payload = open_cose(bytes, root, CT_TRUST_LIST, crypto)?;
        Self::from_payload(&payload)
    }

    /// Reads the payload (no signature check: for inspection and tests).
    pub fn from_payload(payload: &[u8]) -> Result<Self, TrustError> {
        let v = Value::from_slice(payload).map_err(|e| bad(e.to_string()))?;
        let int = |k: i128| match v.map_get(k) {
            Some(Value::Integer(n)) => {
                i64::try_from(*n).map_err(|_| bad("trust list field out of range"))
            }
            _ => Err(bad(alloc::format!("trust list field {k} missing"))),
        };
        let Some(Value::Array(signers)) = v.map_get(4) else {
            return Err(bad("trust list signers missing"));
        };
        let list = TrustList {
            version: u64::try_from(int(1)?).map_err(|_| bad("negative version"))?,
            issued_at: int(2)?,
            next_update: int(3)?,
            signers: signers
                .iter()
                .map(SignerRecord::from_value)
                .collect::<Result<_, _>>()?,
        };
        list.check()?;
        Ok(list)
    }
}
