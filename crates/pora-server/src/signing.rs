//! Signing keys held by the server: sealed at rest under a key-encryption key, used through
//! `pora_core::Signer` (the trait an HSM-backed signer implements too), and the publications they sign
//! (trust list, per-office status lists, permit credentials).
//!
//! Sealing: ChaCha20-Poly1305 with a random 96-bit nonce; the stored text is hex(nonce ‖ ciphertext)
//! and the key id is bound as associated data, so a sealed key cannot be moved to another row. The
//! key-encryption key (KEK) comes from `PORA_KEK` (64 hex digits) or a 0600 file.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use pora_core::trust::{SignerRecord, TrustList};
use pora_core::{Algorithm, PermitType, PublicKey, Signer, StatusList, StatusListToken};
use pora_store::repo::{self, SignerKeyRow};
use pora_store::{Conn, Store};
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// Errors of key handling.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SigningError {
    /// The KEK is missing or malformed.
    #[error("key-encryption key: {0}")]
    Kek(String),
    /// A sealed key does not open with this KEK (wrong KEK, or the row was tampered with).
    #[error("sealed key {0} does not open with this key-encryption key")]
    Unseal(String),
    /// The key material is not a usable key.
    #[error("key {0}: {1}")]
    BadKey(String, String),
    /// No signer for the office.
    #[error("no signing key for office {0}")]
    NoKey(String),
    /// The national root is offline: the server cannot certify keys or sign the trust list.
    #[error("the national root is offline: {0}")]
    OfflineRoot(String),
    /// An import was refused (wrong root, older version, key and certificate disagree).
    #[error("import refused: {0}")]
    Import(String),
    /// The core refused.
    #[error("credential: {0}")]
    Core(String),
    /// Storage.
    #[error(transparent)]
    Store(#[from] pora_store::StoreError),
}

/// A signer usable across threads (an HSM client implements `pora_core::Signer` and is used the same).
pub type SharedSigner = Arc<dyn Signer + Send + Sync>;

/// The key-encryption key.
pub struct Kek {
    key: Zeroizing<[u8; 32]>,
    id: String,
}

impl std::fmt::Debug for Kek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Kek({})", self.id)
    }
}

impl Kek {
    /// From 64 hex digits.
    pub fn from_hex(s: &str) -> Result<Self, SigningError> {
        let bytes =
            Zeroizing::new(hex::decode(s.trim()).map_err(|_| SigningError::Kek("not hex".into()))?);
        let key: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| SigningError::Kek("want 32 bytes (64 hex digits)".into()))?;
        let id = hex::encode(&Sha256::digest(Sha256::digest(key))[..4]);
        Ok(Kek {
            key: Zeroizing::new(key),
            id,
        })
    }

    /// A fresh random KEK (tests and demo).
    pub fn generate() -> Self {
        let mut k = Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(&mut k[..]);
        // 32 random bytes always make a valid KEK.
        Self::from_hex(&hex::encode(&k[..])).unwrap_or_else(|_| unreachable!())
    }

    /// Loads the KEK: explicit hex, else `PORA_KEK`, else `dir/pora-kek.key` (created 0600 if absent).
    pub fn load(explicit: Option<&str>, dir: &std::path::Path) -> anyhow::Result<Self> {
        if let Some(h) = explicit {
            return Ok(Self::from_hex(h)?);
        }
        if let Ok(h) = std::env::var("PORA_KEK") {
            return Ok(Self::from_hex(&h)?);
        }
        let path = dir.join("pora-kek.key");
        if path.exists() {
            let h = Zeroizing::new(std::fs::read_to_string(&path)?);
            return Ok(Self::from_hex(&h)?);
        }
        let k = Self::generate();
        write_secret(&path, &hex::encode(&k.key[..]))?;
        tracing::warn!(path = %path.display(), "created a new key-encryption key file; keep it safe and backed up");
        Ok(k)
    }

    /// The KEK's public id (hash prefix), stored next to sealed keys.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Seals `plain` bound to `aad`.
    pub fn seal(&self, plain: &[u8], aad: &str) -> String {
        let cipher = ChaCha20Poly1305::new(self.key.as_ref().into());
        let mut nonce = [0u8; 12];
        OsRng.fill_bytes(&mut nonce);
        // Encryption with a valid key and in-memory buffers cannot fail.
        let ct = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: aad.as_bytes(),
                },
            )
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        hex::encode(out)
    }

    /// Opens a sealed text.
    pub fn open(&self, sealed: &str, aad: &str) -> Result<Zeroizing<Vec<u8>>, SigningError> {
        let raw = hex::decode(sealed).map_err(|_| SigningError::Unseal(aad.into()))?;
        if raw.len() < 12 + 16 {
            return Err(SigningError::Unseal(aad.into()));
        }
        let cipher = ChaCha20Poly1305::new(self.key.as_ref().into());
        cipher
            .decrypt(
                Nonce::from_slice(&raw[..12]),
                Payload {
                    msg: &raw[12..],
                    aad: aad.as_bytes(),
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| SigningError::Unseal(aad.into()))
    }
}

/// Writes a secret file with mode 0600.
pub fn write_secret(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p)?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    use std::io::Write;
    opts.open(path)?.write_all(contents.as_bytes())
}

struct LoadedKey {
    row: SignerKeyRow,
    office_code: String,
    signer: SharedSigner,
}

/// The national root kept offline: its public key and the newest trust list it signed, as imported.
struct OfflineRoot {
    root: PublicKey,
    list: TrustList,
    published: Published,
}

/// The server's keys: one active document signer per office, and either the trust root itself
/// (demo mode: the server certifies its own keys and signs the trust list) or the imported trust
/// list of the offline national root (production: `pora trust import`, `pora keys import`).
pub struct KeyRing {
    kek: Kek,
    keys: RwLock<HashMap<String, Arc<LoadedKey>>>,
    offline: RwLock<Option<Arc<OfflineRoot>>>,
    trust_cache: Mutex<Option<Published>>,
    status_cache: Mutex<HashMap<String, CachedStatus>>,
    /// Held while an empty status cache entry is filled (see [`KeyRing::status_list`]).
    status_fill: tokio::sync::Mutex<()>,
    /// How many status list tokens this ring has built and signed.
    status_builds: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyRing(kek {})", self.kek.id)
    }
}

/// A signed publication with its ETag.
#[derive(Clone, Debug)]
pub struct Published {
    /// The signed bytes.
    pub bytes: Arc<Vec<u8>>,
    /// Strong ETag (quoted).
    pub etag: String,
    /// Version or issue time it was made for.
    pub version: i64,
    /// When it was signed.
    pub issued_at: i64,
}

fn etag_of(bytes: &[u8]) -> String {
    format!("\"{}\"", hex::encode(&Sha256::digest(bytes)[..16]))
}

/// The algorithm used for new keys.
pub const KEY_ALGORITHM: Algorithm = Algorithm::ES256;

fn alg_name(a: Algorithm) -> &'static str {
    match a {
        Algorithm::ES256 => "ES256",
        Algorithm::EdDSA => "EdDSA",
    }
}

impl KeyRing {
    /// A key ring with no keys loaded yet.
    pub fn new(kek: Kek) -> Self {
        KeyRing {
            kek,
            keys: RwLock::new(HashMap::new()),
            offline: RwLock::new(None),
            trust_cache: Mutex::new(None),
            status_cache: Mutex::new(HashMap::new()),
            status_fill: tokio::sync::Mutex::new(()),
            status_builds: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// The key-encryption key (seals other server secrets, e.g. the offices' doc-hash keys).
    pub fn kek(&self) -> &Kek {
        &self.kek
    }

    /// The key-encryption key's id.
    pub fn kek_id(&self) -> &str {
        self.kek.id()
    }

    fn unseal(
        &self,
        row: &SignerKeyRow,
        office_code: &str,
    ) -> Result<Arc<LoadedKey>, SigningError> {
        let pem = self.kek.open(&row.sealed_private_key, &row.kid)?;
        let pem = std::str::from_utf8(&pem)
            .map_err(|_| SigningError::BadKey(row.kid.clone(), "not PEM".into()))?;
        let key = pora_crypto::SigningKey::from_pkcs8_pem(pem)
            .map_err(|e| SigningError::BadKey(row.kid.clone(), e.to_string()))?;
        if hex::encode(key.public_key().as_bytes()) != row.public_key {
            return Err(SigningError::BadKey(
                row.kid.clone(),
                "public key does not match the sealed key".into(),
            ));
        }
        Ok(Arc::new(LoadedKey {
            row: row.clone(),
            office_code: office_code.to_owned(),
            signer: Arc::new(key),
        }))
    }

    /// Loads (unseals) every active key from the store, and the offline root's newest trust list
    /// when one was imported.
    pub async fn load(&self, store: &Store) -> Result<usize, SigningError> {
        let mut c = store.conn().await?;
        if let Some(t) = repo::latest_trust_publication(&mut c).await? {
            let offline = open_publication(&t)?;
            *self.offline.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(offline));
        }
        let offices: HashMap<i64, String> = repo::offices(&mut c)
            .await?
            .into_iter()
            .map(|o| (o.id, o.code))
            .collect();
        let rows = repo::signer_keys(&mut c).await?;
        let mut map = HashMap::new();
        for row in rows.iter().filter(|r| r.state == "active") {
            let code = offices.get(&row.office_id).cloned().unwrap_or_default();
            map.insert(row.kid.clone(), self.unseal(row, &code)?);
        }
        let n = map.len();
        *self.keys.write().unwrap_or_else(|e| e.into_inner()) = map;
        Ok(n)
    }

    /// Generates, seals and stores a new key for an office; returns its kid (hex).
    pub async fn create_key(
        &self,
        c: &mut Conn,
        office_id: i64,
        office_code: &str,
        usage: &str,
        at: i64,
    ) -> Result<String, SigningError> {
        if self.is_offline() {
            return Err(SigningError::OfflineRoot(
                "office keys are certified by the root holder (`pora certify`) and imported with `pora keys import`".into(),
            ));
        }
        let key = pora_crypto::SigningKey::generate(KEY_ALGORITHM)
            .map_err(|e| SigningError::BadKey("new".into(), e.to_string()))?;
        let public = key.public_key();
        let kid = hex::encode(pora_core::trust::kid_of(&public));
        let pem = key
            .to_pkcs8_pem()
            .map_err(|e| SigningError::BadKey(kid.clone(), e.to_string()))?;
        let row = SignerKeyRow {
            id: 0,
            kid: kid.clone(),
            office_id,
            usage: usage.to_owned(),
            algorithm: alg_name(KEY_ALGORITHM).into(),
            public_key: hex::encode(public.as_bytes()),
            sealed_private_key: self.kek.seal(pem.as_bytes(), &kid),
            kek_id: self.kek.id.clone(),
            state: "active".into(),
            created_at: at,
            certificate: None,
        };
        repo::insert_signer_key(c, &row).await?;
        let loaded = Arc::new(LoadedKey {
            row,
            office_code: office_code.to_owned(),
            signer: Arc::new(key),
        });
        self.keys
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(kid.clone(), loaded);
        Ok(kid)
    }

    fn find(&self, usage: &str, office_code: Option<&str>) -> Option<Arc<LoadedKey>> {
        let keys = self.keys.read().unwrap_or_else(|e| e.into_inner());
        keys.values()
            .filter(|k| k.row.usage == usage && office_code.is_none_or(|o| k.office_code == o))
            .max_by_key(|k| k.row.id)
            .cloned()
    }

    fn offline(&self) -> Option<Arc<OfflineRoot>> {
        self.offline
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The offline root's public key, when a trust list was imported.
    pub fn offline_root(&self) -> Option<PublicKey> {
        self.offline().map(|o| o.root.clone())
    }

    /// Whether the national root is offline (a trust list was imported).
    pub fn is_offline(&self) -> bool {
        self.offline().is_some()
    }

    /// The trust root's signer, when the server holds it (demo mode).
    pub fn root(&self) -> Option<SharedSigner> {
        if self.is_offline() {
            return None;
        }
        self.find("trust_root", None).map(|k| k.signer.clone())
    }

    /// The root public key, hex, with its algorithm.
    pub fn root_public(&self) -> Option<(String, String)> {
        if let Some(o) = self.offline() {
            return Some((
                alg_name(o.root.algorithm()).into(),
                hex::encode(o.root.as_bytes()),
            ));
        }
        self.find("trust_root", None)
            .map(|k| (k.row.algorithm.clone(), k.row.public_key.clone()))
    }

    /// The current document signer of an office. With the root offline, only a key the imported
    /// trust list names, with the record the root signed.
    pub fn office_signer(&self, office_code: &str) -> Option<(SharedSigner, SignerRecord)> {
        if let Some(o) = self.offline() {
            let keys = self.keys.read().unwrap_or_else(|e| e.into_inner());
            return keys
                .values()
                .filter(|k| k.row.usage == "document_signer" && k.office_code == office_code)
                .filter_map(|k| {
                    let rec = o.list.signer(&hex::decode(&k.row.kid).ok()?)?;
                    Some((k.row.id, k.signer.clone(), rec.clone()))
                })
                .max_by_key(|(id, _, _)| *id)
                .map(|(_, s, r)| (s, r));
        }
        let k = self.find("document_signer", Some(office_code))?;
        let rec = record_for(&k).ok()?;
        Some((k.signer.clone(), rec))
    }

    /// Imports a trust list signed by the offline national root. The first import sets the root
    /// (and retires a root the server held); later ones must be signed by the same root and carry a
    /// higher version. Returns the list.
    pub async fn import_trust_list(
        &self,
        c: &mut Conn,
        bytes: &[u8],
        root: &PublicKey,
        now: i64,
    ) -> Result<TrustList, SigningError> {
        let list = TrustList::verify(bytes, root, pora_crypto::default_provider())
            .map_err(|e| SigningError::Import(format!("trust list: {e}")))?;
        if let Some(o) = self.offline() {
            if o.root != *root {
                return Err(SigningError::Import(
                    "the trust list is signed by another root than the imported one".into(),
                ));
            }
            if list.version <= o.list.version {
                return Err(SigningError::Import(format!(
                    "version {} is not newer than the current version {}",
                    list.version, o.list.version
                )));
            }
        }
        let row = repo::TrustPublication {
            id: 0,
            version: i64::try_from(list.version)
                .map_err(|_| SigningError::Import("version out of range".into()))?,
            root_algorithm: alg_name(root.algorithm()).into(),
            root_public_key: hex::encode(root.as_bytes()),
            trust_list: hex::encode(bytes),
            issued_at: list.issued_at,
            next_update: list.next_update,
            imported_at: now,
        };
        repo::insert_trust_publication(c, &row).await?;
        for k in self.server_roots() {
            repo::set_signer_key_state(c, &k, "retired").await?;
        }
        Ok(list)
    }

    /// Makes an imported trust list current (after the import's transaction committed).
    pub fn activate_trust_list(&self, bytes: &[u8], root: PublicKey, list: TrustList) {
        let published = Published {
            etag: etag_of(bytes),
            bytes: Arc::new(bytes.to_vec()),
            version: list.version as i64,
            issued_at: list.issued_at,
        };
        let roots = self.server_roots();
        let mut keys = self.keys.write().unwrap_or_else(|e| e.into_inner());
        for k in roots {
            keys.remove(&k);
        }
        *self.offline.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(OfflineRoot {
            root,
            list,
            published,
        }));
    }

    fn server_roots(&self) -> Vec<String> {
        let keys = self.keys.read().unwrap_or_else(|e| e.into_inner());
        keys.values()
            .filter(|k| k.row.usage == "trust_root")
            .map(|k| k.row.kid.clone())
            .collect()
    }

    /// Imports an office document signer certified by the offline root: its PKCS#8 PEM private
    /// key (sealed under the KEK at once) and the root-signed certificate. Needs an imported trust
    /// list (for the root). Returns the kid and whether the current trust list already names it
    /// (until it does, the office cannot issue with it).
    pub async fn import_signer(
        &self,
        c: &mut Conn,
        office_id: i64,
        office_code: &str,
        pem: &str,
        certificate: &[u8],
        now: i64,
    ) -> Result<(String, bool), SigningError> {
        let o = self.offline().ok_or_else(|| {
            SigningError::Import("import the root's trust list first (`pora trust import`)".into())
        })?;
        let rec = pora_core::trust::open_certificate(
            certificate,
            &o.root,
            pora_crypto::default_provider(),
        )
        .map_err(|e| SigningError::Import(format!("certificate: {e}")))?;
        let key = pora_crypto::SigningKey::from_pkcs8_pem(pem)
            .map_err(|e| SigningError::Import(format!("private key: {e}")))?;
        if rec.public_key != key.public_key() {
            return Err(SigningError::Import(
                "the certificate is for another key than the private key given".into(),
            ));
        }
        if rec.office != office_code {
            return Err(SigningError::Import(format!(
                "the certificate is for office {}, not {office_code}",
                rec.office
            )));
        }
        let kid = hex::encode(&rec.kid);
        let row = SignerKeyRow {
            id: 0,
            kid: kid.clone(),
            office_id,
            usage: "document_signer".into(),
            algorithm: alg_name(key.algorithm()).into(),
            public_key: hex::encode(key.public_key().as_bytes()),
            sealed_private_key: self.kek.seal(pem.as_bytes(), &kid),
            kek_id: self.kek.id.clone(),
            state: "active".into(),
            created_at: now,
            certificate: Some(hex::encode(certificate)),
        };
        let id = repo::insert_signer_key(c, &row).await?;
        let listed = o.list.signer(&rec.kid).is_some();
        self.keys.write().unwrap_or_else(|e| e.into_inner()).insert(
            kid.clone(),
            Arc::new(LoadedKey {
                row: SignerKeyRow { id, ..row },
                office_code: office_code.to_owned(),
                signer: Arc::new(key),
            }),
        );
        Ok((kid, listed))
    }

    /// The trust list: the imported one when the root is offline, else signed by the server's
    /// root, re-signed when keys changed or a day has passed.
    pub fn trust_list(&self, now: i64) -> Result<(Published, TrustList), SigningError> {
        if let Some(o) = self.offline() {
            return Ok((o.published.clone(), o.list.clone()));
        }
        let keys: Vec<Arc<LoadedKey>> = {
            let k = self.keys.read().unwrap_or_else(|e| e.into_inner());
            let mut v: Vec<_> = k
                .values()
                .filter(|k| k.row.usage == "document_signer")
                .cloned()
                .collect();
            v.sort_by_key(|k| k.row.id);
            v
        };
        let version = keys.last().map(|k| k.row.id).unwrap_or(0);
        let signers: Vec<SignerRecord> = keys
            .iter()
            .map(|k| record_for(k))
            .collect::<Result<_, _>>()?;
        let mut cache = self.trust_cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(p) = cache.as_ref() {
            if p.version == version && now - p.issued_at < 86_400 {
                let list = TrustList {
                    version: version as u64,
                    issued_at: p.issued_at,
                    next_update: p.issued_at + 7 * 86_400,
                    signers,
                };
                return Ok((p.clone(), list));
            }
        }
        let root = self
            .root()
            .ok_or_else(|| SigningError::NoKey("trust root".into()))?;
        let list = TrustList {
            version: version as u64,
            issued_at: now,
            next_update: now + 7 * 86_400,
            signers,
        };
        let bytes = list
            .sign(root.as_ref())
            .map_err(|e| SigningError::Core(e.to_string()))?;
        let p = Published {
            etag: etag_of(&bytes),
            bytes: Arc::new(bytes),
            version,
            issued_at: now,
        };
        *cache = Some(p.clone());
        Ok((p, list))
    }

    /// The office's status list token. Cached per office; rebuilt and re-signed when a permit of the
    /// office changed (the database's change marker moved, checked at most every `recheck_secs`, and at
    /// once after [`KeyRing::invalidate_status`]) or the cached token is past half its ttl. A
    /// connection is taken from `store` only when the cache has to be checked against the database.
    ///
    /// The recheck and the refresh are single-flight: the first caller to find the cache due claims
    /// it and goes to the database; callers meanwhile are answered from the cached token, which is
    /// still within its ttl (a refresh starts at half the ttl). An empty entry is filled by one
    /// caller while the others wait. Without this, every request in flight when the cache was
    /// empty or fell due rebuilt and re-signed the list itself: on a fresh server under load, 32
    /// concurrent rebuilds of two offices' lists were the verify endpoint's p99 tail.
    pub async fn status_list(
        &self,
        store: &Store,
        office_id: i64,
        office_code: &str,
        now: i64,
        ttl: u64,
    ) -> Result<(Published, StatusListToken), SigningError> {
        let mut take = self.take_status(office_code, now, ttl);
        // Nothing cached yet (first use, or invalidated): one caller fills it while the others wait
        // for it (the guard lives until this call returns), then find it filled.
        let _fill = match take {
            Take::Empty => {
                let guard = self.status_fill.lock().await;
                take = self.take_status(office_code, now, ttl);
                Some(guard)
            }
            _ => None,
        };
        let claimed = match take {
            Take::Serve(p, t) => return Ok((p, t)),
            Take::Claimed => true,
            Take::Empty => false,
        };
        let result = self
            .refresh_status(store, office_id, office_code, now, ttl)
            .await;
        if claimed && result.is_err() {
            // Give the claim back so that the next caller tries again.
            let mut cache = self.status_cache.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(hit) = cache.get_mut(office_code) {
                hit.refreshing_since = None;
            }
        }
        result
    }

    /// The cached token when it can be served, else a claim on its refresh, else `Empty`.
    fn take_status(&self, office_code: &str, now: i64, ttl: u64) -> Take {
        let mut cache = self.status_cache.lock().unwrap_or_else(|e| e.into_inner());
        let Some(hit) = cache.get_mut(office_code) else {
            return Take::Empty;
        };
        match hit.due(now, ttl) {
            Due::No => Take::Serve(hit.published.clone(), hit.token.clone()),
            Due::Claimed if now - hit.published.issued_at < ttl as i64 => {
                Take::Serve(hit.published.clone(), hit.token.clone())
            }
            Due::Claimed | Due::Yes => {
                hit.refreshing_since = Some(now);
                Take::Claimed
            }
        }
    }

    /// The database half of [`KeyRing::status_list`]: reads the change marker, and rebuilds and
    /// signs the token when it moved or the cached one is past half its ttl.
    async fn refresh_status(
        &self,
        store: &Store,
        office_id: i64,
        office_code: &str,
        now: i64,
        ttl: u64,
    ) -> Result<(Published, StatusListToken), SigningError> {
        let mut c = store.conn().await?;
        let version = repo::status_version(&mut c, office_id).await?;
        {
            let mut cache = self.status_cache.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(hit) = cache.get_mut(office_code) {
                if hit.version == version && now - hit.published.issued_at < (ttl / 2) as i64 {
                    hit.checked_at = now;
                    hit.refreshing_since = None;
                    return Ok((hit.published.clone(), hit.token.clone()));
                }
            }
        }
        let entries = repo::status_entries(&mut c, office_id).await?;
        drop(c);
        let len = entries.last().map(|e| e.0 as usize + 1).unwrap_or(0).max(1);
        let mut list = StatusList::new(2, len).map_err(|e| SigningError::Core(e.to_string()))?;
        for (i, s) in &entries {
            list.set(*i as u64, s.status_list_value())
                .map_err(|e| SigningError::Core(e.to_string()))?;
        }
        let (signer, _) = self
            .office_signer(office_code)
            .ok_or_else(|| SigningError::NoKey(office_code.into()))?;
        let token = StatusListToken {
            office: office_code.into(),
            issued_at: now,
            expires_at: None,
            ttl: Some(ttl),
            list,
        };
        let bytes = token
            .sign(signer.as_ref())
            .map_err(|e| SigningError::Core(e.to_string()))?;
        self.status_builds
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let p = Published {
            etag: etag_of(&bytes),
            bytes: Arc::new(bytes),
            version: version.0,
            issued_at: now,
        };
        self.status_cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(
                office_code.to_owned(),
                CachedStatus {
                    version,
                    checked_at: now,
                    refreshing_since: None,
                    published: p.clone(),
                    token: token.clone(),
                },
            );
        Ok((p, token))
    }

    /// How many status list tokens have been built and signed since start (all offices).
    pub fn status_builds(&self) -> u64 {
        self.status_builds
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Drops the cached status list of an office (after this server changed one of its permits).
    pub fn invalidate_status(&self, office_code: &str) {
        self.status_cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(office_code);
    }

    /// Offices (id, code) that have a document signer.
    pub fn signing_offices(&self) -> Vec<(i64, String)> {
        let keys = self.keys.read().unwrap_or_else(|e| e.into_inner());
        let mut v: Vec<(i64, String)> = keys
            .values()
            .filter(|k| k.row.usage == "document_signer")
            .map(|k| (k.row.office_id, k.office_code.clone()))
            .collect();
        v.sort();
        v.dedup();
        v
    }
}

/// How long a cached status list is served before the database's change marker is looked at again
/// (changes made through this server invalidate at once).
pub const STATUS_RECHECK_SECS: i64 = 10;

/// How long a claimed recheck or refresh of a status list may run before another caller takes it
/// over (a claimant whose request was dropped mid-way never gives its claim back).
const STATUS_CLAIM_SECS: i64 = 30;

#[derive(Clone, Debug)]
struct CachedStatus {
    version: (i64, i64),
    checked_at: i64,
    /// Set while one caller rechecks or rebuilds this entry (single flight).
    refreshing_since: Option<i64>,
    published: Published,
    token: StatusListToken,
}

/// What [`KeyRing::take_status`] found.
enum Take {
    /// A token to serve.
    Serve(Published, StatusListToken),
    /// The caller claimed the recheck or refresh.
    Claimed,
    /// Nothing cached.
    Empty,
}

/// Whether a cached status list has to be looked at again.
#[derive(Debug, PartialEq, Eq)]
enum Due {
    /// Fresh: serve it.
    No,
    /// Due, and another caller is already at it.
    Claimed,
    /// Due, and nobody is at it.
    Yes,
}

impl CachedStatus {
    fn due(&self, now: i64, ttl: u64) -> Due {
        if now - self.checked_at < STATUS_RECHECK_SECS
            && now - self.published.issued_at < (ttl / 2) as i64
        {
            return Due::No;
        }
        match self.refreshing_since {
            Some(t) if now - t < STATUS_CLAIM_SECS => Due::Claimed,
            _ => Due::Yes,
        }
    }
}

fn open_publication(t: &repo::TrustPublication) -> Result<OfflineRoot, SigningError> {
    let bad = |why: String| SigningError::BadKey(format!("trust list {}", t.version), why);
    let alg = match t.root_algorithm.as_str() {
        "ES256" => Algorithm::ES256,
        "EdDSA" => Algorithm::EdDSA,
        other => return Err(bad(format!("unknown root algorithm {other}"))),
    };
    let root_bytes = hex::decode(&t.root_public_key).map_err(|e| bad(e.to_string()))?;
    let root = PublicKey::from_bytes(alg, &root_bytes).map_err(|e| bad(e.to_string()))?;
    let bytes = hex::decode(&t.trust_list).map_err(|e| bad(e.to_string()))?;
    let list = TrustList::verify(&bytes, &root, pora_crypto::default_provider())
        .map_err(|e| bad(e.to_string()))?;
    Ok(OfflineRoot {
        published: Published {
            etag: etag_of(&bytes),
            bytes: Arc::new(bytes),
            version: t.version,
            issued_at: t.issued_at,
        },
        root,
        list,
    })
}

fn record_for(k: &LoadedKey) -> Result<SignerRecord, SigningError> {
    let public = k.signer.public_key();
    let from = k.row.created_at - 86_400;
    let usage_until = k.row.created_at + 5 * 365 * 86_400;
    // Signatures stay acceptable while a permit signed at the end of the usage period can be valid.
    let valid_until = usage_until + 11 * 365 * 86_400;
    SignerRecord::new(
        &k.office_code,
        public,
        vec![PermitType::Itas, PermitType::Itap],
        (from, usage_until),
        (from, valid_until),
    )
    .map_err(|e| SigningError::Core(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealing_round_trips_and_binds_the_kid() {
        let kek = Kek::generate();
        let sealed = kek.seal(b"private", "kid-1");
        assert_eq!(
            kek.open(&sealed, "kid-1").expect("opens").as_slice(),
            b"private"
        );
        assert!(kek.open(&sealed, "kid-2").is_err(), "moved to another row");
        assert!(Kek::generate().open(&sealed, "kid-1").is_err(), "wrong KEK");
        let mut flipped = hex::decode(&sealed).expect("hex");
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert!(
            kek.open(&hex::encode(flipped), "kid-1").is_err(),
            "tampered"
        );
        assert!(Kek::from_hex("00").is_err());
    }

    fn cached(issued_at: i64, checked_at: i64, refreshing_since: Option<i64>) -> CachedStatus {
        CachedStatus {
            version: (0, 0),
            checked_at,
            refreshing_since,
            published: Published {
                etag: String::new(),
                bytes: Arc::new(Vec::new()),
                version: 0,
                issued_at,
            },
            token: StatusListToken {
                office: "BKS".into(),
                issued_at,
                expires_at: None,
                ttl: Some(3600),
                list: StatusList::new(2, 1).expect("list"),
            },
        }
    }

    #[test]
    fn a_due_status_list_is_claimed_by_one_caller_at_a_time() {
        let ttl = 3600;
        // Fresh: checked within the recheck interval and younger than half the ttl.
        assert_eq!(
            cached(1000, 1000, None).due(1000 + STATUS_RECHECK_SECS - 1, ttl),
            Due::No
        );
        // Recheck due, nobody at it: the caller claims it.
        assert_eq!(
            cached(1000, 1000, None).due(1000 + STATUS_RECHECK_SECS, ttl),
            Due::Yes
        );
        // Past half its ttl: due even when just checked.
        assert_eq!(cached(1000, 2800, None).due(2800, ttl), Due::Yes);
        // Someone claimed it a moment ago: the others are served the cached token.
        let now = 1000 + STATUS_RECHECK_SECS;
        assert_eq!(
            cached(1000, 1000, Some(now - 1)).due(now, ttl),
            Due::Claimed
        );
        // A claim older than STATUS_CLAIM_SECS is taken over.
        assert_eq!(
            cached(1000, 1000, Some(now - STATUS_CLAIM_SECS)).due(now, ttl),
            Due::Yes
        );
    }
}
