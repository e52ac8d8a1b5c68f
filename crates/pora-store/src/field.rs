//! Field supervision queries: signed check reports and their per-device chain, document-hash keys,
//! alerts with their workflow, corrections and their decisions, and a person's movement timeline.
//!
//! Batch ingest writes many rows per statement ([`insert_rows`]): every statement is written once
//! with `$N` placeholders, which both SQLite and PostgreSQL accept through sqlx's `Any` driver.

use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use crate::db::Conn;
use crate::model::Date;
use crate::{Result, StoreError};

/// Rows per multi-row INSERT (keeps the bound parameters far below both backends' limits).
pub const ROWS_PER_INSERT: usize = 200;

/// One bound value of a multi-row insert.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    /// An integer.
    I(Option<i64>),
    /// A text.
    T(Option<String>),
    /// A float.
    F(Option<f64>),
    /// Bytes (BLOB / BYTEA).
    B(Option<Vec<u8>>),
}

/// Binds `vals` to `q` in order (a statement built at run time: multi-row inserts, search filters).
pub(crate) fn bind_vals<'q, 'v>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    vals: impl IntoIterator<Item = &'v Val>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for v in vals {
        q = match v {
            Val::I(x) => q.bind(*x),
            Val::T(x) => q.bind(x.clone()),
            Val::F(x) => q.bind(*x),
            Val::B(x) => q.bind(x.clone()),
        };
    }
    q
}

/// `INSERT INTO table (columns) VALUES (…), (…)` for `rows` (each as long as `columns`), in chunks of
/// [`ROWS_PER_INSERT`]; `suffix` is appended to each statement (e.g. `ON CONFLICT DO NOTHING`).
pub async fn insert_rows(
    c: &mut Conn,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Val>],
    suffix: &str,
) -> Result<u64> {
    let mut n = 0;
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        for (i, row) in chunk.iter().enumerate() {
            debug_assert_eq!(row.len(), columns.len());
            sql.push_str(if i == 0 { "(" } else { ", (" });
            sql.push_str(&placeholders(c, i * row.len() + 1, row.len()));
            sql.push(')');
        }
        sql.push(' ');
        sql.push_str(suffix);
        let q = bind_vals(sqlx::query(&sql), chunk.iter().flatten());
        n += q.execute(&mut *c).await?.rows_affected();
    }
    Ok(n)
}

/// Placeholders for `n` values bound in order after `first - 1` others: `$first, $first+1, …` on
/// PostgreSQL, `?, ?, …` on SQLite. SQLite finds the index of a named parameter (`$N`) by a linear
/// scan, and sqlx asks it for every parameter, so binding n `$N` parameters costs n² (58 % of the
/// ingest benchmark's time at 3,000 parameters per INSERT); anonymous `?` are bound in order. A
/// statement must use one style throughout: build every placeholder of it with this function.
fn placeholders(c: &Conn, first: usize, n: usize) -> String {
    numbered(
        c.backend_name() != <sqlx::Sqlite as sqlx::Database>::NAME,
        first,
        n,
    )
}

fn numbered(numbered: bool, first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| {
            if numbered {
                format!("${i}")
            } else {
                "?".into()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

// ---------------------------------------------------------------------------------------------
// Devices and document-hash keys

/// An enrolled device's key, for verifying its reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct DeviceKey {
    /// Device id (the `device` field of its reports, as decimal text).
    pub id: i64,
    /// Public key, hex (P-256 SEC1 uncompressed or Ed25519).
    pub public_key: String,
    /// `ES256` or `EdDSA` (None for devices registered before keys were COSE keys).
    pub algorithm: Option<String>,
    /// The officer it is enrolled to.
    pub officer_id: i64,
    /// The officer's username (the `officer` field of its reports).
    pub officer: String,
    /// Office.
    pub office_id: i64,
    /// `pending`, `approved`, `revoked`.
    pub state: String,
}

/// Records a device's COSE algorithm and kid.
pub async fn set_device_key(c: &mut Conn, id: i64, algorithm: &str, kid: &str) -> Result<()> {
    sqlx::query("UPDATE devices SET algorithm = $1, kid = $2 WHERE id = $3")
        .bind(algorithm)
        .bind(kid)
        .bind(id)
        .execute(c)
        .await?;
    Ok(())
}

/// The device whose key has this kid (hex).
pub async fn device_by_kid(c: &mut Conn, kid: &str) -> Result<Option<DeviceKey>> {
    Ok(sqlx::query_as(
        "SELECT d.id, d.public_key, d.algorithm, d.officer_id, u.username AS officer, d.office_id, d.state \
         FROM devices d JOIN users u ON u.id = d.officer_id WHERE d.kid = $1",
    )
    .bind(kid)
    .fetch_optional(c)
    .await?)
}

/// The device with this id, with its officer's username.
pub async fn device_key(c: &mut Conn, id: i64) -> Result<Option<DeviceKey>> {
    Ok(sqlx::query_as(
        "SELECT d.id, d.public_key, d.algorithm, d.officer_id, u.username AS officer, d.office_id, d.state \
         FROM devices d JOIN users u ON u.id = d.officer_id WHERE d.id = $1",
    )
    .bind(id)
    .fetch_optional(c)
    .await?)
}

/// An office's sealed document-hash key: (sealed key hex, KEK id, highest permit id hashed).
pub async fn doc_hash_key(c: &mut Conn, office_id: i64) -> Result<Option<(String, String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT sealed_key, kek_id, covered_permit_id FROM doc_hash_keys WHERE office_id = $1",
    )
    .bind(office_id)
    .fetch_optional(c)
    .await?)
}

/// Stores an office's sealed document-hash key (the first one wins when two requests race).
pub async fn insert_doc_hash_key(
    c: &mut Conn,
    office_id: i64,
    sealed: &str,
    kek_id: &str,
    at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO doc_hash_keys (office_id, sealed_key, kek_id, covered_permit_id, created_at) \
         VALUES ($1, $2, $3, 0, $4) ON CONFLICT (office_id) DO NOTHING",
    )
    .bind(office_id)
    .bind(sealed)
    .bind(kek_id)
    .bind(at)
    .execute(c)
    .await?;
    Ok(())
}

/// Permits (id, number) with an id above `after`, in id order.
pub async fn permit_numbers_after(c: &mut Conn, after: i64) -> Result<Vec<(i64, String)>> {
    Ok(
        sqlx::query_as("SELECT id, number FROM permits WHERE id > $1 ORDER BY id")
            .bind(after)
            .fetch_all(c)
            .await?,
    )
}

/// Stores document hashes (hex, permit id) under an office's key and moves its high-water mark.
pub async fn add_doc_hashes(
    c: &mut Conn,
    office_id: i64,
    hashes: &[(String, i64)],
    covered: i64,
) -> Result<()> {
    let rows: Vec<Vec<Val>> = hashes
        .iter()
        .map(|(h, id)| {
            vec![
                Val::I(Some(office_id)),
                Val::T(Some(h.clone())),
                Val::I(Some(*id)),
            ]
        })
        .collect();
    insert_rows(
        c,
        "permit_doc_hashes",
        &["office_id", "doc_hash", "permit_id"],
        &rows,
        "ON CONFLICT DO NOTHING",
    )
    .await?;
    sqlx::query("UPDATE doc_hash_keys SET covered_permit_id = $1 WHERE office_id = $2 AND covered_permit_id < $1")
        .bind(covered)
        .bind(office_id)
        .execute(c)
        .await?;
    Ok(())
}

/// Permit ids for document hashes (hex) under an office's key.
pub async fn permits_by_doc_hash(
    c: &mut Conn,
    office_id: i64,
    hashes: &[String],
) -> Result<Vec<(String, i64)>> {
    let mut out = Vec::new();
    for chunk in hashes.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "SELECT doc_hash, permit_id FROM permit_doc_hashes WHERE office_id = {} AND doc_hash IN ({})",
            placeholders(c, 1, 1),
            placeholders(c, 2, chunk.len())
        );
        let mut q = sqlx::query_as(&sql).bind(office_id);
        for h in chunk {
            q = q.bind(h.clone());
        }
        out.extend(q.fetch_all(&mut *c).await?);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Signed check reports

/// What the chain check needs of a stored report.
#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct ChainLink {
    /// Report id, hex.
    pub report_id: String,
    /// Sequence number on its device.
    pub seq: i64,
    /// SHA-256 of its COSE bytes, hex.
    pub hash: String,
    /// Its `prev`, hex.
    pub prev: Option<String>,
    /// Chain state.
    pub chain: String,
}

/// Stored reports of a device with `lo <= seq <= hi`, by seq.
pub async fn chain_window(
    c: &mut Conn,
    device_id: i64,
    lo: i64,
    hi: i64,
) -> Result<Vec<ChainLink>> {
    Ok(sqlx::query_as(
        "SELECT report_id, seq, hash, prev, chain FROM field_reports \
         WHERE device_id = $1 AND seq >= $2 AND seq <= $3 ORDER BY seq, id",
    )
    .bind(device_id)
    .bind(lo)
    .bind(hi)
    .fetch_all(c)
    .await?)
}

/// The stored report with the highest seq of a device: (seq, hash).
pub async fn chain_head(c: &mut Conn, device_id: i64) -> Result<Option<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT seq, hash FROM field_reports WHERE device_id = $1 ORDER BY seq DESC, id DESC LIMIT 1",
    )
    .bind(device_id)
    .fetch_optional(c)
    .await?)
}

/// Which of `permit_ids` have an alert of `kind` that is not closed.
pub async fn open_alert_permits(c: &mut Conn, kind: &str, permit_ids: &[i64]) -> Result<Vec<i64>> {
    let mut out = Vec::new();
    for chunk in permit_ids.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "SELECT DISTINCT permit_id FROM alerts WHERE kind = {} AND state <> 'closed' AND permit_id IN ({})",
            placeholders(c, 1, 1),
            placeholders(c, 2, chunk.len())
        );
        let mut q = sqlx::query_scalar::<_, i64>(&sql).bind(kind);
        for id in chunk {
            q = q.bind(*id);
        }
        out.extend(q.fetch_all(&mut *c).await?);
    }
    Ok(out)
}

/// (report id, hash) of the already stored reports among `ids` (hex).
pub async fn known_reports(c: &mut Conn, ids: &[String]) -> Result<Vec<(String, String)>> {
    by_report_id(c, "SELECT report_id, hash FROM field_reports", ids).await
}

/// (report id, check id) of the checks derived from the signed reports among `ids` (hex).
pub async fn checks_by_report(c: &mut Conn, ids: &[String]) -> Result<Vec<(String, i64)>> {
    by_report_id(c, "SELECT report_id, id FROM check_reports", ids).await
}

/// `select` (two columns, the first `report_id`) `WHERE report_id IN (ids)`, in chunks.
async fn by_report_id<T>(c: &mut Conn, select: &str, ids: &[String]) -> Result<Vec<(String, T)>>
where
    T: Send + Unpin + for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    let mut out = Vec::new();
    for chunk in ids.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "{select} WHERE report_id IN ({})",
            placeholders(c, 1, chunk.len())
        );
        let mut q = sqlx::query_as(&sql);
        for id in chunk {
            q = q.bind(id.clone());
        }
        out.extend(q.fetch_all(&mut *c).await?);
    }
    Ok(out)
}

/// Sets the chain state of a stored report (a late predecessor decides a `gap`).
pub async fn set_chain(c: &mut Conn, report_id: &str, chain: &str) -> Result<()> {
    sqlx::query("UPDATE field_reports SET chain = $1 WHERE report_id = $2")
        .bind(chain)
        .bind(report_id)
        .execute(c)
        .await?;
    Ok(())
}

/// Columns of `field_reports` in the order [`insert_rows`] takes them.
pub const FIELD_REPORT_COLUMNS: &[&str] = &[
    "report_id",
    "device_id",
    "officer_id",
    "office_id",
    "seq",
    "hash",
    "prev",
    "chain",
    "device_time",
    "gnss_time",
    "outcome_code",
    "doc_hash",
    "permit_id",
    "cose",
    "received_at",
];

/// Columns of `check_reports` written for a check derived from a signed report.
pub const CHECK_COLUMNS: &[&str] = &[
    "at",
    "officer_id",
    "device_id",
    "office_id",
    "permit_id",
    "foreigner_id",
    "verdict",
    "outcome",
    "written_order_id",
    "caught_in_act",
    "lat",
    "lng",
    "region_code",
    "notes",
    "details",
    "report_id",
];

/// Columns of `alerts` in the order [`NewAlert::row`] gives them.
pub const ALERT_COLUMNS: &[&str] = &[
    "kind",
    "office_id",
    "permit_id",
    "foreigner_id",
    "check_id",
    "device_id",
    "officer_id",
    "report_id",
    "reason",
    "details",
    "state",
    "created_at",
];

/// Number of stored signed reports (all devices).
pub async fn count_reports(c: &mut Conn) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM field_reports")
        .fetch_one(c)
        .await?)
}

/// Written orders by number (id, number, office, area, first day, last day).
pub async fn orders_by_number(
    c: &mut Conn,
    numbers: &[String],
) -> Result<Vec<crate::repo::WrittenOrder>> {
    if numbers.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {} FROM written_orders WHERE number IN ({})",
        crate::repo::WRITTEN_ORDER_COLUMNS,
        placeholders(c, 1, numbers.len())
    );
    let mut q = sqlx::query_as(&sql);
    for n in numbers {
        q = q.bind(n.clone());
    }
    Ok(q.fetch_all(c).await?)
}

/// What the alert engine needs of a permit and its holder.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct PermitFacts {
    /// Permit id.
    pub id: i64,
    /// Permit number.
    pub number: String,
    /// Holder.
    pub foreigner_id: i64,
    /// Holder's NIORA.
    pub niora: String,
    /// Status.
    pub status: String,
    /// Last day.
    pub valid_until: String,
    /// Issuing office.
    pub issuing_office_id: i64,
    /// Sponsor's name.
    pub sponsor_name: Option<String>,
    /// Employer's name.
    pub employer_name: Option<String>,
    /// Whether a later permit continues this one (extension or conversion filed).
    pub has_successor: i64,
    /// Current declared address: region code.
    pub address_region: Option<String>,
    /// Current declared address: latitude.
    pub address_lat: Option<f64>,
    /// Current declared address: longitude.
    pub address_lng: Option<f64>,
}

const PERMIT_FACTS: &str = "SELECT p.id, p.number, p.foreigner_id, f.niora, p.status, p.valid_until, p.issuing_office_id, \
     s.name AS sponsor_name, e.name AS employer_name, \
     CASE WHEN EXISTS (SELECT 1 FROM permits q WHERE q.previous_permit_id = p.id) THEN 1 ELSE 0 END AS has_successor, \
     a.region_code AS address_region, a.lat AS address_lat, a.lng AS address_lng \
     FROM permits p JOIN foreigners f ON f.id = p.foreigner_id \
     LEFT JOIN sponsors s ON s.id = p.sponsor_id LEFT JOIN employers e ON e.id = p.employer_id \
     LEFT JOIN addresses a ON a.id = (SELECT MAX(a2.id) FROM addresses a2 WHERE a2.foreigner_id = p.foreigner_id AND a2.valid_until IS NULL)";

/// Facts of the permits with these numbers.
pub async fn permit_facts_by_number(c: &mut Conn, numbers: &[String]) -> Result<Vec<PermitFacts>> {
    let mut out = Vec::new();
    for chunk in numbers.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "{PERMIT_FACTS} WHERE p.number IN ({})",
            placeholders(c, 1, chunk.len())
        );
        let mut q = sqlx::query_as(&sql);
        for n in chunk {
            q = q.bind(n.clone());
        }
        out.extend(q.fetch_all(&mut *c).await?);
    }
    Ok(out)
}

/// Facts of the permits with these ids.
pub async fn permit_facts_by_id(c: &mut Conn, ids: &[i64]) -> Result<Vec<PermitFacts>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "{PERMIT_FACTS} WHERE p.id IN ({})",
            placeholders(c, 1, chunk.len())
        );
        let mut q = sqlx::query_as(&sql);
        for n in chunk {
            q = q.bind(*n);
        }
        out.extend(q.fetch_all(&mut *c).await?);
    }
    Ok(out)
}

/// A stored signed report, as listed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct FieldReportRow {
    /// Report id, hex.
    pub report_id: String,
    /// Device.
    pub device_id: i64,
    /// Officer.
    pub officer_id: i64,
    /// Office.
    pub office_id: i64,
    /// Sequence number.
    pub seq: i64,
    /// Hash of the COSE bytes.
    pub hash: String,
    /// Chain state.
    pub chain: String,
    /// Device time.
    pub device_time: i64,
    /// Verification outcome code on the device.
    pub outcome_code: String,
    /// Permit linked.
    pub permit_id: Option<i64>,
    /// Foreigner of the permit linked.
    pub foreigner_id: Option<i64>,
    /// When received.
    pub received_at: i64,
}

/// A stored report by id (hex).
pub async fn field_report(c: &mut Conn, report_id: &str) -> Result<Option<FieldReportRow>> {
    Ok(sqlx::query_as(
        "SELECT r.report_id, r.device_id, r.officer_id, r.office_id, r.seq, r.hash, r.chain, r.device_time, \
         r.outcome_code, r.permit_id, p.foreigner_id, r.received_at FROM field_reports r \
         LEFT JOIN permits p ON p.id = r.permit_id WHERE r.report_id = $1",
    )
    .bind(report_id)
    .fetch_optional(c)
    .await?)
}

// ---------------------------------------------------------------------------------------------
// Alerts

/// The states of an alert, in workflow order.
pub const ALERT_STATES: &[&str] = &["open", "investigating", "bap", "closed"];

/// Whether an alert may move from `from` to `to`: forward one step (open → investigating → bap →
/// closed), or straight to `closed` (dismissed) from `open` or `investigating`.
pub fn alert_transition_allowed(from: &str, to: &str) -> bool {
    matches!(
        (from, to),
        ("open", "investigating")
            | ("investigating", "bap")
            | ("bap", "closed")
            | ("open", "closed")
            | ("investigating", "closed")
    )
}

/// An alert to raise.
#[derive(Clone, Debug, PartialEq)]
pub struct NewAlert {
    /// Kind (see the CHECK constraint in migration 0004).
    pub kind: String,
    /// Office that must act.
    pub office_id: i64,
    /// Permit.
    pub permit_id: Option<i64>,
    /// Person.
    pub foreigner_id: Option<i64>,
    /// Check.
    pub check_id: Option<i64>,
    /// Device.
    pub device_id: Option<i64>,
    /// Officer concerned (officer anomalies, device chains).
    pub officer_id: Option<i64>,
    /// Signed report, hex id.
    pub report_id: Option<String>,
    /// One sentence saying why.
    pub reason: String,
    /// The evidence, JSON.
    pub details: serde_json::Value,
    /// When raised.
    pub at: i64,
}

impl NewAlert {
    /// The row for [`insert_rows`] with [`ALERT_COLUMNS`].
    pub fn row(&self) -> Vec<Val> {
        vec![
            Val::T(Some(self.kind.clone())),
            Val::I(Some(self.office_id)),
            Val::I(self.permit_id),
            Val::I(self.foreigner_id),
            Val::I(self.check_id),
            Val::I(self.device_id),
            Val::I(self.officer_id),
            Val::T(self.report_id.clone()),
            Val::T(Some(self.reason.clone())),
            Val::T(Some(self.details.to_string())),
            Val::T(Some("open".into())),
            Val::I(Some(self.at)),
        ]
    }
}

/// Raises one alert; returns its id.
pub async fn insert_alert(c: &mut Conn, a: &NewAlert) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO alerts (kind, office_id, permit_id, foreigner_id, check_id, device_id, officer_id, report_id, \
         reason, details, state, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', $11) RETURNING id",
    )
    .bind(&a.kind)
    .bind(a.office_id)
    .bind(a.permit_id)
    .bind(a.foreigner_id)
    .bind(a.check_id)
    .bind(a.device_id)
    .bind(a.officer_id)
    .bind(&a.report_id)
    .bind(&a.reason)
    .bind(a.details.to_string())
    .bind(a.at)
    .fetch_one(c)
    .await?)
}

/// An alert as listed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct AlertRow {
    /// Row id.
    pub id: i64,
    /// NIORA of the person concerned (joined).
    pub niora: Option<String>,
    /// Kind.
    pub kind: String,
    /// `open`, `investigating`, `bap`, `closed`.
    pub state: String,
    /// Why it was raised.
    pub reason: String,
    /// Office.
    pub office_id: i64,
    /// Permit.
    pub permit_id: Option<i64>,
    /// Person.
    pub foreigner_id: Option<i64>,
    /// Check.
    pub check_id: Option<i64>,
    /// Device.
    pub device_id: Option<i64>,
    /// Officer concerned.
    pub officer_id: Option<i64>,
    /// Signed report, hex id.
    pub report_id: Option<String>,
    /// When raised.
    pub created_at: i64,
    /// Last change of state.
    pub updated_at: Option<i64>,
    /// When closed.
    pub resolved_at: Option<i64>,
    /// The evidence (JSON text).
    pub details: String,
}

const ALERT_SELECT: &str = "SELECT a.id, f.niora, a.kind, a.state, a.reason, a.office_id, a.permit_id, a.foreigner_id, \
     a.check_id, a.device_id, a.officer_id, a.report_id, a.created_at, a.updated_at, a.resolved_at, a.details \
     FROM alerts a LEFT JOIN foreigners f ON f.id = a.foreigner_id";

/// Filters of the alert list.
#[derive(Clone, Debug, Default)]
pub struct AlertFilter {
    /// Office scope (None = all).
    pub office_id: Option<i64>,
    /// One state; None = every state but `closed`.
    pub state: Option<String>,
    /// One kind.
    pub kind: Option<String>,
    /// One person.
    pub foreigner_id: Option<i64>,
    /// One device.
    pub device_id: Option<i64>,
    /// Raised at or after (unix seconds).
    pub since: Option<i64>,
}

/// Alerts matching `f`, newest first.
pub async fn alerts(
    c: &mut Conn,
    f: &AlertFilter,
    page: crate::model::Page,
) -> Result<Vec<AlertRow>> {
    let sql = format!(
        "{ALERT_SELECT} WHERE ($1 IS NULL OR a.office_id = $1) \
         AND (($2 IS NULL AND a.state <> 'closed') OR a.state = $2) AND ($3 IS NULL OR a.kind = $3) \
         AND ($4 IS NULL OR a.foreigner_id = $4) AND ($5 IS NULL OR a.device_id = $5) \
         AND ($6 IS NULL OR a.created_at >= $6) ORDER BY a.id DESC LIMIT $7 OFFSET $8"
    );
    Ok(sqlx::query_as(&sql)
        .bind(f.office_id)
        .bind(f.state.clone())
        .bind(f.kind.clone())
        .bind(f.foreigner_id)
        .bind(f.device_id)
        .bind(f.since)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(c)
        .await?)
}

/// One alert.
pub async fn alert(c: &mut Conn, id: i64) -> Result<AlertRow> {
    sqlx::query_as(&format!("{ALERT_SELECT} WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(c)
        .await?
        .ok_or(StoreError::NotFound { entity: "alert" })
}

/// A change of an alert's state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct AlertEvent {
    /// From.
    pub from_state: String,
    /// To.
    pub to_state: String,
    /// Who.
    pub actor_id: i64,
    /// Their username.
    pub actor: String,
    /// When.
    pub at: i64,
    /// Why.
    pub note: String,
}

/// Moves an alert to `to`, recording who, when and why; refuses transitions the workflow does not
/// allow ([`alert_transition_allowed`]).
pub async fn transition_alert(
    c: &mut Conn,
    id: i64,
    to: &str,
    actor_id: i64,
    note: &str,
    at: i64,
) -> Result<AlertRow> {
    let a = alert(c, id).await?;
    if !alert_transition_allowed(&a.state, to) {
        return Err(StoreError::Conflict(format!(
            "an alert in state {} cannot move to {to}",
            a.state
        )));
    }
    let changed = sqlx::query(
        "UPDATE alerts SET state = $1, updated_at = $2, \
         resolved_at = CASE WHEN $1 = 'closed' THEN $2 ELSE resolved_at END WHERE id = $3 AND state = $4",
    )
    .bind(to)
    .bind(at)
    .bind(id)
    .bind(&a.state)
    .execute(&mut *c)
    .await?
    .rows_affected();
    if changed != 1 {
        return Err(StoreError::Conflict("the alert changed meanwhile".into()));
    }
    sqlx::query(
        "INSERT INTO alert_events (alert_id, from_state, to_state, actor_id, at, note) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(&a.state)
    .bind(to)
    .bind(actor_id)
    .bind(at)
    .bind(note)
    .execute(&mut *c)
    .await?;
    alert(c, id).await
}

/// An alert's history, oldest first.
pub async fn alert_events(c: &mut Conn, id: i64) -> Result<Vec<AlertEvent>> {
    Ok(sqlx::query_as(
        "SELECT e.from_state, e.to_state, e.actor_id, u.username AS actor, e.at, e.note FROM alert_events e \
         JOIN users u ON u.id = e.actor_id WHERE e.alert_id = $1 ORDER BY e.id",
    )
    .bind(id)
    .fetch_all(c)
    .await?)
}

/// Officer anomalies from the audit log ([`crate::privacy::anomalies`], field officers only) raised
/// as alerts, once per (officer, person) while an alert of the kind is not closed; returns how many
/// were raised.
///
/// * `repeated_lookup`: a field officer looked one person up `repeat` times or more since `since`.
/// * `lookup_without_scan`: a field officer looked a person up between `now` − 2 days and `now` − 1
///   day (a day's grace for reports synced late) and recorded no check of that person within
///   [`crate::privacy::SCAN_WINDOW_SECS`] of it.
pub async fn raise_officer_anomalies(
    c: &mut Conn,
    since: i64,
    now: i64,
    repeat: i64,
) -> Result<u64> {
    use crate::privacy::{anomalies, AnomalyQuery, CHECK_WITHOUT_REPORT, REPEATED_READS};
    let field = |from, to, kind| AnomalyQuery {
        from,
        to,
        office: None,
        role: Some("field_officer"),
        min_repeats: repeat,
        kind: Some(kind),
    };
    let mut found = anomalies(c, &field(since, now + 1, REPEATED_READS)).await?;
    if since <= now {
        found
            .extend(anomalies(c, &field(now - 172_800, now - 86_400, CHECK_WITHOUT_REPORT)).await?);
    }
    let mut raised = 0;
    for a in found {
        let Some(officer) = a.actor_id else { continue };
        let (kind, reason, details) = if a.kind == REPEATED_READS {
            (
                "repeated_lookup",
                format!("looked up the same person {} times", a.reads),
                serde_json::json!({ "lookups": a.reads, "since": since }),
            )
        } else {
            (
                "lookup_without_scan",
                "looked up a person without checking them (no scan within an hour)".to_owned(),
                serde_json::json!({ "first_lookup_at": a.first_at, "lookups": a.reads }),
            )
        };
        raised += sqlx::query(
            "INSERT INTO alerts (kind, office_id, foreigner_id, officer_id, reason, details, state, created_at) \
             SELECT $1, u.office_id, f.id, u.id, $2, $3, 'open', $4 FROM users u JOIN foreigners f ON f.niora = $5 \
             WHERE u.id = $6 AND u.office_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM alerts x \
                 WHERE x.kind = $1 AND x.officer_id = u.id AND x.foreigner_id = f.id AND x.state <> 'closed')",
        )
        .bind(kind)
        .bind(reason)
        .bind(details.to_string())
        .bind(now)
        .bind(&a.subject_id)
        .bind(officer)
        .execute(&mut *c)
        .await?
        .rows_affected();
    }
    Ok(raised)
}

// ---------------------------------------------------------------------------------------------
// Corrections

/// A correction (pendataan ulang) as listed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct Correction {
    /// Row id.
    pub id: i64,
    /// The person's NIORA.
    pub niora: String,
    /// Person.
    pub foreigner_id: i64,
    /// The signed report it is attached to, hex.
    pub report_id: Option<String>,
    /// Field: `address`, `employer`, `occupation`, `phone`, `civil_status`.
    pub field: String,
    /// The value on record when it was made.
    pub old_value: Option<String>,
    /// The value found (JSON object for an address).
    pub new_value: String,
    /// Officer who recorded it.
    pub officer_id: i64,
    /// `pending`, `accepted`, `rejected`.
    pub state: String,
    /// When recorded.
    pub created_at: i64,
    /// Who decided.
    pub decided_by: Option<i64>,
    /// When.
    pub decided_at: Option<i64>,
    /// Why.
    pub decision_note: Option<String>,
}

const CORRECTION_SELECT: &str =
    "SELECT k.id, f.niora, k.foreigner_id, k.report_id, k.field, k.old_value, k.new_value, \
     k.officer_id, k.state, k.created_at, k.decided_by, k.decided_at, k.decision_note \
     FROM corrections k JOIN foreigners f ON f.id = k.foreigner_id";

/// Records a correction attached to a signed report; returns the id.
#[allow(clippy::too_many_arguments)]
pub async fn insert_correction(
    c: &mut Conn,
    report_id: &str,
    foreigner_id: i64,
    field: &str,
    old_value: Option<&str>,
    new_value: &str,
    officer_id: i64,
    at: i64,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO corrections (report_id, foreigner_id, field, old_value, new_value, officer_id, state, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7) RETURNING id",
    )
    .bind(report_id)
    .bind(foreigner_id)
    .bind(field)
    .bind(old_value)
    .bind(new_value)
    .bind(officer_id)
    .bind(at)
    .fetch_one(c)
    .await?)
}

/// Corrections of an office's people (or all) in a state (None = all), of one person when
/// `foreigner_id` is given, newest first.
pub async fn corrections(
    c: &mut Conn,
    office_id: Option<i64>,
    state: Option<&str>,
    foreigner_id: Option<i64>,
    page: crate::model::Page,
) -> Result<Vec<Correction>> {
    Ok(sqlx::query_as(&format!(
        "{CORRECTION_SELECT} WHERE ($1 IS NULL OR f.office_id = $1) AND ($2 IS NULL OR k.state = $2) \
         AND ($5 IS NULL OR k.foreigner_id = $5) ORDER BY k.id DESC LIMIT $3 OFFSET $4"
    ))
    .bind(office_id)
    .bind(state)
    .bind(page.limit)
    .bind(page.offset)
    .bind(foreigner_id)
    .fetch_all(c)
    .await?)
}

/// One correction, with the person's office.
pub async fn correction(c: &mut Conn, id: i64) -> Result<(Correction, i64)> {
    let k: Correction = sqlx::query_as(&format!("{CORRECTION_SELECT} WHERE k.id = $1"))
        .bind(id)
        .fetch_optional(&mut *c)
        .await?
        .ok_or(StoreError::NotFound {
            entity: "correction",
        })?;
    let office: i64 = sqlx::query_scalar("SELECT office_id FROM foreigners WHERE id = $1")
        .bind(k.foreigner_id)
        .fetch_one(c)
        .await?;
    Ok((k, office))
}

/// Records the decision on a pending correction (`accepted` / `rejected`).
pub async fn decide_correction(
    c: &mut Conn,
    id: i64,
    state: &str,
    by: i64,
    note: &str,
    at: i64,
) -> Result<()> {
    let n = sqlx::query(
        "UPDATE corrections SET state = $1, decided_by = $2, decided_at = $3, decision_note = $4 \
         WHERE id = $5 AND state = 'pending'",
    )
    .bind(state)
    .bind(by)
    .bind(at)
    .bind(note)
    .bind(id)
    .execute(c)
    .await?
    .rows_affected();
    if n != 1 {
        return Err(StoreError::Conflict(
            "the correction was already decided".into(),
        ));
    }
    Ok(())
}

/// Sets a person's occupation, phone or civil status (the columns a correction may change).
pub async fn set_person_fact(
    c: &mut Conn,
    foreigner_id: i64,
    field: &str,
    value: &str,
) -> Result<()> {
    let column = match field {
        "occupation" => "occupation",
        "phone" => "phone",
        "civil_status" => "civil_status",
        _ => {
            return Err(StoreError::Invalid {
                field: "field",
                reason: "not a person fact".into(),
            })
        }
    };
    sqlx::query(&format!(
        "UPDATE foreigners SET {column} = $1 WHERE id = $2"
    ))
    .bind(value)
    .bind(foreigner_id)
    .execute(c)
    .await?;
    Ok(())
}

/// A person's current occupation, phone and civil status.
pub async fn person_facts(
    c: &mut Conn,
    foreigner_id: i64,
) -> Result<(Option<String>, Option<String>, Option<String>)> {
    Ok(
        sqlx::query_as("SELECT occupation, phone, civil_status FROM foreigners WHERE id = $1")
            .bind(foreigner_id)
            .fetch_one(c)
            .await?,
    )
}

/// Points the person's active permits at an employer.
pub async fn set_employer(
    c: &mut Conn,
    foreigner_id: i64,
    employer_id: i64,
    at: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE permits SET employer_id = $1, updated_at = $2 WHERE foreigner_id = $3 AND status = 'active'",
    )
    .bind(employer_id)
    .bind(at)
    .bind(foreigner_id)
    .execute(c)
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Movements

/// One entry of a person's movement timeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Movement {
    /// `check`, `stay_report`, `address`.
    pub kind: String,
    /// When (unix seconds; a date's 00:00 UTC for stay reports and addresses).
    pub at: i64,
    /// Latitude.
    pub lat: Option<f64>,
    /// Longitude.
    pub lng: Option<f64>,
    /// Desa/kelurahan code.
    pub region_code: Option<String>,
    /// What happened (verdict code, reporter, address line).
    pub detail: String,
    /// Row id in its table.
    pub ref_id: i64,
    /// A check's outcome: `ok`, `incomplete`, `finding`, `not_found`, `forged`.
    pub outcome: Option<String>,
    /// Who: the checking officer's user name, or a stay report's reporter kind (`hotel`, `kost`,
    /// `landlord`, `self`), or an address's source (`declared`, `field_check`, …).
    pub by: Option<String>,
    /// A check's written order number (None when checked without one, caught in the act).
    pub order_number: Option<String>,
    /// Until: a stay report's check-out date, or the date an address stopped being current.
    pub until: Option<String>,
}

/// id, at, lat, lng, region code, verdict, outcome, officer, order number.
type CheckRow = (
    i64,
    i64,
    Option<f64>,
    Option<f64>,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
);
/// id, date, text, region code, lat, lng, who, until.
type DatedRow = (
    i64,
    String,
    String,
    String,
    Option<f64>,
    Option<f64>,
    String,
    Option<String>,
);

fn day_start(d: &str) -> i64 {
    Date::parse("date", d)
        .map(|d| d.days() * 86_400)
        .unwrap_or(0)
}

/// A person's checks, stay reports and addresses, oldest first.
pub async fn movements(c: &mut Conn, foreigner_id: i64) -> Result<Vec<Movement>> {
    let mut out = Vec::new();
    let checks: Vec<CheckRow> = sqlx::query_as(
        "SELECT k.id, k.at, k.lat, k.lng, k.region_code, k.verdict, k.outcome, u.username, o.number \
         FROM check_reports k JOIN users u ON u.id = k.officer_id \
         LEFT JOIN written_orders o ON o.id = k.written_order_id WHERE k.foreigner_id = $1",
    )
    .bind(foreigner_id)
    .fetch_all(&mut *c)
    .await?;
    for (id, at, lat, lng, region_code, verdict, outcome, officer, order) in checks {
        out.push(Movement {
            kind: "check".into(),
            at,
            lat,
            lng,
            region_code,
            detail: verdict,
            ref_id: id,
            outcome: Some(outcome),
            by: Some(officer),
            order_number: order,
            until: None,
        });
    }
    let stays: Vec<DatedRow> = sqlx::query_as(
        "SELECT id, check_in, reporter_name, region_code, lat, lng, reporter_kind, check_out \
         FROM stay_reports WHERE foreigner_id = $1",
    )
    .bind(foreigner_id)
    .fetch_all(&mut *c)
    .await?;
    for (id, check_in, name, region_code, lat, lng, kind, check_out) in stays {
        out.push(Movement {
            kind: "stay_report".into(),
            at: day_start(&check_in),
            lat,
            lng,
            region_code: Some(region_code),
            detail: name,
            ref_id: id,
            outcome: None,
            by: Some(kind),
            order_number: None,
            until: check_out,
        });
    }
    let addresses: Vec<DatedRow> = sqlx::query_as(
        "SELECT id, valid_from, line, region_code, lat, lng, source, valid_until \
         FROM addresses WHERE foreigner_id = $1",
    )
    .bind(foreigner_id)
    .fetch_all(&mut *c)
    .await?;
    for (id, from, line, region_code, lat, lng, source, valid_until) in addresses {
        out.push(Movement {
            kind: "address".into(),
            at: day_start(&from),
            lat,
            lng,
            region_code: Some(region_code),
            detail: line,
            ref_id: id,
            outcome: None,
            by: Some(source),
            order_number: None,
            until: valid_until,
        });
    }
    out.sort_by(|a, b| (a.at, &a.kind, a.ref_id).cmp(&(b.at, &b.kind, b.ref_id)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_alert_workflow_moves_forward_or_closes() {
        assert!(alert_transition_allowed("open", "investigating"));
        assert!(alert_transition_allowed("investigating", "bap"));
        assert!(alert_transition_allowed("bap", "closed"));
        assert!(alert_transition_allowed("open", "closed"));
        assert!(!alert_transition_allowed("closed", "open"));
        assert!(!alert_transition_allowed("bap", "investigating"));
        assert!(!alert_transition_allowed("open", "bap"));
        assert!(!alert_transition_allowed("open", "open"));
    }

    #[test]
    fn placeholders_count_from_the_first() {
        assert_eq!(numbered(true, 2, 3), "$2, $3, $4");
        assert_eq!(numbered(false, 2, 3), "?, ?, ?");
    }
}
