//! Check reports: signing and verification with both providers, strict decoding, tampering,
//! the per-device chain, and the keyed document hash.

use pora_core::cbor::Value;
use pora_core::report::{
    self, doc_hash, hmac_sha256, link, Basis, ChainHead, CheckReport, Link, Position, ReportError,
    ReportField, Unsigned,
};
use pora_core::{Algorithm, CryptoProvider, Signer};
use pora_crypto::SigningKey;
use proptest::prelude::*;

fn providers() -> [&'static dyn CryptoProvider; 2] {
    [&pora_crypto::RingProvider, &pora_crypto::RustCryptoProvider]
}

fn device(alg: Algorithm) -> SigningKey {
    SigningKey::from_seed(alg, &[7; 32]).unwrap()
}

fn sample(seq: u64, prev: Option<[u8; 32]>) -> CheckReport {
    CheckReport {
        report_id: [seq as u8; 16],
        device: "dev-12".into(),
        officer: "petugas.rina".into(),
        seq,
        prev,
        basis: Basis::Order("SP-BKS-2026-0117".into()),
        device_time: 1_795_500_000,
        gnss_time: Some(1_795_499_998),
        position: Position::from_degrees(-6.2866, 107.1722, 8.4),
        outcome: "valid".into(),
        warnings: vec!["expiring_soon".into()],
        trust_list_version: 4,
        status_list_at: Some(1_795_400_000),
        doc_hash: doc_hash(b"office key", "2C21AB0001-X"),
        permit_number: None,
        note: Some("Pemeriksaan di kawasan industri".into()),
    }
}

fn signed(r: &CheckReport, key: &SigningKey) -> Vec<u8> {
    Unsigned::new(r, &key.public_key())
        .unwrap()
        .sign(key)
        .unwrap()
}

#[test]
fn signs_and_verifies_with_both_algorithms_and_providers() {
    for alg in [Algorithm::ES256, Algorithm::EdDSA] {
        let key = device(alg);
        let r = sample(0, None);
        let bytes = signed(&r, &key);
        for p in providers() {
            assert_eq!(report::verify(&bytes, &key.public_key(), p).unwrap(), r);
        }
        let parsed = report::parse(&bytes).unwrap();
        assert_eq!(parsed.kid, pora_core::trust::kid_of(&key.public_key()));
    }
}

#[test]
fn every_optional_field_round_trips_absent() {
    let key = device(Algorithm::ES256);
    let mut r = sample(3, Some([9; 32]));
    r.basis = Basis::CaughtInAct;
    r.gnss_time = None;
    r.position = None;
    r.warnings.clear();
    r.status_list_at = None;
    r.permit_number = Some("2C21AB0001-X".into());
    r.note = None;
    let bytes = signed(&r, &key);
    assert_eq!(
        report::verify(&bytes, &key.public_key(), providers()[0]).unwrap(),
        r
    );
}

#[test]
fn another_device_key_is_refused() {
    let key = device(Algorithm::ES256);
    let other = SigningKey::from_seed(Algorithm::ES256, &[8; 32]).unwrap();
    let bytes = signed(&sample(0, None), &key);
    assert_eq!(
        report::verify(&bytes, &other.public_key(), providers()[0]).unwrap_err(),
        ReportError::KidMismatch
    );
    let ed = device(Algorithm::EdDSA);
    assert!(matches!(
        report::verify(&bytes, &ed.public_key(), providers()[0]).unwrap_err(),
        ReportError::Header(_)
    ));
}

#[test]
fn every_flipped_bit_is_rejected() {
    let key = device(Algorithm::EdDSA);
    let r = sample(1, Some([1; 32]));
    let bytes = signed(&r, &key);
    for i in 0..bytes.len() * 8 {
        let mut t = bytes.clone();
        t[i / 8] ^= 1 << (i % 8);
        // ring for every bit; the (slower, unoptimised) RustCrypto provider for every eighth.
        let ps: &[_] = if i % 64 == 0 {
            &providers()
        } else {
            &providers()[..1]
        };
        for p in ps {
            assert!(
                report::verify(&t, &key.public_key(), *p).is_err(),
                "bit {i} flipped was accepted"
            );
        }
    }
}

use pora_testkit::reports::sign_payload;

fn payload_map(r: &CheckReport) -> Vec<(Value, Value)> {
    match Value::from_slice(&r.to_cbor().unwrap()).unwrap() {
        Value::Map(m) => m,
        _ => unreachable!(),
    }
}

#[test]
fn strict_payload_rules() {
    let key = device(Algorithm::ES256);
    let verify = |payload: Vec<u8>| {
        report::verify(
            &sign_payload(payload, &key),
            &key.public_key(),
            providers()[0],
        )
    };
    // An unknown key.
    let mut m = payload_map(&sample(0, None));
    m.push((Value::Integer(40), Value::Integer(1)));
    assert_eq!(
        verify(Value::Map(m).to_vec()).unwrap_err(),
        ReportError::UnknownKey(40)
    );
    // Both an order and caught in the act.
    let mut m = payload_map(&sample(0, None));
    m.push((
        Value::Integer(ReportField::CaughtInAct.key()),
        Value::Bool(true),
    ));
    assert!(matches!(
        verify(Value::Map(m).to_vec()).unwrap_err(),
        ReportError::Field {
            field: ReportField::CaughtInAct,
            ..
        }
    ));
    // Neither.
    let m: Vec<_> = payload_map(&sample(0, None))
        .into_iter()
        .filter(|(k, _)| *k != Value::Integer(ReportField::Order.key()))
        .collect();
    assert!(matches!(
        verify(Value::Map(m).to_vec()).unwrap_err(),
        ReportError::Field {
            field: ReportField::Order,
            ..
        }
    ));
    // seq 0 with a previous hash.
    let mut m = payload_map(&sample(0, None));
    m.push((
        Value::Integer(ReportField::Prev.key()),
        Value::Bytes(vec![0; 32]),
    ));
    assert!(matches!(
        verify(Value::Map(m).to_vec()).unwrap_err(),
        ReportError::Field {
            field: ReportField::Prev,
            ..
        }
    ));
    // A wrong version.
    let m: Vec<_> = payload_map(&sample(0, None))
        .into_iter()
        .map(|(k, v)| {
            if k == Value::Integer(0) {
                (k, Value::Integer(2))
            } else {
                (k, v)
            }
        })
        .collect();
    assert!(matches!(
        verify(Value::Map(m).to_vec()).unwrap_err(),
        ReportError::Field {
            field: ReportField::Version,
            ..
        }
    ));
    // Not deterministic: a one-byte integer written in two bytes.
    let mut bytes = sample(0, None).to_cbor().unwrap();
    // The version entry `00 01` is right after the map header (one byte for <24 entries).
    assert_eq!(&bytes[1..3], &[0x00, 0x01]);
    bytes.splice(2..3, [0x18, 0x01]);
    assert_eq!(verify(bytes).unwrap_err(), ReportError::NotDeterministic);
}

#[test]
fn invalid_reports_are_not_signed() {
    let key = device(Algorithm::ES256);
    let mut r = sample(0, None);
    r.note = Some("x".repeat(1001));
    assert!(Unsigned::new(&r, &key.public_key()).is_err());
    let mut r = sample(0, None);
    r.outcome = "Valid!".into();
    assert!(Unsigned::new(&r, &key.public_key()).is_err());
    let mut r = sample(0, None);
    r.position = Some(Position {
        lat_e7: 910_000_000,
        lon_e7: 0,
        accuracy_m: 5,
    });
    assert!(Unsigned::new(&r, &key.public_key()).is_err());
    assert!(Position::from_degrees(f64::NAN, 0.0, 1.0).is_none());
    assert!(Position::from_degrees(0.0, 181.0, 1.0).is_none());
    assert!(Position::from_degrees(0.0, 0.0, -1.0).is_none());
}

#[test]
fn chain_links() {
    let key = device(Algorithm::ES256);
    let r0 = sample(0, None);
    let b0 = signed(&r0, &key);
    let h0 = ChainHead {
        seq: 0,
        hash: report::hash(&b0),
    };
    assert_eq!(link(None, &r0), Link::Genesis);
    let r1 = sample(1, Some(h0.hash));
    assert_eq!(link(Some(h0), &r1), Link::Next);
    let mut forked = r1.clone();
    forked.prev = Some([0; 32]);
    assert_eq!(link(Some(h0), &forked), Link::Broken);
    let r4 = sample(4, Some([4; 32]));
    assert_eq!(link(Some(h0), &r4), Link::Gap { from: 1, to: 3 });
    assert_eq!(link(None, &r4), Link::MissingStart { to: 3 });
    assert_eq!(link(Some(h0), &r0), Link::Behind);
}

#[test]
fn hmac_sha256_matches_rfc_4231() {
    // Test case 1.
    assert_eq!(
        hmac_sha256(&[0x0b; 20], b"Hi There").to_vec(),
        crate::hex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
    );
    // Test case 2.
    assert_eq!(
        hmac_sha256(b"Jefe", b"what do ya want for nothing?").to_vec(),
        crate::hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    );
    // Test case 6: a key longer than the block.
    assert_eq!(
        hmac_sha256(
            &[0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First"
        )
        .to_vec(),
        crate::hex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    );
    assert_eq!(
        doc_hash(b"k", " 2c21ab0001-x "),
        doc_hash(b"k", "2C21AB0001-X")
    );
    assert_ne!(
        doc_hash(b"k", "2C21AB0001-X"),
        doc_hash(b"l", "2C21AB0001-X")
    );
}

#[cfg(feature = "serde")]
#[test]
fn json_form_round_trips() {
    let r = sample(2, Some([3; 32]));
    let j = serde_json::to_string(&r).unwrap();
    assert!(j.contains("\"report_id\":\"02020202020202020202020202020202\""));
    assert_eq!(serde_json::from_str::<CheckReport>(&j).unwrap(), r);
}

proptest! {
    #[test]
    fn parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = report::parse(&bytes);
    }

    #[test]
    fn parse_never_panics_on_mutated_reports(i in 0usize..400, b in any::<u8>()) {
        let key = device(Algorithm::EdDSA);
        let mut bytes = signed(&sample(1, Some([5; 32])), &key);
        let i = i % bytes.len();
        bytes[i] = b;
        let _ = report::parse(&bytes);
    }
}

/// The named report vectors (crates/pora-testkit/vectors/reports.json): regenerated byte for byte,
/// and each case gets its expected answer from both providers.
#[test]
fn named_report_vectors() {
    use pora_testkit::reports;
    let stored = reports::load();
    assert_eq!(
        stored,
        reports::generate(),
        "vectors/reports.json is stale: cargo run -p pora-testkit --bin pora-vectors"
    );
    assert!(stored.cases.len() >= 12);
    for c in &stored.cases {
        let dev = stored.devices.iter().find(|d| d.id == c.device).unwrap();
        let alg = match dev.alg.as_str() {
            "ES256" => Algorithm::ES256,
            _ => Algorithm::EdDSA,
        };
        let key = pora_core::PublicKey::from_bytes(alg, &crate::hex(&dev.public_key)).unwrap();
        let bytes = crate::hex(&c.cose);
        assert_eq!(
            report::hash(&bytes).to_vec(),
            crate::hex(&c.hash),
            "{}",
            c.name
        );
        for p in providers() {
            match report::verify(&bytes, &key, p) {
                Ok(r) => {
                    assert_eq!(c.expect.verify, "ok", "{}", c.name);
                    assert_eq!(Some(&r), c.report.as_ref(), "{}", c.name);
                    let head = c.head.as_ref().map(reports::chain_head);
                    assert_eq!(
                        Some(reports::link_name(link(head, &r))),
                        c.expect.link,
                        "{}",
                        c.name
                    );
                }
                Err(e) => assert_eq!(e.code(), c.expect.verify, "{}: {e}", c.name),
            }
        }
    }
    // Every chain placement and the main refusals are covered.
    for want in [
        "genesis",
        "next",
        "gap",
        "broken",
        "behind",
        "missing_start",
    ] {
        assert!(
            stored.cases.iter().any(|c| c
                .expect
                .link
                .as_deref()
                .is_some_and(|l| l.starts_with(want))),
            "no vector for {want}"
        );
    }
    for want in ["bad_signature", "kid_mismatch", "malformed"] {
        assert!(
            stored.cases.iter().any(|c| c.expect.verify == want),
            "no vector for {want}"
        );
    }
}
