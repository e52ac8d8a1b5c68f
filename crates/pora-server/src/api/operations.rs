//! Operations (supervisors): plan a written order's team, area (drawn on the map or built from
//! kecamatan) and dates; list them; and see the results of the checks whose signed report names the
//! order — counts, findings by code, by officer, and checks outside the area (point-in-polygon).
//!
//! Results name no person (positions, result codes and officers only), so reading them needs no
//! purpose header; they are still recorded in the audit log under the operation's purpose.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use pora_store::area::Area;
use pora_store::audit::NewEntry;
use pora_store::model::{now_unix, Date, Purpose, PurposeKind};
use pora_store::operations::{self, Operation, Plan, MAX_TEAM, STATUSES};
use pora_store::repo;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{own_office, ApiJson, List, Paging};
use crate::alerts::outside_area;
use crate::auth::Principal;
use crate::demo::geo;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// How far (degrees) a drawn area may reach beyond the outline of Kota and Kabupaten Bekasi.
pub const EXTENT_MARGIN_DEG: f64 = 0.02;

/// Body of `POST /api/v1/operations` (create) and `POST /api/v1/operations/{id}` (change: absent
/// fields keep their value; the number cannot change, reports already name it).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationBody {
    /// Written order number (surat perintah), unique; create only.
    pub number: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// First day.
    pub starts_on: Option<String>,
    /// Last day.
    pub ends_on: Option<String>,
    /// Field officers of the office (user ids).
    pub team: Option<Vec<i64>>,
    /// The area as a GeoJSON `Polygon` / `MultiPolygon` (WGS84, [lng, lat]).
    pub area: Option<Value>,
    /// …or the kecamatan (`PP.KK.CC`) whose outlines make the area.
    pub area_kecamatan: Option<Vec<String>>,
    /// `planned`, `closed` or `cancelled`.
    pub status: Option<String>,
}

/// `?status=&limit=&offset=`.
#[derive(Debug, Default, Deserialize)]
pub struct OperationQuery {
    /// Only this status.
    pub status: Option<String>,
    /// Page size.
    pub limit: Option<i64>,
    /// Offset.
    pub offset: Option<i64>,
}

/// Checks that an order number is 1-64 printable characters without `:` (purposes are
/// `operation:<number>`).
pub fn check_order_number(number: &str) -> ApiResult<()> {
    if number.is_empty() || number.len() > 64 || number.chars().any(|c| c.is_control() || c == ':')
    {
        return Err(ApiError::invalid(
            "number",
            "1-64 printable characters, no ':'",
        ));
    }
    Ok(())
}

fn check_title(title: &str) -> ApiResult<()> {
    let t = title.trim();
    if t.is_empty() || t.chars().count() > 200 || t.chars().any(char::is_control) {
        return Err(ApiError::invalid("title", "1-200 printable characters"));
    }
    Ok(())
}

/// A drawn area, checked: a valid polygon that lies within Kota and Kabupaten Bekasi.
pub fn drawn_area(v: &Value) -> ApiResult<Area> {
    let area = Area::from_geojson("area", v)?;
    let (x0, y0, x1, y1) = area.bbox();
    let (ex0, ey0, ex1, ey1) = geo::extent();
    let m = EXTENT_MARGIN_DEG;
    if x0 < ex0 - m || y0 < ey0 - m || x1 > ex1 + m || y1 > ey1 + m {
        return Err(ApiError::invalid(
            "area",
            format!(
                "the area reaches outside Kota and Kabupaten Bekasi (longitude {:.3}..{:.3}, latitude {:.3}..{:.3})",
                ex0, ex1, ey0, ey1
            ),
        ));
    }
    Ok(area)
}

/// The area made of the outlines of kecamatan `codes` (sorted, unique).
pub fn kecamatan_area(codes: &[String]) -> ApiResult<(Area, Vec<String>)> {
    let mut codes: Vec<String> = codes.iter().map(|c| c.trim().to_owned()).collect();
    codes.sort();
    codes.dedup();
    if codes.is_empty() {
        return Err(ApiError::invalid(
            "area_kecamatan",
            "name at least one kecamatan",
        ));
    }
    let mut rings = Vec::new();
    for code in &codes {
        let k = geo::kecamatan(code).ok_or_else(|| {
            ApiError::invalid(
                "area_kecamatan",
                format!("{code} is not a kecamatan of Kota or Kabupaten Bekasi"),
            )
        })?;
        for r in k.rings() {
            let open = match (r.first(), r.last()) {
                (Some(a), Some(b)) if a == b => &r[..r.len() - 1],
                _ => &r[..],
            };
            rings.push(open.to_vec());
        }
    }
    Ok((Area::from_rings("area_kecamatan", rings)?, codes))
}

/// The plan in `b` over `old` (for a change), checked.
struct Checked {
    title: String,
    starts: Date,
    ends: Date,
    area: Option<Area>,
    kecamatan: Vec<String>,
    team: Vec<i64>,
    status: String,
}

async fn check_body(
    state: &AppState,
    office_id: i64,
    b: &OperationBody,
    old: Option<&Operation>,
) -> ApiResult<Checked> {
    let title = match (&b.title, old) {
        (Some(t), _) => t.trim().to_owned(),
        (None, Some(o)) => o.order.title.clone(),
        (None, None) => return Err(ApiError::invalid("title", "required")),
    };
    check_title(&title)?;
    let date = |field: &'static str, v: &Option<String>, old: Option<&str>| -> ApiResult<Date> {
        match (v, old) {
            (Some(s), _) => Ok(Date::parse(field, s)?),
            (None, Some(s)) => Ok(Date::parse(field, s)?),
            (None, None) => Err(ApiError::invalid(field, "required")),
        }
    };
    let starts = date(
        "starts_on",
        &b.starts_on,
        old.map(|o| o.order.starts_on.as_str()),
    )?;
    let ends = date("ends_on", &b.ends_on, old.map(|o| o.order.ends_on.as_str()))?;
    if ends < starts {
        return Err(ApiError::invalid("ends_on", "before starts_on"));
    }
    if ends.days() - starts.days() > 366 {
        return Err(ApiError::invalid(
            "ends_on",
            "an operation lasts at most a year",
        ));
    }
    let (area, kecamatan) = match (&b.area, &b.area_kecamatan, old) {
        (Some(_), Some(_), _) => {
            return Err(ApiError::invalid(
                "area",
                "give the area drawn or area_kecamatan, not both",
            ))
        }
        (Some(v), None, _) => (Some(drawn_area(v)?), Vec::new()),
        (None, Some(k), _) => {
            let (a, k) = kecamatan_area(k)?;
            (Some(a), k)
        }
        (None, None, Some(o)) => (o.order.area.clone(), o.order.area_kecamatan.clone()),
        (None, None, None) => {
            return Err(ApiError::invalid(
                "area",
                "draw the area on the map or choose kecamatan (area_kecamatan)",
            ))
        }
    };
    let team = match (&b.team, old) {
        (Some(t), _) => {
            let mut t = t.clone();
            t.sort_unstable();
            t.dedup();
            if t.len() > MAX_TEAM {
                return Err(ApiError::invalid(
                    "team",
                    format!("at most {MAX_TEAM} officers"),
                ));
            }
            let mut c = state.store.conn().await?;
            let ok = operations::field_officers_among(&mut c, office_id, &t).await?;
            if let Some(bad) = t.iter().find(|id| !ok.contains(id)) {
                return Err(ApiError::invalid(
                    "team",
                    format!("user {bad} is not a field officer of this office"),
                ));
            }
            t
        }
        (None, Some(o)) => o.team.iter().map(|m| m.id).collect(),
        (None, None) => Vec::new(),
    };
    let status = match (&b.status, old) {
        (Some(s), _) => s.clone(),
        (None, Some(o)) => o.status.clone(),
        (None, None) => "planned".to_owned(),
    };
    if !STATUSES.contains(&status.as_str()) {
        return Err(ApiError::invalid(
            "status",
            format!("want one of {}", STATUSES.join(", ")),
        ));
    }
    Ok(Checked {
        title,
        starts,
        ends,
        area,
        kecamatan,
        team,
        status,
    })
}

fn today() -> Date {
    Date::from_unix(now_unix())
}

/// The operation `id` if it is the caller's office's (404 otherwise, so ids of other offices are not
/// confirmed).
async fn load(state: &AppState, p: &Principal, id: i64) -> ApiResult<Operation> {
    let mut c = state.store.conn().await?;
    match operations::operation(&mut c, id, today()).await? {
        Some(o) if p.in_scope(o.order.office_id) => Ok(o),
        _ => Err(ApiError::not_found("operation")),
    }
}

async fn write_plan(
    state: &AppState,
    p: &Principal,
    id: Option<i64>,
    number: &str,
    office_id: i64,
    k: &Checked,
) -> ApiResult<i64> {
    let now = now_unix();
    let action = if id.is_some() {
        "operation.update"
    } else {
        "operation.create"
    };
    let mut tx = state.store.begin_audited().await?;
    let id = match id {
        Some(id) => id,
        None => repo::create_written_order(
            tx.conn(),
            number,
            office_id,
            &k.title,
            None,
            k.starts,
            k.ends,
            Some(p.user_id),
            now,
        )
        .await
        .map_err(|e| match e {
            pora_store::StoreError::Conflict(_) => {
                ApiError::conflict(format!("written order {number} already exists"))
            }
            e => e.into(),
        })?,
    };
    let plan = Plan {
        title: &k.title,
        starts_on: k.starts,
        ends_on: k.ends,
        area: k.area.as_ref(),
        area_kecamatan: &k.kecamatan,
        team: &k.team,
        status: &k.status,
    };
    operations::set_plan(tx.conn(), id, &plan, now).await?;
    tx.append(NewEntry {
        actor: p.actor(),
        action: action.into(),
        subject_kind: "order".into(),
        subject_id: number.to_owned(),
        purpose: Purpose {
            kind: PurposeKind::Operation,
            reference: number.to_owned(),
        },
        details: json!({
            "title": k.title, "starts_on": k.starts.to_string(), "ends_on": k.ends.to_string(),
            "team": k.team, "area_vertices": k.area.as_ref().map(Area::vertices),
            "area_kecamatan": k.kecamatan, "status": k.status,
        }),
    })
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// `POST /api/v1/operations`: plan an operation (a new written order with team and area).
pub async fn create(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiJson(b): ApiJson<OperationBody>,
) -> ApiResult<(StatusCode, Json<Operation>)> {
    let (office_id, _) = own_office(&p)?;
    let number = b
        .number
        .as_deref()
        .map(str::trim)
        .ok_or_else(|| ApiError::invalid("number", "required"))?
        .to_owned();
    check_order_number(&number)?;
    let k = check_body(&state, office_id, &b, None).await?;
    let id = write_plan(&state, &p, None, &number, office_id, &k).await?;
    Ok((StatusCode::CREATED, Json(load(&state, &p, id).await?)))
}

/// `POST /api/v1/operations/{id}`: change an operation's plan or status.
pub async fn update(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<OperationBody>,
) -> ApiResult<Json<Operation>> {
    let old = load(&state, &p, id).await?;
    if b.number
        .as_deref()
        .is_some_and(|n| n.trim() != old.order.number)
    {
        return Err(ApiError::invalid(
            "number",
            "the number of a written order cannot change (reports name it)",
        ));
    }
    let k = check_body(&state, old.order.office_id, &b, Some(&old)).await?;
    write_plan(
        &state,
        &p,
        Some(id),
        &old.order.number,
        old.order.office_id,
        &k,
    )
    .await?;
    Ok(Json(load(&state, &p, id).await?))
}

/// `GET /api/v1/operations`: the office's operations, newest first.
pub async fn list(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Query(q): Query<OperationQuery>,
) -> ApiResult<Json<List<Operation>>> {
    let page = Paging {
        limit: q.limit,
        offset: q.offset,
    }
    .page()?;
    if let Some(s) = q.status.as_deref() {
        if !STATUSES.contains(&s) {
            return Err(ApiError::invalid(
                "status",
                format!("want one of {}", STATUSES.join(", ")),
            ));
        }
    }
    let mut c = state.store.conn().await?;
    let (items, total) =
        operations::operations(&mut c, p.office_id, q.status.as_deref(), today(), page).await?;
    Ok(Json(List::new(items, page, Some(total))))
}

/// `GET /api/v1/operations/{id}`.
pub async fn get(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Operation>> {
    Ok(Json(load(&state, &p, id).await?))
}

/// One officer's share of an operation's checks.
#[derive(Debug, Default, Serialize)]
pub struct OfficerResult {
    /// User id.
    pub officer_id: i64,
    /// Login name.
    pub officer: String,
    /// Whether the officer is on the team.
    pub on_team: bool,
    /// Checks.
    pub checks: i64,
    /// With a finding.
    pub findings: i64,
    /// Outside the area.
    pub outside_area: i64,
}

/// A check on the results map (no person named).
#[derive(Debug, Serialize)]
pub struct ResultPoint {
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lng: f64,
    /// Outcome class.
    pub outcome: String,
    /// Result code.
    pub verdict: String,
    /// Officer's login name.
    pub officer: String,
    /// When.
    pub at: i64,
    /// Outside the area (`None`: cannot tell).
    pub outside: Option<bool>,
}

/// `GET /api/v1/operations/{id}/results`.
pub async fn results(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let op = load(&state, &p, id).await?;
    let mut c = state.store.conn().await?;
    let checks = operations::checks(&mut c, id).await?;
    drop(c);
    let mut by_officer: BTreeMap<i64, OfficerResult> = op
        .team
        .iter()
        .map(|m| {
            (
                m.id,
                OfficerResult {
                    officer_id: m.id,
                    officer: m.username.clone(),
                    on_team: true,
                    ..Default::default()
                },
            )
        })
        .collect();
    let mut findings: BTreeMap<(String, String), i64> = BTreeMap::new();
    let (mut n_findings, mut outside, mut unknown) = (0, 0, 0);
    let mut points = Vec::new();
    for k in &checks {
        let position = k.lat.zip(k.lng);
        let out = outside_area(&op.order, position, k.region_code.as_deref());
        let finding = k.outcome != "ok";
        let o = by_officer
            .entry(k.officer_id)
            .or_insert_with(|| OfficerResult {
                officer_id: k.officer_id,
                officer: k.officer.clone(),
                ..Default::default()
            });
        o.checks += 1;
        if finding {
            o.findings += 1;
            n_findings += 1;
            *findings
                .entry((k.verdict.clone(), k.outcome.clone()))
                .or_default() += 1;
        }
        match out {
            Some(true) => {
                o.outside_area += 1;
                outside += 1;
            }
            Some(false) => {}
            None => unknown += 1,
        }
        if let Some((lat, lng)) = position {
            points.push(ResultPoint {
                lat,
                lng,
                outcome: k.outcome.clone(),
                verdict: k.verdict.clone(),
                officer: k.officer.clone(),
                at: k.at,
                outside: out,
            });
        }
    }
    let mut findings: Vec<Value> = findings
        .into_iter()
        .map(|((code, outcome), count)| json!({ "code": code, "outcome": outcome, "count": count }))
        .collect();
    findings.sort_by_key(|f| -f["count"].as_i64().unwrap_or(0));
    let mut officers: Vec<OfficerResult> = by_officer.into_values().collect();
    officers.sort_by(|a, b| b.checks.cmp(&a.checks).then(a.officer.cmp(&b.officer)));
    state
        .store
        .audit_append(NewEntry {
            actor: p.actor(),
            action: "operation.results".into(),
            subject_kind: "order".into(),
            subject_id: op.order.number.clone(),
            purpose: Purpose {
                kind: PurposeKind::Operation,
                reference: op.order.number.clone(),
            },
            details: json!({ "checks": checks.len() }),
        })
        .await?;
    Ok(Json(json!({
        "operation": op,
        "checks": checks.len(),
        "findings": n_findings,
        "outside_area": outside,
        "area_unknown": unknown,
        "findings_by_code": findings,
        "by_officer": officers,
        "points": points,
    })))
}
