//! Test support: throw-away SQLite files and PostgreSQL databases, for this crate's and the
//! server's tests.
//!
//! PostgreSQL tests use `PORA_TEST_PG_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`) to
//! create a fresh database `pora_test_<pid>_<n>` per test and drop it afterwards. When the server is
//! unreachable the PostgreSQL half of a test is skipped with a notice, unless `CI=true`, where it fails.

use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::{Connection, Executor};

use crate::Store;

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The admin URL used to create test databases.
pub fn pg_admin_url() -> String {
    std::env::var("PORA_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A temporary database; drop it with [`TestDb::cleanup`].
#[derive(Debug)]
pub struct TestDb {
    /// The open store.
    pub store: Store,
    /// Its URL.
    pub url: String,
    pg_name: Option<String>,
    _dir: Option<TempDir>,
}

/// A temporary directory removed on drop.
#[derive(Debug)]
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    /// Creates `$TMPDIR/pora-test-<pid>-<n>`.
    pub fn new(tag: &str) -> Self {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!("pora-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("create temp dir");
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl TestDb {
    /// A fresh SQLite file store.
    pub async fn sqlite() -> Self {
        let dir = TempDir::new("sqlite");
        let url = format!("sqlite:{}", dir.0.join("pora.db").display());
        let store = Store::open(&url).await.expect("open sqlite");
        TestDb {
            store,
            url,
            pg_name: None,
            _dir: Some(dir),
        }
    }

    /// A fresh PostgreSQL database, or `None` (with a printed notice) when PostgreSQL is unreachable
    /// outside CI. Under `CI=true` an unreachable server panics.
    pub async fn postgres() -> Option<Self> {
        let admin = pg_admin_url();
        let mut conn = match sqlx::PgConnection::connect(&admin).await {
            Ok(c) => c,
            Err(e) => {
                if std::env::var("CI").as_deref() == Ok("true") {
                    panic!("CI=true and PostgreSQL is unreachable at {admin}: {e}");
                }
                // Written to stderr directly so the test harness does not capture it.
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
                    "NOTICE: PostgreSQL unreachable at {admin} ({e}); skipping the PostgreSQL half of this test"
                );
                return None;
            }
        };
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let name = format!("pora_test_{}_{n}", std::process::id());
        conn.execute(format!("DROP DATABASE IF EXISTS {name}").as_str())
            .await
            .expect("drop old test db");
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("create test db");
        let _ = conn.close().await;
        let url = match admin.rsplit_once('/') {
            Some((base, _)) => format!("{base}/{name}"),
            None => panic!("PORA_TEST_PG_URL must end in /DBNAME"),
        };
        let store = Store::open_with(&url, 4).await.expect("open postgres");
        Some(TestDb {
            store,
            url,
            pg_name: Some(name),
            _dir: None,
        })
    }

    /// Closes the store and drops the PostgreSQL database (SQLite files go with the temp dir).
    pub async fn cleanup(self) {
        self.store.close().await;
        if let Some(name) = &self.pg_name {
            if let Ok(mut conn) = sqlx::PgConnection::connect(&pg_admin_url()).await {
                let _ = conn
                    .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                    .await;
                let _ = conn.close().await;
            }
        }
    }
}

/// The integer answer of a `SELECT COUNT(*) …` (tests only); panics on error.
pub async fn count(store: &Store, sql: &str) -> i64 {
    let mut c = store.conn().await.expect("connection");
    sqlx::query_scalar(sql)
        .fetch_one(&mut *c)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Runs raw SQL through the write pool, as someone with direct database access would (tests of
/// tampering); panics on error.
pub async fn exec_raw(store: &Store, sql: &str) {
    sqlx::raw_sql(sql)
        .execute(store.writer())
        .await
        .expect("raw SQL");
}

/// Runs `body` against a fresh SQLite store and, when reachable, a fresh PostgreSQL database;
/// databases are dropped even when the body panics (the panic is then resumed).
pub async fn on_both<F, Fut>(body: F)
where
    F: Fn(Store) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut dbs = vec![TestDb::sqlite().await];
    if let Some(pg) = TestDb::postgres().await {
        dbs.push(pg);
    }
    let mut failure = None;
    for db in dbs {
        let backend = db.store.backend();
        if failure.is_none() {
            if let Err(panic) = CatchUnwind(Box::pin(body(db.store.clone()))).await {
                eprintln!("test body failed on {backend:?}");
                failure = Some(panic);
            }
        }
        // Every database is dropped, also those whose turn did not come after a failure.
        db.cleanup().await;
    }
    if let Some(panic) = failure {
        std::panic::resume_unwind(panic);
    }
}

/// A minimal `catch_unwind` for futures (avoids a dependency on futures-util).
struct CatchUnwind<F>(std::pin::Pin<Box<F>>);

impl<F: std::future::Future> std::future::Future for CatchUnwind<F> {
    type Output = std::thread::Result<F::Output>;
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let fut = self.0.as_mut();
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| fut.poll(cx))) {
            Ok(std::task::Poll::Pending) => std::task::Poll::Pending,
            Ok(std::task::Poll::Ready(v)) => std::task::Poll::Ready(Ok(v)),
            Err(e) => std::task::Poll::Ready(Err(e)),
        }
    }
}
