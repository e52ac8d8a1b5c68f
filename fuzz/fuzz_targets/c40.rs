//! Fuzzes C40 unpacking: whatever decodes re-encodes to the same bytes (one packing per text).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pora_core::c40;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(text) = c40::decode(bytes) {
        assert_eq!(
            c40::encode(&text).as_deref(),
            Ok(bytes),
            "C40 round trip of {text:?}"
        );
    }
});
