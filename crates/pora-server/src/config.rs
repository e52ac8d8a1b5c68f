//! Server configuration: where the database and key material live, and the HTTP knobs.

use std::net::SocketAddr;
use std::path::PathBuf;

/// How the server runs. Build with [`ServerConfig::new`] and adjust fields, or [`ServerConfig::from_env`].
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// `sqlite:PATH` (default `sqlite:pora.db`) or `postgres://…`.
    pub db_url: String,
    /// Address to listen on (default `127.0.0.1:8080`).
    pub listen: SocketAddr,
    /// Directory for key files (`pora-kek.key` when `PORA_KEK` is unset, `pora-audit.key`).
    pub data_dir: PathBuf,
    /// The key-encryption key, 32 bytes hex; `None` reads `PORA_KEK`, else `data_dir/pora-kek.key`
    /// (created with mode 0600 on first start).
    pub kek_hex: Option<String>,
    /// Mark cookies `Secure` (set when serving behind TLS).
    pub secure_cookies: bool,
    /// Request body limit in bytes (default 64 KiB).
    pub body_limit: usize,
    /// How often the audit chain head is signed (default 60 s).
    pub audit_sign_interval: std::time::Duration,
    /// Cookie session lifetime (default 8 h).
    pub session_ttl_secs: i64,
    /// Bearer token lifetime (default 30 days).
    pub token_ttl_secs: i64,
    /// Login failures allowed per (IP, user) in the window before 429 (default 5 in 15 min).
    pub login_max_failures: usize,
    /// The window for [`ServerConfig::login_max_failures`].
    pub login_window: std::time::Duration,
    /// argon2id cost: memory KiB, iterations, lanes (default OWASP 19 MiB, 2, 1).
    pub argon2: (u32, u32, u32),
    /// Status list tokens' time to live, seconds (default 1 h).
    pub status_ttl_secs: u64,
    /// A check or stay report farther than this from the registered address raises an alert
    /// (metres, default 5,000).
    pub away_distance_m: f64,
    /// A device clock further than this from its GNSS time raises an alert (seconds, default 300).
    pub clock_skew_secs: i64,
    /// Base-map tile URL template for the dashboard's map (`https://host/{z}/{x}/{y}.png`); `None`
    /// (default) draws the embedded region boundaries only, with no request leaving the server.
    pub tile_url: Option<String>,
    /// The retention schedule and how often the server applies it (defaults in
    /// [`pora_store::retention::RetentionConfig`]).
    pub retention: pora_store::retention::RetentionConfig,
}

impl ServerConfig {
    /// Defaults for `db_url` and `listen`.
    pub fn new(db_url: &str, listen: SocketAddr) -> Self {
        ServerConfig {
            db_url: db_url.to_owned(),
            listen,
            data_dir: PathBuf::from("."),
            kek_hex: None,
            secure_cookies: false,
            body_limit: 64 * 1024,
            audit_sign_interval: std::time::Duration::from_secs(60),
            session_ttl_secs: 8 * 3600,
            token_ttl_secs: 30 * 86_400,
            login_max_failures: 5,
            login_window: std::time::Duration::from_secs(15 * 60),
            argon2: (19 * 1024, 2, 1),
            away_distance_m: 5_000.0,
            clock_skew_secs: 300,
            status_ttl_secs: 3600,
            tile_url: None,
            retention: pora_store::retention::RetentionConfig::default(),
        }
    }

    /// Reads `PORA_DB` (default `sqlite:pora.db`), `PORA_LISTEN` (default `127.0.0.1:8080`),
    /// `PORA_DATA_DIR` (default `.`), `PORA_SECURE_COOKIES=1`, and the retention schedule from
    /// `PORA_RETENTION_FILE` (JSON) and `PORA_RETENTION_*` ([`crate::retention::load_config`]).
    pub fn from_env() -> anyhow::Result<Self> {
        let db = std::env::var("PORA_DB").unwrap_or_else(|_| "sqlite:pora.db".into());
        let listen = std::env::var("PORA_LISTEN")
            .unwrap_or_else(|_| "127.0.0.1:8080".into())
            .parse()?;
        let mut c = ServerConfig::new(&db, listen);
        if let Ok(d) = std::env::var("PORA_DATA_DIR") {
            c.data_dir = d.into();
        }
        c.secure_cookies =
            std::env::var("PORA_SECURE_COOKIES").is_ok_and(|v| v == "1" || v == "true");
        c.tile_url = Self::tile_url_from_env()?;
        c.retention = crate::retention::load_config(None)?;
        Ok(c)
    }

    /// `PORA_TILE_URL`, when set: an `http(s)://` template with `{z}`, `{x}` and `{y}` and no
    /// quotes, spaces or semicolons (it goes into the page and its content security policy).
    pub fn tile_url_from_env() -> anyhow::Result<Option<String>> {
        match std::env::var("PORA_TILE_URL") {
            Ok(u) if !u.is_empty() => {
                let ok = (u.starts_with("https://") || u.starts_with("http://"))
                    && ["{z}", "{x}", "{y}"].iter().all(|p| u.contains(p))
                    && !u
                        .chars()
                        .any(|c| c.is_whitespace() || "\"';<>\\".contains(c));
                if !ok {
                    anyhow::bail!("PORA_TILE_URL: want an http(s):// URL template with {{z}}, {{x}} and {{y}}");
                }
                Ok(Some(u))
            }
            _ => Ok(None),
        }
    }

    /// The database URL without a password, for logs.
    pub fn redacted_db_url(&self) -> String {
        match (self.db_url.find("://"), self.db_url.rfind('@')) {
            (Some(s), Some(at)) if at > s => {
                let creds = &self.db_url[s + 3..at];
                match creds.split_once(':') {
                    Some((user, _)) => format!(
                        "{}{}:***{}",
                        &self.db_url[..s + 3],
                        user,
                        &self.db_url[at..]
                    ),
                    None => self.db_url.clone(),
                }
            }
            _ => self.db_url.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        let addr = "127.0.0.1:1".parse().expect("addr");
        let c = ServerConfig::new("postgres://pora:secret@db:5432/pora", addr);
        assert_eq!(c.redacted_db_url(), "postgres://pora:***@db:5432/pora");
        let c = ServerConfig::new("sqlite:pora.db", addr);
        assert_eq!(c.redacted_db_url(), "sqlite:pora.db");
    }
}
