//! The named vector set of pora-testkit, checked layer by layer.

use pora_core::cose::CoseSign1;
use pora_core::status_list::StatusListToken;
use pora_core::trust::TrustList;
use pora_core::{base45, hex, text, Algorithm, Permit, PublicKey};
use pora_testkit::vectors::{self, summarize};

use crate::hex as unhex;

#[test]
fn checked_in_vectors_are_exactly_what_the_generator_makes() {
    let world = pora_testkit::World::new();
    let (context, generated) = vectors::generate(&world);
    let (ctx_file, files) = vectors::load();
    assert_eq!(
        ctx_file, context,
        "context.json is stale: run `cargo run -p pora-testkit --bin pora-vectors`"
    );
    let generated: Vec<_> = generated.into_iter().map(|(v, _)| v).collect();
    assert_eq!(
        files, generated,
        "vectors.json is stale: run `cargo run -p pora-testkit --bin pora-vectors`"
    );
}

#[test]
fn every_outcome_code_has_a_vector() {
    let (_, vs) = vectors::load();
    for code in pora_core::Outcome::CODES {
        assert!(
            vs.iter().any(|v| v.expect.code == code),
            "no vector for {code}"
        );
    }
}

/// The expected code follows from the vector's name, independently of what the code computed.
fn code_from_name(name: &str) -> &'static str {
    const PREFIXES: [(&str, &str); 14] = [
        ("valid-", "valid"),
        ("expired-", "expired"),
        ("not-yet-valid", "not_yet_valid"),
        ("revoked", "revoked"),
        ("suspended", "suspended"),
        ("incomplete-", "incomplete"),
        ("unknown-signer", "unknown_signer"),
        ("bad-signature-", "bad_signature"),
        ("signer-", "signer_not_allowed"),
        ("trust-list-stale", "trust_list_stale"),
        ("trust-list-warning", "valid"),
        ("status-list-stale", "status_list_stale"),
        ("malformed-", "malformed"),
        ("not-our-format-", "not_our_format"),
    ];
    PREFIXES
        .iter()
        .find(|(p, _)| name.starts_with(p))
        .map(|(_, c)| *c)
        .unwrap_or_else(|| panic!("unnamed vector {name}"))
}

#[test]
fn each_vector_verifies_to_its_expected_result_through_the_published_files() {
    let (ctx, vs) = vectors::load();
    // Load the trust world the way a verifier does: from signed bytes and the root key alone.
    let root = PublicKey::from_bytes(Algorithm::ES256, &unhex(&ctx.root_public_key)).unwrap();
    let provider = pora_crypto::default_provider();
    let trust = TrustList::verify(&unhex(&ctx.trust_list), &root, provider).unwrap();
    let status: Vec<_> = ctx
        .status_lists
        .iter()
        .map(|s| StatusListToken::verify(&unhex(s), &trust, provider).unwrap())
        .collect();
    for v in &vs {
        let c = pora_core::Context {
            trust: &trust,
            status_lists: &status,
            now: v.now,
            policy: Default::default(),
        };
        for p in [provider, &pora_crypto::RustCryptoProvider] {
            let verdict = pora_core::verify(&v.layers.qr_text, &c, p);
            let (code, layer, detail) = summarize(&verdict.outcome);
            assert_eq!(code, v.expect.code, "{}", v.name);
            assert_eq!(
                code,
                code_from_name(&v.name),
                "{} disagrees with its name",
                v.name
            );
            assert_eq!(layer, v.expect.layer, "{}", v.name);
            assert_eq!(detail, v.expect.detail, "{}", v.name);
            let warnings: Vec<_> = verdict
                .warnings
                .iter()
                .map(|w| w.code().to_string())
                .collect();
            assert_eq!(warnings, v.expect.warnings, "{}", v.name);
            // Content is only released once authenticated.
            let authentic = !matches!(
                code.as_str(),
                "not_our_format"
                    | "malformed"
                    | "unknown_signer"
                    | "bad_signature"
                    | "trust_list_stale"
            );
            assert_eq!(verdict.permit.is_some(), authentic, "{}", v.name);
        }
    }
}

#[test]
fn each_layer_decodes_to_the_next() {
    let (_, vs) = vectors::load();
    for v in &vs {
        let l = &v.layers;
        if let (Some(b45), Some(cose)) = (&l.base45, &l.cose) {
            assert_eq!(l.qr_text, format!("{}{b45}", text::PREFIX), "{}", v.name);
            assert_eq!(
                hex::encode(&base45::decode(b45).unwrap()),
                *cose,
                "{}",
                v.name
            );
            let msg = CoseSign1::from_slice(&unhex(cose)).unwrap();
            if let Some(claims) = &l.claims_cbor {
                assert_eq!(
                    hex::encode(msg.payload.as_deref().unwrap()),
                    *claims,
                    "{}",
                    v.name
                );
            }
        }
        if let (Some(json), Some(claims)) = (&l.permit, &l.claims_cbor) {
            let p: Permit = serde_json::from_value(json.clone()).unwrap();
            assert_eq!(
                hex::encode(&p.to_claims().unwrap()),
                *claims,
                "{}: JSON → CBOR",
                v.name
            );
            assert_eq!(
                Permit::from_claims(&unhex(claims)).unwrap().permit,
                p,
                "{}: CBOR → permit",
                v.name
            );
        }
    }
}
