//! The two dialects' migrations produce the same schema, apply once, and enforce the rules.

use pora_store::testing::{on_both, TestDb};
use pora_store::{Backend, Store};

#[tokio::test]
async fn sqlite_and_postgres_schemas_match() {
    let lite = TestDb::sqlite().await;
    let lite_outline = lite.store.schema_outline().await.unwrap();
    assert!(lite_outline.iter().any(|(t, _)| t == "audit_log"));
    assert!(lite_outline.len() >= 20, "tables: {lite_outline:?}");
    if let Some(pg) = TestDb::postgres().await {
        let pg_outline = pg.store.schema_outline().await.unwrap();
        pg.cleanup().await;
        assert_eq!(
            lite_outline, pg_outline,
            "the dialects' migrations drifted apart"
        );
    }
    lite.cleanup().await;
}

#[tokio::test]
async fn migrations_apply_once_and_reopen() {
    let db = TestDb::sqlite().await;
    assert_eq!(db.store.migrate().await.unwrap(), 0, "already migrated");
    let again = Store::open(&db.url).await.unwrap();
    assert_eq!(again.backend(), Backend::Sqlite);
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM visa_index")
        .fetch_one(again.pool())
        .await
        .unwrap();
    assert!(n >= 14, "visa index seeded once: {n}");
    again.close().await;
    db.cleanup().await;
}

#[tokio::test]
async fn constraints_hold_on_both() {
    on_both(|store| async move {
        let office = super::fixtures::office(&store).await;
        let mut c = store.conn().await.unwrap();
        // A company sponsor without NIB is refused by the schema itself.
        let r = sqlx::query("INSERT INTO sponsors (kind, name, npwp, office_id, created_at) VALUES ('company', 'X', '012345678901234', $1, 0)")
            .bind(office)
            .execute(&mut *c)
            .await;
        assert!(r.is_err(), "company without NIB accepted");
        // Unknown roles are refused.
        let r = sqlx::query("INSERT INTO users (username, display_name, role, password_hash, created_at) VALUES ('x', 'x', 'god', 'h', 0)")
            .execute(&mut *c)
            .await;
        assert!(r.is_err(), "unknown role accepted");
        // Foreign keys are enforced (SQLite needs the pragma).
        let r = sqlx::query("INSERT INTO foreigners (niora, full_name, mrz_name, sex, birth_place, birth_date, nationality, office_id, created_at) VALUES ('1', 'a', 'A', 'M', 'x', '2000-01-01', 'JPN', 999, 0)")
            .execute(&mut *c)
            .await;
        assert!(r.is_err(), "dangling office accepted");
    })
    .await;
}
