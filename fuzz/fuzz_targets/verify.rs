//! Fuzzes `pora_core::verify` end to end in the testkit world: it never panics, and it never says
//! `valid` for a text that is not one of the testkit's valid vectors (anything else is a forgery).
//!
//! A second pass uses a provider that accepts every signature, so the claims and decision logic
//! behind the signature check is reached too (there only "never panics" and verdict consistency hold).
#![no_main]

use std::collections::HashSet;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use pora_core::crypto::{CryptoProvider, PublicKey};
use pora_core::{verify, Outcome};
use pora_crypto::RingProvider;
use pora_testkit::World;

static WORLD: LazyLock<World> = LazyLock::new(World::new);

/// QR texts of every vector whose expected outcome is `valid` (at whatever time it is checked).
static VALID: LazyLock<HashSet<String>> = LazyLock::new(|| {
    let (_, vectors) = pora_testkit::vectors::load();
    vectors
        .into_iter()
        .filter(|v| v.expect.code == "valid")
        .map(|v| v.layers.qr_text)
        .collect()
});

/// Accepts every signature: only for reaching the code behind the signature check.
struct AcceptAll;

impl CryptoProvider for AcceptAll {
    fn verify(&self, _key: &PublicKey, _message: &[u8], _signature: &[u8]) -> bool {
        true
    }
}

fuzz_target!(|s: &str| {
    let ctx = WORLD.context(pora_testkit::now());
    let verdict = verify(s, &ctx, &RingProvider);
    if verdict.outcome == Outcome::Valid {
        let trimmed = s.trim_matches(|c: char| c.is_ascii_whitespace());
        assert!(VALID.contains(trimmed), "forged valid: {s:?}");
    }
    let _ = verdict.outcome.explain();

    let verdict = verify(s, &ctx, &AcceptAll);
    if verdict.permit.is_some() {
        assert!(verdict.kid.is_some(), "a permit without a kid");
    }
    if verdict.outcome == Outcome::Valid {
        assert!(verdict.permit.is_some(), "valid without a permit");
    }
    let _ = (
        verdict.outcome.code(),
        verdict.outcome.class(),
        verdict.outcome.explain(),
    );
});
