//! The size budget: a full ITAS with a 40-character name fits QR version 10 at level M, and
//! issuance refuses what does not fit, saying by how much.

use pora_core::crypto::Signer;
use pora_core::{qr, IssueError, Prepared};
use pora_testkit::{itas, World};

#[test]
fn full_itas_with_a_40_character_name_fits_version_10_m() {
    let w = World::new();
    let p = itas();
    assert_eq!(p.name.as_ref().unwrap().len(), 40);
    for signer in ["bks-es256", "bks-eddsa"] {
        let s = w.signer(signer);
        let qr_text = pora_core::issue(&p, s.record.as_ref().unwrap(), &s.key).unwrap();
        assert!(
            qr_text.len() <= qr::alphanumeric_capacity_m(10),
            "{signer}: {} chars",
            qr_text.len()
        );
        assert_eq!(qr::min_version_m(qr_text.len()), Some(10), "{signer}");
        println!(
            "{signer}: {} characters, {} COSE bytes",
            qr_text.len(),
            pora_core::text::unwrap(&qr_text).unwrap().len()
        );
    }
}

#[test]
fn issuance_refuses_what_does_not_fit_with_a_clear_error() {
    let w = World::new();
    let s = w.signer("bks-es256");
    let mut p = itas();
    p.permit_number = Some("2C21AB7310-K/2026/BKS".chars().take(20).collect());
    let err = pora_core::issue(&p, s.record.as_ref().unwrap(), &s.key).unwrap_err();
    match &err {
        IssueError::TooLarge {
            chars,
            capacity: 311,
            needs_version: Some(11),
        } => assert!(*chars > 311),
        e => panic!("{e:?}"),
    }
    let msg = err.to_string();
    assert!(
        msg.contains("version 10") && msg.contains("would need version 11"),
        "{msg}"
    );
    // The unchecked path (for vectors) still signs it: the budget is an issuance rule.
    assert!(
        Prepared::new_unchecked(&p, &s.key.public_key())
            .unwrap()
            .sign(&s.key)
            .unwrap()
            .len()
            > 311
    );
}

#[test]
fn issuance_checks_signer_rights_and_completeness() {
    let w = World::new();
    let itap_only = w.signer("bks-itap-only");
    assert!(matches!(
        pora_core::issue(&itas(), itap_only.record.as_ref().unwrap(), &itap_only.key),
        Err(IssueError::SignerNotAllowed(_))
    ));
    let jkt = w.signer("jkt-es256");
    assert!(matches!(
        pora_core::issue(&itas(), jkt.record.as_ref().unwrap(), &jkt.key),
        Err(IssueError::SignerNotAllowed(_))
    ));
    let es = w.signer("bks-es256");
    // A record for one key with another key's signer.
    assert!(matches!(
        pora_core::issue(&itas(), es.record.as_ref().unwrap(), &jkt.key),
        Err(IssueError::SignerNotAllowed(_))
    ));
    let mut p = itas();
    p.sponsor_id = None;
    assert_eq!(
        pora_core::issue(&p, es.record.as_ref().unwrap(), &es.key),
        Err(IssueError::Incomplete(vec![pora_core::Field::SponsorId]))
    );
    let mut p = itas();
    p.nationality = Some("de".into());
    assert!(
        matches!(pora_core::issue(&p, es.record.as_ref().unwrap(), &es.key), Err(IssueError::Field(e)) if e.field == pora_core::Field::Nationality)
    );
}
