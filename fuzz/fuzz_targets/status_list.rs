//! Fuzzes status-list reading (bare StatusList CBOR, token claims, signed tokens): never panics, never
//! inflates past the core's 16 MiB limit, and what reads re-encodes to something that reads back equal.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use pora_core::status_list::{StatusList, StatusListToken, MAX_LIST_BYTES};
use pora_core::TrustList;
use pora_crypto::RingProvider;

static TRUST: LazyLock<TrustList> = LazyLock::new(|| pora_testkit::World::new().trust);

fn probe(list: &StatusList) {
    assert!(
        list.packed().len() <= MAX_LIST_BYTES,
        "inflated past the limit"
    );
    for i in [0, 1, 7, 8, list.len() as u64, u64::MAX / 2, u64::MAX] {
        let _ = list.get(i);
    }
    let again = StatusList::from_value(&list.to_value()).expect("a read list must re-read");
    assert_eq!(&again, list, "status list round trip");
}

fuzz_target!(|bytes: &[u8]| {
    if let Ok(list) = StatusList::from_cbor(bytes) {
        probe(&list);
    }
    if let Ok(token) = StatusListToken::from_claims(bytes) {
        probe(&token.list);
        let _ = token.fresh_until();
        let again =
            StatusListToken::from_claims(&token.to_claims()).expect("read claims must re-read");
        assert_eq!(again, token, "status list token round trip");
    }
    let _ = StatusListToken::verify(bytes, &TRUST, &RingProvider);
});
