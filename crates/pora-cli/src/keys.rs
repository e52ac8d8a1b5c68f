//! Key files: private keys as PKCS#8 PEM written 0600 and never printed; public keys as small JSON.

use std::io::Write as _;
use std::path::Path;

use pora_core::crypto::{PublicKey, Signer as _};
use pora_core::{hex, Algorithm};
use pora_crypto::SigningKey;
use serde::{Deserialize, Serialize};

use crate::error::{read, CliError, Exit};

/// A public key file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicKeyFile {
    /// "root" or "signer".
    pub role: String,
    /// "ES256" or "EdDSA".
    pub alg: String,
    /// Raw public key, hex.
    pub public_key: String,
    /// Key id, hex.
    pub kid: String,
}

/// Parses an algorithm name.
pub fn parse_alg(s: &str) -> Result<Algorithm, CliError> {
    match s {
        "ES256" | "es256" => Ok(Algorithm::ES256),
        "EdDSA" | "eddsa" | "Ed25519" | "ed25519" => Ok(Algorithm::EdDSA),
        _ => Err(CliError::usage(format!(
            "unknown algorithm {s:?}: use ES256 or EdDSA"
        ))),
    }
}

/// Writes a new key pair: `<out>.key` (0600, refuses to overwrite) and `<out>.pub`.
pub fn write_pair(out: &Path, role: &str, key: &SigningKey) -> Result<PublicKeyFile, CliError> {
    let key_path = out.with_extension("key");
    let pub_path = out.with_extension("pub");
    let pem = key
        .to_pkcs8_pem()
        .map_err(|e| CliError::data(e.to_string()))?;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    let mut f = opts.open(&key_path).map_err(|e| CliError {
        exit: Exit::CantCreate,
        message: format!("{}: {e} (keys are never overwritten)", key_path.display()),
    })?;
    f.write_all(pem.as_bytes())
        .and_then(|_| f.sync_all())
        .map_err(|e| CliError {
            exit: Exit::Io,
            message: format!("{}: {e}", key_path.display()),
        })?;
    let pk = key.public_key();
    let file = PublicKeyFile {
        role: role.into(),
        alg: pk.algorithm().name().into(),
        public_key: hex::encode(pk.as_bytes()),
        kid: hex::encode(&pora_core::trust::kid_of(&pk)),
    };
    let json =
        serde_json::to_string_pretty(&file).map_err(|e| CliError::data(e.to_string()))? + "\n";
    crate::error::write(&pub_path, json.as_bytes())?;
    Ok(file)
}

/// Reads a private key file.
pub fn read_private(path: &Path) -> Result<SigningKey, CliError> {
    let bytes = read(path)?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| CliError::data(format!("{}: not a PEM text file", path.display())))?;
    SigningKey::from_pkcs8_pem(text).map_err(|e| CliError::data(format!("{}: {e}", path.display())))
}

/// Reads a public key file.
pub fn read_public(path: &Path) -> Result<PublicKey, CliError> {
    let bytes = read(path)?;
    let f: PublicKeyFile = serde_json::from_slice(&bytes).map_err(|e| {
        CliError::data(format!(
            "{}: not a pora public key file: {e}",
            path.display()
        ))
    })?;
    let alg = parse_alg(&f.alg)?;
    let raw = hex::decode(&f.public_key)
        .ok_or_else(|| CliError::data(format!("{}: public_key is not hex", path.display())))?;
    let key = PublicKey::from_bytes(alg, &raw)
        .map_err(|e| CliError::data(format!("{}: {e}", path.display())))?;
    if hex::encode(&pora_core::trust::kid_of(&key)) != f.kid {
        return Err(CliError::data(format!(
            "{}: kid does not match the key",
            path.display()
        )));
    }
    Ok(key)
}
