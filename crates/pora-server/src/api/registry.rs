//! The registry: foreigners, passports, addresses, sponsors and employers. Every read of a person's
//! record appends an audit entry with the caller's purpose before the data leaves the server.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json};
use pora_store::audit::NewEntry;
use pora_store::model::{
    check_position, now_unix, Date, Nationality, Nib, Nik, Niora, Npwp, PassportNumber, Purpose,
    PurposeKind, RegionCode, Sex,
};
use pora_store::repo::{self, NewAddress, NewForeigner, NewSponsor};
use serde::Deserialize;
use serde_json::json;

use super::{own_office, purpose, ApiJson};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// An address in a request.
#[derive(Debug, Deserialize)]
pub struct AddressBody {
    /// Street line.
    pub line: String,
    /// Kemendagri code `PP.KK.CC.DDDD`.
    pub region_code: String,
    /// Latitude.
    pub lat: Option<f64>,
    /// Longitude.
    pub lng: Option<f64>,
    /// From (default today).
    pub valid_from: Option<String>,
}

impl AddressBody {
    /// Validates into a new address.
    pub fn parse(
        &self,
        prefix: &'static str,
        foreigner_id: Option<i64>,
        source: &'static str,
    ) -> ApiResult<NewAddress> {
        let field = |f: &'static str| -> &'static str {
            match (prefix, f) {
                ("address", "region_code") => "address.region_code",
                ("address", "line") => "address.line",
                ("address", "lat") => "address.lat",
                ("address", "valid_from") => "address.valid_from",
                (_, f) => f,
            }
        };
        if self.line.trim().is_empty() || self.line.len() > 200 {
            return Err(ApiError::invalid(field("line"), "1-200 characters"));
        }
        let region_code = RegionCode::parse(field("region_code"), &self.region_code)?;
        let position = match (self.lat, self.lng) {
            (Some(lat), Some(lng)) => {
                check_position(lat, lng)?;
                Some((lat, lng))
            }
            (None, None) => None,
            _ => {
                return Err(ApiError::invalid(
                    field("lat"),
                    "give both lat and lng, or neither",
                ))
            }
        };
        let valid_from = match &self.valid_from {
            Some(s) => Date::parse(field("valid_from"), s)?,
            None => Date::from_unix(now_unix()),
        };
        Ok(NewAddress {
            foreigner_id,
            line: self.line.trim().to_owned(),
            region_code,
            position,
            source,
            valid_from,
        })
    }
}

/// A passport in a request.
#[derive(Debug, Deserialize)]
pub struct PassportBody {
    /// Number.
    pub number: String,
    /// Issuing state, alpha-3.
    pub issuing_state: String,
    /// Expiry.
    pub expiry_date: String,
}

/// Foreigner to register.
#[derive(Debug, Deserialize)]
pub struct NewForeignerBody {
    /// NIORA.
    pub niora: String,
    /// Full name.
    pub full_name: String,
    /// MRZ transliteration (derived from the name when absent).
    pub mrz_name: Option<String>,
    /// M / F / X.
    pub sex: String,
    /// Place of birth.
    pub birth_place: String,
    /// Date of birth.
    pub birth_date: String,
    /// Alpha-3.
    pub nationality: String,
    /// Occupation.
    pub occupation: Option<String>,
    /// First passport.
    pub passport: Option<PassportBody>,
    /// First address.
    pub address: Option<AddressBody>,
}

/// MRZ-style transliteration: upper-case A-Z, other characters folded or turned into `<`, at most 40.
pub fn mrz_of(name: &str) -> String {
    let mut out = String::new();
    for ch in name.chars() {
        let c = match ch {
            'a'..='z' | 'A'..='Z' => ch.to_ascii_uppercase(),
            'à'..='å' | 'À'..='Å' => 'A',
            'è'..='ë' | 'È'..='Ë' => 'E',
            'ì'..='ï' | 'Ì'..='Ï' => 'I',
            'ò'..='ö' | 'Ò'..='Ö' => 'O',
            'ù'..='ü' | 'Ù'..='Ü' => 'U',
            _ => '<',
        };
        if !(c == '<' && out.ends_with('<')) {
            out.push(c);
        }
    }
    let t = out.trim_matches('<');
    t.chars().take(40).collect()
}

fn registration_purpose() -> Purpose {
    Purpose {
        kind: PurposeKind::Issuance,
        reference: "registration".into(),
    }
}

/// `POST /api/v1/foreigners`.
pub async fn register_foreigner(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiJson(b): ApiJson<NewForeignerBody>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let (office_id, _) = own_office(&p)?;
    let niora = Niora::parse("niora", &b.niora)?;
    if b.full_name.trim().is_empty() || b.full_name.chars().count() > 100 {
        return Err(ApiError::invalid("full_name", "1-100 characters"));
    }
    let mrz_name = match &b.mrz_name {
        Some(m)
            if !m.is_empty()
                && m.len() <= 40
                && m.bytes().all(|c| c.is_ascii_uppercase() || c == b'<') =>
        {
            m.clone()
        }
        Some(_) => return Err(ApiError::invalid("mrz_name", "1-40 characters A-Z or '<'")),
        None => mrz_of(&b.full_name),
    };
    if mrz_name.is_empty() {
        return Err(ApiError::invalid(
            "mrz_name",
            "the name has no Latin letters; give mrz_name",
        ));
    }
    let birth_date = Date::parse("birth_date", &b.birth_date)?;
    if birth_date > Date::from_unix(now_unix()) {
        return Err(ApiError::invalid("birth_date", "in the future"));
    }
    let f = NewForeigner {
        niora,
        full_name: b.full_name.trim().to_owned(),
        mrz_name,
        sex: Sex::parse("sex", &b.sex)?,
        birth_place: b.birth_place.trim().to_owned(),
        birth_date,
        nationality: Nationality::parse("nationality", &b.nationality)?,
        occupation: b.occupation.clone(),
        office_id,
    };
    let passport = match &b.passport {
        Some(pp) => Some((
            PassportNumber::parse("passport.number", &pp.number)?,
            Nationality::parse("passport.issuing_state", &pp.issuing_state)?,
            Date::parse("passport.expiry_date", &pp.expiry_date)?,
        )),
        None => None,
    };
    let address = b
        .address
        .as_ref()
        .map(|a| a.parse("address", None, "declared"))
        .transpose()?;
    let now = now_unix();
    let mut tx = state.store.begin_audited().await?;
    let id = repo::create_foreigner(tx.conn(), &f, now)
        .await
        .map_err(ApiError::unless_taken(
            "niora",
            "this NIORA is already registered",
        ))?;
    if let Some((n, s, e)) = &passport {
        repo::add_passport(tx.conn(), id, n, s, *e, now)
            .await
            .map_err(ApiError::unless_taken(
                "passport.number",
                "this passport is already registered",
            ))?;
    }
    if let Some(mut a) = address {
        a.foreigner_id = Some(id);
        repo::add_address(tx.conn(), &a, now).await?;
    }
    tx.append(NewEntry {
        actor: p.actor(),
        action: "person.register".into(),
        subject_kind: "person".into(),
        subject_id: f.niora.to_string(),
        purpose: registration_purpose(),
        details: json!({}),
    })
    .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": id, "niora": f.niora })),
    ))
}

/// `?purpose=` on reads.
#[derive(Debug, Default, Deserialize)]
pub struct PurposeQuery {
    /// Purpose when the header is not used.
    pub purpose: Option<String>,
}

/// `GET /api/v1/foreigners/{niora}`: the person's record (audited).
pub async fn person_record(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(niora): Path<String>,
    Query(q): Query<PurposeQuery>,
    headers: HeaderMap,
) -> ApiResult<Json<serde_json::Value>> {
    let niora = Niora::parse("niora", &niora)?;
    let purpose = purpose(&state, &p, &headers, q.purpose.as_deref()).await?;
    let mut c = state.store.conn().await?;
    let f = repo::foreigner_by_niora(&mut c, niora.as_str()).await?;
    p.require_scope(f.office_id)?;
    let passports = repo::passports_of(&mut c, f.id).await?;
    let addresses = repo::addresses_of(&mut c, f.id).await?;
    let permits = repo::permits_of(&mut c, f.id).await?;
    drop(c);
    state
        .store
        .audit_append(NewEntry {
            actor: p.actor(),
            action: "person.read".into(),
            subject_kind: "person".into(),
            subject_id: f.niora.clone(),
            purpose,
            details: json!({ "view": "record" }),
        })
        .await?;
    Ok(Json(
        json!({ "foreigner": f, "passports": passports, "addresses": addresses, "permits": permits }),
    ))
}

/// `POST /api/v1/foreigners/{niora}/addresses`: a declared address (issuing) or a re-registration in
/// the field (field officers).
pub async fn add_address(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(niora): Path<String>,
    ApiJson(b): ApiJson<AddressBody>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let niora = Niora::parse("niora", &niora)?;
    let source = if p.role == pora_store::model::Role::FieldOfficer {
        "field_check"
    } else {
        "declared"
    };
    let mut tx = state.store.begin_audited().await?;
    let f = repo::foreigner_by_niora(tx.conn(), niora.as_str()).await?;
    p.require_scope(f.office_id)?;
    let a = b.parse("", Some(f.id), source)?;
    let id = repo::add_address(tx.conn(), &a, now_unix()).await?;
    tx.append(NewEntry {
        actor: p.actor(),
        action: "person.address".into(),
        subject_kind: "person".into(),
        subject_id: f.niora.clone(),
        purpose: Purpose {
            kind: PurposeKind::Issuance,
            reference: "address".into(),
        },
        details: json!({ "region_code": a.region_code, "source": source }),
    })
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

/// `POST /api/v1/foreigners/{niora}/passports`.
pub async fn add_passport(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(niora): Path<String>,
    ApiJson(b): ApiJson<PassportBody>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let niora = Niora::parse("niora", &niora)?;
    let number = PassportNumber::parse("number", &b.number)?;
    let state_ = Nationality::parse("issuing_state", &b.issuing_state)?;
    let expiry = Date::parse("expiry_date", &b.expiry_date)?;
    let mut tx = state.store.begin_audited().await?;
    let f = repo::foreigner_by_niora(tx.conn(), niora.as_str()).await?;
    p.require_scope(f.office_id)?;
    let id = repo::add_passport(tx.conn(), f.id, &number, &state_, expiry, now_unix())
        .await
        .map_err(ApiError::unless_taken(
            "number",
            "this passport is already registered",
        ))?;
    tx.append(NewEntry {
        actor: p.actor(),
        action: "person.passport".into(),
        subject_kind: "person".into(),
        subject_id: f.niora.clone(),
        purpose: registration_purpose(),
        details: json!({}),
    })
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

/// Sponsor to register.
#[derive(Debug, Deserialize)]
pub struct NewSponsorBody {
    /// `company` or `person`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// NIB (company, 13 digits).
    pub nib: Option<String>,
    /// NPWP (company, 15/16 digits).
    pub npwp: Option<String>,
    /// NIK (person, 16 digits).
    pub nik: Option<String>,
    /// Address.
    pub address: Option<AddressBody>,
}

/// `POST /api/v1/sponsors`.
pub async fn create_sponsor(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiJson(b): ApiJson<NewSponsorBody>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let (office_id, _) = own_office(&p)?;
    if b.name.trim().is_empty() || b.name.len() > 200 {
        return Err(ApiError::invalid("name", "1-200 characters"));
    }
    let s = match b.kind.as_str() {
        "company" => NewSponsor::Company {
            name: b.name.trim().into(),
            nib: Nib::parse("nib", b.nib.as_deref().unwrap_or(""))?,
            npwp: Npwp::parse("npwp", b.npwp.as_deref().unwrap_or(""))?,
        },
        "person" => NewSponsor::Person {
            name: b.name.trim().into(),
            nik: Nik::parse("nik", b.nik.as_deref().unwrap_or(""))?,
        },
        _ => return Err(ApiError::invalid("kind", "want company or person")),
    };
    let address = b
        .address
        .as_ref()
        .map(|a| a.parse("address", None, "sponsor"))
        .transpose()?;
    let now = now_unix();
    let mut tx = state.store.begin_audited().await?;
    let address_id = match &address {
        Some(a) => Some(repo::add_address(tx.conn(), a, now).await?),
        None => None,
    };
    let (field, taken) = match s {
        NewSponsor::Company { .. } => ("nib", "a sponsor with this NIB is already registered"),
        NewSponsor::Person { .. } => ("nik", "a sponsor with this NIK is already registered"),
    };
    let id = repo::create_sponsor(tx.conn(), &s, address_id, office_id, now)
        .await
        .map_err(ApiError::unless_taken(field, taken))?;
    tx.append(NewEntry {
        actor: p.actor(),
        action: "sponsor.create".into(),
        subject_kind: "sponsor".into(),
        subject_id: id.to_string(),
        purpose: registration_purpose(),
        details: json!({ "kind": b.kind }),
    })
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

/// `GET /api/v1/sponsors` query.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SponsorQuery {
    /// Part of the name, or a whole NIB or NIK.
    pub q: Option<String>,
    /// Page size.
    pub limit: Option<i64>,
    /// Offset.
    pub offset: Option<i64>,
    /// Purpose when the header is not used.
    pub purpose: Option<String>,
}

/// A sponsor as the picker shows it: a person sponsor's NIK is masked to its last four digits.
fn sponsor_json(s: &repo::Sponsor) -> serde_json::Value {
    let nik = s.nik.as_deref().map(|n| {
        let keep = n.len().saturating_sub(4);
        format!("{}{}", "•".repeat(keep), &n[keep..])
    });
    json!({ "id": s.id, "kind": s.kind, "name": s.name, "nib": s.nib, "npwp": s.npwp, "nik": nik })
}

/// `GET /api/v1/sponsors`: the sponsors of the caller's office matching `q`, for the issuance form's
/// picker. A person sponsor is personal data: each one shown is an audited read with the purpose.
pub async fn list_sponsors(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Query(q): Query<SponsorQuery>,
    headers: HeaderMap,
) -> ApiResult<Json<super::List<serde_json::Value>>> {
    let page = super::Paging {
        limit: q.limit,
        offset: q.offset,
    }
    .page()?;
    let text = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty());
    if text.is_some_and(|t| t.chars().count() > 100) {
        return Err(ApiError::invalid("q", "at most 100 characters"));
    }
    let purpose = purpose(&state, &p, &headers, q.purpose.as_deref()).await?;
    let mut c = state.store.conn().await?;
    let rows = repo::sponsors(&mut c, p.office_id, text, page).await?;
    drop(c);
    let people: Vec<String> = rows
        .iter()
        .filter(|s| s.kind == "person")
        .map(|s| s.id.to_string())
        .collect();
    super::field::audit_shown(
        &state,
        &p,
        &purpose,
        "sponsor.search",
        "sponsor",
        people.iter().map(String::as_str),
    )
    .await?;
    Ok(Json(super::List::new(
        rows.iter().map(sponsor_json).collect(),
        page,
        None,
    )))
}

/// Employer to register.
#[derive(Debug, Deserialize)]
pub struct NewEmployerBody {
    /// Name.
    pub name: String,
    /// NIB.
    pub nib: Option<String>,
    /// Sponsor id, when the employer is the sponsor.
    pub sponsor_id: Option<i64>,
    /// Work location.
    pub address: Option<AddressBody>,
}

/// `POST /api/v1/employers`.
pub async fn create_employer(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiJson(b): ApiJson<NewEmployerBody>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    if b.name.trim().is_empty() || b.name.len() > 200 {
        return Err(ApiError::invalid("name", "1-200 characters"));
    }
    let nib = b.nib.as_deref().map(|n| Nib::parse("nib", n)).transpose()?;
    let address = b
        .address
        .as_ref()
        .map(|a| a.parse("address", None, "sponsor"))
        .transpose()?;
    let now = now_unix();
    let mut tx = state.store.begin_audited().await?;
    if let Some(s) = b.sponsor_id {
        let sp = repo::sponsor_by_id(tx.conn(), s)
            .await
            .map_err(|_| ApiError::invalid("sponsor_id", "unknown sponsor"))?;
        p.require_scope(sp.office_id)?;
    }
    let address_id = match &address {
        Some(a) => Some(repo::add_address(tx.conn(), a, now).await?),
        None => None,
    };
    let id = repo::create_employer(
        tx.conn(),
        b.name.trim(),
        nib.as_ref().map(|n| n.as_str()),
        b.sponsor_id,
        address_id,
        now,
    )
    .await?;
    tx.append(NewEntry {
        actor: p.actor(),
        action: "employer.create".into(),
        subject_kind: "employer".into(),
        subject_id: id.to_string(),
        purpose: registration_purpose(),
        details: json!({}),
    })
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

#[cfg(test)]
mod tests {
    use super::mrz_of;

    #[test]
    fn mrz_transliteration() {
        assert_eq!(mrz_of("Tanaka Hiroshi"), "TANAKA<HIROSHI");
        assert_eq!(
            mrz_of("José  Müller-Lüdenscheidt"),
            "JOSE<MULLER<LUDENSCHEIDT"
        );
        assert_eq!(mrz_of("김민준"), "");
        assert_eq!(mrz_of(&"A".repeat(50)).len(), 40);
    }
}
