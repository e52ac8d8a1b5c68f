//! The JSON the dashboard's pages need beyond the registry API: the overview's counts and trends,
//! the map's points, the permits export as CSV, a person's access log for supervisors.
//! The aggregates name no person and are not audited per person; the export is an audited read.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use pora_store::audit::NewEntry;
use pora_store::model::{now_unix, Date, Niora, Page};
use pora_store::repo;
use pora_store::stats::{self, Overview};
use serde::Deserialize;
use serde_json::{json, Value};

use super::permits::SearchQuery;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// `GET /api/v1/stats/overview`: permits in force, expiring in 30/60/90 days, overstays, open
/// alerts, checks this week, and the last 12 months, for the caller's office (national users: all).
pub async fn overview(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
) -> ApiResult<Json<Overview>> {
    let now = now_unix();
    let mut c = state.store.conn().await?;
    Ok(Json(
        stats::overview(&mut c, p.office_id, Date::from_unix(now), now).await?,
    ))
}

/// `?since_days=` (default 90).
#[derive(Debug, Default, Deserialize)]
pub struct PointsQuery {
    /// Points of the last this many days (1..=3650).
    pub since_days: Option<i64>,
}

/// At most this many check points and this many stay points per answer.
const MAX_POINTS: i64 = 5000;

/// `GET /api/v1/map/points`: positions of field checks and stay reports of the caller's office
/// (outcome / reporter kind, region, time; no person or permit), for the map's clustered layer.
pub async fn map_points(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Query(q): Query<PointsQuery>,
) -> ApiResult<Json<Value>> {
    let days = q.since_days.unwrap_or(90);
    if !(1..=3650).contains(&days) {
        return Err(ApiError::invalid("since_days", "want 1..=3650"));
    }
    let mut c = state.store.conn().await?;
    let items =
        stats::map_points(&mut c, p.office_id, now_unix() - days * 86_400, MAX_POINTS).await?;
    Ok(Json(
        json!({ "since_days": days, "limit": MAX_POINTS, "items": items }),
    ))
}

/// The most rows one CSV export may hold; a larger result asks for a narrower filter.
pub const MAX_EXPORT_ROWS: i64 = 10_000;

/// One CSV cell: quoted when needed, and a leading `= + - @` neutralised so a spreadsheet does not
/// run it as a formula.
fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// `GET /api/v1/exports/permits.csv`: the permits search (same filters and sort) as CSV, at most
/// [`MAX_EXPORT_ROWS`] rows; an audited read with one entry per person exported.
pub async fn export_permits(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Query(q): Query<SearchQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let filter = q.filter(&p)?;
    let purpose = super::purpose(&state, &p, &headers, q.purpose.as_deref()).await?;
    let mut c = state.store.conn().await?;
    let mut rows = Vec::new();
    loop {
        let page = Page::new(Some(500), Some(rows.len() as i64))?;
        let (batch, total) = repo::search_permits(&mut c, &filter, page).await?;
        if total > MAX_EXPORT_ROWS {
            return Err(ApiError::invalid(
                "q",
                format!("{total} permits match; an export holds at most {MAX_EXPORT_ROWS}: narrow the filter"),
            ));
        }
        let done = batch.len() < 500;
        rows.extend(batch);
        if done || rows.len() as i64 >= total {
            break;
        }
    }
    drop(c);
    let mut out = String::from(
        "permit_number,permit_type,status,niora,full_name,nationality,visa_table,visa_code,valid_from,valid_until,office,occupation\r\n",
    );
    for r in &rows {
        let cells = [
            r.number.as_str(),
            r.permit_type.as_str(),
            r.status.as_str(),
            r.niora.as_str(),
            r.full_name.as_str(),
            r.nationality.as_str(),
            r.visa_table.as_str(),
            r.visa_code.as_str(),
            r.valid_from.as_str(),
            r.valid_until.as_str(),
            r.office_code.as_str(),
            r.occupation.as_deref().unwrap_or(""),
        ];
        out.push_str(
            &cells
                .iter()
                .map(|c| csv_cell(c))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
    if !rows.is_empty() {
        let now = now_unix();
        let mut seen = std::collections::BTreeSet::new();
        let entries = rows
            .iter()
            .filter(|r| seen.insert(r.niora.as_str()))
            .map(|r| {
                let e = NewEntry {
                    actor: p.actor(),
                    action: "permit.export".into(),
                    subject_kind: "person".into(),
                    subject_id: r.niora.clone(),
                    purpose: purpose.clone(),
                    details: json!({ "permit": r.number, "rows": rows.len() }),
                };
                (e, now)
            })
            .collect();
        let mut tx = state.store.begin_audited().await?;
        tx.append_all(entries).await?;
        tx.commit().await?;
    }
    let name = format!("pora-permits-{}.csv", Date::from_unix(now_unix()));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        out,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_formulas_neutralised() {
        assert_eq!(csv_cell("Sato Haruki"), "Sato Haruki");
        assert_eq!(csv_cell("PT Maju, Tbk"), "\"PT Maju, Tbk\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("+62"), "'+62");
        assert_eq!(csv_cell(""), "");
    }
}

/// `?purpose=&limit=&offset=`.
#[derive(Debug, Default, Deserialize)]
pub struct AccessLogQuery {
    /// Purpose when the header is not used.
    pub purpose: Option<String>,
    /// Page size (1..=500, default 50).
    pub limit: Option<i64>,
    /// Rows to skip.
    pub offset: Option<i64>,
}

/// `GET /api/v1/foreigners/{niora}/access-log`: who read this person's record, when and why (newest
/// first), for the supervisor's view of a foreigner. Itself an audited read.
pub async fn person_access_log(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(niora): Path<String>,
    Query(q): Query<AccessLogQuery>,
    headers: HeaderMap,
) -> ApiResult<Json<super::List<Value>>> {
    let niora = Niora::parse("niora", &niora)?;
    let page = Page::new(q.limit, q.offset)?;
    let purpose = super::purpose(&state, &p, &headers, q.purpose.as_deref()).await?;
    let mut c = state.store.conn().await?;
    let f = repo::foreigner_by_niora(&mut c, niora.as_str()).await?;
    p.require_scope(f.office_id)?;
    drop(c);
    let entries = state
        .store
        .audit_for_subject("person", &f.niora, page)
        .await?;
    state
        .store
        .audit_append(NewEntry {
            actor: p.actor(),
            action: "person.access_log".into(),
            subject_kind: "person".into(),
            subject_id: f.niora.clone(),
            purpose,
            details: json!({ "view": "access_log" }),
        })
        .await?;
    let items = entries
        .into_iter()
        .map(|e| {
            json!({
                "seq": e.seq, "at": e.at, "action": e.action, "by_user": e.actor_id, "by_role": e.actor_role,
                "by_office": e.actor_office, "purpose": e.purpose_kind, "purpose_ref": e.purpose_ref,
            })
        })
        .collect();
    Ok(Json(super::List::new(items, page, None)))
}

/// `GET /api/v1/stats/officers?since_days=` (default 30): each field officer's checks, findings,
/// checks without a written order, last check, devices and open alerts naming them (no person named).
pub async fn officers(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Query(q): Query<PointsQuery>,
) -> ApiResult<Json<Value>> {
    let days = q.since_days.unwrap_or(30);
    if !(1..=3650).contains(&days) {
        return Err(ApiError::invalid("since_days", "want 1..=3650"));
    }
    let mut c = state.store.conn().await?;
    let items = stats::officers(&mut c, p.office_id, now_unix() - days * 86_400).await?;
    Ok(Json(json!({ "since_days": days, "items": items })))
}
