//! The data subject's own view: their permits (with the credential), and who read their data, when
//! and why, from the audit log (UU PDP 27/2022: the right to see one's data and its processing history).

use axum::extract::{Query, State};
use axum::{Extension, Json};
use pora_store::audit::NewEntry;
use pora_store::model::{Purpose, PurposeKind};
use pora_store::repo;
use serde_json::{json, Value};

use super::privacy::{checks_json, own_person};
use super::{List, Paging};
use crate::auth::Principal;
use crate::error::ApiResult;
use crate::state::AppState;

/// `GET /api/v1/me/permits`.
pub async fn permits(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
) -> ApiResult<Json<Value>> {
    let id = own_person(&p)?;
    let mut c = state.store.conn().await?;
    let f = repo::foreigner_by_id(&mut c, id).await?;
    let permits = repo::permits_of(&mut c, id).await?;
    let addresses = repo::addresses_of(&mut c, id).await?;
    drop(c);
    audit_own_read(&state, &p, &f.niora, "self.read").await?;
    Ok(Json(
        json!({ "person": f, "permits": permits, "addresses": addresses }),
    ))
}

/// Records the holder's own read `action` of their record (purpose: self).
async fn audit_own_read(
    state: &AppState,
    p: &Principal,
    niora: &str,
    action: &str,
) -> ApiResult<()> {
    state
        .store
        .audit_append(NewEntry {
            actor: p.actor(),
            action: action.into(),
            subject_kind: "person".into(),
            subject_id: niora.into(),
            purpose: Purpose {
                kind: PurposeKind::SelfView,
                reference: String::new(),
            },
            details: json!({}),
        })
        .await?;
    Ok(())
}

/// `GET /api/v1/me/access-log`: every audit entry about the caller, newest first. Officers are shown
/// by role and office, not by name.
pub async fn access_log(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Query(pg): Query<Paging>,
) -> ApiResult<Json<List<Value>>> {
    let id = own_person(&p)?;
    let page = pg.page()?;
    let mut c = state.store.conn().await?;
    let f = repo::foreigner_by_id(&mut c, id).await?;
    drop(c);
    let entries = state
        .store
        .audit_for_subject("person", &f.niora, page)
        .await?;
    let items = entries
        .into_iter()
        .map(|e| {
            json!({
                "seq": e.seq, "at": e.at, "action": e.action, "by_role": e.actor_role, "by_office": e.actor_office,
                "purpose": e.purpose_kind, "purpose_ref": e.purpose_ref,
            })
        })
        .collect();
    Ok(Json(List::new(items, page, None)))
}

/// `GET /api/v1/me/checks`: the field checks of the caller's permits and the stay reports made
/// about them, newest first (the same rows as in the export; officers and devices are not named).
pub async fn checks(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
) -> ApiResult<Json<Value>> {
    let id = own_person(&p)?;
    let mut c = state.store.conn().await?;
    let f = repo::foreigner_by_id(&mut c, id).await?;
    let checks = checks_json(&mut c, id).await?;
    let stay_reports = pora_store::privacy::stay_reports_of(&mut c, id).await?;
    drop(c);
    audit_own_read(&state, &p, &f.niora, "self.read_checks").await?;
    Ok(Json(
        json!({ "checks": checks, "stay_reports": stay_reports }),
    ))
}
