//! A test application: state over a throw-away store, one user and bearer token per role.

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use pora_server::signing::Kek;
use pora_server::{AppState, ServerConfig};
use pora_store::model::{now_unix, Role};
use pora_store::repo::{self, NewSession};
use pora_store::testing::TempDir;
use pora_store::Store;
use serde_json::{json, Value};
use tower::ServiceExt;

pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub tokens: HashMap<Role, String>,
    pub foreigner_niora: String,
    _dir: TempDir,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Value,
    pub bytes: Vec<u8>,
}

impl TestApp {
    pub async fn new(store: Store) -> Self {
        let dir = TempDir::new("server");
        let mut config = ServerConfig::new("sqlite:unused", "127.0.0.1:0".parse().unwrap());
        config.data_dir = dir.0.clone();
        config.argon2 = (256, 1, 1); // cheap hashes in tests; the format is the same
        let state = AppState::with_store(
            store,
            config,
            Kek::generate(),
            ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]),
        )
        .await
        .unwrap();
        state.bootstrap().await.unwrap();
        let now = now_unix();
        let mut tx = state.store.tx().await.unwrap();
        let bks = repo::create_office(&mut tx, "BKS", "Kantor Imigrasi Bekasi", "32.16", now)
            .await
            .unwrap();
        repo::create_office(
            &mut tx,
            "JKU",
            "Kantor Imigrasi Jakarta Utara",
            "31.72",
            now,
        )
        .await
        .unwrap();
        let fid = repo::create_foreigner(
            &mut tx,
            &repo::NewForeigner {
                niora: pora_store::model::Niora::parse("niora", "7000000001").unwrap(),
                full_name: "Tanaka Hiroshi".into(),
                mrz_name: "TANAKA<HIROSHI".into(),
                sex: pora_store::model::Sex::M,
                birth_place: "Nagoya".into(),
                birth_date: pora_store::model::Date::parse("d", "1985-07-14").unwrap(),
                nationality: pora_store::model::Nationality::parse("n", "JPN").unwrap(),
                occupation: Some("Plant manager".into()),
                office_id: bks,
            },
            now,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let mut tokens = HashMap::new();
        for role in Role::ALL {
            let office = match role {
                Role::Admin | Role::Auditor | Role::Foreigner => None,
                _ => Some(bks),
            };
            let foreigner = (*role == Role::Foreigner).then_some(fid);
            let uid = state
                .create_user(
                    role.as_str(),
                    role.as_str(),
                    *role,
                    office,
                    foreigner,
                    PASSWORD,
                )
                .await
                .unwrap();
            let secret = pora_server::auth::new_secret();
            let mut tx = state.store.tx().await.unwrap();
            repo::create_session(
                &mut tx,
                &NewSession {
                    token_hash: &pora_server::auth::secret_hash(&secret),
                    kind: "api_token",
                    user_id: uid,
                    device_id: None,
                    csrf_token: None,
                    label: Some("test"),
                    expires_at: now + 3600,
                },
                now,
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            tokens.insert(*role, secret);
        }
        let router = pora_server::router(state.clone());
        TestApp {
            state,
            router,
            tokens,
            foreigner_niora: "7000000001".into(),
            _dir: dir,
        }
    }

    pub fn token(&self, role: Role) -> &str {
        &self.tokens[&role]
    }

    pub async fn send(&self, req: Request<Body>) -> Resp {
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            body,
            bytes,
        }
    }

    /// A request as `role` (bearer), with an optional JSON body and extra headers.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        role: Option<Role>,
        body: Option<Value>,
        extra: &[(&str, &str)],
    ) -> Resp {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(r) = role {
            b = b.header(header::AUTHORIZATION, format!("Bearer {}", self.token(r)));
        }
        for (k, v) in extra {
            b = b.header(*k, *v);
        }
        let req = match body {
            Some(v) => b
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(v.to_string()))
                .unwrap(),
            None => b.body(Body::empty()).unwrap(),
        };
        self.send(req).await
    }

    pub async fn get(&self, path: &str, role: Role, extra: &[(&str, &str)]) -> Resp {
        self.call("GET", path, Some(role), None, extra).await
    }

    pub async fn post(&self, path: &str, role: Role, body: Value) -> Resp {
        self.call("POST", path, Some(role), Some(body), &[]).await
    }
}

pub fn foreigner_body(niora: &str) -> Value {
    json!({
        "niora": niora, "full_name": "Park Ji-woo", "sex": "F", "birth_place": "Busan", "birth_date": "1990-03-21",
        "nationality": "KOR", "occupation": "Quality engineer",
        "passport": { "number": "M12345678", "issuing_state": "KOR", "expiry_date": "2031-05-01" },
        "address": { "line": "Jl. Contoh Raya 12", "region_code": "32.16.06.2002", "lat": -6.27, "lng": 107.05 }
    })
}
