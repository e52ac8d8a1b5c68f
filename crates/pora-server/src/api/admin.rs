//! Administration: offices, users, signer keys, and field devices.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use pora_store::audit::NewEntry;
use pora_store::model::{now_unix, Purpose, Role};
use pora_store::repo::{self, Device, Office, User};
use serde::Deserialize;
use serde_json::json;

use super::{own_office, ApiJson, List, Paging};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

fn admin_entry(
    p: &Principal,
    action: &str,
    kind: &str,
    id: &str,
    details: serde_json::Value,
) -> NewEntry {
    NewEntry {
        actor: p.actor(),
        action: action.into(),
        subject_kind: kind.into(),
        subject_id: id.into(),
        purpose: Purpose::system("administration"),
        details,
    }
}

/// `GET /api/v1/offices`.
pub async fn list_offices(State(state): State<AppState>) -> ApiResult<Json<Vec<Office>>> {
    let mut c = state.store.conn().await?;
    Ok(Json(repo::offices(&mut c).await?))
}

/// Office to create.
#[derive(Debug, Deserialize)]
pub struct NewOfficeBody {
    /// Code, 2-8 of A-Z 0-9.
    pub code: String,
    /// Name.
    pub name: String,
    /// Kabupaten/kota code `PP.KK`.
    pub region_code: String,
}

/// `POST /api/v1/offices`.
pub async fn create_office(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiJson(b): ApiJson<NewOfficeBody>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    if !(2..=8).contains(&b.code.len())
        || !b
            .code
            .bytes()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    {
        return Err(ApiError::invalid("code", "want 2-8 characters A-Z 0-9"));
    }
    let rc = b.region_code.as_bytes();
    if !(rc.len() == 5
        && rc[2] == b'.'
        && b.region_code
            .replace('.', "")
            .bytes()
            .all(|c| c.is_ascii_digit()))
    {
        return Err(ApiError::invalid(
            "region_code",
            "want a kabupaten/kota code PP.KK",
        ));
    }
    let mut tx = state.store.begin_audited().await?;
    let id = repo::create_office(tx.conn(), &b.code, &b.name, &b.region_code, now_unix()).await?;
    tx.append(admin_entry(
        &p,
        "office.create",
        "office",
        &b.code,
        json!({ "name": b.name }),
    ))
    .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": id, "code": b.code })),
    ))
}

/// `GET /api/v1/users`.
pub async fn list_users(
    State(state): State<AppState>,
    Query(pg): Query<Paging>,
) -> ApiResult<Json<List<User>>> {
    let page = pg.page()?;
    let mut c = state.store.conn().await?;
    Ok(Json(List::new(
        repo::users(&mut c, page).await?,
        page,
        None,
    )))
}

/// User to create.
#[derive(Debug, Deserialize)]
pub struct NewUserBody {
    /// Login name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Role.
    pub role: String,
    /// Office code (omit for national scope; required for officers).
    pub office: Option<String>,
    /// For role `foreigner`: their NIORA.
    pub niora: Option<String>,
    /// Initial password (at least 12 characters).
    pub password: String,
}

/// `POST /api/v1/users`.
pub async fn create_user(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiJson(b): ApiJson<NewUserBody>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let role = Role::parse("role", &b.role)?;
    if b.username.is_empty()
        || b.username.len() > 64
        || !b
            .username
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"._-".contains(&c))
    {
        return Err(ApiError::invalid(
            "username",
            "1-64 characters a-z A-Z 0-9 . _ -",
        ));
    }
    if b.password.chars().count() < 12 {
        return Err(ApiError::invalid("password", "at least 12 characters"));
    }
    let mut c = state.store.conn().await?;
    let office = match &b.office {
        Some(code) => Some(
            repo::office_by_code(&mut c, code)
                .await
                .map_err(|_| ApiError::invalid("office", "unknown office"))?
                .id,
        ),
        None => None,
    };
    if matches!(
        role,
        Role::IssuingOfficer | Role::FieldOfficer | Role::Supervisor
    ) && office.is_none()
    {
        return Err(ApiError::invalid(
            "office",
            "officers and supervisors belong to an office",
        ));
    }
    let foreigner = match (&b.niora, role) {
        (Some(n), Role::Foreigner) => Some(
            repo::foreigner_by_niora(&mut c, n)
                .await
                .map_err(|_| ApiError::invalid("niora", "unknown NIORA"))?
                .id,
        ),
        (None, Role::Foreigner) => {
            return Err(ApiError::invalid(
                "niora",
                "a foreigner's account names their NIORA",
            ))
        }
        _ => None,
    };
    drop(c);
    let id = state
        .create_user(
            &b.username,
            &b.display_name,
            role,
            office,
            foreigner,
            &b.password,
        )
        .await
        .map_err(|e| match e.downcast::<pora_store::StoreError>() {
            Ok(se) => ApiError::from(se),
            Err(e) => ApiError::internal(e),
        })?;
    state
        .store
        .audit_append(admin_entry(
            &p,
            "user.create",
            "user",
            &id.to_string(),
            json!({ "username": b.username, "role": role }),
        ))
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

/// Key to create.
#[derive(Debug, Deserialize)]
pub struct NewKeyBody {
    /// Office code.
    pub office: String,
}

/// `POST /api/v1/keys`: a new document signer for an office (the newest key signs from now on).
pub async fn create_key(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiJson(b): ApiJson<NewKeyBody>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let mut tx = state.store.begin_audited().await?;
    let office = repo::office_by_code(tx.conn(), &b.office)
        .await
        .map_err(|_| ApiError::invalid("office", "unknown office"))?;
    let kid = state
        .keys
        .create_key(
            tx.conn(),
            office.id,
            &office.code,
            "document_signer",
            now_unix(),
        )
        .await?;
    tx.append(admin_entry(
        &p,
        "key.create",
        "key",
        &kid,
        json!({ "office": office.code }),
    ))
    .await?;
    tx.commit().await?;
    state.keys.invalidate_status(&office.code);
    Ok((
        StatusCode::CREATED,
        Json(json!({ "kid": kid, "office": office.code })),
    ))
}

/// A trust list signed by the offline national root.
#[derive(Debug, Deserialize)]
pub struct TrustListBody {
    /// The signed trust list (COSE), hex.
    pub trust_list: String,
}

/// `POST /api/v1/trust-list`: installs a newer trust list signed by the root already imported
/// (the first import, which names the root, is made at the console with `pora trust import`).
pub async fn import_trust_list(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiJson(b): ApiJson<TrustListBody>,
) -> ApiResult<(StatusCode, Json<crate::trust_admin::Imported>)> {
    let bytes = hex::decode(b.trust_list.trim())
        .map_err(|_| ApiError::invalid("trust_list", "trust_list: not hex"))?;
    let root = state.keys.offline_root().ok_or_else(|| {
        ApiError::conflict(
            "no offline root: the first trust list is imported at the console with `pora trust import`",
        )
    })?;
    let imported =
        crate::trust_admin::import_trust_list(&state.store, &state.keys, p.actor(), &bytes, &root)
            .await?;
    Ok((StatusCode::CREATED, Json(imported)))
}

/// `GET /api/v1/devices`.
pub async fn list_devices(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Query(pg): Query<Paging>,
) -> ApiResult<Json<List<Device>>> {
    let page = pg.page()?;
    let mut c = state.store.conn().await?;
    Ok(Json(List::new(
        repo::devices(&mut c, p.office_id, page).await?,
        page,
        None,
    )))
}

/// Device to register.
#[derive(Debug, Deserialize)]
pub struct NewDeviceBody {
    /// Label, e.g. "Reader 3, Tim PORA Cikarang".
    pub label: String,
    /// The device's public key, hex: Ed25519 (64 hex digits) or P-256 SEC1 uncompressed (130 hex
    /// digits, starting `04`). The device made the key pair; the private key never leaves it.
    pub public_key: String,
    /// `EdDSA` or `ES256`; by default taken from the key's length.
    pub algorithm: Option<String>,
}

/// Parses a device public key: (algorithm name, key, kid hex).
pub fn parse_device_key(
    hex_key: &str,
    algorithm: Option<&str>,
) -> ApiResult<(&'static str, String, String)> {
    let key = hex_key.trim().to_lowercase();
    let bytes = hex::decode(&key).map_err(|_| ApiError::invalid("public_key", "not hex"))?;
    let alg = match (algorithm, bytes.len()) {
        (Some("EdDSA") | None, 32) => pora_core::Algorithm::EdDSA,
        (Some("ES256") | None, 65) => pora_core::Algorithm::ES256,
        (Some(a), _) if a != "EdDSA" && a != "ES256" => {
            return Err(ApiError::invalid("algorithm", "want EdDSA or ES256"))
        }
        _ => {
            return Err(ApiError::invalid(
                "public_key",
                "want an Ed25519 key (64 hex digits) or a P-256 SEC1 uncompressed point (130 hex digits)",
            ))
        }
    };
    let pk = pora_core::PublicKey::from_bytes(alg, &bytes)
        .map_err(|e| ApiError::invalid("public_key", e.to_string()))?;
    if !pora_crypto::public_key_valid(&pk) {
        return Err(ApiError::invalid(
            "public_key",
            "not a valid point of the curve",
        ));
    }
    let name = match alg {
        pora_core::Algorithm::EdDSA => "EdDSA",
        pora_core::Algorithm::ES256 => "ES256",
    };
    Ok((name, key, hex::encode(pora_core::trust::kid_of(&pk))))
}

/// `POST /api/v1/devices`: registers the caller's device with its public key, pending approval.
pub async fn register_device(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiJson(b): ApiJson<NewDeviceBody>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let (office_id, _) = own_office(&p)?;
    if b.label.is_empty() || b.label.len() > 100 {
        return Err(ApiError::invalid("label", "1-100 characters"));
    }
    let (alg, key, kid) = parse_device_key(&b.public_key, b.algorithm.as_deref())?;
    let mut tx = state.store.begin_audited().await?;
    if pora_store::field::device_by_kid(tx.conn(), &kid)
        .await?
        .is_some()
    {
        return Err(ApiError::conflict(
            "a device with this key id is already enrolled: make a new key pair",
        ));
    }
    let id =
        repo::register_device(tx.conn(), &b.label, &key, p.user_id, office_id, now_unix()).await?;
    pora_store::field::set_device_key(tx.conn(), id, alg, &kid).await?;
    tx.append(admin_entry(
        &p,
        "device.register",
        "device",
        &id.to_string(),
        json!({ "label": b.label, "algorithm": alg, "kid": kid }),
    ))
    .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(
            json!({ "id": id, "device": id.to_string(), "state": "pending", "algorithm": alg, "kid": kid }),
        ),
    ))
}

async fn decide(state: AppState, p: Principal, id: i64, to: &str) -> ApiResult<Json<Device>> {
    let mut tx = state.store.begin_audited().await?;
    let d = repo::device_by_id(tx.conn(), id).await?;
    p.require_scope(d.office_id)?;
    let d = repo::decide_device(tx.conn(), id, to, p.user_id, now_unix()).await?;
    tx.append(admin_entry(
        &p,
        &format!(
            "device.{}",
            if to == "approved" {
                "approve"
            } else {
                "revoke"
            }
        ),
        "device",
        &id.to_string(),
        json!({}),
    ))
    .await?;
    tx.commit().await?;
    Ok(Json(d))
}

/// `POST /api/v1/devices/{id}/approve`.
pub async fn approve_device(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Device>> {
    decide(state, p, id, "approved").await
}

/// `POST /api/v1/devices/{id}/revoke`.
pub async fn revoke_device(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Device>> {
    decide(state, p, id, "revoked").await
}
