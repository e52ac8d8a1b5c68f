//! The OpenAPI 3.1 document, generated from the route table and the rule table so that it cannot
//! drift from the router (a test checks the three agree).

use serde_json::{json, Map, Value};

use crate::policy::{self, Access};
use crate::routes;

/// The OpenAPI document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for spec in routes::specs() {
        let params: Vec<Value> = spec
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
            .collect();
        let access = policy::rule(spec.method, spec.path).map(|r| r.access);
        let roles: Value = match access {
            Some(Access::Public) => json!("public"),
            Some(Access::AnyUser) => json!("any"),
            Some(Access::Roles(r)) => json!(r.iter().map(|r| r.as_str()).collect::<Vec<_>>()),
            None => json!("none"),
        };
        let security = if access == Some(Access::Public) {
            json!([])
        } else {
            json!([{ "session": [] }, { "bearer": [] }])
        };
        let op_id = format!(
            "{}_{}",
            spec.method.to_lowercase(),
            spec.path
                .trim_start_matches('/')
                .replace(['/', '-', '.'], "_")
                .replace(['{', '}'], "")
        );
        let mut op = json!({
            "operationId": op_id,
            "summary": spec.summary,
            "tags": [spec.tag],
            "parameters": params,
            "security": security,
            "x-pora-roles": roles,
            "responses": {
                "200": { "description": "OK" },
                "4XX": { "description": "Client error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                "5XX": { "description": "Server error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
            }
        });
        if spec.method == "POST" {
            op["requestBody"] =
                json!({ "content": { "application/json": { "schema": { "type": "object" } } } });
        }
        let entry = paths
            .entry(spec.path.to_owned())
            .or_insert_with(|| json!({}));
        entry[spec.method.to_lowercase()] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "pora central server",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Registry, permit lifecycle, field checks, audit and publications of the pora residence-permit system. Reads of personal data take a purpose in the X-Pora-Purpose header (or ?purpose=), e.g. operation:SP-123/2026, and are recorded in the audit log."
        },
        "paths": paths,
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": { "type": "string", "description": "stable machine code" },
                        "message": { "type": "string" },
                        "field": { "type": "string", "description": "the request field at fault" }
                    }
                }
            },
            "securitySchemes": {
                "session": { "type": "apiKey", "in": "cookie", "name": crate::auth::SESSION_COOKIE },
                "bearer": { "type": "http", "scheme": "bearer" }
            }
        }
    })
}
