//! Fuzzes the permit claims decoder: claims without unknown entries re-encode to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pora_core::Permit;

fuzz_target!(|bytes: &[u8]| {
    let Ok(decoded) = Permit::from_claims(bytes) else {
        return;
    };
    let _ = pora_core::completeness::missing(&decoded.permit);
    if decoded.unknown_claims.is_empty() && decoded.unknown_fields.is_empty() {
        let again = decoded
            .permit
            .to_claims()
            .expect("a decoded permit must re-encode");
        assert_eq!(again, bytes, "claims round trip");
    }
});
