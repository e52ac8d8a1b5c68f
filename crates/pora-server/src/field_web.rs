//! The field verifier page at `/field/`: an installable, offline page (web manifest, icons, a
//! service worker) that runs pora-wasm in the browser. Every file is embedded in the binary from
//! `web/field/`, including the wasm-bindgen output in `web/field/pkg/` (committed; rebuilt by
//! `web/field/build-pkg.sh`, and CI fails when the committed copy differs from a build of the
//! current source: see docs/ARCHITECTURE.md, "The field page and its wasm").
//!
//! Served with a strong ETag and `no-cache` (revalidate; an unchanged binary answers 304), and the
//! wasm module also zlib-compressed (`Content-Encoding: deflate`) when the browser accepts it.

use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// One embedded file of the page.
struct File {
    path: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

macro_rules! files {
    ($($path:literal => $ct:literal,)*) => {
        const FILES: &[File] = &[$(File {
            path: $path,
            content_type: $ct,
            bytes: include_bytes!(concat!("../web/field/", $path)),
        }),*];
    };
}

files! {
    "index.html" => "text/html; charset=utf-8",
    "field.js" => "text/javascript; charset=utf-8",
    "field.css" => "text/css; charset=utf-8",
    "sw.js" => "text/javascript; charset=utf-8",
    "manifest.webmanifest" => "application/manifest+json",
    "icon.svg" => "image/svg+xml",
    "icon-192.png" => "image/png",
    "icon-512.png" => "image/png",
    "pkg/pora_wasm.js" => "text/javascript; charset=utf-8",
    "pkg/pora_wasm_bg.wasm" => "application/wasm",
}

/// What the page may load and run: only this server; wasm compilation allowed; the camera stream.
const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
    img-src 'self' data: blob:; media-src 'self' blob: mediastream:; connect-src 'self'; \
    worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; \
    form-action 'self'";

fn etags() -> &'static [String] {
    static E: OnceLock<Vec<String>> = OnceLock::new();
    E.get_or_init(|| {
        FILES
            .iter()
            .map(|f| format!("\"{}\"", &hex::encode(Sha256::digest(f.bytes))[..32]))
            .collect()
    })
}

/// The wasm module, zlib-compressed once on first use.
fn deflated(bytes: &'static [u8]) -> &'static [u8] {
    static D: OnceLock<Vec<u8>> = OnceLock::new();
    D.get_or_init(|| miniz_oxide::deflate::compress_to_vec_zlib(bytes, 9))
}

fn accepts_deflate(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|e| e.split(';').next().is_some_and(|n| n.trim() == "deflate"))
        })
}

fn serve(i: usize, headers: &HeaderMap) -> Response {
    let f = &FILES[i];
    let etag = &etags()[i];
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let wasm = f.path.ends_with(".wasm");
    let mut resp = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else if wasm && accepts_deflate(headers) {
        (
            [
                (header::CONTENT_TYPE, f.content_type),
                (header::CONTENT_ENCODING, "deflate"),
            ],
            deflated(f.bytes),
        )
            .into_response()
    } else {
        ([(header::CONTENT_TYPE, f.content_type)], f.bytes).into_response()
    };
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
    if wasm {
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    resp
}

/// `GET /field`: to `/field/`, the service worker's scope.
pub async fn redirect() -> Redirect {
    Redirect::permanent("/field/")
}

/// `GET /field/`: the page.
pub async fn index(headers: HeaderMap) -> Response {
    serve(0, &headers)
}

/// `GET /field/{*path}`: a file of the page.
pub async fn file(Path(path): Path<String>, headers: HeaderMap) -> Response {
    match FILES.iter().position(|f| f.path == path) {
        Some(i) => serve(i, &headers),
        None => ApiError::not_found("file").into_response(),
    }
}

#[cfg(test)]
mod tests {
    // Tests: a panic is the failure report.
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_file_is_there_once_and_the_wasm_is_a_module() {
        let mut seen = std::collections::BTreeSet::new();
        for f in FILES {
            assert!(seen.insert(f.path), "{} twice", f.path);
            assert!(!f.bytes.is_empty(), "{} empty", f.path);
        }
        let wasm = FILES
            .iter()
            .find(|f| f.content_type == "application/wasm")
            .unwrap();
        assert_eq!(&wasm.bytes[..4], b"\0asm");
        assert_eq!(FILES[0].path, "index.html");
    }

    #[test]
    fn deflate_is_recognised_only_as_a_coding_name() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
            m
        };
        assert!(accepts_deflate(&h("gzip, deflate, br")));
        assert!(accepts_deflate(&h("deflate;q=0.5")));
        assert!(!accepts_deflate(&h("gzip, br")));
        assert!(!accepts_deflate(&h("x-deflate-ish")));
        assert!(!accepts_deflate(&HeaderMap::new()));
    }

    #[test]
    fn the_deflated_wasm_inflates_to_the_module() {
        let wasm = FILES.iter().find(|f| f.path.ends_with(".wasm")).unwrap();
        let back = miniz_oxide::inflate::decompress_to_vec_zlib(deflated(wasm.bytes)).unwrap();
        assert_eq!(back, wasm.bytes);
    }
}
