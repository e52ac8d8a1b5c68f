//! Operations: a written order (surat perintah) with its plan — team, area, status — and the checks
//! made under it. The order itself is [`crate::repo::WrittenOrder`] (what the alert engine and the
//! purpose check read); this module adds what the supervisors plan and review.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

use crate::area::Area;
use crate::db::Conn;
use crate::model::{Date, Page};
use crate::repo::{WrittenOrder, WRITTEN_ORDER_COLUMNS};
use crate::{Result, StoreError};

/// The planner's statuses (`planned` covers "under way" too: that follows from the dates).
pub const STATUSES: &[&str] = &["planned", "closed", "cancelled"];

/// The most officers on one team.
pub const MAX_TEAM: usize = 50;

/// An officer on an operation's team.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, FromRow)]
pub struct TeamMember {
    /// User id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Display name.
    pub display_name: String,
}

/// An operation as listed and shown.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Operation {
    /// The written order.
    #[serde(flatten)]
    pub order: WrittenOrder,
    /// `planned`, `closed` or `cancelled`.
    pub status: String,
    /// `planned` (before its first day), `active`, `completed` (after its last day or closed) or
    /// `cancelled`, on the day asked.
    pub phase: String,
    /// The team.
    pub team: Vec<TeamMember>,
    /// Who made it.
    pub created_by: Option<i64>,
    /// When (unix seconds).
    pub created_at: i64,
    /// Last change of the plan.
    pub updated_at: Option<i64>,
    /// Checks whose report names this order.
    pub checks: i64,
}

/// The plan of an operation as written.
#[derive(Clone, Copy, Debug)]
pub struct Plan<'a> {
    /// Title.
    pub title: &'a str,
    /// First day.
    pub starts_on: Date,
    /// Last day.
    pub ends_on: Date,
    /// The area, if any.
    pub area: Option<&'a Area>,
    /// Kecamatan codes the area was built from.
    pub area_kecamatan: &'a [String],
    /// Team (user ids, already checked by the caller).
    pub team: &'a [i64],
    /// One of [`STATUSES`].
    pub status: &'a str,
}

/// The phase of an order on `today` (`YYYY-MM-DD`).
pub fn phase(status: &str, starts_on: &str, ends_on: &str, today: &str) -> &'static str {
    match status {
        "cancelled" => "cancelled",
        "closed" => "completed",
        _ if today < starts_on => "planned",
        _ if today > ends_on => "completed",
        _ => "active",
    }
}

/// Writes the plan of order `id` (title, dates, area, team, status).
pub async fn set_plan(c: &mut Conn, id: i64, plan: &Plan<'_>, at: i64) -> Result<()> {
    if !STATUSES.contains(&plan.status) {
        return Err(StoreError::Invalid {
            field: "status",
            reason: format!("want one of {}", STATUSES.join(", ")),
        });
    }
    let kec = (!plan.area_kecamatan.is_empty()).then(|| plan.area_kecamatan.join(","));
    let n = sqlx::query(
        "UPDATE written_orders SET title = $2, starts_on = $3, ends_on = $4, area_geojson = $5, \
         area_kecamatan = $6, status = $7, updated_at = $8 WHERE id = $1",
    )
    .bind(id)
    .bind(plan.title)
    .bind(plan.starts_on.to_string())
    .bind(plan.ends_on.to_string())
    .bind(plan.area.map(|a| a.to_geojson().to_string()))
    .bind(kec)
    .bind(plan.status)
    .bind(at)
    .execute(&mut *c)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound {
            entity: "operation",
        });
    }
    sqlx::query("DELETE FROM operation_officers WHERE order_id = $1")
        .bind(id)
        .execute(&mut *c)
        .await?;
    for uid in plan.team {
        sqlx::query("INSERT INTO operation_officers (order_id, user_id) VALUES ($1, $2)")
            .bind(id)
            .bind(uid)
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}

/// Of `ids`, those that are field officers of `office_id` (sorted, unique).
pub async fn field_officers_among(c: &mut Conn, office_id: i64, ids: &[i64]) -> Result<Vec<i64>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id FROM users WHERE role = 'field_officer' AND office_id = $1 AND id IN ({}) ORDER BY id",
        (0..ids.len())
            .map(|i| format!("${}", i + 2))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut q = sqlx::query_scalar::<_, i64>(&sql).bind(office_id);
    for id in ids {
        q = q.bind(*id);
    }
    Ok(q.fetch_all(c).await?)
}

const SELECT_OPERATION: &str = "created_by, created_at, updated_at, \
     (SELECT COUNT(*) FROM check_reports k WHERE k.written_order_id = o.id) AS checks FROM written_orders o";

fn operation_from_row(r: &AnyRow, today: &str) -> Result<Operation> {
    let order = WrittenOrder::from_row(r)?;
    let status = order.status.clone();
    Ok(Operation {
        phase: phase(&status, &order.starts_on, &order.ends_on, today).to_owned(),
        status,
        team: Vec::new(),
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        checks: r.try_get("checks")?,
        order,
    })
}

async fn add_teams(c: &mut Conn, ops: &mut [Operation]) -> Result<()> {
    if ops.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "SELECT t.order_id, u.id, u.username, u.display_name FROM operation_officers t \
         JOIN users u ON u.id = t.user_id WHERE t.order_id IN ({}) ORDER BY u.username",
        (1..=ops.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut q = sqlx::query_as::<_, (i64, i64, String, String)>(&sql);
    for o in ops.iter() {
        q = q.bind(o.order.id);
    }
    for (order_id, id, username, display_name) in q.fetch_all(c).await? {
        if let Some(o) = ops.iter_mut().find(|o| o.order.id == order_id) {
            o.team.push(TeamMember {
                id,
                username,
                display_name,
            });
        }
    }
    Ok(())
}

/// One operation by id, with its team; `today` decides the phase.
pub async fn operation(c: &mut Conn, id: i64, today: Date) -> Result<Option<Operation>> {
    let row = sqlx::query(&format!(
        "SELECT {WRITTEN_ORDER_COLUMNS}, {SELECT_OPERATION} WHERE o.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *c)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let mut ops = vec![operation_from_row(&row, &today.to_string())?];
    add_teams(c, &mut ops).await?;
    Ok(ops.pop())
}

/// Operations of an office (every office for `None`), newest first by first day, optionally of one
/// status; with the total.
pub async fn operations(
    c: &mut Conn,
    office_id: Option<i64>,
    status: Option<&str>,
    today: Date,
    page: Page,
) -> Result<(Vec<Operation>, i64)> {
    let filter = "($1 IS NULL OR o.office_id = $1) AND ($2 IS NULL OR o.status = $2)";
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM written_orders o WHERE {filter}"
    ))
    .bind(office_id)
    .bind(status)
    .fetch_one(&mut *c)
    .await?;
    let rows = sqlx::query(&format!(
        "SELECT {WRITTEN_ORDER_COLUMNS}, {SELECT_OPERATION} WHERE {filter} \
         ORDER BY o.starts_on DESC, o.id DESC LIMIT $3 OFFSET $4"
    ))
    .bind(office_id)
    .bind(status)
    .bind(page.limit)
    .bind(page.offset)
    .fetch_all(&mut *c)
    .await?;
    let today = today.to_string();
    let mut ops = rows
        .iter()
        .map(|r| operation_from_row(r, &today))
        .collect::<Result<Vec<_>>>()?;
    add_teams(c, &mut ops).await?;
    Ok((ops, total))
}

/// A check made under an operation, as its results use it (no person named).
#[derive(Clone, Debug, PartialEq, Serialize, FromRow)]
pub struct OperationCheck {
    /// Check id.
    pub id: i64,
    /// When (unix seconds).
    pub at: i64,
    /// Officer.
    pub officer_id: i64,
    /// Their login name.
    pub officer: String,
    /// Verifier result code (`valid`, `expired`, `bad_signature`, …).
    pub verdict: String,
    /// `ok`, `incomplete`, `finding`, `not_found`, `forged`.
    pub outcome: String,
    /// Latitude.
    pub lat: Option<f64>,
    /// Longitude.
    pub lng: Option<f64>,
    /// Desa/kelurahan code.
    pub region_code: Option<String>,
}

/// The checks whose report names order `id`, oldest first.
pub async fn checks(c: &mut Conn, id: i64) -> Result<Vec<OperationCheck>> {
    Ok(sqlx::query_as(
        "SELECT k.id, k.at, k.officer_id, u.username AS officer, k.verdict, k.outcome, k.lat, k.lng, k.region_code \
         FROM check_reports k JOIN users u ON u.id = k.officer_id WHERE k.written_order_id = $1 ORDER BY k.at, k.id",
    )
    .bind(id)
    .fetch_all(c)
    .await?)
}

#[cfg(test)]
mod tests {
    use super::phase;

    #[test]
    fn phases_follow_status_and_dates() {
        let p = |s, today| phase(s, "2026-03-01", "2026-03-31", today);
        assert_eq!(p("planned", "2026-02-28"), "planned");
        assert_eq!(p("planned", "2026-03-01"), "active");
        assert_eq!(p("planned", "2026-03-31"), "active");
        assert_eq!(p("planned", "2026-04-01"), "completed");
        assert_eq!(p("closed", "2026-03-10"), "completed");
        assert_eq!(p("cancelled", "2026-02-01"), "cancelled");
    }
}
