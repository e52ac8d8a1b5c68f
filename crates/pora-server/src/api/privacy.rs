//! The person's rights (UU PDP 27/2022) and the office's accountability: the export of everything
//! held about a person (JSON or PDF; by the person, or by an officer on the person's request, as an
//! audited read), correction requests filed by the person and answered by an officer, and the
//! supervisors' list of reads with nothing behind them.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use pora_store::audit::NewEntry;
use pora_store::model::{now_unix, Date, Niora, Purpose, PurposeKind, Role};
use pora_store::privacy::{self, CorrectableField, CorrectionRequest};
use pora_store::repo::{self, Foreigner};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{purpose, ApiJson, List, Paging};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

// ---------------------------------------------------------------------------------------------
// Export

/// Everything held about one person, as exported.
#[derive(Debug, Serialize)]
pub struct PersonExport {
    /// When the export was made (unix seconds).
    pub generated_at: i64,
    /// The record.
    pub person: Foreigner,
    /// Passports.
    pub passports: Vec<repo::Passport>,
    /// Addresses, with their history.
    pub addresses: Vec<repo::Address>,
    /// Permits, each with its history.
    pub permits: Vec<ExportPermit>,
    /// Field checks (officers shown by office, not by name).
    pub checks: Vec<Value>,
    /// Stay reports.
    pub stay_reports: Vec<privacy::StayReport>,
    /// Corrections recorded by officers.
    pub corrections: Vec<privacy::OfficerCorrection>,
    /// Corrections the person asked for.
    pub correction_requests: Vec<CorrectionRequest>,
    /// Every recorded use of the data: when, by which role and office, for what purpose.
    pub reads: Vec<Value>,
}

/// A permit with its history.
#[derive(Debug, Serialize)]
pub struct ExportPermit {
    /// The permit.
    #[serde(flatten)]
    pub permit: repo::Permit,
    /// Its history.
    pub events: Vec<repo::PermitEvent>,
}

/// The field checks of person `foreigner_id` as shown to the person (export and own view): when,
/// which office, the outcome and where; never the officer or the device.
pub async fn checks_json(c: &mut pora_store::Conn, foreigner_id: i64) -> ApiResult<Vec<Value>> {
    let offices: std::collections::HashMap<i64, String> = repo::offices(c)
        .await?
        .into_iter()
        .map(|o| (o.id, o.code))
        .collect();
    Ok(privacy::checks_of(c, foreigner_id)
        .await?
        .into_iter()
        .map(|k| {
            json!({
                "id": k.id, "at": k.at, "office": offices.get(&k.office_id), "outcome": k.outcome,
                "verdict": k.verdict, "region_code": k.region_code, "lat": k.lat, "lng": k.lng,
                "written_order_id": k.written_order_id, "caught_in_act": k.caught_in_act == 1,
                "notes": k.notes,
            })
        })
        .collect())
}

/// Gathers the export of person `f` (no audit entry: the caller writes it).
pub async fn gather(state: &AppState, f: Foreigner) -> ApiResult<PersonExport> {
    let mut c = state.store.conn().await?;
    let passports = repo::passports_of(&mut c, f.id).await?;
    let addresses = repo::addresses_of(&mut c, f.id).await?;
    let mut permits = Vec::new();
    for p in repo::permits_of(&mut c, f.id).await? {
        let events = repo::permit_events(&mut c, p.id).await?;
        permits.push(ExportPermit { permit: p, events });
    }
    let checks = checks_json(&mut c, f.id).await?;
    let stay_reports = privacy::stay_reports_of(&mut c, f.id).await?;
    let corrections = privacy::corrections_of(&mut c, f.id).await?;
    let correction_requests = privacy::correction_requests_of(&mut c, f.id).await?;
    drop(c);
    let reads = privacy::audit_all_for_subject(&state.store, "person", &f.niora)
        .await?
        .into_iter()
        .map(|e| {
            json!({
                "seq": e.seq, "at": e.at, "action": e.action, "by_role": e.actor_role,
                "by_office": e.actor_office, "purpose": e.purpose_kind, "purpose_ref": e.purpose_ref,
            })
        })
        .collect();
    Ok(PersonExport {
        generated_at: now_unix(),
        person: f,
        passports,
        addresses,
        permits,
        checks,
        stay_reports,
        corrections,
        correction_requests,
        reads,
    })
}

/// `?format=json|pdf` (and `purpose` for officers).
#[derive(Debug, Default, Deserialize)]
pub struct ExportQuery {
    /// `json` (default) or `pdf`.
    pub format: Option<String>,
    /// Purpose when the header is not used (officers).
    pub purpose: Option<String>,
}

fn export_format(q: &ExportQuery) -> ApiResult<bool> {
    match q.format.as_deref().unwrap_or("json") {
        "json" => Ok(false),
        "pdf" => Ok(true),
        _ => Err(ApiError::invalid("format", "want json or pdf")),
    }
}

fn export_response(export: &PersonExport, pdf: bool) -> ApiResult<Response> {
    let name = format!("pora-data-{}", export.person.niora);
    if pdf {
        let bytes = crate::export_pdf::render(export).map_err(ApiError::internal)?;
        return Ok((
            [
                (header::CONTENT_TYPE, "application/pdf".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}.pdf\""),
                ),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            bytes,
        )
            .into_response());
    }
    Ok((
        [
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.json\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Json(export),
    )
        .into_response())
}

pub(crate) fn own_person(p: &Principal) -> ApiResult<i64> {
    p.foreigner_id
        .ok_or_else(|| ApiError::forbidden("no_person", "this account is not linked to a person"))
}

/// `GET /api/v1/me/export`: everything held about the caller (their right of access).
pub async fn my_export(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Query(q): Query<ExportQuery>,
) -> ApiResult<Response> {
    let pdf = export_format(&q)?;
    let id = own_person(&p)?;
    let mut c = state.store.conn().await?;
    let f = repo::foreigner_by_id(&mut c, id).await?;
    drop(c);
    // Recorded first, so the export lists its own making too.
    state
        .store
        .audit_append(NewEntry {
            actor: p.actor(),
            action: "self.export".into(),
            subject_kind: "person".into(),
            subject_id: f.niora.clone(),
            purpose: Purpose {
                kind: PurposeKind::SelfView,
                reference: String::new(),
            },
            details: json!({ "format": if pdf { "pdf" } else { "json" } }),
        })
        .await?;
    let export = gather(&state, f).await?;
    export_response(&export, pdf)
}

/// `GET /api/v1/foreigners/{niora}/export`: the same export made by an officer for the person (on
/// their request), an audited read with a purpose.
pub async fn person_export(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(niora): Path<String>,
    Query(q): Query<ExportQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let pdf = export_format(&q)?;
    let niora = Niora::parse("niora", &niora)?;
    let purpose = purpose(&state, &p, &headers, q.purpose.as_deref()).await?;
    let mut c = state.store.conn().await?;
    let f = repo::foreigner_by_niora(&mut c, niora.as_str()).await?;
    drop(c);
    p.require_scope(f.office_id)?;
    state
        .store
        .audit_append(NewEntry {
            actor: p.actor(),
            action: "person.export".into(),
            subject_kind: "person".into(),
            subject_id: f.niora.clone(),
            purpose,
            details: json!({ "format": if pdf { "pdf" } else { "json" } }),
        })
        .await?;
    let export = gather(&state, f).await?;
    export_response(&export, pdf)
}

// ---------------------------------------------------------------------------------------------
// Correction requests

/// Body of `POST /api/v1/me/correction-requests`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorrectionRequestBody {
    /// `full_name`, `mrz_name`, `birth_place`, `birth_date`, `sex`, `nationality`, `occupation`.
    pub field: String,
    /// The value the person says is right.
    pub requested_value: String,
    /// Why (1 to 1000 characters).
    pub reason: String,
}

fn check_reason(field: &'static str, reason: &str) -> ApiResult<String> {
    let r = reason.trim();
    if r.is_empty() || r.chars().count() > 1000 {
        return Err(ApiError::invalid(field, "want 1 to 1000 characters"));
    }
    if r.chars().any(|c| c.is_control() && c != '\n') {
        return Err(ApiError::invalid(
            field,
            "control characters are not allowed",
        ));
    }
    Ok(r.to_owned())
}

/// `POST /api/v1/me/correction-requests`: the person asks for a correction of their record.
pub async fn file_request(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiJson(b): ApiJson<CorrectionRequestBody>,
) -> ApiResult<(StatusCode, Json<CorrectionRequest>)> {
    let id = own_person(&p)?;
    let field = CorrectableField::parse("field", &b.field)?;
    let value = field.value("requested_value", &b.requested_value)?;
    let reason = check_reason("reason", &b.reason)?;
    let mut tx = state.store.begin_audited().await?;
    let f = repo::foreigner_by_id(tx.conn(), id).await?;
    let r =
        privacy::file_correction_request(tx.conn(), id, field, &value, &reason, now_unix()).await?;
    tx.append(NewEntry {
        actor: p.actor(),
        action: "self.correction_request".into(),
        subject_kind: "person".into(),
        subject_id: f.niora,
        purpose: Purpose {
            kind: PurposeKind::SelfView,
            reference: String::new(),
        },
        details: json!({ "request": r.id, "field": r.field }),
    })
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(r)))
}

/// `GET /api/v1/me/correction-requests`: the caller's requests and their answers.
pub async fn my_requests(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
) -> ApiResult<Json<Value>> {
    let id = own_person(&p)?;
    let mut c = state.store.conn().await?;
    let items = privacy::correction_requests_of(&mut c, id).await?;
    Ok(Json(json!({ "items": items })))
}

/// `?state=pending|accepted|rejected|all&limit&offset&purpose`.
#[derive(Debug, Default, Deserialize)]
pub struct RequestQuery {
    /// Which requests (default `pending`).
    pub state: Option<String>,
    /// Page size.
    pub limit: Option<i64>,
    /// Offset.
    pub offset: Option<i64>,
    /// Purpose when the header is not used.
    pub purpose: Option<String>,
}

/// `GET /api/v1/correction-requests`: the queue of the caller's office (audited per person listed).
pub async fn list_requests(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Query(q): Query<RequestQuery>,
    headers: HeaderMap,
) -> ApiResult<Json<List<CorrectionRequest>>> {
    let page = Paging {
        limit: q.limit,
        offset: q.offset,
    }
    .page()?;
    let wanted = super::decision_state(q.state.as_deref())?;
    let purpose = purpose(&state, &p, &headers, q.purpose.as_deref()).await?;
    let mut c = state.store.conn().await?;
    let items = privacy::correction_requests(&mut c, p.office_id, wanted, page).await?;
    drop(c);
    super::field::audit_listing(
        &state,
        &p,
        &purpose,
        "correction_request.list",
        items.iter().map(|r| r.niora.as_str()),
    )
    .await?;
    Ok(Json(List::new(items, page, None)))
}

/// Body of `POST /api/v1/correction-requests/{id}/decide`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// `accept` or `reject`.
    pub decision: String,
    /// The officer's reason, told to the person.
    pub reason: String,
}

/// `POST /api/v1/correction-requests/{id}/decide`: accept (the record changes; the old value stays
/// in the request and the audit log) or reject, with a reason.
pub async fn decide_request(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<DecisionBody>,
) -> ApiResult<Json<CorrectionRequest>> {
    let id: i64 = id
        .parse()
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(|| ApiError::invalid("id", "want a request number"))?;
    let accept = match b.decision.as_str() {
        "accept" => true,
        "reject" => false,
        _ => return Err(ApiError::invalid("decision", "want accept or reject")),
    };
    let reason = check_reason("reason", &b.reason)?;
    let mut tx = state.store.begin_audited().await?;
    let r = privacy::correction_request(tx.conn(), id).await?;
    p.require_scope(r.office_id)?;
    let (r, before) =
        privacy::decide_correction_request(tx.conn(), id, accept, p.user_id, &reason, now_unix())
            .await?;
    tx.append(NewEntry {
        actor: p.actor(),
        action: if accept {
            "person.correct".into()
        } else {
            "correction_request.reject".into()
        },
        subject_kind: "person".into(),
        subject_id: r.niora.clone(),
        purpose: Purpose {
            kind: PurposeKind::Issuance,
            reference: format!("correction-request-{id}"),
        },
        details: json!({
            "request": id, "field": r.field, "old": before,
            "new": if accept { Some(&r.requested_value) } else { None }, "reason": reason,
        }),
    })
    .await?;
    tx.commit().await?;
    Ok(Json(r))
}

// ---------------------------------------------------------------------------------------------
// Anomalies

/// `?from=YYYY-MM-DD&to=YYYY-MM-DD&min_repeats=N`.
#[derive(Debug, Default, Deserialize)]
pub struct AnomalyQuery {
    /// First day (default: 30 days ago).
    pub from: Option<String>,
    /// Last day, inclusive (default: today).
    pub to: Option<String>,
    /// Reads of one person by one officer in the period that count as repeated (default 5, 2..=1000).
    pub min_repeats: Option<i64>,
}

/// `GET /api/v1/audit/anomalies`: look-ups of persons with nothing behind them — by a field officer
/// or for a check, without a recorded check by that officer within an hour, or one officer looking
/// one person up again and again ([`privacy::anomalies`], the same rule the hourly alerts use).
/// Supervisors see their own office's officers; the listing is itself audited.
pub async fn anomalies(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Query(q): Query<AnomalyQuery>,
) -> ApiResult<Json<Value>> {
    let today = Date::from_unix(now_unix());
    let from = super::opt_date("from", &q.from)?.unwrap_or(today.add_days(-30));
    let to = super::opt_date("to", &q.to)?.unwrap_or(today);
    if to < from {
        return Err(ApiError::invalid("to", "the period ends before it starts"));
    }
    let min_repeats = q.min_repeats.unwrap_or(5);
    if !(2..=1000).contains(&min_repeats) {
        return Err(ApiError::invalid("min_repeats", "want 2 to 1000"));
    }
    let office = match p.role {
        Role::Auditor => None,
        _ => p.office_code.clone(),
    };
    let mut c = state.store.conn().await?;
    let items = privacy::anomalies(
        &mut c,
        &privacy::AnomalyQuery {
            from: from.unix(),
            to: to.add_days(1).unix(),
            office: office.as_deref(),
            role: None,
            min_repeats,
            kind: None,
        },
    )
    .await?;
    drop(c);
    state
        .store
        .audit_append(NewEntry {
            actor: p.actor(),
            action: "audit.anomalies".into(),
            subject_kind: "system".into(),
            subject_id: "audit_log".into(),
            purpose: Purpose {
                kind: PurposeKind::Audit,
                reference: "anomalies".into(),
            },
            details: json!({ "from": from.to_string(), "to": to.to_string(), "found": items.len() }),
        })
        .await?;
    Ok(Json(json!({
        "from": from.to_string(), "to": to.to_string(), "min_repeats": min_repeats,
        "office": office, "items": items,
    })))
}
