//! The route table: every endpoint once, with its handler, tag and summary. The router, the OpenAPI
//! document and the tests are all built from this table; the access rules live in [`crate::policy`].

use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, post, MethodRouter};
use axum::Router;

use crate::api::{
    admin, dashboard, documents, field, me, monthly, operations, permits, privacy, public,
    registry, reports, supervision,
};
use crate::error::ApiError;
use crate::state::AppState;
use crate::{auth, field_web, policy, web};

/// Describes one endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RouteSpec {
    /// HTTP method.
    pub method: &'static str,
    /// Path pattern.
    pub path: &'static str,
    /// OpenAPI tag.
    pub tag: &'static str,
    /// One-line summary.
    pub summary: &'static str,
}

macro_rules! routes {
    ($($m:ident $path:literal => $h:expr, $tag:literal, $summary:literal;)*) => {
        /// Every endpoint with its handler.
        pub fn table() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
            vec![$((RouteSpec { method: routes!(@name $m), path: $path, tag: $tag, summary: $summary }, $m($h))),*]
        }
        /// Every endpoint (without handlers).
        pub fn specs() -> Vec<RouteSpec> {
            vec![$(RouteSpec { method: routes!(@name $m), path: $path, tag: $tag, summary: $summary }),*]
        }
    };
    (@name get) => { "GET" };
    (@name post) => { "POST" };
}

routes! {
    get "/healthz" => public::healthz, "ops", "Liveness and database reachability";
    get "/metrics" => public::metrics, "ops", "Prometheus metrics";
    get "/api/v1/openapi.json" => public::openapi, "ops", "This OpenAPI document";
    get "/api/v1/trust-list" => public::trust_list, "publication", "Signed trust list (COSE, cacheable, ETag)";
    get "/api/v1/trust-root" => public::trust_root, "publication", "The trust root's public key";
    get "/api/v1/status-list/{office}" => public::status_list, "publication", "Signed status list token of an office (cacheable, ETag)";
    post "/api/v1/auth/login" => auth::login, "auth", "Password login: cookie session or bearer token";
    post "/api/v1/auth/logout" => auth::logout, "auth", "Revoke the current session or token";
    get "/api/v1/auth/me" => auth::me, "auth", "Who am I";
    get "/api/v1/offices" => admin::list_offices, "admin", "List offices";
    post "/api/v1/offices" => admin::create_office, "admin", "Create an office";
    get "/api/v1/users" => admin::list_users, "admin", "List users";
    post "/api/v1/users" => admin::create_user, "admin", "Create a user";
    post "/api/v1/keys" => admin::create_key, "admin", "Create a document signer key for an office (only while the server holds the root)";
    post "/api/v1/trust-list" => admin::import_trust_list, "admin", "Install a newer trust list signed by the offline national root";
    get "/api/v1/devices" => admin::list_devices, "devices", "List field devices";
    post "/api/v1/devices" => admin::register_device, "devices", "Register the caller's field device (pending)";
    post "/api/v1/devices/{id}/approve" => admin::approve_device, "devices", "Approve a device";
    post "/api/v1/devices/{id}/revoke" => admin::revoke_device, "devices", "Revoke a device and its tokens";
    get "/api/v1/devices/{id}/enrolment" => reports::enrolment, "devices", "The caller's device: id for reports, state, and once approved the office's doc-hash key";
    post "/api/v1/foreigners" => registry::register_foreigner, "registry", "Register a foreigner";
    get "/api/v1/foreigners/{niora}" => registry::person_record, "registry", "A person's record (audited read)";
    post "/api/v1/foreigners/{niora}/addresses" => registry::add_address, "registry", "Declare a new address";
    post "/api/v1/foreigners/{niora}/passports" => registry::add_passport, "registry", "Add a passport";
    post "/api/v1/sponsors" => registry::create_sponsor, "registry", "Register a sponsor (company or person)";
    get "/api/v1/sponsors" => registry::list_sponsors, "registry", "The office's sponsors matching a name, NIB or NIK, for the issuance form (a person's NIK masked; audited read)";
    get "/api/v1/visa-index" => permits::visa_index_table, "permits", "The versioned visa index reference table";
    post "/api/v1/employers" => registry::create_employer, "registry", "Register an employer";
    get "/api/v1/permits" => permits::search, "permits", "Search permits (audited read, paginated)";
    post "/api/v1/permits" => permits::issue, "permits", "Issue a permit and sign its credential";
    get "/api/v1/permits/{number}" => permits::lookup, "permits", "Look up a permit (audited read)";
    get "/api/v1/permits/{number}/history" => permits::history, "permits", "A permit's history";
    get "/api/v1/permits/{number}/document" => documents::document, "permits", "The card (ID-1) or A4 e-permit as PDF or PNG, with its QR code (audited read)";
    post "/api/v1/permits/{number}/extend" => permits::extend, "permits", "Extend a permit";
    post "/api/v1/permits/{number}/convert" => permits::convert, "permits", "Convert ITAS to ITAP";
    post "/api/v1/permits/{number}/cancel" => permits::cancel, "permits", "Cancel (revoke) a permit";
    post "/api/v1/permits/{number}/suspend" => permits::suspend, "permits", "Suspend a permit";
    post "/api/v1/permits/{number}/resume" => permits::resume, "permits", "Lift a suspension";
    post "/api/v1/permits/{number}/exit" => permits::exit, "permits", "Close by Exit Permit Only (EPO)";
    post "/api/v1/permits/{number}/deport" => permits::deport, "permits", "Record a deportation";
    post "/api/v1/permits/{number}/deceased" => permits::deceased, "permits", "Record the holder's death";
    post "/api/v1/verify" => field::verify, "field", "Verify a QR text against the current trust and status lists";
    get "/api/v1/checks" => field::list_checks, "supervision", "List field checks (each from a signed report)";
    post "/api/v1/orders" => field::create_order, "supervision", "Create a written order (surat perintah)";
    post "/api/v1/stay-reports" => field::stay_report, "field", "Record a stay report";
    get "/api/v1/alerts" => supervision::list_alerts, "supervision", "Alerts, filtered by state, kind, person, device, age (audited)";
    get "/api/v1/alerts/{id}" => supervision::alert_detail, "supervision", "One alert with its evidence and history (audited)";
    post "/api/v1/alerts/{id}/transition" => supervision::transition, "supervision", "Move an alert: open, investigating, bap (examination report), closed";
    post "/api/v1/field/reports" => reports::upload, "field", "Upload a batch of signed check reports (idempotent by report id)";
    post "/api/v1/field/reports/{id}/corrections" => reports::add_corrections, "field", "Record corrections (pendataan ulang) found at a check";
    get "/api/v1/corrections" => supervision::list_corrections, "supervision", "Corrections waiting for a decision (audited)";
    post "/api/v1/corrections/{id}/decide" => supervision::decide, "supervision", "Accept or reject a correction; accepted ones change the record";
    get "/api/v1/foreigners/{niora}/movements" => supervision::movements, "supervision", "A person's checks, stay reports and addresses with positions and kecamatan (audited)";
    get "/api/v1/map" => field::map, "supervision", "Supervision map: residents, checks and findings per desa/kelurahan";
    get "/api/v1/audit" => crate::audit::list, "audit", "Audit log entries";
    get "/api/v1/audit/verify" => crate::audit::verify_handler, "audit", "Verify the audit chain";
    get "/api/v1/me/permits" => me::permits, "self", "The caller's own permits";
    get "/api/v1/me/access-log" => me::access_log, "self", "Who read the caller's data, and why";
    get "/api/v1/me/checks" => me::checks, "self", "Field checks of the caller's permits and stay reports about them";
    get "/api/v1/stats/overview" => dashboard::overview, "dashboard", "Overview counts and 12-month trends of the caller's office";
    get "/api/v1/map/points" => dashboard::map_points, "dashboard", "Positions of field checks and stay reports (no person named) for the map";
    get "/api/v1/exports/permits.csv" => dashboard::export_permits, "dashboard", "The permits search as CSV (same filters; audited read, at most 10,000 rows)";
    get "/api/v1/foreigners/{niora}/access-log" => dashboard::person_access_log, "dashboard", "Who read a person's record, when and why (audited read)";
    get "/api/v1/stats/officers" => dashboard::officers, "dashboard", "Each field officer's checks, findings, devices and open alerts";
    get "/" => web::page, "web", "Dashboard page: overview (HTML shell; data from the API)";
    get "/login" => web::page, "web", "Dashboard page: sign-in";
    get "/me" => web::page, "web", "Dashboard page: a permit holder's own status, checks, reads of their data and requests";
    get "/map" => web::page, "web", "Dashboard page: supervision map";
    get "/permits" => web::page, "web", "Dashboard page: permits";
    get "/persons/{niora}" => web::page, "web", "Dashboard page: a foreigner";
    get "/issue" => web::page, "web", "Dashboard page: issuance";
    get "/alerts" => web::page, "web", "Dashboard page: alerts";
    get "/operations" => web::page, "web", "Dashboard page: operations";
    get "/officers" => web::page, "web", "Dashboard page: officers and devices";
    get "/audit" => web::page, "web", "Dashboard page: audit log";
    get "/report" => web::page, "web", "Dashboard page: monthly Tim PORA report";
    get "/assets/{*path}" => web::asset, "web", "Dashboard assets (embedded; ETag)";
    get "/api/v1/me/export" => privacy::my_export, "self", "Everything held about the caller, as JSON or PDF (?format=pdf)";
    get "/api/v1/me/correction-requests" => privacy::my_requests, "self", "The caller's correction requests and their answers";
    post "/api/v1/me/correction-requests" => privacy::file_request, "self", "Ask for a correction of the caller's record";
    get "/api/v1/foreigners/{niora}/export" => privacy::person_export, "registry", "Everything held about a person, made for them on request (audited read; JSON or PDF)";
    get "/api/v1/correction-requests" => privacy::list_requests, "registry", "Correction requests of the office's persons (default: pending; audited read)";
    post "/api/v1/correction-requests/{id}/decide" => privacy::decide_request, "registry", "Accept (the record changes) or reject a correction request, with a reason";
    get "/api/v1/operations" => operations::list, "supervision", "Operations of the office: written orders with team, area and status (newest first)";
    post "/api/v1/operations" => operations::create, "supervision", "Plan an operation: written order number, title, dates, team, area (GeoJSON polygon or kecamatan)";
    get "/api/v1/operations/{id}" => operations::get, "supervision", "One operation with its team and area";
    post "/api/v1/operations/{id}" => operations::update, "supervision", "Change an operation's plan or status (absent fields keep their value)";
    get "/api/v1/operations/{id}/results" => operations::results, "supervision", "The checks naming an operation: counts, findings by code, by officer, outside the area (no person named)";
    get "/api/v1/reports/monthly" => monthly::monthly, "dashboard", "The monthly Tim PORA report of the office (?month=YYYY-MM; JSON, or A4 PDF with format=pdf)";
    get "/api/v1/audit/anomalies" => privacy::anomalies, "audit", "Reads of persons with nothing behind them: check purpose without a check, repeated reads";
    get "/field" => field_web::redirect, "web", "Field verifier page: redirect to /field/";
    get "/field/" => field_web::index, "web", "Field verifier page (installable, offline; data from the API)";
    get "/field/{*path}" => field_web::file, "web", "Field verifier files: script, style, service worker, manifest, icons, wasm (embedded; ETag)";
}

/// The application router for `state`.
pub fn router(state: AppState) -> Router {
    let mut r: Router<AppState> = Router::new();
    for (spec, handler) in table() {
        r = r.route(spec.path, handler);
    }
    r.route_layer(middleware::from_fn_with_state(
        state.clone(),
        policy::authorize,
    ))
    .route_layer(middleware::from_fn_with_state(
        state.clone(),
        crate::metrics::track,
    ))
    .fallback(|| async { ApiError::not_found("endpoint") })
    .layer(DefaultBodyLimit::max(state.config.body_limit))
    .with_state(state)
}
