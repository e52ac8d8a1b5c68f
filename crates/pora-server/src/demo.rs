//! The `pora demo`: a deterministic Bekasi data set and a server over it.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Demo settings.
#[derive(Clone, Debug)]
pub struct DemoConfig {
    /// Database URL (default: a fresh SQLite file in `dir`).
    pub db_url: Option<String>,
    /// Directory for the database and key files.
    pub dir: PathBuf,
    /// Listen address.
    pub listen: SocketAddr,
    /// RNG seed.
    pub seed: u64,
    /// Build the data and return without serving.
    pub no_serve: bool,
}

/// Builds a fresh demo database and serves it, printing the URL and the demo logins.
pub async fn demo(config: DemoConfig) -> anyhow::Result<()> {
    let _ = config;
    anyhow::bail!("the demo generator is not written yet")
}
