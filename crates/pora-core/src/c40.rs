//! C40 packing (ICAO Doc 9303 Part 13, as used by Visible Digital Seals): three characters in two bytes.
//!
//! Permit fields written in MRZ style (the name, the passport number, the permit number) are packed
//! this way, which is what lets a full permit fit QR version 10-M (see docs/SPEC.md, "Size budget").
//!
//! Values: 3 = space, 4..=13 = `0`..`9`, 14..=39 = `A`..`Z`; Shift 2 (value 1) followed by 0..=14,
//! 15..=21 or 22..=26 gives ASCII `!`..`/`, `:`..`@` and `[`..`_`. A triple (c1, c2, c3) is stored as
//! the big-endian u16 `1600*c1 + 40*c2 + c3 + 1`. A final lone value is padded with Shift 1 (value 0)
//! when two values remain; when one value remains its character is written as the byte 0xFE followed
//! by its ASCII code. The MRZ filler `<` is carried as a space, so field texts use space, not `<`.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// Why a text cannot be packed or bytes cannot be unpacked.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum C40Error {
    /// A character outside the C40 basic and Shift 2 sets, at this character index.
    UnsupportedCharacter { index: usize, found: char },
    /// The packed bytes are not a valid C40 sequence (at this byte offset).
    Invalid { offset: usize },
    /// The packed bytes decode, but are not the one canonical packing of their text.
    NonCanonical,
}

impl fmt::Display for C40Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnsupportedCharacter { index, found } => {
                write!(
                    f,
                    "character {found:?} at position {index} cannot be written in C40"
                )
            }
            Self::Invalid { offset } => write!(f, "invalid C40 data at byte {offset}"),
            Self::NonCanonical => write!(f, "C40 data is not canonically packed"),
        }
    }
}

impl core::error::Error for C40Error {}

fn values_of(c: char) -> Option<(u8, Option<u8>)> {
    let b = u8::try_from(c).ok()?;
    Some(match b {
        b' ' => (3, None),
        b'0'..=b'9' => (b - b'0' + 4, None),
        b'A'..=b'Z' => (b - b'A' + 14, None),
        33..=47 => (1, Some(b - 33)),
        58..=64 => (1, Some(b - 58 + 15)),
        91..=95 => (1, Some(b - 91 + 22)),
        _ => return None,
    })
}

/// Packs `text` into C40 bytes.
pub fn encode(text: &str) -> Result<Vec<u8>, C40Error> {
    let mut vals = Vec::with_capacity(text.len() * 2);
    for (index, c) in text.chars().enumerate() {
        let (a, b) = values_of(c).ok_or(C40Error::UnsupportedCharacter { index, found: c })?;
        vals.push(a);
        vals.extend(b);
    }
    let mut out = Vec::with_capacity(vals.len().div_ceil(3) * 2 + 1);
    // A final lone basic character is written as 0xFE + ASCII; anything else is padded with Shift 1.
    let lone_basic = vals.len() % 3 == 1
        && text
            .chars()
            .last()
            .and_then(values_of)
            .is_some_and(|(_, s)| s.is_none());
    let packed = if lone_basic {
        vals.len() - 1
    } else {
        vals.len()
    };
    for t in vals[..packed].chunks(3) {
        let get = |i: usize| t.get(i).copied().unwrap_or(0);
        out.extend_from_slice(&pack(get(0), get(1), get(2)));
    }
    if lone_basic {
        out.extend_from_slice(&[0xfe, ascii_of(vals[packed])]);
    }
    Ok(out)
}

fn pack(a: u8, b: u8, c: u8) -> [u8; 2] {
    (1600 * a as u16 + 40 * b as u16 + c as u16 + 1).to_be_bytes()
}

fn ascii_of(v: u8) -> u8 {
    match v {
        3 => b' ',
        4..=13 => v - 4 + b'0',
        _ => v - 14 + b'A',
    }
}

/// Unpacks C40 bytes; accepts only the canonical packing that [`encode`] produces.
pub fn decode(bytes: &[u8]) -> Result<String, C40Error> {
    let mut vals = Vec::with_capacity(bytes.len() * 3 / 2);
    let mut i = 0;
    let mut tail = None;
    while i < bytes.len() {
        if bytes[i] == 0xfe {
            // Only as the last two bytes.
            if i + 2 != bytes.len() {
                return Err(C40Error::Invalid { offset: i });
            }
            tail = Some(bytes[i + 1]);
            break;
        }
        if i + 1 >= bytes.len() {
            return Err(C40Error::Invalid { offset: i });
        }
        let n = u16::from_be_bytes([bytes[i], bytes[i + 1]]);
        if n == 0 || n > 64000 {
            return Err(C40Error::Invalid { offset: i });
        }
        let n = n - 1;
        vals.extend_from_slice(&[(n / 1600) as u8, (n / 40 % 40) as u8, (n % 40) as u8]);
        i += 2;
    }
    let mut text = String::with_capacity(vals.len());
    let mut it = vals.iter().copied().peekable();
    let mut pos = 0;
    while let Some(v) = it.next() {
        match v {
            0 => {
                // Shift 1 is only padding: every value after it must be padding too.
                if it.any(|v| v != 0) {
                    return Err(C40Error::Invalid {
                        offset: pos / 3 * 2,
                    });
                }
                break;
            }
            1 => {
                let s = it.next().ok_or(C40Error::Invalid {
                    offset: pos / 3 * 2,
                })?;
                pos += 1;
                let b = match s {
                    0..=14 => s + 33,
                    15..=21 => s - 15 + 58,
                    22..=26 => s - 22 + 91,
                    _ => {
                        return Err(C40Error::Invalid {
                            offset: pos / 3 * 2,
                        })
                    }
                };
                text.push(b as char);
            }
            3..=39 => text.push(ascii_of(v) as char),
            _ => {
                return Err(C40Error::Invalid {
                    offset: pos / 3 * 2,
                })
            }
        }
        pos += 1;
    }
    if let Some(b) = tail {
        match values_of(b as char) {
            Some((_, None)) => text.push(b as char),
            _ => {
                return Err(C40Error::Invalid {
                    offset: bytes.len() - 1,
                })
            }
        }
    }
    // One text, one packing: reject anything the encoder would not have written.
    if encode(&text).as_deref() != Ok(bytes) {
        return Err(C40Error::NonCanonical);
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icao_example_and_round_trips() {
        // ICAO 9303-13 §2.6 example: "ABC" = 1600*14 + 40*15 + 16 + 1 = 23017 = 0x59E9.
        assert_eq!(encode("ABC").unwrap(), [0x59, 0xe9]);
        for t in [
            "",
            "A",
            "AB",
            "ABC",
            "ABCD",
            "TANAKA  HIROSHI",
            "2C11-AB/123",
            "X9",
            "P<",
        ] {
            let p = encode(t).unwrap();
            assert_eq!(decode(&p).unwrap(), t, "{t}");
        }
        // One trailing character costs two bytes: 0xFE and its ASCII.
        assert_eq!(encode("ABCD").unwrap(), [0x59, 0xe9, 0xfe, b'D']);
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(
            encode("ab"),
            Err(C40Error::UnsupportedCharacter {
                index: 0,
                found: 'a'
            })
        );
        assert_eq!(
            encode("Ü"),
            Err(C40Error::UnsupportedCharacter {
                index: 0,
                found: 'Ü'
            })
        );
        assert_eq!(decode(&[0x00, 0x00]), Err(C40Error::Invalid { offset: 0 }));
        assert_eq!(decode(&[0x59]), Err(C40Error::Invalid { offset: 0 }));
        assert_eq!(
            decode(&[0xfe, b'D', 0x59, 0xe9]),
            Err(C40Error::Invalid { offset: 0 })
        );
        // "A" written as a triple padded with two Shift 1 values decodes but is not canonical.
        assert_eq!(decode(&pack(14, 0, 0)), Err(C40Error::NonCanonical));
        // Padding followed by a character is invalid.
        assert_eq!(
            decode(&pack(14, 0, 15)),
            Err(C40Error::Invalid { offset: 0 })
        );
    }
}
