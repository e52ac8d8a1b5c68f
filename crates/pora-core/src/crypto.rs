//! The cryptography boundary: public keys, and the provider and signer traits the caller supplies.
//!
//! The core never computes a signature itself. Verification goes through a [`CryptoProvider`]
//! (ring natively, RustCrypto on wasm32, both in the `pora-crypto` crate); issuance hands the bytes to
//! sign to a [`Signer`] (a key file, the server's encrypted key store, or an HSM).

use alloc::vec::Vec;
use core::fmt;

use crate::cose::Algorithm;

/// A signer's public key, tied to the one algorithm it may be used with.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum PublicKey {
    /// P-256, SEC1 uncompressed point (65 bytes, leading 0x04), used with ES256.
    P256(Vec<u8>),
    /// Ed25519 public key (32 bytes), used with EdDSA.
    Ed25519([u8; 32]),
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PublicKey({}, {} bytes)",
            self.algorithm(),
            self.as_bytes().len()
        )
    }
}

/// Why bytes are not a public key for the named algorithm.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// Wrong length or encoding for the algorithm.
    WrongEncoding { alg: Algorithm, len: usize },
    /// An algorithm identifier this implementation does not support.
    UnsupportedAlgorithm(i128),
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongEncoding { alg, len } => {
                write!(f, "a {len}-byte value is not an {alg} public key")
            }
            Self::UnsupportedAlgorithm(a) => write!(f, "algorithm {a} is not supported"),
        }
    }
}

impl core::error::Error for KeyError {}

impl PublicKey {
    /// Builds a key from its raw encoding for `alg`.
    pub fn from_bytes(alg: Algorithm, bytes: &[u8]) -> Result<Self, KeyError> {
        match alg {
            Algorithm::ES256 if bytes.len() == 65 && bytes[0] == 0x04 => {
                Ok(PublicKey::P256(bytes.to_vec()))
            }
            Algorithm::EdDSA => match <[u8; 32]>::try_from(bytes) {
                Ok(k) => Ok(PublicKey::Ed25519(k)),
                Err(_) => Err(KeyError::WrongEncoding {
                    alg,
                    len: bytes.len(),
                }),
            },
            _ => Err(KeyError::WrongEncoding {
                alg,
                len: bytes.len(),
            }),
        }
    }

    /// The algorithm this key is for.
    pub fn algorithm(&self) -> Algorithm {
        match self {
            PublicKey::P256(_) => Algorithm::ES256,
            PublicKey::Ed25519(_) => Algorithm::EdDSA,
        }
    }

    /// The raw key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            PublicKey::P256(b) => b,
            PublicKey::Ed25519(b) => b,
        }
    }
}

/// Verifies signatures. Implementations must be constant in their answer: true only for a valid
/// signature by `key` over `message`, with the key's own algorithm.
pub trait CryptoProvider {
    /// True when `signature` is a valid signature of `message` under `key` (COSE encoding: raw
    /// r || s for ES256, 64 bytes for Ed25519).
    fn verify(&self, key: &PublicKey, message: &[u8], signature: &[u8]) -> bool;
}

/// Why a signing step failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignError {
    /// The key store or device refused or failed; the text says why.
    Backend(alloc::string::String),
}

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Backend(why) => write!(f, "signing failed: {why}"),
        }
    }
}

impl core::error::Error for SignError {}

/// Something that holds a private key and signs with it (a file key, an encrypted key store, an HSM).
pub trait Signer {
    /// The signer's public key (and so its algorithm).
    fn public_key(&self) -> PublicKey;
    /// Signs `message`, returning the COSE signature encoding.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError>;
}
