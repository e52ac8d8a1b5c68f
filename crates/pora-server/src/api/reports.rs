//! The field device's side: enrolment details (device id and the office's doc-hash key), batch upload
//! of signed check reports, and corrections (pendataan ulang) attached to a report.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use base64::Engine as _;
use pora_store::audit::NewEntry;
use pora_store::field;
use pora_store::model::{check_position, now_unix, Purpose, PurposeKind, RegionCode};
use pora_store::repo;
use serde::Deserialize;
use serde_json::{json, Value};

use super::ApiJson;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::ingest::{self, BatchResult, Uploader, MAX_BATCH};
use crate::state::AppState;

/// Largest upload body, bytes (a full batch of reports of the maximum size, base64url).
pub const MAX_UPLOAD_BYTES: usize = 2 * 1024 * 1024;

/// `GET /api/v1/devices/{id}/enrolment`: for the officer the device is enrolled to, the device id to
/// put in reports, its state, and, once approved, the office's doc-hash key (hex).
pub async fn enrolment(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let mut c = state.store.conn().await?;
    let d = field::device_key(&mut c, id)
        .await?
        .filter(|d| d.officer_id == p.user_id)
        .ok_or_else(|| ApiError::not_found("device"))?;
    let key = if d.state == "approved" {
        drop(c);
        let mut tx = state.store.tx().await?;
        let key = ingest::doc_hash_key(&state, &mut tx, d.office_id).await?;
        tx.commit().await.map_err(pora_store::StoreError::from)?;
        Some(hex::encode(key.as_slice()))
    } else {
        None
    };
    // The device is enrolled to the caller, so its office is the caller's.
    let office = p.office_code.clone();
    Ok(Json(json!({
        "id": d.id,
        "device": d.id.to_string(),
        "officer": d.officer,
        "office": office,
        "state": d.state,
        "algorithm": d.algorithm,
        "doc_hash_key": key,
    })))
}

/// Body of `POST /api/v1/field/reports`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadBody {
    /// Signed reports, each the tagged COSE_Sign1 bytes in base64url without padding.
    pub reports: Vec<String>,
}

/// `POST /api/v1/field/reports`: a batch of signed check reports from the caller's devices
/// (see [`crate::ingest`]). Answers 200 with `accepted`, `duplicates` and `rejected` once the batch
/// is committed.
pub async fn upload(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    body: Body,
) -> ApiResult<Json<BatchResult>> {
    let bytes = axum::body::to_bytes(body, MAX_UPLOAD_BYTES)
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                format!("an upload is at most {MAX_UPLOAD_BYTES} bytes; send smaller batches"),
            )
        })?;
    let b: UploadBody = super::parse_json(&bytes)?;
    if b.reports.len() > MAX_BATCH {
        return Err(ApiError::invalid(
            "reports",
            format!("at most {MAX_BATCH} reports per batch"),
        ));
    }
    let mut raw = Vec::with_capacity(b.reports.len());
    for (i, r) in b.reports.iter().enumerate() {
        let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(r.trim_end_matches('='))
            .map_err(|e| {
                ApiError::invalid(format!("reports[{i}]"), format!("not base64url: {e}"))
            })?;
        raw.push(decoded);
    }
    let uploader = Uploader {
        user_id: Some(p.user_id),
        actor: p.actor(),
    };
    Ok(Json(ingest::ingest(&state, &uploader, raw).await?))
}

/// An address found in the field.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddressValue {
    /// Street line.
    pub line: String,
    /// Desa/kelurahan code.
    pub region_code: String,
    /// Latitude.
    pub lat: Option<f64>,
    /// Longitude.
    pub lng: Option<f64>,
}

/// One correction: exactly one of the fields.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorrectionItem {
    /// A new address.
    pub address: Option<AddressValue>,
    /// The employer actually found.
    pub employer: Option<String>,
    /// The occupation actually found.
    pub occupation: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Civil status: `single`, `married`, `divorced`, `widowed`.
    pub civil_status: Option<String>,
}

/// Body of `POST /api/v1/field/reports/{id}/corrections`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorrectionsBody {
    /// The corrections (1-10).
    pub corrections: Vec<CorrectionItem>,
}

/// Civil statuses a correction may record.
pub const CIVIL_STATUSES: &[&str] = &["single", "married", "divorced", "widowed"];

fn text(field: &str, v: &str, max: usize) -> ApiResult<String> {
    let t = v.trim();
    if t.is_empty() || t.len() > max || t.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            field.to_owned(),
            format!("1-{max} printable characters"),
        ));
    }
    Ok(t.to_owned())
}

/// Parses one correction to (field, value as stored).
fn parse_correction(i: usize, k: &CorrectionItem) -> ApiResult<(&'static str, String)> {
    let set = [
        k.address.is_some(),
        k.employer.is_some(),
        k.occupation.is_some(),
        k.phone.is_some(),
        k.civil_status.is_some(),
    ];
    if set.iter().filter(|x| **x).count() != 1 {
        return Err(ApiError::invalid(
            format!("corrections[{i}]"),
            "give exactly one of address, employer, occupation, phone, civil_status",
        ));
    }
    let f = |name: &str| format!("corrections[{i}].{name}");
    if let Some(a) = &k.address {
        let line = text(&f("address.line"), &a.line, 200)?;
        let region = RegionCode::parse("region_code", &a.region_code)
            .map_err(|_| ApiError::invalid(f("address.region_code"), "want PP.KK.CC.DDDD"))?;
        match (a.lat, a.lng) {
            (Some(la), Some(lo)) => check_position(la, lo)
                .map_err(|e| ApiError::invalid(f("address.lat"), e.to_string()))?,
            (None, None) => {}
            _ => {
                return Err(ApiError::invalid(
                    f("address.lat"),
                    "give both lat and lng, or neither",
                ))
            }
        }
        return Ok((
            "address",
            json!({ "line": line, "region_code": region.as_str(), "lat": a.lat, "lng": a.lng })
                .to_string(),
        ));
    }
    if let Some(e) = &k.employer {
        return Ok(("employer", text(&f("employer"), e, 200)?));
    }
    if let Some(o) = &k.occupation {
        return Ok(("occupation", text(&f("occupation"), o, 100)?));
    }
    if let Some(ph) = &k.phone {
        let t = ph.trim();
        let digits = t.strip_prefix('+').unwrap_or(t);
        if !(6..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ApiError::invalid(
                f("phone"),
                "6-15 digits, optionally after '+'",
            ));
        }
        return Ok(("phone", t.to_owned()));
    }
    let cs = k.civil_status.as_deref().unwrap_or_default();
    if !CIVIL_STATUSES.contains(&cs) {
        return Err(ApiError::invalid(
            f("civil_status"),
            "want single, married, divorced or widowed",
        ));
    }
    Ok(("civil_status", cs.to_owned()))
}

/// `POST /api/v1/field/reports/{id}/corrections`: the officer who made a check records what they
/// found differs from the record; each correction waits for a supervisor. A different employer or
/// sponsor raises `sponsor_mismatch` at once.
pub async fn add_corrections(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(report_id): Path<String>,
    ApiJson(b): ApiJson<CorrectionsBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    if b.corrections.is_empty() || b.corrections.len() > 10 {
        return Err(ApiError::invalid("corrections", "1-10 corrections"));
    }
    let parsed = b
        .corrections
        .iter()
        .enumerate()
        .map(|(i, k)| parse_correction(i, k))
        .collect::<ApiResult<Vec<_>>>()?;
    let mut tx = state.store.begin_audited().await?;
    let r = field::field_report(tx.conn(), &report_id.to_ascii_lowercase())
        .await?
        .filter(|r| r.officer_id == p.user_id)
        .ok_or_else(|| ApiError::not_found("report"))?;
    let (Some(fid), Some(pid)) = (r.foreigner_id, r.permit_id) else {
        return Err(ApiError::invalid(
            "report",
            "the report is not linked to a permit in the registry",
        ));
    };
    let f = repo::foreigner_by_id(tx.conn(), fid).await?;
    let facts = field::permit_facts_by_id(tx.conn(), &[pid]).await?;
    let permit = facts.first();
    let (occupation, phone, civil) = field::person_facts(tx.conn(), fid).await?;
    let now = now_unix();
    let mut ids = Vec::new();
    for (name, value) in &parsed {
        let old = match *name {
            "address" => repo::addresses_of(tx.conn(), fid)
                .await?
                .into_iter()
                .find(|a| a.valid_until.is_none())
                .map(|a| json!({ "line": a.line, "region_code": a.region_code, "lat": a.lat, "lng": a.lng }).to_string()),
            "employer" => permit.and_then(|p| p.employer_name.clone()),
            "occupation" => occupation.clone(),
            "phone" => phone.clone(),
            _ => civil.clone(),
        };
        let id = field::insert_correction(
            tx.conn(),
            &r.report_id,
            fid,
            name,
            old.as_deref(),
            value,
            p.user_id,
            now,
        )
        .await?;
        ids.push(id);
        if *name == "employer" {
            let differs = |known: &Option<String>| {
                known
                    .as_deref()
                    .is_some_and(|k| !k.trim().eq_ignore_ascii_case(value.trim()))
            };
            let (employer, sponsor) = permit
                .map(|p| (p.employer_name.clone(), p.sponsor_name.clone()))
                .unwrap_or_default();
            if differs(&employer) || (employer.is_none() && differs(&sponsor)) {
                field::insert_alert(
                    tx.conn(),
                    &field::NewAlert {
                        kind: "sponsor_mismatch".into(),
                        office_id: r.office_id,
                        permit_id: Some(pid),
                        foreigner_id: Some(fid),
                        check_id: None,
                        device_id: Some(r.device_id),
                        officer_id: Some(p.user_id),
                        report_id: Some(r.report_id.clone()),
                        reason: format!(
                            "found working for {value}, registered with employer {} / sponsor {}",
                            employer.as_deref().unwrap_or("-"),
                            sponsor.as_deref().unwrap_or("-")
                        ),
                        details: json!({ "found": value, "employer": employer, "sponsor": sponsor, "correction": id }),
                        at: now,
                    },
                )
                .await?;
            }
        }
    }
    tx.append(NewEntry {
        actor: p.actor(),
        action: "person.correction".into(),
        subject_kind: "person".into(),
        subject_id: f.niora.clone(),
        purpose: Purpose {
            kind: PurposeKind::Check,
            reference: r.report_id.clone(),
        },
        details: json!({ "corrections": ids, "fields": parsed.iter().map(|(n, _)| *n).collect::<Vec<_>>() }),
    })
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(json!({ "ids": ids }))))
}
