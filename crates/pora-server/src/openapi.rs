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
            .map(|name| name.trim_start_matches('*'))
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
                .replace(['{', '}', '*'], "")
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
                        "field": { "type": "string", "description": "the request field at fault" },
                        "missing": { "type": "array", "items": { "type": "string" }, "description": "code incomplete: every request field still needed" }
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

fn obj(props: &[(&str, Value)], required: &[&str]) -> Value {
    let mut m = Map::new();
    for (k, v) in props {
        m.insert((*k).to_owned(), v.clone());
    }
    json!({ "type": "object", "properties": m, "required": required })
}

fn t(ty: &str) -> Value {
    json!({ "type": ty })
}

fn fmt(ty: &str, pattern: &str) -> Value {
    json!({ "type": ty, "pattern": pattern })
}

fn date() -> Value {
    json!({ "type": "string", "format": "date" })
}

fn region() -> Value {
    fmt("string", r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")
}

fn address() -> Value {
    obj(
        &[
            ("line", t("string")),
            ("region_code", region()),
            ("lat", t("number")),
            ("lng", t("number")),
            ("valid_from", date()),
        ],
        &["line", "region_code"],
    )
}

/// POST endpoints that take no body.
pub const NO_BODY: &[&str] = &[
    "/api/v1/auth/logout",
    "/api/v1/devices/{id}/approve",
    "/api/v1/devices/{id}/revoke",
];

/// The JSON body schema of an endpoint (`None` for GET and body-less POSTs). `required` lists what the
/// server refuses to do without, including fields a lifecycle step checks itself.
pub fn request_schema(method: &str, path: &str) -> Option<Value> {
    if method != "POST" || NO_BODY.contains(&path) {
        return None;
    }
    let step = |required: &[&str]| {
        obj(
            &[
                ("reason", t("string")),
                ("valid_until", date()),
                ("new_number", t("string")),
            ],
            required,
        )
    };
    Some(match path {
        "/api/v1/auth/login" => obj(
            &[
                ("username", t("string")),
                ("password", t("string")),
                ("mode", json!({ "enum": ["cookie", "bearer"] })),
                ("device_id", t("integer")),
            ],
            &["username", "password"],
        ),
        "/api/v1/offices" => obj(
            &[
                ("code", fmt("string", "^[A-Z0-9]{2,8}$")),
                ("name", t("string")),
                ("region_code", fmt("string", r"^\d{2}\.\d{2}$")),
            ],
            &["code", "name", "region_code"],
        ),
        "/api/v1/users" => obj(
            &[
                ("username", t("string")),
                ("display_name", t("string")),
                ("role", t("string")),
                ("password", t("string")),
                ("office", t("string")),
                ("niora", t("string")),
            ],
            &["username", "display_name", "role", "password"],
        ),
        "/api/v1/keys" => obj(&[("office", t("string"))], &["office"]),
        "/api/v1/trust-list" => obj(
            &[("trust_list", fmt("string", "^([0-9a-fA-F]{2})+$"))],
            &["trust_list"],
        ),
        "/api/v1/devices" => obj(
            &[
                ("label", t("string")),
                (
                    "public_key",
                    fmt("string", "^([0-9a-fA-F]{64}|04[0-9a-fA-F]{128})$"),
                ),
                ("algorithm", json!({ "enum": ["EdDSA", "ES256"] })),
            ],
            &["label", "public_key"],
        ),
        "/api/v1/foreigners" => obj(
            &[
                ("niora", fmt("string", r"^\d{1,16}$")),
                ("full_name", t("string")),
                ("mrz_name", fmt("string", "^[A-Z<]{1,40}$")),
                ("sex", json!({ "enum": ["M", "F", "X"] })),
                ("birth_place", t("string")),
                ("birth_date", date()),
                ("nationality", fmt("string", "^[A-Z]{3}$")),
                ("occupation", t("string")),
                (
                    "passport",
                    obj(
                        &[
                            ("number", fmt("string", "^[A-Z0-9]{1,9}$")),
                            ("issuing_state", fmt("string", "^[A-Z]{3}$")),
                            ("expiry_date", date()),
                        ],
                        &["number", "issuing_state", "expiry_date"],
                    ),
                ),
                ("address", address()),
            ],
            &[
                "niora",
                "full_name",
                "sex",
                "birth_place",
                "birth_date",
                "nationality",
            ],
        ),
        "/api/v1/foreigners/{niora}/addresses" => address(),
        "/api/v1/foreigners/{niora}/passports" => obj(
            &[
                ("number", fmt("string", "^[A-Z0-9]{1,9}$")),
                ("issuing_state", fmt("string", "^[A-Z]{3}$")),
                ("expiry_date", date()),
            ],
            &["number", "issuing_state", "expiry_date"],
        ),
        "/api/v1/sponsors" => obj(
            &[
                ("kind", json!({ "enum": ["company", "person"] })),
                ("name", t("string")),
                ("nib", fmt("string", r"^\d{13}$")),
                ("npwp", fmt("string", r"^\d{15,16}$")),
                ("nik", fmt("string", r"^\d{16}$")),
                ("address", address()),
            ],
            &["kind", "name"],
        ),
        "/api/v1/employers" => obj(
            &[
                ("name", t("string")),
                ("nib", fmt("string", r"^\d{13}$")),
                ("sponsor_id", t("integer")),
                ("address", address()),
            ],
            &["name"],
        ),
        "/api/v1/permits" => obj(
            &[
                ("niora", t("string")),
                ("number", fmt("string", "^[A-Z0-9/-]{1,20}$")),
                ("permit_type", json!({ "enum": ["ITAS", "ITAP"] })),
                ("visa_code", t("string")),
                ("visa_table", t("string")),
                ("valid_from", date()),
                ("valid_until", date()),
                ("sponsor_id", t("integer")),
                ("employer_id", t("integer")),
                ("occupation", t("string")),
                ("port_of_entry", t("string")),
                ("entry_date", date()),
                ("task", t("string")),
            ],
            &[
                "niora",
                "number",
                "permit_type",
                "visa_code",
                "valid_from",
                "valid_until",
            ],
        ),
        "/api/v1/permits/{number}/extend" => step(&["valid_until"]),
        "/api/v1/permits/{number}/convert" => step(&["new_number"]),
        "/api/v1/permits/{number}/cancel"
        | "/api/v1/permits/{number}/suspend"
        | "/api/v1/permits/{number}/deport" => step(&["reason"]),
        "/api/v1/permits/{number}/resume"
        | "/api/v1/permits/{number}/exit"
        | "/api/v1/permits/{number}/deceased" => step(&[]),
        "/api/v1/verify" => obj(&[("qr_text", t("string"))], &["qr_text"]),
        "/api/v1/orders" => obj(
            &[
                ("number", t("string")),
                ("title", t("string")),
                ("area_region_code", region()),
                ("starts_on", date()),
                ("ends_on", date()),
            ],
            &["number", "title", "starts_on", "ends_on"],
        ),
        "/api/v1/operations" | "/api/v1/operations/{id}" => {
            let geometry = json!({
                "type": "object", "description": "GeoJSON Polygon or MultiPolygon, WGS84 [lng, lat], rings closed, no holes",
                "properties": { "type": { "enum": ["Polygon", "MultiPolygon"] }, "coordinates": t("array") },
                "required": ["type", "coordinates"]
            });
            let required: &[&str] = if path == "/api/v1/operations" {
                &["number", "title", "starts_on", "ends_on"]
            } else {
                &[]
            };
            obj(
                &[
                    ("number", t("string")),
                    ("title", t("string")),
                    ("starts_on", date()),
                    ("ends_on", date()),
                    (
                        "team",
                        json!({ "type": "array", "maxItems": pora_store::operations::MAX_TEAM, "items": t("integer") }),
                    ),
                    ("area", geometry),
                    (
                        "area_kecamatan",
                        json!({ "type": "array", "items": fmt("string", r"^\d{2}\.\d{2}\.\d{2}$") }),
                    ),
                    (
                        "status",
                        json!({ "enum": pora_store::operations::STATUSES }),
                    ),
                ],
                required,
            )
        }
        "/api/v1/field/reports" => obj(
            &[(
                "reports",
                json!({ "type": "array", "maxItems": crate::ingest::MAX_BATCH,
                        "items": fmt("string", "^[A-Za-z0-9_-]+$") }),
            )],
            &["reports"],
        ),
        "/api/v1/field/reports/{id}/corrections" => obj(
            &[(
                "corrections",
                json!({ "type": "array", "minItems": 1, "maxItems": 10, "items": obj(
                    &[
                        ("address", address()),
                        ("employer", t("string")),
                        ("occupation", t("string")),
                        ("phone", fmt("string", r"^\+?\d{6,15}$")),
                        ("civil_status", json!({ "enum": ["single", "married", "divorced", "widowed"] })),
                    ],
                    &[],
                ) }),
            )],
            &["corrections"],
        ),
        "/api/v1/alerts/{id}/transition" => obj(
            &[
                ("to", json!({ "enum": ["investigating", "bap", "closed"] })),
                ("note", t("string")),
            ],
            &["to"],
        ),
        "/api/v1/corrections/{id}/decide" => obj(
            &[
                ("decision", json!({ "enum": ["accept", "reject"] })),
                ("note", t("string")),
            ],
            &["decision"],
        ),
        "/api/v1/stay-reports" => obj(
            &[
                ("niora", t("string")),
                (
                    "reporter_kind",
                    json!({ "enum": ["hotel", "kost", "landlord", "self"] }),
                ),
                ("reporter_name", t("string")),
                ("check_in", date()),
                ("check_out", date()),
                ("region_code", region()),
                ("lat", t("number")),
                ("lng", t("number")),
            ],
            &[
                "niora",
                "reporter_kind",
                "reporter_name",
                "check_in",
                "region_code",
            ],
        ),
        "/api/v1/me/correction-requests" => obj(
            &[
                (
                    "field",
                    json!({ "enum": pora_store::privacy::CorrectableField::ALL.iter().map(|f| f.as_str()).collect::<Vec<_>>() }),
                ),
                ("requested_value", t("string")),
                ("reason", t("string")),
            ],
            &["field", "requested_value", "reason"],
        ),
        "/api/v1/correction-requests/{id}/decide" => obj(
            &[
                ("decision", json!({ "enum": ["accept", "reject"] })),
                ("reason", t("string")),
            ],
            &["decision", "reason"],
        ),
        _ => return None,
    })
}
