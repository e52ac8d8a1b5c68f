//! WebAssembly bindings for the browser field verifier: the offline verification of `pora-core` and
//! the QR reader of `pora-reader`, compiled to wasm32 and run in the page. Nothing here uses the
//! network: the page hands in the root key, the signed trust list and status lists it has stored.
//!
//! JavaScript API (`wasm-bindgen --target web`):
//!
//! ```text
//! class Verifier {
//!   constructor(rootAlg: string, rootPublicKeyHex: string, trustListBytes: Uint8Array) // throws
//!   addStatusList(bytes: Uint8Array): void                                            // throws
//!   trustListInfo(): string  // JSON {version, issued_at, next_update, signer_count, signers, status_lists}
//!   verify(text: string, nowUnixSeconds: number): string // JSON like `pora verify --json`; throws only on a bad time
//!   check(text: string, nowUnixSeconds: number): string  // verify's JSON + headline, warning_texts,
//!                                                        // days_left, charge_per_day_idr, trust_list_version, status_list_at
//! }
//! // Check reports (docs/SPEC.md §7); report JSON = pora_core::report::CheckReport's serde form,
//! // devicePublicKey = WebCrypto raw export (65 bytes P-256 or 32 bytes Ed25519). All throw on bad input.
//! reportToBeSigned(reportJson: string, devicePublicKey: Uint8Array): Uint8Array   // the Sig_structure
//! reportFinalize(reportJson: string, devicePublicKey: Uint8Array, signature: Uint8Array): Uint8Array // COSE bytes
//! reportVerify(bytes: Uint8Array, devicePublicKey: Uint8Array): string            // the report's JSON
//! reportHash(bytes: Uint8Array): Uint8Array      // SHA-256: the next report's prev
//! docHash(key: Uint8Array, permitNumber: string): Uint8Array // HMAC-SHA256 of the normalised number
//! readRgba(width: number, height: number, pixels: Uint8Array, tryHarder: boolean): string
//! readImage(bytes: Uint8Array): string
//!   // JSON [{text, corners: [[x,y]x4], ecLevel, version, pass}] or {error, reason}
//! ```
//!
//! `readRgba` and `readImage` need the default `reader` feature; without it the module only
//! verifies (for a page that reads codes some other way).
//!
//! The bindings are thin: the logic and the JSON live in [`field`] and [`json`], plain Rust that
//! is tested natively. The crate builds natively too (wasm-bindgen's exports are inert there).

pub mod field;
pub mod json;
pub mod report;

use wasm_bindgen::prelude::*;

pub use field::{FieldVerifier, SetupError};
pub use report::ReportInputError;

/// A verifier holding a verified trust list and status lists.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Verifier {
    inner: FieldVerifier,
}

#[wasm_bindgen]
impl Verifier {
    /// Verifies `trustListBytes` (a signed trust list) against the root key.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(js_name = rootAlg)] root_alg: &str,
        #[wasm_bindgen(js_name = rootPublicKeyHex)] root_public_key_hex: &str,
        #[wasm_bindgen(js_name = trustListBytes)] trust_list_bytes: &[u8],
    ) -> Result<Verifier, JsError> {
        FieldVerifier::new(root_alg, root_public_key_hex, trust_list_bytes)
            .map(|inner| Verifier { inner })
            .map_err(js_error)
    }

    /// Verifies a signed status list token against the trust list and holds it.
    #[wasm_bindgen(js_name = addStatusList)]
    pub fn add_status_list(&mut self, bytes: &[u8]) -> Result<(), JsError> {
        self.inner.add_status_list(bytes).map_err(js_error)
    }

    /// The trust list and status lists held, as JSON.
    #[wasm_bindgen(js_name = trustListInfo)]
    pub fn trust_list_info(&self) -> String {
        self.inner.trust_list_info()
    }

    /// Verifies a QR text at `nowUnixSeconds`; the verdict as JSON.
    pub fn verify(
        &self,
        text: &str,
        #[wasm_bindgen(js_name = nowUnixSeconds)] now_unix_seconds: f64,
    ) -> Result<String, JsError> {
        let now = field::unix_seconds(now_unix_seconds).map_err(js_error)?;
        Ok(self.inner.verify(text, now))
    }

    /// Verifies a QR text at `nowUnixSeconds`; what the result screen and the check report need.
    pub fn check(
        &self,
        text: &str,
        #[wasm_bindgen(js_name = nowUnixSeconds)] now_unix_seconds: f64,
    ) -> Result<String, JsError> {
        let now = field::unix_seconds(now_unix_seconds).map_err(js_error)?;
        Ok(self.inner.check(text, now))
    }
}

fn js_error(e: impl std::error::Error) -> JsError {
    JsError::new(&e.to_string())
}

/// The Sig_structure the device signs for a check report.
#[wasm_bindgen(js_name = reportToBeSigned)]
pub fn report_to_be_signed(
    #[wasm_bindgen(js_name = reportJson)] report_json: &str,
    #[wasm_bindgen(js_name = devicePublicKey)] device_public_key: &[u8],
) -> Result<Vec<u8>, JsError> {
    report::to_be_signed(report_json, device_public_key).map_err(js_error)
}

/// The signed check report (tagged COSE_Sign1), after checking the signature.
#[wasm_bindgen(js_name = reportFinalize)]
pub fn report_finalize(
    #[wasm_bindgen(js_name = reportJson)] report_json: &str,
    #[wasm_bindgen(js_name = devicePublicKey)] device_public_key: &[u8],
    signature: &[u8],
) -> Result<Vec<u8>, JsError> {
    report::finalize(report_json, device_public_key, signature).map_err(js_error)
}

/// Authenticates a check report against the device key; its JSON form.
#[wasm_bindgen(js_name = reportVerify)]
pub fn report_verify(
    bytes: &[u8],
    #[wasm_bindgen(js_name = devicePublicKey)] device_public_key: &[u8],
) -> Result<String, JsError> {
    report::verify(bytes, device_public_key).map_err(js_error)
}

/// The chain hash of a check report's bytes.
#[wasm_bindgen(js_name = reportHash)]
pub fn report_hash(bytes: &[u8]) -> Vec<u8> {
    report::hash(bytes).to_vec()
}

/// The keyed hash of a permit number under the office's doc-hash key.
#[wasm_bindgen(js_name = docHash)]
pub fn doc_hash(
    key: &[u8],
    #[wasm_bindgen(js_name = permitNumber)] permit_number: &str,
) -> Vec<u8> {
    report::doc_hash(key, permit_number).to_vec()
}

/// Reads the QR codes in an RGBA8 frame (`pixels.length == width * height * 4`).
#[cfg(feature = "reader")]
#[wasm_bindgen(js_name = readRgba)]
pub fn read_rgba(
    width: u32,
    height: u32,
    pixels: &[u8],
    #[wasm_bindgen(js_name = tryHarder)] try_harder: bool,
) -> String {
    field::read_rgba(width, height, pixels, try_harder)
}

/// Reads the QR codes in a PNG, JPEG or WebP file.
#[cfg(feature = "reader")]
#[wasm_bindgen(js_name = readImage)]
pub fn read_image(bytes: &[u8]) -> String {
    field::read_image(bytes)
}
