//! The national root kept offline: the root holder certifies office keys and signs the trust list
//! with the CLI's functions; the server imports them, publishes the root's list unchanged, issues
//! with the imported key, and refuses what it cannot vouch for.

use pora_core::trust::{certify, SignerRecord, TrustList};
use pora_core::{Algorithm, PermitType, Signer};
use pora_crypto::SigningKey;
use pora_server::signing::SigningError;
use pora_server::trust_admin::{console_actor, import_signer, import_trust_list};
use pora_store::model::now_unix;
use pora_store::model::Role::*;
use pora_store::testing::on_both;
use serde_json::json;

use super::app::TestApp;
use super::flows::issue;

const YEAR: i64 = 365 * 86_400;

fn cert(root: &SigningKey, key: &SigningKey, office: &str) -> (SignerRecord, Vec<u8>) {
    let now = now_unix();
    let rec = SignerRecord::new(
        office,
        key.public_key(),
        vec![PermitType::Itas, PermitType::Itap],
        (now - 86_400, now + 5 * YEAR),
        (now - 86_400, now + 16 * YEAR),
    )
    .unwrap();
    let c = certify(root, &rec).unwrap();
    (rec, c)
}

fn list(root: &SigningKey, version: u64, signers: Vec<SignerRecord>) -> Vec<u8> {
    let now = now_unix();
    TrustList {
        version,
        issued_at: now - 60,
        next_update: now + 7 * 86_400,
        signers,
    }
    .sign(root)
    .unwrap()
}

#[tokio::test]
async fn the_server_publishes_the_offline_roots_list_and_issues_with_imported_keys() {
    on_both(|store| async move {
        let app = TestApp::new(store).await;
        let keys = &app.state.keys;
        let st = &app.state.store;
        let root = SigningKey::from_seed(Algorithm::ES256, &[21; 32]).unwrap();
        let other_root = SigningKey::from_seed(Algorithm::ES256, &[22; 32]).unwrap();
        let bks = SigningKey::from_seed(Algorithm::ES256, &[23; 32]).unwrap();
        let (bks_rec, bks_cert) = cert(&root, &bks, "BKS");
        let pem = bks.to_pkcs8_pem().unwrap();

        // Before the root is imported, a signer cannot be.
        let e = import_signer(st, keys, console_actor(), "BKS", &pem, &bks_cert)
            .await
            .unwrap_err();
        assert!(matches!(e, SigningError::Import(_)), "{e}");

        // A list the named root did not sign is refused.
        let v1 = list(&root, 1, vec![bks_rec.clone()]);
        let e = import_trust_list(st, keys, console_actor(), &v1, &other_root.public_key())
            .await
            .unwrap_err();
        assert!(matches!(e, SigningError::Import(_)), "{e}");
        assert!(!keys.is_offline());

        let imported = import_trust_list(st, keys, console_actor(), &v1, &root.public_key())
            .await
            .unwrap();
        assert_eq!(imported.id, "1");
        assert!(keys.is_offline());
        assert!(keys.root().is_none(), "the server's own root is retired");

        // The server can no longer make office keys, and BKS has no usable signer yet.
        let r = app
            .post("/api/v1/keys", Admin, json!({ "office": "BKS" }))
            .await;
        assert_eq!(r.status, 409, "{}", r.body);
        assert!(
            r.body["message"].as_str().unwrap().contains("offline"),
            "{}",
            r.body
        );

        // Wrong office, wrong key, other root: refused.
        let (_, jku_cert) = cert(&root, &bks, "JKU");
        let e = import_signer(st, keys, console_actor(), "BKS", &pem, &jku_cert)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("office JKU"), "{e}");
        let stranger = SigningKey::from_seed(Algorithm::ES256, &[24; 32]).unwrap();
        let e = import_signer(
            st,
            keys,
            console_actor(),
            "BKS",
            &stranger.to_pkcs8_pem().unwrap(),
            &bks_cert,
        )
        .await
        .unwrap_err();
        assert!(e.to_string().contains("another key"), "{e}");
        let (_, foreign_cert) = cert(&other_root, &bks, "BKS");
        assert!(
            import_signer(st, keys, console_actor(), "BKS", &pem, &foreign_cert)
                .await
                .is_err()
        );
        let e = import_signer(st, keys, console_actor(), "XYZ", &pem, &bks_cert)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("unknown office"), "{e}");

        let s = import_signer(st, keys, console_actor(), "BKS", &pem, &bks_cert)
            .await
            .unwrap();
        assert_eq!(s.listed, Some(true));
        assert_eq!(s.id, hex::encode(&bks_rec.kid));

        // Issue, then verify offline against exactly what the server publishes.
        let issued = issue(&app, "7300000001", "2C21BKS0301").await;
        let qr = issued["credential"].as_str().unwrap();
        let tl = app.call("GET", "/api/v1/trust-list", None, None, &[]).await;
        assert_eq!(tl.status, 200);
        assert_eq!(tl.bytes, v1, "the root's list is published byte for byte");
        let tr = app.call("GET", "/api/v1/trust-root", None, None, &[]).await;
        assert_eq!(
            tr.body["public_key"].as_str().unwrap(),
            hex::encode(root.public_key().as_bytes())
        );
        let sl = app
            .call("GET", "/api/v1/status-list/BKS", None, None, &[])
            .await;
        assert_eq!(sl.status, 200, "{}", sl.body);
        let trust = TrustList::verify(
            &tl.bytes,
            &root.public_key(),
            pora_crypto::default_provider(),
        )
        .unwrap();
        let token =
            pora_core::StatusListToken::verify(&sl.bytes, &trust, pora_crypto::default_provider())
                .unwrap();
        let ctx = pora_core::Context {
            trust: &trust,
            status_lists: &[token],
            now: now_unix(),
            policy: Default::default(),
        };
        let verdict = pora_core::verify(qr, &ctx, pora_crypto::default_provider());
        assert_eq!(verdict.outcome.code(), "valid", "{verdict:?}");

        // A newer list over HTTP: same version refused, other root refused, newer accepted.
        let r = app
            .post(
                "/api/v1/trust-list",
                Admin,
                json!({ "trust_list": hex::encode(&v1) }),
            )
            .await;
        assert_eq!(r.status, 409, "{}", r.body);
        let foreign_v2 = list(&other_root, 2, vec![bks_rec.clone()]);
        let r = app
            .post(
                "/api/v1/trust-list",
                Admin,
                json!({ "trust_list": hex::encode(&foreign_v2) }),
            )
            .await;
        assert_eq!(r.status, 409, "{}", r.body);
        let r = app
            .post("/api/v1/trust-list", Admin, json!({ "trust_list": "zz" }))
            .await;
        assert_eq!(
            (r.status.as_u16(), r.body["field"].as_str()),
            (422, Some("trust_list"))
        );
        let v2 = list(&root, 2, vec![bks_rec.clone()]);
        let r = app
            .post(
                "/api/v1/trust-list",
                Admin,
                json!({ "trust_list": hex::encode(&v2) }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let tl = app.call("GET", "/api/v1/trust-list", None, None, &[]).await;
        assert_eq!(tl.bytes, v2);

        // A server started with another key-encryption key cannot open the sealed office key:
        // loading says so instead of serving.
        let ring = pora_server::signing::KeyRing::new(pora_server::signing::Kek::generate());
        assert!(matches!(ring.load(st).await, Err(SigningError::Unseal(_))));

        // A list without BKS's key leaves BKS unable to issue.
        let v3 = list(&root, 3, vec![]);
        import_trust_list(st, keys, console_actor(), &v3, &root.public_key())
            .await
            .unwrap();
        let r = app
            .post(
                "/api/v1/permits/2C21BKS0301/extend",
                IssuingOfficer,
                json!({ "valid_until": "2030-01-01" }),
            )
            .await;
        assert_ne!(r.status, 200, "{}", r.body);
        assert!(keys.office_signer("BKS").is_none());
    })
    .await;
}
