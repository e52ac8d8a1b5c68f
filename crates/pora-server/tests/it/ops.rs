//! What the CLI calls: `AppState::open` on a fresh database, and `audit::verify` on a database file
//! that someone tampered with.

use pora_server::{AppState, ServerConfig};
use pora_store::audit::ChainFault;
use pora_store::testing::TempDir;

#[tokio::test]
async fn open_bootstraps_and_audit_verify_catches_tampering() {
    let dir = TempDir::new("ops");
    let db = format!("sqlite:{}", dir.0.join("pora.db").display());
    let mut config = ServerConfig::new(&db, "127.0.0.1:0".parse().unwrap());
    config.data_dir = dir.0.clone();
    config.kek_hex = Some("11".repeat(32));
    config.argon2 = (256, 1, 1);
    let state = AppState::open(config.clone()).await.unwrap();
    let key_file = dir.0.join(pora_server::audit::KEY_FILE);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the audit key file is private");
    }
    {
        let mut c = state.store.conn().await.unwrap();
        let admin = pora_store::repo::user_by_username(&mut c, "admin")
            .await
            .unwrap();
        assert!(
            admin.is_some_and(|u| u.role == pora_store::model::Role::Admin
                && u.password_hash.starts_with("$argon2id$"))
        );
    }
    for i in 0..5 {
        state
            .store
            .audit_append(pora_store::audit::NewEntry {
                actor: pora_store::audit::Actor::system(),
                action: format!("test.{i}"),
                subject_kind: "system".into(),
                subject_id: "x".into(),
                purpose: pora_store::model::Purpose::system("test"),
                details: serde_json::json!({}),
            })
            .await
            .unwrap();
    }
    state.sign_audit_head().await.unwrap();
    let public = hex::encode(state.audit_key.verifying_key().as_bytes());
    state.store.close().await;

    let ok = pora_server::audit::verify(&db, Some(&public))
        .await
        .unwrap();
    assert!(ok.is_intact(), "{ok:?}");
    let by_file = pora_server::audit::verify(&db, Some(key_file.to_str().unwrap()))
        .await
        .unwrap();
    assert!(by_file.is_intact() && by_file.pinned_key);

    // Reopening keeps the same keys (no second admin, same trust root).
    let again = AppState::open(config).await.unwrap();
    assert!(again.keys.root().is_some());
    pora_store::testing::exec_raw(&again.store, "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET action = 'nothing.happened' WHERE seq = 3;").await;
    again.store.close().await;
    let bad = pora_server::audit::verify(&db, Some(&public))
        .await
        .unwrap();
    assert_eq!(bad.fault, Some(ChainFault::Modified { seq: 3 }));
    assert!(
        pora_server::audit::verify(&db, Some("zz")).await.is_err(),
        "a malformed key is an error"
    );
}
