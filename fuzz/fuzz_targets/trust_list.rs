//! Fuzzes trust-list reading: a payload that reads re-encodes to a payload that reads back equal, and
//! verifying arbitrary bytes as a signed list against the testkit root never panics.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use pora_core::crypto::{PublicKey, Signer as _};
use pora_core::trust::{open_certificate, TrustList};
use pora_crypto::RingProvider;

static ROOT: LazyLock<PublicKey> = LazyLock::new(|| pora_testkit::World::new().root.public_key());

fuzz_target!(|bytes: &[u8]| {
    if let Ok(list) = TrustList::from_payload(bytes) {
        let again = TrustList::from_payload(&list.to_payload()).expect("a read list must re-read");
        assert_eq!(again, list, "trust list round trip");
        for s in &list.signers {
            assert_eq!(list.signer(&s.kid), Some(s), "kids are unique");
        }
    }
    let _ = TrustList::verify(bytes, &ROOT, &RingProvider);
    let _ = open_certificate(bytes, &ROOT, &RingProvider);
});
