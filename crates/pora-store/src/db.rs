//! The [`Store`]: a pool to SQLite or PostgreSQL, opened and migrated in one call.

use std::sync::Arc;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor};

use crate::{Result, StoreError};

/// A connection of either backend; every query function in [`crate::repo`] takes one.
pub type Conn = sqlx::AnyConnection;
/// An open transaction; derefs to [`Conn`].
pub type Tx = sqlx::Transaction<'static, Any>;

/// Which database the store talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// SQLite file (the embedded default).
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

/// One migration: version, name, and the SQL for each dialect.
struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "init",
        sqlite: include_str!("../migrations/sqlite/0001_init.sql"),
        postgres: include_str!("../migrations/postgres/0001_init.sql"),
    },
    Migration {
        version: 2,
        name: "visa_index",
        sqlite: include_str!("../migrations/sqlite/0002_visa_index.sql"),
        postgres: include_str!("../migrations/postgres/0002_visa_index.sql"),
    },
    Migration {
        version: 3,
        name: "check_client_ref",
        sqlite: include_str!("../migrations/sqlite/0003_check_client_ref.sql"),
        postgres: include_str!("../migrations/postgres/0003_check_client_ref.sql"),
    },
    Migration {
        version: 4,
        name: "field_reports",
        sqlite: include_str!("../migrations/sqlite/0004_field_reports.sql"),
        postgres: include_str!("../migrations/postgres/0004_field_reports.sql"),
    },
    Migration {
        version: 5,
        name: "privacy",
        sqlite: include_str!("../migrations/sqlite/0005_privacy.sql"),
        postgres: include_str!("../migrations/postgres/0005_privacy.sql"),
    },
    Migration {
        version: 7,
        name: "offline_root",
        sqlite: include_str!("../migrations/sqlite/0007_offline_root.sql"),
        postgres: include_str!("../migrations/postgres/0007_offline_root.sql"),
    },
    Migration {
        version: 8,
        name: "operations",
        sqlite: include_str!("../migrations/sqlite/0008_operations.sql"),
        postgres: include_str!("../migrations/postgres/0008_operations.sql"),
    },
    Migration {
        version: 9,
        name: "report_bytes",
        sqlite: include_str!("../migrations/sqlite/0009_report_bytes.sql"),
        postgres: include_str!("../migrations/postgres/0009_report_bytes.sql"),
    },
    Migration {
        version: 10,
        name: "link_indexes",
        sqlite: include_str!("../migrations/sqlite/0010_link_indexes.sql"),
        postgres: include_str!("../migrations/postgres/0010_link_indexes.sql"),
    },
];

/// The database: a pool to either backend plus the lock that serialises audit appends.
#[derive(Clone, Debug)]
pub struct Store {
    /// Reads (several connections).
    pool: AnyPool,
    /// Writes: on SQLite a single connection, so writers queue in the pool instead of failing with
    /// `SQLITE_BUSY`; on PostgreSQL the same pool as reads.
    writer: AnyPool,
    backend: Backend,
    pub(crate) audit_lock: Arc<tokio::sync::Mutex<()>>,
    /// The group-commit queue of [`Store::audit_append`], started on first use.
    pub(crate) audit_queue: Arc<std::sync::OnceLock<crate::audit::QueueSender>>,
}

impl Store {
    /// Opens `url` and applies pending migrations.
    ///
    /// `sqlite:PATH` (or a bare path ending in `.db`/`.sqlite`) creates the file when missing;
    /// `postgres://…` connects to an existing database.
    pub async fn open(url: &str) -> Result<Self> {
        Self::open_with(url, default_pool_size(url)).await
    }

    /// Like [`Store::open`] with an explicit maximum pool size for reads.
    pub async fn open_with(url: &str, max_connections: u32) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let (url, backend) = normalise_url(url)?;
        let opts: AnyConnectOptions = url.parse().map_err(StoreError::Database)?;
        let writer_size = match backend {
            Backend::Sqlite => 1,
            Backend::Postgres => max_connections,
        };
        let writer = pool_options(backend, writer_size, true)
            .connect_with(opts.clone())
            .await?;
        let pool = match backend {
            Backend::Sqlite => {
                // Migrate through the writer before readers open the file.
                migrate_pool(&writer, backend).await?;
                pool_options(backend, max_connections, false)
                    .connect_with(opts)
                    .await?
            }
            Backend::Postgres => writer.clone(),
        };
        let store = Store {
            pool,
            writer,
            backend,
            audit_lock: Arc::new(tokio::sync::Mutex::new(())),
            audit_queue: Arc::new(std::sync::OnceLock::new()),
        };
        if backend == Backend::Postgres {
            store.migrate().await?;
        }
        Ok(store)
    }

    /// A clone sharing pools and the audit lock but not the group-commit queue (for its writer task).
    pub(crate) fn without_queue(&self) -> Store {
        Store {
            audit_queue: Arc::new(std::sync::OnceLock::new()),
            ..self.clone()
        }
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool, for queries that need no transaction.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The write pool (for single statements outside a transaction).
    pub fn writer(&self) -> &AnyPool {
        &self.writer
    }

    /// A pooled connection for reads.
    pub async fn conn(&self) -> Result<sqlx::pool::PoolConnection<Any>> {
        Ok(self.pool.acquire().await?)
    }

    /// Begins a write transaction.
    pub async fn tx(&self) -> Result<Tx> {
        Ok(self.writer.begin().await?)
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }

    /// Applies the migrations not yet recorded in `schema_migrations`; returns how many ran.
    pub async fn migrate(&self) -> Result<usize> {
        migrate_pool(&self.writer, self.backend).await
    }

    /// Names and columns of every table, sorted, for comparing the two dialects.
    pub async fn schema_outline(&self) -> Result<Vec<(String, Vec<String>)>> {
        let mut conn = self.pool.acquire().await?;
        let tables: Vec<String> = match self.backend {
            Backend::Sqlite => {
                sqlx::query_scalar(
                    "SELECT name FROM sqlite_master WHERE type = 'table' \
                     AND name NOT LIKE 'sqlite_%' ORDER BY name",
                )
                .fetch_all(&mut *conn)
                .await?
            }
            Backend::Postgres => {
                sqlx::query_scalar(
                    "SELECT table_name::text FROM information_schema.tables \
                     WHERE table_schema = 'public' ORDER BY table_name",
                )
                .fetch_all(&mut *conn)
                .await?
            }
        };
        let mut out = Vec::new();
        for t in tables {
            let mut cols: Vec<String> = match self.backend {
                Backend::Sqlite => {
                    sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
                        .bind(&t)
                        .fetch_all(&mut *conn)
                        .await?
                }
                Backend::Postgres => {
                    sqlx::query_scalar(
                        "SELECT column_name::text FROM information_schema.columns \
                         WHERE table_schema = 'public' AND table_name = $1",
                    )
                    .bind(&t)
                    .fetch_all(&mut *conn)
                    .await?
                }
            };
            cols.sort();
            out.push((t, cols));
        }
        Ok(out)
    }
}

/// Applies pending migrations through `pool`.
async fn migrate_pool(pool: &AnyPool, backend: Backend) -> Result<usize> {
    let mut conn = pool.acquire().await?;
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, \
         name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .await?;
    let done: Vec<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations")
        .fetch_all(&mut *conn)
        .await?;
    let mut ran = 0;
    for m in MIGRATIONS.iter().filter(|m| !done.contains(&m.version)) {
        let sql = match backend {
            Backend::Sqlite => m.sqlite,
            Backend::Postgres => m.postgres,
        };
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        sqlx::raw_sql(sql)
            .execute(&mut *tx)
            .await
            .map_err(|source| StoreError::Migration {
                version: m.version,
                source,
            })?;
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        )
        .bind(m.version)
        .bind(m.name)
        .bind(crate::model::now_unix())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::info!(version = m.version, name = m.name, "applied migration");
        ran += 1;
    }
    Ok(ran)
}

/// Page cache of the SQLite writer connection, KiB. The default (2 MiB) is far smaller than the
/// indexes that batch ingest writes into at random places (report ids), so a growing table turned
/// every insert into page reads; the cache is per connection and bounded, so memory stays flat.
const SQLITE_WRITER_CACHE_KIB: i64 = 64 * 1024;

fn pool_options(backend: Backend, max_connections: u32, writer: bool) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(std::time::Duration::from_secs(30))
        // sqlx pings every connection it hands out by default: one more round trip (to PostgreSQL,
        // or to the SQLite connection's worker thread) per acquire, often as many as the request's
        // own queries. A connection that died is found by the query that uses it instead.
        .test_before_acquire(false)
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                         PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                    )
                    .await?;
                    if writer {
                        conn.execute(
                            format!("PRAGMA cache_size = -{SQLITE_WRITER_CACHE_KIB}").as_str(),
                        )
                        .await?;
                    }
                }
                Ok(())
            })
        })
}

fn default_pool_size(url: &str) -> u32 {
    if url.starts_with("postgres") {
        16
    } else {
        8
    }
}

/// Accepts `sqlite:PATH`, `sqlite://PATH`, a bare file path, or a PostgreSQL URL; returns the URL
/// sqlx wants (SQLite files get `mode=rwc` so they are created on first open).
fn normalise_url(url: &str) -> Result<(String, Backend)> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok((url.to_owned(), Backend::Postgres));
    }
    let path = if let Some(rest) = url.strip_prefix("sqlite://") {
        rest
    } else if let Some(rest) = url.strip_prefix("sqlite:") {
        rest
    } else if !url.contains("://") && !url.is_empty() {
        url
    } else {
        return Err(StoreError::UnsupportedUrl(url.to_owned()));
    };
    let (path, query) = match path.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path, None),
    };
    let mut out = format!("sqlite://{path}");
    match query {
        Some(q) if q.contains("mode=") => out.push_str(&format!("?{q}")),
        Some(q) => out.push_str(&format!("?{q}&mode=rwc")),
        None => out.push_str("?mode=rwc"),
    }
    Ok((out, Backend::Sqlite))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_normalise() {
        let cases = [
            (
                "sqlite:pora.db",
                "sqlite://pora.db?mode=rwc",
                Backend::Sqlite,
            ),
            (
                "sqlite:///tmp/x.db",
                "sqlite:///tmp/x.db?mode=rwc",
                Backend::Sqlite,
            ),
            ("/tmp/x.db", "sqlite:///tmp/x.db?mode=rwc", Backend::Sqlite),
            (
                "sqlite:x.db?mode=ro",
                "sqlite://x.db?mode=ro",
                Backend::Sqlite,
            ),
            ("postgres://u@h/db", "postgres://u@h/db", Backend::Postgres),
        ];
        for (input, want, backend) in cases {
            let (got, b) = normalise_url(input).expect("valid url");
            assert_eq!(got, want, "{input}");
            assert_eq!(b, backend, "{input}");
        }
        assert!(normalise_url("mysql://x").is_err());
    }
}
