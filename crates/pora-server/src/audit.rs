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

/// Output format of [`export`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// RFC 4180 CSV with a header line.
    Csv,
    /// A JSON array, one entry object per line.
    Json,
}

/// Columns of the CSV export, in order.
pub const EXPORT_COLUMNS: &[&str] = &[
    "seq",
    "time_utc",
    "actor_id",
    "actor_username",
    "actor_role",
    "actor_office",
    "action",
    "subject_kind",
    "subject_id",
    "purpose_kind",
    "purpose_ref",
];

/// One CSV field: quoted when it holds a comma, quote or line break; a leading `=`, `+`, `-` or `@`
/// is prefixed with `'` so a spreadsheet does not run it as a formula.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// Writes who did what to whom, why and when, for entries with `from <= at < to` (unix seconds),
/// to `out` — for a breach notice (UU PDP 27/2022: notice within 3 × 24 hours). Streams: the log is
/// read in pages of 5,000 entries and each row is written as it comes. Returns the rows written.
pub async fn export_store(
    store: &Store,
    from: i64,
    to: i64,
    format: ExportFormat,
    out: &mut (dyn std::io::Write + Send),
) -> anyhow::Result<u64> {
    match format {
        ExportFormat::Csv => writeln!(out, "{}", EXPORT_COLUMNS.join(","))?,
        ExportFormat::Json => writeln!(out, "[")?,
    }
    let mut first = true;
    let n = pora_store::privacy::audit_export(store, from, to, 5000, |r| {
        let time = crate::export_pdf::time_text(r.at);
        let time = time.trim_end_matches(" UTC");
        match format {
            ExportFormat::Csv => {
                let cells = [
                    r.seq.to_string(),
                    time.to_owned(),
                    r.actor_id.map(|a| a.to_string()).unwrap_or_default(),
                    r.actor_username.clone(),
                    r.actor_role.clone(),
                    r.actor_office.clone(),
                    r.action.clone(),
                    r.subject_kind.clone(),
                    r.subject_id.clone(),
                    r.purpose_kind.clone(),
                    r.purpose_ref.clone(),
                ];
                let line: Vec<String> = cells.iter().map(|c| csv_field(c)).collect();
                writeln!(out, "{}", line.join(","))
            }
            ExportFormat::Json => {
                let mut v = serde_json::to_value(r).unwrap_or_default();
                v["time_utc"] = json!(time);
                let sep = if first { "" } else { ",\n" };
                first = false;
                write!(out, "{sep}{v}")
            }
        }
    })
    .await?;
    if format == ExportFormat::Json {
        writeln!(out, "{}]", if n > 0 { "\n" } else { "" })?;
    }
    out.flush()?;
    Ok(n)
}

/// [`export_store`] on the database at `db_url` (for `pora audit export`).
pub async fn export(
    db_url: &str,
    from: i64,
    to: i64,
    format: ExportFormat,
    out: &mut (dyn std::io::Write + Send),
) -> anyhow::Result<u64> {
    let store = Store::open(db_url).await?;
    let n = export_store(&store, from, to, format, out).await;
    store.close().await;
    n
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
                let m = pora_store::field::raise_officer_anomalies(
                    &mut tx,
                    now - 86_400,
                    now,
                    crate::alerts::REPEATED_LOOKUPS,
                )
                .await?;
                tx.commit().await.map_err(pora_store::StoreError::from)?;
                Ok::<u64, pora_store::StoreError>(n + m)
            }
            .await;
            match result {
                Ok(n) if n > 0 => {
                    tracing::info!(raised = n, "expiry reminders and officer anomalies")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "expiry reminders failed"),
            }
        }
    })
}

/// `GET /api/v1/audit` query: paging and the search filters (all optional, combined with AND).
#[derive(Debug, Default, serde::Deserialize)]
pub struct AuditQuery {
    /// Page size (1..=500).
    pub limit: Option<i64>,
    /// Offset.
    pub offset: Option<i64>,
    /// The acting user: login name or user id.
    pub actor: Option<String>,
    /// The actor's role at the time.
    pub role: Option<String>,
    /// A person's NIORA: entries about that person.
    pub person: Option<String>,
    /// `kind` or `kind:reference` (e.g. `operation:SP-01/PORA/2026`).
    pub purpose: Option<String>,
    /// An action (`permit.read`) or a family (`permit`).
    pub action: Option<String>,
    /// First day (`YYYY-MM-DD`, UTC).
    pub from: Option<String>,
    /// Last day, inclusive.
    pub to: Option<String>,
}

/// A query field given and not blank, trimmed.
fn some(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Checks the query and turns it into a store filter; `Ok(None)` when the actor named does not exist
/// (nothing can match).
async fn audit_filter(
    state: &AppState,
    q: &AuditQuery,
) -> ApiResult<Option<pora_store::audit::AuditFilter>> {
    use pora_store::model::{Date, Niora, PurposeKind, Role};
    let mut f = pora_store::audit::AuditFilter::default();
    if let Some(a) = some(&q.actor) {
        if a.len() > 64 || a.chars().any(char::is_control) {
            return Err(ApiError::invalid("actor", "a login name or user id"));
        }
        f.actor_id = match a.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                let mut c = state.store.conn().await?;
                match pora_store::repo::user_by_username(&mut c, a).await? {
                    Some(u) => Some(u.id),
                    None => return Ok(None),
                }
            }
        };
    }
    if let Some(r) = some(&q.role) {
        f.actor_role = Some(if r == "system" {
            r.to_owned()
        } else {
            Role::parse("role", r)?.as_str().to_owned()
        });
    }
    if let Some(n) = some(&q.person) {
        f.person = Some(Niora::parse("person", n)?.as_str().to_owned());
    }
    if let Some(p) = some(&q.purpose) {
        let (kind, reference) = p.split_once(':').unwrap_or((p, ""));
        f.purpose_kind = Some(
            PurposeKind::parse("purpose", kind.trim())?
                .as_str()
                .to_owned(),
        );
        let reference = reference.trim();
        if reference.len() > 64 || reference.chars().any(char::is_control) {
            return Err(ApiError::invalid(
                "purpose",
                "reference of at most 64 printable characters",
            ));
        }
        f.purpose_ref = (!reference.is_empty()).then(|| reference.to_owned());
    }
    if let Some(a) = some(&q.action) {
        let ok = a.len() <= 64
            && a.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.')
            && !a.starts_with('.')
            && !a.ends_with('.');
        if !ok {
            return Err(ApiError::invalid(
                "action",
                "an action such as permit.read, or a family such as permit",
            ));
        }
        f.action = Some(a.to_owned());
    }
    let from = crate::api::opt_date("from", &some(&q.from).map(str::to_owned))?;
    let to = crate::api::opt_date("to", &some(&q.to).map(str::to_owned))?;
    if let (Some(a), Some(b)) = (from, to) {
        if b < a {
            return Err(ApiError::invalid("to", "the period ends before it starts"));
        }
    }
    f.from = from.map(Date::unix);
    f.to = to.map(|d| d.add_days(1).unix());
    Ok(Some(f))
}

/// `GET /api/v1/audit`: entries, newest first, searched by actor, role, person, purpose, action and
/// period, paged, with the number of matches (up to [`pora_store::audit::SEARCH_COUNT_CAP`]). The
/// search is itself audited, with its filters.
pub async fn list(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Json<List<Entry>>> {
    let page = Paging {
        limit: q.limit,
        offset: q.offset,
    }
    .page()?;
    let filter = audit_filter(&state, &q).await?;
    let (items, total) = match &filter {
        Some(f) => state.store.audit_search(f, page).await?,
        None => (Vec::new(), Some(0)),
    };
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
            details: json!({
                "limit": page.limit, "offset": page.offset, "actor": q.actor, "role": q.role,
                "person": q.person, "purpose": q.purpose, "action": q.action, "from": q.from, "to": q.to,
            }),
        })
        .await?;
    Ok(Json(List::new(items, page, total)))
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
