//! Field work and supervision: online verification, check reports with position, written orders,
//! stay reports, and alerts.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use pora_core::verify::{Class, Context, Policy};
use pora_store::audit::NewEntry;
use pora_store::model::{
    check_position, now_unix, Date, Niora, PermitStatus, Purpose, PurposeKind, RegionCode,
};
use pora_store::repo::{self, Alert, CheckReport, NewCheck, NewStayReport, Permit};
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

/// A correction recorded during a check.
#[derive(Debug, Deserialize)]
pub struct CorrectionBody {
    /// Which field (e.g. `address`, `employer`, `occupation`).
    pub field: String,
    /// The value found in the field.
    pub new_value: String,
}

/// Body of `POST /api/v1/checks`.
#[derive(Debug, Deserialize)]
pub struct CheckBody {
    /// The scanned QR text.
    pub qr_text: Option<String>,
    /// Or the permit number read off the document.
    pub permit_number: Option<String>,
    /// The written order the check runs under.
    pub order: Option<String>,
    /// Checked without an order (caught in the act): reported to supervisors at once.
    #[serde(default)]
    pub caught_in_act: bool,
    /// Latitude of the check.
    pub lat: f64,
    /// Longitude of the check.
    pub lng: f64,
    /// Desa/kelurahan code of the place.
    pub region_code: Option<String>,
    /// Notes.
    pub notes: Option<String>,
    /// Corrections (pendataan ulang).
    #[serde(default)]
    pub corrections: Vec<CorrectionBody>,
    /// When the check happened (unix seconds; default now; for checks uploaded after working offline).
    pub at: Option<i64>,
    /// The device's reference for this check (1-64 printable characters): a retried upload with the
    /// same reference returns the first one instead of recording it twice.
    pub client_ref: Option<String>,
}

/// `POST /api/v1/checks`: records a field check with its position, raises alerts.
///
/// When the caller's token is bound to a device, the upload must carry
/// `X-Pora-Device-Signature`: the hex Ed25519 signature of the exact request body by the device's
/// registered key (64 hex digits). The signature is kept with the check, so a check can later be shown
/// to come from that device and not only from someone holding the officer's token.
pub async fn record_check(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: axum::http::HeaderMap,
    raw: axum::body::Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let b: CheckBody = super::parse_json(&raw)?;
    let (office_id, _) = own_office(&p)?;
    let details = match p.device_id {
        Some(device) => {
            let sig = device_signature(&state, device, &headers, &raw).await?;
            json!({ "device_id": device, "device_signed": true, "device_signature": sig })
        }
        None => json!({ "device_signed": false }),
    };
    if let Some(r) = &b.client_ref {
        if r.is_empty() || r.len() > 64 || r.chars().any(char::is_control) {
            return Err(ApiError::invalid("client_ref", "1-64 printable characters"));
        }
        let mut c = state.store.conn().await?;
        if let Some(id) = repo::check_by_client_ref(&mut c, p.user_id, r).await? {
            return Ok((
                StatusCode::OK,
                Json(json!({ "check_id": id, "duplicate": true })),
            ));
        }
    }
    check_position(b.lat, b.lng)?;
    let region = b
        .region_code
        .as_deref()
        .map(|r| RegionCode::parse("region_code", r))
        .transpose()?;
    let now = now_unix();
    let at = b.at.unwrap_or(now);
    if at > now + 300 || at < now - 30 * 86_400 {
        return Err(ApiError::invalid("at", "within the last 30 days"));
    }
    if b.notes.as_ref().is_some_and(|n| n.len() > 2000) {
        return Err(ApiError::invalid("notes", "at most 2000 characters"));
    }
    if b.corrections.len() > 20 {
        return Err(ApiError::invalid("corrections", "at most 20"));
    }
    let mut c = state.store.conn().await?;
    let order = match (&b.order, b.caught_in_act) {
        (Some(n), _) => {
            let o = repo::written_order(&mut c, n)
                .await?
                .ok_or_else(|| ApiError::invalid("order", "unknown written order"))?;
            if !p.in_scope(o.office_id) {
                return Err(ApiError::invalid(
                    "order",
                    "the written order belongs to another office",
                ));
            }
            let day = Date::from_unix(at).to_string();
            if day < o.starts_on || day > o.ends_on {
                return Err(ApiError::invalid(
                    "order",
                    "the written order is not in force on the day of the check",
                ));
            }
            Some(o)
        }
        (None, true) => None,
        (None, false) => {
            return Err(ApiError::invalid(
                "order",
                "name the written order, or set caught_in_act",
            ))
        }
    };
    let (verdict_code, class, verdict_json_v, permit): (
        String,
        Option<Class>,
        Value,
        Option<Permit>,
    ) = match (&b.qr_text, &b.permit_number) {
        (Some(t), _) => {
            check_qr(t)?;
            drop(c);
            let v = run_verify(&state, t).await?;
            c = state.store.conn().await?;
            let number = v.permit.as_ref().and_then(|pm| pm.permit_number.clone());
            let permit = match number {
                Some(n) => repo::permit_by_number(&mut c, &n).await.ok(),
                None => None,
            };
            (
                v.outcome.code().to_owned(),
                Some(v.outcome.class()),
                verdict_json(&v),
                permit,
            )
        }
        (None, Some(n)) => {
            let permit = repo::permit_by_number(&mut c, n).await.ok();
            (
                "manual".to_owned(),
                None,
                json!({ "code": "manual" }),
                permit,
            )
        }
        (None, None) => {
            return Err(ApiError::invalid(
                "qr_text",
                "give qr_text or permit_number",
            ))
        }
    };
    drop(c);
    let today = Date::from_unix(at);
    let until = permit
        .as_ref()
        .and_then(|pm| Date::parse("valid_until", &pm.valid_until).ok());
    let outcome = match (class, &permit) {
        (Some(Class::Forged), _) => "forged",
        (_, None) => "not_found",
        (Some(Class::Incomplete), _) => "incomplete",
        (Some(Class::Valid), Some(_)) => "ok",
        (None, Some(pm))
            if pm.status == PermitStatus::Active && until.is_some_and(|u| u >= today) =>
        {
            "ok"
        }
        _ => "finding",
    };
    let mut alerts: Vec<(&str, Value)> = Vec::new();
    match outcome {
        "forged" => alerts.push(("forged", json!({ "verdict": verdict_code }))),
        "not_found" => alerts.push(("unknown_permit", json!({ "verdict": verdict_code }))),
        "incomplete" => alerts.push(("incomplete", json!({}))),
        _ => {}
    }
    if let (Some(pm), Some(u)) = (&permit, until) {
        if pm.status == PermitStatus::Active && u < today {
            let days = today.days() - u.days();
            alerts.push((
                "overstay",
                json!({ "days": days, "charge_idr": days * 1_000_000, "deportation": days > 60 }),
            ));
        } else if pm.status == PermitStatus::Active && u.days() - today.days() <= 30 {
            alerts.push(("expiring", json!({ "days_left": u.days() - today.days() })));
        } else if pm.status.is_final() || pm.status == PermitStatus::Suspended {
            alerts.push(("revoked_seen", json!({ "status": pm.status })));
        }
    }
    if b.caught_in_act {
        alerts.push(("check_without_order", json!({ "notes": b.notes })));
    }
    let foreigner_id = permit.as_ref().map(|pm| pm.foreigner_id);
    let purpose = match &order {
        Some(o) => Purpose {
            kind: PurposeKind::Operation,
            reference: o.number.clone(),
        },
        None => Purpose {
            kind: PurposeKind::Check,
            reference: "caught_in_act".into(),
        },
    };
    let mut tx = state.store.begin_audited().await?;
    let check_id = repo::insert_check(
        tx.conn(),
        &NewCheck {
            at,
            officer_id: p.user_id,
            device_id: p.device_id,
            office_id,
            permit_id: permit.as_ref().map(|pm| pm.id),
            foreigner_id,
            verdict: verdict_code.clone(),
            outcome,
            written_order_id: order.as_ref().map(|o| o.id),
            caught_in_act: b.caught_in_act,
            position: Some((b.lat, b.lng)),
            region_code: region,
            notes: b.notes.clone(),
            client_ref: b.client_ref.clone(),
            details: details.to_string(),
        },
    )
    .await?;
    for (kind, details) in &alerts {
        repo::insert_alert(
            tx.conn(),
            kind,
            office_id,
            permit.as_ref().map(|pm| pm.id),
            foreigner_id,
            Some(check_id),
            details,
            now,
        )
        .await?;
    }
    if let Some(fid) = foreigner_id {
        for corr in &b.corrections {
            if corr.field.is_empty() || corr.field.len() > 40 || corr.new_value.len() > 500 {
                return Err(ApiError::invalid(
                    "corrections",
                    "field 1-40, new_value at most 500 characters",
                ));
            }
            repo::insert_correction(
                tx.conn(),
                Some(check_id),
                fid,
                &corr.field,
                None,
                &corr.new_value,
                p.user_id,
                now,
            )
            .await?;
        }
    }
    tx.append(NewEntry {
        actor: p.actor(),
        action: "person.check".into(),
        subject_kind: "person".into(),
        subject_id: permit
            .as_ref()
            .map(|pm| pm.niora.clone())
            .unwrap_or_default(),
        purpose,
        details: json!({ "check": check_id, "verdict": verdict_code, "outcome": outcome }),
    })
    .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "check_id": check_id,
            "outcome": outcome,
            "verdict": verdict_json_v,
            "alerts": alerts.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
        })),
    ))
}

/// Header carrying a device's signature over an upload.
pub const DEVICE_SIGNATURE_HEADER: &str = "x-pora-device-signature";

async fn device_signature(
    state: &AppState,
    device: i64,
    headers: &axum::http::HeaderMap,
    body: &[u8],
) -> ApiResult<String> {
    let refuse = |why: &str| ApiError {
        status: StatusCode::FORBIDDEN,
        code: "bad_device_signature",
        message: format!("this token is bound to a device: {why}"),
        field: Some("X-Pora-Device-Signature".into()),
        missing: Vec::new(),
    };
    let sig_hex = headers
        .get(DEVICE_SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| refuse("sign the body with the device key and send the signature in X-Pora-Device-Signature"))?;
    let mut c = state.store.conn().await?;
    let d = repo::device_by_id(&mut c, device).await?;
    drop(c);
    let key: [u8; 32] = hex::decode(d.public_key.trim())
        .ok()
        .and_then(|k| k.try_into().ok())
        .ok_or_else(|| refuse("the registered device key is not an Ed25519 key (64 hex digits)"))?;
    let key = ed25519_dalek::VerifyingKey::from_bytes(&key)
        .map_err(|_| refuse("the registered device key is invalid"))?;
    let sig: [u8; 64] = hex::decode(sig_hex.trim())
        .ok()
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| refuse("want 128 hex digits"))?;
    key.verify_strict(body, &ed25519_dalek::Signature::from_bytes(&sig))
        .map_err(|_| refuse("the signature does not match the body and the device key"))?;
    Ok(sig_hex.trim().to_lowercase())
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
