//! Retention with a fake clock: every rule acts on its day and not the day before, statistics stay,
//! the audit chain stays verifiable after its oldest entries go, and the append-only rules hold.

use ed25519_dalek::SigningKey;
use pora_store::audit::{verify_chain, Actor, ChainFault, NewEntry};
use pora_store::model::*;
use pora_store::repo::{self, NewCheck, NewStayReport};
use pora_store::retention::{self, AnchorKey, Kind, RetentionConfig};
use pora_store::testing::on_both;
use pora_store::{Backend, Store};

use super::fixtures::*;

const DAY: i64 = 86_400;

fn config() -> RetentionConfig {
    RetentionConfig {
        check_reports_days: Some(10),
        stay_reports_days: Some(20),
        closed_alerts_days: Some(30),
        correction_requests_days: Some(40),
        exited_persons_days: Some(50),
        audit_days: Some(60),
        run_every_hours: 24,
        batch: 2,
    }
}

fn read_entry(niora: &str) -> NewEntry {
    NewEntry {
        actor: Actor {
            user_id: Some(3),
            role: "field_officer".into(),
            office: "BKS".into(),
        },
        action: "person.read".into(),
        subject_kind: "person".into(),
        subject_id: niora.into(),
        purpose: Purpose {
            kind: PurposeKind::Check,
            reference: String::new(),
        },
        details: serde_json::json!({}),
    }
}

fn check(office: i64, foreigner: i64, at: i64) -> NewCheck {
    NewCheck {
        at,
        officer_id: 1,
        device_id: None,
        office_id: office,
        permit_id: None,
        foreigner_id: Some(foreigner),
        verdict: "valid".into(),
        outcome: "ok",
        written_order_id: None,
        caught_in_act: true,
        position: Some((-6.3, 107.15)),
        region_code: Some(RegionCode::parse("region_code", "32.16.06.2002").unwrap()),
        notes: Some("ditemui di pabrik".into()),
        details: "{}".into(),
    }
}

async fn count(store: &Store, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

/// Runs the job on day `day` (counted from T0) and returns the count of `kind`.
async fn run_on(store: &Store, key: &SigningKey, day: i64, kind: Kind) -> i64 {
    let report = retention::run(
        store,
        &config(),
        T0 + day * DAY,
        false,
        Some(AnchorKey {
            key,
            key_id: "audit-test",
        }),
    )
    .await
    .unwrap();
    report
        .rules
        .iter()
        .find(|r| r.kind == kind)
        .map(|r| r.count)
        .unwrap()
}

#[tokio::test]
async fn each_rule_acts_on_its_day_and_not_before() {
    on_both(|store| async move {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        store
            .audit_register_key("audit-test", &key.verifying_key())
            .await
            .unwrap();
        let office = office(&store).await;
        // A user for officer_id / decided_by references.
        let mut tx = store.tx().await.unwrap();
        let stays = foreigner(&mut tx, office, "100200300", "Sato Hanako").await;
        let leaves = foreigner(&mut tx, office, "100200301", "Kim Minjun").await;
        sqlx::query(
            "INSERT INTO users (username, display_name, role, office_id, password_hash, created_at) \
             VALUES ('field1', 'Petugas', 'field_officer', $1, 'x', $2)",
        )
        .bind(office)
        .bind(T0)
        .execute(&mut *tx)
        .await
        .unwrap();
        permit(&mut tx, office, stays, "2C11AB0001", "2027-12-31").await;
        let gone = permit(&mut tx, office, leaves, "2C11AB0002", "2027-12-31").await;
        repo::change_status(&mut tx, gone, PermitStatus::Exited, "exited", None, Some("EPO"), T0)
            .await
            .unwrap();
        repo::add_passport(
            &mut tx,
            leaves,
            &PassportNumber::parse("passport", "M1234567").unwrap(),
            &Nationality::parse("nationality", "KOR").unwrap(),
            d("2030-01-01"),
            T0,
        )
        .await
        .unwrap();
        let k1 = repo::insert_check(&mut tx, &check(office, stays, T0)).await.unwrap();
        let k2 = repo::insert_check(&mut tx, &check(office, stays, T0)).await.unwrap();
        let k3 = repo::insert_check(&mut tx, &check(office, stays, T0 + 5 * DAY)).await.unwrap();
        // An open alert keeps its check; a closed one does not.
        repo::insert_alert(&mut tx, "incomplete", office, None, Some(stays), Some(k2), &serde_json::json!({}), T0)
            .await
            .unwrap();
        let closed = repo::insert_alert(&mut tx, "overstay", office, None, Some(stays), Some(k1), &serde_json::json!({}), T0)
            .await
            .unwrap();
        sqlx::query("UPDATE alerts SET resolved_at = $1 WHERE id = $2")
            .bind(T0)
            .bind(closed)
            .execute(&mut *tx)
            .await
            .unwrap();
        // Its workflow history goes with it.
        sqlx::query(
            "INSERT INTO alert_events (alert_id, from_state, to_state, actor_id, at) VALUES ($1, 'open', 'closed', 1, $2)",
        )
        .bind(closed)
        .bind(T0)
        .execute(&mut *tx)
        .await
        .unwrap();
        repo::insert_stay_report(
            &mut tx,
            &NewStayReport {
                foreigner_id: stays,
                reporter_kind: "hotel",
                reporter_name: "Hotel Cikarang Indah".into(),
                check_in: d("2026-09-20"),
                check_out: None,
                region_code: RegionCode::parse("region_code", "32.16.06.2002").unwrap(),
                position: None,
            },
            T0,
        )
        .await
        .unwrap();
        for (state, decided) in [("accepted", Some(T0)), ("pending", None)] {
            sqlx::query(
                "INSERT INTO correction_requests (foreigner_id, field, requested_value, reason, state, created_at, decided_at) \
                 VALUES ($1, 'occupation', 'Engineer', 'job title changed', $2, $3, $4)",
            )
            .bind(stays)
            .bind(state)
            .bind(T0)
            .bind(decided)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let mut tx = store.begin_audited().await.unwrap();
        for _ in 0..5 {
            tx.append_at(read_entry("100200300"), T0).await.unwrap();
        }
        tx.commit().await.unwrap();

        // A dry run on the last day counts everything and changes nothing.
        let dry = retention::run(&store, &config(), T0 + 60 * DAY, true, None).await.unwrap();
        let counts: Vec<(Kind, i64)> = dry.rules.iter().map(|r| (r.kind, r.count)).collect();
        assert_eq!(
            counts,
            vec![
                (Kind::CheckReports, 2), // k1 and k3 (k2 has an open alert)
                (Kind::StayReports, 1),
                (Kind::ClosedAlerts, 1),
                (Kind::CorrectionRequests, 1),
                (Kind::ExitedPersons, 1),
                (Kind::AuditLog, 5),
            ]
        );
        assert_eq!(count(&store, "SELECT COUNT(*) FROM check_reports").await, 3);

        // Check reports: 10 days.
        assert_eq!(run_on(&store, &key, 9, Kind::CheckReports).await, 0);
        assert_eq!(count(&store, "SELECT COUNT(*) FROM check_reports").await, 3);
        assert_eq!(run_on(&store, &key, 10, Kind::CheckReports).await, 1);
        let left: Vec<i64> = sqlx::query_scalar("SELECT id FROM check_reports ORDER BY id")
            .fetch_all(store.pool())
            .await
            .unwrap();
        assert_eq!(left, vec![k2, k3]);
        assert_eq!(run_on(&store, &key, 15, Kind::CheckReports).await, 1, "k3 on its own day");
        // Stay reports: 20 days.
        assert_eq!(run_on(&store, &key, 19, Kind::StayReports).await, 0);
        assert_eq!(run_on(&store, &key, 20, Kind::StayReports).await, 1);
        assert_eq!(count(&store, "SELECT COUNT(*) FROM stay_reports").await, 0);
        // Closed alerts: 30 days after resolution; the open one stays.
        assert_eq!(run_on(&store, &key, 29, Kind::ClosedAlerts).await, 0);
        assert_eq!(run_on(&store, &key, 30, Kind::ClosedAlerts).await, 1);
        assert_eq!(count(&store, "SELECT COUNT(*) FROM alerts").await, 1);
        assert_eq!(count(&store, "SELECT COUNT(*) FROM alert_events").await, 0);
        // Decided correction requests: 40 days; the pending one stays.
        assert_eq!(run_on(&store, &key, 39, Kind::CorrectionRequests).await, 0);
        assert_eq!(run_on(&store, &key, 40, Kind::CorrectionRequests).await, 1);
        assert_eq!(count(&store, "SELECT COUNT(*) FROM correction_requests").await, 1);
        // Exited persons: anonymised 50 days after their last permit ended.
        assert_eq!(run_on(&store, &key, 49, Kind::ExitedPersons).await, 0);
        assert_eq!(run_on(&store, &key, 50, Kind::ExitedPersons).await, 1);
        let mut c = store.conn().await.unwrap();
        let gone_person = repo::foreigner_by_id(&mut c, leaves).await.unwrap();
        assert_eq!(
            (gone_person.full_name.as_str(), gone_person.birth_date.as_str(), gone_person.nationality.as_str()),
            ("ANONIM", "1988-01-01", "JPN")
        );
        assert!(repo::passports_of(&mut c, leaves).await.unwrap().is_empty());
        let kept = repo::foreigner_by_id(&mut c, stays).await.unwrap();
        assert_eq!(kept.full_name, "Sato Hanako", "the resident is untouched");
        drop(c);
        assert_eq!(run_on(&store, &key, 51, Kind::ExitedPersons).await, 0, "not twice");

        // Audit entries: 60 days. The five reads at T0 go; the retention records (days 10..50) stay.
        let before = verify_chain(&store, Some(&key.verifying_key())).await.unwrap();
        assert!(before.is_intact(), "{before:?}");
        assert_eq!(run_on(&store, &key, 59, Kind::AuditLog).await, 0);
        assert_eq!(run_on(&store, &key, 60, Kind::AuditLog).await, 5);
        assert_eq!(count(&store, "SELECT MIN(seq) FROM audit_log").await, 6);
        let after = verify_chain(&store, Some(&key.verifying_key())).await.unwrap();
        assert!(after.is_intact(), "{after:?}");
        assert_eq!(after.starts_after, 5);
        assert_eq!(
            after.last_seq,
            before.last_seq + 3,
            "plus a record per batch of 2"
        );

        // What was removed is recorded, not its content.
        let records: Vec<(String, String)> = sqlx::query_as(
            "SELECT subject_id, details FROM audit_log WHERE action LIKE 'retention.%' ORDER BY seq",
        )
        .fetch_all(store.pool())
        .await
        .unwrap();
        let kinds: Vec<&str> = records.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(
            kinds,
            vec!["check_reports", "check_reports", "stay_reports", "closed_alerts", "correction_requests", "exited_persons", "audit_log", "audit_log", "audit_log"]
        );
        let first: serde_json::Value = serde_json::from_str(&records[6].1).unwrap();
        assert_eq!(
            (first["count"].as_i64(), first["first_id"].as_i64(), first["last_id"].as_i64(), first["cutoff"].as_i64()),
            (Some(2), Some(1), Some(2), Some(T0))
        );
        assert!(!records.iter().any(|r| r.1.contains("Sato") || r.1.contains("Kim")));

        // Statistics stay after deletion.
        let stats = retention::stats(&store, Some(Kind::CheckReports)).await.unwrap();
        let total: i64 = stats.iter().map(|s| s.count).sum();
        assert_eq!(total, 2);
        assert!(stats.iter().all(|s| s.region_code == "32.16.06" && s.nationality == "JPN" && s.label == "ok"));
        assert_eq!(stats[0].month, "2026-09");
        let audit_stats = retention::stats(&store, Some(Kind::AuditLog)).await.unwrap();
        assert_eq!(audit_stats.len(), 1);
        assert_eq!((audit_stats[0].label.as_str(), audit_stats[0].count), ("person.read", 5));
    })
    .await;
}

#[tokio::test]
async fn anchors_do_not_open_the_log_to_other_deletes() {
    on_both(|store| async move {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        store
            .audit_register_key("audit-test", &key.verifying_key())
            .await
            .unwrap();
        let mut tx = store.begin_audited().await.unwrap();
        for i in 0..6 {
            tx.append_at(read_entry("100200300"), T0 + i * DAY).await.unwrap();
        }
        tx.commit().await.unwrap();
        let report = retention::run(
            &store,
            &RetentionConfig {
                audit_days: Some(3),
                ..RetentionConfig::default()
            },
            T0 + 5 * DAY,
            false,
            Some(AnchorKey { key: &key, key_id: "audit-test" }),
        )
        .await
        .unwrap();
        let audit = report.rules.iter().find(|r| r.kind == Kind::AuditLog).unwrap();
        // Entries at days 0, 1, 2 are at or before the cutoff (day 2); batch 5000 → one anchor.
        assert_eq!((audit.count, audit.first_id, audit.last_id, audit.batches), (3, Some(1), Some(3), 1));

        // A retained entry still cannot be deleted, nor an anchor removed or changed.
        for sql in [
            "DELETE FROM audit_log WHERE seq = 4",
            "UPDATE audit_log SET details = '{}' WHERE seq = 5",
            "DELETE FROM audit_anchors",
            "UPDATE audit_anchors SET seq = 5",
        ] {
            let r = sqlx::raw_sql(sql).execute(store.writer()).await;
            assert!(r.is_err(), "{sql} must be refused");
        }
        let ok = verify_chain(&store, Some(&key.verifying_key())).await.unwrap();
        assert!(ok.is_intact(), "{ok:?}");

        // Without the key, someone with database access who removes more and forges an anchor is
        // caught; so is a gap after the anchor.
        let other = SigningKey::from_bytes(&[9u8; 32]);
        let mut c = store.writer().acquire().await.unwrap();
        let drop_triggers = match store.backend() {
            Backend::Sqlite => "DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_anchors_no_delete;",
            Backend::Postgres => "DROP TRIGGER audit_log_no_delete ON audit_log; DROP TRIGGER audit_anchors_no_delete ON audit_anchors;",
        };
        sqlx::raw_sql(drop_triggers).execute(&mut *c).await.unwrap();
        sqlx::raw_sql("DELETE FROM audit_log WHERE seq = 4").execute(&mut *c).await.unwrap();
        drop(c);
        let gap = verify_chain(&store, Some(&key.verifying_key())).await.unwrap();
        assert_eq!(gap.fault, Some(ChainFault::Removed { seq: 4 }));
        let mut tx = store.begin_audited().await.unwrap();
        // Entry 5 exists; forge an anchor at 5 signed with a key that is not the server's.
        tx.prune_through(5, 1, T0, T0 + 6 * DAY, &other, "audit-test").await.unwrap();
        tx.commit().await.unwrap();
        let forged = verify_chain(&store, Some(&key.verifying_key())).await.unwrap();
        assert!(
            matches!(forged.fault, Some(ChainFault::BadAnchorSignature { seq: 5, .. })),
            "{forged:?}"
        );
    })
    .await;
}
