//! Forgery attempts, counted: every single-bit flip and every single-byte change of valid codes,
//! re-signing with keys that may not vouch, a swapped algorithm header, edited claims. None may be
//! accepted, and each must be rejected with the right code.

use pora_core::cose::{AlgorithmLabel, CoseSign1, ProtectedHeader};
use pora_core::crypto::Signer;
use pora_core::{text, Algorithm, Outcome, Permit, Prepared};
use pora_testkit::{itap, itas, now, World};

fn codes_allowed_for_damage(o: &Outcome) -> bool {
    matches!(
        o,
        Outcome::NotOurFormat
            | Outcome::Malformed { .. }
            | Outcome::BadSignature(_)
            | Outcome::UnknownSigner { .. }
    )
}

#[test]
fn every_bit_flip_and_byte_change_is_rejected() {
    let w = World::new();
    let ctx = w.context(now());
    let provider = pora_crypto::default_provider();
    let mut tried = 0usize;
    for (permit, signer) in [(itas(), "bks-es256"), (itap(), "bks-eddsa")] {
        let key = &w.signer(signer).key;
        let qr = Prepared::new_unchecked(&permit, &key.public_key())
            .unwrap()
            .sign(key)
            .unwrap();
        assert_eq!(
            pora_core::verify(&qr, &ctx, provider).outcome,
            Outcome::Valid
        );
        let cose = text::unwrap(&qr).unwrap();
        for i in 0..cose.len() {
            // Every single-bit flip...
            for bit in 0..8 {
                let mut b = cose.clone();
                b[i] ^= 1 << bit;
                let o = pora_core::verify(&text::wrap(&b), &ctx, provider).outcome;
                assert!(codes_allowed_for_damage(&o), "bit {bit} of byte {i}: {o:?}");
                tried += 1;
            }
            // ...and every other value of each byte.
            for v in 0..=255u8 {
                if v == cose[i] || (v ^ cose[i]).count_ones() == 1 {
                    continue;
                }
                let mut b = cose.clone();
                b[i] = v;
                let o = pora_core::verify(&text::wrap(&b), &ctx, provider).outcome;
                assert!(codes_allowed_for_damage(&o), "byte {i} = {v:#04x}: {o:?}");
                tried += 1;
            }
        }
        // Every single-character change of the text itself (within the Base45 alphabet).
        let body = &qr[text::PREFIX.len()..];
        for i in 0..body.len() {
            for c in pora_core::base45::ALPHABET.iter().step_by(7) {
                if body.as_bytes()[i] == *c {
                    continue;
                }
                let mut t = body.as_bytes().to_vec();
                t[i] = *c;
                let s = format!("{}{}", text::PREFIX, String::from_utf8(t).unwrap());
                let o = pora_core::verify(&s, &ctx, provider).outcome;
                assert!(
                    codes_allowed_for_damage(&o),
                    "char {i} = {}: {o:?}",
                    *c as char
                );
                tried += 1;
            }
        }
    }
    println!("forgery: {tried} altered codes tried, none accepted");
    assert!(tried > 100_000, "tried {tried}");
}

fn resigned(p: &Permit, key: &pora_crypto::SigningKey) -> String {
    Prepared::new_unchecked(p, &key.public_key())
        .unwrap()
        .sign(key)
        .unwrap()
}

#[test]
fn re_signed_and_edited_codes_get_the_right_code() {
    let w = World::new();
    let ctx = w.context(now());
    let provider = pora_crypto::default_provider();
    let verify = |qr: &str| pora_core::verify(qr, &ctx, provider).outcome;
    let mut tried = 0;
    for p in [itas(), itap()] {
        // A key outside the trust list.
        assert!(matches!(
            verify(&resigned(&p, &w.signer("unknown").key)),
            Outcome::UnknownSigner { .. }
        ));
        // A freshly generated key of each algorithm.
        for alg in [Algorithm::ES256, Algorithm::EdDSA] {
            let k = pora_crypto::SigningKey::generate(alg).unwrap();
            assert!(matches!(
                verify(&resigned(&p, &k)),
                Outcome::UnknownSigner { .. }
            ));
        }
        // The signer of another office.
        assert_eq!(
            verify(&resigned(&p, &w.signer("jkt-es256").key)),
            Outcome::SignerNotAllowed(pora_core::verify::NotAllowed::Office)
        );
        // The same content moved to office JKT and signed by JKT's signer is a genuine JKT permit.
        let mut moved = p.clone();
        moved.office = "JKT".into();
        assert_eq!(
            verify(&resigned(&moved, &w.signer("jkt-es256").key)),
            Outcome::Valid
        );
        // The retired and lapsed signers.
        assert!(matches!(
            verify(&resigned(&p, &w.signer("bks-retired").key)),
            Outcome::SignerNotAllowed(_)
        ));
        assert!(matches!(
            verify(&resigned(&p, &w.signer("bks-lapsed").key)),
            Outcome::SignerNotAllowed(_)
        ));
        tried += 6;
    }
    // An ITAS by the ITAP-only signer; an ITAP by it is fine.
    assert_eq!(
        verify(&resigned(&itas(), &w.signer("bks-itap-only").key)),
        Outcome::SignerNotAllowed(pora_core::verify::NotAllowed::PermitType)
    );
    assert_eq!(
        verify(&resigned(&itap(), &w.signer("bks-itap-only").key)),
        Outcome::Valid
    );

    // Algorithm header swapped (with and without re-signing by the same key).
    let es = &w.signer("bks-es256").key;
    let good = resigned(&itas(), es);
    for (alg, resign) in [
        (AlgorithmLabel::Known(Algorithm::EdDSA), false),
        (AlgorithmLabel::Known(Algorithm::EdDSA), true),
        (AlgorithmLabel::UnknownInt(-35), true),
        (AlgorithmLabel::Text("ES256".into()), true),
    ] {
        let mut m = CoseSign1::from_tagged_slice(&text::unwrap(&good).unwrap()).unwrap();
        let mut h = m.protected.header.clone();
        h.alg = Some(alg.clone());
        m.protected = ProtectedHeader::new(h);
        if resign {
            m.signature = es.sign(&m.tbs_data(&[])).unwrap();
        }
        let o = verify(&text::wrap(&m.to_tagged_vec()));
        assert_eq!(
            o,
            Outcome::BadSignature(pora_core::verify::SignatureProblem::AlgorithmMismatch),
            "{alg:?}"
        );
        tried += 1;
    }

    // Every field edited after signing: the signature no longer matches.
    let msg = CoseSign1::from_tagged_slice(&text::unwrap(&good).unwrap()).unwrap();
    type Edit = Box<dyn Fn(&mut Permit)>;
    let edits: Vec<Edit> = vec![
        Box::new(|p| p.valid_until = pora_core::Date(p.valid_until.0 + 365)),
        Box::new(|p| p.valid_from = pora_core::Date(p.valid_from.0 - 1)),
        Box::new(|p| p.name = Some("DOE<<JOHN".into())),
        Box::new(|p| p.passport_number = Some("X00000000".into())),
        Box::new(|p| p.permit_type = pora_core::PermitType::Itap),
        Box::new(|p| p.status_index = Some(0)),
        Box::new(|p| p.nationality = Some("USA".into())),
        Box::new(|p| p.sponsor_id = None),
        Box::new(|p| p.office = "JKT".into()),
        Box::new(|p| p.issued_at += 1),
    ];
    for (i, edit) in edits.iter().enumerate() {
        let mut p = Permit::from_claims(msg.payload.as_deref().unwrap())
            .unwrap()
            .permit;
        edit(&mut p);
        let mut m = msg.clone();
        m.payload = Some(p.to_claims().unwrap());
        let o = verify(&text::wrap(&m.to_tagged_vec()));
        assert_eq!(
            o,
            Outcome::BadSignature(pora_core::verify::SignatureProblem::Invalid),
            "edit {i}"
        );
        tried += 1;
    }
    println!("forgery: {tried} re-signed or edited codes tried, all rejected with the right code");
}
