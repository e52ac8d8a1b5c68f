//! The public vectors in ../shared/conformance: COSE Sign1 pass/fail, ECDSA and EdDSA examples,
//! RFC 8392 CWT A.3, RFC 9285 Base45, Token Status List CBOR / CWT.

use std::path::{Path, PathBuf};

use pora_core::cbor::Value;
use pora_core::cose::{AlgorithmLabel, CoseSign1};
use pora_core::crypto::{CryptoProvider, PublicKey};
use pora_core::status_list::{StatusList, StatusListToken};
use pora_core::{base45, Algorithm};
use serde_json::Value as Json;

use crate::hex;

fn root() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance");
    assert!(
        p.is_dir(),
        "conformance vectors not found at {}",
        p.display()
    );
    p
}

fn json(rel: &str) -> Json {
    let path = root().join(rel);
    serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .unwrap()
}

fn b64url(s: &str) -> Vec<u8> {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.bytes() {
        let v = A.iter().position(|a| *a == c).expect("base64url digit") as u32;
        bits = (bits << 6) | v;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    out
}

/// The JWK of a COSE example as a pora public key, if its curve is one pora supports.
fn key_of(k: &Json) -> Option<PublicKey> {
    let coord = |name: &str| -> Option<Vec<u8>> {
        k.get(name)
            .and_then(Json::as_str)
            .map(b64url)
            .or_else(|| k.get(format!("{name}_hex")).and_then(Json::as_str).map(hex))
    };
    match (k["kty"].as_str()?, k["crv"].as_str()?) {
        ("EC", "P-256") => {
            let mut p = vec![4u8];
            p.extend(coord("x")?);
            p.extend(coord("y")?);
            PublicKey::from_bytes(Algorithm::ES256, &p).ok()
        }
        ("OKP", "Ed25519") => PublicKey::from_bytes(Algorithm::EdDSA, &coord("x")?).ok(),
        _ => None,
    }
}

fn providers() -> [&'static dyn CryptoProvider; 2] {
    [&pora_crypto::RingProvider, &pora_crypto::RustCryptoProvider]
}

/// Verifies a COSE example the way a generic COSE_Sign1 verifier must.
fn verify_example(file: &Json) -> Result<(), String> {
    let input = &file["input"]["sign0"];
    let bytes = hex(file["output"]["cbor"].as_str().unwrap());
    let msg = CoseSign1::from_slice(&bytes).map_err(|e| e.to_string())?;
    let aad = input
        .get("external")
        .and_then(Json::as_str)
        .map(hex)
        .unwrap_or_default();
    if let Some(tbs) = file["intermediates"]["ToBeSign_hex"].as_str() {
        // For the tampered ("fail") vectors the recorded Sig_structure is the original one.
        if msg.tbs_data(&aad) != hex(tbs) {
            return Err("Sig_structure differs from the one that was signed".into());
        }
    }
    let key = key_of(&input["key"]).ok_or("unsupported key")?;
    match msg.alg() {
        Some(AlgorithmLabel::Known(a)) if *a == key.algorithm() => {}
        other => return Err(format!("algorithm {other:?} not usable with the key")),
    }
    for p in providers() {
        if !p.verify(&key, &msg.tbs_data(&aad), &msg.signature) {
            return Err("signature does not verify".into());
        }
    }
    Ok(())
}

#[test]
fn cose_sign1_pass_and_fail() {
    let mut pass = 0;
    let mut fail = 0;
    for entry in std::fs::read_dir(root().join("cose/sign1-tests")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let file: Json = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let result = verify_example(&file);
        if name.starts_with("sign-pass") {
            result.unwrap_or_else(|e| panic!("{name} must verify: {e}"));
            pass += 1;
        } else {
            assert!(result.is_err(), "{name} must be rejected");
            fail += 1;
        }
    }
    assert_eq!((pass, fail), (3, 6));
}

#[test]
fn ecdsa_and_eddsa_examples() {
    let mut verified = Vec::new();
    for dir in ["cose/ecdsa-examples", "cose/eddsa-examples"] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            let file: Json =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let title = file["title"].as_str().unwrap_or_default().to_string();
            let bytes = hex(file["output"]["cbor"].as_str().unwrap());
            if !name.contains("-sig-") {
                // COSE_Sign (tag 98, several signers) is not COSE_Sign1: rejected with the tag named.
                assert_eq!(
                    CoseSign1::from_slice(&bytes),
                    Err(pora_core::cose::CoseError::UnexpectedTag(98)),
                    "{name}"
                );
                continue;
            }
            let alg = file["input"]["sign0"]["alg"].as_str().unwrap_or_default();
            let r = verify_example(&file);
            if matches!(alg, "ES256" | "EdDSA") && !title.contains("448") {
                r.unwrap_or_else(|e| panic!("{name} ({title}): {e}"));
                verified.push(name);
            } else {
                // Algorithms pora does not accept (ES384, ES512, Ed448) are rejected.
                assert!(r.is_err(), "{name} ({title}, {alg}) must be rejected");
            }
        }
    }
    verified.sort();
    assert!(
        verified.contains(&"ecdsa-sig-01".to_string()),
        "{verified:?}"
    );
    assert!(
        verified.iter().any(|n| n.starts_with("eddsa-sig")),
        "{verified:?}"
    );
}

#[test]
fn cwt_a3_signed_with_es256() {
    let file = json("cose/CWT/A_3.json");
    verify_example(&file).unwrap();
    let msg = CoseSign1::from_slice(&hex(file["output"]["cbor"].as_str().unwrap())).unwrap();
    let claims = Value::from_slice(msg.payload.as_deref().unwrap()).unwrap();
    assert_eq!(
        claims.map_get(1),
        Some(&Value::Text("coap://as.example.com".into()))
    );
    assert_eq!(claims.map_get(4), Some(&Value::Integer(1_444_064_944)));
    assert_eq!(claims.map_get(7), Some(&Value::Bytes(vec![0x0b, 0x71])));
    // The other CWT examples (MAC, encryption, nesting) parse as CBOR; pora does not use them.
    for f in ["A_4", "A_5", "A_6", "A_7"] {
        let j = json(&format!("cose/CWT/{f}.json"));
        Value::from_slice(&hex(j["output"]["cbor"].as_str().unwrap()))
            .unwrap_or_else(|e| panic!("{f}: {e}"));
    }
}

#[test]
fn base45_rfc9285() {
    let file = json("base45/rfc9285.json");
    let valid = file["valid"].as_array().unwrap();
    for case in valid {
        let text = case["encoded"].as_str().unwrap();
        let bytes = case["decoded_utf8"].as_str().unwrap().as_bytes();
        assert_eq!(base45::encode(bytes), text);
        assert_eq!(base45::decode(text).unwrap(), bytes);
    }
    let invalid = file["invalid"].as_array().unwrap();
    assert!(!invalid.is_empty());
    for case in invalid {
        let text = case["encoded"].as_str().unwrap();
        assert!(
            base45::decode(text).is_err(),
            "{text} must be rejected: {}",
            case["why"]
        );
    }
}

fn md_hex(name: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(root().join("token-status-list").join(name)).unwrap();
    // The hex is the block of lines that are only hex digits (after an optional "encoded:" line).
    let hexdigits: String = text
        .lines()
        .filter(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_hexdigit()))
        .collect();
    hex(&hexdigits)
}

#[test]
fn token_status_list_encodings() {
    let one = StatusList::from_cbor(&md_hex("status_list_encoding_cbor.md")).unwrap();
    assert_eq!((one.bits(), one.packed()), (1, &[0xb9u8, 0xa3][..]));
    let expected_1: [u8; 16] = [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1];
    for (i, s) in expected_1.iter().enumerate() {
        assert_eq!(one.get(i as u64), Some(*s), "1-bit index {i}");
    }
    let two = StatusList::from_cbor(&md_hex("status_list_encoding2_cbor.md")).unwrap();
    assert_eq!(two.packed(), &[0xc9, 0x44, 0xf9]);
    let expected_2: [u8; 12] = [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3];
    for (i, s) in expected_2.iter().enumerate() {
        assert_eq!(two.get(i as u64), Some(*s), "2-bit index {i}");
    }
    for (file, bits) in [
        ("status_list_encoding1_long_cbor.md", 1),
        ("status_list_encoding2_long_cbor.md", 2),
        ("status_list_encoding4_cbor.md", 4),
        ("status_list_encoding8_cbor.md", 8),
    ] {
        let l = StatusList::from_cbor(&md_hex(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(l.bits(), bits, "{file}");
        assert!(l.len() >= 1 << 10, "{file}: {} entries", l.len());
        assert!(
            (0..l.len() as u64).any(|i| l.get(i) != Some(0)),
            "{file} has set entries"
        );
        // Our encoder's output decodes to the same statuses.
        let again = StatusList::from_value(&l.to_value()).unwrap();
        assert_eq!(again, l, "{file} round trip");
    }
}

#[test]
fn token_status_list_cwt_and_referenced_token() {
    let token = md_hex("status_list_cwt.md");
    let msg = CoseSign1::from_tagged_slice(&token).unwrap();
    assert_eq!(msg.kid(), Some(&b"12"[..]));
    let claims = Value::from_slice(msg.payload.as_deref().unwrap()).unwrap();
    assert_eq!(
        claims.map_get(2),
        Some(&Value::Text("https://example.com/statuslists/1".into()))
    );
    let list = StatusList::from_value(claims.map_get(65533).unwrap()).unwrap();
    assert_eq!(list.packed(), &[0xb9, 0xa3]);
    // pora's own reader refuses a list that is not a pora subject, with a precise message.
    let err = StatusListToken::from_claims(msg.payload.as_deref().unwrap()).unwrap_err();
    assert!(err.to_string().contains("not a pora status list"), "{err}");

    let referenced = md_hex("referenced_token_cwt.md");
    let msg = CoseSign1::from_tagged_slice(&referenced).unwrap();
    let claims = Value::from_slice(msg.payload.as_deref().unwrap()).unwrap();
    assert_eq!(
        pora_core::status_list::referenced_status(&claims),
        Some((0, "https://example.com/statuslists/1".to_string()))
    );
}
