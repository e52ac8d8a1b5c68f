//! Supervision: the alert list and workflow (open → investigating → bap → closed), decisions on
//! field corrections, and a foreigner's movement timeline. Every listing that shows people is an
//! audited read with a purpose.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::{Extension, Json};
use pora_store::audit::NewEntry;
use pora_store::field::{self, AlertFilter, AlertRow, Correction, ALERT_STATES};
use pora_store::model::{check_position, now_unix, Date, Niora, Purpose, RegionCode};
use pora_store::repo::{self, NewAddress};
use serde::Deserialize;
use serde_json::{json, Value};

use super::field::audit_listing;
use super::{ApiJson, List, Paging};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Alert kinds (the CHECK constraint of migration 0004).
pub const ALERT_KINDS: &[&str] = &[
    "expiring",
    "overstay",
    "forged",
    "unknown_permit",
    "revoked_seen",
    "incomplete",
    "check_without_order",
    "away_from_address",
    "sponsor_mismatch",
    "device_chain",
    "officer_outside_area",
    "lookup_without_scan",
    "repeated_lookup",
    "device_clock",
];

/// `GET /api/v1/alerts` query.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertQuery {
    /// Page size.
    pub limit: Option<i64>,
    /// Offset.
    pub offset: Option<i64>,
    /// Purpose when the header is not used.
    pub purpose: Option<String>,
    /// One state (default: every state but `closed`).
    pub state: Option<String>,
    /// One kind.
    pub kind: Option<String>,
    /// One person (NIORA).
    pub niora: Option<String>,
    /// One device.
    pub device: Option<i64>,
    /// Only alerts raised in the last this many days (1..=3650).
    pub since_days: Option<i64>,
}

/// An alert as the API shows it: the row with its evidence parsed.
fn alert_json(a: &AlertRow) -> Value {
    let mut v = serde_json::to_value(a).unwrap_or(Value::Null);
    v["details"] = serde_json::from_str(&a.details).unwrap_or(Value::Null);
    v
}

/// `GET /api/v1/alerts`: alerts of the caller's office, newest first, filtered by state, kind,
/// person, device and age (audited per person shown).
pub async fn list_alerts(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Query(q): Query<AlertQuery>,
    headers: HeaderMap,
) -> ApiResult<Json<List<Value>>> {
    let page = Paging {
        limit: q.limit,
        offset: q.offset,
    }
    .page()?;
    if let Some(s) = &q.state {
        if !ALERT_STATES.contains(&s.as_str()) {
            return Err(ApiError::invalid(
                "state",
                "want open, investigating, bap or closed",
            ));
        }
    }
    if let Some(k) = &q.kind {
        if !ALERT_KINDS.contains(&k.as_str()) {
            return Err(ApiError::invalid(
                "kind",
                format!("want one of {}", ALERT_KINDS.join(", ")),
            ));
        }
    }
    let since = match q.since_days {
        Some(d) if !(1..=3650).contains(&d) => {
            return Err(ApiError::invalid("since_days", "want 1..=3650"))
        }
        Some(d) => Some(now_unix() - d * 86_400),
        None => None,
    };
    let purpose = super::purpose(&state, &p, &headers, q.purpose.as_deref()).await?;
    let mut c = state.store.conn().await?;
    let foreigner_id = match &q.niora {
        Some(n) => {
            let n = Niora::parse("niora", n)?;
            Some(repo::foreigner_by_niora(&mut c, n.as_str()).await?.id)
        }
        None => None,
    };
    let items = field::alerts(
        &mut c,
        &AlertFilter {
            office_id: p.office_id,
            state: q.state.clone(),
            kind: q.kind.clone(),
            foreigner_id,
            device_id: q.device,
            since,
        },
        page,
    )
    .await?;
    drop(c);
    audit_listing(
        &state,
        &p,
        &purpose,
        "alert.list",
        items.iter().filter_map(|a| a.niora.as_deref()),
    )
    .await?;
    Ok(Json(List::new(
        items.iter().map(alert_json).collect(),
        page,
        None,
    )))
}

/// `?purpose=`.
#[derive(Debug, Default, Deserialize)]
pub struct PurposeQuery {
    /// Purpose when the header is not used.
    pub purpose: Option<String>,
}

async fn alert_in_scope(state: &AppState, p: &Principal, id: i64) -> ApiResult<AlertRow> {
    let mut c = state.store.conn().await?;
    let a = field::alert(&mut c, id).await?;
    p.require_scope(a.office_id)?;
    Ok(a)
}

/// `GET /api/v1/alerts/{id}`: one alert with its evidence and its history (audited when it
/// concerns a person).
pub async fn alert_detail(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<i64>,
    Query(q): Query<PurposeQuery>,
    headers: HeaderMap,
) -> ApiResult<Json<Value>> {
    let purpose = super::purpose(&state, &p, &headers, q.purpose.as_deref()).await?;
    let a = alert_in_scope(&state, &p, id).await?;
    let mut c = state.store.conn().await?;
    let events = field::alert_events(&mut c, id).await?;
    drop(c);
    audit_listing(
        &state,
        &p,
        &purpose,
        "alert.read",
        a.niora.as_deref().into_iter(),
    )
    .await?;
    let mut v = alert_json(&a);
    v["events"] = serde_json::to_value(events).unwrap_or(Value::Null);
    Ok(Json(v))
}

/// Body of `POST /api/v1/alerts/{id}/transition`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    /// `investigating`, `bap` or `closed`.
    pub to: String,
    /// Why (required when closing; at most 2000 characters). For `bap`, the examination report's
    /// number.
    #[serde(default)]
    pub note: String,
}

/// `POST /api/v1/alerts/{id}/transition`: moves an alert one step on (open → investigating → bap
/// → closed) or closes it, recording who, when and why.
pub async fn transition(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<TransitionBody>,
) -> ApiResult<Json<Value>> {
    if !ALERT_STATES[1..].contains(&b.to.as_str()) {
        return Err(ApiError::invalid("to", "want investigating, bap or closed"));
    }
    if b.note.len() > 2000 || b.note.chars().any(|c| c.is_control() && c != '\n') {
        return Err(ApiError::invalid(
            "note",
            "at most 2000 printable characters",
        ));
    }
    if matches!(b.to.as_str(), "closed" | "bap") && b.note.trim().is_empty() {
        return Err(ApiError::invalid(
            "note",
            "say why the alert is closed, or name the examination report (BAP)",
        ));
    }
    let before = alert_in_scope(&state, &p, id).await?;
    let mut tx = state.store.begin_audited().await?;
    let a =
        field::transition_alert(tx.conn(), id, &b.to, p.user_id, b.note.trim(), now_unix()).await?;
    tx.append(NewEntry {
        actor: p.actor(),
        action: "alert.transition".into(),
        subject_kind: "alert".into(),
        subject_id: id.to_string(),
        purpose: Purpose::system("supervision"),
        details: json!({ "from": before.state, "to": a.state, "note": b.note.trim(), "niora": a.niora }),
    })
    .await?;
    tx.commit().await?;
    Ok(Json(alert_json(&a)))
}

/// `GET /api/v1/corrections` query.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorrectionQuery {
    /// Page size.
    pub limit: Option<i64>,
    /// Offset.
    pub offset: Option<i64>,
    /// Purpose when the header is not used.
    pub purpose: Option<String>,
    /// `pending` (default), `accepted`, `rejected` or `all`.
    pub state: Option<String>,
    /// One person (NIORA).
    pub niora: Option<String>,
}

/// `GET /api/v1/corrections`: corrections of the office's people, or of one person (`niora`),
/// audited per person shown.
pub async fn list_corrections(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Query(q): Query<CorrectionQuery>,
    headers: HeaderMap,
) -> ApiResult<Json<List<Correction>>> {
    let page = Paging {
        limit: q.limit,
        offset: q.offset,
    }
    .page()?;
    let st = super::decision_state(q.state.as_deref())?;
    let purpose = super::purpose(&state, &p, &headers, q.purpose.as_deref()).await?;
    let mut c = state.store.conn().await?;
    let foreigner_id = match &q.niora {
        Some(n) => {
            let n = Niora::parse("niora", n)?;
            let f = repo::foreigner_by_niora(&mut c, n.as_str()).await?;
            p.require_scope(f.office_id)?;
            Some(f.id)
        }
        None => None,
    };
    let items = field::corrections(&mut c, p.office_id, st, foreigner_id, page).await?;
    drop(c);
    audit_listing(
        &state,
        &p,
        &purpose,
        "correction.list",
        items.iter().map(|k| k.niora.as_str()),
    )
    .await?;
    Ok(Json(List::new(items, page, None)))
}

/// Body of `POST /api/v1/corrections/{id}/decide`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecideBody {
    /// `accept` or `reject`.
    pub decision: String,
    /// Why (required to reject).
    #[serde(default)]
    pub note: String,
}

/// `POST /api/v1/corrections/{id}/decide`: a supervisor accepts or rejects a pending correction.
/// Accepting changes the record: an address becomes the current address (the previous one is kept
/// as history), an employer is registered and set on the person's active permits, occupation, phone
/// and civil status are updated; the old and new values stay on the correction and in the audit log.
pub async fn decide(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<DecideBody>,
) -> ApiResult<Json<Value>> {
    let to = match b.decision.as_str() {
        "accept" => "accepted",
        "reject" => "rejected",
        _ => return Err(ApiError::invalid("decision", "want accept or reject")),
    };
    if b.note.len() > 2000 {
        return Err(ApiError::invalid("note", "at most 2000 characters"));
    }
    if to == "rejected" && b.note.trim().is_empty() {
        return Err(ApiError::invalid(
            "note",
            "say why the correction is rejected",
        ));
    }
    let now = now_unix();
    let mut tx = state.store.begin_audited().await?;
    let (k, office) = field::correction(tx.conn(), id).await?;
    p.require_scope(office)?;
    field::decide_correction(tx.conn(), id, to, p.user_id, b.note.trim(), now).await?;
    let mut applied = Value::Null;
    if to == "accepted" {
        match k.field.as_str() {
            "address" => {
                let a: Value = serde_json::from_str(&k.new_value).map_err(ApiError::internal)?;
                let region = RegionCode::parse(
                    "region_code",
                    a["region_code"].as_str().unwrap_or_default(),
                )?;
                let position = match (a["lat"].as_f64(), a["lng"].as_f64()) {
                    (Some(la), Some(lo)) => {
                        check_position(la, lo)?;
                        Some((la, lo))
                    }
                    _ => None,
                };
                let addr = repo::add_address(
                    tx.conn(),
                    &NewAddress {
                        foreigner_id: Some(k.foreigner_id),
                        line: a["line"].as_str().unwrap_or_default().to_owned(),
                        region_code: region,
                        position,
                        source: "field_check",
                        valid_from: Date::from_unix(now),
                    },
                    now,
                )
                .await?;
                applied = json!({ "address_id": addr });
            }
            "employer" => {
                let e =
                    repo::create_employer(tx.conn(), &k.new_value, None, None, None, now).await?;
                field::set_employer(tx.conn(), k.foreigner_id, e, now).await?;
                applied = json!({ "employer_id": e });
            }
            f @ ("occupation" | "phone" | "civil_status") => {
                field::set_person_fact(tx.conn(), k.foreigner_id, f, &k.new_value).await?;
            }
            other => {
                return Err(ApiError::internal(format!(
                    "correction {id} has unknown field {other}"
                )))
            }
        }
    }
    tx.append(NewEntry {
        actor: p.actor(),
        action: format!("person.correction.{}", if to == "accepted" { "accept" } else { "reject" }),
        subject_kind: "person".into(),
        subject_id: k.niora.clone(),
        purpose: Purpose::system("supervision"),
        details: json!({ "correction": id, "field": k.field, "old": k.old_value, "new": k.new_value, "note": b.note.trim(), "applied": applied }),
    })
    .await?;
    tx.commit().await?;
    Ok(Json(json!({ "id": id, "state": to, "applied": applied })))
}

/// `GET /api/v1/foreigners/{niora}/movements`: one timeline of the person's checks, stay reports and
/// addresses with their positions and kecamatan (audited read with purpose).
pub async fn movements(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(niora): Path<String>,
    Query(q): Query<PurposeQuery>,
    headers: HeaderMap,
) -> ApiResult<Json<Value>> {
    let niora = Niora::parse("niora", &niora)?;
    let purpose = super::purpose(&state, &p, &headers, q.purpose.as_deref()).await?;
    let mut c = state.store.conn().await?;
    let f = repo::foreigner_by_niora(&mut c, niora.as_str()).await?;
    p.require_scope(f.office_id)?;
    let items = field::movements(&mut c, f.id).await?;
    drop(c);
    let items: Vec<Value> = items
        .into_iter()
        .map(|m| {
            // The kecamatan from the polygon of the position; else from the region code.
            let place = match (m.lat, m.lng) {
                (Some(la), Some(lo)) => crate::demo::geo::locate(la, lo),
                _ => None,
            };
            let kecamatan = place.map(|d| d.kecamatan().to_owned()).or_else(|| {
                m.region_code
                    .as_ref()
                    .filter(|c| c.len() >= 8)
                    .map(|c| c[..8].to_owned())
            });
            let mut v = serde_json::to_value(&m).unwrap_or(Value::Null);
            v["kecamatan"] = json!(kecamatan);
            v["desa_at_position"] = json!(place.map(|d| d.code.as_str()));
            v
        })
        .collect();
    state
        .store
        .audit_append(NewEntry {
            actor: p.actor(),
            action: "person.movements".into(),
            subject_kind: "person".into(),
            subject_id: f.niora.clone(),
            purpose,
            details: json!({ "entries": items.len() }),
        })
        .await?;
    Ok(Json(json!({ "niora": f.niora, "items": items })))
}
