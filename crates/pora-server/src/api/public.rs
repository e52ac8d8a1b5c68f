//! Public endpoints: health, metrics, the OpenAPI document, and the signed publications (trust list,
//! status lists) with ETag / If-None-Match.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use pora_store::model::now_unix;
use pora_store::repo;
use serde_json::json;

use crate::error::{ApiError, ApiResult};
use crate::signing::Published;
use crate::state::AppState;

/// `GET /healthz`.
pub async fn healthz(State(state): State<AppState>) -> Response {
    match sqlx_ping(&state).await {
        Ok(()) => Json(json!({ "status": "ok" })).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable" })),
            )
                .into_response()
        }
    }
}

async fn sqlx_ping(state: &AppState) -> Result<(), pora_store::StoreError> {
    let mut c = state.store.conn().await?;
    repo::offices(&mut c).await.map(|_| ())
}

/// `GET /metrics`: the HTTP series, and how often the status lists were built and signed.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let mut text = state.metrics.render();
    text.push_str(&format!(
        "# HELP pora_status_list_builds_total Status list tokens built and signed since start.\n\
         # TYPE pora_status_list_builds_total counter\n\
         pora_status_list_builds_total {}\n",
        state.keys.status_builds()
    ));
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}

/// `GET /api/v1/openapi.json`.
pub async fn openapi() -> Json<serde_json::Value> {
    Json(crate::openapi::document())
}

fn publish(
    p: &Published,
    content_type: &'static str,
    max_age: u64,
    headers: &HeaderMap,
) -> Response {
    let etag_matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == p.etag || t.trim() == "*"));
    let mut resp = if etag_matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(header::CONTENT_TYPE, content_type)],
            p.bytes.as_ref().clone(),
        )
            .into_response()
    };
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&p.etag) {
        h.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("public, max-age={max_age}")) {
        h.insert(header::CACHE_CONTROL, v);
    }
    resp
}

/// `GET /api/v1/trust-list`: the COSE-signed trust list.
pub async fn trust_list(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    let (p, _) = state
        .keys
        .trust_list(now_unix())
        .map_err(ApiError::internal)?;
    Ok(publish(&p, pora_core::trust::CT_TRUST_LIST, 3600, &headers))
}

/// `GET /api/v1/trust-root`: the root public key verifiers pin.
pub async fn trust_root(State(state): State<AppState>) -> ApiResult<Json<serde_json::Value>> {
    let (alg, key) = state
        .keys
        .root_public()
        .ok_or_else(|| ApiError::internal("no trust root"))?;
    Ok(Json(json!({ "algorithm": alg, "public_key": key })))
}

/// `GET /api/v1/status-list/{office}`: the office's signed status list token.
pub async fn status_list(
    State(state): State<AppState>,
    Path(office): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    if office.is_empty()
        || office.len() > 8
        || !office
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return Err(ApiError::invalid(
            "office",
            "want an office code of 2-8 characters A-Z 0-9",
        ));
    }
    let mut c = state.store.conn().await?;
    let o = repo::office_by_code(&mut c, &office).await?;
    drop(c);
    if state.keys.office_signer(&o.code).is_none() {
        return Err(ApiError::not_found("status list"));
    }
    let ttl = state.config.status_ttl_secs;
    let (p, _) = state
        .keys
        .status_list(&state.store, o.id, &o.code, now_unix(), ttl)
        .await
        .map_err(ApiError::internal)?;
    Ok(publish(&p, pora_core::status_list::TYP, ttl / 2, &headers))
}
