//! API errors: the one JSON error shape and how library errors map onto it.
//!
//! # Error policy
//! * Libraries (`pora-store`, `pora-core`) return typed, `#[non_exhaustive]` errors; handlers map them
//!   here, in one place, to an HTTP status and a stable machine `code`.
//! * `anyhow` is used only outside request handling (startup, the demo generator, CLI glue).
//! * A 4xx body says what the caller got wrong, naming the field when there is one. A 5xx body never
//!   carries internal detail (SQL, paths, keys): it says `internal` and the detail goes to the log
//!   with the request's trace.
//! * Body: `{"code": "stable_code", "message": "human text", "field": "optional.field"}`; a refusal
//!   for incomplete data adds `"missing": ["field", …]`, every request field it still needs.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use pora_store::StoreError;
use serde::Serialize;

/// An error answered to the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine code.
    pub code: &'static str,
    /// Human text.
    pub message: String,
    /// The request field at fault, if any.
    pub field: Option<String>,
    /// Every request field still needed, when the data are incomplete (empty otherwise).
    pub missing: Vec<String>,
}

#[derive(Serialize)]
struct Body<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    missing: &'a [String],
}

impl ApiError {
    /// A new error.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
            missing: Vec::new(),
        }
    }
    /// 422 naming a field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid",
            message: message.into(),
            field: Some(field.into()),
            missing: Vec::new(),
        }
    }
    /// 422 for incomplete data: names the first missing field and lists them all.
    pub fn incomplete(missing: Vec<String>, message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "incomplete",
            message: message.into(),
            field: missing.first().cloned(),
            missing,
        }
    }
    /// 400 with a field.
    pub fn bad_request(
        code: &'static str,
        field: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code,
            message: message.into(),
            field: field.map(str::to_owned),
            missing: Vec::new(),
        }
    }
    /// 401.
    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "log in or send a bearer token",
        )
    }
    /// 403.
    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, message)
    }
    /// 404.
    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }
    /// 409.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", message)
    }
    /// 409 naming the field whose value is already taken.
    pub fn taken(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::CONFLICT,
            code: "conflict",
            message: message.into(),
            field: Some(field.into()),
            missing: Vec::new(),
        }
    }
    /// Maps a store error, naming `field` when the schema refused a duplicate value.
    pub fn unless_taken(
        field: &'static str,
        message: &'static str,
    ) -> impl FnOnce(StoreError) -> ApiError {
        move |e| match e {
            StoreError::Conflict(_) => ApiError::taken(field, message),
            other => other.into(),
        }
    }
    /// 500 with the detail logged, not returned.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error; see the server log",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            code: self.code,
            message: &self.message,
            field: self.field.as_deref(),
            missing: &self.missing,
        };
        (self.status, axum::Json(body)).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { entity } => ApiError::not_found(entity),
            StoreError::Invalid { field, reason } => {
                ApiError::invalid(field, format!("{field}: {reason}"))
            }
            StoreError::Conflict(m) => ApiError::conflict(m),
            other => ApiError::internal(other),
        }
    }
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;

impl From<crate::signing::SigningError> for ApiError {
    fn from(e: crate::signing::SigningError) -> Self {
        use crate::signing::SigningError as S;
        match e {
            S::OfflineRoot(_) | S::Import(_) | S::NoKey(_) => ApiError::conflict(e.to_string()),
            S::Store(s) => s.into(),
            other => ApiError::internal(other),
        }
    }
}
