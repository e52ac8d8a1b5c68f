//! Base45 (RFC 9285): the binary-to-text encoding that keeps a QR code in alphanumeric mode.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// The 45 characters of RFC 9285 §4, in value order; also the QR alphanumeric character set.
pub const ALPHABET: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

const INVALID: u8 = 0xff;

/// The value of each byte in the alphabet; [`INVALID`] for every other byte.
const VALUE: [u8; 256] = {
    let mut t = [INVALID; 256];
    let mut i = 0;
    while i < ALPHABET.len() {
        t[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// Why a text is not valid Base45.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Base45Error {
    /// A character outside the alphabet, at this character index.
    InvalidCharacter { index: usize, found: char },
    /// The length leaves a single trailing character (length mod 3 == 1).
    InvalidLength { len: usize },
    /// A chunk starting at this index decodes to more than its byte count allows.
    Overflow { index: usize },
}

impl fmt::Display for Base45Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidCharacter { index, found } => {
                write!(
                    f,
                    "character {found:?} at position {index} is not in the Base45 alphabet"
                )
            }
            Self::InvalidLength { len } => write!(f, "length {len} leaves a lone final character"),
            Self::Overflow { index } => write!(f, "chunk at position {index} is out of range"),
        }
    }
}

impl core::error::Error for Base45Error {}

/// Encodes bytes as Base45.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(2) * 3);
    for pair in bytes.chunks(2) {
        let (mut n, digits) = match pair {
            [a, b] => ((*a as u32) * 256 + *b as u32, 3),
            [a] => (*a as u32, 2),
            _ => unreachable!("chunks(2) yields one or two bytes"),
        };
        for _ in 0..digits {
            out.push(ALPHABET[(n % 45) as usize] as char);
            n /= 45;
        }
    }
    out
}

/// Decodes Base45 text; rejects any character outside the alphabet (lower case included).
pub fn decode(text: &str) -> Result<Vec<u8>, Base45Error> {
    let len = text.chars().count();
    if len % 3 == 1 {
        return Err(Base45Error::InvalidLength { len });
    }
    let mut values = Vec::with_capacity(len);
    for (index, c) in text.chars().enumerate() {
        let v = u8::try_from(c)
            .ok()
            .map(|b| VALUE[b as usize])
            .filter(|v| *v != INVALID)
            .ok_or(Base45Error::InvalidCharacter { index, found: c })?;
        values.push(v as u32);
    }
    let mut out = Vec::with_capacity(len / 3 * 2 + 1);
    for (i, chunk) in values.chunks(3).enumerate() {
        let index = i * 3;
        match chunk {
            [c, d, e] => {
                let n = c + d * 45 + e * 45 * 45;
                if n > 0xffff {
                    return Err(Base45Error::Overflow { index });
                }
                out.extend_from_slice(&(n as u16).to_be_bytes());
            }
            [c, d] => {
                let n = c + d * 45;
                if n > 0xff {
                    return Err(Base45Error::Overflow { index });
                }
                out.push(n as u8);
            }
            _ => unreachable!("length mod 3 == 1 was rejected above"),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc9285_examples() {
        assert_eq!(encode(b"AB"), "BB8");
        assert_eq!(encode(b"Hello!!"), "%69 VD92EX0");
        assert_eq!(decode("QED8WEX0").unwrap(), b"ietf!");
        assert_eq!(decode("").unwrap(), b"");
    }

    #[test]
    fn rejects_with_position() {
        assert_eq!(decode("GGW"), Err(Base45Error::Overflow { index: 0 }));
        assert_eq!(decode("A"), Err(Base45Error::InvalidLength { len: 1 }));
        assert_eq!(
            decode("BBa"),
            Err(Base45Error::InvalidCharacter {
                index: 2,
                found: 'a'
            })
        );
        assert_eq!(
            decode("BBé"),
            Err(Base45Error::InvalidCharacter {
                index: 2,
                found: 'é'
            })
        );
        // Two-character chunk above 255.
        assert_eq!(decode("BB8::"), Err(Base45Error::Overflow { index: 3 }));
    }
}
