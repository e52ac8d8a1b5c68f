//! The audit chain: appends, verification, and tampering done directly in SQL.

use ed25519_dalek::SigningKey;
use pora_store::audit::{verify_chain, Actor, ChainFault, Entry, NewEntry, GENESIS};
use pora_store::model::{Purpose, PurposeKind};
use pora_store::testing::on_both;
use pora_store::{Backend, Store};

fn entry(i: usize) -> NewEntry {
    NewEntry {
        actor: Actor {
            user_id: Some(3),
            role: "field_officer".into(),
            office: "BKS".into(),
        },
        action: "person.read".into(),
        subject_kind: "person".into(),
        subject_id: format!("{}", 1000 + i % 3),
        purpose: Purpose {
            kind: PurposeKind::Operation,
            reference: "SP-7/2026".into(),
        },
        details: serde_json::json!({ "permit": format!("P{i}"), "b": 1, "a": [i] }),
    }
}

async fn fill(store: &Store, n: usize) -> Vec<Entry> {
    let mut out = Vec::new();
    for i in 0..n {
        out.push(store.audit_append(entry(i)).await.unwrap());
    }
    out
}

/// Runs raw SQL as an attacker with database access would: first dropping the append-only triggers.
async fn tamper(store: &Store, sql: &str) {
    let mut c = store.writer().acquire().await.unwrap();
    match store.backend() {
        Backend::Sqlite => {
            sqlx::raw_sql("DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;")
                .execute(&mut *c)
                .await
                .unwrap();
        }
        Backend::Postgres => {
            sqlx::raw_sql("DROP TRIGGER IF EXISTS audit_log_no_update ON audit_log; DROP TRIGGER IF EXISTS audit_log_no_delete ON audit_log;")
                .execute(&mut *c)
                .await
                .unwrap();
        }
    }
    sqlx::raw_sql(sql).execute(&mut *c).await.unwrap();
}

fn forged(seq: i64, prev_hash: &str) -> Entry {
    let mut e = Entry {
        seq,
        at: 1_790_000_000,
        actor_id: Some(3),
        actor_role: "field_officer".into(),
        actor_office: "BKS".into(),
        action: "person.read".into(),
        subject_kind: "person".into(),
        subject_id: "9999".into(),
        purpose_kind: "check".into(),
        purpose_ref: String::new(),
        details: "{}".into(),
        prev_hash: prev_hash.into(),
        hash: String::new(),
    };
    e.hash = e.compute_hash();
    e
}

fn insert_sql(e: &Entry) -> String {
    format!(
        "INSERT INTO audit_log (seq, at, actor_id, actor_role, actor_office, action, subject_kind, subject_id, purpose_kind, purpose_ref, details, prev_hash, hash) \
         VALUES ({}, {}, {}, '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}')",
        e.seq, e.at, e.actor_id.unwrap(), e.actor_role, e.actor_office, e.action, e.subject_kind, e.subject_id,
        e.purpose_kind, e.purpose_ref, e.details, e.prev_hash, e.hash
    )
}

#[tokio::test]
async fn chain_links_and_verifies() {
    on_both(|store| async move {
        let empty = verify_chain(&store, None).await.unwrap();
        assert!(empty.is_intact());
        assert_eq!(empty.last_seq, 0);
        let entries = fill(&store, 6).await;
        assert_eq!(entries[0].prev_hash, GENESIS);
        for w in entries.windows(2) {
            assert_eq!(w[1].prev_hash, w[0].hash);
            assert_eq!(w[1].seq, w[0].seq + 1);
        }
        assert_eq!(
            entries[2].details, r#"{"a":[2],"b":1,"permit":"P2"}"#,
            "canonical JSON"
        );
        let r = verify_chain(&store, None).await.unwrap();
        assert_eq!((r.entries, r.last_seq, r.fault.clone()), (6, 6, None));
        // The triggers refuse ordinary updates.
        let refused = sqlx::query("UPDATE audit_log SET action = 'x' WHERE seq = 1")
            .execute(store.writer())
            .await;
        assert!(refused.is_err(), "append-only trigger missing");
        let refused = sqlx::query("DELETE FROM audit_log WHERE seq = 1")
            .execute(store.writer())
            .await;
        assert!(refused.is_err(), "append-only trigger missing");
    })
    .await;
}

/// `append_all` writes a batch in multi-row chunks (here 128 + 64 + 8 + 2 + 1 = 203 rows, and a
/// second batch that continues the same chain); every entry is stored exactly as returned.
#[tokio::test]
async fn batches_are_chained_across_insert_chunks() {
    on_both(|store| async move {
        fill(&store, 2).await;
        let mut tx = store.begin_audited().await.unwrap();
        let batch = (0..203)
            .map(|i| (entry(i), 1_700_000_000 + i as i64))
            .collect();
        let mut entries = tx.append_all(batch).await.unwrap();
        entries.extend(
            tx.append_all(vec![(entry(9), 1_700_001_000)])
                .await
                .unwrap(),
        );
        tx.commit().await.unwrap();
        assert_eq!(entries.len(), 204);
        assert_eq!(entries[0].seq, 3);
        for w in entries.windows(2) {
            assert_eq!((w[1].seq, &w[1].prev_hash), (w[0].seq + 1, &w[0].hash));
        }
        let stored: Vec<(i64, i64, String, String)> = sqlx::query_as(
            "SELECT seq, at, details, hash FROM audit_log WHERE seq >= 3 ORDER BY seq",
        )
        .fetch_all(store.pool())
        .await
        .unwrap();
        let want: Vec<(i64, i64, String, String)> = entries
            .iter()
            .map(|e| (e.seq, e.at, e.details.clone(), e.hash.clone()))
            .collect();
        assert_eq!(stored, want);
        let r = verify_chain(&store, None).await.unwrap();
        assert_eq!((r.entries, r.last_seq, r.fault), (206, 206, None));
    })
    .await;
}

#[tokio::test]
async fn modified_entry_is_named() {
    on_both(|store| async move {
        fill(&store, 8).await;
        tamper(
            &store,
            "UPDATE audit_log SET purpose_ref = 'SP-8/2026' WHERE seq = 5",
        )
        .await;
        let r = verify_chain(&store, None).await.unwrap();
        assert_eq!(r.fault, Some(ChainFault::Modified { seq: 5 }));
    })
    .await;
}

#[tokio::test]
async fn removed_entry_is_named() {
    on_both(|store| async move {
        fill(&store, 8).await;
        tamper(&store, "DELETE FROM audit_log WHERE seq = 4").await;
        let r = verify_chain(&store, None).await.unwrap();
        assert_eq!(r.fault, Some(ChainFault::Removed { seq: 4 }));
    })
    .await;
}

#[tokio::test]
async fn removed_and_renumbered_entry_is_named() {
    on_both(|store| async move {
        fill(&store, 8).await;
        tamper(&store, "DELETE FROM audit_log WHERE seq = 3").await;
        tamper(
            &store,
            "UPDATE audit_log SET seq = seq + 1000 WHERE seq > 3",
        )
        .await;
        tamper(
            &store,
            "UPDATE audit_log SET seq = seq - 1001 WHERE seq > 1000",
        )
        .await;
        let r = verify_chain(&store, None).await.unwrap();
        assert_eq!(r.fault, Some(ChainFault::Removed { seq: 3 }));
    })
    .await;
}

#[tokio::test]
async fn inserted_entry_is_named() {
    on_both(|store| async move {
        let entries = fill(&store, 8).await;
        // Make room at seq 5 and insert a well-formed entry linked to entry 4.
        tamper(
            &store,
            "UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 5",
        )
        .await;
        tamper(
            &store,
            "UPDATE audit_log SET seq = seq - 999 WHERE seq > 1000",
        )
        .await;
        tamper(&store, &insert_sql(&forged(5, &entries[3].hash))).await;
        let r = verify_chain(&store, None).await.unwrap();
        assert_eq!(r.fault, Some(ChainFault::Inserted { seq: 5 }));
    })
    .await;
}

#[tokio::test]
async fn appended_forgery_is_named() {
    on_both(|store| async move {
        fill(&store, 4).await;
        tamper(&store, &insert_sql(&forged(5, &"ab".repeat(32)))).await;
        let r = verify_chain(&store, None).await.unwrap();
        assert_eq!(r.fault, Some(ChainFault::Inserted { seq: 5 }));
    })
    .await;
}

#[tokio::test]
async fn signed_heads_catch_truncation_and_rewrites() {
    on_both(|store| async move {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let other = SigningKey::from_bytes(&[8u8; 32]);
        store
            .audit_register_key("audit-1", &key.verifying_key())
            .await
            .unwrap();
        fill(&store, 5).await;
        let h1 = store
            .audit_sign_head(&key, "audit-1")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(h1.seq, 5);
        assert!(
            store
                .audit_sign_head(&key, "audit-1")
                .await
                .unwrap()
                .is_none(),
            "head did not move"
        );
        let entries = fill(&store, 5).await;
        let h2 = store
            .audit_sign_head(&key, "audit-1")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(h2.seq, 10);
        let r = verify_chain(&store, Some(&key.verifying_key()))
            .await
            .unwrap();
        assert!(r.is_intact(), "{r:?}");
        assert_eq!(r.heads_checked, 2);
        // The wrong pinned key is refused.
        let r = verify_chain(&store, Some(&other.verifying_key()))
            .await
            .unwrap();
        assert!(
            matches!(r.fault, Some(ChainFault::BadHeadSignature { seq: 5, .. })),
            "{r:?}"
        );

        // Rewrite entry 8 and recompute the chain from there: self-consistent, but not what was signed.
        let mut prev = entries[1].hash.clone(); // entry 7
        let mut rewritten = Vec::new();
        for e in &entries[2..] {
            let mut e = e.clone();
            if e.seq == 8 {
                e.subject_id = "someone-else".into();
            }
            e.prev_hash = prev.clone();
            e.hash = e.compute_hash();
            prev = e.hash.clone();
            rewritten.push(e);
        }
        tamper(&store, "DELETE FROM audit_log WHERE seq >= 8").await;
        for e in &rewritten {
            tamper(&store, &insert_sql(e)).await;
        }
        let r = verify_chain(&store, Some(&key.verifying_key()))
            .await
            .unwrap();
        assert_eq!(
            r.fault,
            Some(ChainFault::Rewritten {
                after_seq: 5,
                seq: 10
            })
        );

        // Truncating the tail (past the signed head) is caught too.
        tamper(&store, "DELETE FROM audit_log WHERE seq >= 9").await;
        let r = verify_chain(&store, Some(&key.verifying_key()))
            .await
            .unwrap();
        assert_eq!(
            r.fault,
            Some(ChainFault::Truncated {
                signed_seq: 10,
                last_seq: 8
            })
        );
    })
    .await;
}

#[tokio::test]
async fn concurrent_appends_stay_linked() {
    on_both(|store| async move {
        let mut tasks = Vec::new();
        for t in 0..4 {
            let s = store.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..10 {
                    s.audit_append(entry(t * 100 + i)).await.unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let r = verify_chain(&store, None).await.unwrap();
        assert!(r.is_intact(), "{r:?}");
        assert_eq!(r.last_seq, 40);
    })
    .await;
}
