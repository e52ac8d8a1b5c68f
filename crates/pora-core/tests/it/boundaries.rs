//! Both sides of every time boundary: validity start and end across Indonesia's three time zones,
//! the expiry warning, the trust list's next-update and grace, the status list's freshness and
//! grace, and the signer's key-usage and validity periods.

use pora_core::crypto::Signer;
use pora_core::date::{Date, DAY, WIB, WIT, WITA};
use pora_core::verify::NotAllowed;
use pora_core::{Outcome, Permit, Prepared, Warning};
use pora_testkit::{itas, wib, World};

fn signed(w: &World, p: &Permit) -> String {
    let k = &w.signer("bks-es256").key;
    Prepared::new_unchecked(p, &k.public_key())
        .unwrap()
        .sign(k)
        .unwrap()
}

/// A permit valid 2026-11-20 .. 2026-11-30, checked at `t`.
fn check_window(t: i64) -> pora_core::Verdict {
    let w = World::new();
    let mut p = itas();
    p.valid_from = Date::parse("2026-11-20").unwrap();
    p.valid_until = Date::parse("2026-11-30").unwrap();
    p.issued_at = wib("2026-11-19", 9, 0);
    let qr = signed(&w, &p);
    pora_core::verify(&qr, &w.context(t), pora_crypto::default_provider())
}

#[test]
fn validity_starts_when_the_date_begins_in_wit() {
    let start = Date::parse("2026-11-20").unwrap().start_in(WIT);
    assert!(matches!(
        check_window(start - 1).outcome,
        Outcome::NotYetValid { days_until: 1, .. }
    ));
    assert_eq!(check_window(start).outcome, Outcome::Valid);
    // At that instant it is 2026-11-20 in WIT, 2026-11-19 in WITA and WIB: still valid everywhere
    // it is the valid-from date, and never before it is that date anywhere.
    assert_eq!(Date::at(start, WIT), Date::parse("2026-11-20").unwrap());
    assert_eq!(Date::at(start, WITA), Date::parse("2026-11-19").unwrap());
}

#[test]
fn validity_ends_when_the_date_ends_in_wib() {
    let end = Date::parse("2026-12-01").unwrap().start_in(WIB);
    let last = check_window(end - 1);
    assert_eq!(last.outcome, Outcome::Valid);
    assert_eq!(
        last.warnings.iter().find(|w| w.code() == "expires_soon"),
        Some(&Warning::ExpiresSoon { days: 0 })
    );
    // In WIT and WITA the date changed already; the permit is still valid until midnight WIB.
    assert_eq!(Date::at(end - 1, WIT), Date::parse("2026-12-01").unwrap());
    match check_window(end).outcome {
        Outcome::Expired {
            days_ago: 1,
            overstay_charge_idr: 1_000_000,
            valid_until,
        } => {
            assert_eq!(valid_until.to_string(), "2026-11-30")
        }
        o => panic!("{o:?}"),
    }
    match check_window(end + DAY).outcome {
        Outcome::Expired {
            days_ago: 2,
            overstay_charge_idr: 2_000_000,
            ..
        } => {}
        o => panic!("{o:?}"),
    }
}

#[test]
fn expiry_warning_threshold() {
    // Valid until 2026-11-30; 30 days before (2026-10-31 WIB) warns, 31 days before does not.
    let d30 = Date::parse("2026-10-31").unwrap().start_in(WIB);
    let w = World::new();
    let mut p = itas();
    p.valid_until = Date::parse("2026-11-30").unwrap();
    p.valid_from = Date::parse("2026-01-01").unwrap();
    p.issued_at = wib("2026-01-01", 8, 0);
    let qr = signed(&w, &p);
    // The trust list (issued 2026-11-01) does not matter for expiry; use the fixed world at both instants.
    let at = |t| pora_core::verify(&qr, &w.context(t), pora_crypto::default_provider());
    let warned = at(d30);
    assert!(
        warned.warnings.contains(&Warning::ExpiresSoon { days: 30 }),
        "{warned:?}"
    );
    let not_warned = at(d30 - 1);
    assert!(
        !not_warned
            .warnings
            .iter()
            .any(|w| w.code() == "expires_soon"),
        "{not_warned:?}"
    );
}

#[test]
fn trust_list_next_update_and_grace() {
    let w = World::new();
    let qr = signed(&w, &itas());
    let next = w.trust.next_update;
    let at = |t| pora_core::verify(&qr, &w.context(t), pora_crypto::default_provider());
    assert!(at(next - 1).warnings.is_empty());
    assert!(at(next)
        .warnings
        .contains(&Warning::TrustListPastNextUpdate { next_update: next }));
    let grace = pora_core::Policy::default().trust_list_grace;
    assert!(!matches!(
        at(next + grace - 1).outcome,
        Outcome::TrustListStale { .. }
    ));
    assert_eq!(
        at(next + grace).outcome,
        Outcome::TrustListStale { next_update: next }
    );
}

#[test]
fn status_list_freshness_and_grace() {
    let w = World::new();
    let qr = signed(&w, &itas());
    let fresh = w.status[0].fresh_until().unwrap();
    let grace = pora_core::Policy::default().status_list_grace;
    let at = |t| pora_core::verify(&qr, &w.context(t), pora_crypto::default_provider());
    assert!(!at(fresh - 1)
        .warnings
        .iter()
        .any(|w| w.code() == "status_list_past_fresh"));
    assert!(at(fresh)
        .warnings
        .contains(&Warning::StatusListPastFresh { fresh_until: fresh }));
    assert_eq!(at(fresh + grace - 1).outcome, Outcome::Valid);
    assert!(matches!(
        at(fresh + grace).outcome,
        Outcome::StatusListStale { .. }
    ));
    // Without any status list for the office, the answer is the same: cannot tell.
    let none = pora_core::Context {
        status_lists: &[],
        ..w.context(pora_testkit::now())
    };
    assert!(matches!(
        pora_core::verify(&qr, &none, pora_crypto::default_provider()).outcome,
        Outcome::StatusListStale {
            fresh_until: None,
            ..
        }
    ));
    // A revocation is final: it shows even from a stale list.
    let mut p = itas();
    p.status_index = Some(pora_testkit::REVOKED_INDEX);
    assert_eq!(
        pora_core::verify(
            &signed(&w, &p),
            &w.context(fresh + grace + 1),
            pora_crypto::default_provider()
        )
        .outcome,
        Outcome::Revoked
    );
}

#[test]
fn signer_usage_and_validity_periods() {
    let w = World::new();
    let s = w.signer("bks-es256");
    let rec = s.record.as_ref().unwrap();
    let with_iat = |iat: i64| {
        let mut p = itas();
        p.issued_at = iat;
        Prepared::new_unchecked(&p, &s.key.public_key())
            .unwrap()
            .sign(&s.key)
            .unwrap()
    };
    let verify = |qr: &str, t: i64| {
        pora_core::verify(qr, &w.context(t), pora_crypto::default_provider()).outcome
    };
    let now = pora_testkit::now();
    assert_eq!(verify(&with_iat(rec.usage_from), now), Outcome::Valid);
    assert_eq!(
        verify(&with_iat(rec.usage_from - 1), now),
        Outcome::SignerNotAllowed(NotAllowed::OutsideUsagePeriod)
    );
    assert_eq!(verify(&with_iat(rec.usage_until), now), Outcome::Valid);
    assert_eq!(
        verify(&with_iat(rec.usage_until + 1), now),
        Outcome::SignerNotAllowed(NotAllowed::OutsideUsagePeriod)
    );
    // Signer validity, via the lapsed signer (valid until 2024-12-31 00:00 WIB).
    let lapsed = w.signer("bks-lapsed");
    let lrec = lapsed.record.as_ref().unwrap();
    let mut p = itas();
    p.issued_at = lrec.usage_from;
    p.valid_from = Date::parse("2019-01-01").unwrap();
    let qr = Prepared::new_unchecked(&p, &lapsed.key.public_key())
        .unwrap()
        .sign(&lapsed.key)
        .unwrap();
    let trust_ok = |t: i64| pora_core::Context {
        trust: &w.trust,
        status_lists: &w.status,
        now: t,
        policy: pora_core::Policy {
            trust_list_grace: i64::MAX / 4,
            ..Default::default()
        },
    };
    let at = |t| pora_core::verify(&qr, &trust_ok(t), pora_crypto::default_provider()).outcome;
    assert!(
        !matches!(at(lrec.valid_until), Outcome::SignerNotAllowed(_)),
        "{:?}",
        at(lrec.valid_until)
    );
    assert_eq!(
        at(lrec.valid_until + 1),
        Outcome::SignerNotAllowed(NotAllowed::SignerNotValidNow)
    );
    assert_eq!(
        at(lrec.valid_from - 1),
        Outcome::SignerNotAllowed(NotAllowed::SignerNotValidNow)
    );
}

#[test]
fn completeness_rules_per_type() {
    use pora_core::completeness::{missing, required, RULES};
    use pora_core::Field;
    let full = itas();
    assert!(missing(&full).is_empty());
    for rule in RULES {
        for field in &required(rule.permit_type).collect::<Vec<_>>() {
            let mut p = full.clone();
            p.permit_type = rule.permit_type;
            match field {
                Field::VisaIndex => p.visa_index = None,
                Field::PermitNumber => p.permit_number = None,
                Field::Niora => p.niora = None,
                Field::Name => p.name = None,
                Field::DateOfBirth => p.date_of_birth = None,
                Field::Sex => p.sex = None,
                Field::Nationality => p.nationality = None,
                Field::PassportNumber => p.passport_number = None,
                Field::SponsorId => p.sponsor_id = None,
                Field::StatusIndex => p.status_index = None,
                f => panic!("rule names an always-present field {f}"),
            }
            assert_eq!(
                missing(&p),
                vec![*field],
                "{:?} without {field}",
                rule.permit_type
            );
        }
    }
    // An ITAP may omit the sponsor; an ITAS may not.
    let mut p = pora_testkit::itap();
    p.sponsor_id = None;
    assert!(missing(&p).is_empty());
    p.permit_type = pora_core::PermitType::Itas;
    assert_eq!(missing(&p), vec![Field::SponsorId]);
}
