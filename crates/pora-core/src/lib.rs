//! The pora permit credential: a residence permit (ITAS / ITAP) signed into a compact QR text.
//!
//! A permit is a CWT claims set ([`permit`]) in a COSE_Sign1 ([`cose`]), deterministic CBOR
//! ([`cbor`]), Base45 ([`base45`]) behind the prefix `PR1:` ([`text`]). Offices sign with keys the
//! national root certifies in a signed trust list ([`trust`]); revocation is an IETF Token Status List
//! ([`status_list`]); [`verify::verify`] answers with a closed taxonomy of outcomes.
//!
//! This crate does no I/O and reads no clock: time is an argument, signatures go through the
//! [`crypto::CryptoProvider`] and [`crypto::Signer`] traits. It builds for `wasm32-unknown-unknown`.
//! The wire format is specified in `docs/SPEC.md`.
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(not(test), warn(clippy::unwrap_used))]

extern crate alloc;

pub mod base45;
pub mod c40;
pub mod cbor;
pub mod completeness;
pub mod cose;
pub mod crypto;
pub mod date;
pub mod hex;
pub mod issue;
pub mod permit;
pub mod qr;
pub mod report;
pub mod status_list;
pub mod text;
pub mod trust;
pub mod verify;

pub use cose::Algorithm;
pub use crypto::{CryptoProvider, PublicKey, Signer};
pub use date::Date;
pub use issue::{issue, IssueError, Prepared};
pub use permit::{Field, Permit, PermitType, Sex};
pub use status_list::{Status, StatusList, StatusListToken};
pub use trust::{SignerRecord, TrustList};
pub use verify::{verify, Class, Context, Outcome, Policy, Verdict, Warning};
