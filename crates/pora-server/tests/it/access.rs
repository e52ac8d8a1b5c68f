//! The rule table against the router: every endpoint has exactly one rule, the OpenAPI document lists
//! exactly the routed endpoints, and every endpoint × role is allowed or denied as the table says.

use std::collections::BTreeSet;

use pora_server::policy::{self, Access, RULES};
use pora_server::routes;
use pora_store::model::Role;
use pora_store::testing::TestDb;
use serde_json::json;

use super::app::TestApp;

#[test]
fn every_route_has_one_rule_and_every_rule_a_route() {
    let routes: BTreeSet<(&str, &str)> =
        routes::specs().iter().map(|s| (s.method, s.path)).collect();
    assert_eq!(
        routes.len(),
        routes::specs().len(),
        "an endpoint is listed twice"
    );
    let rules: BTreeSet<(&str, &str)> = RULES.iter().map(|r| (r.method, r.path)).collect();
    assert_eq!(rules.len(), RULES.len(), "an endpoint has two rules");
    let without_rule: Vec<_> = routes.difference(&rules).collect();
    assert!(
        without_rule.is_empty(),
        "endpoints without an access rule: {without_rule:?}"
    );
    let stale: Vec<_> = rules.difference(&routes).collect();
    assert!(
        stale.is_empty(),
        "rules for endpoints that do not exist: {stale:?}"
    );
}

#[test]
fn openapi_lists_exactly_the_routes() {
    let doc = pora_server::openapi::document();
    let mut documented = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let routed: BTreeSet<(String, String)> = routes::specs()
        .iter()
        .map(|s| (s.method.to_owned(), s.path.to_owned()))
        .collect();
    assert_eq!(documented, routed);
    for r in RULES {
        let op = &doc["paths"][r.path][r.method.to_lowercase()];
        assert_ne!(op["x-pora-roles"], json!("none"), "{} {}", r.method, r.path);
    }
}

fn concrete(path: &str) -> String {
    path.replace("{number}", "NOPE0001")
        .replace("{niora}", "999999")
        .replace("{id}", "999999")
        .replace("{office}", "BKS")
}

#[tokio::test]
async fn every_endpoint_by_every_role() {
    let db = TestDb::sqlite().await;
    let app = TestApp::new(db.store.clone()).await;
    let mut checked = 0;
    // Logout revokes the caller's token: walk it last.
    let mut specs = routes::specs();
    specs.sort_by_key(|s| s.path == "/api/v1/auth/logout");
    for spec in specs {
        let rule = policy::rule(spec.method, spec.path).unwrap();
        let path = concrete(spec.path);
        let body = (spec.method == "POST").then(|| json!({}));
        // Anonymous.
        let r = app.call(spec.method, &path, None, body.clone(), &[]).await;
        if rule.access == Access::Public {
            assert!(
                r.status != 401 && r.status != 403,
                "{} {} anonymous: {}",
                spec.method,
                spec.path,
                r.status
            );
        } else {
            assert_eq!(r.status, 401, "{} {} anonymous", spec.method, spec.path);
        }
        for role in Role::ALL {
            let r = app
                .call(
                    spec.method,
                    &path,
                    Some(*role),
                    body.clone(),
                    &[("x-pora-purpose", "check")],
                )
                .await;
            let denied =
                r.status == 403 && matches!(r.body["code"].as_str(), Some("forbidden" | "no_rule"));
            assert_ne!(
                r.status, 401,
                "{} {} as {role}: token refused",
                spec.method, spec.path
            );
            assert_eq!(
                denied,
                !rule.access.allows(*role),
                "{} {} as {role}: status {} body {}",
                spec.method,
                spec.path,
                r.status,
                r.body
            );
            checked += 1;
        }
    }
    assert_eq!(checked, routes::specs().len() * Role::ALL.len());
    db.cleanup().await;
}

#[tokio::test]
async fn unknown_paths_are_json_404() {
    let db = TestDb::sqlite().await;
    let app = TestApp::new(db.store.clone()).await;
    let r = app
        .call("GET", "/api/v1/nothing-here", None, None, &[])
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.body["code"], "not_found");
    db.cleanup().await;
}

#[tokio::test]
async fn request_schemas_match_what_the_handlers_require() {
    let db = TestDb::sqlite().await;
    let app = TestApp::new(db.store.clone()).await;
    for spec in routes::specs().into_iter().filter(|s| s.method == "POST") {
        let schema = pora_server::openapi::request_schema(spec.method, spec.path);
        if pora_server::openapi::NO_BODY.contains(&spec.path) {
            assert!(schema.is_none());
            continue;
        }
        let schema = schema.unwrap_or_else(|| panic!("POST {} has no request schema", spec.path));
        let required: Vec<&str> = schema["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let rule = policy::rule(spec.method, spec.path).unwrap();
        let role = Role::ALL
            .iter()
            .copied()
            .find(|r| rule.access != Access::Public && rule.access.allows(*r));
        let r = app
            .call("POST", &concrete(spec.path), role, Some(json!({})), &[])
            .await;
        if required.is_empty() {
            assert_ne!(
                r.status, 422,
                "POST {} refused an empty body: {}",
                spec.path, r.body
            );
        } else {
            assert_eq!(
                r.status, 422,
                "POST {} accepted an empty body: {}",
                spec.path, r.body
            );
            let field = r.body["field"].as_str().unwrap_or_default();
            assert!(
                required.contains(&field),
                "POST {}: refused field {field:?} is not in the schema's required {required:?}",
                spec.path
            );
        }
    }
    db.cleanup().await;
}
