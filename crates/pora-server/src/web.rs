//! The supervision dashboard's front end: one HTML shell for every page and the static assets
//! (`web/`: plain JS modules, CSS, the region polygons and codes, and the npm libraries vendored by
//! `web/vendor.sh`), all embedded in the binary and served with a strong ETag. The pages hold no
//! data: they call the audited JSON API with the signed-in user's cookie session.

use std::sync::OnceLock;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::AppState;

/// One embedded file: path under `/assets/`, content type, bytes.
struct Asset {
    path: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

macro_rules! assets {
    ($($path:literal => $ct:literal,)*) => {
        const ASSETS: &[Asset] = &[$(Asset {
            path: $path,
            content_type: $ct,
            bytes: include_bytes!(concat!("../web/", $path)),
        }),*];
    };
}

assets! {
    "app.css" => "text/css; charset=utf-8",
    "app.js" => "text/javascript; charset=utf-8",
    "i18n.js" => "text/javascript; charset=utf-8",
    "charts.js" => "text/javascript; charset=utf-8",
    "pages/login.js" => "text/javascript; charset=utf-8",
    "pages/overview.js" => "text/javascript; charset=utf-8",
    "pages/map.js" => "text/javascript; charset=utf-8",
    "pages/permits.js" => "text/javascript; charset=utf-8",
    "pages/person.js" => "text/javascript; charset=utf-8",
    "pages/issue.js" => "text/javascript; charset=utf-8",
    "pages/placeholder.js" => "text/javascript; charset=utf-8",
    "pages/alerts.js" => "text/javascript; charset=utf-8",
    "pages/audit.js" => "text/javascript; charset=utf-8",
    "pages/officers.js" => "text/javascript; charset=utf-8",
    "pages/operations.js" => "text/javascript; charset=utf-8",
    "pages/report.js" => "text/javascript; charset=utf-8",
    "pages/me.js" => "text/javascript; charset=utf-8",
    "favicon.svg" => "image/svg+xml",
    "vendor/leaflet/leaflet.js" => "text/javascript; charset=utf-8",
    "vendor/leaflet/leaflet.css" => "text/css; charset=utf-8",
    "vendor/leaflet/images/marker-icon.png" => "image/png",
    "vendor/leaflet/images/marker-icon-2x.png" => "image/png",
    "vendor/leaflet/images/marker-shadow.png" => "image/png",
    "vendor/leaflet/images/layers.png" => "image/png",
    "vendor/leaflet/images/layers-2x.png" => "image/png",
    "vendor/markercluster/leaflet.markercluster.js" => "text/javascript; charset=utf-8",
    "vendor/markercluster/MarkerCluster.css" => "text/css; charset=utf-8",
    "vendor/markercluster/MarkerCluster.Default.css" => "text/css; charset=utf-8",
    "vendor/uplot/uPlot.iife.min.js" => "text/javascript; charset=utf-8",
    "vendor/uplot/uPlot.min.css" => "text/css; charset=utf-8",
}

/// The region polygons (cahyadsn/wilayah_boundaries, MIT; see `data/wilayah/README.md`).
const GEO: &[Asset] = &[
    Asset {
        path: "geo/kecamatan.geojson",
        content_type: "application/geo+json",
        bytes: include_bytes!("../data/wilayah/bekasi_kecamatan.geojson"),
    },
    Asset {
        path: "geo/desa.geojson",
        content_type: "application/geo+json",
        bytes: include_bytes!("../data/wilayah/bekasi_desa_kelurahan.geojson"),
    },
    Asset {
        path: "geo/wilayah.csv",
        content_type: "text/csv; charset=utf-8",
        bytes: include_bytes!("../data/wilayah/bekasi_wilayah.csv"),
    },
    Asset {
        path: "geo/LICENSE-MIT.txt",
        content_type: "text/plain; charset=utf-8",
        bytes: include_bytes!("../data/wilayah/LICENSE-MIT.txt"),
    },
    Asset {
        path: "geo/README.md",
        content_type: "text/plain; charset=utf-8",
        bytes: include_bytes!("../data/wilayah/README.md"),
    },
];

const SHELL: &str = include_str!("../web/app.html");

/// The strong ETag of every asset, computed once.
fn etags() -> &'static Vec<String> {
    static E: OnceLock<Vec<String>> = OnceLock::new();
    E.get_or_init(|| {
        ASSETS
            .iter()
            .chain(GEO)
            .chain(std::iter::once(&Asset {
                path: "",
                content_type: "",
                bytes: SHELL.as_bytes(),
            }))
            .map(|a| format!("\"{}\"", &hex::encode(Sha256::digest(a.bytes))[..32]))
            .collect()
    })
}

fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
}

fn respond(
    headers: &HeaderMap,
    etag: &str,
    content_type: &'static str,
    body: &'static [u8],
) -> Response {
    let mut resp = if not_modified(headers, etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, content_type)], body).into_response()
    };
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
    // Revalidate every time: a new binary changes the ETag, an unchanged one answers 304.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}

/// `GET /assets/{*path}`: an embedded asset.
pub async fn asset(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let found = ASSETS
        .iter()
        .chain(GEO)
        .enumerate()
        .find(|(_, a)| a.path == path);
    match found {
        Some((i, a)) => respond(&headers, &etags()[i], a.content_type, a.bytes),
        None => ApiError::not_found("asset").into_response(),
    }
}

/// Every dashboard page (`/`, `/login`, `/map`, …): the same HTML shell; `app.js` draws the page
/// named by the path. The optional base-map tile URL (`PORA_TILE_URL`) is passed in a meta tag and
/// allowed by the content security policy.
pub async fn page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let tile = state.config.tile_url.as_deref().unwrap_or("");
    let etag = &etags()[ASSETS.len() + GEO.len()];
    let mut resp = if tile.is_empty() {
        respond(&headers, etag, "text/html; charset=utf-8", SHELL.as_bytes())
    } else {
        let html = SHELL.replace(
            "<meta name=\"pora-tile-url\" content=\"\">",
            &format!(
                "<meta name=\"pora-tile-url\" content=\"{}\">",
                html_escape(tile)
            ),
        );
        let mut r = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response();
        r.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        r
    };
    let img = if tile.is_empty() {
        "'self' data: blob:".to_owned()
    } else {
        format!("'self' data: blob: {}", tile_origin(tile))
    };
    let csp = format!(
        "default-src 'self'; img-src {img}; style-src 'self' 'unsafe-inline'; script-src 'self'; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        resp.headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, v);
    }
    resp.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    resp
}

/// `scheme://host[:port]` of a tile URL template such as `https://tile.example.org/{z}/{x}/{y}.png`.
fn tile_origin(url: &str) -> String {
    let after_scheme = url.find("://").map(|i| i + 3).unwrap_or(0);
    let end = url[after_scheme..]
        .find('/')
        .map(|i| after_scheme + i)
        .unwrap_or(url.len());
    url[..end]
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ';' && *c != '\'')
        .collect()
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_origin_is_scheme_and_host() {
        assert_eq!(
            tile_origin("https://tile.example.org/{z}/{x}/{y}.png"),
            "https://tile.example.org"
        );
        assert_eq!(
            tile_origin("http://10.0.0.2:8088/t/{z}/{x}/{y}"),
            "http://10.0.0.2:8088"
        );
        assert_eq!(
            tile_origin("https://a.b; script-src *"),
            "https://a.bscript-src*"
        );
    }

    #[test]
    fn every_asset_is_found_once() {
        let mut seen = std::collections::BTreeSet::new();
        for a in ASSETS.iter().chain(GEO) {
            assert!(seen.insert(a.path), "{} twice", a.path);
            assert!(!a.bytes.is_empty(), "{} empty", a.path);
        }
        assert_eq!(etags().len(), ASSETS.len() + GEO.len() + 1);
    }
}
