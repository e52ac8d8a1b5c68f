//! The person's rights and the office's accountability, in the store: everything held about one
//! person (for the export), correction requests filed by the person, reads with nothing behind them
//! (anomalies for supervisors), and a streaming read of the audit log over a period (breach notices).

use serde::{Deserialize, Serialize};
use sqlx::{FromRow, Row};

use crate::audit::Entry;
use crate::db::Conn;
use crate::model::{Date, Nationality, Page, Sex};
use crate::repo::CheckReport;
use crate::{Result, Store, StoreError};

fn invalid(field: &'static str, reason: impl Into<String>) -> StoreError {
    StoreError::Invalid {
        field,
        reason: reason.into(),
    }
}

// ---------------------------------------------------------------------------------------------
// What is held about one person

/// A stay report as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct StayReport {
    /// Row id.
    pub id: i64,
    /// `hotel`, `kost`, `landlord`, `self`.
    pub reporter_kind: String,
    /// Who reported.
    pub reporter_name: String,
    /// Check-in date.
    pub check_in: String,
    /// Check-out date.
    pub check_out: Option<String>,
    /// Desa/kelurahan code.
    pub region_code: String,
    /// Latitude.
    pub lat: Option<f64>,
    /// Longitude.
    pub lng: Option<f64>,
    /// When recorded (unix seconds).
    pub created_at: i64,
}

/// Stay reports about a person, newest first.
pub async fn stay_reports_of(c: &mut Conn, foreigner_id: i64) -> Result<Vec<StayReport>> {
    Ok(sqlx::query_as(
        "SELECT id, reporter_kind, reporter_name, check_in, check_out, region_code, lat, lng, created_at \
         FROM stay_reports WHERE foreigner_id = $1 ORDER BY created_at DESC, id DESC",
    )
    .bind(foreigner_id)
    .fetch_all(c)
    .await?)
}

/// Field checks of a person, newest first.
pub async fn checks_of(c: &mut Conn, foreigner_id: i64) -> Result<Vec<CheckReport>> {
    Ok(sqlx::query_as(
        "SELECT k.id, f.niora, k.at, k.officer_id, k.device_id, k.office_id, k.permit_id, k.foreigner_id, k.verdict, \
         k.outcome, k.written_order_id, k.caught_in_act, k.lat, k.lng, k.region_code, k.notes, k.details \
         FROM check_reports k LEFT JOIN foreigners f ON f.id = k.foreigner_id WHERE k.foreigner_id = $1 \
         ORDER BY k.at DESC, k.id DESC",
    )
    .bind(foreigner_id)
    .fetch_all(c)
    .await?)
}

/// A correction recorded by an officer (table `corrections`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromRow)]
pub struct OfficerCorrection {
    /// Row id.
    pub id: i64,
    /// The check during which it was recorded.
    pub check_id: Option<i64>,
    /// Field.
    pub field: String,
    /// Value before.
    pub old_value: Option<String>,
    /// Value recorded.
    pub new_value: String,
    /// `pending`, `accepted`, `rejected`.
    pub state: String,
    /// When.
    pub created_at: i64,
}

/// Officers' corrections of a person's data, newest first.
pub async fn corrections_of(c: &mut Conn, foreigner_id: i64) -> Result<Vec<OfficerCorrection>> {
    Ok(sqlx::query_as(
        "SELECT id, check_id, field, old_value, new_value, state, created_at FROM corrections \
         WHERE foreigner_id = $1 ORDER BY created_at DESC, id DESC",
    )
    .bind(foreigner_id)
    .fetch_all(c)
    .await?)
}

/// Every audit entry about a subject, newest first (for the export: no paging limit).
pub async fn audit_all_for_subject(store: &Store, kind: &str, id: &str) -> Result<Vec<Entry>> {
    let mut out = Vec::new();
    loop {
        let page = Page {
            limit: 500,
            offset: out.len() as i64,
        };
        let batch = store.audit_for_subject(kind, id, page).await?;
        let done = (batch.len() as i64) < page.limit;
        out.extend(batch);
        if done {
            return Ok(out);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Correction requests filed by the person

/// A field of the person's record that they may ask to correct.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CorrectableField {
    /// Full name (UTF-8).
    FullName,
    /// MRZ-style transliteration.
    MrzName,
    /// Place of birth.
    BirthPlace,
    /// Date of birth.
    BirthDate,
    /// Sex as on the passport.
    Sex,
    /// Nationality (ISO 3166-1 alpha-3).
    Nationality,
    /// Occupation / job title.
    Occupation,
}

impl CorrectableField {
    /// Every field.
    pub const ALL: &'static [CorrectableField] = &[
        CorrectableField::FullName,
        CorrectableField::MrzName,
        CorrectableField::BirthPlace,
        CorrectableField::BirthDate,
        CorrectableField::Sex,
        CorrectableField::Nationality,
        CorrectableField::Occupation,
    ];

    /// The name in the API, and the column of `foreigners`.
    pub fn as_str(self) -> &'static str {
        match self {
            CorrectableField::FullName => "full_name",
            CorrectableField::MrzName => "mrz_name",
            CorrectableField::BirthPlace => "birth_place",
            CorrectableField::BirthDate => "birth_date",
            CorrectableField::Sex => "sex",
            CorrectableField::Nationality => "nationality",
            CorrectableField::Occupation => "occupation",
        }
    }

    /// Parses the API name; `field` names the request field in the error.
    pub fn parse(field: &'static str, s: &str) -> Result<Self> {
        CorrectableField::ALL
            .iter()
            .copied()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = CorrectableField::ALL.iter().map(|f| f.as_str()).collect();
                invalid(
                    field,
                    format!(
                        "{s:?} cannot be corrected this way; one of {}",
                        names.join(", ")
                    ),
                )
            })
    }

    /// Checks and normalises a requested value for this field (`field` names it in the error).
    pub fn value(self, field: &'static str, v: &str) -> Result<String> {
        let v = v.trim();
        match self {
            CorrectableField::BirthDate => Ok(Date::parse(field, v)?.to_string()),
            CorrectableField::Sex => Ok(Sex::parse(field, v)?.as_str().to_owned()),
            CorrectableField::Nationality => Ok(Nationality::parse(field, v)?.as_str().to_owned()),
            CorrectableField::MrzName
                if !v
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b == b' ' || b == b'<') =>
            {
                Err(invalid(field, "an MRZ name holds only A-Z, space and <"))
            }
            _ if v.is_empty() || v.chars().count() > 100 || v.chars().any(char::is_control) => {
                Err(invalid(field, "want 1 to 100 printable characters"))
            }
            _ => Ok(v.to_owned()),
        }
    }
}

/// A correction request as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromRow)]
pub struct CorrectionRequest {
    /// Row id.
    pub id: i64,
    /// The person.
    pub foreigner_id: i64,
    /// Their NIORA (joined).
    pub niora: String,
    /// Registering office of the person (joined; decides who answers).
    pub office_id: i64,
    /// The field.
    pub field: String,
    /// The value when the request was filed.
    pub current_value: Option<String>,
    /// The value asked for.
    pub requested_value: String,
    /// The person's reason.
    pub reason: String,
    /// `pending`, `accepted`, `rejected`.
    pub state: String,
    /// Filed (unix seconds).
    pub created_at: i64,
    /// Officer who answered.
    pub decided_by: Option<i64>,
    /// When answered.
    pub decided_at: Option<i64>,
    /// The officer's reason.
    pub decision_reason: Option<String>,
}

const SELECT_REQUEST: &str =
    "SELECT r.id, r.foreigner_id, f.niora, f.office_id, r.field, r.current_value, r.requested_value, r.reason, \
     r.state, r.created_at, r.decided_by, r.decided_at, r.decision_reason \
     FROM correction_requests r JOIN foreigners f ON f.id = r.foreigner_id";

/// The most pending requests one person may have open at once.
pub const MAX_PENDING: i64 = 10;

/// Files a request (the value must already be checked with [`CorrectableField::value`]).
pub async fn file_correction_request(
    c: &mut Conn,
    foreigner_id: i64,
    field: CorrectableField,
    requested: &str,
    reason: &str,
    at: i64,
) -> Result<CorrectionRequest> {
    let pending: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM correction_requests WHERE foreigner_id = $1 AND state = 'pending'",
    )
    .bind(foreigner_id)
    .fetch_one(&mut *c)
    .await?;
    if pending >= MAX_PENDING {
        return Err(StoreError::Conflict(format!(
            "{MAX_PENDING} requests are already waiting for an answer"
        )));
    }
    let current = current_value(c, foreigner_id, field).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO correction_requests (foreigner_id, field, current_value, requested_value, reason, state, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'pending', $6) RETURNING id",
    )
    .bind(foreigner_id)
    .bind(field.as_str())
    .bind(current)
    .bind(requested)
    .bind(reason)
    .bind(at)
    .fetch_one(&mut *c)
    .await?;
    correction_request(c, id).await
}

async fn current_value(
    c: &mut Conn,
    foreigner_id: i64,
    field: CorrectableField,
) -> Result<Option<String>> {
    // The column name comes from the closed enum, never from the request.
    let row = sqlx::query(&format!(
        "SELECT {} FROM foreigners WHERE id = $1",
        field.as_str()
    ))
    .bind(foreigner_id)
    .fetch_optional(&mut *c)
    .await?
    .ok_or(StoreError::NotFound { entity: "person" })?;
    Ok(row.try_get(0)?)
}

/// One request.
pub async fn correction_request(c: &mut Conn, id: i64) -> Result<CorrectionRequest> {
    sqlx::query_as(&format!("{SELECT_REQUEST} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(c)
        .await?
        .ok_or(StoreError::NotFound {
            entity: "correction request",
        })
}

/// A person's requests, newest first.
pub async fn correction_requests_of(
    c: &mut Conn,
    foreigner_id: i64,
) -> Result<Vec<CorrectionRequest>> {
    Ok(sqlx::query_as(&format!(
        "{SELECT_REQUEST} WHERE r.foreigner_id = $1 ORDER BY r.created_at DESC, r.id DESC"
    ))
    .bind(foreigner_id)
    .fetch_all(c)
    .await?)
}

/// Requests of persons registered at `office_id` (all offices when `None`), in `state` (all when
/// `None`), oldest first (the queue).
pub async fn correction_requests(
    c: &mut Conn,
    office_id: Option<i64>,
    state: Option<&str>,
    page: Page,
) -> Result<Vec<CorrectionRequest>> {
    Ok(sqlx::query_as(&format!(
        "{SELECT_REQUEST} WHERE ($1 IS NULL OR f.office_id = $1) AND ($2 IS NULL OR r.state = $2) \
         ORDER BY r.created_at, r.id LIMIT $3 OFFSET $4"
    ))
    .bind(office_id)
    .bind(state)
    .bind(page.limit)
    .bind(page.offset)
    .fetch_all(c)
    .await?)
}

/// Answers a pending request; an accepted one changes the person's record. Returns the request as
/// answered and the value the record held just before (for the audit entry).
pub async fn decide_correction_request(
    c: &mut Conn,
    id: i64,
    accept: bool,
    by: i64,
    reason: &str,
    at: i64,
) -> Result<(CorrectionRequest, Option<String>)> {
    let r = correction_request(c, id).await?;
    if r.state != "pending" {
        return Err(StoreError::Conflict(format!(
            "correction request {id} was already {}",
            r.state
        )));
    }
    let field = CorrectableField::parse("field", &r.field)?;
    let before = current_value(c, r.foreigner_id, field).await?;
    if accept {
        sqlx::query(&format!(
            "UPDATE foreigners SET {} = $1 WHERE id = $2",
            field.as_str()
        ))
        .bind(&r.requested_value)
        .bind(r.foreigner_id)
        .execute(&mut *c)
        .await?;
    }
    sqlx::query(
        "UPDATE correction_requests SET state = $1, decided_by = $2, decided_at = $3, decision_reason = $4 \
         WHERE id = $5 AND state = 'pending'",
    )
    .bind(if accept { "accepted" } else { "rejected" })
    .bind(by)
    .bind(at)
    .bind(reason)
    .bind(id)
    .execute(&mut *c)
    .await?;
    Ok((correction_request(c, id).await?, before))
}

// ---------------------------------------------------------------------------------------------
// Anomalies: reads with nothing behind them

/// A group of reads a supervisor should look at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anomaly {
    /// `check_without_report`: look-ups by a field officer, or for a field check, of a person whom
    /// the officer recorded no check of within [`SCAN_WINDOW_SECS`]; `repeated_reads`: one officer
    /// looked one person up at least the threshold number of times in the period.
    pub kind: String,
    /// The officer.
    pub actor_id: Option<i64>,
    /// Their login name (joined).
    pub actor_username: Option<String>,
    /// Role at the time.
    pub actor_role: String,
    /// Office at the time.
    pub actor_office: String,
    /// The person (NIORA).
    pub subject_id: String,
    /// Purposes given (distinct, comma-separated `kind:ref`).
    pub purposes: String,
    /// How many reads.
    pub reads: i64,
    /// First read (unix seconds).
    pub first_at: i64,
    /// Last read.
    pub last_at: i64,
}

/// The two kinds of [`Anomaly`].
pub const CHECK_WITHOUT_REPORT: &str = "check_without_report";
/// See [`Anomaly::kind`].
pub const REPEATED_READS: &str = "repeated_reads";

/// A look-up and a check of the same person by the same officer this close in time belong together.
pub const SCAN_WINDOW_SECS: i64 = 3600;

/// Officer roles whose reads are judged (the person's own reads and the system's are not).
const OFFICER_ROLES: &str =
    "('issuing_officer', 'field_officer', 'supervisor', 'admin', 'auditor')";

/// Audit actions that look one person up (listings, which show many at once, are not look-ups).
const LOOKUP_ACTIONS: &str = "('person.read', 'permit.read', 'permit.search', 'permit.history', \
    'permit.document', 'permit.export', 'person.export', 'person.movements', 'person.access_log')";

/// What [`anomalies`] looks at.
#[derive(Clone, Copy, Debug)]
pub struct AnomalyQuery<'a> {
    /// Reads from this instant (unix seconds, inclusive)…
    pub from: i64,
    /// … to this one (exclusive).
    pub to: i64,
    /// Officers of this office (every office when `None`).
    pub office: Option<&'a str>,
    /// Officers of this role (every officer role when `None`).
    pub role: Option<&'a str>,
    /// Look-ups of one person by one officer that make `repeated_reads`.
    pub min_repeats: i64,
    /// One kind only ([`CHECK_WITHOUT_REPORT`] or [`REPEATED_READS`]); both when `None`.
    pub kind: Option<&'a str>,
}

/// Look-ups of persons that look unjustified: the one definition behind the supervisors' list
/// (`GET /api/v1/audit/anomalies`) and the hourly alerts ([`crate::field::raise_officer_anomalies`]).
pub async fn anomalies(c: &mut Conn, q: &AnomalyQuery<'_>) -> Result<Vec<Anomaly>> {
    let mut out = Vec::new();
    let base = format!(
        "SELECT a.actor_id, u.username, a.actor_role, a.actor_office, a.subject_id, a.purpose_kind, a.purpose_ref, a.at \
         FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id \
         LEFT JOIN foreigners f ON f.niora = a.subject_id \
         WHERE a.subject_kind = 'person' AND a.at >= $1 AND a.at < $2 AND ($3 IS NULL OR a.actor_office = $3) \
         AND ($4 IS NULL OR a.actor_role = $4) AND a.actor_role IN {OFFICER_ROLES} AND a.action IN {LOOKUP_ACTIONS}"
    );
    // Each kind: its condition, with `$5` the scan window or the repeat threshold.
    let kinds = [
        (
            CHECK_WITHOUT_REPORT,
            "(a.purpose_kind = 'check' OR a.actor_role = 'field_officer') \
             AND NOT EXISTS (SELECT 1 FROM check_reports k WHERE k.officer_id = a.actor_id AND k.foreigner_id = f.id \
                 AND k.at >= a.at - $5 AND k.at <= a.at + $5)"
                .to_owned(),
            SCAN_WINDOW_SECS,
        ),
        (
            REPEATED_READS,
            format!(
                "(SELECT COUNT(*) FROM audit_log b WHERE b.actor_id = a.actor_id AND b.subject_kind = 'person' \
                  AND b.subject_id = a.subject_id AND b.action IN {LOOKUP_ACTIONS} AND b.at >= $1 AND b.at < $2) >= $5"
            ),
            q.min_repeats,
        ),
    ];
    for (kind, cond, fifth) in kinds {
        if q.kind.is_some_and(|k| k != kind) {
            continue;
        }
        let sql = format!("{base} AND {cond} ORDER BY a.actor_id, a.subject_id, a.seq");
        let rows = sqlx::query(&sql)
            .bind(q.from)
            .bind(q.to)
            .bind(q.office)
            .bind(q.role)
            .bind(fifth)
            .fetch_all(&mut *c)
            .await?;
        group(&mut out, kind, &rows)?;
    }
    Ok(out)
}

fn group(out: &mut Vec<Anomaly>, kind: &str, rows: &[sqlx::any::AnyRow]) -> Result<()> {
    for r in rows {
        let actor_id: Option<i64> = r.try_get(0)?;
        let subject: String = r.try_get(4)?;
        let purpose = format!(
            "{}:{}",
            r.try_get::<String, _>(5)?,
            r.try_get::<String, _>(6)?
        );
        let purpose = purpose.trim_end_matches(':').to_owned();
        let at: i64 = r.try_get(7)?;
        match out.last_mut() {
            Some(a) if a.kind == kind && a.actor_id == actor_id && a.subject_id == subject => {
                a.reads += 1;
                a.first_at = a.first_at.min(at);
                a.last_at = a.last_at.max(at);
                if !a.purposes.split(", ").any(|p| p == purpose) {
                    a.purposes.push_str(", ");
                    a.purposes.push_str(&purpose);
                }
            }
            _ => out.push(Anomaly {
                kind: kind.to_owned(),
                actor_id,
                actor_username: r.try_get(1)?,
                actor_role: r.try_get(2)?,
                actor_office: r.try_get(3)?,
                subject_id: subject,
                purposes: purpose,
                reads: 1,
                first_at: at,
                last_at: at,
            }),
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Breach readiness: who read what over a period

/// One audit entry as a breach notice lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRow {
    /// Chain position.
    pub seq: i64,
    /// When (unix seconds).
    pub at: i64,
    /// The user id.
    pub actor_id: Option<i64>,
    /// Their login name (joined; empty for the system or a removed user).
    pub actor_username: String,
    /// Role at the time.
    pub actor_role: String,
    /// Office at the time.
    pub actor_office: String,
    /// What was done.
    pub action: String,
    /// Kind of subject.
    pub subject_kind: String,
    /// The subject (NIORA for a person).
    pub subject_id: String,
    /// Purpose kind.
    pub purpose_kind: String,
    /// Purpose reference.
    pub purpose_ref: String,
}

/// Walks the audit entries with `from <= at < to`, in chain order, `page` rows per query (keyset
/// paging on `seq`, so memory stays flat on a large log), handing each to `sink`. Returns how many.
pub async fn audit_export<F>(
    store: &Store,
    from: i64,
    to: i64,
    page: i64,
    mut sink: F,
) -> Result<u64>
where
    F: FnMut(&AccessRow) -> std::io::Result<()>,
{
    let mut after = 0i64;
    let mut n = 0u64;
    loop {
        let rows = sqlx::query(
            "SELECT a.seq, a.at, a.actor_id, COALESCE(u.username, ''), a.actor_role, a.actor_office, a.action, \
             a.subject_kind, a.subject_id, a.purpose_kind, a.purpose_ref \
             FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id \
             WHERE a.seq > $1 AND a.at >= $2 AND a.at < $3 ORDER BY a.seq LIMIT $4",
        )
        .bind(after)
        .bind(from)
        .bind(to)
        .bind(page)
        .fetch_all(store.pool())
        .await?;
        if rows.is_empty() {
            return Ok(n);
        }
        for r in &rows {
            let row = AccessRow {
                seq: r.try_get(0)?,
                at: r.try_get(1)?,
                actor_id: r.try_get(2)?,
                actor_username: r.try_get(3)?,
                actor_role: r.try_get(4)?,
                actor_office: r.try_get(5)?,
                action: r.try_get(6)?,
                subject_kind: r.try_get(7)?,
                subject_id: r.try_get(8)?,
                purpose_kind: r.try_get(9)?,
                purpose_ref: r.try_get(10)?,
            };
            after = row.seq;
            sink(&row).map_err(|e| StoreError::AuditBatch(format!("export sink: {e}")))?;
            n += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn correctable_values_are_checked() {
        let f = |s| CorrectableField::parse("field", s).unwrap();
        assert_eq!(
            f("birth_date")
                .value("requested_value", " 1988-04-02 ")
                .unwrap(),
            "1988-04-02"
        );
        assert!(f("birth_date")
            .value("requested_value", "02-04-1988")
            .is_err());
        assert_eq!(f("sex").value("requested_value", "F").unwrap(), "F");
        assert!(f("sex").value("requested_value", "female").is_err());
        assert!(f("nationality").value("requested_value", "Japan").is_err());
        assert!(f("mrz_name").value("requested_value", "Sato").is_err());
        assert!(f("full_name").value("requested_value", "").is_err());
        assert!(f("full_name").value("requested_value", "a\u{7}b").is_err());
        assert_eq!(
            f("full_name")
                .value("requested_value", "Satō Hanako")
                .unwrap(),
            "Satō Hanako"
        );
        let e = CorrectableField::parse("field", "niora").unwrap_err();
        assert!(
            matches!(e, StoreError::Invalid { field: "field", .. }),
            "{e}"
        );
    }
}
