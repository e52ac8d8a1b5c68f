//! Authentication: argon2id passwords, cookie sessions with CSRF tokens, bearer tokens for devices and
//! API clients, and login rate limiting per (IP, user).
//!
//! Secrets (session and bearer tokens) are 32 random bytes, base64url; the database keeps only their
//! SHA-256, so a copy of the database does not log anyone in.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use base64::Engine as _;
use pora_store::audit::{Actor, NewEntry};
use pora_store::model::{now_unix, Purpose, Role};
use pora_store::repo::{self, NewSession};
use rand_core::{OsRng, RngCore};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::api::ApiJson;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "pora_session";
/// Header carrying the CSRF token on state-changing cookie requests.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Who is calling, resolved from a session cookie or a bearer token.
#[derive(Clone, Debug)]
pub struct Principal {
    /// User id.
    pub user_id: i64,
    /// Login name.
    pub username: String,
    /// Role.
    pub role: Role,
    /// Office scope (`None` = national).
    pub office_id: Option<i64>,
    /// Office code.
    pub office_code: Option<String>,
    /// For foreigners: their registry id.
    pub foreigner_id: Option<i64>,
    /// The session or token row.
    pub session_id: i64,
    /// Authenticated by cookie (so CSRF applies).
    pub via_cookie: bool,
    /// The session's CSRF token.
    pub csrf: Option<String>,
    /// The device a bearer token was issued to.
    pub device_id: Option<i64>,
}

impl Principal {
    /// The audit actor.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.user_id),
            role: self.role.as_str().into(),
            office: self.office_code.clone().unwrap_or_default(),
        }
    }

    /// Whether the user may act on data of `office_id` (national users may act on all).
    pub fn in_scope(&self, office_id: i64) -> bool {
        self.office_id.is_none_or(|o| o == office_id)
    }

    /// Refuses with 403 unless in scope.
    pub fn require_scope(&self, office_id: i64) -> ApiResult<()> {
        if self.in_scope(office_id) {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                "out_of_scope",
                "this record belongs to another office",
            ))
        }
    }
}

/// A new random secret (base64url, 43 characters).
pub fn new_secret() -> String {
    let mut b = [0u8; 32];
    OsRng.fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// SHA-256 hex of a secret, as stored.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Hashes a password with argon2id at the given cost (memory KiB, iterations, lanes).
pub fn hash_password(password: &str, cost: (u32, u32, u32)) -> anyhow::Result<String> {
    let params = Params::new(cost.0, cost.1, cost.2, None)
        .map_err(|e| anyhow::anyhow!("argon2 params: {e}"))?;
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("argon2: {e}"))?
        .to_string())
}

/// Checks a password against a PHC string (the parameters come from the string).
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Counts login failures per (IP, username) in a sliding window.
#[derive(Debug)]
pub struct LoginLimiter {
    max: usize,
    window: Duration,
    failures: Mutex<HashMap<(String, String), Vec<Instant>>>,
}

impl LoginLimiter {
    /// A limiter allowing `max` failures per `window`.
    pub fn new(max: usize, window: Duration) -> Self {
        LoginLimiter {
            max,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn key(ip: &str, user: &str) -> (String, String) {
        (ip.to_owned(), user.to_lowercase())
    }

    /// Whether this (IP, user) is locked out now.
    pub fn locked(&self, ip: &str, user: &str) -> bool {
        let mut m = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let window = self.window;
        match m.get_mut(&Self::key(ip, user)) {
            Some(v) => {
                v.retain(|t| t.elapsed() < window);
                v.len() >= self.max
            }
            None => false,
        }
    }

    /// Records a failure.
    pub fn fail(&self, ip: &str, user: &str) {
        let mut m = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if m.len() > 100_000 {
            // Bound memory under a spray attack: drop entries whose failures have all aged out.
            let window = self.window;
            m.retain(|_, v| v.iter().any(|t| t.elapsed() < window));
        }
        m.entry(Self::key(ip, user))
            .or_default()
            .push(Instant::now());
    }

    /// Clears after a success.
    pub fn clear(&self, ip: &str, user: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&Self::key(ip, user));
    }
}

/// Resolves the caller from `Authorization: Bearer` or the session cookie; `Ok(None)` if neither.
pub async fn resolve(state: &AppState, headers: &HeaderMap) -> ApiResult<Option<Principal>> {
    let (secret, via_cookie) = if let Some(b) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        (b.trim().to_owned(), false)
    } else if let Some(c) = cookie(headers, SESSION_COOKIE) {
        (c, true)
    } else {
        return Ok(None);
    };
    let mut c = state.store.conn().await?;
    let Some(s) = repo::live_session(&mut c, &secret_hash(&secret), now_unix()).await? else {
        return Ok(None);
    };
    drop(c);
    // A cookie must carry a cookie session, a bearer header an API token.
    if (s.kind == "session") != via_cookie {
        return Ok(None);
    }
    if s.disabled != 0 {
        return Ok(None);
    }
    // A token bound to a device works only while the device is approved.
    if s.device_id.is_some() && s.device_state.as_deref() != Some("approved") {
        return Ok(None);
    }
    Ok(Some(Principal {
        user_id: s.user_id,
        username: s.username,
        role: s.role,
        office_id: s.office_id,
        office_code: s.office_code,
        foreigner_id: s.foreigner_id,
        session_id: s.id,
        via_cookie,
        csrf: s.csrf_token,
        device_id: s.device_id,
    }))
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn client_ip(ci: Option<&ConnectInfo<SocketAddr>>) -> String {
    ci.map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "local".into())
}

/// Login request.
#[derive(Debug, Deserialize)]
pub struct LoginRequest {
    /// Login name.
    pub username: String,
    /// Password.
    pub password: String,
    /// `cookie` (default) for a browser session, `bearer` for an API token.
    #[serde(default)]
    pub mode: Option<String>,
    /// For `bearer`: the approved device the token is for.
    #[serde(default)]
    pub device_id: Option<i64>,
}

/// `POST /api/v1/auth/login`.
pub async fn login(
    State(state): State<AppState>,
    ext: axum::http::Extensions,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Response> {
    let ip = client_ip(ext.get::<ConnectInfo<SocketAddr>>());
    if req.username.is_empty() || req.username.len() > 64 {
        return Err(ApiError::invalid("username", "1-64 characters"));
    }
    if state.limiter.locked(&ip, &req.username) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            "too many failed logins; try again later",
        ));
    }
    let mut c = state.store.conn().await?;
    let user = repo::user_by_username(&mut c, &req.username).await?;
    let ok = match &user {
        Some(u) => u.disabled == 0 && verify_password(&req.password, &u.password_hash),
        None => {
            // Spend the same time as a real check so that user names cannot be probed by timing.
            let _ = verify_password(&req.password, &state.dummy_hash);
            false
        }
    };
    let Some(user) = user.filter(|_| ok) else {
        state.limiter.fail(&ip, &req.username);
        tracing::info!(user = %req.username, %ip, "login failed");
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "bad_credentials",
            "wrong user name or password",
        ));
    };
    state.limiter.clear(&ip, &req.username);
    drop(c);
    let now = now_unix();
    let secret = new_secret();
    let bearer = req.mode.as_deref() == Some("bearer");
    if !bearer && req.mode.as_deref().is_some_and(|m| m != "cookie") {
        return Err(ApiError::invalid("mode", "want cookie or bearer"));
    }
    let mut tx = state.store.begin_audited().await?;
    if let Some(d) = req.device_id {
        let dev = repo::device_by_id(tx.conn(), d).await?;
        if dev.officer_id != user.id || dev.state != "approved" {
            return Err(ApiError::forbidden(
                "device_not_approved",
                "the device is not approved for this user",
            ));
        }
    }
    let csrf = (!bearer).then(new_secret);
    let ttl = if bearer {
        state.config.token_ttl_secs
    } else {
        state.config.session_ttl_secs
    };
    repo::create_session(
        tx.conn(),
        &NewSession {
            token_hash: &secret_hash(&secret),
            kind: if bearer { "api_token" } else { "session" },
            user_id: user.id,
            device_id: req.device_id,
            csrf_token: csrf.as_deref(),
            label: None,
            expires_at: now + ttl,
        },
        now,
    )
    .await?;
    tx.append(NewEntry {
        actor: Actor {
            user_id: Some(user.id),
            role: user.role.as_str().into(),
            office: user.office_code.clone().unwrap_or_default(),
        },
        action: "auth.login".into(),
        subject_kind: "user".into(),
        subject_id: user.id.to_string(),
        purpose: Purpose::system("login"),
        details: json!({ "mode": if bearer { "bearer" } else { "cookie" }, "ip": ip, "device": req.device_id }),
    })
    .await?;
    tx.commit().await?;
    let body = json!({
        "user": { "id": user.id, "username": user.username, "role": user.role, "office": user.office_code },
        "csrf_token": csrf,
        "token": if bearer { Some(&secret) } else { None },
        "expires_at": now + ttl,
    });
    let mut resp = Json(body).into_response();
    if !bearer {
        let secure = if state.config.secure_cookies {
            "; Secure"
        } else {
            ""
        };
        let cookie = format!(
            "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Strict; Max-Age={ttl}{secure}"
        );
        resp.headers_mut().insert(
            header::SET_COOKIE,
            HeaderValue::from_str(&cookie).map_err(ApiError::internal)?,
        );
    }
    Ok(resp)
}

/// `POST /api/v1/auth/logout`: revokes the current session or token.
pub async fn logout(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
) -> ApiResult<Response> {
    let mut c = state.store.tx().await?;
    repo::revoke_session(&mut c, p.session_id, now_unix()).await?;
    c.commit().await.map_err(pora_store::StoreError::from)?;
    let mut resp = StatusCode::NO_CONTENT.into_response();
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let clear = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}");
    if let Ok(v) = HeaderValue::from_str(&clear) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(resp)
}

/// `GET /api/v1/auth/me`.
pub async fn me(Extension(p): Extension<Principal>) -> Json<serde_json::Value> {
    Json(json!({
        "id": p.user_id, "username": p.username, "role": p.role, "office": p.office_code,
        "via": if p.via_cookie { "cookie" } else { "bearer" }, "device_id": p.device_id,
    }))
}
