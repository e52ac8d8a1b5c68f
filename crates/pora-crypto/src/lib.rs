//! Signature backends for `pora-core`: verification providers, signing keys, key generation.
//!
//! Which backend, and why (measured in docs/BENCHMARKS.md): natively [`RingProvider`] — ring's
//! assembly P-256 verifies ES256 about 4x faster than the pure-Rust `p256` crate; on wasm32, where
//! ring's assembly is unavailable, [`RustCryptoProvider`] (p256 + ed25519-dalek, pure Rust).
//! [`default_provider`] picks the right one for the target. Both are tested against the same vectors.
//! Signing keys ([`SigningKey`]) are PKCS#8 (PEM) and sign with RustCrypto on every target, so a key
//! behaves the same everywhere; private key bytes are zeroized on drop and never printed.
#![forbid(unsafe_code)]

use std::fmt;

use ed25519_dalek::Verifier as _;
use p256::ecdsa::signature::Signer as _;
use p256::pkcs8::{EncodePrivateKey, LineEnding};
use pora_core::crypto::{CryptoProvider, PublicKey, SignError, Signer};
use pora_core::Algorithm;

/// Pure-Rust verification (p256, ed25519-dalek); the wasm32 backend.
#[derive(Clone, Copy, Debug, Default)]
pub struct RustCryptoProvider;

impl CryptoProvider for RustCryptoProvider {
    fn verify(&self, key: &PublicKey, message: &[u8], signature: &[u8]) -> bool {
        match key {
            PublicKey::P256(point) => {
                let Ok(vk) = p256::ecdsa::VerifyingKey::from_sec1_bytes(point) else {
                    return false;
                };
                let Ok(sig) = p256::ecdsa::Signature::from_slice(signature) else {
                    return false;
                };
                vk.verify(message, &sig).is_ok()
            }
            PublicKey::Ed25519(k) => {
                let Ok(vk) = ed25519_dalek::VerifyingKey::from_bytes(k) else {
                    return false;
                };
                let Ok(sig) = ed25519_dalek::Signature::from_slice(signature) else {
                    return false;
                };
                vk.verify_strict(message, &sig).is_ok()
            }
        }
    }
}

/// ring verification; the native backend.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Clone, Copy, Debug, Default)]
pub struct RingProvider;

#[cfg(not(target_arch = "wasm32"))]
impl CryptoProvider for RingProvider {
    fn verify(&self, key: &PublicKey, message: &[u8], signature: &[u8]) -> bool {
        use ring::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_FIXED, ED25519};
        match key {
            PublicKey::P256(point) => UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point)
                .verify(message, signature)
                .is_ok(),
            PublicKey::Ed25519(k) => UnparsedPublicKey::new(&ED25519, k)
                .verify(message, signature)
                .is_ok(),
        }
    }
}

/// Whether a public key is a valid point of its curve (P-256: on the curve and not the identity;
/// Ed25519: decompresses), so a key registered by a device can be refused before it is stored.
pub fn public_key_valid(key: &PublicKey) -> bool {
    match key {
        PublicKey::P256(point) => p256::PublicKey::from_sec1_bytes(point).is_ok(),
        PublicKey::Ed25519(k) => ed25519_dalek::VerifyingKey::from_bytes(k).is_ok(),
    }
}

/// The provider for this target: ring natively, RustCrypto on wasm32.
pub fn default_provider() -> &'static dyn CryptoProvider {
    #[cfg(not(target_arch = "wasm32"))]
    {
        &RingProvider
    }
    #[cfg(target_arch = "wasm32")]
    {
        &RustCryptoProvider
    }
}

/// Why a key could not be made or read.
#[derive(Debug)]
#[non_exhaustive]
pub enum KeyFileError {
    /// Not a PKCS#8 PEM private key of a supported algorithm.
    NotAKey(String),
    /// The random number generator failed.
    Random,
}

impl fmt::Display for KeyFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAKey(why) => write!(f, "not a PKCS#8 P-256 or Ed25519 private key: {why}"),
            Self::Random => f.write_str("the system random number generator failed"),
        }
    }
}

impl std::error::Error for KeyFileError {}

/// A private signing key (P-256 for ES256, or Ed25519).
pub enum SigningKey {
    /// ES256.
    P256(p256::ecdsa::SigningKey),
    /// EdDSA.
    Ed25519(ed25519_dalek::SigningKey),
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print private material.
        write!(
            f,
            "SigningKey({}, kid {})",
            self.algorithm(),
            pora_core::hex::encode(&pora_core::trust::kid_of(&self.public_key()))
        )
    }
}

impl SigningKey {
    /// Generates a fresh key from the operating system's random source.
    pub fn generate(alg: Algorithm) -> Result<Self, KeyFileError> {
        let mut seed = zeroize::Zeroizing::new([0u8; 32]);
        getrandom_fill(&mut seed[..])?;
        Self::from_seed(alg, &seed)
    }

    /// A key derived from 32 seed bytes (deterministic; for test vectors and fixtures only).
    pub fn from_seed(alg: Algorithm, seed: &[u8; 32]) -> Result<Self, KeyFileError> {
        match alg {
            Algorithm::ES256 => {
                // A seed that is not a valid scalar (probability ~2^-128) is reported, not retried.
                p256::ecdsa::SigningKey::from_bytes(seed.into())
                    .map(SigningKey::P256)
                    .map_err(|e| KeyFileError::NotAKey(e.to_string()))
            }
            Algorithm::EdDSA => Ok(SigningKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(
                seed,
            ))),
        }
    }

    /// The algorithm.
    pub fn algorithm(&self) -> Algorithm {
        match self {
            SigningKey::P256(_) => Algorithm::ES256,
            SigningKey::Ed25519(_) => Algorithm::EdDSA,
        }
    }

    /// PKCS#8 PEM of the private key (to be written 0600; never printed).
    pub fn to_pkcs8_pem(&self) -> Result<zeroize::Zeroizing<String>, KeyFileError> {
        let r = match self {
            SigningKey::P256(k) => k.to_pkcs8_pem(LineEnding::LF),
            SigningKey::Ed25519(k) => {
                use ed25519_dalek::pkcs8::EncodePrivateKey as _;
                k.to_pkcs8_pem(LineEnding::LF)
            }
        };
        r.map_err(|e| KeyFileError::NotAKey(e.to_string()))
    }

    /// Reads a PKCS#8 PEM private key (P-256 or Ed25519).
    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, KeyFileError> {
        if let Ok(k) = p256::ecdsa::SigningKey::from_pkcs8_pem(pem) {
            return Ok(SigningKey::P256(k));
        }
        use ed25519_dalek::pkcs8::DecodePrivateKey as _;
        ed25519_dalek::SigningKey::from_pkcs8_pem(pem)
            .map(SigningKey::Ed25519)
            .map_err(|e| KeyFileError::NotAKey(e.to_string()))
    }
}

impl Signer for SigningKey {
    fn public_key(&self) -> PublicKey {
        match self {
            SigningKey::P256(k) => {
                let point = k.verifying_key().to_encoded_point(false);
                PublicKey::P256(point.as_bytes().to_vec())
            }
            SigningKey::Ed25519(k) => PublicKey::Ed25519(k.verifying_key().to_bytes()),
        }
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        Ok(match self {
            SigningKey::P256(k) => {
                let sig: p256::ecdsa::Signature = k.sign(message);
                sig.to_bytes().to_vec()
            }
            SigningKey::Ed25519(k) => k.sign(message).to_bytes().to_vec(),
        })
    }
}

/// `N` bytes from the operating system's random source (document serials, nonces).
pub fn random_bytes<const N: usize>() -> Result<[u8; N], KeyFileError> {
    let mut b = [0u8; N];
    getrandom_fill(&mut b)?;
    Ok(b)
}

fn getrandom_fill(buf: &mut [u8]) -> Result<(), KeyFileError> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        use ring::rand::SecureRandom;
        ring::rand::SystemRandom::new()
            .fill(buf)
            .map_err(|_| KeyFileError::Random)
    }
    #[cfg(target_arch = "wasm32")]
    {
        let _ = buf;
        Err(KeyFileError::Random)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_providers_agree_on_both_algorithms() {
        for alg in [Algorithm::ES256, Algorithm::EdDSA] {
            let k = SigningKey::generate(alg).unwrap();
            let sig = k.sign(b"permit").unwrap();
            assert_eq!(sig.len(), 64);
            let pk = k.public_key();
            for p in [&RingProvider as &dyn CryptoProvider, &RustCryptoProvider] {
                assert!(p.verify(&pk, b"permit", &sig));
                assert!(!p.verify(&pk, b"permiT", &sig));
                let mut bad = sig.clone();
                bad[10] ^= 1;
                assert!(!p.verify(&pk, b"permit", &bad));
                assert!(!p.verify(&pk, b"permit", &sig[..63]));
            }
        }
    }

    #[test]
    fn pem_round_trip_and_debug_hides_the_key() {
        for alg in [Algorithm::ES256, Algorithm::EdDSA] {
            let k = SigningKey::from_seed(alg, &[7; 32]).unwrap();
            let pem = k.to_pkcs8_pem().unwrap();
            assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
            let back = SigningKey::from_pkcs8_pem(&pem).unwrap();
            assert_eq!(back.public_key(), k.public_key());
            assert!(!format!("{k:?}").contains(&pem[30..60]));
        }
        assert!(SigningKey::from_pkcs8_pem("not a key").is_err());
    }
}
