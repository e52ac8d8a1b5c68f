//! The audit log as the server and the CLI use it: the Ed25519 key that signs chain heads, the
//! periodic head signer, the auditor's endpoints, and [`verify`] for `pora audit verify --db URL`.

use axum::extract::{Query, State};
use axum::{Extension, Json};
use ed25519_dalek::{SigningKey, VerifyingKey};
use pora_store::audit::{verify_chain, ChainReport, Entry, NewEntry};
use pora_store::model::Purpose;
use pora_store::Store;
use rand_core::OsRng;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::api::{List, Paging};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// File name of the audit key (hex seed, mode 0600) in the data directory.
pub const KEY_FILE: &str = "pora-audit.key";

/// The id of an audit key: `audit-` and the first 4 bytes of SHA-256 of the public key, hex.
pub fn key_id(key: &VerifyingKey) -> String {
    format!(
        "audit-{}",
        hex::encode(&Sha256::digest(key.as_bytes())[..4])
    )
}

/// Loads `dir/pora-audit.key`, creating it on first use.
pub fn load_or_create_key(dir: &std::path::Path) -> anyhow::Result<SigningKey> {
    let path = dir.join(KEY_FILE);
    if path.exists() {
        let text = Zeroizing::new(std::fs::read_to_string(&path)?);
        let bytes = Zeroizing::new(hex::decode(text.trim())?);
        let seed: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| anyhow::anyhow!("{} must hold 32 bytes hex", path.display()))?;
        return Ok(SigningKey::from_bytes(&seed));
    }
    let mut seed = Zeroizing::new([0u8; 32]);
    rand_core::RngCore::fill_bytes(&mut OsRng, &mut seed[..]);
    let key = SigningKey::from_bytes(&seed);
    crate::signing::write_secret(&path, &hex::encode(key.to_bytes()))?;
    tracing::info!(path = %path.display(), key = %key_id(&key.verifying_key()), "created the audit head signing key");
    Ok(key)
}

/// Reads a public audit key given as 64 hex digits, or the public half of a key file.
pub fn parse_public_key(hex_or_path: &str) -> anyhow::Result<VerifyingKey> {
    let text = if std::path::Path::new(hex_or_path).exists() {
        let seed = Zeroizing::new(hex::decode(std::fs::read_to_string(hex_or_path)?.trim())?);
        let seed: [u8; 32] = seed
            .as_slice()
            .try_into()
            .map_err(|_| anyhow::anyhow!("key file must hold 32 bytes hex"))?;
        return Ok(SigningKey::from_bytes(&seed).verifying_key());
    } else {
        hex_or_path.to_owned()
    };
    let bytes: [u8; 32] = hex::decode(text.trim())?
        .try_into()
        .map_err(|_| anyhow::anyhow!("want a 32-byte Ed25519 public key in hex"))?;
    Ok(VerifyingKey::from_bytes(&bytes)?)
}

/// Verifies the audit chain of the database at `db_url` (for `pora audit verify --db URL [--key K]`).
///
/// `pinned_key` is the server's audit public key (64 hex digits, or the path of the server's
/// `pora-audit.key`); without it signed heads are checked against the keys recorded in the database.
/// Returns the report; `report.fault` names the first modified, inserted or removed entry.
pub async fn verify(db_url: &str, pinned_key: Option<&str>) -> anyhow::Result<ChainReport> {
    let pinned = pinned_key.map(parse_public_key).transpose()?;
    let store = Store::open(db_url).await?;
    let report = verify_chain(&store, pinned.as_ref()).await?;
    store.close().await;
    Ok(report)
}

/// Starts the task that signs the chain head every `config.audit_sign_interval`.
pub fn spawn_head_signer(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(state.config.audit_sign_interval);
        loop {
            tick.tick().await;
            match state.sign_audit_head().await {
                Ok(Some(h)) => tracing::debug!(seq = h.seq, "signed audit head"),
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "could not sign the audit head"),
            }
        }
    })
}

/// Starts the hourly job that raises week-ahead expiry reminders (alerts of kind `expiring`).
pub fn spawn_reminders(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let now = pora_store::model::now_unix();
            let result = async {
                let mut tx = state.store.tx().await?;
                let n = pora_store::repo::raise_expiry_alerts(
                    &mut tx,
                    pora_store::model::Date::from_unix(now),
                    7,
                    now,
                )
                .await?;
                tx.commit().await.map_err(pora_store::StoreError::from)?;
                Ok::<u64, pora_store::StoreError>(n)
            }
            .await;
            match result {
                Ok(n) if n > 0 => tracing::info!(raised = n, "expiry reminders"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "expiry reminders failed"),
            }
        }
    })
}

/// `GET /api/v1/audit`: entries, newest first (the listing is itself audited).
pub async fn list(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Query(pg): Query<Paging>,
) -> ApiResult<Json<List<Entry>>> {
    let page = pg.page()?;
    let items = state.store.audit_list(page).await?;
    state
        .store
        .audit_append(NewEntry {
            actor: p.actor(),
            action: "audit.list".into(),
            subject_kind: "system".into(),
            subject_id: "audit_log".into(),
            purpose: Purpose {
                kind: pora_store::model::PurposeKind::Audit,
                reference: "review".into(),
            },
            details: json!({ "limit": page.limit, "offset": page.offset }),
        })
        .await?;
    Ok(Json(List::new(items, page, None)))
}

/// `GET /api/v1/audit/verify`: signs the current head, then verifies the chain against the server's
/// own audit key.
pub async fn verify_handler(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    state.sign_audit_head().await?;
    let report = verify_chain(&state.store, Some(&state.audit_key.verifying_key()))
        .await
        .map_err(ApiError::from)?;
    Ok(Json(json!({
        "intact": report.is_intact(),
        "report": report,
        "fault": report.fault.as_ref().map(|f| f.to_string()),
        "key_id": state.audit_key_id,
        "public_key": hex::encode(state.audit_key.verifying_key().as_bytes()),
    })))
}
