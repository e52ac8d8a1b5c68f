//! The retention job as the server and the CLI run it: the schedule from a JSON file and the
//! environment, the timer in the server, and [`run`] for `pora retention run`. The rules themselves
//! live in [`pora_store::retention`].

use std::path::Path;

use pora_store::model::now_unix;
use pora_store::retention::{self, AnchorKey, RetentionConfig, RetentionReport};
use pora_store::Store;

use crate::state::AppState;

/// Environment variable naming the JSON file of the retention schedule.
pub const FILE_ENV: &str = "PORA_RETENTION_FILE";

/// The schedule: defaults, then the JSON object in `file` (or in `$PORA_RETENTION_FILE`), then the
/// `PORA_RETENTION_*` variables ([`pora_store::retention::ENV`]).
pub fn load_config(file: Option<&Path>) -> anyhow::Result<RetentionConfig> {
    let from_env = std::env::var_os(FILE_ENV).map(std::path::PathBuf::from);
    let mut config = match file.map(Path::to_path_buf).or(from_env) {
        Some(path) => {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
            RetentionConfig::from_json(&text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
        }
        None => RetentionConfig::default(),
    };
    config.apply_env(|name| std::env::var(name).ok())?;
    Ok(config)
}

/// Runs the schedule once against the database at `db_url` (for `pora retention run`). The audit
/// rule needs the server's audit key `data_dir/pora-audit.key` to sign its anchor; without that file
/// it is skipped (the report says so). `now` defaults to the clock.
pub async fn run(
    db_url: &str,
    data_dir: &Path,
    config: &RetentionConfig,
    now: Option<i64>,
    dry_run: bool,
) -> anyhow::Result<RetentionReport> {
    let store = Store::open(db_url).await?;
    let key_path = data_dir.join(crate::audit::KEY_FILE);
    let key = if key_path.exists() {
        Some(crate::audit::load_or_create_key(data_dir)?)
    } else {
        None
    };
    let key_id = key
        .as_ref()
        .map(|k| crate::audit::key_id(&k.verifying_key()));
    if let (Some(k), Some(id)) = (&key, &key_id) {
        store.audit_register_key(id, &k.verifying_key()).await?;
    }
    let anchor = match (&key, &key_id) {
        (Some(key), Some(key_id)) => Some(AnchorKey { key, key_id }),
        _ => None,
    };
    let report = retention::run(
        &store,
        config,
        now.unwrap_or_else(now_unix),
        dry_run,
        anchor,
    )
    .await;
    store.close().await;
    Ok(report?)
}

impl AppState {
    /// Runs the configured schedule once as of `now`, signing audit anchors with the server's key.
    pub async fn run_retention(
        &self,
        now: i64,
        dry_run: bool,
    ) -> pora_store::Result<RetentionReport> {
        retention::run(
            &self.store,
            &self.config.retention,
            now,
            dry_run,
            Some(AnchorKey {
                key: &self.audit_key,
                key_id: &self.audit_key_id,
            }),
        )
        .await
    }
}

/// Starts the task that runs the schedule every `config.retention.run_every_hours` (first run one
/// minute after start).
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let period = std::time::Duration::from_secs(
            u64::from(state.config.retention.run_every_hours) * 3600,
        );
        let start = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
        let mut tick = tokio::time::interval_at(start, period);
        loop {
            tick.tick().await;
            match state.run_retention(now_unix(), false).await {
                Ok(report) => {
                    for r in report.rules.iter().filter(|r| r.count > 0) {
                        tracing::info!(kind = r.kind.as_str(), count = r.count, "retention");
                    }
                }
                Err(e) => tracing::warn!(error = %e, "retention run failed"),
            }
        }
    })
}
