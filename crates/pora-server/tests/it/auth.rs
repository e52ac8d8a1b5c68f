//! Logins: cookies with CSRF, bearer tokens, rate limiting, logout.

use axum::body::Body;
use axum::http::{header, Request};
use pora_store::testing::TestDb;
use serde_json::json;

use super::app::{TestApp, PASSWORD};

fn login_req(user: &str, password: &str, mode: &str) -> Request<Body> {
    Request::builder()
        .method("POST")
        .uri("/api/v1/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({ "username": user, "password": password, "mode": mode }).to_string(),
        ))
        .unwrap()
}

#[tokio::test]
async fn cookie_sessions_need_the_csrf_token() {
    let db = TestDb::sqlite().await;
    let app = TestApp::new(db.store.clone()).await;
    let r = app.send(login_req("supervisor", PASSWORD, "cookie")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let set_cookie = r.headers[header::SET_COOKIE].to_str().unwrap().to_owned();
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set_cookie.contains(attr), "{set_cookie}");
    }
    assert!(!set_cookie.contains("Secure"), "not configured for TLS");
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let csrf = r.body["csrf_token"].as_str().unwrap().to_owned();

    let get = |c: &str| {
        Request::builder()
            .uri("/api/v1/auth/me")
            .header(header::COOKIE, c.to_owned())
            .body(Body::empty())
            .unwrap()
    };
    let me = app.send(get(&cookie)).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["role"], "supervisor");

    let order = json!({ "number": "SP-1/2026", "title": "Operasi", "starts_on": "2026-01-01", "ends_on": "2030-12-31" });
    let post = |csrf: Option<&str>| {
        let mut b = Request::builder()
            .method("POST")
            .uri("/api/v1/orders")
            .header(header::COOKIE, cookie.clone())
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(t) = csrf {
            b = b.header("x-csrf-token", t);
        }
        b.body(Body::from(order.to_string())).unwrap()
    };
    let r = app.send(post(None)).await;
    assert_eq!(
        (r.status.as_u16(), r.body["code"].as_str()),
        (403, Some("csrf"))
    );
    let r = app.send(post(Some("wrong"))).await;
    assert_eq!(r.status, 403);
    let r = app.send(post(Some(&csrf))).await;
    assert_eq!(r.status, 201, "{}", r.body);

    // Logout revokes the session.
    let out = Request::builder()
        .method("POST")
        .uri("/api/v1/auth/logout")
        .header(header::COOKIE, cookie.clone())
        .header("x-csrf-token", csrf.clone())
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send(out).await.status, 204);
    assert_eq!(app.send(get(&cookie)).await.status, 401);
    db.cleanup().await;
}

#[tokio::test]
async fn bearer_logins_and_wrong_credentials() {
    let db = TestDb::sqlite().await;
    let app = TestApp::new(db.store.clone()).await;
    let r = app
        .send(login_req("field_officer", PASSWORD, "bearer"))
        .await;
    assert_eq!(r.status, 200);
    assert!(r.headers.get(header::SET_COOKIE).is_none());
    let token = r.body["token"].as_str().unwrap();
    let me = app
        .send(
            Request::builder()
                .uri("/api/v1/auth/me")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(me.body["role"], "field_officer");
    // A bearer secret is not accepted as a cookie, nor the reverse.
    let as_cookie = app
        .send(
            Request::builder()
                .uri("/api/v1/auth/me")
                .header(header::COOKIE, format!("pora_session={token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(as_cookie.status, 401);

    let r = app
        .send(login_req("field_officer", "wrong password", "cookie"))
        .await;
    assert_eq!(
        (r.status.as_u16(), r.body["code"].as_str()),
        (401, Some("bad_credentials"))
    );
    let r = app.send(login_req("nobody", PASSWORD, "cookie")).await;
    assert_eq!(r.status, 401, "unknown users look the same");
    let r = app
        .send(login_req("field_officer", PASSWORD, "carrier-pigeon"))
        .await;
    assert_eq!(r.body["field"], "mode");
    db.cleanup().await;
}

#[tokio::test]
async fn five_failures_lock_the_user_out() {
    let db = TestDb::sqlite().await;
    let app = TestApp::new(db.store.clone()).await;
    for _ in 0..5 {
        assert_eq!(
            app.send(login_req("issuing_officer", "guess", "cookie"))
                .await
                .status,
            401
        );
    }
    let r = app
        .send(login_req("issuing_officer", PASSWORD, "cookie"))
        .await;
    assert_eq!(
        (r.status.as_u16(), r.body["code"].as_str()),
        (429, Some("too_many_attempts"))
    );
    // Other users are not affected.
    assert_eq!(
        app.send(login_req("auditor", PASSWORD, "cookie"))
            .await
            .status,
        200
    );
    db.cleanup().await;
}

#[tokio::test]
async fn device_tokens_follow_the_device_state() {
    let db = TestDb::sqlite().await;
    let app = TestApp::new(db.store.clone()).await;
    use pora_store::model::Role::*;
    let device_key = ed25519_dalek::SigningKey::from_bytes(&[3u8; 32]);
    let r = app
        .post(
            "/api/v1/devices",
            FieldOfficer,
            json!({ "label": "Reader 1", "public_key": hex::encode(device_key.verifying_key().as_bytes()) }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let device = r.body["id"].as_i64().unwrap();
    let bad = app
        .post(
            "/api/v1/devices",
            FieldOfficer,
            json!({ "label": "Reader 2", "public_key": "not a key" }),
        )
        .await;
    assert_eq!(bad.body["field"], "public_key");
    let login = |device: i64| {
        Request::builder()
            .method("POST")
            .uri("/api/v1/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({ "username": "field_officer", "password": PASSWORD, "mode": "bearer", "device_id": device }).to_string()))
            .unwrap()
    };
    let r = app.send(login(device)).await;
    assert_eq!(
        (r.status.as_u16(), r.body["code"].as_str()),
        (403, Some("device_not_approved"))
    );
    let r = app
        .post(
            &format!("/api/v1/devices/{device}/approve"),
            Supervisor,
            json!({}),
        )
        .await;
    assert_eq!(r.body["state"], "approved", "{}", r.body);
    let r = app.send(login(device)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let token = r.body["token"].as_str().unwrap().to_owned();
    let me = |t: &str| {
        Request::builder()
            .uri("/api/v1/auth/me")
            .header(header::AUTHORIZATION, format!("Bearer {t}"))
            .body(Body::empty())
            .unwrap()
    };
    let r = app.send(me(&token)).await;
    assert_eq!(r.body["device_id"], device);

    let r = app
        .post(
            &format!("/api/v1/devices/{device}/revoke"),
            Admin,
            json!({}),
        )
        .await;
    assert_eq!(r.body["state"], "revoked");
    assert_eq!(
        app.send(me(&token)).await.status,
        401,
        "a revoked device's token stops working"
    );
    let r = app
        .post(
            &format!("/api/v1/devices/{device}/approve"),
            Supervisor,
            json!({}),
        )
        .await;
    assert_eq!(r.status, 409, "revocation is final");
    db.cleanup().await;
}
