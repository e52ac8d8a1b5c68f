//! Field work and supervision: online verification, the list of checks (each derived from a signed
//! report, see [`crate::ingest`]), written orders, stay reports, and alerts.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use pora_core::verify::{Class, Context, Policy};
use pora_store::audit::NewEntry;
use pora_store::model::{check_position, now_unix, Date, Niora, Purpose, PurposeKind, RegionCode};
use pora_store::repo::{self, Alert, CheckReport, NewStayReport};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{own_office, ApiJson, List, Paging};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The longest QR text accepted.
pub const MAX_QR_TEXT: usize = 4096;

fn class_name(c: Class) -> &'static str {
    match c {
        Class::Valid => "valid",
        Class::Expired => "expired",
        Class::Revoked => "revoked",
        Class::Forged => "forged",
        Class::Incomplete => "incomplete",
        Class::CannotTell => "cannot_tell",
        Class::Unreadable => "unreadable",
    }
}

/// Verifies a QR text against the server's current trust list and status lists.
pub async fn run_verify(state: &AppState, qr_text: &str) -> ApiResult<pora_core::Verdict> {
    let now = now_unix();
    let (_, trust) = state.keys.trust_list(now).map_err(ApiError::internal)?;
    let mut tokens = Vec::new();
    for (id, code) in state.keys.signing_offices() {
        let (_, t) = state
            .keys
            .status_list(&state.store, id, &code, now, state.config.status_ttl_secs)
            .await
            .map_err(ApiError::internal)?;
        tokens.push(t);
    }
    let ctx = Context {
        trust: &trust,
        status_lists: &tokens,
        now,
        policy: Policy::default(),
    };
    Ok(pora_core::verify(
        qr_text,
        &ctx,
        pora_crypto::default_provider(),
    ))
}

/// The verdict as JSON.
pub fn verdict_json(v: &pora_core::Verdict) -> Value {
    json!({
        "code": v.outcome.code(),
        "class": class_name(v.outcome.class()),
        "explanation": v.outcome.explain(),
        "warnings": v.warnings.iter().map(|w| w.code()).collect::<Vec<_>>(),
        "permit": v.permit,
        "kid": v.kid.as_ref().map(hex::encode),
    })
}

/// Body of `POST /api/v1/verify`.
#[derive(Debug, Deserialize)]
pub struct VerifyBody {
    /// The QR text (`PR1:…`).
    pub qr_text: String,
}

fn check_qr(s: &str) -> ApiResult<()> {
    if s.is_empty() || s.len() > MAX_QR_TEXT {
        return Err(ApiError::invalid(
            "qr_text",
            format!("1-{MAX_QR_TEXT} characters"),
        ));
    }
    Ok(())
}

/// `POST /api/v1/verify`: the verdict; a read of the person's status, so it is audited (purpose check).
pub async fn verify(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiJson(b): ApiJson<VerifyBody>,
) -> ApiResult<Json<Value>> {
    check_qr(&b.qr_text)?;
    let v = run_verify(&state, &b.qr_text).await?;
    if let Some(niora) = v.permit.as_ref().and_then(|pm| pm.niora.clone()) {
        state
            .store
            .audit_append(NewEntry {
                actor: p.actor(),
                action: "permit.verify".into(),
                subject_kind: "person".into(),
                subject_id: niora,
                purpose: Purpose { kind: PurposeKind::Check, reference: String::new() },
                details: json!({ "verdict": v.outcome.code(), "permit": v.permit.as_ref().and_then(|pm| pm.permit_number.clone()) }),
            })
            .await?;
    }
    Ok(Json(verdict_json(&v)))
}

/// `?limit=&offset=&purpose=` on supervision lists.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    /// Page size.
    pub limit: Option<i64>,
    /// Offset.
    pub offset: Option<i64>,
    /// Purpose when the header is not used.
    pub purpose: Option<String>,
}

/// Appends one audit entry per distinct person shown in a listing (in one transaction).
pub(crate) async fn audit_listing<'a>(
    state: &AppState,
    p: &Principal,
    purpose: &Purpose,
    action: &str,
    people: impl Iterator<Item = &'a str>,
) -> ApiResult<()> {
    audit_shown(state, p, purpose, action, "person", people).await
}

/// Appends one audit entry per distinct subject of `kind` shown in a listing (in one transaction).
pub(crate) async fn audit_shown<'a>(
    state: &AppState,
    p: &Principal,
    purpose: &Purpose,
    action: &str,
    kind: &str,
    subjects: impl Iterator<Item = &'a str>,
) -> ApiResult<()> {
    let unique: std::collections::BTreeSet<&str> = subjects.filter(|n| !n.is_empty()).collect();
    if unique.is_empty() {
        return Ok(());
    }
    let now = now_unix();
    let entries = unique
        .into_iter()
        .map(|niora| {
            let e = NewEntry {
                actor: p.actor(),
                action: action.into(),
                subject_kind: kind.into(),
                subject_id: niora.to_owned(),
                purpose: purpose.clone(),
                details: json!({}),
            };
            (e, now)
        })
        .collect();
    let mut tx = state.store.begin_audited().await?;
    tx.append_all(entries).await?;
    tx.commit().await?;
    Ok(())
}

/// `GET /api/v1/checks`: checks of the caller's office, newest first (audited per person shown).
pub async fn list_checks(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Query(q): Query<ListQuery>,
    headers: axum::http::HeaderMap,
) -> ApiResult<Json<List<CheckReport>>> {
    let page = Paging {
        limit: q.limit,
        offset: q.offset,
    }
    .page()?;
    let purpose = super::purpose(&state, &p, &headers, q.purpose.as_deref()).await?;
    let mut c = state.store.conn().await?;
    let items = repo::checks(&mut c, p.office_id, page).await?;
    drop(c);
    audit_listing(
        &state,
        &p,
        &purpose,
        "check.list",
        items.iter().filter_map(|k| k.niora.as_deref()),
    )
    .await?;
    Ok(Json(List::new(items, page, None)))
}

/// Body of `POST /api/v1/orders`.
#[derive(Debug, Deserialize)]
pub struct OrderBody {
    /// Number, e.g. `SP-123/2026`.
    pub number: String,
    /// Title.
    pub title: String,
    /// Area (desa/kelurahan code).
    pub area_region_code: Option<String>,
    /// First day.
    pub starts_on: String,
    /// Last day.
    pub ends_on: String,
}

/// `POST /api/v1/orders`.
pub async fn create_order(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiJson(b): ApiJson<OrderBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let (office_id, _) = own_office(&p)?;
    super::operations::check_order_number(&b.number)?;
    let area = b
        .area_region_code
        .as_deref()
        .map(|r| RegionCode::parse("area_region_code", r))
        .transpose()?;
    let starts = Date::parse("starts_on", &b.starts_on)?;
    let ends = Date::parse("ends_on", &b.ends_on)?;
    if ends < starts {
        return Err(ApiError::invalid("ends_on", "before starts_on"));
    }
    let mut tx = state.store.begin_audited().await?;
    let id = repo::create_written_order(
        tx.conn(),
        &b.number,
        office_id,
        &b.title,
        area.as_ref().map(|a| a.as_str()),
        starts,
        ends,
        Some(p.user_id),
        now_unix(),
    )
    .await?;
    tx.append(NewEntry {
        actor: p.actor(),
        action: "order.create".into(),
        subject_kind: "order".into(),
        subject_id: b.number.clone(),
        purpose: Purpose::system("supervision"),
        details: json!({ "title": b.title, "starts_on": starts.to_string(), "ends_on": ends.to_string() }),
    })
    .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": id, "number": b.number })),
    ))
}

/// Body of `POST /api/v1/stay-reports`.
#[derive(Debug, Deserialize)]
pub struct StayBody {
    /// Guest.
    pub niora: String,
    /// `hotel`, `kost`, `landlord`, `self`.
    pub reporter_kind: String,
    /// Reporter name.
    pub reporter_name: String,
    /// Check-in.
    pub check_in: String,
    /// Check-out.
    pub check_out: Option<String>,
    /// Place.
    pub region_code: String,
    /// Latitude.
    pub lat: Option<f64>,
    /// Longitude.
    pub lng: Option<f64>,
}

/// `POST /api/v1/stay-reports`.
pub async fn stay_report(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiJson(b): ApiJson<StayBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let niora = Niora::parse("niora", &b.niora)?;
    let kind = match b.reporter_kind.as_str() {
        "hotel" => "hotel",
        "kost" => "kost",
        "landlord" => "landlord",
        "self" => "self",
        _ => {
            return Err(ApiError::invalid(
                "reporter_kind",
                "want hotel, kost, landlord or self",
            ))
        }
    };
    let region_code = RegionCode::parse("region_code", &b.region_code)?;
    let check_in = Date::parse("check_in", &b.check_in)?;
    let check_out = super::opt_date("check_out", &b.check_out)?;
    if check_out.is_some_and(|o| o < check_in) {
        return Err(ApiError::invalid("check_out", "before check_in"));
    }
    let position = match (b.lat, b.lng) {
        (Some(a), Some(o)) => {
            check_position(a, o)?;
            Some((a, o))
        }
        (None, None) => None,
        _ => {
            return Err(ApiError::invalid(
                "lat",
                "give both lat and lng, or neither",
            ))
        }
    };
    let mut tx = state.store.begin_audited().await?;
    let f = repo::foreigner_by_niora(tx.conn(), niora.as_str()).await?;
    p.require_scope(f.office_id)?;
    let id = repo::insert_stay_report(
        tx.conn(),
        &NewStayReport {
            foreigner_id: f.id,
            reporter_kind: kind,
            reporter_name: b.reporter_name.clone(),
            check_in,
            check_out,
            region_code: region_code.clone(),
            position,
        },
        now_unix(),
    )
    .await?;
    // A stay far from the registered address, or in another kecamatan, is raised.
    let current = repo::addresses_of(tx.conn(), f.id)
        .await?
        .into_iter()
        .find(|a| a.valid_until.is_none());
    if let (Some(a), Some(at)) = (current, position) {
        let place = crate::demo::geo::locate(at.0, at.1);
        if let Some((reason, mut ev)) = crate::alerts::away_from_address(
            at,
            place,
            (a.lat, a.lng, Some(&a.region_code)),
            state.config.away_distance_m,
        ) {
            ev["stay_report"] = json!(id);
            ev["region_code"] = json!(region_code.as_str());
            pora_store::field::insert_alert(
                tx.conn(),
                &pora_store::field::NewAlert {
                    kind: "away_from_address".into(),
                    office_id: f.office_id,
                    permit_id: None,
                    foreigner_id: Some(f.id),
                    check_id: None,
                    device_id: None,
                    officer_id: None,
                    report_id: None,
                    reason: format!("stay report: {reason}"),
                    details: ev,
                    at: now_unix(),
                },
            )
            .await?;
        }
    }
    tx.append(NewEntry {
        actor: p.actor(),
        action: "person.stay_report".into(),
        subject_kind: "person".into(),
        subject_id: f.niora.clone(),
        purpose: Purpose {
            kind: PurposeKind::Check,
            reference: "stay_report".into(),
        },
        details: json!({ "report": id, "kind": kind }),
    })
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

/// `GET /api/v1/alerts`: open alerts of the caller's office (audited per person shown).
pub async fn alerts(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Query(q): Query<ListQuery>,
    headers: axum::http::HeaderMap,
) -> ApiResult<Json<List<Alert>>> {
    let page = Paging {
        limit: q.limit,
        offset: q.offset,
    }
    .page()?;
    let purpose = super::purpose(&state, &p, &headers, q.purpose.as_deref()).await?;
    let mut c = state.store.conn().await?;
    let items = repo::open_alerts(&mut c, p.office_id, page).await?;
    drop(c);
    audit_listing(
        &state,
        &p,
        &purpose,
        "alert.list",
        items.iter().filter_map(|a| a.niora.as_deref()),
    )
    .await?;
    Ok(Json(List::new(items, page, None)))
}

/// `?since_days=` (default 365).
#[derive(Debug, Default, Deserialize)]
pub struct MapQuery {
    /// Count checks of the last this many days (1..=3650).
    pub since_days: Option<i64>,
}

/// `GET /api/v1/map`: the supervision map of the caller's office (all offices for national users):
/// per desa/kelurahan, residents, checks and findings. Aggregates only, so no audit entry per person.
pub async fn map(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Query(q): Query<MapQuery>,
) -> ApiResult<Json<Value>> {
    let days = q.since_days.unwrap_or(365);
    if !(1..=3650).contains(&days) {
        return Err(ApiError::invalid("since_days", "want 1..=3650"));
    }
    let mut c = state.store.conn().await?;
    let items = repo::map_counts(&mut c, p.office_id, now_unix() - days * 86_400).await?;
    Ok(Json(json!({ "since_days": days, "items": items })))
}
