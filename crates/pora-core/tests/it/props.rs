//! Property tests: every encode/decode pair round-trips, and arbitrary bytes and strings never panic.

use pora_core::cbor::Value;
use pora_core::{base45, c40, text, Date, Permit};
use proptest::prelude::*;

fn cbor_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(|i| Value::Integer(i as i128)),
        any::<u64>().prop_map(|i| Value::Integer(i as i128)),
        proptest::collection::vec(any::<u8>(), 0..40).prop_map(Value::Bytes),
        ".{0,20}".prop_map(Value::Text),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(any::<i32>(), inner.clone(), 0..6).prop_map(|m| {
                Value::Map(
                    m.into_iter()
                        .map(|(k, v)| (Value::Integer(k as i128), v))
                        .collect(),
                )
            }),
            (0u64..1000, inner).prop_map(|(t, v)| Value::Tag(t, Box::new(v))),
        ]
    })
}

fn permit() -> impl Strategy<Value = Permit> {
    (
        (
            "[A-Z]{2,8}",
            proptest::collection::vec(any::<u8>(), 1..=16),
            0i64..4_000_000_000,
            (0i32..40_000, 0i32..4_000),
        ),
        prop::option::of("[A-Z0-9]{1,8}"),
        prop::option::of("[A-Z0-9 /.-]{1,20}"),
        prop::option::of("[1-9][0-9]{5,15}"),
        prop::option::of("[A-Z]{1,10}(<{1,2}[A-Z]{1,10}){0,3}"),
        prop::option::of(-30_000i32..30_000),
        prop::option::of("[A-Z]{3}"),
        prop::option::of("[A-Z0-9]{1,9}"),
        prop::option::of(prop_oneof!["[1-9][0-9]{12}", "[1-9][0-9]{15}"]),
        prop::option::of(any::<u32>()),
    )
        .prop_map(
            |(
                (office, serial, iat, (from, len)),
                visa,
                number,
                niora,
                name,
                dob,
                nat,
                passport,
                sponsor,
                idx,
            )| Permit {
                office,
                document_serial: serial,
                issued_at: iat,
                valid_from: Date(from),
                valid_until: Date(from + len),
                permit_type: if iat % 2 == 0 {
                    pora_core::PermitType::Itas
                } else {
                    pora_core::PermitType::Itap
                },
                visa_index: visa,
                permit_number: number,
                niora,
                name: name.filter(|n| n.len() <= 40),
                date_of_birth: dob.map(Date),
                sex: Some(pora_core::Sex::X),
                nationality: nat,
                passport_number: passport,
                sponsor_id: sponsor,
                status_index: idx.map(u64::from),
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn cbor_round_trips(v in cbor_value()) {
        let bytes = v.to_vec();
        prop_assert!(Value::is_deterministic(&bytes));
        let back = Value::from_slice(&bytes).unwrap();
        prop_assert_eq!(back.to_vec(), bytes);
    }

    #[test]
    fn base45_round_trips(b in proptest::collection::vec(any::<u8>(), 0..300)) {
        prop_assert_eq!(base45::decode(&base45::encode(&b)).unwrap(), b);
    }

    #[test]
    fn c40_round_trips(s in "[A-Z0-9 !-/:-@\\[-_]{0,40}") {
        prop_assert_eq!(c40::decode(&c40::encode(&s).unwrap()).unwrap(), s);
    }

    #[test]
    fn permit_claims_round_trip(p in permit()) {
        let bytes = p.to_claims().unwrap();
        let back = Permit::from_claims(&bytes).unwrap();
        prop_assert_eq!(back.permit, p);
    }

    #[test]
    fn text_wraps_and_unwraps(b in proptest::collection::vec(any::<u8>(), 0..300)) {
        prop_assert_eq!(text::unwrap(&text::wrap(&b)).unwrap(), b);
    }

    #[test]
    fn dates_round_trip(n in -700_000i32..2_900_000) {
        let d = Date(n);
        prop_assert_eq!(Date::parse(&d.to_string()).unwrap(), d);
        prop_assert_eq!(Date::from_validity_end(d.validity_end()), Some(d));
        prop_assert_eq!(Date::from_validity_start(d.validity_start()), Some(d));
    }

    #[test]
    fn arbitrary_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = Value::from_slice(&b);
        let _ = pora_core::cose::CoseSign1::from_slice(&b);
        let _ = Permit::from_claims(&b);
        let _ = pora_core::TrustList::from_payload(&b);
        let _ = pora_core::StatusList::from_cbor(&b);
        let _ = pora_core::StatusListToken::from_claims(&b);
        let _ = c40::decode(&b);
    }

    #[test]
    fn arbitrary_text_never_panics_and_is_never_valid(s in "\\PC{0,400}", prefixed in any::<bool>()) {
        let w = pora_testkit::World::new();
        let t = if prefixed { format!("PR1:{s}") } else { s };
        let _ = base45::decode(&t);
        let v = pora_core::verify(&t, &w.context(pora_testkit::now()), pora_crypto::default_provider());
        prop_assert_ne!(v.outcome, pora_core::Outcome::Valid);
    }
}
