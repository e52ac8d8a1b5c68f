//! Fuzzes the check report parser: whatever parses is a valid report whose payload re-encodes to
//! the same bytes (one encoding per report).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pora_core::cose::CoseSign1;
use pora_core::report;

fuzz_target!(|bytes: &[u8]| {
    let Ok(parsed) = report::parse(bytes) else {
        return;
    };
    assert!(parsed.report.validate().is_ok(), "parsed an invalid report");
    let msg = CoseSign1::from_tagged_slice(bytes).expect("parse accepted a non-COSE input");
    assert_eq!(
        parsed.report.to_cbor().ok().as_deref(),
        msg.payload.as_deref(),
        "check report payload round trip"
    );
});
