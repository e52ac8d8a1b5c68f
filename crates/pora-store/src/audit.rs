//! The audit log: append-only, hash-chained, with chain heads signed by the server.
//!
//! Every read or change of personal data appends one entry. An entry is
//! `(seq, at, actor_id, actor_role, actor_office, action, subject_kind, subject_id, purpose_kind,
//! purpose_ref, details, prev_hash, hash)`; `seq` counts from 1 without gaps and `prev_hash` is the
//! `hash` of entry `seq - 1` ([`GENESIS`] for entry 1).
//!
//! # Canonical encoding
//! `hash = SHA-256("pora-audit-v1" ‖ F(seq) ‖ F(at) ‖ F(actor_id) ‖ F(actor_role) ‖ F(actor_office) ‖
//! F(action) ‖ F(subject_kind) ‖ F(subject_id) ‖ F(purpose_kind) ‖ F(purpose_ref) ‖ F(details) ‖
//! F(prev_hash))`, written as 64 lowercase hex digits, where `F(x)` is the 4-byte big-endian length of
//! the UTF-8 bytes of `x` followed by those bytes. Integers (`seq`, `at` in unix seconds, `actor_id`)
//! are written in decimal ASCII, an absent `actor_id` as the empty string; `details` is the JSON text
//! exactly as stored (the store writes it with object keys sorted and no whitespace); `prev_hash` is
//! lowercase hex.
//!
//! # Signed heads
//! At intervals the server signs the current head with its Ed25519 audit key:
//! `signature = Ed25519(key, "pora-audit-head-v1" ‖ F(seq) ‖ F(hash) ‖ F(at) ‖ F(key_id))`, stored in
//! `audit_heads`. A verifier that pins the server's public key then also catches a rewrite of the whole
//! chain after some entry, and the removal of the tail.
//!
//! # Retention anchors
//! Entries older than the retention period go (UU PDP 27/2022: deletion after the retention period)
//! without breaking verification. The retention job, holding the audit lock, signs an anchor
//! `Ed25519(key, "pora-audit-anchor-v1" ‖ F(seq) ‖ F(hash) ‖ F(at) ‖ F(cutoff) ‖ F(removed) ‖ F(key_id))`
//! saying "the chain now starts after entry `seq`, whose hash was `hash`", stores it in
//! `audit_anchors`, appends an entry recording what went (kind, count, seq range, cutoff), and deletes
//! entries `1..=seq`, all in one transaction ([`AuditedTx::prune_through`]). [`verify_chain`] starts
//! from the newest anchor whose signature verifies: the first retained entry must link to the
//! anchor's hash.
//!
//! Database triggers refuse `UPDATE` on `audit_log`, and `DELETE` of any entry not covered by an
//! anchor (SQLite: a `WHEN` condition on the trigger; PostgreSQL: the trigger function checks, since
//! its trigger conditions cannot hold a subquery). `audit_anchors` itself is append-only.
//! [`verify_chain`] is what catches someone who drops the triggers first.

use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::db::{Backend, Conn, Tx};
use crate::field::{bind_vals, Val};
use crate::model::{now_unix, Page, Purpose};
use crate::{Result, Store, StoreError};

/// `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who did it: a user with role and office, or the system.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The user id; `None` for the system itself.
    pub user_id: Option<i64>,
    /// The role at the time (`system` for the system).
    pub role: String,
    /// The office code at the time (empty for national scope).
    pub office: String,
}

impl Actor {
    /// The server itself.
    pub fn system() -> Self {
        Actor {
            user_id: None,
            role: "system".into(),
            office: String::new(),
        }
    }
}

/// An entry to append.
#[derive(Clone, Debug)]
pub struct NewEntry {
    /// Who.
    pub actor: Actor,
    /// What, e.g. `person.read`, `permit.issue`.
    pub action: String,
    /// Kind of subject: `person`, `permit`, `user`, `device`, `key`, `system`.
    pub subject_kind: String,
    /// Subject id: the NIORA for a person.
    pub subject_id: String,
    /// Why.
    pub purpose: Purpose,
    /// Anything else, as a JSON value (stored canonically).
    pub details: serde_json::Value,
}

/// A stored entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// Unix seconds.
    pub at: i64,
    /// Actor user id.
    pub actor_id: Option<i64>,
    /// Actor role.
    pub actor_role: String,
    /// Actor office code.
    pub actor_office: String,
    /// Action.
    pub action: String,
    /// Subject kind.
    pub subject_kind: String,
    /// Subject id.
    pub subject_id: String,
    /// Purpose kind.
    pub purpose_kind: String,
    /// Purpose reference.
    pub purpose_ref: String,
    /// Canonical JSON text.
    pub details: String,
    /// Hash of the previous entry.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

impl Entry {
    /// Recomputes the hash from the fields (see the module docs).
    pub fn compute_hash(&self) -> String {
        self.hash_with_seq(self.seq)
    }

    fn hash_with_seq(&self, seq: i64) -> String {
        let mut h = Sha256::new();
        h.update(b"pora-audit-v1");
        let actor = self.actor_id.map(|a| a.to_string()).unwrap_or_default();
        for field in [
            seq.to_string().as_str(),
            self.at.to_string().as_str(),
            actor.as_str(),
            &self.actor_role,
            &self.actor_office,
            &self.action,
            &self.subject_kind,
            &self.subject_id,
            &self.purpose_kind,
            &self.purpose_ref,
            &self.details,
            &self.prev_hash,
        ] {
            frame(&mut h, field.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

fn frame(h: &mut Sha256, bytes: &[u8]) {
    // Fields are bounded by the API (details by the request body limit), far below 4 GiB.
    let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    h.update(len.to_be_bytes());
    h.update(bytes);
}

/// A signed chain head.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedHead {
    /// Seq of the head entry.
    pub seq: i64,
    /// Its hash.
    pub hash: String,
    /// When it was signed (unix seconds).
    pub at: i64,
    /// Which audit key signed.
    pub key_id: String,
    /// Ed25519 signature, hex.
    pub signature: String,
}

impl SignedHead {
    fn message(seq: i64, hash: &str, at: i64, key_id: &str) -> Vec<u8> {
        let mut m = b"pora-audit-head-v1".to_vec();
        for f in [
            seq.to_string().as_str(),
            hash,
            at.to_string().as_str(),
            key_id,
        ] {
            let len = u32::try_from(f.len()).unwrap_or(u32::MAX);
            m.extend_from_slice(&len.to_be_bytes());
            m.extend_from_slice(f.as_bytes());
        }
        m
    }

    fn verify(&self, key: &VerifyingKey) -> bool {
        let Ok(bytes) = hex::decode(&self.signature) else {
            return false;
        };
        let Ok(sig) = Signature::from_slice(&bytes) else {
            return false;
        };
        key.verify(
            &Self::message(self.seq, &self.hash, self.at, &self.key_id),
            &sig,
        )
        .is_ok()
    }
}

/// A signed statement that the chain starts after entry `seq` (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    /// The last removed entry.
    pub seq: i64,
    /// Its hash: the first retained entry's `prev_hash`.
    pub hash: String,
    /// When the anchor was made (unix seconds).
    pub at: i64,
    /// Entries at or before this instant were expired.
    pub cutoff: i64,
    /// How many entries this anchor's run removed.
    pub removed: i64,
    /// Which audit key signed.
    pub key_id: String,
    /// Ed25519 signature, hex.
    pub signature: String,
}

impl Anchor {
    fn message(&self) -> Vec<u8> {
        let mut m = b"pora-audit-anchor-v1".to_vec();
        for f in [
            self.seq.to_string().as_str(),
            &self.hash,
            self.at.to_string().as_str(),
            self.cutoff.to_string().as_str(),
            self.removed.to_string().as_str(),
            &self.key_id,
        ] {
            let len = u32::try_from(f.len()).unwrap_or(u32::MAX);
            m.extend_from_slice(&len.to_be_bytes());
            m.extend_from_slice(f.as_bytes());
        }
        m
    }

    fn verify(&self, key: &VerifyingKey) -> bool {
        let Ok(bytes) = hex::decode(&self.signature) else {
            return false;
        };
        let Ok(sig) = Signature::from_slice(&bytes) else {
            return false;
        };
        key.verify(&self.message(), &sig).is_ok()
    }
}

/// The first thing found wrong with the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "fault", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChainFault {
    /// The entry's fields no longer match its hash.
    #[error("entry {seq} was modified")]
    Modified {
        /// The entry.
        seq: i64,
    },
    /// The entry is missing (a gap, or later entries renumbered to close one).
    #[error("entry {seq} was removed")]
    Removed {
        /// The first missing seq.
        seq: i64,
    },
    /// The entry does not belong in the chain (it was inserted).
    #[error("entry {seq} was inserted")]
    Inserted {
        /// The inserted entry.
        seq: i64,
    },
    /// A signed head names an entry beyond the end of the log.
    #[error("log truncated: signed head covers entry {signed_seq} but the log ends at {last_seq}")]
    Truncated {
        /// The signed head's seq.
        signed_seq: i64,
        /// The last seq present.
        last_seq: i64,
    },
    /// The chain is self-consistent but differs from a signed head: entries after `after_seq`, up to
    /// `seq`, were rewritten with recomputed hashes.
    #[error("entries after {after_seq} up to {seq} were rewritten (signed head at {seq} does not match)")]
    Rewritten {
        /// The last seq confirmed by an earlier signed head (0 if none).
        after_seq: i64,
        /// The signed head that does not match.
        seq: i64,
    },
    /// A signed head's signature does not verify, or its key is not the pinned one.
    #[error("signed head at {seq} has a bad signature or an untrusted key {key_id}")]
    BadHeadSignature {
        /// The head's seq.
        seq: i64,
        /// Its key id.
        key_id: String,
    },
    /// A retention anchor's signature does not verify, or its key is not the pinned one.
    #[error("retention anchor at {seq} has a bad signature or an untrusted key {key_id}")]
    BadAnchorSignature {
        /// The anchor's seq.
        seq: i64,
        /// Its key id.
        key_id: String,
    },
}

/// What [`verify_chain`] found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainReport {
    /// Entries read.
    pub entries: i64,
    /// The last seq read (0 for an empty log).
    pub last_seq: i64,
    /// Signed heads checked.
    pub heads_checked: i64,
    /// Whether the heads were checked against a pinned key (otherwise against `audit_keys`, which
    /// only shows self-consistency).
    pub pinned_key: bool,
    /// Entries up to and including this seq were removed by retention, as a signed anchor proves;
    /// verification started after it (0: the chain starts at entry 1).
    #[serde(default)]
    pub starts_after: i64,
    /// `None` when intact.
    pub fault: Option<ChainFault>,
}

impl ChainReport {
    /// Whether no fault was found.
    pub fn is_intact(&self) -> bool {
        self.fault.is_none()
    }
}

/// A transaction that holds the audit lock, so entries can be appended atomically with the change
/// they record.
#[derive(Debug)]
pub struct AuditedTx {
    tx: Tx,
    _guard: tokio::sync::OwnedMutexGuard<()>,
    /// The head after this transaction's last append (saves a query per further append).
    head: Option<(i64, String)>,
}

impl AuditedTx {
    /// The transaction's connection, for the change being recorded.
    pub fn conn(&mut self) -> &mut Conn {
        &mut self.tx
    }

    /// Appends an entry at `now_unix()`.
    pub async fn append(&mut self, e: NewEntry) -> Result<Entry> {
        self.append_at(e, now_unix()).await
    }

    /// Appends an entry with an explicit time (demo data, tests).
    pub async fn append_at(&mut self, e: NewEntry, at: i64) -> Result<Entry> {
        let mut entries = self.append_all(vec![(e, at)]).await?;
        entries
            .pop()
            .ok_or(StoreError::AuditBatch("no entry appended".into()))
    }

    /// Appends entries in order (each with its time), chained one after the other, with few
    /// statements: multi-row `INSERT`s of [`INSERT_CHUNKS`] rows, so that a batch of `n` entries
    /// costs at most about log2(`n`) statements and the statement cache holds a handful of shapes.
    pub async fn append_all(&mut self, batch: Vec<(NewEntry, i64)>) -> Result<Vec<Entry>> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let (mut seq, mut prev_hash) = match self.head.take() {
            Some((seq, hash)) => (seq, hash),
            None => {
                let last = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                    .fetch_optional(&mut *self.tx)
                    .await?;
                match last {
                    Some(row) => (row.try_get::<i64, _>(0)?, row.try_get::<String, _>(1)?),
                    None => (0, GENESIS.to_owned()),
                }
            }
        };
        let mut entries = Vec::with_capacity(batch.len());
        for (e, at) in batch {
            seq += 1;
            let mut entry = Entry {
                seq,
                at,
                actor_id: e.actor.user_id,
                actor_role: e.actor.role,
                actor_office: e.actor.office,
                action: e.action,
                subject_kind: e.subject_kind,
                subject_id: e.subject_id,
                purpose_kind: e.purpose.kind.as_str().to_owned(),
                purpose_ref: e.purpose.reference,
                // serde_json's default map is sorted by key, and to_string writes no whitespace.
                details: serde_json::to_string(&e.details).unwrap_or_else(|_| "{}".into()),
                prev_hash,
                hash: String::new(),
            };
            entry.hash = entry.compute_hash();
            prev_hash = entry.hash.clone();
            entries.push(entry);
        }
        let mut rest = &entries[..];
        while !rest.is_empty() {
            let n = INSERT_CHUNKS
                .iter()
                .copied()
                .find(|&n| n <= rest.len())
                .unwrap_or(1);
            let (chunk, tail) = rest.split_at(n);
            insert_entries(&mut self.tx, chunk).await?;
            rest = tail;
        }
        self.head = Some((seq, prev_hash));
        Ok(entries)
    }

    /// Removes entries `..=seq` under retention: signs and stores an [`Anchor`] at `seq`, then
    /// deletes what it covers (the delete trigger lets anchored entries go). Append the entry that
    /// records the removal in the same transaction. Returns the anchor.
    pub async fn prune_through(
        &mut self,
        seq: i64,
        removed: i64,
        cutoff: i64,
        at: i64,
        key: &SigningKey,
        key_id: &str,
    ) -> Result<Anchor> {
        let hash: String = sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = $1")
            .bind(seq)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or(StoreError::NotFound {
                entity: "audit entry",
            })?;
        let mut anchor = Anchor {
            seq,
            hash,
            at,
            cutoff,
            removed,
            key_id: key_id.to_owned(),
            signature: String::new(),
        };
        anchor.signature = hex::encode(key.sign(&anchor.message()).to_bytes());
        sqlx::query(
            "INSERT INTO audit_anchors (seq, hash, at, cutoff, removed, key_id, signature) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(anchor.seq)
        .bind(&anchor.hash)
        .bind(anchor.at)
        .bind(anchor.cutoff)
        .bind(anchor.removed)
        .bind(&anchor.key_id)
        .bind(&anchor.signature)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query("DELETE FROM audit_log WHERE seq <= $1")
            .bind(seq)
            .execute(&mut *self.tx)
            .await?;
        Ok(anchor)
    }

    /// Commits the change and its entries.
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}

impl Store {
    /// Begins a transaction holding the audit lock (in-process mutex, and on PostgreSQL an advisory
    /// lock so several server processes also append in turn).
    pub async fn begin_audited(&self) -> Result<AuditedTx> {
        let guard = self.audit_lock.clone().lock_owned().await;
        let mut tx = self.tx().await?;
        if self.backend() == Backend::Postgres {
            sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock(727201)) AS l")
                .execute(&mut *tx)
                .await?;
        }
        Ok(AuditedTx {
            tx,
            _guard: guard,
            head: None,
        })
    }

    /// Appends one entry and returns once it is committed.
    ///
    /// Concurrent callers are group-committed: a writer task takes every entry waiting in the queue
    /// (up to [`MAX_BATCH`]) into one transaction, so a burst of audited reads costs one commit (one
    /// fsync on PostgreSQL) instead of one each. Each caller still waits for its own entry to be
    /// durable, so a read is never answered without its audit record.
    pub async fn audit_append(&self, e: NewEntry) -> Result<Entry> {
        let queue = self.audit_queue.get_or_init(|| {
            let (tx, rx) = tokio::sync::mpsc::channel(4 * MAX_BATCH);
            // The writer holds a clone without the queue, so dropping every Store ends it.
            let inner = self.without_queue();
            tokio::spawn(audit_writer(inner, rx));
            tx
        });
        let (reply, answer) = tokio::sync::oneshot::channel();
        queue
            .send((e, now_unix(), reply))
            .await
            .map_err(|_| StoreError::AuditBatch("audit writer stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::AuditBatch("audit writer stopped".into()))?
    }

    /// Registers the public half of an audit key (idempotent).
    pub async fn audit_register_key(&self, key_id: &str, key: &VerifyingKey) -> Result<()> {
        let public = hex::encode(key.as_bytes());
        let existing: Option<String> =
            sqlx::query_scalar("SELECT public_key FROM audit_keys WHERE key_id = $1")
                .bind(key_id)
                .fetch_optional(self.pool())
                .await?;
        match existing {
            Some(p) if p == public => Ok(()),
            Some(_) => Err(StoreError::AuditKey(format!(
                "key id {key_id} is already registered with another public key"
            ))),
            None => {
                sqlx::query(
                    "INSERT INTO audit_keys (key_id, public_key, created_at) VALUES ($1, $2, $3)",
                )
                .bind(key_id)
                .bind(public)
                .bind(now_unix())
                .execute(self.writer())
                .await?;
                Ok(())
            }
        }
    }

    /// Signs the current head if it moved since the last signed head; returns the new head.
    pub async fn audit_sign_head(
        &self,
        key: &SigningKey,
        key_id: &str,
    ) -> Result<Option<SignedHead>> {
        let head = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(self.pool())
            .await?;
        let Some(head) = head else { return Ok(None) };
        let (seq, hash): (i64, String) = (head.try_get(0)?, head.try_get(1)?);
        let last_signed: Option<i64> =
            sqlx::query_scalar("SELECT MAX(seq) FROM audit_heads WHERE key_id = $1")
                .bind(key_id)
                .fetch_one(self.pool())
                .await?;
        if last_signed.is_some_and(|s| s >= seq) {
            return Ok(None);
        }
        let at = now_unix();
        let sig = key.sign(&SignedHead::message(seq, &hash, at, key_id));
        let head = SignedHead {
            seq,
            hash,
            at,
            key_id: key_id.to_owned(),
            signature: hex::encode(sig.to_bytes()),
        };
        sqlx::query("INSERT INTO audit_heads (seq, hash, at, key_id, signature) VALUES ($1, $2, $3, $4, $5)")
            .bind(head.seq)
            .bind(&head.hash)
            .bind(head.at)
            .bind(&head.key_id)
            .bind(&head.signature)
            .execute(self.writer())
            .await?;
        Ok(Some(head))
    }

    /// Entries about one subject, newest first.
    pub async fn audit_for_subject(&self, kind: &str, id: &str, page: Page) -> Result<Vec<Entry>> {
        let rows = sqlx::query(&format!(
            "{SELECT_ENTRY} WHERE subject_kind = $1 AND subject_id = $2 ORDER BY seq DESC LIMIT $3 OFFSET $4"
        ))
        .bind(kind)
        .bind(id)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(entry_from_row).collect()
    }

    /// Entries matching `filter`, newest first, and how many match in all when that is at most
    /// [`SEARCH_COUNT_CAP`] (`None` above it, so that counting never scans the whole log).
    pub async fn audit_search(
        &self,
        filter: &AuditFilter,
        page: Page,
    ) -> Result<(Vec<Entry>, Option<i64>)> {
        let (cond, binds) = filter.sql();
        let n = binds.len();
        let sql = format!(
            "{SELECT_ENTRY}{cond} ORDER BY seq DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let rows = bind_vals(sqlx::query(&sql), &binds)
            .bind(page.limit)
            .bind(page.offset)
            .fetch_all(self.pool())
            .await?;
        let items = rows
            .iter()
            .map(entry_from_row)
            .collect::<Result<Vec<_>>>()?;
        let count_sql = format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM audit_log{cond} LIMIT {}) t",
            SEARCH_COUNT_CAP + 1
        );
        let total: i64 = bind_vals(sqlx::query(&count_sql), &binds)
            .fetch_one(self.pool())
            .await?
            .try_get(0)?;
        Ok((items, (total <= SEARCH_COUNT_CAP).then_some(total)))
    }

    /// Retention anchors, oldest first.
    pub async fn audit_anchors(&self) -> Result<Vec<Anchor>> {
        let rows = sqlx::query(
            "SELECT seq, hash, at, cutoff, removed, key_id, signature FROM audit_anchors ORDER BY seq",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Anchor {
                    seq: r.try_get(0)?,
                    hash: r.try_get(1)?,
                    at: r.try_get(2)?,
                    cutoff: r.try_get(3)?,
                    removed: r.try_get(4)?,
                    key_id: r.try_get(5)?,
                    signature: r.try_get(6)?,
                })
            })
            .collect()
    }

    /// Signed heads, oldest first.
    pub async fn audit_heads(&self) -> Result<Vec<SignedHead>> {
        let rows = sqlx::query(
            "SELECT seq, hash, at, key_id, signature FROM audit_heads ORDER BY seq, id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SignedHead {
                    seq: r.try_get(0)?,
                    hash: r.try_get(1)?,
                    at: r.try_get(2)?,
                    key_id: r.try_get(3)?,
                    signature: r.try_get(4)?,
                })
            })
            .collect()
    }
}

/// The most entries one group commit takes.
pub const MAX_BATCH: usize = 256;

/// Row counts of the multi-row `INSERT`s [`AuditedTx::append_all`] uses, largest first (13 bound
/// values a row: 128 rows stay far below both backends' limits on bound values).
pub const INSERT_CHUNKS: [usize; 8] = [128, 64, 32, 16, 8, 4, 2, 1];

/// One `INSERT` of `entries` (at most 128) into `audit_log`.
async fn insert_entries(c: &mut Conn, entries: &[Entry]) -> Result<()> {
    const COLUMNS: usize = 13;
    let mut sql = String::with_capacity(200 + entries.len() * 80);
    sql.push_str(
        "INSERT INTO audit_log (seq, at, actor_id, actor_role, actor_office, action, subject_kind, \
         subject_id, purpose_kind, purpose_ref, details, prev_hash, hash) VALUES ",
    );
    for i in 0..entries.len() {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for j in 0..COLUMNS {
            if j > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", i * COLUMNS + j + 1));
        }
        sql.push(')');
    }
    let mut q = sqlx::query(&sql);
    for e in entries {
        q = q
            .bind(e.seq)
            .bind(e.at)
            .bind(e.actor_id)
            .bind(&e.actor_role)
            .bind(&e.actor_office)
            .bind(&e.action)
            .bind(&e.subject_kind)
            .bind(&e.subject_id)
            .bind(&e.purpose_kind)
            .bind(&e.purpose_ref)
            .bind(&e.details)
            .bind(&e.prev_hash)
            .bind(&e.hash);
    }
    q.execute(c).await?;
    Ok(())
}

type Job = (NewEntry, i64, tokio::sync::oneshot::Sender<Result<Entry>>);
/// The sending half of the group-commit queue.
pub(crate) type QueueSender = tokio::sync::mpsc::Sender<Job>;

async fn audit_writer(store: Store, mut rx: tokio::sync::mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let mut replies = Vec::with_capacity(batch.len());
        let mut jobs = Vec::with_capacity(batch.len());
        for (entry, at, reply) in batch {
            replies.push(reply);
            jobs.push((entry, at));
        }
        let result: Result<Vec<Entry>> = async {
            let mut tx = store.begin_audited().await?;
            let entries = tx.append_all(jobs).await?;
            tx.commit().await?;
            Ok(entries)
        }
        .await;
        match result {
            Ok(entries) => {
                for (reply, entry) in replies.into_iter().zip(entries) {
                    let _ = reply.send(Ok(entry));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "audit batch failed");
                let msg = e.to_string();
                for reply in replies {
                    let _ = reply.send(Err(StoreError::AuditBatch(msg.clone())));
                }
            }
        }
    }
}

/// Matches above this are not counted exactly by [`Store::audit_search`].
pub const SEARCH_COUNT_CAP: i64 = 10_000;

/// What the audit search looks for; every field is optional and the set ones must all hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// The acting user.
    pub actor_id: Option<i64>,
    /// The actor's role at the time.
    pub actor_role: Option<String>,
    /// A person (NIORA): entries whose subject is that person.
    pub person: Option<String>,
    /// Purpose kind (`check`, `operation`, …).
    pub purpose_kind: Option<String>,
    /// Purpose reference (with a kind).
    pub purpose_ref: Option<String>,
    /// An action (`permit.read`) or a family of actions (`permit` matches `permit.read`,
    /// `permit.issue`, …).
    pub action: Option<String>,
    /// From this instant (unix seconds, inclusive).
    pub from: Option<i64>,
    /// Before this instant (exclusive).
    pub to: Option<i64>,
}

impl AuditFilter {
    /// ` WHERE …` (empty without filters) with `$1…` placeholders, and the values to bind.
    fn sql(&self) -> (String, Vec<Val>) {
        let mut conds: Vec<String> = Vec::new();
        let mut binds = Vec::new();
        // Adds `cond` with its `?` numbered as the next placeholder.
        fn push(conds: &mut Vec<String>, binds: &mut Vec<Val>, cond: &str, b: Val) {
            binds.push(b);
            conds.push(cond.replace('?', &format!("${}", binds.len())));
        }
        if let Some(a) = self.actor_id {
            push(&mut conds, &mut binds, "actor_id = ?", Val::I(Some(a)));
        }
        if let Some(r) = &self.actor_role {
            push(
                &mut conds,
                &mut binds,
                "actor_role = ?",
                Val::T(Some(r.clone())),
            );
        }
        if let Some(p) = &self.person {
            push(
                &mut conds,
                &mut binds,
                "subject_kind = 'person' AND subject_id = ?",
                Val::T(Some(p.clone())),
            );
        }
        if let Some(k) = &self.purpose_kind {
            push(
                &mut conds,
                &mut binds,
                "purpose_kind = ?",
                Val::T(Some(k.clone())),
            );
        }
        if let Some(r) = &self.purpose_ref {
            push(
                &mut conds,
                &mut binds,
                "purpose_ref = ?",
                Val::T(Some(r.clone())),
            );
        }
        if let Some(a) = &self.action {
            // The action itself, or one of its family (`a.` prefix); SUBSTR rather than LIKE so
            // that `_` in action names is not a wildcard.
            let family = format!("{a}.");
            binds.push(Val::T(Some(a.clone())));
            binds.push(Val::T(Some(family.clone())));
            conds.push(format!(
                "(action = ${} OR SUBSTR(action, 1, {}) = ${})",
                binds.len() - 1,
                family.len(),
                binds.len()
            ));
        }
        if let Some(f) = self.from {
            push(&mut conds, &mut binds, "at >= ?", Val::I(Some(f)));
        }
        if let Some(t) = self.to {
            push(&mut conds, &mut binds, "at < ?", Val::I(Some(t)));
        }
        if conds.is_empty() {
            (String::new(), binds)
        } else {
            (format!(" WHERE {}", conds.join(" AND ")), binds)
        }
    }
}

const SELECT_ENTRY: &str =
    "SELECT seq, at, actor_id, actor_role, actor_office, action, subject_kind, \
    subject_id, purpose_kind, purpose_ref, details, prev_hash, hash FROM audit_log";

fn entry_from_row(r: &sqlx::any::AnyRow) -> Result<Entry> {
    Ok(Entry {
        seq: r.try_get(0)?,
        at: r.try_get(1)?,
        actor_id: r.try_get(2)?,
        actor_role: r.try_get(3)?,
        actor_office: r.try_get(4)?,
        action: r.try_get(5)?,
        subject_kind: r.try_get(6)?,
        subject_id: r.try_get(7)?,
        purpose_kind: r.try_get(8)?,
        purpose_ref: r.try_get(9)?,
        details: r.try_get(10)?,
        prev_hash: r.try_get(11)?,
        hash: r.try_get(12)?,
    })
}

/// Walks the whole log and the signed heads; names the first modified, inserted or removed entry.
///
/// `pinned` is the server's audit public key as known from outside the database; without it the
/// heads are checked against the keys in `audit_keys`, which someone with write access to the
/// database could have replaced (the report says which was done).
pub async fn verify_chain(store: &Store, pinned: Option<&VerifyingKey>) -> Result<ChainReport> {
    let heads = store.audit_heads().await?;
    let keys: Vec<(String, String)> = sqlx::query_as("SELECT key_id, public_key FROM audit_keys")
        .fetch_all(store.pool())
        .await?;
    let anchors = store.audit_anchors().await?;
    let mut report = ChainReport {
        entries: 0,
        last_seq: 0,
        heads_checked: 0,
        pinned_key: pinned.is_some(),
        starts_after: 0,
        fault: None,
    };
    // Signatures first: a head or anchor that does not verify is itself a fault.
    for h in &heads {
        if !key_for(pinned, &keys, &h.key_id).is_some_and(|k| h.verify(&k)) {
            report.fault = Some(ChainFault::BadHeadSignature {
                seq: h.seq,
                key_id: h.key_id.clone(),
            });
            return Ok(report);
        }
    }
    for a in &anchors {
        if !key_for(pinned, &keys, &a.key_id).is_some_and(|k| a.verify(&k)) {
            report.fault = Some(ChainFault::BadAnchorSignature {
                seq: a.seq,
                key_id: a.key_id.clone(),
            });
            return Ok(report);
        }
    }

    // The chain starts after the newest anchor (entries it covers are gone or about to go).
    let start = anchors.last();
    let start_seq = start.map_or(0, |a| a.seq);
    report.starts_after = start_seq;
    // (Collected first: an iterator adapter holding a closure would make the future not `Send`.)
    let heads_after: Vec<&SignedHead> = heads.iter().filter(|h| h.seq > start_seq).collect();
    let mut head_iter = heads_after.into_iter().peekable();
    let mut confirmed = start_seq;
    let mut prev: Option<String> = start.map(|a| a.hash.clone()); // hash of the previous entry
    let mut prev_prev: Option<String> = None;
    let mut expected = start_seq + 1;
    loop {
        let rows = sqlx::query(&format!(
            "{SELECT_ENTRY} WHERE seq >= $1 ORDER BY seq LIMIT 5000"
        ))
        .bind(expected)
        .fetch_all(store.pool())
        .await?;
        if rows.is_empty() {
            break;
        }
        for row in &rows {
            let e = entry_from_row(row)?;
            report.entries += 1;
            if let Some(f) = check_entry(&e, expected, prev.as_deref(), prev_prev.as_deref()) {
                report.fault = Some(f);
                return Ok(report);
            }
            while let Some(h) = head_iter.peek() {
                if h.seq > e.seq {
                    break;
                }
                report.heads_checked += 1;
                if h.seq == e.seq && h.hash != e.hash {
                    report.fault = Some(ChainFault::Rewritten {
                        after_seq: confirmed,
                        seq: h.seq,
                    });
                    return Ok(report);
                }
                confirmed = h.seq;
                head_iter.next();
            }
            prev_prev = prev.take();
            prev = Some(e.hash);
            report.last_seq = e.seq;
            expected = e.seq + 1;
        }
    }
    if let Some(h) = heads.iter().map(|h| h.seq).max() {
        if h > report.last_seq {
            report.fault = Some(ChainFault::Truncated {
                signed_seq: h,
                last_seq: report.last_seq,
            });
        }
    }
    Ok(report)
}

/// The key a head or anchor of `key_id` must verify under: the pinned one, else the registered one.
fn key_for(
    pinned: Option<&VerifyingKey>,
    keys: &[(String, String)],
    key_id: &str,
) -> Option<VerifyingKey> {
    match pinned {
        Some(k) => Some(*k),
        None => keys
            .iter()
            .find(|(id, _)| id == key_id)
            .and_then(|(_, p)| hex::decode(p).ok())
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .and_then(|b| VerifyingKey::from_bytes(&b).ok()),
    }
}

fn check_entry(
    e: &Entry,
    expected: i64,
    prev: Option<&str>,
    prev_prev: Option<&str>,
) -> Option<ChainFault> {
    if e.seq != expected {
        return Some(ChainFault::Removed { seq: expected });
    }
    if e.compute_hash() != e.hash {
        // An entry renumbered to make room for an inserted one still hashes under its old seq.
        if e.seq > 1 && e.hash_with_seq(e.seq - 1) == e.hash {
            return Some(ChainFault::Inserted { seq: e.seq - 1 });
        }
        // An entry renumbered to close the gap of a removed one hashes under seq + 1.
        if e.hash_with_seq(e.seq + 1) == e.hash {
            return Some(ChainFault::Removed { seq: e.seq });
        }
        return Some(ChainFault::Modified { seq: e.seq });
    }
    let want_prev = prev.unwrap_or(GENESIS);
    if e.prev_hash != want_prev {
        if prev_prev.is_some_and(|pp| pp == e.prev_hash) {
            // This entry links to the one before its predecessor: the predecessor was inserted.
            return Some(ChainFault::Inserted { seq: e.seq - 1 });
        }
        return Some(ChainFault::Inserted { seq: e.seq });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: i64, prev: &str) -> Entry {
        let mut e = Entry {
            seq,
            at: 1_790_000_000 + seq,
            actor_id: Some(7),
            actor_role: "field_officer".into(),
            actor_office: "KANIM-BKS".into(),
            action: "person.read".into(),
            subject_kind: "person".into(),
            subject_id: "1234567890".into(),
            purpose_kind: "operation".into(),
            purpose_ref: "SP-1/2026".into(),
            details: "{}".into(),
            prev_hash: prev.into(),
            hash: String::new(),
        };
        e.hash = e.compute_hash();
        e
    }

    #[test]
    fn hash_covers_every_field() {
        let base = entry(3, GENESIS);
        type Mutation = Box<dyn Fn(&mut Entry)>;
        let variants: Vec<Mutation> = vec![
            Box::new(|e| e.at += 1),
            Box::new(|e| e.actor_id = None),
            Box::new(|e| e.actor_role.push('x')),
            Box::new(|e| e.actor_office.push('x')),
            Box::new(|e| e.action.push('x')),
            Box::new(|e| e.subject_kind.push('x')),
            Box::new(|e| e.subject_id.push('x')),
            Box::new(|e| e.purpose_kind.push('x')),
            Box::new(|e| e.purpose_ref.push('x')),
            Box::new(|e| e.details = "{\"a\":1}".into()),
            Box::new(|e| e.prev_hash = "1".repeat(64)),
        ];
        for (i, v) in variants.iter().enumerate() {
            let mut e = base.clone();
            v(&mut e);
            assert_ne!(e.compute_hash(), base.hash, "field variant {i} not covered");
        }
        assert_ne!(base.hash_with_seq(4), base.hash);
        // Framing: moving a byte between adjacent fields changes the hash.
        let mut a = base.clone();
        a.subject_kind = "person1".into();
        a.subject_id = "234567890".into();
        assert_ne!(a.compute_hash(), base.hash);
    }

    #[test]
    fn check_entry_classifies() {
        let e1 = entry(1, GENESIS);
        let e2 = entry(2, &e1.hash);
        assert_eq!(check_entry(&e1, 1, None, None), None);
        assert_eq!(check_entry(&e2, 2, Some(&e1.hash), None), None);
        assert_eq!(
            check_entry(&e2, 1, None, None),
            Some(ChainFault::Removed { seq: 1 })
        );
        let mut m = e2.clone();
        m.details = "{\"x\":1}".into();
        assert_eq!(
            check_entry(&m, 2, Some(&e1.hash), None),
            Some(ChainFault::Modified { seq: 2 })
        );
    }
}
