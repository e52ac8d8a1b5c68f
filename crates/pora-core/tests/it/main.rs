//! pora-core's integration tests: public conformance vectors, the named vector set, forgery
//! attempts, date boundaries, property tests and the size budget.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod boundaries;
mod budget;
mod conformance;
mod forgery;
mod props;
mod report;
mod vectors;

/// Decodes hex (either case); panics on bad fixture data.
pub fn hex(s: &str) -> Vec<u8> {
    pora_core::hex::decode(s.trim()).unwrap_or_else(|| panic!("bad hex in fixture: {s}"))
}
