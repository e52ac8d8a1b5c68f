//! Retention: how long each kind of personal data is kept, and the job that deletes or anonymises
//! what has expired (UU PDP 27/2022: deletion after the retention period).
//!
//! Every rule works in batches. One batch is one audited transaction that
//! 1. selects up to `batch` expired rows (oldest first),
//! 2. adds their counts to `retention_stats` (per kind, month, kecamatan, nationality and a label such
//!    as the check outcome), so monthly figures survive the rows,
//! 3. deletes (or, for exited persons, anonymises) them, and
//! 4. appends an audit entry `retention.delete` / `retention.anonymise` that records what went — kind,
//!    count, first and last id, cutoff — never the content.
//!
//! A row expires on the day `days` after its reference instant: it goes when
//! `reference <= now - days × 86 400`. The reference instant of each kind is in [`RetentionConfig`].
//! Every function takes `now`, so tests (and `pora retention run --now`) can run it on any day.
//!
//! The audit log itself is pruned from its oldest end through a signed anchor (see
//! [`crate::audit::AuditedTx::prune_through`]); without the audit key that rule is skipped.

use std::collections::BTreeMap;

use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::{Actor, AuditedTx, NewEntry};
use crate::model::{Date, Purpose};
use crate::{Result, Store, StoreError};

/// Seconds in a retention day.
const DAY: i64 = 86_400;

/// How long each kind of data is kept, in days; `None` keeps it for ever.
///
/// | field | default | reference instant |
/// |---|---|---|
/// | `check_reports_days` | 730 (2 years) | the check's time; checks behind an open alert stay until it closes |
/// | `stay_reports_days` | 365 | when the report was recorded |
/// | `closed_alerts_days` | 365 | when the alert was resolved (open alerts stay) |
/// | `correction_requests_days` | 365 | when the request was decided (pending ones stay) |
/// | `exited_persons_days` | 1825 (5 years) | the last status change of a person none of whose permits is active or suspended and one of whose permits ended by exit (EPO), deportation or death; the record is anonymised |
/// | `audit_days` | 1825 (5 years) | the entry's time |
///
/// `run_every_hours` (default 24) is how often the server runs the job; `batch` (default 5000) is
/// the most rows one transaction handles.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionConfig {
    /// Field check reports.
    pub check_reports_days: Option<u32>,
    /// Stay reports (APOA, landlords, self).
    pub stay_reports_days: Option<u32>,
    /// Resolved alerts.
    pub closed_alerts_days: Option<u32>,
    /// Decided correction requests.
    pub correction_requests_days: Option<u32>,
    /// Records of persons who left for good (anonymised, not deleted: permits keep their numbers).
    pub exited_persons_days: Option<u32>,
    /// Audit log entries.
    pub audit_days: Option<u32>,
    /// How often the server runs the job, in hours.
    pub run_every_hours: u32,
    /// Rows per transaction.
    pub batch: u32,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        RetentionConfig {
            check_reports_days: Some(730),
            stay_reports_days: Some(365),
            closed_alerts_days: Some(365),
            correction_requests_days: Some(365),
            exited_persons_days: Some(1825),
            audit_days: Some(1825),
            run_every_hours: 24,
            batch: 5000,
        }
    }
}

/// Environment variables read by [`RetentionConfig::apply_env`], with the field each sets.
pub const ENV: &[(&str, &str)] = &[
    ("PORA_RETENTION_CHECK_REPORTS_DAYS", "check_reports_days"),
    ("PORA_RETENTION_STAY_REPORTS_DAYS", "stay_reports_days"),
    ("PORA_RETENTION_CLOSED_ALERTS_DAYS", "closed_alerts_days"),
    (
        "PORA_RETENTION_CORRECTION_REQUESTS_DAYS",
        "correction_requests_days",
    ),
    ("PORA_RETENTION_EXITED_PERSONS_DAYS", "exited_persons_days"),
    ("PORA_RETENTION_AUDIT_DAYS", "audit_days"),
    ("PORA_RETENTION_RUN_EVERY_HOURS", "run_every_hours"),
    ("PORA_RETENTION_BATCH", "batch"),
];

fn invalid(field: &'static str, reason: impl Into<String>) -> StoreError {
    StoreError::Invalid {
        field,
        reason: reason.into(),
    }
}

impl RetentionConfig {
    /// Parses a JSON object (missing fields keep their defaults; unknown fields are refused, so a
    /// misspelt rule does not silently keep the default), then checks the ranges.
    pub fn from_json(text: &str) -> Result<Self> {
        let c: RetentionConfig = serde_json::from_str(text)
            .map_err(|e| invalid("retention", format!("retention config: {e}")))?;
        c.check()?;
        Ok(c)
    }

    /// Overrides fields from the environment (`lookup` is `std::env::var` in production): each of
    /// [`ENV`] holds a number of days (hours, rows), or `never` to keep that kind for ever.
    pub fn apply_env(&mut self, lookup: impl Fn(&str) -> Option<String>) -> Result<()> {
        for (var, field) in ENV {
            let Some(v) = lookup(var) else { continue };
            let v = v.trim();
            let days = if v.eq_ignore_ascii_case("never") {
                None
            } else {
                Some(v.parse::<u32>().map_err(|_| {
                    invalid(
                        field,
                        format!("{var}: want a whole number or `never`, got {v:?}"),
                    )
                })?)
            };
            let need = |d: Option<u32>| {
                d.ok_or_else(|| invalid(field, format!("{var} cannot be `never`")))
            };
            match *field {
                "check_reports_days" => self.check_reports_days = days,
                "stay_reports_days" => self.stay_reports_days = days,
                "closed_alerts_days" => self.closed_alerts_days = days,
                "correction_requests_days" => self.correction_requests_days = days,
                "exited_persons_days" => self.exited_persons_days = days,
                "audit_days" => self.audit_days = days,
                "run_every_hours" => self.run_every_hours = need(days)?,
                _ => self.batch = need(days)?,
            }
        }
        self.check()
    }

    /// Checks ranges: periods 1..=36 500 days, interval 1..=8 760 hours, batch 1..=100 000.
    pub fn check(&self) -> Result<()> {
        for (field, v) in [
            ("check_reports_days", self.check_reports_days),
            ("stay_reports_days", self.stay_reports_days),
            ("closed_alerts_days", self.closed_alerts_days),
            ("correction_requests_days", self.correction_requests_days),
            ("exited_persons_days", self.exited_persons_days),
            ("audit_days", self.audit_days),
        ] {
            if v.is_some_and(|d| !(1..=36_500).contains(&d)) {
                return Err(invalid(
                    field,
                    "want 1 to 36500 days, or null to keep for ever",
                ));
            }
        }
        if !(1..=8760).contains(&self.run_every_hours) {
            return Err(invalid("run_every_hours", "want 1 to 8760 hours"));
        }
        if !(1..=100_000).contains(&self.batch) {
            return Err(invalid("batch", "want 1 to 100000 rows"));
        }
        Ok(())
    }

    /// The period of `kind` in days.
    pub fn days(&self, kind: Kind) -> Option<u32> {
        match kind {
            Kind::CheckReports => self.check_reports_days,
            Kind::StayReports => self.stay_reports_days,
            Kind::ClosedAlerts => self.closed_alerts_days,
            Kind::CorrectionRequests => self.correction_requests_days,
            Kind::ExitedPersons => self.exited_persons_days,
            Kind::AuditLog => self.audit_days,
        }
    }
}

/// A kind of data with its own retention rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// `check_reports`.
    CheckReports,
    /// `stay_reports`.
    StayReports,
    /// `alerts` that were resolved.
    ClosedAlerts,
    /// `correction_requests` that were decided.
    CorrectionRequests,
    /// `foreigners` (and what hangs off them) of persons who left.
    ExitedPersons,
    /// `audit_log`.
    AuditLog,
}

impl Kind {
    /// Every kind, in the order the job runs them (the audit log last, so it also covers the
    /// entries the other rules just wrote only in a later run).
    pub const ALL: &'static [Kind] = &[
        Kind::CheckReports,
        Kind::StayReports,
        Kind::ClosedAlerts,
        Kind::CorrectionRequests,
        Kind::ExitedPersons,
        Kind::AuditLog,
    ];

    /// The stable name (also the `kind` of `retention_stats`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::CheckReports => "check_reports",
            Kind::StayReports => "stay_reports",
            Kind::ClosedAlerts => "closed_alerts",
            Kind::CorrectionRequests => "correction_requests",
            Kind::ExitedPersons => "exited_persons",
            Kind::AuditLog => "audit_log",
        }
    }
}

/// What one rule did (or, in a dry run, would do).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleReport {
    /// The kind.
    pub kind: Kind,
    /// The period in days (`None`: kept for ever, nothing done).
    pub days: Option<u32>,
    /// Rows whose reference instant is at or before this were expired.
    pub cutoff: Option<i64>,
    /// Rows deleted or anonymised (would be, in a dry run).
    pub count: i64,
    /// Lowest id (audit: seq) touched.
    pub first_id: Option<i64>,
    /// Highest id touched.
    pub last_id: Option<i64>,
    /// Transactions used.
    pub batches: i64,
    /// Why the rule did not run, if it did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

/// What a run did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionReport {
    /// The instant the run judged expiry against (unix seconds).
    pub now: i64,
    /// Whether nothing was changed.
    pub dry_run: bool,
    /// One report per kind, in [`Kind::ALL`] order.
    pub rules: Vec<RuleReport>,
}

/// One row of `retention_stats`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct StatRow {
    /// Kind of data.
    pub kind: String,
    /// `YYYY-MM`.
    pub month: String,
    /// Kecamatan code `PP.KK.CC` (empty when unknown).
    pub region_code: String,
    /// ISO alpha-3 (empty when unknown).
    pub nationality: String,
    /// Outcome, reporter kind, alert kind, action…
    pub label: String,
    /// How many rows.
    pub count: i64,
}

/// The audit key the audit rule signs its anchors with.
#[derive(Clone, Copy, Debug)]
pub struct AnchorKey<'a> {
    /// The server's Ed25519 audit key.
    pub key: &'a SigningKey,
    /// Its id (as registered in `audit_keys`).
    pub key_id: &'a str,
}

/// Runs every rule of `config` as of `now`. A dry run counts what would go and changes nothing.
/// Without `audit_key` the audit rule is skipped (its anchors must be signed).
pub async fn run(
    store: &Store,
    config: &RetentionConfig,
    now: i64,
    dry_run: bool,
    audit_key: Option<AnchorKey<'_>>,
) -> Result<RetentionReport> {
    config.check()?;
    let mut rules = Vec::new();
    for &kind in Kind::ALL {
        let days = config.days(kind);
        let mut r = RuleReport {
            kind,
            days,
            cutoff: None,
            count: 0,
            first_id: None,
            last_id: None,
            batches: 0,
            skipped: None,
        };
        let Some(days) = days else {
            r.skipped = Some("kept for ever".into());
            rules.push(r);
            continue;
        };
        let cutoff = now - i64::from(days) * DAY;
        r.cutoff = Some(cutoff);
        if kind == Kind::AuditLog && audit_key.is_none() && !dry_run {
            r.skipped = Some("no audit key to sign the anchor with".into());
            rules.push(r);
            continue;
        }
        if dry_run {
            let (count, first, last) = count_expired(store, kind, cutoff).await?;
            (r.count, r.first_id, r.last_id) = (count, first, last);
        } else {
            loop {
                let mut tx = store.begin_audited().await?;
                let done = match kind {
                    Kind::AuditLog => match audit_key {
                        Some(k) => prune_audit(&mut tx, cutoff, now, config.batch, k).await?,
                        None => None,
                    },
                    _ => batch(&mut tx, kind, cutoff, now, config.batch).await?,
                };
                let Some((count, first, last)) = done else {
                    break;
                };
                tx.commit().await?;
                r.count += count;
                r.first_id = Some(r.first_id.map_or(first, |f| f.min(first)));
                r.last_id = Some(r.last_id.map_or(last, |l| l.max(last)));
                r.batches += 1;
            }
        }
        rules.push(r);
    }
    Ok(RetentionReport {
        now,
        dry_run,
        rules,
    })
}

/// The statistics kept for `kind` (every kind when `None`), by month.
pub async fn stats(store: &Store, kind: Option<Kind>) -> Result<Vec<StatRow>> {
    Ok(sqlx::query_as(
        "SELECT kind, month, region_code, nationality, label, count FROM retention_stats \
         WHERE ($1 IS NULL OR kind = $1) ORDER BY kind, month, region_code, nationality, label",
    )
    .bind(kind.map(Kind::as_str))
    .fetch_all(store.pool())
    .await?)
}

// ---------------------------------------------------------------------------------------------
// The rules' queries. Each kind: the expired rows (id, month source, region, nationality, label).

/// `FROM … WHERE …` of the expired rows of `kind`; `$1` is the cutoff.
fn expired_from(kind: Kind) -> &'static str {
    match kind {
        Kind::CheckReports => {
            "FROM check_reports x LEFT JOIN foreigners f ON f.id = x.foreigner_id WHERE x.at <= $1 \
             AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.check_id = x.id AND a.resolved_at IS NULL)"
        }
        Kind::StayReports => {
            "FROM stay_reports x LEFT JOIN foreigners f ON f.id = x.foreigner_id WHERE x.created_at <= $1"
        }
        Kind::ClosedAlerts => {
            "FROM alerts x LEFT JOIN foreigners f ON f.id = x.foreigner_id \
             WHERE x.resolved_at IS NOT NULL AND x.resolved_at <= $1"
        }
        Kind::CorrectionRequests => {
            "FROM correction_requests x LEFT JOIN foreigners f ON f.id = x.foreigner_id \
             WHERE x.state <> 'pending' AND x.decided_at <= $1"
        }
        Kind::ExitedPersons => {
            "FROM foreigners x LEFT JOIN foreigners f ON f.id = x.id WHERE x.anonymised_at IS NULL \
             AND NOT EXISTS (SELECT 1 FROM permits p WHERE p.foreigner_id = x.id AND p.status IN ('active', 'suspended')) \
             AND EXISTS (SELECT 1 FROM permits p WHERE p.foreigner_id = x.id AND p.status IN ('exited', 'deported', 'deceased')) \
             AND (SELECT MAX(p.updated_at) FROM permits p WHERE p.foreigner_id = x.id) <= $1"
        }
        Kind::AuditLog => "FROM audit_log x LEFT JOIN foreigners f ON 1 = 0 WHERE x.at <= $1",
    }
}

/// The columns that feed the statistics: (id, instant or date text for the month, region, label).
fn stat_columns(kind: Kind) -> &'static str {
    match kind {
        Kind::CheckReports => "x.id, CAST(x.at AS TEXT), x.region_code, f.nationality, x.outcome",
        Kind::StayReports => "x.id, x.check_in, x.region_code, f.nationality, x.reporter_kind",
        Kind::ClosedAlerts => "x.id, CAST(x.created_at AS TEXT), NULL, f.nationality, x.kind",
        Kind::CorrectionRequests => {
            "x.id, CAST(x.created_at AS TEXT), NULL, f.nationality, x.state || ':' || x.field"
        }
        Kind::ExitedPersons => "x.id, NULL, NULL, x.nationality, x.sex",
        Kind::AuditLog => "x.seq, CAST(x.at AS TEXT), NULL, NULL, x.action",
    }
}

fn id_column(kind: Kind) -> &'static str {
    match kind {
        Kind::AuditLog => "x.seq",
        _ => "x.id",
    }
}

async fn count_expired(
    store: &Store,
    kind: Kind,
    cutoff: i64,
) -> Result<(i64, Option<i64>, Option<i64>)> {
    let id = id_column(kind);
    let sql = if kind == Kind::AuditLog {
        // Only an unbroken prefix of the chain can go: up to the first entry that is still kept.
        "SELECT COUNT(*), MIN(seq), MAX(seq) FROM audit_log WHERE seq < \
         COALESCE((SELECT MIN(seq) FROM audit_log WHERE at > $1), (SELECT MAX(seq) + 1 FROM audit_log))"
            .to_owned()
    } else {
        format!(
            "SELECT COUNT(*), MIN({id}), MAX({id}) {}",
            expired_from(kind)
        )
    };
    let row: (i64, Option<i64>, Option<i64>) = sqlx::query_as(&sql)
        .bind(cutoff)
        .fetch_one(store.pool())
        .await?;
    Ok(row)
}

type StatInput = (
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Month `YYYY-MM` of a stored instant (unix seconds as text) or date (`YYYY-MM-DD`).
fn month_of(v: Option<&str>, now: i64) -> String {
    let text = match v {
        Some(s) if s.len() >= 7 && s.as_bytes()[4] == b'-' => s[..7].to_owned(),
        Some(s) => s
            .parse::<i64>()
            .map(|t| Date::from_unix(t).to_string()[..7].to_owned())
            .unwrap_or_default(),
        None => Date::from_unix(now).to_string()[..7].to_owned(),
    };
    text
}

/// Kecamatan (`PP.KK.CC`) of a desa/kelurahan code.
fn kecamatan(code: Option<&str>) -> String {
    code.map(|c| c.get(..8).unwrap_or(c).to_owned())
        .unwrap_or_default()
}

async fn add_stats(tx: &mut AuditedTx, kind: Kind, rows: &[StatInput], now: i64) -> Result<()> {
    let mut groups: BTreeMap<(String, String, String, String), i64> = BTreeMap::new();
    for (_, when, region, nat, label) in rows {
        let key = (
            month_of(when.as_deref(), now),
            kecamatan(region.as_deref()),
            nat.clone().unwrap_or_default(),
            label.clone().unwrap_or_default(),
        );
        *groups.entry(key).or_default() += 1;
    }
    for ((month, region, nat, label), n) in groups {
        sqlx::query(
            "INSERT INTO retention_stats (kind, month, region_code, nationality, label, count) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (kind, month, region_code, nationality, label) \
             DO UPDATE SET count = retention_stats.count + excluded.count",
        )
        .bind(kind.as_str())
        .bind(month)
        .bind(region)
        .bind(nat)
        .bind(label)
        .bind(n)
        .execute(tx.conn())
        .await?;
    }
    Ok(())
}

fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// Runs `sql`, binding `now` as `$1` when the statement uses it.
async fn exec(tx: &mut AuditedTx, sql: &str, now: i64) -> Result<()> {
    let q = sqlx::query(sql);
    let q = if sql.contains("$1") { q.bind(now) } else { q };
    q.execute(tx.conn()).await?;
    Ok(())
}

/// One batch of a row rule; `None` when nothing (more) has expired.
async fn batch(
    tx: &mut AuditedTx,
    kind: Kind,
    cutoff: i64,
    now: i64,
    limit: u32,
) -> Result<Option<(i64, i64, i64)>> {
    let sql = format!(
        "SELECT {} {} ORDER BY {} LIMIT $2",
        stat_columns(kind),
        expired_from(kind),
        id_column(kind)
    );
    let rows: Vec<StatInput> = sqlx::query_as(&sql)
        .bind(cutoff)
        .bind(i64::from(limit))
        .fetch_all(tx.conn())
        .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let (Some(&first), Some(&last)) = (ids.first(), ids.last()) else {
        return Ok(None);
    };
    add_stats(tx, kind, &rows, now).await?;
    let list = id_list(&ids);
    let action = match kind {
        Kind::CheckReports => {
            // The device-signed report behind a check goes with it; closed alerts and officers'
            // corrections keep their row but lose the link.
            exec(
                tx,
                &format!(
                    "DELETE FROM field_reports WHERE report_id IN \
                     (SELECT report_id FROM check_reports WHERE id IN ({list}) AND report_id IS NOT NULL)"
                ),
                now,
            )
            .await?;
            exec(
                tx,
                &format!("UPDATE alerts SET check_id = NULL WHERE check_id IN ({list})"),
                now,
            )
            .await?;
            exec(
                tx,
                &format!("UPDATE corrections SET check_id = NULL WHERE check_id IN ({list})"),
                now,
            )
            .await?;
            exec(
                tx,
                &format!("DELETE FROM check_reports WHERE id IN ({list})"),
                now,
            )
            .await?;
            "retention.delete"
        }
        Kind::StayReports => {
            exec(
                tx,
                &format!("DELETE FROM stay_reports WHERE id IN ({list})"),
                now,
            )
            .await?;
            "retention.delete"
        }
        Kind::ClosedAlerts => {
            // An alert's workflow history goes with it.
            exec(
                tx,
                &format!("DELETE FROM alert_events WHERE alert_id IN ({list})"),
                now,
            )
            .await?;
            exec(tx, &format!("DELETE FROM alerts WHERE id IN ({list})"), now).await?;
            "retention.delete"
        }
        Kind::CorrectionRequests => {
            exec(
                tx,
                &format!("DELETE FROM correction_requests WHERE id IN ({list})"),
                now,
            )
            .await?;
            "retention.delete"
        }
        Kind::ExitedPersons => {
            anonymise(tx, &list, now).await?;
            "retention.anonymise"
        }
        Kind::AuditLog => return Ok(None),
    };
    tx.append_at(
        record(kind, action, ids.len() as i64, first, last, cutoff, now),
        now,
    )
    .await?;
    Ok(Some((ids.len() as i64, first, last)))
}

/// Anonymises the persons `list` (comma-separated ids): their row keeps NIORA, sex, nationality,
/// birth year and office (for statistics and the permits' history); names, birthplace, passports,
/// phone, civil status, address lines, positions, device-signed reports, signed credentials and their
/// own requests go; their login is disabled.
async fn anonymise(tx: &mut AuditedTx, list: &str, now: i64) -> Result<()> {
    for sql in [
        format!(
            "UPDATE foreigners SET full_name = 'ANONIM', mrz_name = 'ANONIM', birth_place = '-', \
             birth_date = substr(birth_date, 1, 4) || '-01-01', occupation = NULL, phone = NULL, \
             civil_status = NULL, anonymised_at = $1 \
             WHERE id IN ({list})"
        ),
        format!(
            "UPDATE permits SET credential = NULL, occupation = NULL, passport_id = NULL \
             WHERE foreigner_id IN ({list})"
        ),
        format!("DELETE FROM passports WHERE foreigner_id IN ({list})"),
        // Device-signed reports carry positions and the document hash.
        format!(
            "DELETE FROM field_reports WHERE permit_id IN (SELECT id FROM permits WHERE foreigner_id IN ({list}))"
        ),
        format!(
            "UPDATE addresses SET line = '-', lat = NULL, lng = NULL WHERE foreigner_id IN ({list})"
        ),
        format!(
            "UPDATE check_reports SET lat = NULL, lng = NULL, notes = NULL WHERE foreigner_id IN ({list})"
        ),
        format!(
            "UPDATE stay_reports SET reporter_name = '-', lat = NULL, lng = NULL WHERE foreigner_id IN ({list})"
        ),
        format!(
            "UPDATE corrections SET old_value = NULL, new_value = '-' WHERE foreigner_id IN ({list})"
        ),
        format!("DELETE FROM correction_requests WHERE foreigner_id IN ({list})"),
        format!(
            "UPDATE sessions SET revoked_at = $1 WHERE revoked_at IS NULL \
             AND user_id IN (SELECT id FROM users WHERE foreigner_id IN ({list}))"
        ),
        format!("UPDATE users SET disabled = 1 WHERE foreigner_id IN ({list})"),
    ] {
        exec(tx, &sql, now).await?;
    }
    Ok(())
}

/// One batch of the audit rule: the oldest unbroken run of expired entries, behind a signed anchor.
async fn prune_audit(
    tx: &mut AuditedTx,
    cutoff: i64,
    now: i64,
    limit: u32,
    key: AnchorKey<'_>,
) -> Result<Option<(i64, i64, i64)>> {
    let rows: Vec<StatInput> = sqlx::query_as(
        "SELECT x.seq, CAST(x.at AS TEXT), NULL, NULL, x.action FROM audit_log x WHERE x.seq < \
         COALESCE((SELECT MIN(seq) FROM audit_log WHERE at > $1), (SELECT MAX(seq) + 1 FROM audit_log)) \
         ORDER BY x.seq LIMIT $2",
    )
    .bind(cutoff)
    .bind(i64::from(limit))
    .fetch_all(tx.conn())
    .await?;
    let (Some(first), Some(last)) = (rows.first().map(|r| r.0), rows.last().map(|r| r.0)) else {
        return Ok(None);
    };
    add_stats(tx, Kind::AuditLog, &rows, now).await?;
    let count = rows.len() as i64;
    tx.prune_through(last, count, cutoff, now, key.key, key.key_id)
        .await?;
    tx.append_at(
        record(
            Kind::AuditLog,
            "retention.delete",
            count,
            first,
            last,
            cutoff,
            now,
        ),
        now,
    )
    .await?;
    Ok(Some((count, first, last)))
}

fn record(
    kind: Kind,
    action: &str,
    count: i64,
    first: i64,
    last: i64,
    cutoff: i64,
    now: i64,
) -> NewEntry {
    NewEntry {
        actor: Actor::system(),
        action: action.into(),
        subject_kind: "system".into(),
        subject_id: kind.as_str().into(),
        purpose: Purpose::system("retention"),
        details: json!({
            "kind": kind.as_str(), "count": count, "first_id": first, "last_id": last,
            "cutoff": cutoff, "as_of": now,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_parses_and_refuses() {
        let c =
            RetentionConfig::from_json(r#"{"stay_reports_days": 30, "audit_days": null}"#).unwrap();
        assert_eq!(c.stay_reports_days, Some(30));
        assert_eq!(c.audit_days, None);
        assert_eq!(
            c.check_reports_days,
            Some(730),
            "missing fields keep defaults"
        );
        let e = RetentionConfig::from_json(r#"{"stay_report_days": 30}"#).unwrap_err();
        assert!(e.to_string().contains("stay_report_days"), "{e}");
        let e = RetentionConfig::from_json(r#"{"check_reports_days": 0}"#).unwrap_err();
        assert!(
            matches!(
                e,
                StoreError::Invalid {
                    field: "check_reports_days",
                    ..
                }
            ),
            "{e}"
        );
        let e = RetentionConfig::from_json(r#"{"batch": -1}"#).unwrap_err();
        assert!(
            e.to_string().contains("batch") || e.to_string().contains("invalid value"),
            "{e}"
        );

        let mut c = RetentionConfig::default();
        c.apply_env(|v| match v {
            "PORA_RETENTION_AUDIT_DAYS" => Some("never".into()),
            "PORA_RETENTION_STAY_REPORTS_DAYS" => Some(" 90 ".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!((c.audit_days, c.stay_reports_days), (None, Some(90)));
        let e = c
            .apply_env(|v| (v == "PORA_RETENTION_BATCH").then(|| "never".into()))
            .unwrap_err();
        assert!(
            matches!(e, StoreError::Invalid { field: "batch", .. }),
            "{e}"
        );
        let e = c
            .apply_env(|v| (v == "PORA_RETENTION_CHECK_REPORTS_DAYS").then(|| "2y".into()))
            .unwrap_err();
        assert!(
            matches!(
                e,
                StoreError::Invalid {
                    field: "check_reports_days",
                    ..
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn months_and_kecamatan() {
        assert_eq!(month_of(Some("2026-03-31"), 0), "2026-03");
        assert_eq!(month_of(Some("1790000000"), 0), "2026-09");
        assert_eq!(kecamatan(Some("32.16.06.2002")), "32.16.06");
        assert_eq!(kecamatan(None), "");
    }
}
