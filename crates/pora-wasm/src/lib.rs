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
//! }
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

use wasm_bindgen::prelude::*;

pub use field::{FieldVerifier, SetupError};

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
}

fn js_error(e: SetupError) -> JsError {
    JsError::new(&e.to_string())
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
