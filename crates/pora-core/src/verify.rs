//! Offline verification of a QR text against a trust list, status lists and a time: a closed
//! taxonomy of outcomes with stable machine codes, never a free string.
//!
//! Checks run in this order, and the first failing check decides the outcome (docs/SPEC.md,
//! "Verification"): prefix → Base45 → COSE structure → trust-list freshness → signer known →
//! algorithm and signature → claims → signer allowed → status (revoked before anything else) →
//! validity window → status-list freshness → completeness. Warnings (expiring soon, trust list
//! past next-update within the grace period, ignored unknown fields) never change the outcome.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use crate::cose::{AlgorithmLabel, CoseSign1};
use crate::crypto::CryptoProvider;
use crate::date::{Date, WIB};
use crate::permit::{DecodedClaims, Field, Permit};
use crate::status_list::{Status, StatusListToken};
use crate::text::{self, FrameError};
use crate::trust::TrustList;

/// Overstay charge per day, rupiah (PP 28/2019 schedule as applied by immigration offices).
pub const OVERSTAY_CHARGE_PER_DAY_IDR: u64 = 1_000_000;
/// Overstay beyond this many days leads to deportation and an entry ban.
pub const OVERSTAY_DEPORTATION_DAYS: i64 = 60;

/// What a verifier may tolerate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Warn when the permit expires within this many days (0 = expires today).
    pub expiry_warning_days: i64,
    /// Seconds past the trust list's next-update during which it is still used (with a warning).
    pub trust_list_grace: i64,
    /// Seconds past a status list's freshness during which it is still used (with a warning).
    pub status_list_grace: i64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            expiry_warning_days: 30,
            trust_list_grace: 7 * 86_400,
            status_list_grace: 2 * 86_400,
        }
    }
}

/// The layer at which a text failed to parse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layer {
    /// The context prefix.
    Prefix,
    /// The Base45 body.
    Base45,
    /// The COSE_Sign1 structure and headers.
    Cose,
    /// The CWT claims set and permit record.
    Claims,
}

impl Layer {
    /// Stable name.
    pub fn name(self) -> &'static str {
        match self {
            Layer::Prefix => "prefix",
            Layer::Base45 => "base45",
            Layer::Cose => "cose",
            Layer::Claims => "claims",
        }
    }
}

/// Why a known signer may not vouch for this permit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotAllowed {
    /// The permit was signed (iat) outside the signer's key-usage period.
    OutsideUsagePeriod,
    /// The signer's own validity has not begun or has ended.
    SignerNotValidNow,
    /// The signer may not sign this permit type.
    PermitType,
    /// The signer belongs to another office than the permit's.
    Office,
}

impl NotAllowed {
    /// Stable name.
    pub fn name(self) -> &'static str {
        match self {
            NotAllowed::OutsideUsagePeriod => "outside_usage_period",
            NotAllowed::SignerNotValidNow => "signer_not_valid_now",
            NotAllowed::PermitType => "permit_type_not_allowed",
            NotAllowed::Office => "other_office",
        }
    }
}

/// Why a signature was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureProblem {
    /// The `alg` header is missing or differs from the trusted key's algorithm.
    AlgorithmMismatch,
    /// The signature does not verify.
    Invalid,
}

/// The outcome of a verification. Closed: every result is one of these.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Authentic, in force, not revoked, complete.
    Valid,
    /// Not a pora permit text at all.
    NotOurFormat,
    /// A pora text that fails to parse: at which layer, and what.
    Malformed { layer: Layer, detail: String },
    /// The kid is not in the trust list.
    UnknownSigner { kid: Vec<u8> },
    /// The signature is not valid.
    BadSignature(SignatureProblem),
    /// The signer is known but may not vouch for this permit.
    SignerNotAllowed(NotAllowed),
    /// Validity has not begun.
    NotYetValid { valid_from: Date, days_until: i64 },
    /// Validity has ended.
    Expired {
        valid_until: Date,
        days_ago: i64,
        overstay_charge_idr: u64,
    },
    /// Revoked in the status list.
    Revoked,
    /// Suspended in the status list.
    Suspended,
    /// Required fields are missing.
    Incomplete { missing: Vec<Field> },
    /// The trust list is past next-update plus the grace period.
    TrustListStale { next_update: i64 },
    /// The office's status list is missing, or past its freshness plus the grace period.
    StatusListStale {
        office: String,
        fresh_until: Option<i64>,
    },
}

impl Outcome {
    /// The stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            Outcome::Valid => "valid",
            Outcome::NotOurFormat => "not_our_format",
            Outcome::Malformed { .. } => "malformed",
            Outcome::UnknownSigner { .. } => "unknown_signer",
            Outcome::BadSignature(_) => "bad_signature",
            Outcome::SignerNotAllowed(_) => "signer_not_allowed",
            Outcome::NotYetValid { .. } => "not_yet_valid",
            Outcome::Expired { .. } => "expired",
            Outcome::Revoked => "revoked",
            Outcome::Suspended => "suspended",
            Outcome::Incomplete { .. } => "incomplete",
            Outcome::TrustListStale { .. } => "trust_list_stale",
            Outcome::StatusListStale { .. } => "status_list_stale",
        }
    }

    /// Every code, in taxonomy order.
    pub const CODES: [&'static str; 13] = [
        "valid",
        "not_our_format",
        "malformed",
        "unknown_signer",
        "bad_signature",
        "signer_not_allowed",
        "not_yet_valid",
        "expired",
        "revoked",
        "suspended",
        "incomplete",
        "trust_list_stale",
        "status_list_stale",
    ];

    /// The coarse class an officer sees first.
    pub fn class(&self) -> Class {
        match self {
            Outcome::Valid => Class::Valid,
            Outcome::NotOurFormat => Class::Unreadable,
            Outcome::Malformed {
                layer: Layer::Prefix | Layer::Base45,
                ..
            } => Class::Unreadable,
            Outcome::Malformed { .. }
            | Outcome::UnknownSigner { .. }
            | Outcome::BadSignature(_)
            | Outcome::SignerNotAllowed(_) => Class::Forged,
            Outcome::NotYetValid { .. } | Outcome::Expired { .. } => Class::Expired,
            Outcome::Revoked | Outcome::Suspended => Class::Revoked,
            Outcome::Incomplete { .. } => Class::Incomplete,
            Outcome::TrustListStale { .. } | Outcome::StatusListStale { .. } => Class::CannotTell,
        }
    }

    /// A one-line English explanation (UIs translate by code).
    pub fn explain(&self) -> String {
        match self {
            Outcome::Valid => "the permit is authentic and in force".into(),
            Outcome::NotOurFormat => "this is not a pora permit code".into(),
            Outcome::Malformed { layer, detail } => alloc::format!("damaged or forged code ({} layer): {detail}", layer.name()),
            Outcome::UnknownSigner { kid } => alloc::format!("signed by an unknown key {}", crate::hex::encode(kid)),
            Outcome::BadSignature(SignatureProblem::AlgorithmMismatch) => "the algorithm header does not match the signer's key".into(),
            Outcome::BadSignature(SignatureProblem::Invalid) => "the signature does not match the content: altered or forged".into(),
            Outcome::SignerNotAllowed(r) => alloc::format!("the signer may not vouch for this permit ({})", r.name()),
            Outcome::NotYetValid { valid_from, days_until } => alloc::format!("valid from {valid_from}, in {days_until} day(s)"),
            Outcome::Expired { valid_until, days_ago, overstay_charge_idr } => alloc::format!(
                "expired on {valid_until}, {days_ago} day(s) ago; overstay charge Rp{overstay_charge_idr}"
            ),
            Outcome::Revoked => "the permit has been revoked".into(),
            Outcome::Suspended => "the permit is suspended".into(),
            Outcome::Incomplete { missing } => {
                let names: Vec<&str> = missing.iter().map(|f| f.name()).collect();
                alloc::format!("incomplete permit data, missing: {}", names.join(", "))
            }
            Outcome::TrustListStale { .. } => "the trust list is out of date: sync the device".into(),
            Outcome::StatusListStale { office, .. } => alloc::format!("the revocation list of office {office} is missing or out of date: sync the device"),
        }
    }
}

/// The coarse classes of the officer's screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// Green.
    Valid,
    /// Red: not yet or no longer in force.
    Expired,
    /// Red: revoked or suspended.
    Revoked,
    /// Red: not authentic.
    Forged,
    /// Amber: authentic but missing data.
    Incomplete,
    /// Amber: the device's trust data are too old to decide.
    CannotTell,
    /// Grey: not a pora code, or a code that could not be read.
    Unreadable,
}

/// Things worth saying that do not change the outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Warning {
    /// Expires in this many days (0 = today).
    ExpiresSoon { days: i64 },
    /// The trust list is past next-update but within the grace period.
    TrustListPastNextUpdate { next_update: i64 },
    /// The status list is past freshness but within the grace period.
    StatusListPastFresh { fresh_until: i64 },
    /// The credential carried claims or fields this version ignores.
    UnknownFieldsIgnored { count: usize },
}

impl Warning {
    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            Warning::ExpiresSoon { .. } => "expires_soon",
            Warning::TrustListPastNextUpdate { .. } => "trust_list_past_next_update",
            Warning::StatusListPastFresh { .. } => "status_list_past_fresh",
            Warning::UnknownFieldsIgnored { .. } => "unknown_fields_ignored",
        }
    }
}

/// The full answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// The outcome.
    pub outcome: Outcome,
    /// Warnings.
    pub warnings: Vec<Warning>,
    /// The permit, once its signature has been verified (never for unauthenticated content).
    pub permit: Option<Permit>,
    /// The signer's key id, once the signature has been verified.
    pub kid: Option<Vec<u8>>,
}

/// What a verification needs besides the text.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    /// The verified trust list.
    pub trust: &'a TrustList,
    /// Verified status list tokens, one per office.
    pub status_lists: &'a [StatusListToken],
    /// Now, Unix seconds.
    pub now: i64,
    /// Tolerances.
    pub policy: Policy,
}

fn done(outcome: Outcome, warnings: Vec<Warning>) -> Verdict {
    Verdict {
        outcome,
        warnings,
        permit: None,
        kid: None,
    }
}

/// Days from the WIB date of `now` to `date` (negative when `date` is past).
pub fn days_until(date: Date, now: i64) -> i64 {
    date.0 as i64 - Date::at(now, WIB).0 as i64
}

/// Verifies a QR text.
pub fn verify(qr_text: &str, ctx: &Context<'_>, crypto: &dyn CryptoProvider) -> Verdict {
    let mut warnings = Vec::new();
    let cose_bytes = match text::unwrap(qr_text) {
        Ok(b) => b,
        Err(FrameError::NotOurs) => return done(Outcome::NotOurFormat, warnings),
        Err(FrameError::UnsupportedVersion(p)) => {
            let detail = alloc::format!("unsupported version prefix {p}");
            return done(
                Outcome::Malformed {
                    layer: Layer::Prefix,
                    detail,
                },
                warnings,
            );
        }
        Err(FrameError::Base45(e)) => {
            return done(
                Outcome::Malformed {
                    layer: Layer::Base45,
                    detail: e.to_string(),
                },
                warnings,
            )
        }
    };
    let malformed_cose = |detail: String| {
        done(
            Outcome::Malformed {
                layer: Layer::Cose,
                detail,
            },
            Vec::new(),
        )
    };
    let msg = match CoseSign1::from_tagged_slice(&cose_bytes) {
        Ok(m) => m,
        Err(e) => return malformed_cose(e.to_string()),
    };
    if msg.to_tagged_vec() != cose_bytes {
        return malformed_cose("not deterministically encoded".into());
    }
    if !msg.unprotected.is_empty() {
        return malformed_cose("the unprotected header must be empty".into());
    }
    let h = &msg.protected.header;
    if h.crit.is_some() || h.content_type.is_some() || !h.rest.is_empty() {
        return malformed_cose("unexpected protected header parameter".into());
    }
    let Some(kid) = h.kid.clone() else {
        return malformed_cose("no kid in the protected header".into());
    };
    let Some(payload) = msg.payload.as_deref() else {
        return malformed_cose("detached payload".into());
    };

    let trust = ctx.trust;
    if ctx.now >= trust.next_update {
        if ctx.now
            >= trust
                .next_update
                .saturating_add(ctx.policy.trust_list_grace)
        {
            return done(
                Outcome::TrustListStale {
                    next_update: trust.next_update,
                },
                warnings,
            );
        }
        warnings.push(Warning::TrustListPastNextUpdate {
            next_update: trust.next_update,
        });
    }
    let Some(signer) = trust.signer(&kid) else {
        return done(Outcome::UnknownSigner { kid }, warnings);
    };
    // The algorithm comes from the trusted key; the header must agree with it.
    if h.alg != Some(AlgorithmLabel::Known(signer.public_key.algorithm())) {
        return done(
            Outcome::BadSignature(SignatureProblem::AlgorithmMismatch),
            warnings,
        );
    }
    if !crypto.verify(&signer.public_key, &msg.tbs_data(&[]), &msg.signature) {
        return done(Outcome::BadSignature(SignatureProblem::Invalid), warnings);
    }

    let DecodedClaims {
        permit,
        unknown_claims,
        unknown_fields,
    } = match Permit::from_claims(payload) {
        Ok(c) => c,
        Err(e) => {
            return done(
                Outcome::Malformed {
                    layer: Layer::Claims,
                    detail: e.to_string(),
                },
                warnings,
            )
        }
    };
    let ignored = unknown_claims.len() + unknown_fields.len();
    if ignored > 0 {
        warnings.push(Warning::UnknownFieldsIgnored { count: ignored });
    }
    let mut verdict = Verdict {
        outcome: Outcome::Valid,
        warnings,
        permit: None,
        kid: Some(kid),
    };
    verdict.outcome = decide(&permit, signer, ctx, &mut verdict.warnings);
    verdict.permit = Some(permit);
    verdict
}

fn decide(
    p: &Permit,
    signer: &crate::trust::SignerRecord,
    ctx: &Context<'_>,
    warnings: &mut Vec<Warning>,
) -> Outcome {
    let now = ctx.now;
    if signer.office != p.office {
        return Outcome::SignerNotAllowed(NotAllowed::Office);
    }
    if !signer.permit_types.contains(&p.permit_type) {
        return Outcome::SignerNotAllowed(NotAllowed::PermitType);
    }
    if p.issued_at < signer.usage_from || p.issued_at > signer.usage_until {
        return Outcome::SignerNotAllowed(NotAllowed::OutsideUsagePeriod);
    }
    if now < signer.valid_from || now > signer.valid_until {
        return Outcome::SignerNotAllowed(NotAllowed::SignerNotValidNow);
    }

    // Status: a revocation is final, so a revoked entry counts even in a stale list; anything
    // else needs a fresh (or in-grace) list.
    let list = ctx.status_lists.iter().find(|l| l.office == p.office);
    let mut status_known = false;
    if let (Some(list), Some(idx)) = (list, p.status_index) {
        let status = list.list.get(idx).map(Status::from_value);
        if matches!(status, Some(Status::Revoked | Status::Other(_))) {
            return Outcome::Revoked;
        }
        let fresh = list.fresh_until();
        let in_grace = fresh.is_none_or(|f| now < f.saturating_add(ctx.policy.status_list_grace));
        if in_grace {
            if let Some(f) = fresh.filter(|f| now >= *f) {
                warnings.push(Warning::StatusListPastFresh { fresh_until: f });
            }
            match status {
                Some(Status::Suspended) => return Outcome::Suspended,
                // An index past the end of the list is an issuer error: fail closed.
                None => return Outcome::Revoked,
                _ => status_known = true,
            }
        }
    }

    let end = p.valid_until.validity_end();
    if now >= end {
        let days_ago = -days_until(p.valid_until, now);
        return Outcome::Expired {
            valid_until: p.valid_until,
            days_ago,
            overstay_charge_idr: days_ago as u64 * OVERSTAY_CHARGE_PER_DAY_IDR,
        };
    }
    if now < p.valid_from.validity_start() {
        return Outcome::NotYetValid {
            valid_from: p.valid_from,
            days_until: days_until(p.valid_from, now).max(0),
        };
    }
    if !status_known && p.status_index.is_some() {
        return Outcome::StatusListStale {
            office: p.office.clone(),
            fresh_until: list.and_then(|l| l.fresh_until()),
        };
    }
    let missing = crate::completeness::missing(p);
    if !missing.is_empty() {
        return Outcome::Incomplete { missing };
    }
    let left = days_until(p.valid_until, now);
    if left <= ctx.policy.expiry_warning_days {
        warnings.push(Warning::ExpiresSoon { days: left.max(0) });
    }
    Outcome::Valid
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.explain())
    }
}
