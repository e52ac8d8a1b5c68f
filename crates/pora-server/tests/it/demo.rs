//! The demo generator at a small scale: deterministic, consistent, and its credentials verify.

use pora_server::demo::generate;
use pora_server::signing::Kek;
use pora_server::{AppState, ServerConfig};
use pora_store::model::Role;
use pora_store::testing::{on_both, TempDir, TestDb};
use pora_store::Store;
use serde_json::json;

pub async fn demo_state(store: Store, dir: &TempDir) -> AppState {
    let mut config = ServerConfig::new("sqlite:unused", "127.0.0.1:0".parse().unwrap());
    config.data_dir = dir.0.clone();
    config.argon2 = (256, 1, 1);
    AppState::with_store(
        store,
        config,
        Kek::generate(),
        ed25519_dalek::SigningKey::from_bytes(&[5u8; 32]),
    )
    .await
    .unwrap()
}

async fn numbers(store: &Store) -> Vec<(String, String, String, String)> {
    sqlx_rows(store).await
}

async fn sqlx_rows(store: &Store) -> Vec<(String, String, String, String)> {
    let mut c = store.conn().await.unwrap();
    let (rows, _) = pora_store::repo::search_permits(
        &mut c,
        &Default::default(),
        pora_store::model::Page::new(Some(500), None).unwrap(),
    )
    .await
    .unwrap();
    rows.into_iter()
        .map(|p| (p.number, p.niora, p.valid_until, p.status.to_string()))
        .collect()
}

#[tokio::test]
async fn small_demo_is_deterministic_and_verifies() {
    on_both(|store| async move {
        let dir = TempDir::new("demo");
        let state = demo_state(store.clone(), &dir).await;
        let summary = generate(&state, 7, 0.02).await.unwrap();
        let count = |t: &str| summary.counts.iter().find(|c| c.0 == t).unwrap().1;
        assert!(count("foreigners") >= 140 + 9, "{:?}", summary.counts);
        assert!(count("permits") > count("foreigners"), "some holders carry history: {:?}", summary.counts);
        assert!(count("check_reports") > 0 && count("stay_reports") > 0 && count("alerts") > 0);
        let roles: Vec<Role> = summary.logins.iter().map(|l| l.role).collect();
        for r in Role::ALL {
            assert!(roles.contains(r), "no demo login for {r}");
        }
        let report = pora_store::audit::verify_chain(&state.store, Some(&state.audit_key.verifying_key())).await.unwrap();
        assert!(report.is_intact() && report.heads_checked == 1, "{report:?}");

        // The printed logins work and a sample permit's credential verifies through the API.
        let app = pora_server::router(state.clone());
        let login = summary.logins.iter().find(|l| l.role == Role::FieldOfficer).unwrap();
        let resp = tower::ServiceExt::oneshot(
            app.clone(),
            axum::http::Request::builder()
                .method("POST")
                .uri("/api/v1/auth/login")
                .header("content-type", "application/json")
                .body(axum::body::Body::from(json!({ "username": login.username, "password": login.password, "mode": "bearer" }).to_string()))
                .unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(resp.status(), 200);
        let valid = summary.samples.iter().find(|s| s.0 == "valid").expect("a valid sample").1.clone();
        let mut c = state.store.conn().await.unwrap();
        let permit = pora_store::repo::permit_by_number(&mut c, &valid).await.unwrap();
        drop(c);
        let verdict = pora_server::api::field::run_verify(&state, permit.credential.as_deref().unwrap()).await.unwrap();
        assert_eq!(verdict.outcome.code(), "valid");
        if let Some((_, revoked)) = summary.samples.iter().find(|s| s.0 == "revoked") {
            let mut c = state.store.conn().await.unwrap();
            let p = pora_store::repo::permit_by_number(&mut c, revoked).await.unwrap();
            drop(c);
            let v = pora_server::api::field::run_verify(&state, p.credential.as_deref().unwrap()).await.unwrap();
            assert_eq!(v.outcome.code(), "revoked");
        }

        // Same seed, same data (on a second SQLite database).
        let first = numbers(&state.store).await;
        let again = TestDb::sqlite().await;
        let dir2 = TempDir::new("demo2");
        let state2 = demo_state(again.store.clone(), &dir2).await;
        generate(&state2, 7, 0.02).await.unwrap();
        assert_eq!(first, numbers(&state2.store).await);
        let other = TestDb::sqlite().await;
        let dir3 = TempDir::new("demo3");
        let state3 = demo_state(other.store.clone(), &dir3).await;
        generate(&state3, 8, 0.02).await.unwrap();
        assert_ne!(first, numbers(&state3.store).await, "the seed matters");
        again.cleanup().await;
        other.cleanup().await;
    })
    .await;
}
