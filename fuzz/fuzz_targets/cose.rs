//! Fuzzes the COSE_Sign1 parser: a deterministically encoded message re-encodes to the same bytes
//! (tagged as found, or with tag 18 added when it was untagged).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pora_core::cbor::Value;
use pora_core::cose::{CoseSign1, TAG_SIGN1};

fuzz_target!(|bytes: &[u8]| {
    let Ok(msg) = CoseSign1::from_slice(bytes) else {
        return;
    };
    let tagged = CoseSign1::from_tagged_slice(bytes);
    let _ = (msg.tbs_data(&[]), msg.alg(), msg.kid());
    if !Value::is_deterministic(bytes) {
        return;
    }
    let out = msg.to_tagged_vec();
    if matches!(Value::from_slice(bytes), Ok(Value::Tag(TAG_SIGN1, _))) {
        assert_eq!(
            tagged.as_ref(),
            Ok(&msg),
            "tagged and untagged parse differ"
        );
        assert_eq!(out, bytes, "tagged COSE_Sign1 round trip");
    } else {
        assert!(tagged.is_err(), "untagged input accepted as tagged");
        assert_eq!(out[0], 0xd2, "tag 18 head");
        assert_eq!(&out[1..], bytes, "untagged COSE_Sign1 round trip");
    }
});
