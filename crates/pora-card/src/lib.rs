//! Renders the documents of a foreigner's Indonesian residence permit, each carrying the permit's
//! signed QR code: the KITAS/KITAP card (ID-1) and the one-page A4 e-ITAS/e-ITAP.
//!
//! Pure and deterministic: no I/O, no clock; the same [`CardData`] always gives the same bytes.
//! Both outputs come from one layout in millimetres, so the PDF (vector, embedded fonts, QR as
//! squares) and the PNG (any resolution) cannot diverge.
//!
//! ```no_run
//! # fn demo(json: &str) -> Result<(), Box<dyn std::error::Error>> {
//! let data: pora_card::CardData = serde_json::from_str(json)?;
//! let pdf = pora_card::card_pdf(&data)?;
//! let png = pora_card::card_png(&data, 300)?; // 1011 × 638 px
//! # let _ = (pdf, png); Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod card;
mod common;
mod data;
mod epermit;
mod error;
mod font;
mod layout;
mod pdf;
mod photo;
mod qr;
mod raster;

pub use data::{CardData, Date, DateParseError, PermitKind, Sex};
pub use error::{CardError, Field, PhotoError};

/// Resolutions accepted for the card PNG, in dots per inch.
pub const CARD_DPI: std::ops::RangeInclusive<u32> = 72..=1200;
/// Resolutions accepted for the A4 e-permit PNG (600 dpi is already 4961 × 7016 px).
pub const EPERMIT_DPI: std::ops::RangeInclusive<u32> = 72..=600;
/// The card's default resolution: 300 dpi gives 1011 × 638 px.
pub const DEFAULT_CARD_DPI: u32 = 300;
/// The e-permit's default resolution.
pub const DEFAULT_EPERMIT_DPI: u32 = 150;

fn check_dpi(dpi: u32, range: &std::ops::RangeInclusive<u32>) -> Result<(), CardError> {
    if range.contains(&dpi) {
        Ok(())
    } else {
        Err(CardError::BadDpi {
            dpi,
            min: *range.start(),
            max: *range.end(),
        })
    }
}

/// The KITAS/KITAP card (front side) as a one-page PDF of 85.60 × 53.98 mm.
pub fn card_pdf(data: &CardData) -> Result<Vec<u8>, CardError> {
    let fonts = font::Fonts::new();
    let page = card::layout(data, &fonts)?;
    let title = format!("K{} {}", data.permit_type.code(), data.permit_number.trim());
    Ok(pdf::render(&page, &fonts, &title))
}

/// The KITAS/KITAP card (front side) as a PNG at `dpi` (see [`CARD_DPI`]).
pub fn card_png(data: &CardData, dpi: u32) -> Result<Vec<u8>, CardError> {
    check_dpi(dpi, &CARD_DPI)?;
    let fonts = font::Fonts::new();
    let page = card::layout(data, &fonts)?;
    raster::render(&page, &fonts, dpi)
}

/// The e-ITAS/e-ITAP as a one-page A4 PDF.
pub fn epermit_pdf(data: &CardData) -> Result<Vec<u8>, CardError> {
    let fonts = font::Fonts::new();
    let page = epermit::layout(data, &fonts)?;
    let title = format!(
        "e-{} {}",
        data.permit_type.code(),
        data.permit_number.trim()
    );
    Ok(pdf::render(&page, &fonts, &title))
}

/// The e-ITAS/e-ITAP as an A4 PNG at `dpi` (see [`EPERMIT_DPI`]).
pub fn epermit_png(data: &CardData, dpi: u32) -> Result<Vec<u8>, CardError> {
    check_dpi(dpi, &EPERMIT_DPI)?;
    let fonts = font::Fonts::new();
    let page = epermit::layout(data, &fonts)?;
    raster::render(&page, &fonts, dpi)
}

/// Pixel size `(width, height)` of the card PNG at `dpi`.
pub fn card_pixel_size(dpi: u32) -> (u32, u32) {
    let s = dpi as f32 / 25.4;
    (
        (card::WIDTH * s).round() as u32,
        (card::HEIGHT * s).round() as u32,
    )
}
