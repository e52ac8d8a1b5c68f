//! The one rule table: for every endpoint (method, path pattern), who may call it. The authorisation
//! middleware looks every request up here; an endpoint missing from the table is refused (fail closed),
//! and the test suite walks every route × role.

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use pora_store::model::Role;

use crate::auth::{self, CSRF_HEADER};
use crate::error::ApiError;
use crate::state::AppState;

/// Who may call an endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without logging in.
    Public,
    /// Any logged-in user.
    AnyUser,
    /// Logged-in users with one of these roles.
    Roles(&'static [Role]),
}

impl Access {
    /// Whether `role` passes.
    pub fn allows(self, role: Role) -> bool {
        match self {
            Access::Public | Access::AnyUser => true,
            Access::Roles(r) => r.contains(&role),
        }
    }
}

/// One rule.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    /// HTTP method.
    pub method: &'static str,
    /// Path pattern as routed (`/api/v1/permits/{number}`).
    pub path: &'static str,
    /// Who may call it.
    pub access: Access,
}

use Role::{Admin, Auditor, FieldOfficer, Foreigner, IssuingOfficer, Supervisor};

const STAFF: &[Role] = &[Admin, IssuingOfficer, FieldOfficer, Supervisor, Auditor];
const ISSUING: &[Role] = &[IssuingOfficer];
const PERSON_READERS: &[Role] = &[IssuingOfficer, FieldOfficer, Supervisor];
const FIELD: &[Role] = &[FieldOfficer];
const VERIFIERS: &[Role] = &[FieldOfficer, Supervisor, IssuingOfficer];
const SUPERVISION: &[Role] = &[Supervisor];
const REVOKERS: &[Role] = &[IssuingOfficer, Supervisor];
const DEVICE_ADMIN: &[Role] = &[Admin, Supervisor];
const ADMIN: &[Role] = &[Admin];
const AUDIT: &[Role] = &[Auditor];
const SELF: &[Role] = &[Foreigner];
const ADDRESS_WRITERS: &[Role] = &[IssuingOfficer, FieldOfficer];
/// Officers who keep the registry and answer a person's requests (export, correction).
const RECORD_KEEPERS: &[Role] = &[IssuingOfficer, Supervisor];

const fn r(method: &'static str, path: &'static str, access: Access) -> Rule {
    Rule {
        method,
        path,
        access,
    }
}

/// The rule table.
pub const RULES: &[Rule] = &[
    // Public, cacheable, or operational.
    r("GET", "/healthz", Access::Public),
    r("GET", "/metrics", Access::Public),
    r("GET", "/api/v1/openapi.json", Access::Public),
    r("GET", "/api/v1/trust-list", Access::Public),
    r("GET", "/api/v1/trust-root", Access::Public),
    r("GET", "/api/v1/status-list/{office}", Access::Public),
    r("POST", "/api/v1/auth/login", Access::Public),
    // Any user.
    r("POST", "/api/v1/auth/logout", Access::AnyUser),
    r("GET", "/api/v1/auth/me", Access::AnyUser),
    // Administration.
    r("GET", "/api/v1/offices", Access::Roles(STAFF)),
    r("POST", "/api/v1/offices", Access::Roles(ADMIN)),
    r("GET", "/api/v1/users", Access::Roles(ADMIN)),
    r("POST", "/api/v1/users", Access::Roles(ADMIN)),
    r("POST", "/api/v1/keys", Access::Roles(ADMIN)),
    r("POST", "/api/v1/trust-list", Access::Roles(ADMIN)),
    r("GET", "/api/v1/devices", Access::Roles(DEVICE_ADMIN)),
    r("POST", "/api/v1/devices", Access::Roles(FIELD)),
    r(
        "POST",
        "/api/v1/devices/{id}/approve",
        Access::Roles(DEVICE_ADMIN),
    ),
    r(
        "POST",
        "/api/v1/devices/{id}/revoke",
        Access::Roles(DEVICE_ADMIN),
    ),
    // Registry.
    r("POST", "/api/v1/foreigners", Access::Roles(ISSUING)),
    r(
        "GET",
        "/api/v1/foreigners/{niora}",
        Access::Roles(PERSON_READERS),
    ),
    r(
        "POST",
        "/api/v1/foreigners/{niora}/addresses",
        Access::Roles(ADDRESS_WRITERS),
    ),
    r(
        "POST",
        "/api/v1/foreigners/{niora}/passports",
        Access::Roles(ISSUING),
    ),
    r("POST", "/api/v1/sponsors", Access::Roles(ISSUING)),
    r("GET", "/api/v1/sponsors", Access::Roles(ISSUING)),
    r("GET", "/api/v1/visa-index", Access::Roles(STAFF)),
    r("POST", "/api/v1/employers", Access::Roles(ISSUING)),
    // Permits.
    r("GET", "/api/v1/permits", Access::Roles(PERSON_READERS)),
    r("POST", "/api/v1/permits", Access::Roles(ISSUING)),
    r(
        "GET",
        "/api/v1/permits/{number}",
        Access::Roles(PERSON_READERS),
    ),
    r(
        "GET",
        "/api/v1/permits/{number}/history",
        Access::Roles(&[IssuingOfficer, Supervisor]),
    ),
    r(
        "GET",
        "/api/v1/permits/{number}/document",
        Access::Roles(&[IssuingOfficer, Supervisor]),
    ),
    r(
        "POST",
        "/api/v1/permits/{number}/extend",
        Access::Roles(ISSUING),
    ),
    r(
        "POST",
        "/api/v1/permits/{number}/convert",
        Access::Roles(ISSUING),
    ),
    r(
        "POST",
        "/api/v1/permits/{number}/cancel",
        Access::Roles(REVOKERS),
    ),
    r(
        "POST",
        "/api/v1/permits/{number}/suspend",
        Access::Roles(REVOKERS),
    ),
    r(
        "POST",
        "/api/v1/permits/{number}/resume",
        Access::Roles(REVOKERS),
    ),
    r(
        "POST",
        "/api/v1/permits/{number}/exit",
        Access::Roles(ISSUING),
    ),
    r(
        "POST",
        "/api/v1/permits/{number}/deport",
        Access::Roles(SUPERVISION),
    ),
    r(
        "POST",
        "/api/v1/permits/{number}/deceased",
        Access::Roles(ISSUING),
    ),
    // Field work and supervision.
    r("POST", "/api/v1/verify", Access::Roles(VERIFIERS)),
    r("GET", "/api/v1/checks", Access::Roles(SUPERVISION)),
    r("POST", "/api/v1/orders", Access::Roles(SUPERVISION)),
    r(
        "POST",
        "/api/v1/stay-reports",
        Access::Roles(ADDRESS_WRITERS),
    ),
    r("GET", "/api/v1/alerts", Access::Roles(SUPERVISION)),
    r("GET", "/api/v1/alerts/{id}", Access::Roles(SUPERVISION)),
    r(
        "POST",
        "/api/v1/alerts/{id}/transition",
        Access::Roles(SUPERVISION),
    ),
    r("POST", "/api/v1/field/reports", Access::Roles(FIELD)),
    r(
        "POST",
        "/api/v1/field/reports/{id}/corrections",
        Access::Roles(FIELD),
    ),
    r("GET", "/api/v1/corrections", Access::Roles(SUPERVISION)),
    r(
        "POST",
        "/api/v1/corrections/{id}/decide",
        Access::Roles(SUPERVISION),
    ),
    r(
        "GET",
        "/api/v1/foreigners/{niora}/movements",
        Access::Roles(SUPERVISION),
    ),
    r(
        "GET",
        "/api/v1/devices/{id}/enrolment",
        Access::Roles(FIELD),
    ),
    r("GET", "/api/v1/map", Access::Roles(&[Supervisor, Admin])),
    // Audit.
    r("GET", "/api/v1/audit", Access::Roles(AUDIT)),
    r("GET", "/api/v1/audit/verify", Access::Roles(AUDIT)),
    // The data subject.
    r("GET", "/api/v1/me/permits", Access::Roles(SELF)),
    r("GET", "/api/v1/me/access-log", Access::Roles(SELF)),
    r("GET", "/api/v1/me/checks", Access::Roles(SELF)),
    // The dashboard: aggregates for staff; the pages are shells without data (the data come from
    // the endpoints above), so they and their assets are public.
    r("GET", "/api/v1/stats/overview", Access::Roles(STAFF)),
    r(
        "GET",
        "/api/v1/map/points",
        Access::Roles(&[Supervisor, Admin]),
    ),
    r(
        "GET",
        "/api/v1/exports/permits.csv",
        Access::Roles(&[IssuingOfficer, Supervisor]),
    ),
    r(
        "GET",
        "/api/v1/foreigners/{niora}/access-log",
        Access::Roles(SUPERVISION),
    ),
    r(
        "GET",
        "/api/v1/stats/officers",
        Access::Roles(&[Supervisor, Admin]),
    ),
    r("GET", "/", Access::Public),
    r("GET", "/login", Access::Public),
    r("GET", "/me", Access::Public),
    r("GET", "/map", Access::Public),
    r("GET", "/permits", Access::Public),
    r("GET", "/persons/{niora}", Access::Public),
    r("GET", "/issue", Access::Public),
    r("GET", "/alerts", Access::Public),
    r("GET", "/operations", Access::Public),
    r("GET", "/officers", Access::Public),
    r("GET", "/audit", Access::Public),
    r("GET", "/report", Access::Public),
    r("GET", "/assets/{*path}", Access::Public),
    r("GET", "/api/v1/me/export", Access::Roles(SELF)),
    r("GET", "/api/v1/me/correction-requests", Access::Roles(SELF)),
    r(
        "POST",
        "/api/v1/me/correction-requests",
        Access::Roles(SELF),
    ),
    // The person's rights, answered by officers.
    r(
        "GET",
        "/api/v1/foreigners/{niora}/export",
        Access::Roles(RECORD_KEEPERS),
    ),
    r(
        "GET",
        "/api/v1/correction-requests",
        Access::Roles(RECORD_KEEPERS),
    ),
    r(
        "POST",
        "/api/v1/correction-requests/{id}/decide",
        Access::Roles(RECORD_KEEPERS),
    ),
    // Operations and the monthly report.
    r("GET", "/api/v1/operations", Access::Roles(SUPERVISION)),
    r("POST", "/api/v1/operations", Access::Roles(SUPERVISION)),
    r("GET", "/api/v1/operations/{id}", Access::Roles(SUPERVISION)),
    r(
        "POST",
        "/api/v1/operations/{id}",
        Access::Roles(SUPERVISION),
    ),
    r(
        "GET",
        "/api/v1/operations/{id}/results",
        Access::Roles(SUPERVISION),
    ),
    r("GET", "/api/v1/reports/monthly", Access::Roles(SUPERVISION)),
    r(
        "GET",
        "/api/v1/audit/anomalies",
        Access::Roles(&[Supervisor, Auditor]),
    ),
    // The field verifier page: files without data (the data come from the endpoints above).
    r("GET", "/field", Access::Public),
    r("GET", "/field/", Access::Public),
    r("GET", "/field/{*path}", Access::Public),
];

/// The rule table as a Markdown table (endpoint × role), as copied into `docs/PRIVACY.md` between
/// `<!-- role-matrix:begin -->` and `<!-- role-matrix:end -->` (a test keeps the copy equal).
pub fn role_matrix_markdown() -> String {
    let roles = [
        Admin,
        IssuingOfficer,
        FieldOfficer,
        Supervisor,
        Auditor,
        Foreigner,
    ];
    let mut out = String::from("| method | path |");
    for r in roles {
        out.push_str(&format!(" {} |", r.as_str()));
    }
    out.push_str("\n|---|---|");
    out.push_str(&"---|".repeat(roles.len()));
    out.push('\n');
    for rule in RULES {
        out.push_str(&format!("| {} | `{}` |", rule.method, rule.path));
        for role in roles {
            let cell = match rule.access {
                Access::Public => "public",
                Access::AnyUser => "any user",
                Access::Roles(_) if rule.access.allows(role) => "✓",
                Access::Roles(_) => "",
            };
            out.push_str(&format!(" {cell} |"));
        }
        out.push('\n');
    }
    out
}

/// The rule for a method and routed path.
pub fn rule(method: &str, path: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.method == method && r.path == path)
}

/// Compares two secrets without an early exit on the first differing byte.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Middleware: resolves the caller, applies the rule table and the CSRF check; puts the
/// [`auth::Principal`] into the request extensions for handlers.
pub async fn authorize(
    State(state): State<AppState>,
    matched: Option<MatchedPath>,
    mut req: Request,
    next: Next,
) -> Response {
    let Some(path) = matched else {
        return next.run(req).await;
    };
    let Some(rule) = rule(req.method().as_str(), path.as_str()) else {
        tracing::error!(method = %req.method(), path = path.as_str(), "endpoint without a rule refused");
        return ApiError::forbidden("no_rule", "this endpoint has no access rule").into_response();
    };
    if rule.access == Access::Public {
        return next.run(req).await;
    }
    let principal = match auth::resolve(&state, req.headers()).await {
        Ok(Some(p)) => p,
        Ok(None) => return ApiError::unauthenticated().into_response(),
        Err(e) => return e.into_response(),
    };
    if !rule.access.allows(principal.role) {
        return ApiError::forbidden(
            "forbidden",
            format!("role {} may not call this endpoint", principal.role),
        )
        .into_response();
    }
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if principal.via_cookie && !safe {
        let sent = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok());
        let ok = match (sent, principal.csrf.as_deref()) {
            (Some(a), Some(b)) => constant_time_eq(a.as_bytes(), b.as_bytes()),
            _ => false,
        };
        if !ok {
            return ApiError::forbidden("csrf", "missing or wrong X-CSRF-Token header")
                .into_response();
        }
    }
    req.extensions_mut().insert(principal);
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_unique_and_secrets_compare() {
        for (i, r) in RULES.iter().enumerate() {
            assert!(
                !RULES[..i]
                    .iter()
                    .any(|o| o.method == r.method && o.path == r.path),
                "{} {}",
                r.method,
                r.path
            );
        }
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(Access::Roles(&[Role::Auditor]).allows(Role::Auditor));
        assert!(!Access::Roles(&[Role::Auditor]).allows(Role::Admin));
    }

    /// `docs/PRIVACY.md` copies the role matrix; this keeps the copy equal to [`RULES`]. After a
    /// change of the rules, `PORA_WRITE_DOCS=1 cargo test -p pora-server --lib policy` rewrites it.
    #[test]
    fn privacy_doc_role_matrix_matches_the_rules() {
        const BEGIN: &str = "<!-- role-matrix:begin -->\n";
        const END: &str = "<!-- role-matrix:end -->";
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/PRIVACY.md");
        let doc = std::fs::read_to_string(&path).unwrap();
        let (head, rest) = doc
            .split_once(BEGIN)
            .expect("PRIVACY.md has the begin marker");
        let (_, tail) = rest.split_once(END).expect("PRIVACY.md has the end marker");
        let want = format!("{head}{BEGIN}{}{END}{tail}", role_matrix_markdown());
        if doc != want && std::env::var("PORA_WRITE_DOCS").is_ok() {
            std::fs::write(&path, &want).unwrap();
            return;
        }
        assert!(
            doc == want,
            "docs/PRIVACY.md's role matrix differs from policy::RULES; regenerate with \
             PORA_WRITE_DOCS=1 cargo test -p pora-server --lib policy"
        );
    }
}
