//! A small, strict CBOR (RFC 8949) codec: the subset COSE and CWT need, with deterministic encoding.
//!
//! Decoding accepts any well-formed definite-length item of the supported major types and reports the
//! byte offset of the first problem. Encoding always produces the core deterministic encoding of
//! RFC 8949 §4.2.1 (shortest heads, map keys sorted by their encoded bytes). Whether some input was
//! deterministically encoded is answered by re-encoding and comparing ([`Value::is_deterministic`]).
//!
//! Not supported (rejected as [`CborError::Unsupported`]): indefinite lengths, floating point, and simple
//! values other than `false`, `true` and `null`. Nesting is limited to [`MAX_DEPTH`] levels, and no length
//! read from the input is trusted before the bytes are there, so a hostile input cannot make the decoder
//! allocate more than the input's size.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// Deepest nesting of arrays, maps and tags the decoder accepts.
pub const MAX_DEPTH: usize = 16;

/// A decoded CBOR data item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// Major type 0 and 1 (`-2^64 ..= 2^64-1`).
    Integer(i128),
    /// Major type 2.
    Bytes(Vec<u8>),
    /// Major type 3 (valid UTF-8).
    Text(String),
    /// Major type 4.
    Array(Vec<Value>),
    /// Major type 5, in the order found (encoding sorts).
    Map(Vec<(Value, Value)>),
    /// Major type 6.
    Tag(u64, alloc::boxed::Box<Value>),
    /// Simple values 20 and 21.
    Bool(bool),
    /// Simple value 22.
    Null,
}

/// Why bytes are not acceptable CBOR.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CborError {
    /// The input ended inside an item that started at or before `offset`.
    Truncated { offset: usize },
    /// An additional-information value 28..=30, reserved by RFC 8949.
    Reserved { offset: usize },
    /// A feature outside the supported subset (indefinite length, float, other simple value).
    Unsupported { offset: usize, what: &'static str },
    /// A text string that is not UTF-8.
    InvalidUtf8 { offset: usize },
    /// Deeper than [`MAX_DEPTH`].
    TooDeep { offset: usize },
    /// Bytes left after the single top-level item.
    ExtraneousData { offset: usize },
    /// A map key that occurs twice.
    DuplicateKey { offset: usize },
}

impl fmt::Display for CborError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncated { offset } => write!(f, "input ends inside the item at byte {offset}"),
            Self::Reserved { offset } => {
                write!(f, "reserved additional information at byte {offset}")
            }
            Self::Unsupported { offset, what } => {
                write!(f, "unsupported CBOR ({what}) at byte {offset}")
            }
            Self::InvalidUtf8 { offset } => write!(f, "text string at byte {offset} is not UTF-8"),
            Self::TooDeep { offset } => {
                write!(f, "nesting deeper than {MAX_DEPTH} at byte {offset}")
            }
            Self::ExtraneousData { offset } => {
                write!(f, "extra bytes after the item, from byte {offset}")
            }
            Self::DuplicateKey { offset } => write!(f, "duplicate map key at byte {offset}"),
        }
    }
}

impl core::error::Error for CborError {}

impl Value {
    /// Decodes exactly one item that must span all of `bytes`.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, CborError> {
        let mut d = Decoder { bytes, pos: 0 };
        let v = d.item(0)?;
        if d.pos != bytes.len() {
            return Err(CborError::ExtraneousData { offset: d.pos });
        }
        Ok(v)
    }

    /// The deterministic encoding of this value.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    /// Appends the deterministic encoding of this value to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Value::Integer(i) => {
                if *i >= 0 {
                    head(out, 0, *i as u64);
                } else {
                    head(out, 1, (-1 - *i) as u64);
                }
            }
            Value::Bytes(b) => {
                head(out, 2, b.len() as u64);
                out.extend_from_slice(b);
            }
            Value::Text(t) => {
                head(out, 3, t.len() as u64);
                out.extend_from_slice(t.as_bytes());
            }
            Value::Array(a) => {
                head(out, 4, a.len() as u64);
                for v in a {
                    v.encode(out);
                }
            }
            Value::Map(m) => {
                let mut entries: Vec<(Vec<u8>, &Value)> =
                    m.iter().map(|(k, v)| (k.to_vec(), v)).collect();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                head(out, 5, entries.len() as u64);
                for (k, v) in entries {
                    out.extend_from_slice(&k);
                    v.encode(out);
                }
            }
            Value::Tag(t, v) => {
                head(out, 6, *t);
                v.encode(out);
            }
            Value::Bool(false) => out.push(0xf4),
            Value::Bool(true) => out.push(0xf5),
            Value::Null => out.push(0xf6),
        }
    }

    /// True when `bytes` is exactly the deterministic encoding of the item it holds.
    pub fn is_deterministic(bytes: &[u8]) -> bool {
        matches!(Value::from_slice(bytes), Ok(v) if v.to_vec() == bytes)
    }

    /// The value of a map entry with an integer key.
    pub fn map_get(&self, key: i128) -> Option<&Value> {
        match self {
            Value::Map(m) => m
                .iter()
                .find(|(k, _)| *k == Value::Integer(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The value of a map entry with a text key.
    pub fn map_get_text(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Map(m) => m
                .iter()
                .find(|(k, _)| matches!(k, Value::Text(t) if t == key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// A short name of the item's type, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Integer(_) => "integer",
            Value::Bytes(_) => "byte string",
            Value::Text(_) => "text string",
            Value::Array(_) => "array",
            Value::Map(_) => "map",
            Value::Tag(..) => "tag",
            Value::Bool(_) => "bool",
            Value::Null => "null",
        }
    }
}

/// Writes a major type and argument in the shortest form.
fn head(out: &mut Vec<u8>, major: u8, arg: u64) {
    let m = major << 5;
    if arg < 24 {
        out.push(m | arg as u8);
    } else if arg <= u8::MAX as u64 {
        out.extend_from_slice(&[m | 24, arg as u8]);
    } else if arg <= u16::MAX as u64 {
        out.push(m | 25);
        out.extend_from_slice(&(arg as u16).to_be_bytes());
    } else if arg <= u32::MAX as u64 {
        out.push(m | 26);
        out.extend_from_slice(&(arg as u32).to_be_bytes());
    } else {
        out.push(m | 27);
        out.extend_from_slice(&arg.to_be_bytes());
    }
}

struct Decoder<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Decoder<'_> {
    fn take(&mut self, n: usize, start: usize) -> Result<&[u8], CborError> {
        let end = self.pos.checked_add(n).filter(|e| *e <= self.bytes.len());
        match end {
            Some(end) => {
                let s = &self.bytes[self.pos..end];
                self.pos = end;
                Ok(s)
            }
            None => Err(CborError::Truncated { offset: start }),
        }
    }

    /// Reads an initial byte and its argument: (major, additional info, argument).
    fn head(&mut self, start: usize) -> Result<(u8, u8, u64), CborError> {
        let b = self.take(1, start)?[0];
        let (major, info) = (b >> 5, b & 0x1f);
        let arg = match info {
            0..=23 => info as u64,
            24 => self.take(1, start)?[0] as u64,
            25 => u16::from_be_bytes([self.take(1, start)?[0], self.take(1, start)?[0]]) as u64,
            26 => {
                let s = self.take(4, start)?;
                u32::from_be_bytes([s[0], s[1], s[2], s[3]]) as u64
            }
            27 => {
                let s = self.take(8, start)?;
                let mut a = [0u8; 8];
                a.copy_from_slice(s);
                u64::from_be_bytes(a)
            }
            28..=30 => return Err(CborError::Reserved { offset: start }),
            _ => {
                return Err(CborError::Unsupported {
                    offset: start,
                    what: "indefinite length",
                })
            }
        };
        Ok((major, info, arg))
    }

    fn len(&self, arg: u64, start: usize) -> Result<usize, CborError> {
        // A length can never exceed the bytes that are left; checking here bounds every allocation.
        let left = (self.bytes.len() - self.pos) as u64;
        if arg > left {
            return Err(CborError::Truncated { offset: start });
        }
        Ok(arg as usize)
    }

    fn item(&mut self, depth: usize) -> Result<Value, CborError> {
        let start = self.pos;
        if depth > MAX_DEPTH {
            return Err(CborError::TooDeep { offset: start });
        }
        let (major, info, arg) = self.head(start)?;
        Ok(match major {
            0 => Value::Integer(arg as i128),
            1 => Value::Integer(-1 - arg as i128),
            2 => {
                let n = self.len(arg, start)?;
                Value::Bytes(self.take(n, start)?.to_vec())
            }
            3 => {
                let n = self.len(arg, start)?;
                let s = self.take(n, start)?;
                let t = core::str::from_utf8(s)
                    .map_err(|_| CborError::InvalidUtf8 { offset: start })?;
                Value::Text(t.into())
            }
            4 => {
                // Every element takes at least one byte.
                let n = self.len(arg, start)?;
                let mut a = Vec::with_capacity(n);
                for _ in 0..n {
                    a.push(self.item(depth + 1)?);
                }
                Value::Array(a)
            }
            5 => {
                let n = self.len(arg.saturating_mul(2), start)? / 2;
                let mut m: Vec<(Value, Value)> = Vec::with_capacity(n);
                // (deterministic encoding of the key, its offset): sorted afterwards, so finding
                // duplicates costs O(n log n), not O(n^2), on hostile input.
                let mut keys: Vec<(Vec<u8>, usize)> = Vec::with_capacity(n);
                for _ in 0..n {
                    let kpos = self.pos;
                    let k = self.item(depth + 1)?;
                    keys.push((k.to_vec(), kpos));
                    let v = self.item(depth + 1)?;
                    m.push((k, v));
                }
                keys.sort_unstable();
                // The first repeated key in input order: the later offset of each equal pair.
                let dup = keys
                    .windows(2)
                    .filter(|w| w[0].0 == w[1].0)
                    .map(|w| w[1].1)
                    .min();
                if let Some(offset) = dup {
                    return Err(CborError::DuplicateKey { offset });
                }
                Value::Map(m)
            }
            6 => Value::Tag(arg, alloc::boxed::Box::new(self.item(depth + 1)?)),
            _ => match info {
                20 => Value::Bool(false),
                21 => Value::Bool(true),
                22 => Value::Null,
                25..=27 => {
                    return Err(CborError::Unsupported {
                        offset: start,
                        what: "floating point",
                    })
                }
                _ => {
                    return Err(CborError::Unsupported {
                        offset: start,
                        what: "simple value",
                    })
                }
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn rfc8949_appendix_a_integers_round_trip() {
        // (encoded, value) pairs from RFC 8949 Appendix A.
        let table: &[(&str, i128)] = &[
            ("00", 0),
            ("17", 23),
            ("1818", 24),
            ("1903e8", 1000),
            ("1a000f4240", 1_000_000),
            ("1b000000e8d4a51000", 1_000_000_000_000),
            ("1bffffffffffffffff", 18_446_744_073_709_551_615),
            ("3bffffffffffffffff", -18_446_744_073_709_551_616),
            ("20", -1),
            ("3863", -100),
        ];
        for (h, v) in table {
            assert_eq!(
                Value::from_slice(&hex(h)).unwrap(),
                Value::Integer(*v),
                "{h}"
            );
            assert_eq!(Value::Integer(*v).to_vec(), hex(h), "{h}");
        }
    }

    #[test]
    fn map_keys_are_sorted_bytewise_when_encoding() {
        // {"a": 1, 10: 2, -1: 3} sorts as 0a, 20, 61 61.
        let v = Value::Map(vec![
            (Value::Text("a".into()), Value::Integer(1)),
            (Value::Integer(10), Value::Integer(2)),
            (Value::Integer(-1), Value::Integer(3)),
        ]);
        assert_eq!(v.to_vec(), hex("a30a022003616101"));
    }

    #[test]
    fn large_maps_decode_and_duplicates_are_found_by_sorting() {
        // 40,000 distinct keys (a hostile unsigned header): decodes without quadratic work.
        let n: u32 = 40_000;
        let mut b = vec![0xba];
        b.extend_from_slice(&n.to_be_bytes());
        for i in 0..n {
            Value::Integer(i as i128).encode(&mut b);
            b.push(0xf6);
        }
        assert!(matches!(Value::from_slice(&b), Ok(Value::Map(m)) if m.len() == n as usize));
        // The same map with its last key replaced by the first one: reported at the later offset.
        let mut d = vec![0xba];
        d.extend_from_slice(&n.to_be_bytes());
        for i in 0..n - 1 {
            Value::Integer(i as i128).encode(&mut d);
            d.push(0xf6);
        }
        let last_key_at = d.len();
        d.extend_from_slice(&[0x00, 0xf6]);
        assert_eq!(
            Value::from_slice(&d),
            Err(CborError::DuplicateKey {
                offset: last_key_at
            })
        );
    }

    #[test]
    fn rejects_non_shortest_and_reports_non_determinism() {
        // 0x18 0x05 is 5 in a non-shortest head: well-formed, not deterministic.
        assert!(Value::from_slice(&[0x18, 0x05]).is_ok());
        assert!(!Value::is_deterministic(&[0x18, 0x05]));
        assert!(Value::is_deterministic(&[0x05]));
    }

    #[test]
    fn precise_errors() {
        assert_eq!(
            Value::from_slice(&[]),
            Err(CborError::Truncated { offset: 0 })
        );
        assert_eq!(
            Value::from_slice(&[0x82, 0x01]),
            Err(CborError::Truncated { offset: 0 })
        );
        assert_eq!(
            Value::from_slice(&[0x01, 0x02]),
            Err(CborError::ExtraneousData { offset: 1 })
        );
        assert_eq!(
            Value::from_slice(&[0x1c]),
            Err(CborError::Reserved { offset: 0 })
        );
        assert!(matches!(
            Value::from_slice(&[0x9f, 0xff]),
            Err(CborError::Unsupported { offset: 0, .. })
        ));
        assert!(matches!(
            Value::from_slice(&[0xf9, 0, 0]),
            Err(CborError::Unsupported { .. })
        ));
        assert_eq!(
            Value::from_slice(&[0x62, 0xff, 0xfe]),
            Err(CborError::InvalidUtf8 { offset: 0 })
        );
        assert_eq!(
            Value::from_slice(&[0xa2, 0x01, 0x02, 0x01, 0x03]),
            Err(CborError::DuplicateKey { offset: 3 })
        );
        // A length far beyond the input fails before any allocation.
        assert_eq!(
            Value::from_slice(&[0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            Err(CborError::Truncated { offset: 0 })
        );
        // The same key in two encodings (shortest and not) is still a duplicate.
        assert_eq!(
            Value::from_slice(&[0xa2, 0x05, 0x00, 0x18, 0x05, 0x00]),
            Err(CborError::DuplicateKey { offset: 3 })
        );
        let deep = vec![0x81u8; MAX_DEPTH + 2];
        assert!(matches!(
            Value::from_slice(&deep),
            Err(CborError::TooDeep { .. })
        ));
    }
}
