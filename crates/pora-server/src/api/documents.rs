//! The permit's printed documents: the KITAS / KITAP card (ID-1) and the A4 e-permit, as PDF or PNG,
//! rendered by `pora-card` from the registry and the permit's signed credential.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use pora_card::{CardData, PermitKind};
use pora_store::audit::NewEntry;
use pora_store::model::{PermitNumber, PermitType, Sex};
use pora_store::repo::{self, Permit};
use pora_store::Conn;
use serde::Deserialize;
use serde_json::json;

use super::purpose;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// `?kind=card|epermit&format=pdf|png&dpi=N&purpose=...`.
#[derive(Debug, Default, Deserialize)]
pub struct DocumentQuery {
    /// `card` (default) or `epermit`.
    pub kind: Option<String>,
    /// `pdf` (default) or `png`.
    pub format: Option<String>,
    /// PNG resolution (default 300 for the card, 150 for the e-permit).
    pub dpi: Option<u32>,
    /// Purpose when the header is not used.
    pub purpose: Option<String>,
}

/// `GET /api/v1/permits/{number}/document` (audited read).
pub async fn document(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(number): Path<String>,
    Query(q): Query<DocumentQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let number = PermitNumber::parse("number", &number)?;
    let kind = q.kind.as_deref().unwrap_or("card");
    let format = q.format.as_deref().unwrap_or("pdf");
    if !matches!(kind, "card" | "epermit") {
        return Err(ApiError::invalid("kind", "want card or epermit"));
    }
    if !matches!(format, "pdf" | "png") {
        return Err(ApiError::invalid("format", "want pdf or png"));
    }
    let purpose = purpose(&state, &p, &headers, q.purpose.as_deref()).await?;
    let mut c = state.store.conn().await?;
    let permit = repo::permit_by_number(&mut c, number.as_str()).await?;
    p.require_scope(permit.issuing_office_id)?;
    let data = card_data(&mut c, &permit).await?;
    drop(c);
    let rendered = match (kind, format) {
        ("card", "pdf") => pora_card::card_pdf(&data),
        ("card", _) => pora_card::card_png(&data, q.dpi.unwrap_or(pora_card::DEFAULT_CARD_DPI)),
        (_, "pdf") => pora_card::epermit_pdf(&data),
        _ => pora_card::epermit_png(&data, q.dpi.unwrap_or(pora_card::DEFAULT_EPERMIT_DPI)),
    };
    let bytes = rendered.map_err(|e| match e {
        pora_card::CardError::BadDpi { .. } => ApiError::invalid("dpi", e.to_string()),
        e => ApiError::internal(format!("rendering {kind} {format}: {e}")),
    })?;
    state
        .store
        .audit_append(NewEntry {
            actor: p.actor(),
            action: "permit.document".into(),
            subject_kind: "person".into(),
            subject_id: permit.niora.clone(),
            purpose,
            details: json!({ "permit": permit.number, "kind": kind, "format": format }),
        })
        .await?;
    let content_type = if format == "pdf" {
        "application/pdf"
    } else {
        "image/png"
    };
    let disposition = format!("inline; filename=\"{}-{kind}.{format}\"", permit.number);
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            // Personal data, and out of date at the permit's next change: never kept by a cache.
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

fn card_date(field: &'static str, s: &str) -> ApiResult<pora_card::Date> {
    s.parse()
        .map_err(|_| ApiError::internal(format!("stored {field} {s:?} is not a date")))
}

/// Everything the card shows, from the registry.
async fn card_data(c: &mut Conn, permit: &Permit) -> ApiResult<CardData> {
    let qr_text = permit
        .credential
        .clone()
        .ok_or_else(|| ApiError::invalid("number", "the permit has no signed credential"))?;
    let (f, passport, sponsor) = super::permits::holder(c, permit).await?;
    let address = repo::addresses_of(c, f.id)
        .await?
        .into_iter()
        .find(|a| Some(a.id) == permit.address_id);
    let office = repo::office_by_code(c, &permit.office_code).await?;
    Ok(CardData {
        permit_type: match permit.permit_type {
            PermitType::Itas => PermitKind::Itas,
            PermitType::Itap => PermitKind::Itap,
        },
        permit_number: permit.number.clone(),
        full_name: f.full_name.clone(),
        place_of_birth: f.birth_place.clone(),
        date_of_birth: card_date("birth_date", &f.birth_date)?,
        sex: match f.sex {
            Sex::M => pora_card::Sex::Male,
            Sex::F => pora_card::Sex::Female,
            Sex::X => pora_card::Sex::Unspecified,
        },
        nationality: f.nationality.clone(),
        passport_number: passport.map(|pp| pp.number).unwrap_or_default(),
        visa_index: permit.visa_code.clone(),
        occupation: permit
            .occupation
            .clone()
            .or(f.occupation.clone())
            .unwrap_or_default(),
        sponsor: sponsor.map(|s| s.name).unwrap_or_else(|| "-".into()),
        address: address.map(|a| a.line).unwrap_or_else(|| "-".into()),
        valid_from: card_date("valid_from", &permit.valid_from)?,
        valid_until: card_date("valid_until", &permit.valid_until)?,
        issuing_office: office.name,
        issue_date: None,
        qr_text,
        photo: None,
    })
}
