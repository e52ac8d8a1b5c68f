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

/// `#[serde(with = "crate::hex::serde_vec")]`: bytes as a hex string.
#[cfg(feature = "serde")]
pub(crate) mod serde_vec {
    use alloc::string::String;
    use alloc::vec::Vec;

    pub fn serialize<S: serde::Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&super::encode(b))
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = <String as serde::Deserialize>::deserialize(d)?;
        super::decode(&s)
            .ok_or_else(|| serde::de::Error::custom("expected an even number of hex digits"))
    }
}

/// `#[serde(with = "crate::hex::serde_array")]`: a fixed-size byte array as a hex string.
#[cfg(feature = "serde")]
pub(crate) mod serde_array {
    pub fn serialize<S: serde::Serializer, const N: usize>(
        b: &[u8; N],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_str(&super::encode(b))
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>, const N: usize>(
        d: D,
    ) -> Result<[u8; N], D::Error> {
        let v = super::serde_vec::deserialize(d)?;
        <[u8; N]>::try_from(v.as_slice())
            .map_err(|_| serde::de::Error::custom(alloc::format!("expected {} hex digits", 2 * N)))
    }
}

/// `#[serde(with = "crate::hex::serde_opt_array")]`: an optional fixed-size byte array as hex or null.
#[cfg(feature = "serde")]
pub(crate) mod serde_opt_array {
    use alloc::string::String;

    pub fn serialize<S: serde::Serializer, const N: usize>(
        b: &Option<[u8; N]>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match b {
            Some(b) => s.serialize_some(&super::encode(b)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>, const N: usize>(
        d: D,
    ) -> Result<Option<[u8; N]>, D::Error> {
        let s: Option<String> = serde::Deserialize::deserialize(d)?;
        s.map(|s| {
            super::decode(&s)
                .and_then(|v| <[u8; N]>::try_from(v.as_slice()).ok())
                .ok_or_else(|| {
                    serde::de::Error::custom(alloc::format!("expected {} hex digits", 2 * N))
                })
        })
        .transpose()
    }
}
