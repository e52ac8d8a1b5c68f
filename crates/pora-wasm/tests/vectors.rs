//! Native tests of what the page receives, on the testkit's named vectors: every verdict's JSON code
//! and class, the trust-data JSON, and the setup errors' messages (the reader's JSON: `reader.rs`).
// Tests: a panic is the failure report, so unwrap is fine here.
#![allow(clippy::unwrap_used)]

use pora_core::hex;
use pora_testkit::vectors;
use pora_wasm::field::{self, FieldVerifier, SetupError};
use serde_json::Value;

fn bytes(h: &str) -> Vec<u8> {
    hex::decode(h).unwrap()
}

fn loaded() -> (FieldVerifier, Vec<vectors::Vector>) {
    let (ctx, cases) = vectors::load();
    let mut v =
        FieldVerifier::new(&ctx.root_alg, &ctx.root_public_key, &bytes(&ctx.trust_list)).unwrap();
    for s in &ctx.status_lists {
        v.add_status_list(&bytes(s)).unwrap();
    }
    (v, cases)
}

#[test]
fn every_vector_verdict_json_matches_its_expectation() {
    let (v, cases) = loaded();
    assert!(
        cases.len() >= 20,
        "the vector set has {} cases",
        cases.len()
    );
    for case in &cases {
        let out: Value = serde_json::from_str(&v.verify(&case.layers.qr_text, case.now)).unwrap();
        assert_eq!(out["code"], case.expect.code.as_str(), "{}", case.name);
        let warnings: Vec<&str> = out["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["code"].as_str().unwrap())
            .collect();
        assert_eq!(warnings, case.expect.warnings, "{}", case.name);
        if let Some(layer) = &case.expect.layer {
            assert_eq!(out["detail"]["layer"], layer.as_str(), "{}", case.name);
        }
        // The same keys as `pora verify --json`, always present.
        for key in [
            "code",
            "class",
            "message_id",
            "message_en",
            "detail",
            "warnings",
            "kid",
            "permit",
        ] {
            assert!(out.get(key).is_some(), "{}: no {key}", case.name);
        }
        let verdict = v.verdict(&case.layers.qr_text, case.now);
        assert_eq!(
            out["message_en"],
            verdict.outcome.explain(),
            "{}",
            case.name
        );
        // A permit and kid are shown only once the signature has verified.
        assert_eq!(
            out["permit"].is_null(),
            verdict.permit.is_none(),
            "{}",
            case.name
        );
        assert_eq!(out["kid"].is_null(), verdict.kid.is_none(), "{}", case.name);
    }
}

#[test]
fn valid_verdict_json_in_detail() {
    let (v, cases) = loaded();
    let case = cases.iter().find(|c| c.name == "valid-itas-es256").unwrap();
    let out: Value = serde_json::from_str(&v.verify(&case.layers.qr_text, case.now)).unwrap();
    assert_eq!(out["code"], "valid");
    assert_eq!(out["class"], "valid");
    assert_eq!(out["message_id"], "izin tinggal asli dan berlaku");
    assert_eq!(out["message_en"], "the permit is authentic and in force");
    assert_eq!(out["detail"], serde_json::json!({}));
    assert_eq!(out["permit"]["permit_type"], "ITAS");
    assert!(out["kid"].as_str().unwrap().len() >= 2);
}

#[test]
fn expired_verdict_carries_days_and_charge() {
    let (v, cases) = loaded();
    let case = cases.iter().find(|c| c.name == "expired-30-days").unwrap();
    let out: Value = serde_json::from_str(&v.verify(&case.layers.qr_text, case.now)).unwrap();
    assert_eq!(out["class"], "expired");
    assert_eq!(out["detail"]["days_ago"], 30);
    assert_eq!(out["detail"]["overstay_charge_idr"], 30_000_000u64);
    assert!(out["message_id"].as_str().unwrap().contains("Rp30.000.000"));
}

#[test]
fn trust_list_info_counts_signers_and_lists() {
    let (v, _) = loaded();
    let (ctx, _) = vectors::load();
    let info: Value = serde_json::from_str(&v.trust_list_info()).unwrap();
    let signers = info["signers"].as_array().unwrap();
    assert_eq!(
        info["signer_count"].as_u64().unwrap() as usize,
        signers.len()
    );
    assert!(!signers.is_empty());
    assert!(info["version"].as_u64().is_some());
    assert!(info["next_update"].as_i64().unwrap() > info["issued_at"].as_i64().unwrap());
    assert_eq!(
        info["status_lists"].as_array().unwrap().len(),
        ctx.status_lists.len()
    );
}

#[test]
fn setup_errors_say_what_is_wrong() {
    let (ctx, _) = vectors::load();
    let tl = bytes(&ctx.trust_list);
    let msg = |e: SetupError| e.to_string();

    let e = FieldVerifier::new("RS256", &ctx.root_public_key, &tl).unwrap_err();
    assert_eq!(
        msg(e),
        "unknown root algorithm \"RS256\": use \"ES256\" or \"EdDSA\""
    );

    let e = FieldVerifier::new("ES256", "04zz", &tl).unwrap_err();
    assert_eq!(e, SetupError::KeyNotHex);

    let e = FieldVerifier::new("ES256", "0401", &tl).unwrap_err();
    assert!(msg(e).starts_with("root public key rejected: a 2-byte value"));

    // The right bytes under the wrong algorithm.
    let e = FieldVerifier::new("EdDSA", &ctx.root_public_key, &tl).unwrap_err();
    assert!(matches!(e, SetupError::Key(_)), "{e}");

    // A trust list with one byte changed fails its signature.
    let mut bad = tl.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    let e = FieldVerifier::new("ES256", &ctx.root_public_key, &bad).unwrap_err();
    assert!(msg(e).starts_with("trust list rejected: "));

    let e = FieldVerifier::new("ES256", &ctx.root_public_key, b"").unwrap_err();
    assert!(matches!(e, SetupError::TrustList(_)));

    let mut v = FieldVerifier::new("ES256", &ctx.root_public_key, &tl).unwrap();
    let e = v.add_status_list(b"\x01\x02").unwrap_err();
    assert!(msg(e).starts_with("status list rejected: "));
    // Adding the same list twice is fine (not older).
    v.add_status_list(&bytes(&ctx.status_lists[0])).unwrap();
    v.add_status_list(&bytes(&ctx.status_lists[0])).unwrap();
}

#[test]
fn without_status_lists_a_status_checked_permit_cannot_be_told() {
    let (ctx, cases) = vectors::load();
    let v = FieldVerifier::new("ES256", &ctx.root_public_key, &bytes(&ctx.trust_list)).unwrap();
    let case = cases.iter().find(|c| c.name == "valid-itas-es256").unwrap();
    let out: Value = serde_json::from_str(&v.verify(&case.layers.qr_text, case.now)).unwrap();
    assert_eq!(out["code"], "status_list_stale");
    assert_eq!(out["class"], "cannottell");
}

#[test]
fn unix_seconds_accepts_only_whole_safe_numbers() {
    assert_eq!(field::unix_seconds(1_700_000_000.0).unwrap(), 1_700_000_000);
    assert_eq!(field::unix_seconds(-5.0).unwrap(), -5);
    for bad in [f64::NAN, f64::INFINITY, 1.5, 1e300] {
        let e = field::unix_seconds(bad).unwrap_err();
        assert!(
            e.to_string().starts_with("now must be whole Unix seconds"),
            "{e}"
        );
    }
}
