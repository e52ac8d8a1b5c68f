//! Fuzzes the QR reader's image entry point: any bytes give codes or a typed error, never a panic,
//! and within small limits (so a forged header cannot make it allocate much).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let mut opts = pora_reader::ReadOptions::default();
    opts.max_width = 1024;
    opts.max_height = 1024;
    opts.max_bytes = 4 * 1024 * 1024;
    if let Ok(codes) = pora_reader::read_image(bytes, &opts) {
        assert!(!codes.is_empty(), "Ok always holds at least one code");
    }
});
