//! Fuzzes the QR text frame and Base45: any text that unwraps must re-wrap to itself (trimmed), and
//! any Base45 that decodes must re-encode to itself (Base45 has one encoding per byte string).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pora_core::{base45, text};

fuzz_target!(|s: &str| {
    if let Ok(bytes) = text::unwrap(s) {
        let trimmed = s.trim_matches(|c: char| c.is_ascii_whitespace());
        assert_eq!(text::wrap(&bytes), trimmed, "unwrap/wrap round trip");
    }
    if let Ok(bytes) = base45::decode(s) {
        assert_eq!(base45::encode(&bytes), s, "Base45 decode/encode round trip");
    }
});
