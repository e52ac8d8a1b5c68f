//! Issuance: permit → signed QR text, in two steps ("prepare, then finalize") so the private key can
//! live anywhere (a file, an encrypted store, an HSM).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::cose::{AlgorithmLabel, CoseSign1, Header, ProtectedHeader};
use crate::crypto::{PublicKey, SignError, Signer};
use crate::permit::{FieldError, Permit};
use crate::trust::{kid_of, SignerRecord};
use crate::{qr, text};

/// Why a permit cannot be issued.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum IssueError {
    /// A field is invalid.
    Field(FieldError),
    /// Required fields are missing (see [`crate::completeness`]).
    Incomplete(Vec<crate::permit::Field>),
    /// The QR text would not fit the size budget (QR version 10 at level M).
    TooLarge {
        /// Characters the text would have.
        chars: usize,
        /// Characters the budget allows.
        capacity: usize,
        /// The QR version (level M) it would need.
        needs_version: Option<u8>,
    },
    /// The signer may not sign this permit: why.
    SignerNotAllowed(&'static str),
    /// The signature has the wrong length for the algorithm.
    BadSignatureLength(usize),
    /// The signing backend failed.
    Sign(SignError),
}

impl fmt::Display for IssueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Field(e) => write!(f, "invalid field {e}"),
            Self::Incomplete(m) => {
                f.write_str("incomplete permit, missing:")?;
                for x in m {
                    write!(f, " {x}")?;
                }
                Ok(())
            }
            Self::TooLarge { chars, capacity, needs_version } => write!(
                f,
                "the QR text would be {chars} characters; QR version {} at level M holds {capacity} (it would need version {}); shorten the name or permit number",
                qr::BUDGET_VERSION,
                needs_version.map_or("over 40".into(), |v| alloc::format!("{v}"))
            ),
            Self::SignerNotAllowed(why) => write!(f, "the signer may not sign this permit: {why}"),
            Self::BadSignatureLength(n) => write!(f, "signature has {n} bytes, expected 64"),
            Self::Sign(e) => write!(f, "{e}"),
        }
    }
}

impl core::error::Error for IssueError {}

/// Signature length of both supported algorithms.
pub const SIGNATURE_LEN: usize = 64;

/// A permit ready to be signed.
#[derive(Clone, Debug)]
pub struct Prepared {
    msg: CoseSign1,
}

impl Prepared {
    /// Checks the permit against the signer's certificate (office, permit type, key-usage period),
    /// completeness and the size budget, and builds the bytes to sign.
    pub fn new(permit: &Permit, signer: &SignerRecord) -> Result<Self, IssueError> {
        if permit.office != signer.office {
            return Err(IssueError::SignerNotAllowed(
                "the permit is for another office",
            ));
        }
        if !signer.permit_types.contains(&permit.permit_type) {
            return Err(IssueError::SignerNotAllowed(
                "the signer may not sign this permit type",
            ));
        }
        if permit.issued_at < signer.usage_from || permit.issued_at > signer.usage_until {
            return Err(IssueError::SignerNotAllowed(
                "issued_at is outside the key-usage period",
            ));
        }
        let missing = crate::completeness::missing(permit);
        if !missing.is_empty() {
            return Err(IssueError::Incomplete(missing));
        }
        let p = Self::new_unchecked(permit, &signer.public_key)?;
        p.check_budget()?;
        Ok(p)
    }

    /// Builds the bytes to sign without checking signer rights, completeness or size. For test
    /// vectors and forgery tests; issuance uses [`Prepared::new`].
    pub fn new_unchecked(permit: &Permit, key: &PublicKey) -> Result<Self, IssueError> {
        let payload = permit.to_claims().map_err(IssueError::Field)?;
        let header = Header {
            alg: Some(AlgorithmLabel::Known(key.algorithm())),
            kid: Some(kid_of(key)),
            ..Default::default()
        };
        Ok(Prepared {
            msg: CoseSign1 {
                protected: ProtectedHeader::new(header),
                unprotected: Header::default(),
                payload: Some(payload),
                signature: Vec::new(),
            },
        })
    }

    fn check_budget(&self) -> Result<(), IssueError> {
        let mut sized = self.msg.clone();
        sized.signature = alloc::vec![0; SIGNATURE_LEN];
        let chars = text::wrap(&sized.to_tagged_vec()).len();
        let capacity = qr::alphanumeric_capacity_m(qr::BUDGET_VERSION);
        if chars > capacity {
            return Err(IssueError::TooLarge {
                chars,
                capacity,
                needs_version: qr::min_version_m(chars),
            });
        }
        Ok(())
    }

    /// The Sig_structure to sign.
    pub fn to_be_signed(&self) -> Vec<u8> {
        self.msg.tbs_data(&[])
    }

    /// Attaches the signature and returns the QR text.
    pub fn finalize(mut self, signature: Vec<u8>) -> Result<String, IssueError> {
        if signature.len() != SIGNATURE_LEN {
            return Err(IssueError::BadSignatureLength(signature.len()));
        }
        self.msg.signature = signature;
        Ok(text::wrap(&self.msg.to_tagged_vec()))
    }

    /// Signs with `signer` and returns the QR text.
    pub fn sign(self, signer: &dyn Signer) -> Result<String, IssueError> {
        let sig = signer
            .sign(&self.to_be_signed())
            .map_err(IssueError::Sign)?;
        self.finalize(sig)
    }
}

/// Issues a permit: every check of [`Prepared::new`], then signs.
pub fn issue(
    permit: &Permit,
    record: &SignerRecord,
    signer: &dyn Signer,
) -> Result<String, IssueError> {
    if signer.public_key() != record.public_key {
        return Err(IssueError::SignerNotAllowed(
            "the key does not match the signer certificate",
        ));
    }
    Prepared::new(permit, record)?.sign(signer)
}
