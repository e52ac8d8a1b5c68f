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

// ---------------------------------------------------------------------------------------------
// The monthly Tim PORA report

/// The figures of one calendar month (UTC days, as the overview's trends) for the monthly report.
/// Counts only: no person is named.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Monthly {
    /// `YYYY-MM`.
    pub month: String,
    /// First day.
    pub first_day: String,
    /// Last day (the day permits and addresses in force are counted on).
    pub last_day: String,
    /// Whole-month totals.
    pub totals: MonthTotals,
    /// By kecamatan (`PP.KK.CC`) of the residence or of the check's position, by code.
    pub by_kecamatan: Vec<KecamatanMonth>,
    /// By nationality (ISO alpha-3), most permits first.
    pub by_nationality: Vec<NationalityMonth>,
    /// Checks with a finding, by result code, most first.
    pub findings: Vec<FindingCount>,
    /// Alerts raised in the month, by kind, most first.
    pub alerts_by_kind: Vec<KindCount>,
    /// What was done.
    pub actions: MonthActions,
    /// Operations whose dates overlap the month (cancelled ones left out), by first day.
    pub operations: Vec<OperationMonth>,
}

/// Whole-month totals.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct MonthTotals {
    /// ITAS in force on the last day.
    pub itas: i64,
    /// ITAP in force on the last day.
    pub itap: i64,
    /// Permits whose validity starts in the month.
    pub issued: i64,
    /// Field checks.
    pub checks: i64,
    /// Distinct persons checked.
    pub persons_checked: i64,
    /// Checks with a finding (outcome other than `ok`).
    pub findings: i64,
    /// Checks without a written order (caught in the act).
    pub caught_in_act: i64,
    /// Stay reports recorded.
    pub stay_reports: i64,
}

/// One kecamatan's month.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct KecamatanMonth {
    /// `PP.KK.CC`.
    pub code: String,
    /// Foreigners with a permit in force living there on the last day.
    pub residents: i64,
    /// Checks made there.
    pub checks: i64,
    /// Of which with a finding.
    pub findings: i64,
    /// Stay reports of lodgings there.
    pub stay_reports: i64,
}

/// One nationality's month.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct NationalityMonth {
    /// ISO alpha-3.
    pub nationality: String,
    /// ITAS in force on the last day.
    pub itas: i64,
    /// ITAP in force on the last day.
    pub itap: i64,
    /// Permits whose validity starts in the month.
    pub issued: i64,
    /// Checks of holders of this nationality.
    pub checks: i64,
    /// Of which with a finding.
    pub findings: i64,
}

/// Checks with one result code.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct FindingCount {
    /// Verifier result code (`expired`, `revoked`, `bad_signature`, …).
    pub code: String,
    /// Outcome class (`finding`, `incomplete`, `forged`, `not_found`).
    pub outcome: String,
    /// How many.
    pub count: i64,
}

/// A count by kind.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct KindCount {
    /// Kind.
    pub kind: String,
    /// How many.
    pub count: i64,
}

/// What the office did in the month.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct MonthActions {
    /// Alerts raised.
    pub alerts_opened: i64,
    /// Alerts closed.
    pub alerts_closed: i64,
    /// Alerts moved to an examination report (BAP).
    pub bap: i64,
    /// Field corrections (pendataan ulang) accepted.
    pub corrections_accepted: i64,
    /// Field corrections rejected.
    pub corrections_rejected: i64,
    /// Correction requests of persons accepted.
    pub correction_requests_accepted: i64,
    /// Operations held (dates overlapping the month, not cancelled).
    pub operations_held: i64,
}

/// An operation's share of the month.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct OperationMonth {
    /// Order id.
    pub id: i64,
    /// Written order number.
    pub number: String,
    /// Title.
    pub title: String,
    /// First day.
    pub starts_on: String,
    /// Last day.
    pub ends_on: String,
    /// Officers on the team.
    pub team: i64,
    /// Checks under it in the month.
    pub checks: i64,
    /// Of which with a finding.
    pub findings: i64,
}

/// Rows of `sql`, whose `$1` is the office (or NULL for all) and `$2`..`$3` the period [from, to).
async fn in_period<T>(
    c: &mut Conn,
    sql: &str,
    office: Option<i64>,
    from: i64,
    to: i64,
) -> Result<Vec<T>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    Ok(sqlx::query_as(sql)
        .bind(office)
        .bind(from)
        .bind(to)
        .fetch_all(&mut *c)
        .await?)
}

fn month_row<'a>(
    map: &'a mut std::collections::BTreeMap<String, KecamatanMonth>,
    code: &str,
) -> &'a mut KecamatanMonth {
    map.entry(code.to_owned())
        .or_insert_with(|| KecamatanMonth {
            code: code.to_owned(),
            ..Default::default()
        })
}

/// The figures of the month starting on `first` (the first of a month) for `office` (`None` =
/// every office).
pub async fn monthly(c: &mut Conn, office: Option<i64>, first: Date) -> Result<Monthly> {
    use std::collections::BTreeMap;
    let next = first.add_months(1);
    let last = next.add_days(-1);
    let (from, to) = (first.unix(), next.unix());
    let (last_s, first_s, next_s) = (last.to_string(), first.to_string(), next.to_string());
    // A permit in force on the last day (as ACTIVE_ON), of holder f.
    let in_force = "p.valid_from <= $2 AND p.valid_until >= $2 \
         AND (p.status IN ('active', 'suspended') OR p.updated_at >= $3)";
    let mut m = Monthly {
        month: first_s[..7].to_owned(),
        first_day: first_s.clone(),
        last_day: last_s.clone(),
        ..Default::default()
    };

    // By nationality: permits in force, issued, checks, findings.
    let mut nat: BTreeMap<String, NationalityMonth> = BTreeMap::new();
    let permits: Vec<(String, String, i64)> = sqlx::query_as(&format!(
        "SELECT f.nationality, p.permit_type, COUNT(*) FROM permits p JOIN foreigners f ON f.id = p.foreigner_id \
         WHERE ($1 IS NULL OR p.issuing_office_id = $1) AND {in_force} GROUP BY f.nationality, p.permit_type"
    ))
    .bind(office)
    .bind(&last_s)
    .bind(next.unix())
    .fetch_all(&mut *c)
    .await?;
    for (n, t, k) in permits {
        let e = nat.entry(n.clone()).or_insert_with(|| NationalityMonth {
            nationality: n,
            ..Default::default()
        });
        if t == "ITAP" {
            e.itap += k;
        } else {
            e.itas += k;
        }
    }
    let issued: Vec<(String, i64)> = sqlx::query_as(
        "SELECT f.nationality, COUNT(*) FROM permits p JOIN foreigners f ON f.id = p.foreigner_id \
         WHERE ($1 IS NULL OR p.issuing_office_id = $1) AND p.valid_from >= $2 AND p.valid_from < $3 \
         GROUP BY f.nationality",
    )
    .bind(office)
    .bind(&first_s)
    .bind(&next_s)
    .fetch_all(&mut *c)
    .await?;
    for (n, k) in issued {
        nat.entry(n.clone())
            .or_insert_with(|| NationalityMonth {
                nationality: n,
                ..Default::default()
            })
            .issued = k;
    }
    let checked: Vec<(Option<String>, i64, i64)> = in_period(
        c,
        "SELECT f.nationality, COUNT(*), COUNT(CASE WHEN k.outcome <> 'ok' THEN 1 END) FROM check_reports k \
         LEFT JOIN foreigners f ON f.id = k.foreigner_id \
         WHERE ($1 IS NULL OR k.office_id = $1) AND k.at >= $2 AND k.at < $3 GROUP BY f.nationality",
        office,
        from,
        to,
    )
    .await?;
    for (n, k, f) in checked {
        // Checks of no known person (forged or unknown codes) are listed under "".
        let n = n.unwrap_or_default();
        let e = nat.entry(n.clone()).or_insert_with(|| NationalityMonth {
            nationality: n,
            ..Default::default()
        });
        e.checks += k;
        e.findings += f;
    }
    m.by_nationality = nat.into_values().collect();
    m.by_nationality.sort_by(|a, b| {
        (b.itas + b.itap, b.checks)
            .cmp(&(a.itas + a.itap, a.checks))
            .then(a.nationality.cmp(&b.nationality))
    });

    // By kecamatan: residents on the last day, checks, findings, stay reports.
    let mut kec: BTreeMap<String, KecamatanMonth> = BTreeMap::new();
    let residents: Vec<(String, i64)> = sqlx::query_as(&format!(
        "SELECT SUBSTR(a.region_code, 1, 8), COUNT(DISTINCT a.foreigner_id) FROM addresses a \
         JOIN foreigners f ON f.id = a.foreigner_id \
         WHERE ($1 IS NULL OR f.office_id = $1) AND a.valid_from <= $2 AND (a.valid_until IS NULL OR a.valid_until > $2) \
         AND EXISTS (SELECT 1 FROM permits p WHERE p.foreigner_id = f.id AND {in_force}) \
         GROUP BY SUBSTR(a.region_code, 1, 8)"
    ))
    .bind(office)
    .bind(&last_s)
    .bind(next.unix())
    .fetch_all(&mut *c)
    .await?;
    for (code, n) in residents {
        month_row(&mut kec, &code).residents = n;
    }
    let checks: Vec<(String, i64, i64)> = in_period(
        c,
        "SELECT SUBSTR(region_code, 1, 8), COUNT(*), COUNT(CASE WHEN outcome <> 'ok' THEN 1 END) FROM check_reports \
         WHERE region_code IS NOT NULL AND ($1 IS NULL OR office_id = $1) AND at >= $2 AND at < $3 \
         GROUP BY SUBSTR(region_code, 1, 8)",
        office,
        from,
        to,
    )
    .await?;
    for (code, n, f) in checks {
        let e = month_row(&mut kec, &code);
        e.checks = n;
        e.findings = f;
    }
    let stays: Vec<(String, i64)> = in_period(
        c,
        "SELECT SUBSTR(s.region_code, 1, 8), COUNT(*) FROM stay_reports s JOIN foreigners f ON f.id = s.foreigner_id \
         WHERE ($1 IS NULL OR f.office_id = $1) AND s.created_at >= $2 AND s.created_at < $3 \
         GROUP BY SUBSTR(s.region_code, 1, 8)",
        office,
        from,
        to,
    )
    .await?;
    for (code, n) in stays {
        month_row(&mut kec, &code).stay_reports = n;
    }
    m.by_kecamatan = kec.into_values().collect();

    // Findings by code.
    let findings: Vec<(String, String, i64)> = in_period(
        c,
        "SELECT verdict, outcome, COUNT(*) FROM check_reports WHERE ($1 IS NULL OR office_id = $1) \
         AND at >= $2 AND at < $3 AND outcome <> 'ok' GROUP BY verdict, outcome",
        office,
        from,
        to,
    )
    .await?;
    m.findings = findings
        .into_iter()
        .map(|(code, outcome, count)| FindingCount {
            code,
            outcome,
            count,
        })
        .collect();
    m.findings
        .sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(&b.code)));

    // Totals.
    let (checks, persons, caught): (i64, i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COUNT(DISTINCT foreigner_id), COUNT(CASE WHEN caught_in_act = 1 THEN 1 END) \
         FROM check_reports WHERE ($1 IS NULL OR office_id = $1) AND at >= $2 AND at < $3",
    )
    .bind(office)
    .bind(from)
    .bind(to)
    .fetch_one(&mut *c)
    .await?;
    m.totals = MonthTotals {
        itas: m.by_nationality.iter().map(|n| n.itas).sum(),
        itap: m.by_nationality.iter().map(|n| n.itap).sum(),
        issued: m.by_nationality.iter().map(|n| n.issued).sum(),
        checks,
        persons_checked: persons,
        findings: m.findings.iter().map(|f| f.count).sum(),
        caught_in_act: caught,
        stay_reports: m.by_kecamatan.iter().map(|k| k.stay_reports).sum(),
    };

    // Alerts and the workflow.
    let kinds: Vec<(String, i64)> = in_period(
        c,
        "SELECT kind, COUNT(*) FROM alerts WHERE ($1 IS NULL OR office_id = $1) \
         AND created_at >= $2 AND created_at < $3 GROUP BY kind",
        office,
        from,
        to,
    )
    .await?;
    m.alerts_by_kind = kinds
        .into_iter()
        .map(|(kind, count)| KindCount { kind, count })
        .collect();
    m.alerts_by_kind
        .sort_by(|a, b| b.count.cmp(&a.count).then(a.kind.cmp(&b.kind)));
    let closed = count_at(
        c,
        "SELECT COUNT(*) FROM alerts WHERE ($1 IS NULL OR office_id = $1) AND resolved_at >= $2 AND resolved_at < $3",
        office,
        from,
        to,
    )
    .await?;
    let bap = count_at(
        c,
        "SELECT COUNT(DISTINCT e.alert_id) FROM alert_events e JOIN alerts a ON a.id = e.alert_id \
         WHERE ($1 IS NULL OR a.office_id = $1) AND e.to_state = 'bap' AND e.at >= $2 AND e.at < $3",
        office,
        from,
        to,
    )
    .await?;
    let corrections: Vec<(String, i64)> = in_period(
        c,
        "SELECT k.state, COUNT(*) FROM corrections k JOIN foreigners f ON f.id = k.foreigner_id \
         WHERE ($1 IS NULL OR f.office_id = $1) AND k.decided_at >= $2 AND k.decided_at < $3 GROUP BY k.state",
        office,
        from,
        to,
    )
    .await?;
    let of = |s: &str| {
        corrections
            .iter()
            .find(|(k, _)| k == s)
            .map_or(0, |(_, n)| *n)
    };
    let requests = count_at(
        c,
        "SELECT COUNT(*) FROM correction_requests r JOIN foreigners f ON f.id = r.foreigner_id \
         WHERE ($1 IS NULL OR f.office_id = $1) AND r.state = 'accepted' AND r.decided_at >= $2 AND r.decided_at < $3",
        office,
        from,
        to,
    )
    .await?;

    // Operations held.
    m.operations = sqlx::query_as(
        "SELECT o.id, o.number, o.title, o.starts_on, o.ends_on, \
         (SELECT COUNT(*) FROM operation_officers t WHERE t.order_id = o.id) AS team, \
         (SELECT COUNT(*) FROM check_reports k WHERE k.written_order_id = o.id AND k.at >= $4 AND k.at < $5) AS checks, \
         (SELECT COUNT(*) FROM check_reports k WHERE k.written_order_id = o.id AND k.at >= $4 AND k.at < $5 \
             AND k.outcome <> 'ok') AS findings \
         FROM written_orders o WHERE ($1 IS NULL OR o.office_id = $1) AND o.starts_on <= $2 AND o.ends_on >= $3 \
         AND o.status <> 'cancelled' ORDER BY o.starts_on, o.id",
    )
    .bind(office)
    .bind(&last_s)
    .bind(&first_s)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *c)
    .await?;
    m.actions = MonthActions {
        alerts_opened: m.alerts_by_kind.iter().map(|k| k.count).sum(),
        alerts_closed: closed,
        bap,
        corrections_accepted: of("accepted"),
        corrections_rejected: of("rejected"),
        correction_requests_accepted: requests,
        operations_held: m.operations.len() as i64,
    };
    Ok(m)
}
