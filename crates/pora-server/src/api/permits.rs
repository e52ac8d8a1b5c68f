//! Permits: search and look-up (audited), issuance with a signed credential, and the lifecycle
//! (extend, convert ITAS→ITAP, cancel, suspend/resume, exit, deport, deceased), each kept in the
//! permit's history and in the audit log.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json};
use pora_store::audit::NewEntry;
use pora_store::model::{
    now_unix, Date, Nationality, PermitNumber, PermitStatus, PermitType, Purpose, PurposeKind,
};
use pora_store::repo::{self, NewPermit, Permit, PermitFilter};
use pora_store::Conn;
use rand_core::{OsRng, RngCore};
use serde::Deserialize;
use serde_json::json;

use super::{own_office, purpose, ApiJson, List};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Search query.
#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    /// Permit number, NIORA, passport number, or part of a name.
    pub q: Option<String>,
    /// Status.
    pub status: Option<String>,
    /// Alpha-3.
    pub nationality: Option<String>,
    /// Valid until on or before (expiring / overstaying).
    pub valid_until_before: Option<String>,
    /// Valid until on or after (with `valid_until_before`: an expiry window).
    pub valid_until_after: Option<String>,
    /// `ITAS` or `ITAP`.
    #[serde(rename = "type")]
    pub permit_type: Option<String>,
    /// Visa index code as issued.
    pub visa: Option<String>,
    /// Sponsor NIB or part of its name.
    pub sponsor: Option<String>,
    /// Region code prefix of the holder's current address (kecamatan `32.16.06`, desa `32.16.06.2002`).
    pub region: Option<String>,
    /// `newest` (default), `number`, `name`, `nationality`, `valid_until`, `status`; `-` in front reverses.
    pub sort: Option<String>,
    /// Page size (1..=100).
    pub limit: Option<i64>,
    /// Offset.
    pub offset: Option<i64>,
    /// Purpose when the header is not used.
    pub purpose: Option<String>,
}

fn opt_text(field: &'static str, v: &Option<String>, max: usize) -> ApiResult<Option<String>> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) if s.chars().count() > max => Err(ApiError::invalid(
            field,
            format!("at most {max} characters"),
        )),
        Some(s) => Ok(Some(s.to_owned())),
    }
}

impl SearchQuery {
    /// The store's filter for this query within the caller's office scope.
    pub fn filter(&self, p: &Principal) -> ApiResult<PermitFilter> {
        let region = opt_text("region", &self.region, 13)?;
        if let Some(r) = &region {
            let ok = r.split('.').enumerate().all(|(i, part)| {
                let want = if i == 3 { 4 } else { 2 };
                i < 4 && part.len() == want && part.bytes().all(|b| b.is_ascii_digit())
            });
            if !ok {
                return Err(ApiError::invalid(
                    "region",
                    "want a region code prefix such as 32.16.06 or 32.16.06.2002",
                ));
            }
        }
        let visa = opt_text("visa", &self.visa, 8)?;
        if visa
            .as_ref()
            .is_some_and(|v| !v.bytes().all(|b| b.is_ascii_alphanumeric()))
        {
            return Err(ApiError::invalid(
                "visa",
                "letters and digits only, e.g. E23",
            ));
        }
        let (sort, descending) = match self.sort.as_deref().map(str::trim) {
            None | Some("") => (repo::PermitSort::Newest, false),
            Some(s) => match s.strip_prefix('-') {
                Some(rest) => (repo::PermitSort::parse("sort", rest)?, true),
                None => (repo::PermitSort::parse("sort", s)?, false),
            },
        };
        Ok(PermitFilter {
            q: opt_text("q", &self.q, 100)?,
            status: self
                .status
                .as_deref()
                .filter(|s| !s.is_empty())
                .map(|s| PermitStatus::parse("status", s))
                .transpose()?,
            office_id: p.office_id,
            valid_until_before: super::opt_date(
                "valid_until_before",
                &self.valid_until_before.clone().filter(|s| !s.is_empty()),
            )?,
            valid_until_after: super::opt_date(
                "valid_until_after",
                &self.valid_until_after.clone().filter(|s| !s.is_empty()),
            )?,
            nationality: self
                .nationality
                .as_deref()
                .filter(|s| !s.is_empty())
                .map(|n| Nationality::parse("nationality", n))
                .transpose()?,
            permit_type: self
                .permit_type
                .as_deref()
                .filter(|s| !s.is_empty())
                .map(|t| PermitType::parse("type", t))
                .transpose()?,
            visa_code: visa,
            sponsor: opt_text("sponsor", &self.sponsor, 100)?,
            region_prefix: region,
            sort,
            descending,
        })
    }
}

/// `GET /api/v1/permits`: search within the caller's office scope; one audit entry per person shown.
pub async fn search(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Query(q): Query<SearchQuery>,
    headers: HeaderMap,
) -> ApiResult<Json<List<Permit>>> {
    let page = pora_store::model::Page::new(q.limit, q.offset)?;
    if page.limit > 100 {
        return Err(ApiError::invalid(
            "limit",
            "at most 100 for permit searches",
        ));
    }
    let filter = q.filter(&p)?;
    let purpose = purpose(&state, &p, &headers, q.purpose.as_deref()).await?;
    let mut c = state.store.conn().await?;
    let (rows, total) = repo::search_permits(&mut c, &filter, page).await?;
    drop(c);
    if !rows.is_empty() {
        let now = now_unix();
        let mut seen = std::collections::BTreeSet::new();
        let entries = rows
            .iter()
            .filter(|r| seen.insert(r.niora.as_str()))
            .map(|r| {
                let e = NewEntry {
                    actor: p.actor(),
                    action: "permit.search".into(),
                    subject_kind: "person".into(),
                    subject_id: r.niora.clone(),
                    purpose: purpose.clone(),
                    details: json!({ "permit": r.number, "q": filter.q }),
                };
                (e, now)
            })
            .collect();
        let mut tx = state.store.begin_audited().await?;
        tx.append_all(entries).await?;
        tx.commit().await?;
    }
    Ok(Json(List::new(rows, page, Some(total))))
}

/// `?purpose=`.
#[derive(Debug, Default, Deserialize)]
pub struct PurposeQuery {
    /// Purpose when the header is not used.
    pub purpose: Option<String>,
}

/// `GET /api/v1/permits/{number}` (audited).
pub async fn lookup(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(number): Path<String>,
    Query(q): Query<PurposeQuery>,
    headers: HeaderMap,
) -> ApiResult<Json<Permit>> {
    let number = PermitNumber::parse("number", &number)?;
    let purpose = purpose(&state, &p, &headers, q.purpose.as_deref()).await?;
    let mut c = state.store.conn().await?;
    let permit = repo::permit_by_number(&mut c, number.as_str()).await?;
    drop(c);
    p.require_scope(permit.issuing_office_id)?;
    state
        .store
        .audit_append(NewEntry {
            actor: p.actor(),
            action: "permit.read".into(),
            subject_kind: "person".into(),
            subject_id: permit.niora.clone(),
            purpose,
            details: json!({ "permit": permit.number }),
        })
        .await?;
    Ok(Json(permit))
}

/// `GET /api/v1/permits/{number}/history`.
pub async fn history(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(number): Path<String>,
    Query(q): Query<PurposeQuery>,
    headers: HeaderMap,
) -> ApiResult<Json<serde_json::Value>> {
    let number = PermitNumber::parse("number", &number)?;
    let purpose = purpose(&state, &p, &headers, q.purpose.as_deref()).await?;
    let mut c = state.store.conn().await?;
    let permit = repo::permit_by_number(&mut c, number.as_str()).await?;
    p.require_scope(permit.issuing_office_id)?;
    let events = repo::permit_events(&mut c, permit.id).await?;
    drop(c);
    state
        .store
        .audit_append(NewEntry {
            actor: p.actor(),
            action: "permit.history".into(),
            subject_kind: "person".into(),
            subject_id: permit.niora.clone(),
            purpose,
            details: json!({ "permit": permit.number }),
        })
        .await?;
    Ok(Json(json!({ "permit": permit.number, "events": events })))
}

/// `GET /api/v1/visa-index`: the versioned visa index reference table (no personal data).
pub async fn visa_index_table(State(state): State<AppState>) -> ApiResult<Json<serde_json::Value>> {
    let mut c = state.store.conn().await?;
    let items = repo::visa_index_table(&mut c).await?;
    Ok(Json(json!({ "items": items })))
}

/// Permit to issue.
#[derive(Debug, Deserialize)]
pub struct IssueBody {
    /// Holder.
    pub niora: String,
    /// Permit number (opaque, ≤ 20).
    pub number: String,
    /// ITAS / ITAP.
    pub permit_type: String,
    /// Visa index code as issued, e.g. E23.
    pub visa_code: String,
    /// Visa index table (default: the one in force on valid_from).
    pub visa_table: Option<String>,
    /// First day.
    pub valid_from: String,
    /// Last day.
    pub valid_until: String,
    /// Sponsor id.
    pub sponsor_id: Option<i64>,
    /// Employer id.
    pub employer_id: Option<i64>,
    /// Occupation.
    pub occupation: Option<String>,
    /// Port of entry.
    pub port_of_entry: Option<String>,
    /// Date of entry.
    pub entry_date: Option<String>,
    /// Task reference for the audit log.
    pub task: Option<String>,
}

/// `POST /api/v1/permits`: issues a permit in the caller's office and signs its credential.
pub async fn issue(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiJson(b): ApiJson<IssueBody>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let (office_id, office_code) = own_office(&p)?;
    let number = PermitNumber::parse("number", &b.number)?;
    let permit_type = PermitType::parse("permit_type", &b.permit_type)?;
    let valid_from = Date::parse("valid_from", &b.valid_from)?;
    let valid_until = Date::parse("valid_until", &b.valid_until)?;
    let entry_date = super::opt_date("entry_date", &b.entry_date)?;
    if valid_until < valid_from {
        return Err(ApiError::invalid("valid_until", "before valid_from"));
    }
    let max_months = match permit_type {
        PermitType::Itas => None,
        PermitType::Itap => Some(60),
    };
    state.ensure_office_signer(office_id, &office_code).await?;
    let now = now_unix();
    let mut tx = state.store.begin_audited().await?;
    let f = repo::foreigner_by_niora(tx.conn(), &b.niora)
        .await
        .map_err(|_| ApiError::invalid("niora", "unknown NIORA"))?;
    let visa =
        repo::visa_index(tx.conn(), &b.visa_code, b.visa_table.as_deref(), valid_from).await?;
    let limit = max_months.unwrap_or(visa.max_months);
    if valid_until > valid_from.add_months(limit) {
        return Err(ApiError::invalid(
            "valid_until",
            format!(
                "longer than {limit} months for {} {}",
                permit_type, visa.code
            ),
        ));
    }
    if let Some(s) = b.sponsor_id {
        let sp = repo::sponsor_by_id(tx.conn(), s)
            .await
            .map_err(|_| ApiError::invalid("sponsor_id", "unknown sponsor"))?;
        p.require_scope(sp.office_id)?;
    }
    let passport_id = repo::passports_of(tx.conn(), f.id)
        .await?
        .first()
        .map(|pp| pp.id);
    let address_id = repo::addresses_of(tx.conn(), f.id)
        .await?
        .first()
        .filter(|a| a.valid_until.is_none())
        .map(|a| a.id);
    let id = repo::issue_permit(
        tx.conn(),
        &NewPermit {
            number: number.clone(),
            permit_type,
            foreigner_id: f.id,
            passport_id,
            visa_index_id: visa.id,
            visa_code: visa.code.clone(),
            sponsor_id: b.sponsor_id,
            employer_id: b.employer_id,
            occupation: b.occupation.clone().or(f.occupation.clone()),
            address_id,
            port_of_entry: b.port_of_entry.clone(),
            entry_date,
            valid_from,
            valid_until,
            issuing_office_id: office_id,
            document_serial: new_serial(),
            previous_permit_id: None,
            status: PermitStatus::Active,
        },
        Some(p.user_id),
        now,
    )
    .await
    .map_err(ApiError::unless_taken(
        "number",
        "this permit number is already used",
    ))?;
    let credential = sign_credential(&state, tx.conn(), id, now).await?;
    tx.append(NewEntry {
        actor: p.actor(),
        action: "permit.issue".into(),
        subject_kind: "person".into(),
        subject_id: f.niora.clone(),
        purpose: Purpose { kind: PurposeKind::Issuance, reference: b.task.clone().unwrap_or_else(|| number.to_string()) },
        details: json!({ "permit": number, "type": permit_type, "visa": visa.code, "table": visa.table_version }),
    })
    .await?;
    let permit = repo::permit_by_id(tx.conn(), id).await?;
    tx.commit().await?;
    state.keys.invalidate_status(&office_code);
    Ok((
        StatusCode::CREATED,
        Json(json!({ "permit": permit, "credential": credential })),
    ))
}

/// A random document serial: 8 bytes, hex.
pub fn new_serial() -> String {
    let mut b = [0u8; 8];
    OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// Builds the credential claims of a permit from the registry.
pub async fn credential_claims(
    c: &mut Conn,
    permit: &Permit,
    now: i64,
) -> ApiResult<pora_core::Permit> {
    let (f, passport, sponsor) = holder(c, permit).await?;
    let day = |s: &str, field: &'static str| -> ApiResult<pora_core::Date> {
        let d = Date::parse(field, s)?;
        Ok(pora_core::Date(
            i32::try_from(d.days()).map_err(|_| ApiError::invalid(field, "out of range"))?,
        ))
    };
    Ok(pora_core::Permit {
        office: permit.office_code.clone(),
        document_serial: hex::decode(&permit.document_serial)
            .unwrap_or_else(|_| permit.document_serial.as_bytes().to_vec()),
        issued_at: now,
        valid_from: day(&permit.valid_from, "valid_from")?,
        valid_until: day(&permit.valid_until, "valid_until")?,
        permit_type: match permit.permit_type {
            PermitType::Itas => pora_core::PermitType::Itas,
            PermitType::Itap => pora_core::PermitType::Itap,
        },
        visa_index: Some(permit.visa_code.clone()),
        permit_number: Some(permit.number.clone()),
        niora: Some(f.niora.clone()),
        name: Some(f.mrz_name.clone()),
        date_of_birth: Some(day(&f.birth_date, "birth_date")?),
        sex: Some(match f.sex {
            pora_store::model::Sex::M => pora_core::Sex::M,
            pora_store::model::Sex::F => pora_core::Sex::F,
            pora_store::model::Sex::X => pora_core::Sex::X,
        }),
        nationality: Some(f.nationality.clone()),
        passport_number: passport.map(|pp| pp.number),
        sponsor_id: sponsor.and_then(|s| s.nib.or(s.nik)),
        status_index: u64::try_from(permit.status_list_index).ok(),
    })
}

/// The permit's holder, their first passport and the permit's sponsor: what the credential and the
/// printed documents show.
pub(crate) async fn holder(
    c: &mut Conn,
    permit: &Permit,
) -> ApiResult<(
    repo::Foreigner,
    Option<repo::Passport>,
    Option<repo::Sponsor>,
)> {
    let f = repo::foreigner_by_id(c, permit.foreigner_id).await?;
    let passport = repo::passports_of(c, f.id).await?.into_iter().next();
    let sponsor = match permit.sponsor_id {
        Some(s) => Some(repo::sponsor_by_id(c, s).await?),
        None => None,
    };
    Ok((f, passport, sponsor))
}

/// Signs the credential of a permit with its office's current signer and stores the QR text.
pub async fn sign_credential(
    state: &AppState,
    c: &mut Conn,
    permit_id: i64,
    now: i64,
) -> ApiResult<String> {
    let permit = repo::permit_by_id(c, permit_id).await?;
    let claims = credential_claims(c, &permit, now).await?;
    let (signer, record) = state
        .keys
        .office_signer(&permit.office_code)
        .ok_or_else(|| {
            ApiError::internal(format!("no signer for office {}", permit.office_code))
        })?;
    let text = pora_core::issue::Prepared::new(&claims, &record)
        .and_then(|p| p.sign(signer.as_ref()))
        .map_err(|e| match &e {
            pora_core::issue::IssueError::Incomplete(fields) => ApiError::incomplete(
                fields
                    .iter()
                    .map(|f| request_field(*f).to_owned())
                    .collect(),
                format!("credential cannot be issued: {e}"),
            ),
            _ => ApiError::invalid("permit", format!("credential cannot be issued: {e}")),
        })?;
    repo::set_credential(c, permit_id, &text).await?;
    Ok(text)
}

/// The request field that supplies a credential field: the sponsor is chosen on the permit, the
/// passport is registered on the person (`POST /api/v1/foreigners/{niora}/passports`).
fn request_field(f: pora_core::permit::Field) -> &'static str {
    use pora_core::permit::Field as F;
    match f {
        F::SponsorId => "sponsor_id",
        F::PassportNumber => "passport",
        F::VisaIndex => "visa_code",
        F::PermitNumber => "number",
        other => other.name(),
    }
}

/// Body of a lifecycle step.
#[derive(Debug, Default, Deserialize)]
pub struct StepBody {
    /// Why (required for cancel, suspend, deport).
    pub reason: Option<String>,
    /// New last day (extend; optional for convert, default five years).
    pub valid_until: Option<String>,
    /// Number of the new ITAP (convert).
    pub new_number: Option<String>,
}

async fn load_for_step(
    state: &AppState,
    p: &Principal,
    number: &str,
) -> ApiResult<(Permit, pora_store::audit::AuditedTx)> {
    let number = PermitNumber::parse("number", number)?;
    let mut tx = state.store.begin_audited().await?;
    let permit = repo::permit_by_number(tx.conn(), number.as_str()).await?;
    p.require_scope(permit.issuing_office_id)?;
    Ok((permit, tx))
}

async fn step(
    state: AppState,
    p: Principal,
    number: String,
    body: StepBody,
    to: PermitStatus,
    event: &'static str,
    needs_reason: bool,
) -> ApiResult<Json<serde_json::Value>> {
    if needs_reason && body.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        return Err(ApiError::invalid("reason", "a reason is required"));
    }
    if body.reason.as_ref().is_some_and(|r| r.len() > 500) {
        return Err(ApiError::invalid("reason", "at most 500 characters"));
    }
    let (permit, mut tx) = load_for_step(&state, &p, &number).await?;
    if event == "resumed" && permit.status != PermitStatus::Suspended {
        return Err(ApiError::conflict(format!(
            "permit {} is not suspended",
            permit.number
        )));
    }
    let now = now_unix();
    let updated = repo::change_status(
        tx.conn(),
        permit.id,
        to,
        event,
        Some(p.user_id),
        body.reason.as_deref(),
        now,
    )
    .await?;
    tx.append(NewEntry {
        actor: p.actor(),
        action: format!("permit.{event}"),
        subject_kind: "person".into(),
        subject_id: permit.niora.clone(),
        purpose: Purpose {
            kind: PurposeKind::Case,
            reference: body
                .reason
                .clone()
                .unwrap_or_default()
                .chars()
                .take(64)
                .collect(),
        },
        details: json!({ "permit": permit.number, "from": permit.status, "to": to }),
    })
    .await?;
    tx.commit().await?;
    state.keys.invalidate_status(&permit.office_code);
    Ok(Json(json!({ "permit": updated })))
}

/// An optional JSON body: empty means the default.
fn optional_body<T: serde::de::DeserializeOwned + Default>(bytes: &[u8]) -> ApiResult<T> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(bytes).map_err(|e| {
        let text = e.to_string();
        let field = text
            .split_once("field `")
            .and_then(|(_, r)| r.split_once('`'))
            .map(|(f, _)| f.to_owned());
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid",
            message: text,
            field,
            missing: Vec::new(),
        }
    })
}

macro_rules! lifecycle {
    ($name:ident, $to:expr, $event:literal, $reason:expr, $doc:literal) => {
        #[doc = $doc]
        pub async fn $name(
            State(state): State<AppState>,
            Extension(p): Extension<Principal>,
            Path(number): Path<String>,
            body: axum::body::Bytes,
        ) -> ApiResult<Json<serde_json::Value>> {
            step(
                state,
                p,
                number,
                optional_body(&body)?,
                $to,
                $event,
                $reason,
            )
            .await
        }
    };
}

lifecycle!(
    cancel,
    PermitStatus::Cancelled,
    "cancelled",
    true,
    "`POST /api/v1/permits/{number}/cancel`."
);
lifecycle!(
    suspend,
    PermitStatus::Suspended,
    "suspended",
    true,
    "`POST /api/v1/permits/{number}/suspend`."
);
lifecycle!(
    resume,
    PermitStatus::Active,
    "resumed",
    false,
    "`POST /api/v1/permits/{number}/resume`."
);
lifecycle!(
    exit,
    PermitStatus::Exited,
    "exited",
    false,
    "`POST /api/v1/permits/{number}/exit` (EPO)."
);
lifecycle!(
    deport,
    PermitStatus::Deported,
    "deported",
    true,
    "`POST /api/v1/permits/{number}/deport`."
);
lifecycle!(
    deceased,
    PermitStatus::Deceased,
    "deceased",
    false,
    "`POST /api/v1/permits/{number}/deceased`."
);

/// `POST /api/v1/permits/{number}/extend`: new last day, new credential.
pub async fn extend(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(number): Path<String>,
    ApiJson(b): ApiJson<StepBody>,
) -> ApiResult<Json<serde_json::Value>> {
    let until = Date::parse("valid_until", b.valid_until.as_deref().unwrap_or(""))?;
    let (permit, mut tx) = load_for_step(&state, &p, &number).await?;
    let today = Date::from_unix(now_unix());
    let current = Date::parse("valid_until", &permit.valid_until)?;
    if today < current.add_months(-3) {
        return Err(ApiError::invalid(
            "valid_until",
            "an extension is filed from three months before expiry",
        ));
    }
    let now = now_unix();
    repo::extend_permit(tx.conn(), permit.id, until, Some(p.user_id), now).await?;
    let credential = sign_credential(&state, tx.conn(), permit.id, now).await?;
    tx.append(NewEntry {
        actor: p.actor(),
        action: "permit.extended".into(),
        subject_kind: "person".into(),
        subject_id: permit.niora.clone(),
        purpose: Purpose {
            kind: PurposeKind::Issuance,
            reference: format!("extend:{}", permit.number),
        },
        details: json!({ "permit": permit.number, "valid_until": until.to_string() }),
    })
    .await?;
    let updated = repo::permit_by_id(tx.conn(), permit.id).await?;
    tx.commit().await?;
    Ok(Json(json!({ "permit": updated, "credential": credential })))
}

/// `POST /api/v1/permits/{number}/convert`: closes the ITAS as `converted` and issues an ITAP.
pub async fn convert(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(number): Path<String>,
    ApiJson(b): ApiJson<StepBody>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let new_number = PermitNumber::parse("new_number", b.new_number.as_deref().unwrap_or(""))?;
    let (office_id, office_code) = own_office(&p)?;
    state.ensure_office_signer(office_id, &office_code).await?;
    let (old, mut tx) = load_for_step(&state, &p, &number).await?;
    if old.permit_type != PermitType::Itas || old.status != PermitStatus::Active {
        return Err(ApiError::conflict("only an active ITAS can be converted"));
    }
    let now = now_unix();
    let today = Date::from_unix(now);
    let until = match &b.valid_until {
        Some(s) => Date::parse("valid_until", s)?,
        None => today.add_months(60).add_days(-1),
    };
    if until > today.add_months(60) {
        return Err(ApiError::invalid(
            "valid_until",
            "an ITAP runs at most five years",
        ));
    }
    repo::change_status(
        tx.conn(),
        old.id,
        PermitStatus::Converted,
        "converted",
        Some(p.user_id),
        b.reason.as_deref(),
        now,
    )
    .await?;
    let visa = repo::visa_index(tx.conn(), &old.visa_code, Some(&old.visa_table), today).await?;
    let f = repo::foreigner_by_id(tx.conn(), old.foreigner_id).await?;
    let passport_id = repo::passports_of(tx.conn(), f.id)
        .await?
        .first()
        .map(|pp| pp.id);
    let id = repo::issue_permit(
        tx.conn(),
        &NewPermit {
            number: new_number.clone(),
            permit_type: PermitType::Itap,
            foreigner_id: old.foreigner_id,
            passport_id,
            visa_index_id: visa.id,
            visa_code: visa.code.clone(),
            sponsor_id: old.sponsor_id,
            employer_id: old.employer_id,
            occupation: old.occupation.clone(),
            address_id: old.address_id,
            port_of_entry: None,
            entry_date: None,
            valid_from: today,
            valid_until: until,
            issuing_office_id: office_id,
            document_serial: new_serial(),
            previous_permit_id: Some(old.id),
            status: PermitStatus::Active,
        },
        Some(p.user_id),
        now,
    )
    .await
    .map_err(ApiError::unless_taken(
        "new_number",
        "this permit number is already used",
    ))?;
    let credential = sign_credential(&state, tx.conn(), id, now).await?;
    tx.append(NewEntry {
        actor: p.actor(),
        action: "permit.converted".into(),
        subject_kind: "person".into(),
        subject_id: old.niora.clone(),
        purpose: Purpose {
            kind: PurposeKind::Issuance,
            reference: format!("convert:{}", old.number),
        },
        details: json!({ "from": old.number, "to": new_number }),
    })
    .await?;
    let permit = repo::permit_by_id(tx.conn(), id).await?;
    tx.commit().await?;
    state.keys.invalidate_status(&old.office_code);
    state.keys.invalidate_status(&office_code);
    Ok((
        StatusCode::CREATED,
        Json(json!({ "permit": permit, "credential": credential, "previous": old.number })),
    ))
}
