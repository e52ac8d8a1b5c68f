//! Aggregates for the supervision dashboard: the overview's counts and its 12-month trends. Counts
//! only (no person is named), within an office scope (`None` = national).

use serde::Serialize;

use crate::model::Date;
use crate::{Conn, Result};

/// The overview's counts.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Overview {
    /// The day the counts are for.
    pub today: String,
    /// ITAS in force (status active, valid until today or later).
    pub active_itas: i64,
    /// ITAP in force.
    pub active_itap: i64,
    /// Permits in force expiring within 30 days (valid until ≤ today + 30).
    pub expiring_30: i64,
    /// … within 60 days.
    pub expiring_60: i64,
    /// … within 90 days.
    pub expiring_90: i64,
    /// Permits still active whose valid-until date has passed (overstay unless the holder left).
    pub overstays: i64,
    /// Alerts not resolved.
    pub open_alerts: i64,
    /// Field checks in the last 7 days.
    pub checks_7d: i64,
    /// Field checks in the last 7 days with a finding (outcome other than `ok`).
    pub findings_7d: i64,
    /// The last 12 calendar months, oldest first.
    pub months: Vec<MonthTrend>,
}

/// One month of the trend charts.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct MonthTrend {
    /// `YYYY-MM`.
    pub month: String,
    /// ITAS in force on the month's last day (or today for the current month).
    pub active_itas: i64,
    /// ITAP in force on that day.
    pub active_itap: i64,
    /// Permits whose validity starts in the month (issued, extended or converted).
    pub issued: i64,
    /// Field checks made in the month.
    pub checks: i64,
    /// Of which with a finding.
    pub findings: i64,
    /// Alerts raised in the month.
    pub alerts: i64,
}

async fn count(c: &mut Conn, sql: &str, office: Option<i64>, binds: &[&str]) -> Result<i64> {
    let mut q = sqlx::query_scalar::<_, i64>(sql).bind(office);
    for b in binds {
        q = q.bind(b.to_string());
    }
    Ok(q.fetch_one(&mut *c).await?)
}

async fn count_at(c: &mut Conn, sql: &str, office: Option<i64>, from: i64, to: i64) -> Result<i64> {
    Ok(sqlx::query_scalar::<_, i64>(sql)
        .bind(office)
        .bind(from)
        .bind(to)
        .fetch_one(&mut *c)
        .await?)
}

/// In force on a day: valid then, and either still active / suspended or ended (status changed)
/// after that day.
const ACTIVE_ON: &str =
    "SELECT COUNT(*) FROM permits WHERE ($1 IS NULL OR issuing_office_id = $1) \
     AND permit_type = $2 AND valid_from <= $3 AND valid_until >= $3 \
     AND (status IN ('active', 'suspended') OR updated_at >= $4)";

async fn active_on(c: &mut Conn, office: Option<i64>, permit_type: &str, day: Date) -> Result<i64> {
    Ok(sqlx::query_scalar::<_, i64>(ACTIVE_ON)
        .bind(office)
        .bind(permit_type.to_owned())
        .bind(day.to_string())
        .bind(day.add_days(1).unix())
        .fetch_one(&mut *c)
        .await?)
}
const CHECKS_BETWEEN: &str = "SELECT COUNT(*) FROM check_reports \
     WHERE ($1 IS NULL OR office_id = $1) AND at >= $2 AND at < $3";
const FINDINGS_BETWEEN: &str = "SELECT COUNT(*) FROM check_reports \
     WHERE ($1 IS NULL OR office_id = $1) AND at >= $2 AND at < $3 AND outcome <> 'ok'";
const ALERTS_BETWEEN: &str = "SELECT COUNT(*) FROM alerts \
     WHERE ($1 IS NULL OR office_id = $1) AND created_at >= $2 AND created_at < $3";

/// The overview for `today` (counts of checks relative to `now`, unix seconds).
pub async fn overview(
    c: &mut Conn,
    office: Option<i64>,
    today: Date,
    now: i64,
) -> Result<Overview> {
    let t = today.to_string();
    let in_force = "SELECT COUNT(*) FROM permits WHERE ($1 IS NULL OR issuing_office_id = $1) \
         AND status = 'active' AND permit_type = $2 AND valid_until >= $3";
    let expiring = "SELECT COUNT(*) FROM permits WHERE ($1 IS NULL OR issuing_office_id = $1) \
         AND status = 'active' AND valid_until >= $2 AND valid_until <= $3";
    let mut o = Overview {
        today: t.clone(),
        active_itas: count(c, in_force, office, &["ITAS", &t]).await?,
        active_itap: count(c, in_force, office, &["ITAP", &t]).await?,
        expiring_30: count(c, expiring, office, &[&t, &today.add_days(30).to_string()]).await?,
        expiring_60: count(c, expiring, office, &[&t, &today.add_days(60).to_string()]).await?,
        expiring_90: count(c, expiring, office, &[&t, &today.add_days(90).to_string()]).await?,
        overstays: count(
            c,
            "SELECT COUNT(*) FROM permits WHERE ($1 IS NULL OR issuing_office_id = $1) \
             AND status = 'active' AND valid_until < $2",
            office,
            &[&t],
        )
        .await?,
        open_alerts: count(
            c,
            "SELECT COUNT(*) FROM alerts WHERE ($1 IS NULL OR office_id = $1) AND resolved_at IS NULL",
            office,
            &[],
        )
        .await?,
        checks_7d: count_at(c, CHECKS_BETWEEN, office, now - 7 * 86_400, now + 1).await?,
        findings_7d: count_at(c, FINDINGS_BETWEEN, office, now - 7 * 86_400, now + 1).await?,
        months: Vec::with_capacity(12),
    };
    let (y, m, _) = today.ymd();
    let first_of_month = Date::parse("today", &format!("{y:04}-{m:02}-01"))?;
    for back in (0..12).rev() {
        let start = first_of_month.add_months(-back);
        let next = start.add_months(1);
        let last = if back == 0 { today } else { next.add_days(-1) };
        let (sy, sm, _) = start.ymd();
        let month = format!("{sy:04}-{sm:02}");
        let (from, to) = (start.unix(), next.unix());
        let issued = count(
            c,
            "SELECT COUNT(*) FROM permits WHERE ($1 IS NULL OR issuing_office_id = $1) \
             AND valid_from >= $2 AND valid_from < $3",
            office,
            &[&start.to_string(), &next.to_string()],
        )
        .await?;
        o.months.push(MonthTrend {
            active_itas: active_on(c, office, "ITAS", last).await?,
            active_itap: active_on(c, office, "ITAP", last).await?,
            issued,
            checks: count_at(c, CHECKS_BETWEEN, office, from, to).await?,
            findings: count_at(c, FINDINGS_BETWEEN, office, from, to).await?,
            alerts: count_at(c, ALERTS_BETWEEN, office, from, to).await?,
            month,
        });
    }
    Ok(o)
}

/// A point on the supervision map: where a field check was made or a stay was reported. No person
/// or permit is named.
#[derive(Clone, Debug, Serialize, PartialEq, sqlx::FromRow)]
pub struct MapPoint {
    /// `check` or `stay`.
    pub kind: String,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lng: f64,
    /// Check outcome (`ok`, `incomplete`, `finding`, …) or the stay reporter's kind (`hotel`, …).
    pub detail: String,
    /// Desa/kelurahan code.
    pub region_code: Option<String>,
    /// Unix seconds (checks) or the report's creation time (stays).
    pub at: i64,
}

/// Check and stay-report positions since `since` (unix seconds), newest first, at most `limit` of each.
pub async fn map_points(
    c: &mut Conn,
    office: Option<i64>,
    since: i64,
    limit: i64,
) -> Result<Vec<MapPoint>> {
    let mut out: Vec<MapPoint> = sqlx::query_as(
        "SELECT 'check' AS kind, lat, lng, outcome AS detail, region_code, at FROM check_reports \
         WHERE lat IS NOT NULL AND lng IS NOT NULL AND at >= $2 AND ($1 IS NULL OR office_id = $1) \
         ORDER BY at DESC LIMIT $3",
    )
    .bind(office)
    .bind(since)
    .bind(limit)
    .fetch_all(&mut *c)
    .await?;
    let stays: Vec<MapPoint> = sqlx::query_as(
        "SELECT 'stay' AS kind, s.lat, s.lng, s.reporter_kind AS detail, s.region_code, s.created_at AS at \
         FROM stay_reports s JOIN foreigners f ON f.id = s.foreigner_id \
         WHERE s.lat IS NOT NULL AND s.lng IS NOT NULL AND s.created_at >= $2 AND ($1 IS NULL OR f.office_id = $1) \
         ORDER BY s.created_at DESC LIMIT $3",
    )
    .bind(office)
    .bind(since)
    .bind(limit)
    .fetch_all(&mut *c)
    .await?;
    out.extend(stays);
    Ok(out)
}

/// One field officer's activity for the officers page.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct OfficerActivity {
    /// User id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Checks since the cut-off.
    pub checks: i64,
    /// Of which with a finding (outcome other than `ok`).
    pub findings: i64,
    /// Checks without a written order (caught in the act) since the cut-off.
    pub without_order: i64,
    /// Time of the last check ever (unix seconds).
    pub last_check_at: Option<i64>,
    /// Devices by state (`pending`, `approved`, `revoked`).
    pub devices: std::collections::BTreeMap<String, i64>,
    /// Alerts about this officer or their devices not closed (chain breaks, clock, area…), by kind.
    pub open_alerts: std::collections::BTreeMap<String, i64>,
}

/// Field officers of an office (all offices for `None`) with their checks since `since`, devices
/// and open alerts naming them.
pub async fn officers(
    c: &mut Conn,
    office: Option<i64>,
    since: i64,
) -> Result<Vec<OfficerActivity>> {
    let rows: Vec<(i64, String, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT u.id, u.username, u.display_name, COUNT(r.id), \
         COUNT(CASE WHEN r.outcome <> 'ok' THEN 1 END), COUNT(CASE WHEN r.caught_in_act = 1 THEN 1 END) \
         FROM users u LEFT JOIN check_reports r ON r.officer_id = u.id AND r.at >= $2 \
         WHERE u.role = 'field_officer' AND ($1 IS NULL OR u.office_id = $1) \
         GROUP BY u.id, u.username, u.display_name ORDER BY u.username",
    )
    .bind(office)
    .bind(since)
    .fetch_all(&mut *c)
    .await?;
    let mut out: Vec<OfficerActivity> = rows
        .into_iter()
        .map(
            |(id, username, display_name, checks, findings, without_order)| OfficerActivity {
                id,
                username,
                display_name,
                checks,
                findings,
                without_order,
                ..Default::default()
            },
        )
        .collect();
    let last: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT officer_id, MAX(at) FROM check_reports WHERE ($1 IS NULL OR office_id = $1) GROUP BY officer_id",
    )
    .bind(office)
    .fetch_all(&mut *c)
    .await?;
    let devices: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT officer_id, state, COUNT(*) FROM devices WHERE ($1 IS NULL OR office_id = $1) GROUP BY officer_id, state",
    )
    .bind(office)
    .fetch_all(&mut *c)
    .await?;
    let alerts: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT officer_id, kind, COUNT(*) FROM alerts WHERE officer_id IS NOT NULL AND state <> 'closed' \
         AND ($1 IS NULL OR office_id = $1) GROUP BY officer_id, kind",
    )
    .bind(office)
    .fetch_all(&mut *c)
    .await?;
    for o in &mut out {
        o.last_check_at = last.iter().find(|(id, _)| *id == o.id).map(|(_, at)| *at);
        for (id, state, n) in &devices {
            if *id == o.id {
                o.devices.insert(state.clone(), *n);
            }
        }
        for (id, kind, n) in &alerts {
            if *id == o.id {
                o.open_alerts.insert(kind.clone(), *n);
            }
        }
    }
    Ok(out)
}
