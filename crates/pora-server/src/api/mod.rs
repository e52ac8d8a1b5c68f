//! The JSON API handlers, by area, and the extractors and helpers they share.

pub mod admin;
pub mod dashboard;
pub mod documents;
pub mod field;
pub mod me;
pub mod monthly;
pub mod operations;
pub mod permits;
pub mod privacy;
pub mod public;
pub mod registry;
pub mod reports;
pub mod supervision;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::HeaderMap;
use pora_store::model::{Date, Page, Purpose, PurposeKind};
use pora_store::repo;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Header naming the purpose of a read of personal data.
pub const PURPOSE_HEADER: &str = "x-pora-purpose";

/// `Json<T>` whose rejections are answered in the API error shape, naming the field when serde does.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(json_error(rejection)),
        }
    }
}

fn json_error(r: JsonRejection) -> ApiError {
    let text = r.body_text();
    let field = text
        .split_once("field `")
        .and_then(|(_, rest)| rest.split_once('`'))
        .map(|(f, _)| f.to_owned());
    match r {
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content_type",
            "send Content-Type: application/json",
        ),
        JsonRejection::BytesRejection(_) => ApiError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "request body too large",
        ),
        JsonRejection::JsonDataError(_) => ApiError {
            status: axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid",
            message: text,
            field,
            missing: Vec::new(),
        },
        _ => ApiError::bad_request("bad_json", None, text),
    }
}

/// Parses a JSON body already read as bytes (for handlers that also need the raw bytes), with the
/// same error shape as [`ApiJson`].
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> ApiResult<T> {
    serde_json::from_slice(bytes).map_err(|e| {
        let text = e.to_string();
        let field = text
            .split_once("field `")
            .and_then(|(_, r)| r.split_once('`'))
            .map(|(f, _)| f.to_owned());
        if e.is_data() {
            ApiError {
                status: axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                code: "invalid",
                message: text,
                field,
                missing: Vec::new(),
            }
        } else {
            ApiError::bad_request("bad_json", None, text)
        }
    })
}

/// `?limit=&offset=`.
#[derive(Debug, Default, Deserialize)]
pub struct Paging {
    /// Page size (1..=500, default 50).
    pub limit: Option<i64>,
    /// Rows to skip.
    pub offset: Option<i64>,
}

impl Paging {
    /// The checked page.
    pub fn page(&self) -> ApiResult<Page> {
        Ok(Page::new(self.limit, self.offset)?)
    }
}

/// A page of results.
#[derive(Debug, Serialize)]
pub struct List<T> {
    /// The rows.
    pub items: Vec<T>,
    /// Page size asked.
    pub limit: i64,
    /// Offset asked.
    pub offset: i64,
    /// Offset of the next page, if there may be one.
    pub next_offset: Option<i64>,
    /// Total rows, when counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
}

impl<T> List<T> {
    /// Wraps a page.
    pub fn new(items: Vec<T>, page: Page, total: Option<i64>) -> Self {
        let more = match total {
            Some(t) => page.offset + (items.len() as i64) < t,
            None => items.len() as i64 == page.limit,
        };
        List {
            next_offset: more.then_some(page.offset + items.len() as i64),
            items,
            limit: page.limit,
            offset: page.offset,
            total,
        }
    }
}

/// The purpose of a read of personal data: the `X-Pora-Purpose` header, else `?purpose=`.
/// `operation:` purposes must name a written order of the caller's office that is in force today.
pub async fn purpose(
    state: &AppState,
    p: &Principal,
    headers: &HeaderMap,
    query: Option<&str>,
) -> ApiResult<Purpose> {
    let raw = headers
        .get(PURPOSE_HEADER)
        .and_then(|v| v.to_str().ok())
        .or(query)
        .ok_or_else(|| {
            ApiError::bad_request(
                "purpose_required",
                Some("purpose"),
                "reads of personal data need a purpose: X-Pora-Purpose: check | operation:<order> | case:<id> | issuance:<task> | audit:<id>",
            )
        })?;
    let purpose = Purpose::parse("purpose", raw)?;
    if matches!(purpose.kind, PurposeKind::SelfView | PurposeKind::System) {
        return Err(ApiError::invalid("purpose", "not an officer's purpose"));
    }
    if purpose.kind == PurposeKind::Operation {
        let mut c = state.store.conn().await?;
        let order = repo::written_order(&mut c, &purpose.reference)
            .await?
            .ok_or_else(|| {
                ApiError::invalid("purpose", format!("no written order {}", purpose.reference))
            })?;
        if !p.in_scope(order.office_id) {
            return Err(ApiError::invalid(
                "purpose",
                "the written order belongs to another office",
            ));
        }
        if order.status == "cancelled" {
            return Err(ApiError::invalid(
                "purpose",
                format!("written order {} was cancelled", order.number),
            ));
        }
        let today = Date::from_unix(pora_store::model::now_unix()).to_string();
        if !order.in_force_on(&today) {
            return Err(ApiError::invalid(
                "purpose",
                format!("written order {} is not in force today", order.number),
            ));
        }
    }
    Ok(purpose)
}

/// The caller's office, required for office-bound actions.
pub fn own_office(p: &Principal) -> ApiResult<(i64, String)> {
    match (p.office_id, &p.office_code) {
        (Some(id), Some(code)) => Ok((id, code.clone())),
        _ => Err(ApiError::forbidden(
            "no_office",
            "this action needs a user bound to an office",
        )),
    }
}

/// Parses an optional date field.
pub fn opt_date(field: &'static str, v: &Option<String>) -> ApiResult<Option<Date>> {
    v.as_deref()
        .map(|s| Date::parse(field, s))
        .transpose()
        .map_err(Into::into)
}

/// The `?state=` filter of lists of things waiting for a decision (officers' corrections, persons'
/// correction requests): `pending` (the default), `accepted`, `rejected`, or `all` (no filter).
pub(crate) fn decision_state(state: Option<&str>) -> ApiResult<Option<&'static str>> {
    match state.unwrap_or("pending") {
        "all" => Ok(None),
        "pending" => Ok(Some("pending")),
        "accepted" => Ok(Some("accepted")),
        "rejected" => Ok(Some("rejected")),
        _ => Err(ApiError::invalid(
            "state",
            "want pending, accepted, rejected or all",
        )),
    }
}
