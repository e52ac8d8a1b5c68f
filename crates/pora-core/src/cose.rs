//! COSE_Sign1 (RFC 9052 §4.2) structure, headers and the Sig_structure that is signed.
//!
//! ```cddl
//! COSE_Sign1_Tagged = #6.18(COSE_Sign1)
//! COSE_Sign1 = [ protected: bstr .cbor header_map / bstr .size 0,
//!                unprotected: header_map, payload: bstr / nil, signature: bstr ]
//! Sig_structure = [ context: "Signature1", body_protected: bstr, external_aad: bstr, payload: bstr ]
//! ```
//! This module does no cryptography: it builds the bytes to sign and parses what was signed; the
//! signature check is done by a [`crate::crypto::CryptoProvider`].

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use crate::cbor::{CborError, Value};

/// The CBOR tag of COSE_Sign1.
pub const TAG_SIGN1: u64 = 18;
/// Header label `alg`.
pub const LABEL_ALG: i128 = 1;
/// Header label `crit`.
pub const LABEL_CRIT: i128 = 2;
/// Header label `content type`.
pub const LABEL_CONTENT_TYPE: i128 = 3;
/// Header label `kid`.
pub const LABEL_KID: i128 = 4;

/// A signature algorithm this implementation can verify.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Algorithm {
    /// ECDSA with SHA-256 on P-256 (COSE -7); signature is r || s, 64 bytes.
    ES256,
    /// EdDSA (COSE -8), here always Ed25519; signature 64 bytes.
    EdDSA,
}

impl Algorithm {
    /// The COSE algorithm identifier.
    pub fn cose_id(self) -> i128 {
        match self {
            Algorithm::ES256 => -7,
            Algorithm::EdDSA => -8,
        }
    }

    /// The algorithm with this COSE identifier, if supported.
    pub fn from_cose_id(id: i128) -> Option<Self> {
        match id {
            -7 => Some(Algorithm::ES256),
            -8 => Some(Algorithm::EdDSA),
            _ => None,
        }
    }

    /// The COSE name ("ES256", "EdDSA").
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::ES256 => "ES256",
            Algorithm::EdDSA => "EdDSA",
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The `alg` header value as found: a supported algorithm, or what was there instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AlgorithmLabel {
    /// A supported algorithm.
    Known(Algorithm),
    /// An integer identifier this implementation does not support.
    UnknownInt(i128),
    /// A text identifier (none is supported).
    Text(String),
}

/// A COSE header map, with the parameters this crate uses pulled out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Header {
    /// Label 1.
    pub alg: Option<AlgorithmLabel>,
    /// Label 4.
    pub kid: Option<Vec<u8>>,
    /// Label 3, kept as found.
    pub content_type: Option<Value>,
    /// Label 2, kept as found.
    pub crit: Option<Value>,
    /// Every other parameter, in the order found.
    pub rest: Vec<(Value, Value)>,
}

impl Header {
    /// True when no parameter is present.
    pub fn is_empty(&self) -> bool {
        self.alg.is_none()
            && self.kid.is_none()
            && self.content_type.is_none()
            && self.crit.is_none()
            && self.rest.is_empty()
    }

    fn from_value(v: Value) -> Result<Self, CoseError> {
        let Value::Map(entries) = v else {
            return Err(CoseError::UnexpectedItem {
                got: v.kind(),
                want: "header map",
            });
        };
        let mut h = Header::default();
        for (k, v) in entries {
            match (&k, v) {
                (Value::Integer(LABEL_ALG), Value::Integer(id)) => {
                    h.alg = Some(match Algorithm::from_cose_id(id) {
                        Some(a) => AlgorithmLabel::Known(a),
                        None => AlgorithmLabel::UnknownInt(id),
                    })
                }
                (Value::Integer(LABEL_ALG), Value::Text(t)) => {
                    h.alg = Some(AlgorithmLabel::Text(t))
                }
                (Value::Integer(LABEL_ALG), other) => {
                    return Err(CoseError::UnexpectedItem {
                        got: other.kind(),
                        want: "alg (int or tstr)",
                    })
                }
                (Value::Integer(LABEL_KID), Value::Bytes(b)) => h.kid = Some(b),
                (Value::Integer(LABEL_KID), other) => {
                    return Err(CoseError::UnexpectedItem {
                        got: other.kind(),
                        want: "kid (bstr)",
                    })
                }
                (Value::Integer(LABEL_CONTENT_TYPE), v) => h.content_type = Some(v),
                (Value::Integer(LABEL_CRIT), v) => h.crit = Some(v),
                (_, v) => h.rest.push((k, v)),
            }
        }
        Ok(h)
    }

    /// The header as a CBOR map.
    pub fn to_value(&self) -> Value {
        let mut m = Vec::new();
        if let Some(a) = &self.alg {
            let v = match a {
                AlgorithmLabel::Known(a) => Value::Integer(a.cose_id()),
                AlgorithmLabel::UnknownInt(i) => Value::Integer(*i),
                AlgorithmLabel::Text(t) => Value::Text(t.clone()),
            };
            m.push((Value::Integer(LABEL_ALG), v));
        }
        if let Some(c) = &self.crit {
            m.push((Value::Integer(LABEL_CRIT), c.clone()));
        }
        if let Some(c) = &self.content_type {
            m.push((Value::Integer(LABEL_CONTENT_TYPE), c.clone()));
        }
        if let Some(k) = &self.kid {
            m.push((Value::Integer(LABEL_KID), Value::Bytes(k.clone())));
        }
        m.extend(self.rest.iter().cloned());
        Value::Map(m)
    }
}

/// The protected header: the exact bytes that were signed, and their parsed form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtectedHeader {
    /// The bstr contents as found (empty, or an encoded header map).
    pub original: Vec<u8>,
    /// The parsed header.
    pub header: Header,
}

impl ProtectedHeader {
    /// A protected header holding `header`, deterministically encoded (empty map → empty bytes).
    pub fn new(header: Header) -> Self {
        let original = if header.is_empty() {
            Vec::new()
        } else {
            header.to_value().to_vec()
        };
        ProtectedHeader { original, header }
    }
}

/// A COSE_Sign1 message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoseSign1 {
    /// Integrity-protected parameters.
    pub protected: ProtectedHeader,
    /// Parameters outside the signature.
    pub unprotected: Header,
    /// The payload (None when detached).
    pub payload: Option<Vec<u8>>,
    /// The signature bytes.
    pub signature: Vec<u8>,
}

/// Why bytes are not a COSE_Sign1.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CoseError {
    /// Not CBOR at all.
    Cbor(CborError),
    /// The protected header bstr does not hold CBOR.
    ProtectedHeaderCbor(CborError),
    /// An item of the wrong type: what was found and what was expected.
    UnexpectedItem {
        got: &'static str,
        want: &'static str,
    },
    /// A tag other than 18.
    UnexpectedTag(u64),
    /// The tag 18 is required here and missing.
    MissingTag,
    /// The array does not have four elements.
    WrongArrayLength(usize),
}

impl fmt::Display for CoseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Cbor(e) => write!(f, "not CBOR: {e}"),
            Self::ProtectedHeaderCbor(e) => write!(f, "protected header is not CBOR: {e}"),
            Self::UnexpectedItem { got, want } => {
                write!(f, "found {got} where {want} was expected")
            }
            Self::UnexpectedTag(t) => write!(f, "CBOR tag {t} is not COSE_Sign1 (18)"),
            Self::MissingTag => write!(f, "COSE_Sign1 tag 18 is missing"),
            Self::WrongArrayLength(n) => write!(f, "COSE_Sign1 array has {n} elements, not 4"),
        }
    }
}

impl core::error::Error for CoseError {}

impl CoseSign1 {
    /// Parses a COSE_Sign1, tagged (18) or untagged; any other tag is rejected.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, CoseError> {
        let v = Value::from_slice(bytes).map_err(CoseError::Cbor)?;
        Self::from_value(v)
    }

    /// Parses a COSE_Sign1 that must carry tag 18.
    pub fn from_tagged_slice(bytes: &[u8]) -> Result<Self, CoseError> {
        let v = Value::from_slice(bytes).map_err(CoseError::Cbor)?;
        if !matches!(v, Value::Tag(TAG_SIGN1, _)) {
            return Err(match v {
                Value::Tag(t, _) => CoseError::UnexpectedTag(t),
                _ => CoseError::MissingTag,
            });
        }
        Self::from_value(v)
    }

    fn from_value(v: Value) -> Result<Self, CoseError> {
        let v = match v {
            Value::Tag(TAG_SIGN1, inner) => *inner,
            Value::Tag(t, _) => return Err(CoseError::UnexpectedTag(t)),
            v => v,
        };
        let Value::Array(items) = v else {
            return Err(CoseError::UnexpectedItem {
                got: v.kind(),
                want: "COSE_Sign1 array",
            });
        };
        let n = items.len();
        let Ok::<[Value; 4], _>([p, u, payload, sig]) = items.try_into() else {
            return Err(CoseError::WrongArrayLength(n));
        };
        let Value::Bytes(original) = p else {
            return Err(CoseError::UnexpectedItem {
                got: p.kind(),
                want: "protected header (bstr)",
            });
        };
        let header = if original.is_empty() {
            Header::default()
        } else {
            Header::from_value(
                Value::from_slice(&original).map_err(CoseError::ProtectedHeaderCbor)?,
            )?
        };
        let unprotected = Header::from_value(u)?;
        let payload = match payload {
            Value::Bytes(b) => Some(b),
            Value::Null => None,
            other => {
                return Err(CoseError::UnexpectedItem {
                    got: other.kind(),
                    want: "payload (bstr or nil)",
                })
            }
        };
        let Value::Bytes(signature) = sig else {
            return Err(CoseError::UnexpectedItem {
                got: sig.kind(),
                want: "signature (bstr)",
            });
        };
        Ok(CoseSign1 {
            protected: ProtectedHeader { original, header },
            unprotected,
            payload,
            signature,
        })
    }

    /// The tagged encoding (the protected header bytes are kept exactly as they are).
    pub fn to_tagged_vec(&self) -> Vec<u8> {
        let arr = Value::Array(vec![
            Value::Bytes(self.protected.original.clone()),
            self.unprotected.to_value(),
            match &self.payload {
                Some(p) => Value::Bytes(p.clone()),
                None => Value::Null,
            },
            Value::Bytes(self.signature.clone()),
        ]);
        Value::Tag(TAG_SIGN1, Box::new(arr)).to_vec()
    }

    /// The Sig_structure bytes ("ToBeSigned") for this message's protected header and payload.
    ///
    /// RFC 9052 §4.4: with no protected parameters the body_protected is a zero-length bstr, also
    /// when the message carried them as an encoded empty map (`h'A0'`).
    pub fn tbs_data(&self, external_aad: &[u8]) -> Vec<u8> {
        let protected: &[u8] = if self.protected.header.is_empty() {
            &[]
        } else {
            &self.protected.original
        };
        sig_structure(
            protected,
            external_aad,
            self.payload.as_deref().unwrap_or(&[]),
        )
    }

    /// The algorithm named in the protected header, else the unprotected one.
    pub fn alg(&self) -> Option<&AlgorithmLabel> {
        self.protected
            .header
            .alg
            .as_ref()
            .or(self.unprotected.alg.as_ref())
    }

    /// The key id from the protected header, else the unprotected one.
    pub fn kid(&self) -> Option<&[u8]> {
        self.protected
            .header
            .kid
            .as_deref()
            .or(self.unprotected.kid.as_deref())
    }
}

/// Builds `Sig_structure = ["Signature1", protected, external_aad, payload]`.
pub fn sig_structure(protected: &[u8], external_aad: &[u8], payload: &[u8]) -> Vec<u8> {
    Value::Array(vec![
        Value::Text("Signature1".into()),
        Value::Bytes(protected.to_vec()),
        Value::Bytes(external_aad.to_vec()),
        Value::Bytes(payload.to_vec()),
    ])
    .to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rebuilds_tagged_sign1() {
        let h = Header {
            alg: Some(AlgorithmLabel::Known(Algorithm::ES256)),
            kid: Some(vec![1, 2, 3, 4]),
            ..Default::default()
        };
        let msg = CoseSign1 {
            protected: ProtectedHeader::new(h),
            unprotected: Header::default(),
            payload: Some(b"hi".to_vec()),
            signature: vec![0; 64],
        };
        let bytes = msg.to_tagged_vec();
        // d2 = tag 18, 84 = array(4), 49 = bstr(9) { a2 01 26 04 44 01020304 }
        assert_eq!(
            &bytes[..10],
            &[0xd2, 0x84, 0x49, 0xa2, 0x01, 0x26, 0x04, 0x44, 0x01, 0x02]
        );
        assert_eq!(CoseSign1::from_tagged_slice(&bytes).unwrap(), msg);
        assert_eq!(msg.kid(), Some(&[1u8, 2, 3, 4][..]));
    }

    #[test]
    fn structural_errors() {
        assert_eq!(
            CoseSign1::from_tagged_slice(&[0x80]),
            Err(CoseError::MissingTag)
        );
        assert_eq!(
            CoseSign1::from_slice(&[0xd9, 0x03, 0xe6, 0x80]),
            Err(CoseError::UnexpectedTag(998))
        );
        assert_eq!(
            CoseSign1::from_slice(&[0x83, 0x40, 0xa0, 0x40]),
            Err(CoseError::WrongArrayLength(3))
        );
        assert!(matches!(
            CoseSign1::from_slice(&[0x84, 0x01, 0xa0, 0x40, 0x40]),
            Err(CoseError::UnexpectedItem {
                want: "protected header (bstr)",
                ..
            })
        ));
    }
}
