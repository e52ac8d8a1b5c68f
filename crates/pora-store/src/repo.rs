//! Queries: every function takes a [`Conn`] (a pooled connection or a transaction), so a caller can
//! group writes and their audit entries in one transaction.

use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use crate::db::Conn;
use crate::model::{
    Date, Nationality, Niora, Page, PassportNumber, PermitNumber, PermitStatus, PermitType,
    RegionCode, Role, Sex,
};
use crate::{Result, StoreError};

fn not_found(entity: &'static str) -> StoreError {
    StoreError::NotFound { entity }
}

// ---------------------------------------------------------------------------------------------
// Offices, regions, users, sessions

/// An immigration office (Kanim).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct Office {
    /// Row id.
    pub id: i64,
    /// Short code, e.g. `BKS`.
    pub code: String,
    /// Name.
    pub name: String,
    /// Region code of the office's seat (`PP.KK`).
    pub region_code: String,
}

/// Creates an office; returns its id.
pub async fn create_office(
    c: &mut Conn,
    code: &str,
    name: &str,
    region_code: &str,
    at: i64,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO offices (code, name, region_code, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(code)
    .bind(name)
    .bind(region_code)
    .bind(at)
    .fetch_one(c)
    .await?)
}

/// All offices.
pub async fn offices(c: &mut Conn) -> Result<Vec<Office>> {
    Ok(
        sqlx::query_as("SELECT id, code, name, region_code FROM offices ORDER BY code")
            .fetch_all(c)
            .await?,
    )
}

/// One office by code.
pub async fn office_by_code(c: &mut Conn, code: &str) -> Result<Office> {
    sqlx::query_as("SELECT id, code, name, region_code FROM offices WHERE code = $1")
        .bind(code)
        .fetch_optional(c)
        .await?
        .ok_or(not_found("office"))
}

/// Inserts a region reference row (code, name, level).
pub async fn upsert_region(c: &mut Conn, code: &str, name: &str, level: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO regions (code, name, level) VALUES ($1, $2, $3) \
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level",
    )
    .bind(code)
    .bind(name)
    .bind(level)
    .execute(c)
    .await?;
    Ok(())
}

/// A user account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct User {
    /// Row id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Office scope; `None` means national scope.
    pub office_id: Option<i64>,
    /// Office code, joined.
    pub office_code: Option<String>,
    /// For role `foreigner`: whose account it is.
    pub foreigner_id: Option<i64>,
    /// argon2id PHC string.
    #[serde(skip_serializing)]
    pub password_hash: String,
    /// 1 when disabled.
    pub disabled: i64,
}

/// A user to create.
#[derive(Clone, Debug)]
pub struct NewUser<'a> {
    /// Login name.
    pub username: &'a str,
    /// Display name.
    pub display_name: &'a str,
    /// Role.
    pub role: Role,
    /// Office scope.
    pub office_id: Option<i64>,
    /// Linked foreigner (role `foreigner`).
    pub foreigner_id: Option<i64>,
    /// argon2id PHC string.
    pub password_hash: &'a str,
}

/// Creates a user; returns the id.
pub async fn create_user(c: &mut Conn, u: &NewUser<'_>, at: i64) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO users (username, display_name, role, office_id, foreigner_id, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(u.username)
    .bind(u.display_name)
    .bind(u.role.as_str())
    .bind(u.office_id)
    .bind(u.foreigner_id)
    .bind(u.password_hash)
    .bind(at)
    .fetch_one(c)
    .await?)
}

const SELECT_USER: &str = "SELECT u.id, u.username, u.display_name, u.role, u.office_id, \
    o.code AS office_code, u.foreigner_id, u.password_hash, u.disabled \
    FROM users u LEFT JOIN offices o ON o.id = u.office_id";

/// A user by login name.
pub async fn user_by_username(c: &mut Conn, username: &str) -> Result<Option<User>> {
    Ok(
        sqlx::query_as(&format!("{SELECT_USER} WHERE u.username = $1"))
            .bind(username)
            .fetch_optional(c)
            .await?,
    )
}

/// A user by id.
pub async fn user_by_id(c: &mut Conn, id: i64) -> Result<User> {
    sqlx::query_as(&format!("{SELECT_USER} WHERE u.id = $1"))
        .bind(id)
        .fetch_optional(c)
        .await?
        .ok_or(not_found("user"))
}

/// Users, by id.
pub async fn users(c: &mut Conn, page: Page) -> Result<Vec<User>> {
    Ok(
        sqlx::query_as(&format!("{SELECT_USER} ORDER BY u.id LIMIT $1 OFFSET $2"))
            .bind(page.limit)
            .bind(page.offset)
            .fetch_all(c)
            .await?,
    )
}

/// A live login session or API token with its user and, for a device token, the device's state:
/// what every authenticated request needs, read in one query ([`live_session`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct LiveSession {
    /// Session row id.
    pub id: i64,
    /// `session` (cookie) or `api_token` (bearer).
    pub kind: String,
    /// Device the token was issued to.
    pub device_id: Option<i64>,
    /// CSRF token (cookie sessions).
    pub csrf_token: Option<String>,
    /// Expiry (unix seconds).
    pub expires_at: i64,
    /// Owner.
    pub user_id: i64,
    /// Owner's login name.
    pub username: String,
    /// Owner's role.
    pub role: Role,
    /// Owner's office scope; `None` means national scope.
    pub office_id: Option<i64>,
    /// Owner's office code.
    pub office_code: Option<String>,
    /// For role `foreigner`: whose account it is.
    pub foreigner_id: Option<i64>,
    /// 1 when the owner is disabled.
    pub disabled: i64,
    /// The device's state (`pending`, `approved`, `revoked`) when the token names a device.
    pub device_state: Option<String>,
}

/// A session to create.
#[derive(Clone, Debug)]
pub struct NewSession<'a> {
    /// SHA-256 hex of the secret.
    pub token_hash: &'a str,
    /// `session` or `api_token`.
    pub kind: &'a str,
    /// Owner.
    pub user_id: i64,
    /// Device.
    pub device_id: Option<i64>,
    /// CSRF token.
    pub csrf_token: Option<&'a str>,
    /// Label.
    pub label: Option<&'a str>,
    /// Expiry.
    pub expires_at: i64,
}

/// Creates a session; returns the id.
pub async fn create_session(c: &mut Conn, s: &NewSession<'_>, at: i64) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO sessions (token_hash, kind, user_id, device_id, csrf_token, label, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(s.token_hash)
    .bind(s.kind)
    .bind(s.user_id)
    .bind(s.device_id)
    .bind(s.csrf_token)
    .bind(s.label)
    .bind(at)
    .bind(s.expires_at)
    .fetch_one(c)
    .await?)
}

/// A live (not revoked, not expired at `now`) session by token hash, with its user and device.
pub async fn live_session(c: &mut Conn, token_hash: &str, now: i64) -> Result<Option<LiveSession>> {
    Ok(sqlx::query_as(
        "SELECT s.id, s.kind, s.device_id, s.csrf_token, s.expires_at, u.id AS user_id, u.username, \
         u.role, u.office_id, o.code AS office_code, u.foreigner_id, u.disabled, d.state AS device_state \
         FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN offices o ON o.id = u.office_id \
         LEFT JOIN devices d ON d.id = s.device_id \
         WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(c)
    .await?)
}

/// Revokes a session.
pub async fn revoke_session(c: &mut Conn, id: i64, at: i64) -> Result<()> {
    sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(at)
        .bind(id)
        .execute(c)
        .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Registry: foreigners, passports, addresses, sponsors, employers

/// A registered foreigner.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct Foreigner {
    /// Row id.
    pub id: i64,
    /// NIORA.
    pub niora: String,
    /// Full name (UTF-8).
    pub full_name: String,
    /// MRZ-style transliteration.
    pub mrz_name: String,
    /// Sex.
    pub sex: Sex,
    /// Place of birth.
    pub birth_place: String,
    /// Date of birth, `YYYY-MM-DD`.
    pub birth_date: String,
    /// ISO alpha-3.
    pub nationality: String,
    /// Occupation / job title.
    pub occupation: Option<String>,
    /// Registering office.
    pub office_id: i64,
}

/// A foreigner to register.
#[derive(Clone, Debug)]
pub struct NewForeigner {
    /// NIORA.
    pub niora: Niora,
    /// Full name.
    pub full_name: String,
    /// MRZ name.
    pub mrz_name: String,
    /// Sex.
    pub sex: Sex,
    /// Place of birth.
    pub birth_place: String,
    /// Date of birth.
    pub birth_date: Date,
    /// Nationality.
    pub nationality: Nationality,
    /// Occupation.
    pub occupation: Option<String>,
    /// Registering office.
    pub office_id: i64,
}

/// Registers a foreigner; returns the id.
pub async fn create_foreigner(c: &mut Conn, f: &NewForeigner, at: i64) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO foreigners (niora, full_name, mrz_name, sex, birth_place, birth_date, nationality, \
         occupation, office_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(f.niora.as_str())
    .bind(&f.full_name)
    .bind(&f.mrz_name)
    .bind(f.sex.as_str())
    .bind(&f.birth_place)
    .bind(f.birth_date.to_string())
    .bind(f.nationality.as_str())
    .bind(&f.occupation)
    .bind(f.office_id)
    .bind(at)
    .fetch_one(c)
    .await?)
}

const SELECT_FOREIGNER: &str =
    "SELECT id, niora, full_name, mrz_name, sex, birth_place, birth_date, \
    nationality, occupation, office_id FROM foreigners";

/// A foreigner by NIORA.
pub async fn foreigner_by_niora(c: &mut Conn, niora: &str) -> Result<Foreigner> {
    sqlx::query_as(&format!("{SELECT_FOREIGNER} WHERE niora = $1"))
        .bind(niora)
        .fetch_optional(c)
        .await?
        .ok_or(not_found("foreigner"))
}

/// A foreigner by id.
pub async fn foreigner_by_id(c: &mut Conn, id: i64) -> Result<Foreigner> {
    sqlx::query_as(&format!("{SELECT_FOREIGNER} WHERE id = $1"))
        .bind(id)
        .fetch_optional(c)
        .await?
        .ok_or(not_found("foreigner"))
}

/// Adds a passport; returns the id.
pub async fn add_passport(
    c: &mut Conn,
    foreigner_id: i64,
    number: &PassportNumber,
    issuing_state: &Nationality,
    expiry: Date,
    at: i64,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO passports (foreigner_id, number, issuing_state, expiry_date, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(foreigner_id)
    .bind(number.as_str())
    .bind(issuing_state.as_str())
    .bind(expiry.to_string())
    .bind(at)
    .fetch_one(c)
    .await?)
}

/// A passport.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct Passport {
    /// Row id.
    pub id: i64,
    /// Number.
    pub number: String,
    /// Issuing state.
    pub issuing_state: String,
    /// Expiry.
    pub expiry_date: String,
}

/// A foreigner's passports, newest first.
pub async fn passports_of(c: &mut Conn, foreigner_id: i64) -> Result<Vec<Passport>> {
    Ok(sqlx::query_as(
        "SELECT id, number, issuing_state, expiry_date FROM passports WHERE foreigner_id = $1 ORDER BY id DESC",
    )
    .bind(foreigner_id)
    .fetch_all(c)
    .await?)
}

/// An address in Indonesia.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct Address {
    /// Row id.
    pub id: i64,
    /// Street line.
    pub line: String,
    /// Kemendagri desa/kelurahan code.
    pub region_code: String,
    /// Latitude.
    pub lat: Option<f64>,
    /// Longitude.
    pub lng: Option<f64>,
    /// Where it came from.
    pub source: String,
    /// Valid from.
    pub valid_from: String,
    /// Valid until (None = current).
    pub valid_until: Option<String>,
}

/// An address to add.
#[derive(Clone, Debug)]
pub struct NewAddress {
    /// Whose (None for a sponsor's or employer's address).
    pub foreigner_id: Option<i64>,
    /// Street line.
    pub line: String,
    /// Region code.
    pub region_code: RegionCode,
    /// Position.
    pub position: Option<(f64, f64)>,
    /// `declared`, `field_check`, `stay_report`, `sponsor`.
    pub source: &'static str,
    /// Valid from.
    pub valid_from: Date,
}

/// Adds an address; a new address of a foreigner closes their previous current one.
pub async fn add_address(c: &mut Conn, a: &NewAddress, at: i64) -> Result<i64> {
    if let Some(fid) = a.foreigner_id {
        sqlx::query(
            "UPDATE addresses SET valid_until = $1 WHERE foreigner_id = $2 AND valid_until IS NULL",
        )
        .bind(a.valid_from.to_string())
        .bind(fid)
        .execute(&mut *c)
        .await?;
    }
    Ok(sqlx::query_scalar(
        "INSERT INTO addresses (foreigner_id, line, region_code, lat, lng, source, valid_from, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(a.foreigner_id)
    .bind(&a.line)
    .bind(a.region_code.as_str())
    .bind(a.position.map(|p| p.0))
    .bind(a.position.map(|p| p.1))
    .bind(a.source)
    .bind(a.valid_from.to_string())
    .bind(at)
    .fetch_one(c)
    .await?)
}

/// A foreigner's addresses, current first.
pub async fn addresses_of(c: &mut Conn, foreigner_id: i64) -> Result<Vec<Address>> {
    Ok(sqlx::query_as(
        "SELECT id, line, region_code, lat, lng, source, valid_from, valid_until FROM addresses \
         WHERE foreigner_id = $1 ORDER BY (valid_until IS NULL) DESC, id DESC",
    )
    .bind(foreigner_id)
    .fetch_all(c)
    .await?)
}

/// A sponsor (penjamin).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct Sponsor {
    /// Row id.
    pub id: i64,
    /// `company` or `person`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// NIB (company).
    pub nib: Option<String>,
    /// NPWP (company).
    pub npwp: Option<String>,
    /// NIK (person).
    pub nik: Option<String>,
    /// Office.
    pub office_id: i64,
}

/// A sponsor to create: a company (NIB + NPWP) or a person (NIK).
#[derive(Clone, Debug)]
pub enum NewSponsor {
    /// A company.
    Company {
        /// Name.
        name: String,
        /// NIB.
        nib: crate::model::Nib,
        /// NPWP.
        npwp: crate::model::Npwp,
    },
    /// A person.
    Person {
        /// Name.
        name: String,
        /// NIK.
        nik: crate::model::Nik,
    },
}

/// Creates a sponsor; returns the id.
pub async fn create_sponsor(
    c: &mut Conn,
    s: &NewSponsor,
    address_id: Option<i64>,
    office_id: i64,
    at: i64,
) -> Result<i64> {
    let (kind, name, nib, npwp, nik) = match s {
        NewSponsor::Company { name, nib, npwp } => (
            "company",
            name,
            Some(nib.as_str()),
            Some(npwp.as_str()),
            None,
        ),
        NewSponsor::Person { name, nik } => ("person", name, None, None, Some(nik.as_str())),
    };
    Ok(sqlx::query_scalar(
        "INSERT INTO sponsors (kind, name, nib, npwp, nik, address_id, office_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(kind)
    .bind(name)
    .bind(nib)
    .bind(npwp)
    .bind(nik)
    .bind(address_id)
    .bind(office_id)
    .bind(at)
    .fetch_one(c)
    .await?)
}

/// A sponsor by id.
pub async fn sponsor_by_id(c: &mut Conn, id: i64) -> Result<Sponsor> {
    sqlx::query_as("SELECT id, kind, name, nib, npwp, nik, office_id FROM sponsors WHERE id = $1")
        .bind(id)
        .fetch_optional(c)
        .await?
        .ok_or(not_found("sponsor"))
}

/// Sponsors of an office (None = every office) whose name contains `q` (any case) or whose NIB or
/// NIK is `q`; companies first, then by name.
pub async fn sponsors(
    c: &mut Conn,
    office_id: Option<i64>,
    q: Option<&str>,
    page: Page,
) -> Result<Vec<Sponsor>> {
    let like = q.map(|q| format!("%{}%", q.to_lowercase().replace(['%', '_'], "")));
    Ok(sqlx::query_as(
        "SELECT id, kind, name, nib, npwp, nik, office_id FROM sponsors \
         WHERE ($1 IS NULL OR office_id = $1) \
         AND ($2 IS NULL OR LOWER(name) LIKE $3 OR nib = $2 OR nik = $2) \
         ORDER BY kind, name, id LIMIT $4 OFFSET $5",
    )
    .bind(office_id)
    .bind(q)
    .bind(like)
    .bind(page.limit)
    .bind(page.offset)
    .fetch_all(c)
    .await?)
}

/// Creates an employer; returns the id.
pub async fn create_employer(
    c: &mut Conn,
    name: &str,
    nib: Option<&str>,
    sponsor_id: Option<i64>,
    address_id: Option<i64>,
    at: i64,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO employers (name, nib, sponsor_id, address_id, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(name)
    .bind(nib)
    .bind(sponsor_id)
    .bind(address_id)
    .bind(at)
    .fetch_one(c)
    .await?)
}

// ---------------------------------------------------------------------------------------------
// Visa index and permits

/// A visa index entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct VisaIndex {
    /// Row id.
    pub id: i64,
    /// Table version (`legacy`, `2021`, `2023`, `2025`).
    pub table_version: String,
    /// Code.
    pub code: String,
    /// Title.
    pub title: String,
    /// Longest single ITAS grant in months.
    pub max_months: i64,
}

/// The visa index entry for `code` in the table in force on `on` (or in `table_version` if given).
pub async fn visa_index(
    c: &mut Conn,
    code: &str,
    table_version: Option<&str>,
    on: Date,
) -> Result<VisaIndex> {
    let row = match table_version {
        Some(v) => {
            sqlx::query_as(
                "SELECT id, table_version, code, title, max_months FROM visa_index WHERE code = $1 AND table_version = $2",
            )
            .bind(code)
            .bind(v)
            .fetch_optional(c)
            .await?
        }
        None => {
            sqlx::query_as(
                "SELECT id, table_version, code, title, max_months FROM visa_index WHERE code = $1 \
                 AND valid_from <= $2 AND (valid_until IS NULL OR valid_until >= $2)",
            )
            .bind(code)
            .bind(on.to_string())
            .fetch_optional(c)
            .await?
        }
    };
    row.ok_or(StoreError::Invalid {
        field: "visa_code",
        reason: format!("no visa index {code} in force on {on}"),
    })
}

/// A row of the visa index reference table, with the period it is in force.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct VisaIndexEntry {
    /// Table version (`legacy`, `2021`, `2023`, `2025`).
    pub table_version: String,
    /// Code.
    pub code: String,
    /// Title.
    pub title: String,
    /// Permit type the code leads to.
    pub permit_type: String,
    /// Longest single ITAS grant in months.
    pub max_months: i64,
    /// First day in force.
    pub valid_from: String,
    /// Last day in force (None: still in force).
    pub valid_until: Option<String>,
}

/// The whole visa index, newest table first.
pub async fn visa_index_table(c: &mut Conn) -> Result<Vec<VisaIndexEntry>> {
    Ok(sqlx::query_as(
        "SELECT table_version, code, title, permit_type, max_months, valid_from, valid_until \
         FROM visa_index ORDER BY valid_from DESC, code",
    )
    .fetch_all(c)
    .await?)
}

/// A permit with its holder and office, as the API shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct Permit {
    /// Row id.
    pub id: i64,
    /// Permit number.
    pub number: String,
    /// ITAS / ITAP.
    pub permit_type: PermitType,
    /// Holder id.
    pub foreigner_id: i64,
    /// Holder NIORA.
    pub niora: String,
    /// Holder name.
    pub full_name: String,
    /// Holder nationality.
    pub nationality: String,
    /// Visa index table.
    pub visa_table: String,
    /// Visa index code as issued.
    pub visa_code: String,
    /// Sponsor.
    pub sponsor_id: Option<i64>,
    /// Employer.
    pub employer_id: Option<i64>,
    /// Occupation.
    pub occupation: Option<String>,
    /// Address.
    pub address_id: Option<i64>,
    /// Valid from.
    pub valid_from: String,
    /// Valid until.
    pub valid_until: String,
    /// Issuing office id.
    pub issuing_office_id: i64,
    /// Issuing office code.
    pub office_code: String,
    /// Status.
    pub status: PermitStatus,
    /// Index in the office's status list.
    pub status_list_index: i64,
    /// Document serial.
    pub document_serial: String,
    /// Previous permit (extension chain / conversion).
    pub previous_permit_id: Option<i64>,
    /// The signed credential (QR text), once signed.
    pub credential: Option<String>,
}

const SELECT_PERMIT: &str = "SELECT p.id, p.number, p.permit_type, p.foreigner_id, f.niora, f.full_name, \
    f.nationality, v.table_version AS visa_table, p.visa_code, p.sponsor_id, p.employer_id, p.occupation, \
    p.address_id, p.valid_from, p.valid_until, p.issuing_office_id, o.code AS office_code, p.status, \
    p.status_list_index, p.document_serial, p.previous_permit_id, p.credential \
    FROM permits p JOIN foreigners f ON f.id = p.foreigner_id JOIN offices o ON o.id = p.issuing_office_id \
    JOIN visa_index v ON v.id = p.visa_index_id";

/// A permit to issue.
#[derive(Clone, Debug)]
pub struct NewPermit {
    /// Number.
    pub number: PermitNumber,
    /// Type.
    pub permit_type: PermitType,
    /// Holder.
    pub foreigner_id: i64,
    /// Passport.
    pub passport_id: Option<i64>,
    /// Visa index row.
    pub visa_index_id: i64,
    /// Visa code as issued.
    pub visa_code: String,
    /// Sponsor.
    pub sponsor_id: Option<i64>,
    /// Employer.
    pub employer_id: Option<i64>,
    /// Occupation.
    pub occupation: Option<String>,
    /// Address.
    pub address_id: Option<i64>,
    /// Port of entry.
    pub port_of_entry: Option<String>,
    /// Entry date.
    pub entry_date: Option<Date>,
    /// Valid from.
    pub valid_from: Date,
    /// Valid until.
    pub valid_until: Date,
    /// Office.
    pub issuing_office_id: i64,
    /// Document serial.
    pub document_serial: String,
    /// Previous permit.
    pub previous_permit_id: Option<i64>,
    /// Initial status (normally active; demo data may create closed permits directly).
    pub status: PermitStatus,
}

/// Issues a permit: takes the next status-list index of the office and writes the `issued` event.
/// Call inside a transaction (the index allocation relies on it).
pub async fn issue_permit(
    c: &mut Conn,
    p: &NewPermit,
    actor_id: Option<i64>,
    at: i64,
) -> Result<i64> {
    Ok(issue_permit_indexed(c, p, actor_id, at).await?.0)
}

/// Like [`issue_permit`]; returns `(id, status_list_index)`.
pub async fn issue_permit_indexed(
    c: &mut Conn,
    p: &NewPermit,
    actor_id: Option<i64>,
    at: i64,
) -> Result<(i64, i64)> {
    if p.valid_from > p.valid_until {
        return Err(StoreError::Invalid {
            field: "valid_until",
            reason: "before valid_from".into(),
        });
    }
    let index: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(status_list_index) + 1, 0) FROM permits WHERE issuing_office_id = $1",
    )
    .bind(p.issuing_office_id)
    .fetch_one(&mut *c)
    .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO permits (number, permit_type, foreigner_id, passport_id, visa_index_id, visa_code, \
         sponsor_id, employer_id, occupation, address_id, port_of_entry, entry_date, valid_from, valid_until, \
         issuing_office_id, status, status_list_index, document_serial, previous_permit_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20) \
         RETURNING id",
    )
    .bind(p.number.as_str())
    .bind(p.permit_type.as_str())
    .bind(p.foreigner_id)
    .bind(p.passport_id)
    .bind(p.visa_index_id)
    .bind(&p.visa_code)
    .bind(p.sponsor_id)
    .bind(p.employer_id)
    .bind(&p.occupation)
    .bind(p.address_id)
    .bind(&p.port_of_entry)
    .bind(p.entry_date.map(|d| d.to_string()))
    .bind(p.valid_from.to_string())
    .bind(p.valid_until.to_string())
    .bind(p.issuing_office_id)
    .bind(p.status.as_str())
    .bind(index)
    .bind(&p.document_serial)
    .bind(p.previous_permit_id)
    .bind(at)
    .fetch_one(&mut *c)
    .await?;
    add_event(
        c,
        id,
        at,
        "issued",
        actor_id,
        None,
        p.status,
        p.valid_until,
        None,
        "{}",
    )
    .await?;
    Ok((id, index))
}

#[allow(clippy::too_many_arguments)]
async fn add_event(
    c: &mut Conn,
    permit_id: i64,
    at: i64,
    kind: &str,
    actor_id: Option<i64>,
    from: Option<PermitStatus>,
    to: PermitStatus,
    valid_until: Date,
    reason: Option<&str>,
    details: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO permit_events (permit_id, at, kind, actor_id, from_status, to_status, valid_until, reason, details) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(permit_id)
    .bind(at)
    .bind(kind)
    .bind(actor_id)
    .bind(from.map(|s| s.as_str()))
    .bind(to.as_str())
    .bind(valid_until.to_string())
    .bind(reason)
    .bind(details)
    .execute(c)
    .await?;
    Ok(())
}

/// A permit by number.
pub async fn permit_by_number(c: &mut Conn, number: &str) -> Result<Permit> {
    sqlx::query_as(&format!("{SELECT_PERMIT} WHERE p.number = $1"))
        .bind(number)
        .fetch_optional(c)
        .await?
        .ok_or(not_found("permit"))
}

/// A permit by id.
pub async fn permit_by_id(c: &mut Conn, id: i64) -> Result<Permit> {
    sqlx::query_as(&format!("{SELECT_PERMIT} WHERE p.id = $1"))
        .bind(id)
        .fetch_optional(c)
        .await?
        .ok_or(not_found("permit"))
}

/// A foreigner's permits, newest first.
pub async fn permits_of(c: &mut Conn, foreigner_id: i64) -> Result<Vec<Permit>> {
    Ok(sqlx::query_as(&format!(
        "{SELECT_PERMIT} WHERE p.foreigner_id = $1 ORDER BY p.id DESC"
    ))
    .bind(foreigner_id)
    .fetch_all(c)
    .await?)
}

/// Filters for [`search_permits`].
#[derive(Clone, Debug, Default)]
pub struct PermitFilter {
    /// Matches a permit number or NIORA exactly, or a name by substring (case-insensitive).
    pub q: Option<String>,
    /// Status.
    pub status: Option<PermitStatus>,
    /// Issuing office.
    pub office_id: Option<i64>,
    /// Valid until on or before this date.
    pub valid_until_before: Option<Date>,
    /// Nationality.
    pub nationality: Option<Nationality>,
    /// Valid until on or after this date (with `valid_until_before`: an expiry window).
    pub valid_until_after: Option<Date>,
    /// ITAS or ITAP.
    pub permit_type: Option<PermitType>,
    /// Visa index code as issued (`E23`, `C312`, …).
    pub visa_code: Option<String>,
    /// Sponsor: its NIB exactly, or part of its name (case-insensitive).
    pub sponsor: Option<String>,
    /// The holder's current address lies in this region: a code prefix such as a kecamatan
    /// `32.16.06` or a desa `32.16.06.2002`.
    pub region_prefix: Option<String>,
    /// Order of the rows.
    pub sort: PermitSort,
    /// Reverse the order.
    pub descending: bool,
}

/// Orders for [`search_permits`]; ties are broken newest first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PermitSort {
    /// Most recently created first (the default; `descending` reverses it).
    #[default]
    Newest,
    /// Permit number.
    Number,
    /// Holder's name.
    Name,
    /// Nationality.
    Nationality,
    /// Valid-until date.
    ValidUntil,
    /// Status.
    Status,
}

impl PermitSort {
    /// Parses the API name (`number`, `name`, `nationality`, `valid_until`, `status`, `newest`).
    pub fn parse(field: &'static str, s: &str) -> Result<Self> {
        Ok(match s {
            "newest" => PermitSort::Newest,
            "number" => PermitSort::Number,
            "name" => PermitSort::Name,
            "nationality" => PermitSort::Nationality,
            "valid_until" => PermitSort::ValidUntil,
            "status" => PermitSort::Status,
            _ => {
                return Err(crate::StoreError::Invalid {
                    field,
                    reason: "want newest, number, name, nationality, valid_until or status".into(),
                })
            }
        })
    }

    fn column(self) -> &'static str {
        match self {
            PermitSort::Newest => "p.id",
            PermitSort::Number => "p.number",
            PermitSort::Name => "f.full_name",
            PermitSort::Nationality => "f.nationality",
            PermitSort::ValidUntil => "p.valid_until",
            PermitSort::Status => "p.status",
        }
    }
}

/// Searches permits (newest first unless `f.sort` says otherwise); returns one page and the total count.
pub async fn search_permits(
    c: &mut Conn,
    f: &PermitFilter,
    page: Page,
) -> Result<(Vec<Permit>, i64)> {
    let mut clauses = vec!["1 = 1".to_owned()];
    let mut binds: Vec<String> = Vec::new();
    let param = |v: String, binds: &mut Vec<String>| {
        binds.push(v);
        format!("${}", binds.len())
    };
    if let Some(q) = &f.q {
        let a = param(q.clone(), &mut binds);
        let b = param(
            format!("%{}%", q.to_lowercase().replace(['%', '_'], "")),
            &mut binds,
        );
        let c_ = param(q.to_uppercase(), &mut binds);
        clauses.push(format!(
            "(p.number = {a} OR f.niora = {a} OR LOWER(f.full_name) LIKE {b} \
             OR EXISTS (SELECT 1 FROM passports pp WHERE pp.foreigner_id = f.id AND pp.number = {c_}))"
        ));
    }
    if let Some(d) = f.valid_until_after {
        let a = param(d.to_string(), &mut binds);
        clauses.push(format!("p.valid_until >= {a}"));
    }
    if let Some(t) = f.permit_type {
        let a = param(t.as_str().to_owned(), &mut binds);
        clauses.push(format!("p.permit_type = {a}"));
    }
    if let Some(v) = &f.visa_code {
        let a = param(v.to_uppercase(), &mut binds);
        clauses.push(format!("p.visa_code = {a}"));
    }
    if let Some(sp) = &f.sponsor {
        let a = param(sp.clone(), &mut binds);
        let b = param(
            format!("%{}%", sp.to_lowercase().replace(['%', '_'], "")),
            &mut binds,
        );
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM sponsors s WHERE s.id = p.sponsor_id AND (s.nib = {a} OR LOWER(s.name) LIKE {b}))"
        ));
    }
    if let Some(r) = &f.region_prefix {
        let a = param(format!("{}%", r.replace(['%', '_'], "")), &mut binds);
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM addresses ad WHERE ad.foreigner_id = p.foreigner_id \
             AND ad.valid_until IS NULL AND ad.region_code LIKE {a})"
        ));
    }
    if let Some(s) = f.status {
        let a = param(s.as_str().to_owned(), &mut binds);
        clauses.push(format!("p.status = {a}"));
    }
    if let Some(d) = f.valid_until_before {
        let a = param(d.to_string(), &mut binds);
        clauses.push(format!("p.valid_until <= {a}"));
    }
    if let Some(n) = &f.nationality {
        let a = param(n.as_str().to_owned(), &mut binds);
        clauses.push(format!("f.nationality = {a}"));
    }
    let office = f.office_id;
    if office.is_some() {
        clauses.push(format!("p.issuing_office_id = ${}", binds.len() + 1));
    }
    let where_ = clauses.join(" AND ");
    let n = binds.len() + usize::from(office.is_some());
    let sql = format!(
        "{SELECT_PERMIT} WHERE {where_} ORDER BY {} {}, p.id DESC LIMIT ${} OFFSET ${}",
        f.sort.column(),
        // Newest is descending by nature; `descending` flips every order.
        if (f.sort == PermitSort::Newest) != f.descending {
            "DESC"
        } else {
            "ASC"
        },
        n + 1,
        n + 2
    );
    let mut q = sqlx::query_as::<_, Permit>(&sql);
    for b in &binds {
        q = q.bind(b.clone());
    }
    if let Some(o) = office {
        q = q.bind(o);
    }
    let rows = q
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&mut *c)
        .await?;
    let count_sql = format!(
        "SELECT COUNT(*) FROM permits p JOIN foreigners f ON f.id = p.foreigner_id WHERE {where_}"
    );
    let mut cq = sqlx::query_scalar::<_, i64>(&count_sql);
    for b in &binds {
        cq = cq.bind(b.clone());
    }
    if let Some(o) = office {
        cq = cq.bind(o);
    }
    let total = cq.fetch_one(c).await?;
    Ok((rows, total))
}

/// One step in a permit's history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct PermitEvent {
    /// Row id.
    pub id: i64,
    /// When.
    pub at: i64,
    /// `issued`, `extended`, `converted`, `cancelled`, `suspended`, `resumed`, `exited`, …
    pub kind: String,
    /// Who.
    pub actor_id: Option<i64>,
    /// Status before.
    pub from_status: Option<String>,
    /// Status after.
    pub to_status: String,
    /// Valid-until after the event.
    pub valid_until: String,
    /// Reason given.
    pub reason: Option<String>,
}

/// A permit's history, oldest first.
pub async fn permit_events(c: &mut Conn, permit_id: i64) -> Result<Vec<PermitEvent>> {
    Ok(sqlx::query_as(
        "SELECT id, at, kind, actor_id, from_status, to_status, valid_until, reason FROM permit_events \
         WHERE permit_id = $1 ORDER BY id",
    )
    .bind(permit_id)
    .fetch_all(c)
    .await?)
}

/// Why a lifecycle transition was refused.
fn refuse(reason: String) -> StoreError {
    StoreError::Conflict(reason)
}

/// Moves a permit to `to` (cancel, suspend, resume, exit, deported, deceased, expire, converted),
/// recording the event. Final statuses cannot be left.
pub async fn change_status(
    c: &mut Conn,
    permit_id: i64,
    to: PermitStatus,
    event: &str,
    actor_id: Option<i64>,
    reason: Option<&str>,
    at: i64,
) -> Result<Permit> {
    let p = permit_by_id(c, permit_id).await?;
    if p.status.is_final() {
        return Err(refuse(format!(
            "permit {} is {} and cannot change",
            p.number, p.status
        )));
    }
    if p.status == to {
        return Err(refuse(format!("permit {} is already {}", p.number, to)));
    }
    sqlx::query("UPDATE permits SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(to.as_str())
        .bind(at)
        .bind(permit_id)
        .execute(&mut *c)
        .await?;
    let until = Date::parse("valid_until", &p.valid_until)?;
    add_event(
        c,
        permit_id,
        at,
        event,
        actor_id,
        Some(p.status),
        to,
        until,
        reason,
        "{}",
    )
    .await?;
    permit_by_id(c, permit_id).await
}

/// Extends an active permit to `new_until` (must be later than the current date).
pub async fn extend_permit(
    c: &mut Conn,
    permit_id: i64,
    new_until: Date,
    actor_id: Option<i64>,
    at: i64,
) -> Result<Permit> {
    let p = permit_by_id(c, permit_id).await?;
    if p.status != PermitStatus::Active {
        return Err(refuse(format!(
            "only an active permit can be extended; {} is {}",
            p.number, p.status
        )));
    }
    let until = Date::parse("valid_until", &p.valid_until)?;
    if new_until <= until {
        return Err(StoreError::Invalid {
            field: "valid_until",
            reason: format!("must be after the current {until}"),
        });
    }
    sqlx::query(
        "UPDATE permits SET valid_until = $1, updated_at = $2, credential = NULL WHERE id = $3",
    )
    .bind(new_until.to_string())
    .bind(at)
    .bind(permit_id)
    .execute(&mut *c)
    .await?;
    add_event(
        c,
        permit_id,
        at,
        "extended",
        actor_id,
        Some(p.status),
        p.status,
        new_until,
        None,
        "{}",
    )
    .await?;
    permit_by_id(c, permit_id).await
}

/// Stores the signed credential (QR text) of a permit.
pub async fn set_credential(c: &mut Conn, permit_id: i64, credential: &str) -> Result<()> {
    sqlx::query("UPDATE permits SET credential = $1 WHERE id = $2")
        .bind(credential)
        .bind(permit_id)
        .execute(c)
        .await?;
    Ok(())
}

/// The status-list entries of an office: `(index, status)` for every permit it issued.
pub async fn status_entries(c: &mut Conn, office_id: i64) -> Result<Vec<(i64, PermitStatus)>> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT status_list_index, status FROM permits WHERE issuing_office_id = $1 ORDER BY status_list_index")
            .bind(office_id)
            .fetch_all(c)
            .await?;
    rows.into_iter()
        .map(|(i, s)| {
            PermitStatus::parse("status", &s)
                .map(|s| (i, s))
                .map_err(|_| StoreError::Corrupt {
                    column: "permits.status",
                    value: s,
                })
        })
        .collect()
}

/// The instant of the last change to any permit of an office (for status-list ETags).
pub async fn status_version(c: &mut Conn, office_id: i64) -> Result<(i64, i64)> {
    let row: (Option<i64>, i64) = sqlx::query_as(
        "SELECT MAX(updated_at), COUNT(*) FROM permits WHERE issuing_office_id = $1",
    )
    .bind(office_id)
    .fetch_one(c)
    .await?;
    Ok((row.0.unwrap_or(0), row.1))
}

/// Marks active permits whose valid-until date is before `today` as expired; returns how many.
pub async fn expire_due(c: &mut Conn, today: Date, at: i64) -> Result<u64> {
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM permits WHERE status = 'active' AND valid_until < $1")
            .bind(today.to_string())
            .fetch_all(&mut *c)
            .await?;
    for id in &ids {
        change_status(c, *id, PermitStatus::Expired, "expired", None, None, at).await?;
    }
    Ok(ids.len() as u64)
}

// ---------------------------------------------------------------------------------------------
// Devices, signer keys, written orders

/// A field device.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct Device {
    /// Row id.
    pub id: i64,
    /// Label.
    pub label: String,
    /// Public key (base64 or hex as registered).
    pub public_key: String,
    /// Officer.
    pub officer_id: i64,
    /// Office.
    pub office_id: i64,
    /// `pending`, `approved`, `revoked`.
    pub state: String,
}

/// Registers a device in state `pending`; returns the id.
pub async fn register_device(
    c: &mut Conn,
    label: &str,
    public_key: &str,
    officer_id: i64,
    office_id: i64,
    at: i64,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO devices (label, public_key, officer_id, office_id, state, created_at) \
         VALUES ($1, $2, $3, $4, 'pending', $5) RETURNING id",
    )
    .bind(label)
    .bind(public_key)
    .bind(officer_id)
    .bind(office_id)
    .bind(at)
    .fetch_one(c)
    .await?)
}

/// A device by id.
pub async fn device_by_id(c: &mut Conn, id: i64) -> Result<Device> {
    sqlx::query_as(
        "SELECT id, label, public_key, officer_id, office_id, state FROM devices WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(c)
    .await?
    .ok_or(not_found("device"))
}

/// Devices of an office (or all).
pub async fn devices(c: &mut Conn, office_id: Option<i64>, page: Page) -> Result<Vec<Device>> {
    Ok(sqlx::query_as(
        "SELECT id, label, public_key, officer_id, office_id, state FROM devices \
         WHERE ($1 IS NULL OR office_id = $1) ORDER BY id LIMIT $2 OFFSET $3",
    )
    .bind(office_id)
    .bind(page.limit)
    .bind(page.offset)
    .fetch_all(c)
    .await?)
}

/// Approves or revokes a device (`approved` / `revoked`); a revoked device stays revoked, and its
/// API tokens are revoked with it.
pub async fn decide_device(c: &mut Conn, id: i64, state: &str, by: i64, at: i64) -> Result<Device> {
    let d = device_by_id(c, id).await?;
    if d.state == "revoked" {
        return Err(refuse("device is revoked".into()));
    }
    if !matches!(state, "approved" | "revoked") {
        return Err(StoreError::Invalid {
            field: "state",
            reason: "want approved or revoked".into(),
        });
    }
    sqlx::query("UPDATE devices SET state = $1, decided_by = $2, decided_at = $3 WHERE id = $4")
        .bind(state)
        .bind(by)
        .bind(at)
        .bind(id)
        .execute(&mut *c)
        .await?;
    if state == "revoked" {
        sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE device_id = $2 AND revoked_at IS NULL",
        )
        .bind(at)
        .bind(id)
        .execute(&mut *c)
        .await?;
    }
    device_by_id(c, id).await
}

/// A stored signer key (private half sealed by the server's key-encryption key).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct SignerKeyRow {
    /// Row id.
    pub id: i64,
    /// Key id as put in credentials.
    pub kid: String,
    /// Office.
    pub office_id: i64,
    /// `document_signer` or `trust_root`.
    pub usage: String,
    /// Algorithm name.
    pub algorithm: String,
    /// Public key, hex.
    pub public_key: String,
    /// Sealed private key, hex (nonce ‖ ciphertext).
    #[serde(skip_serializing)]
    pub sealed_private_key: String,
    /// Which key-encryption key sealed it.
    pub kek_id: String,
    /// `active`, `retired`, `compromised`.
    pub state: String,
    /// When it was created (unix seconds).
    pub created_at: i64,
    /// The root-signed certificate (hex) of a key certified by the offline national root; `None`
    /// for keys the server certifies itself (demo mode: the root held by the server).
    pub certificate: Option<String>,
}

/// Stores a signer key.
pub async fn insert_signer_key(c: &mut Conn, k: &SignerKeyRow) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO signer_keys (kid, office_id, usage, algorithm, public_key, sealed_private_key, kek_id, state, created_at, certificate) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(&k.kid)
    .bind(k.office_id)
    .bind(&k.usage)
    .bind(&k.algorithm)
    .bind(&k.public_key)
    .bind(&k.sealed_private_key)
    .bind(&k.kek_id)
    .bind(&k.state)
    .bind(k.created_at)
    .bind(&k.certificate)
    .fetch_one(c)
    .await?)
}

/// All signer keys (for the trust list), by id.
pub async fn signer_keys(c: &mut Conn) -> Result<Vec<SignerKeyRow>> {
    Ok(sqlx::query_as(
        "SELECT id, kid, office_id, usage, algorithm, public_key, sealed_private_key, kek_id, state, created_at, certificate \
         FROM signer_keys ORDER BY id",
    )
    .fetch_all(c)
    .await?)
}

/// Sets a signer key's state (`active`, `retired`, `compromised`).
pub async fn set_signer_key_state(c: &mut Conn, kid: &str, state: &str) -> Result<()> {
    sqlx::query("UPDATE signer_keys SET state = $1 WHERE kid = $2")
        .bind(state)
        .bind(kid)
        .execute(c)
        .await?;
    Ok(())
}

/// A trust list signed by the offline national root, as imported.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct TrustPublication {
    /// Row id.
    pub id: i64,
    /// The list's version (strictly increasing across imports).
    pub version: i64,
    /// The root's algorithm name.
    pub root_algorithm: String,
    /// The root public key, hex.
    pub root_public_key: String,
    /// The signed trust list (COSE), hex.
    pub trust_list: String,
    /// The list's issued-at (unix seconds).
    pub issued_at: i64,
    /// The list's next-update (unix seconds).
    pub next_update: i64,
    /// When it was imported (unix seconds).
    pub imported_at: i64,
}

/// Stores an imported trust list; returns the row id.
pub async fn insert_trust_publication(c: &mut Conn, t: &TrustPublication) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO trust_publications (version, root_algorithm, root_public_key, trust_list, issued_at, next_update, imported_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(t.version)
    .bind(&t.root_algorithm)
    .bind(&t.root_public_key)
    .bind(&t.trust_list)
    .bind(t.issued_at)
    .bind(t.next_update)
    .bind(t.imported_at)
    .fetch_one(c)
    .await?)
}

/// The newest imported trust list, if the root is offline.
pub async fn latest_trust_publication(c: &mut Conn) -> Result<Option<TrustPublication>> {
    Ok(sqlx::query_as(
        "SELECT id, version, root_algorithm, root_public_key, trust_list, issued_at, next_update, imported_at \
         FROM trust_publications ORDER BY version DESC LIMIT 1",
    )
    .fetch_optional(c)
    .await?)
}

/// A written order (surat perintah) for an operation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WrittenOrder {
    /// Row id.
    pub id: i64,
    /// Order number, e.g. `SP-123/2026`.
    pub number: String,
    /// Office.
    pub office_id: i64,
    /// Title.
    pub title: String,
    /// Area as a region code prefix (desa/kelurahan or kecamatan), for orders without a polygon.
    pub area_region_code: Option<String>,
    /// Area as polygons (drawn on the map or built from kecamatan), parsed once when read.
    pub area: Option<crate::area::Area>,
    /// Kecamatan the area was built from (empty when drawn, or without an area).
    pub area_kecamatan: Vec<String>,
    /// First day.
    pub starts_on: String,
    /// Last day.
    pub ends_on: String,
    /// `planned`, `closed` or `cancelled` (see [`crate::operations::STATUSES`]).
    pub status: String,
}

impl WrittenOrder {
    /// Whether the order covers checks and reads on `day` (YYYY-MM-DD): within its dates and not
    /// cancelled. A closed operation still covers the checks made while it ran (reports made
    /// offline arrive later).
    pub fn in_force_on(&self, day: &str) -> bool {
        self.status != "cancelled" && self.starts_on.as_str() <= day && day <= self.ends_on.as_str()
    }
}

/// Columns of `written_orders` that [`WrittenOrder`] is read from.
pub const WRITTEN_ORDER_COLUMNS: &str =
    "id, number, office_id, title, area_region_code, area_geojson, area_kecamatan, starts_on, ends_on, status";

impl<'r> FromRow<'r, sqlx::any::AnyRow> for WrittenOrder {
    fn from_row(row: &'r sqlx::any::AnyRow) -> std::result::Result<Self, sqlx::Error> {
        use sqlx::Row as _;
        let area: Option<String> = row.try_get("area_geojson")?;
        let area = area
            .map(|t| crate::area::Area::from_stored(&t))
            .transpose()
            .map_err(|e| sqlx::Error::ColumnDecode {
                index: "area_geojson".into(),
                source: Box::new(e),
            })?;
        Ok(WrittenOrder {
            id: row.try_get("id")?,
            number: row.try_get("number")?,
            office_id: row.try_get("office_id")?,
            title: row.try_get("title")?,
            area_region_code: row.try_get("area_region_code")?,
            area,
            area_kecamatan: row
                .try_get::<Option<String>, _>("area_kecamatan")?
                .map(|k| k.split(',').map(str::to_owned).collect())
                .unwrap_or_default(),
            starts_on: row.try_get("starts_on")?,
            ends_on: row.try_get("ends_on")?,
            status: row.try_get("status")?,
        })
    }
}

/// Creates a written order; returns the id.
#[allow(clippy::too_many_arguments)]
pub async fn create_written_order(
    c: &mut Conn,
    number: &str,
    office_id: i64,
    title: &str,
    area: Option<&str>,
    starts_on: Date,
    ends_on: Date,
    by: Option<i64>,
    at: i64,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO written_orders (number, office_id, title, area_region_code, starts_on, ends_on, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(number)
    .bind(office_id)
    .bind(title)
    .bind(area)
    .bind(starts_on.to_string())
    .bind(ends_on.to_string())
    .bind(by)
    .bind(at)
    .fetch_one(c)
    .await?)
}

/// A written order by number.
pub async fn written_order(c: &mut Conn, number: &str) -> Result<Option<WrittenOrder>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {WRITTEN_ORDER_COLUMNS} FROM written_orders WHERE number = $1"
    ))
    .bind(number)
    .fetch_optional(c)
    .await?)
}

// ---------------------------------------------------------------------------------------------
// Field checks, stay reports, corrections, alerts

/// A field check report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct CheckReport {
    /// Row id.
    pub id: i64,
    /// NIORA of the person checked (joined), for audit entries.
    pub niora: Option<String>,
    /// When (unix seconds).
    pub at: i64,
    /// Officer.
    pub officer_id: i64,
    /// Device.
    pub device_id: Option<i64>,
    /// Office.
    pub office_id: i64,
    /// Permit checked.
    pub permit_id: Option<i64>,
    /// Person checked.
    pub foreigner_id: Option<i64>,
    /// Verifier verdict code.
    pub verdict: String,
    /// `ok`, `incomplete`, `finding`, `not_found`, `forged`.
    pub outcome: String,
    /// Written order.
    pub written_order_id: Option<i64>,
    /// 1 when checked without an order (caught in the act).
    pub caught_in_act: i64,
    /// Latitude.
    pub lat: Option<f64>,
    /// Longitude.
    pub lng: Option<f64>,
    /// Region code.
    pub region_code: Option<String>,
    /// Notes.
    pub notes: Option<String>,
    /// JSON details (device signature, …).
    pub details: String,
}

/// A check to record.
#[derive(Clone, Debug)]
pub struct NewCheck {
    /// When.
    pub at: i64,
    /// Officer.
    pub officer_id: i64,
    /// Device.
    pub device_id: Option<i64>,
    /// Office.
    pub office_id: i64,
    /// Permit.
    pub permit_id: Option<i64>,
    /// Person.
    pub foreigner_id: Option<i64>,
    /// Verdict code.
    pub verdict: String,
    /// Outcome.
    pub outcome: &'static str,
    /// Written order.
    pub written_order_id: Option<i64>,
    /// Caught in the act.
    pub caught_in_act: bool,
    /// Position.
    pub position: Option<(f64, f64)>,
    /// Region.
    pub region_code: Option<RegionCode>,
    /// Notes.
    pub notes: Option<String>,
    /// JSON details.
    pub details: String,
}

/// Records a check; returns the id.
pub async fn insert_check(c: &mut Conn, k: &NewCheck) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO check_reports (at, officer_id, device_id, office_id, permit_id, foreigner_id, verdict, outcome, \
         written_order_id, caught_in_act, lat, lng, region_code, notes, details) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
    )
    .bind(k.at)
    .bind(k.officer_id)
    .bind(k.device_id)
    .bind(k.office_id)
    .bind(k.permit_id)
    .bind(k.foreigner_id)
    .bind(&k.verdict)
    .bind(k.outcome)
    .bind(k.written_order_id)
    .bind(i64::from(k.caught_in_act))
    .bind(k.position.map(|p| p.0))
    .bind(k.position.map(|p| p.1))
    .bind(k.region_code.as_ref().map(|r| r.as_str().to_owned()))
    .bind(&k.notes)
    .bind(&k.details)
    .fetch_one(c)
    .await?)
}

/// Checks of an office (or all), newest first.
pub async fn checks(c: &mut Conn, office_id: Option<i64>, page: Page) -> Result<Vec<CheckReport>> {
    Ok(sqlx::query_as(
        "SELECT k.id, f.niora, k.at, k.officer_id, k.device_id, k.office_id, k.permit_id, k.foreigner_id, k.verdict, \
         k.outcome, k.written_order_id, k.caught_in_act, k.lat, k.lng, k.region_code, k.notes, k.details \
         FROM check_reports k LEFT JOIN foreigners f ON f.id = k.foreigner_id WHERE ($1 IS NULL OR k.office_id = $1) \
         ORDER BY k.at DESC, k.id DESC LIMIT $2 OFFSET $3",
    )
    .bind(office_id)
    .bind(page.limit)
    .bind(page.offset)
    .fetch_all(c)
    .await?)
}

/// A stay report (APOA: hotel, kost or landlord reporting a guest).
#[derive(Clone, Debug)]
pub struct NewStayReport {
    /// Guest.
    pub foreigner_id: i64,
    /// `hotel`, `kost`, `landlord`, `self`.
    pub reporter_kind: &'static str,
    /// Reporter name.
    pub reporter_name: String,
    /// Check-in.
    pub check_in: Date,
    /// Check-out.
    pub check_out: Option<Date>,
    /// Region.
    pub region_code: RegionCode,
    /// Position.
    pub position: Option<(f64, f64)>,
}

/// Records a stay report; returns the id.
pub async fn insert_stay_report(c: &mut Conn, s: &NewStayReport, at: i64) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO stay_reports (foreigner_id, reporter_kind, reporter_name, check_in, check_out, region_code, lat, lng, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(s.foreigner_id)
    .bind(s.reporter_kind)
    .bind(&s.reporter_name)
    .bind(s.check_in.to_string())
    .bind(s.check_out.map(|d| d.to_string()))
    .bind(s.region_code.as_str())
    .bind(s.position.map(|p| p.0))
    .bind(s.position.map(|p| p.1))
    .bind(at)
    .fetch_one(c)
    .await?)
}

/// An alert for supervisors.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct Alert {
    /// Row id.
    pub id: i64,
    /// NIORA of the person concerned (joined), for audit entries.
    pub niora: Option<String>,
    /// Kind.
    pub kind: String,
    /// Office.
    pub office_id: i64,
    /// Permit.
    pub permit_id: Option<i64>,
    /// Person.
    pub foreigner_id: Option<i64>,
    /// Check that raised it.
    pub check_id: Option<i64>,
    /// When.
    pub created_at: i64,
    /// When resolved.
    pub resolved_at: Option<i64>,
    /// JSON details.
    pub details: String,
}

/// Raises an alert; returns the id.
#[allow(clippy::too_many_arguments)]
pub async fn insert_alert(
    c: &mut Conn,
    kind: &str,
    office_id: i64,
    permit_id: Option<i64>,
    foreigner_id: Option<i64>,
    check_id: Option<i64>,
    details: &serde_json::Value,
    at: i64,
) -> Result<i64> {
    crate::field::insert_alert(
        c,
        &crate::field::NewAlert {
            kind: kind.to_owned(),
            office_id,
            permit_id,
            foreigner_id,
            check_id,
            device_id: None,
            officer_id: None,
            report_id: None,
            reason: String::new(),
            details: details.clone(),
            at,
        },
    )
    .await
}

/// Open alerts of an office (or all), newest first.
pub async fn open_alerts(c: &mut Conn, office_id: Option<i64>, page: Page) -> Result<Vec<Alert>> {
    Ok(sqlx::query_as(
        "SELECT a.id, f.niora, a.kind, a.office_id, a.permit_id, a.foreigner_id, a.check_id, a.created_at, a.resolved_at, \
         a.details FROM alerts a LEFT JOIN foreigners f ON f.id = a.foreigner_id \
         WHERE a.resolved_at IS NULL AND ($1 IS NULL OR a.office_id = $1) ORDER BY a.id DESC LIMIT $2 OFFSET $3",
    )
    .bind(office_id)
    .bind(page.limit)
    .bind(page.offset)
    .fetch_all(c)
    .await?)
}

/// Raises an `expiring` alert for every active permit whose last day falls within `days` of `today`
/// and that has no open one yet (the week-ahead expiry reminders); returns how many were raised.
pub async fn raise_expiry_alerts(c: &mut Conn, today: Date, days: i64, at: i64) -> Result<u64> {
    let r = sqlx::query(
        "INSERT INTO alerts (kind, office_id, permit_id, foreigner_id, created_at, details) \
         SELECT 'expiring', p.issuing_office_id, p.id, p.foreigner_id, $1, '{\"reminder\":true}' FROM permits p \
         WHERE p.status = 'active' AND p.valid_until >= $2 AND p.valid_until <= $3 \
         AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.permit_id = p.id AND a.kind = 'expiring' AND a.resolved_at IS NULL)",
    )
    .bind(at)
    .bind(today.to_string())
    .bind(today.add_days(days).to_string())
    .execute(c)
    .await?;
    Ok(r.rows_affected())
}

/// One desa/kelurahan on the supervision map.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RegionCount {
    /// Kemendagri code.
    pub region_code: String,
    /// Name, when the region reference table has it.
    pub name: Option<String>,
    /// Foreigners whose current declared address is here.
    pub residents: i64,
    /// Field checks made here since the cut-off.
    pub checks: i64,
    /// Of those, checks with a finding (anything but `ok`).
    pub findings: i64,
}

/// The supervision map (peta pengawasan): per desa/kelurahan, residents, checks and findings since
/// `since` (unix seconds), for one office or all.
pub async fn map_counts(
    c: &mut Conn,
    office_id: Option<i64>,
    since: i64,
) -> Result<Vec<RegionCount>> {
    let mut map: std::collections::BTreeMap<String, RegionCount> =
        std::collections::BTreeMap::new();
    let residents: Vec<(String, i64)> = sqlx::query_as(
        "SELECT a.region_code, COUNT(DISTINCT a.foreigner_id) FROM addresses a JOIN foreigners f ON f.id = a.foreigner_id \
         WHERE a.valid_until IS NULL AND ($1 IS NULL OR f.office_id = $1) GROUP BY a.region_code",
    )
    .bind(office_id)
    .fetch_all(&mut *c)
    .await?;
    for (code, n) in residents {
        map.entry(code.clone())
            .or_insert_with(|| RegionCount {
                region_code: code,
                ..Default::default()
            })
            .residents = n;
    }
    let checks: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT region_code, COUNT(*), SUM(CASE WHEN outcome = 'ok' THEN 0 ELSE 1 END) FROM check_reports \
         WHERE region_code IS NOT NULL AND at >= $2 AND ($1 IS NULL OR office_id = $1) GROUP BY region_code",
    )
    .bind(office_id)
    .bind(since)
    .fetch_all(&mut *c)
    .await?;
    for (code, n, f) in checks {
        let e = map.entry(code.clone()).or_insert_with(|| RegionCount {
            region_code: code,
            ..Default::default()
        });
        e.checks = n;
        e.findings = f;
    }
    let names: Vec<(String, String)> =
        sqlx::query_as("SELECT code, name FROM regions WHERE level = 'desa_kelurahan'")
            .fetch_all(&mut *c)
            .await?;
    for (code, name) in names {
        if let Some(e) = map.get_mut(&code) {
            e.name = Some(name);
        }
    }
    Ok(map.into_values().collect())
}

/// Row counts of the main tables (for `/metrics` and the demo summary).
pub async fn table_counts(c: &mut Conn) -> Result<Vec<(&'static str, i64)>> {
    let mut out = Vec::new();
    for t in [
        "offices",
        "users",
        "foreigners",
        "sponsors",
        "permits",
        "permit_events",
        "devices",
        "check_reports",
        "stay_reports",
        "alerts",
        "audit_log",
    ] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {t}"))
            .fetch_one(&mut *c)
            .await?;
        out.push((t, n));
    }
    Ok(out)
}
