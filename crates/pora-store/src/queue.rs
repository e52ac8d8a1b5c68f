//! The field device's offline queue: signed check reports waiting for upload, and the device's small
//! state (enrolment, chain head, list ETags), in one local SQLite file.
//!
//! The file runs in WAL mode with `synchronous = FULL`, so a report is on disk when [`Queue::push`]
//! returns: the CLI stores a report before it shows the verdict, and a crash or power loss after
//! that loses nothing. Sync marks reports acknowledged only after the server answered for them.

use std::path::Path;
use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

use crate::Result;

/// A queued report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Queued {
    /// Report id, hex.
    pub report_id: String,
    /// Sequence number on this device.
    pub seq: i64,
    /// The tagged COSE_Sign1 bytes.
    pub bytes: Vec<u8>,
}

/// Counts of the queue.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueCounts {
    /// Waiting for upload.
    pub pending: i64,
    /// Acknowledged by the server.
    pub acked: i64,
    /// Refused by the server (kept, with the reason).
    pub refused: i64,
}

/// The local queue file.
#[derive(Clone, Debug)]
pub struct Queue {
    pool: SqlitePool,
}

impl Queue {
    /// Opens (creating) the queue file at `path`.
    pub async fn open(path: &Path) -> Result<Self> {
        let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(std::time::Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts)
            .await?;
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS reports (
                 seq INTEGER PRIMARY KEY,
                 report_id TEXT NOT NULL UNIQUE,
                 bytes BLOB NOT NULL,
                 state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'acked', 'refused')),
                 refusal TEXT,
                 created_at INTEGER NOT NULL
             );
             CREATE INDEX IF NOT EXISTS reports_state ON reports (state, seq);
             CREATE TABLE IF NOT EXISTS device_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
        )
        .execute(&pool)
        .await?;
        Ok(Queue { pool })
    }

    /// Stores a report (durable when this returns). The seq is the primary key: a device never
    /// queues two reports with one seq.
    pub async fn push(&self, q: &Queued, at: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO reports (seq, report_id, bytes, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(q.seq)
        .bind(&q.report_id)
        .bind(&q.bytes)
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Stores a report and the chain head it makes in one transaction.
    pub async fn push_with_head(&self, q: &Queued, head_hash: &str, at: i64) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO reports (seq, report_id, bytes, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(q.seq)
        .bind(&q.report_id)
        .bind(&q.bytes)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        for (k, v) in [
            ("next_seq", (q.seq + 1).to_string()),
            ("prev", head_hash.to_owned()),
        ] {
            sqlx::query(
                "INSERT INTO device_state (key, value) VALUES ($1, $2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(k)
            .bind(v)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The oldest `limit` pending reports, in seq order.
    pub async fn pending(&self, limit: i64) -> Result<Vec<Queued>> {
        let rows: Vec<(String, i64, Vec<u8>)> = sqlx::query_as(
            "SELECT report_id, seq, bytes FROM reports WHERE state = 'pending' ORDER BY seq LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(report_id, seq, bytes)| Queued {
                report_id,
                seq,
                bytes,
            })
            .collect())
    }

    /// Marks reports acknowledged (stored or already stored at the server).
    pub async fn mark_acked(&self, ids: &[String]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for id in ids {
            sqlx::query("UPDATE reports SET state = 'acked' WHERE report_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Marks a report refused by the server, with the reason (kept for the officer to see).
    pub async fn mark_refused(&self, id: &str, reason: &str) -> Result<()> {
        sqlx::query("UPDATE reports SET state = 'refused', refusal = $1 WHERE report_id = $2")
            .bind(reason)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// How many reports are in each state.
    pub async fn counts(&self) -> Result<QueueCounts> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT state, COUNT(*) FROM reports GROUP BY state")
                .fetch_all(&self.pool)
                .await?;
        let mut c = QueueCounts::default();
        for (s, n) in rows {
            match s.as_str() {
                "pending" => c.pending = n,
                "acked" => c.acked = n,
                _ => c.refused = n,
            }
        }
        Ok(c)
    }

    /// A state value.
    pub async fn get(&self, key: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT value FROM device_state WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Sets a state value.
    pub async fn set(&self, key: &str, value: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO device_state (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Closes the file.
    pub async fn close(self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reports_survive_reopening_and_are_acked_once() {
        let dir = std::env::temp_dir().join(format!("pora-queue-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("queue.db");
        let _ = std::fs::remove_file(&path);
        let q = Queue::open(&path).await.unwrap();
        for seq in 0..3 {
            let r = Queued {
                report_id: format!("{seq:032x}"),
                seq,
                bytes: vec![seq as u8; 10],
            };
            q.push_with_head(&r, &format!("h{seq}"), 0).await.unwrap();
        }
        assert!(q
            .push(
                &Queued {
                    report_id: "x".into(),
                    seq: 1,
                    bytes: vec![]
                },
                0
            )
            .await
            .is_err());
        q.close().await;
        let q = Queue::open(&path).await.unwrap();
        assert_eq!(q.get("next_seq").await.unwrap().as_deref(), Some("3"));
        assert_eq!(q.get("prev").await.unwrap().as_deref(), Some("h2"));
        let p = q.pending(2).await.unwrap();
        assert_eq!(p.iter().map(|r| r.seq).collect::<Vec<_>>(), [0, 1]);
        q.mark_acked(&[p[0].report_id.clone(), p[1].report_id.clone()])
            .await
            .unwrap();
        q.mark_refused(&format!("{:032x}", 2), "bad_signature")
            .await
            .unwrap();
        assert_eq!(
            q.counts().await.unwrap(),
            QueueCounts {
                pending: 0,
                acked: 2,
                refused: 1
            }
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
