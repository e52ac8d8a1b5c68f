//! The data subject's own view: their permits (with the credential), and who read their data, when
//! and why, from the audit log (UU PDP 27/2022: the right to see one's data and its processing history).

use axum::extract::{Query, State};
use axum::{Extension, Json};
use pora_store::audit::NewEntry;
use pora_store::model::{Purpose, PurposeKind};
use pora_store::repo;
use serde_json::{json, Value};

use super::{List, Paging};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

fn own_id(p: &Principal) -> ApiResult<i64> {
    p.foreigner_id
        .ok_or_else(|| ApiError::forbidden("no_person", "this account is not linked to a person"))
}

/// `GET /api/v1/me/permits`.
pub async fn permits(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
) -> ApiResult<Json<Value>> {
    let id = own_id(&p)?;
    let mut c = state.store.conn().await?;
    let f = repo::foreigner_by_id(&mut c, id).await?;
    let permits = repo::permits_of(&mut c, id).await?;
    let addresses = repo::addresses_of(&mut c, id).await?;
    drop(c);
    state
        .store
        .audit_append(NewEntry {
            actor: p.actor(),
            action: "self.read".into(),
            subject_kind: "person".into(),
            subject_id: f.niora.clone(),
            purpose: Purpose {
                kind: PurposeKind::SelfView,
                reference: String::new(),
            },
            details: json!({}),
        })
        .await?;
    Ok(Json(
        json!({ "person": f, "permits": permits, "addresses": addresses }),
    ))
}

/// `GET /api/v1/me/access-log`: every audit entry about the caller, newest first. Officers are shown
/// by role and office, not by name.
pub async fn access_log(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Query(pg): Query<Paging>,
) -> ApiResult<Json<List<Value>>> {
    let id = own_id(&p)?;
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
