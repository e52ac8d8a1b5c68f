//! The shared application state handed to every handler.

use std::sync::Arc;

use pora_store::model::{now_unix, Role};
use pora_store::repo::{self, NewUser};
use pora_store::Store;

use crate::auth::{hash_password, new_secret, LoginLimiter};
use crate::config::ServerConfig;
use crate::metrics::Metrics;
use crate::signing::{Kek, KeyRing};

/// Code of the national office that owns the trust root.
pub const NATIONAL_OFFICE: &str = "PUSAT";

/// State shared by all requests (cheap to clone).
#[derive(Clone, Debug)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// Configuration.
    pub config: Arc<ServerConfig>,
    /// Signing keys.
    pub keys: Arc<KeyRing>,
    /// Login failure counter.
    pub limiter: Arc<LoginLimiter>,
    /// Request metrics.
    pub metrics: Arc<Metrics>,
    /// The audit-head signing key.
    pub audit_key: Arc<ed25519_dalek::SigningKey>,
    /// Its id.
    pub audit_key_id: String,
    /// A password hash used to spend equal time on unknown users.
    pub dummy_hash: Arc<String>,
}

impl AppState {
    /// Opens the database and keys named by `config`; bootstraps an empty database (national office,
    /// trust root, and an `admin` user whose generated password is logged once).
    pub async fn open(config: ServerConfig) -> anyhow::Result<Self> {
        let store = Store::open(&config.db_url).await?;
        let kek = Kek::load(config.kek_hex.as_deref(), &config.data_dir)?;
        let audit_key = crate::audit::load_or_create_key(&config.data_dir)?;
        let state = Self::with_store(store, config, kek, audit_key).await?;
        if state.bootstrap().await? {
            let password = new_secret();
            state
                .create_user("admin", "Administrator", Role::Admin, None, None, &password)
                .await?;
            tracing::warn!(user = "admin", %password, "created the first admin user; change this password");
        }
        Ok(state)
    }

    /// Builds the state over an open store with the given keys (tests, demo).
    pub async fn with_store(
        store: Store,
        config: ServerConfig,
        kek: Kek,
        audit_key: ed25519_dalek::SigningKey,
    ) -> anyhow::Result<Self> {
        let audit_key_id = crate::audit::key_id(&audit_key.verifying_key());
        store
            .audit_register_key(&audit_key_id, &audit_key.verifying_key())
            .await?;
        let keys = KeyRing::new(kek);
        keys.load(&store).await?;
        let dummy_hash = hash_password("not a password", config.argon2)?;
        Ok(AppState {
            limiter: Arc::new(LoginLimiter::new(
                config.login_max_failures,
                config.login_window,
            )),
            store,
            config: Arc::new(config),
            keys: Arc::new(keys),
            metrics: Arc::new(Metrics::default()),
            audit_key: Arc::new(audit_key),
            audit_key_id,
            dummy_hash: Arc::new(dummy_hash),
        })
    }

    /// Makes sure the national office and the trust root exist; returns whether the database had no
    /// users yet.
    pub async fn bootstrap(&self) -> anyhow::Result<bool> {
        let mut tx = self.store.tx().await?;
        let now = now_unix();
        let office = match repo::office_by_code(&mut tx, NATIONAL_OFFICE).await {
            Ok(o) => o.id,
            Err(pora_store::StoreError::NotFound { .. }) => {
                repo::create_office(
                    &mut tx,
                    NATIONAL_OFFICE,
                    "Direktorat Jenderal Imigrasi",
                    "31",
                    now,
                )
                .await?
            }
            Err(e) => return Err(e.into()),
        };
        if !self.keys.is_offline() && self.keys.root().is_none() {
            self.keys
                .create_key(&mut tx, office, NATIONAL_OFFICE, "trust_root", now)
                .await?;
        }
        let users: i64 = sqlx_count_users(&mut tx).await?;
        tx.commit().await?;
        Ok(users == 0)
    }

    /// Creates a user with an argon2id password hash.
    pub async fn create_user(
        &self,
        username: &str,
        display_name: &str,
        role: Role,
        office_id: Option<i64>,
        foreigner_id: Option<i64>,
        password: &str,
    ) -> anyhow::Result<i64> {
        let hash = hash_password(password, self.config.argon2)?;
        let mut tx = self.store.tx().await?;
        let id = repo::create_user(
            &mut tx,
            &NewUser {
                username,
                display_name,
                role,
                office_id,
                foreigner_id,
                password_hash: &hash,
            },
            now_unix(),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Makes sure an office has a document signer; returns its kid.
    pub async fn ensure_office_signer(
        &self,
        office_id: i64,
        office_code: &str,
    ) -> Result<(), crate::signing::SigningError> {
        if self.keys.office_signer(office_code).is_some() {
            return Ok(());
        }
        if self.keys.is_offline() {
            return Err(crate::signing::SigningError::OfflineRoot(format!(
                "office {office_code} has no document signer in the imported trust list: \
                 import its certified key (`pora keys import`) and a trust list that names it"
            )));
        }
        let mut tx = self.store.tx().await?;
        self.keys
            .create_key(
                &mut tx,
                office_id,
                office_code,
                "document_signer",
                now_unix(),
            )
            .await?;
        tx.commit().await.map_err(pora_store::StoreError::from)?;
        Ok(())
    }

    /// Builds the published trust list and every signing office's status list before the server
    /// takes traffic, so that the first verifications find them cached instead of all waiting for
    /// one build (under load that first build was a 100-150 ms stall of every connection). A
    /// failure (e.g. a production server before its first trust-list import) is logged, not fatal:
    /// the first request that needs the publication tries again.
    pub async fn warm_publications(&self) {
        let now = pora_store::model::now_unix();
        if let Err(e) = self.keys.trust_list(now) {
            tracing::info!(error = %e, "trust list not built at start");
        }
        for (id, code) in self.keys.signing_offices() {
            if let Err(e) = self
                .keys
                .status_list(&self.store, id, &code, now, self.config.status_ttl_secs)
                .await
            {
                tracing::warn!(office = %code, error = %e, "status list not built at start");
            }
        }
    }

    /// Signs the audit chain head if it moved.
    pub async fn sign_audit_head(
        &self,
    ) -> Result<Option<pora_store::audit::SignedHead>, pora_store::StoreError> {
        self.store
            .audit_sign_head(&self.audit_key, &self.audit_key_id)
            .await
    }
}

async fn sqlx_count_users(c: &mut pora_store::Conn) -> Result<i64, pora_store::StoreError> {
    let counts = repo::table_counts(c).await?;
    Ok(counts
        .iter()
        .find(|(t, _)| *t == "users")
        .map(|(_, n)| *n)
        .unwrap_or(0))
}
