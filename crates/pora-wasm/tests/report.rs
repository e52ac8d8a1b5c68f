//! Native tests of the page's check-report functions (what `reportToBeSigned`, `reportFinalize`,
//! `reportVerify`, `reportHash` and `docHash` do) and of the result screen's JSON (`Verifier.check`).
// Tests: a panic is the failure report, so unwrap is fine here.
#![allow(clippy::unwrap_used)]

use pora_core::report::{self as core_report, ReportError};
use pora_core::{hex, Algorithm, Signer};
use pora_crypto::SigningKey;
use pora_testkit::vectors;
use pora_wasm::field::FieldVerifier;
use pora_wasm::report::{self, ReportInputError};
use serde_json::{json, Value};

fn key(alg: Algorithm, seed: u8) -> SigningKey {
    SigningKey::from_seed(alg, &[seed; 32]).unwrap()
}

fn raw(k: &SigningKey) -> Vec<u8> {
    k.public_key().as_bytes().to_vec()
}

/// A report as the page writes it (JSON, hex byte fields).
fn page_report(seq: u64, prev: Option<&str>) -> Value {
    json!({
        "report_id": "00112233445566778899aabbccddeeff",
        "device": "17",
        "officer": "petugas.rina",
        "seq": seq,
        "prev": prev,
        "basis": {"order": "SP-BKS-2026-0117"},
        "device_time": 1_795_500_000i64,
        "gnss_time": 1_795_499_998i64,
        "position": {"lat_e7": -62_866_000, "lon_e7": 1_071_722_000, "accuracy_m": 8},
        "outcome": "valid",
        "warnings": ["expires_soon"],
        "trust_list_version": 4,
        "status_list_at": 1_795_400_000i64,
        "doc_hash": hex::encode(&report::doc_hash(b"office key", "2C21AB0001-X")),
        "permit_number": null,
        "note": "Pemeriksaan di kawasan industri / check at the industrial estate"
    })
}

#[test]
fn a_page_report_signed_outside_finalizes_verifies_and_chains() {
    for alg in [Algorithm::ES256, Algorithm::EdDSA] {
        let device = key(alg, 9);
        let first = page_report(0, None).to_string();
        // What WebCrypto does: sign the Sig_structure with the device's private key.
        let tbs = report::to_be_signed(&first, &raw(&device)).unwrap();
        let sig = device.sign(&tbs).unwrap();
        let bytes = report::finalize(&first, &raw(&device), &sig).unwrap();

        // The core (and so the server) accepts it, with the same content.
        let back =
            core_report::verify(&bytes, &device.public_key(), &pora_crypto::RingProvider).unwrap();
        assert_eq!(back.device, "17");
        assert_eq!(back.report_id[0], 0x00);
        assert_eq!(back.report_id[15], 0xff);
        let round: Value =
            serde_json::from_str(&report::verify(&bytes, &raw(&device)).unwrap()).unwrap();
        assert_eq!(round, page_report(0, None), "{alg:?}");

        // The next report names this one's hash.
        let h = report::hash(&bytes);
        assert_eq!(h, core_report::hash(&bytes));
        let second = page_report(1, Some(&hex::encode(&h))).to_string();
        let sig2 = device
            .sign(&report::to_be_signed(&second, &raw(&device)).unwrap())
            .unwrap();
        let bytes2 = report::finalize(&second, &raw(&device), &sig2).unwrap();
        let r2 = core_report::parse(&bytes2).unwrap().report;
        assert_eq!(r2.prev, Some(h));
        assert_eq!(
            core_report::link(Some(core_report::ChainHead { seq: 0, hash: h }), &r2),
            core_report::Link::Next
        );
    }
}

#[test]
fn finalize_refuses_a_signature_that_is_not_the_device_keys() {
    let device = key(Algorithm::ES256, 9);
    let other = key(Algorithm::ES256, 10);
    let r = page_report(0, None).to_string();
    let tbs = report::to_be_signed(&r, &raw(&device)).unwrap();
    let e = report::finalize(&r, &raw(&device), &other.sign(&tbs).unwrap()).unwrap_err();
    assert_eq!(e, ReportInputError::Report(ReportError::BadSignature));
    let e = report::finalize(&r, &raw(&device), &[0; 63]).unwrap_err();
    assert_eq!(
        e,
        ReportInputError::Report(ReportError::BadSignatureLength(63))
    );
    // Signed over a different report: also refused.
    let mut changed = page_report(0, None);
    changed["note"] = json!("diubah / altered");
    let e = report::finalize(
        &changed.to_string(),
        &raw(&device),
        &device.sign(&tbs).unwrap(),
    )
    .unwrap_err();
    assert_eq!(e, ReportInputError::Report(ReportError::BadSignature));
}

#[test]
fn bad_reports_name_the_field() {
    let k = raw(&key(Algorithm::ES256, 9));
    // seq 1 without prev.
    let e = report::to_be_signed(&page_report(1, None).to_string(), &k).unwrap_err();
    assert!(e.to_string().contains("prev"), "{e}");
    // A report id that is not 16 bytes of hex.
    let mut r = page_report(0, None);
    r["report_id"] = json!("abc");
    let e = report::to_be_signed(&r.to_string(), &k).unwrap_err();
    assert!(matches!(e, ReportInputError::Json(_)), "{e}");
    assert!(e.to_string().contains("hex"), "{e}");
    // An outcome that is not a code.
    let mut r = page_report(0, None);
    r["outcome"] = json!("Valid!");
    let e = report::to_be_signed(&r.to_string(), &k).unwrap_err();
    assert!(e.to_string().contains("outcome"), "{e}");
    // A key of the wrong size.
    let e = report::to_be_signed(&page_report(0, None).to_string(), &k[..64]).unwrap_err();
    assert_eq!(e, ReportInputError::DeviceKey(64));
    // Garbage bytes to verify.
    assert!(report::verify(b"\xd2\x84garbage", &k).is_err());
}

#[test]
fn doc_hash_is_the_cores_on_the_normalised_number() {
    let k = b"kunci kantor BKS";
    assert_eq!(
        report::doc_hash(k, " 2c21ab0001-x "),
        core_report::doc_hash(k, "2C21AB0001-X")
    );
    assert_ne!(
        report::doc_hash(k, "2C21AB0001-X"),
        report::doc_hash(b"another key", "2C21AB0001-X")
    );
}

#[test]
fn check_json_adds_what_the_result_screen_shows() {
    let (ctx, cases) = vectors::load();
    let mut v = FieldVerifier::new(
        &ctx.root_alg,
        &ctx.root_public_key,
        &hex::decode(&ctx.trust_list).unwrap(),
    )
    .unwrap();
    for s in &ctx.status_lists {
        v.add_status_list(&hex::decode(s).unwrap()).unwrap();
    }
    let mut seen = std::collections::BTreeSet::new();
    for case in &cases {
        let out: Value = serde_json::from_str(&v.check(&case.layers.qr_text, case.now)).unwrap();
        let verdict: Value =
            serde_json::from_str(&v.verify(&case.layers.qr_text, case.now)).unwrap();
        // Everything of the plain verdict, unchanged.
        for (k, val) in verdict.as_object().unwrap() {
            assert_eq!(&out[k], val, "{}: {k}", case.name);
        }
        assert!(!out["headline"]["id"].as_str().unwrap().is_empty());
        assert!(!out["headline"]["en"].as_str().unwrap().is_empty());
        assert_eq!(
            out["warning_texts"].as_array().unwrap().len(),
            out["warnings"].as_array().unwrap().len()
        );
        assert!(out["trust_list_version"].as_u64().is_some());
        let has_permit = !out["permit"].is_null();
        assert_eq!(out["days_left"].is_null(), !has_permit, "{}", case.name);
        match out["code"].as_str().unwrap() {
            "expired" => {
                // Overstay: days_left is minus the days ago, and the charge is per day.
                let ago = out["detail"]["days_ago"].as_i64().unwrap();
                assert_eq!(out["days_left"].as_i64().unwrap(), -ago, "{}", case.name);
                assert_eq!(
                    out["detail"]["overstay_charge_idr"].as_u64().unwrap(),
                    ago as u64 * out["charge_per_day_idr"].as_u64().unwrap()
                );
                seen.insert("expired");
            }
            "valid" => {
                assert!(out["days_left"].as_i64().unwrap() >= 0, "{}", case.name);
                assert_eq!(out["headline"]["en"], "VALID");
                // The permit office's status list was held and is named for the report.
                assert!(out["status_list_at"].as_i64().is_some(), "{}", case.name);
                seen.insert("valid");
            }
            "bad_signature" | "unknown_signer" | "malformed" => {
                assert!(out["status_list_at"].is_null(), "{}", case.name);
                seen.insert("forged");
            }
            _ => {}
        }
    }
    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        ["expired", "forged", "valid"]
    );
}
