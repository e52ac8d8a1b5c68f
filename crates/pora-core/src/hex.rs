//! Lower-case hexadecimal, for key ids and serials in JSON and messages.

use alloc::string::String;
use alloc::vec::Vec;

/// Encodes bytes as lower-case hex.
pub fn encode(bytes: &[u8]) -> String {
    const D: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(D[(b >> 4) as usize] as char);
        s.push(D[(b & 15) as usize] as char);
    }
    s
}

/// Decodes hex (either case); None for odd length or a non-hex digit.
pub fn decode(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    let b = s.as_bytes();
    (0..b.len())
        .step_by(2)
        .map(|i| Some(((b[i] as char).to_digit(16)? * 16 + (b[i + 1] as char).to_digit(16)?) as u8))
        .collect()
}
