//! Revocation: the IETF OAuth Token Status List (draft-ietf-oauth-status-list), CBOR / CWT form.
//!
//! ```cddl
//! StatusList = { "bits" => 1 / 2 / 4 / 8, "lst" => bstr (zlib DEFLATE of the packed statuses),
//!                ? "aggregation_uri" => tstr }
//! StatusListClaims = { 2 => tstr (sub: "urn:pora:status-list:" office), 6 => int (iat),
//!                      ? 4 => int (exp), ? 65534 => uint (ttl), 65533 => StatusList }
//! StatusListToken = COSE_Sign1 by a signer of that office, protected {1: alg, 4: kid,
//!                   16: "application/statuslist+cwt"}
//! ```
//! pora uses 2 bits a permit: 0 valid, 1 revoked (the draft's INVALID), 2 suspended, 3 unused
//! (read as revoked: fail closed). Entry `i` lives in byte `i*bits/8`, least significant bits first.

use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use crate::cbor::Value;
use crate::cose::{AlgorithmLabel, CoseSign1, Header, ProtectedHeader};
use crate::crypto::{CryptoProvider, SignError, Signer};
use crate::trust::{kid_of, TrustList};

/// Header label `typ` (RFC 9596).
pub const LABEL_TYP: i128 = 16;
/// The `typ` of a status list token.
pub const TYP: &str = "application/statuslist+cwt";
/// Claim key of the status list.
pub const CLAIM_STATUS_LIST: i128 = 65533;
/// Claim key of the time to live.
pub const CLAIM_TTL: i128 = 65534;
/// Claim key of a referenced token's status.
pub const CLAIM_STATUS: i128 = 65535;
/// Largest decompressed list accepted (bytes): 64 Mi entries at 2 bits.
pub const MAX_LIST_BYTES: usize = 16 * 1024 * 1024;
/// Bits per entry in pora's lists.
pub const PORA_BITS: u8 = 2;

/// A permit's status as recorded in a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// 0.
    Valid,
    /// 1 (INVALID in the draft): revoked for good.
    Revoked,
    /// 2: suspended, may be lifted.
    Suspended,
    /// 3 or above: not assigned by pora.
    Other(u8),
}

impl Status {
    /// The numeric value.
    pub fn value(self) -> u8 {
        match self {
            Status::Valid => 0,
            Status::Revoked => 1,
            Status::Suspended => 2,
            Status::Other(v) => v,
        }
    }

    /// The status with this value.
    pub fn from_value(v: u8) -> Self {
        match v {
            0 => Status::Valid,
            1 => Status::Revoked,
            2 => Status::Suspended,
            v => Status::Other(v),
        }
    }
}

/// Why a status list or token is not acceptable.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StatusListError {
    /// Structure problem: where and why.
    Malformed(String),
    /// The zlib stream is invalid or decompresses past [`MAX_LIST_BYTES`].
    Compression(String),
    /// The token's signer is not in the trust list.
    UnknownSigner(Vec<u8>),
    /// The signer belongs to another office than the list's subject.
    WrongOffice,
    /// The signature does not verify.
    BadSignature,
    /// Signing failed.
    Sign(SignError),
}

impl fmt::Display for StatusListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(w) => write!(f, "malformed status list: {w}"),
            Self::Compression(w) => write!(f, "status list compression: {w}"),
            Self::UnknownSigner(k) => write!(
                f,
                "status list signer {} is not in the trust list",
                crate::hex::encode(k)
            ),
            Self::WrongOffice => f.write_str("status list signed by a signer of another office"),
            Self::BadSignature => f.write_str("status list signature does not verify"),
            Self::Sign(e) => write!(f, "{e}"),
        }
    }
}

impl core::error::Error for StatusListError {}

fn bad(w: impl Into<String>) -> StatusListError {
    StatusListError::Malformed(w.into())
}

/// A packed list of statuses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusList {
    bits: u8,
    bytes: Vec<u8>,
}

impl StatusList {
    /// A list of `len` valid entries with `bits` bits each (1, 2, 4 or 8).
    pub fn new(bits: u8, len: usize) -> Result<Self, StatusListError> {
        if !matches!(bits, 1 | 2 | 4 | 8) {
            return Err(bad("bits must be 1, 2, 4 or 8"));
        }
        let n = (len * bits as usize).div_ceil(8);
        if n > MAX_LIST_BYTES {
            return Err(bad("list too large"));
        }
        Ok(StatusList {
            bits,
            bytes: vec![0; n],
        })
    }

    /// A list from packed bytes.
    pub fn from_packed(bits: u8, bytes: Vec<u8>) -> Result<Self, StatusListError> {
        let mut l = Self::new(bits, 0)?;
        l.bytes = bytes;
        Ok(l)
    }

    /// Bits per entry.
    pub fn bits(&self) -> u8 {
        self.bits
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.bytes.len() * 8 / self.bits as usize
    }

    /// True when the list holds no entry.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The packed bytes.
    pub fn packed(&self) -> &[u8] {
        &self.bytes
    }

    /// The status value at `index`, if the list is that long.
    pub fn get(&self, index: u64) -> Option<u8> {
        let bit = index.checked_mul(self.bits as u64)?;
        let byte = *self.bytes.get(usize::try_from(bit / 8).ok()?)?;
        let mask = ((1u16 << self.bits) - 1) as u8;
        Some((byte >> (bit % 8)) & mask)
    }

    /// Sets the value at `index`, growing the list if needed.
    pub fn set(&mut self, index: u64, value: u8) -> Result<(), StatusListError> {
        if value as u16 >= 1 << self.bits {
            return Err(bad("value does not fit the bit size"));
        }
        let bit = index
            .checked_mul(self.bits as u64)
            .ok_or(bad("index too large"))?;
        let byte = usize::try_from(bit / 8).map_err(|_| bad("index too large"))?;
        if byte >= MAX_LIST_BYTES {
            return Err(bad("index too large"));
        }
        if byte >= self.bytes.len() {
            self.bytes.resize(byte + 1, 0);
        }
        let shift = (bit % 8) as u8;
        let mask = (((1u16 << self.bits) - 1) as u8) << shift;
        self.bytes[byte] = (self.bytes[byte] & !mask) | (value << shift);
        Ok(())
    }

    /// The CBOR StatusList map (deterministic; `lst` zlib-compressed at the best level).
    pub fn to_value(&self) -> Value {
        Value::Map(vec![
            (
                Value::Text("bits".into()),
                Value::Integer(self.bits as i128),
            ),
            (
                Value::Text("lst".into()),
                Value::Bytes(miniz_oxide::deflate::compress_to_vec_zlib(&self.bytes, 9)),
            ),
        ])
    }

    /// Reads a StatusList map.
    pub fn from_value(v: &Value) -> Result<Self, StatusListError> {
        let Some(Value::Integer(bits)) = v.map_get_text("bits") else {
            return Err(bad("\"bits\" missing"));
        };
        let bits = u8::try_from(*bits).map_err(|_| bad("\"bits\" out of range"))?;
        let Some(Value::Bytes(lst)) = v.map_get_text("lst") else {
            return Err(bad("\"lst\" missing"));
        };
        let bytes = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(lst, MAX_LIST_BYTES)
            .map_err(|e| StatusListError::Compression(alloc::format!("{:?}", e.status)))?;
        Self::from_packed(bits, bytes)
    }

    /// Reads a CBOR-encoded StatusList.
    pub fn from_cbor(bytes: &[u8]) -> Result<Self, StatusListError> {
        Self::from_value(&Value::from_slice(bytes).map_err(|e| bad(e.to_string()))?)
    }
}

/// A status list token's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusListToken {
    /// The office whose permits it covers.
    pub office: String,
    /// When it was issued (Unix seconds).
    pub issued_at: i64,
    /// When it expires, if set.
    pub expires_at: Option<i64>,
    /// Seconds a verifier may cache it, if set.
    pub ttl: Option<u64>,
    /// The statuses.
    pub list: StatusList,
}

/// The `sub` of an office's status list.
pub fn subject_of(office: &str) -> String {
    alloc::format!("urn:pora:status-list:{office}")
}

impl StatusListToken {
    /// When this list stops being fresh: `exp`, else `iat + ttl`, else never.
    pub fn fresh_until(&self) -> Option<i64> {
        self.expires_at
            .or(self.ttl.map(|t| self.issued_at.saturating_add(t as i64)))
    }

    /// The claims encoding.
    pub fn to_claims(&self) -> Vec<u8> {
        let mut m = vec![
            (Value::Integer(2), Value::Text(subject_of(&self.office))),
            (Value::Integer(6), Value::Integer(self.issued_at as i128)),
            (Value::Integer(CLAIM_STATUS_LIST), self.list.to_value()),
        ];
        if let Some(e) = self.expires_at {
            m.push((Value::Integer(4), Value::Integer(e as i128)));
        }
        if let Some(t) = self.ttl {
            m.push((Value::Integer(CLAIM_TTL), Value::Integer(t as i128)));
        }
        Value::Map(m).to_vec()
    }

    /// Signs the token with a signer of the office.
    pub fn sign(&self, signer: &dyn Signer) -> Result<Vec<u8>, StatusListError> {
        let key = signer.public_key();
        let header = Header {
            alg: Some(AlgorithmLabel::Known(key.algorithm())),
            kid: Some(kid_of(&key)),
            rest: vec![(Value::Integer(LABEL_TYP), Value::Text(TYP.into()))],
            ..Default::default()
        };
        let mut msg = CoseSign1 {
            protected: ProtectedHeader::new(header),
            unprotected: Header::default(),
            payload: Some(self.to_claims()),
            signature: Vec::new(),
        };
        msg.signature = signer
            .sign(&msg.tbs_data(&[]))
            .map_err(StatusListError::Sign)?;
        Ok(msg.to_tagged_vec())
    }

    /// Reads claims (no signature check).
    pub fn from_claims(bytes: &[u8]) -> Result<Self, StatusListError> {
        let v = Value::from_slice(bytes).map_err(|e| bad(e.to_string()))?;
        let Some(Value::Text(sub)) = v.map_get(2) else {
            return Err(bad("sub missing"));
        };
        let office = sub
            .strip_prefix("urn:pora:status-list:")
            .ok_or(bad("sub is not a pora status list"))?;
        crate::permit::check_office(office).map_err(|e| bad(e.to_string()))?;
        let int = |k: i128| match v.map_get(k) {
            None => Ok(None),
            Some(Value::Integer(n)) => i64::try_from(*n)
                .map(Some)
                .map_err(|_| bad("time out of range")),
            Some(_) => Err(bad(alloc::format!("claim {k} is not an integer"))),
        };
        let issued_at = int(6)?.ok_or(bad("iat missing"))?;
        let ttl = int(CLAIM_TTL)?
            .map(|t| u64::try_from(t).map_err(|_| bad("negative ttl")))
            .transpose()?;
        let list = StatusList::from_value(
            v.map_get(CLAIM_STATUS_LIST)
                .ok_or(bad("status_list missing"))?,
        )?;
        Ok(StatusListToken {
            office: office.into(),
            issued_at,
            expires_at: int(4)?,
            ttl,
            list,
        })
    }

    /// Verifies a token against the trust list: a trusted signer of the same office must have signed it.
    pub fn verify(
        bytes: &[u8],
        trust: &TrustList,
        crypto: &dyn CryptoProvider,
    ) -> Result<Self, StatusListError> {
        let msg = CoseSign1::from_tagged_slice(bytes).map_err(|e| bad(e.to_string()))?;
        if msg
            .protected
            .header
            .rest
            .iter()
            .all(|(k, v)| !(*k == Value::Integer(LABEL_TYP) && *v == Value::Text(TYP.into())))
        {
            return Err(bad("typ is not application/statuslist+cwt"));
        }
        let kid = msg.kid().ok_or(bad("kid missing"))?;
        let signer = trust
            .signer(kid)
            .ok_or_else(|| StatusListError::UnknownSigner(kid.to_vec()))?;
        if msg.protected.header.alg != Some(AlgorithmLabel::Known(signer.public_key.algorithm())) {
            return Err(StatusListError::BadSignature);
        }
        if !crypto.verify(&signer.public_key, &msg.tbs_data(&[]), &msg.signature) {
            return Err(StatusListError::BadSignature);
        }
        let token = Self::from_claims(msg.payload.as_deref().ok_or(bad("payload detached"))?)?;
        if token.office != signer.office {
            return Err(StatusListError::WrongOffice);
        }
        Ok(token)
    }
}

/// A referenced token's status claim: `65535 => {"status_list": {"idx": uint, "uri": tstr}}`.
pub fn referenced_status(claims: &Value) -> Option<(u64, String)> {
    let sl = claims.map_get(CLAIM_STATUS)?.map_get_text("status_list")?;
    let Value::Integer(idx) = sl.map_get_text("idx")? else {
        return None;
    };
    let Value::Text(uri) = sl.map_get_text("uri")? else {
        return None;
    };
    Some((u64::try_from(*idx).ok()?, uri.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_bit_packing_matches_the_draft() {
        // Draft §4.1 example: statuses 1,2,0,3,0,1,0,1,1,2,3,3 pack to c9 44 f9.
        let mut l = StatusList::new(2, 12).unwrap();
        for (i, s) in [1u8, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3].iter().enumerate() {
            l.set(i as u64, *s).unwrap();
        }
        assert_eq!(l.packed(), &[0xc9, 0x44, 0xf9]);
        assert_eq!(l.get(3), Some(3));
        assert_eq!(l.get(12), None);
        assert!(l.set(0, 4).is_err());
    }
}
