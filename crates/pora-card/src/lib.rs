//! Renders the documents of a foreigner's Indonesian residence permit, each carrying the permit's
//! signed QR code: the KITAS/KITAP card (ID-1) and the one-page A4 e-ITAS/e-ITAP.
//!
//! | function | output |
//! | --- | --- |
//! | [`card_pdf`] | card front, PDF page of 85.60 × 53.98 mm (MediaBox 242.65 × 153.01 pt) |
//! | [`card_png`] | card front, PNG at a chosen dpi (300 dpi: 1011 × 638 px) |
//! | [`epermit_pdf`] | e-ITAS / e-ITAP, one A4 PDF page (595.28 × 841.89 pt) |
//! | [`epermit_png`] | e-ITAS / e-ITAP, A4 PNG at a chosen dpi (150 dpi: 1240 × 1754 px) |
//! | [`report_pdf`] / [`report_png`] | a plain A4 report of several pages (headings, fields, tables), e.g. a person's data export |
//!
//! Pure and deterministic: no I/O, no clock; the same [`CardData`] always gives the same bytes.
//! Both outputs of a document come from one display list positioned in millimetres, so the PDF
//! (vector shapes, real text in embedded subset fonts with a ToUnicode map, the QR code as
//! squares) and the PNG cannot diverge.
//!
//! Policies:
//! - **QR code**: the text is encoded exactly as given (never truncated), in alphanumeric mode
//!   when every character allows it (credentials are `PR1:` + Base45), EC level M, the smallest
//!   version, with a 4-module quiet zone. A text needing modules smaller than 0.25 mm on the card
//!   (0.35 mm on the A4) is [`CardError::QrTooLong`].
//! - **Text**: identifiers (permit and passport numbers, visa index) are never cut: too long is
//!   [`CardError::FieldTooLong`]. Free text shrinks down to 6 pt on the card, then switches to the
//!   regular weight, then ends with "…"; a date after a place of birth is always kept whole.
//!   Characters no font has show the font's box glyph; nothing panics.
//! - **Fonts**: DejaVu Sans Condensed (regular, bold) and, with the default `cjk` feature, Droid
//!   Sans Fallback for Chinese, Japanese and Korean; licences in `fonts/`.
//! - **Photo**: optional JPEG (baseline, progressive, grey, CMYK) or PNG bytes, cropped to the
//!   photo box; without one a neutral silhouette labelled "FOTO" is drawn.
//!
//! ```no_run
//! # fn demo(json: &str) -> Result<(), Box<dyn std::error::Error>> {
//! let data: pora_card::CardData = serde_json::from_str(json)?;
//! let pdf = pora_card::card_pdf(&data)?;
//! let png = pora_card::card_png(&data, pora_card::DEFAULT_CARD_DPI)?; // 1011 × 638 px
//! let a4 = pora_card::epermit_pdf(&data)?;
//! # let _ = (pdf, png, a4); Ok(()) }
//! ```
#![forbid(unsafe_code)]
// Tests may unwrap: a panic there is a failing test, which is what we want.
#![cfg_attr(test, allow(clippy::unwrap_used))]
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
mod report;

pub use data::{CardData, Date, DateParseError, PermitKind, Sex};
pub use error::{CardError, Field, PhotoError};
pub use report::{report_pdf, report_png, Block, Report, MAX_PAGES};

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
    pixel_size(card::WIDTH, card::HEIGHT, dpi)
}

/// Pixel size `(width, height)` of the e-permit PNG at `dpi`.
pub fn epermit_pixel_size(dpi: u32) -> (u32, u32) {
    pixel_size(epermit::WIDTH, epermit::HEIGHT, dpi)
}

fn pixel_size(width_mm: f32, height_mm: f32, dpi: u32) -> (u32, u32) {
    let s = dpi as f32 / 25.4;
    (
        (width_mm * s).round() as u32,
        (height_mm * s).round() as u32,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::font::{Fonts, MM_PER_PT};
    use crate::layout::{Item, Page};

    fn sample(long: bool) -> CardData {
        let d = |s: &str| s.parse::<Date>().unwrap();
        let text = |short: &str, long_text: &str| {
            if long {
                long_text.repeat(12)
            } else {
                short.to_string()
            }
        };
        CardData {
            permit_type: PermitKind::Itas,
            permit_number: (if long {
                "2C11AB4271-00939999"
            } else {
                "2C11AB4271-0093"
            })
            .into(),
            full_name: text("TANAKA HIROSHI", "WOLFESCHLEGELSTEINHAUSEN "),
            place_of_birth: text("OSAKA", "Garmisch-Partenkirchen "),
            date_of_birth: d("1984-03-12"),
            sex: Sex::Male,
            nationality: text("JPN", "Republic of Somewhere "),
            passport_number: "TZ1234567".into(),
            visa_index: "E23".into(),
            occupation: text("Production Engineering Manager", "Senior Engineer "),
            sponsor: text("PT Sinar Cikarang Presisi", "PT Sinar Cikarang "),
            address: text(
                "Jl. Jababeka Raya Blok F No. 12, Cikarang Utara",
                "Jl. Panjang ",
            ),
            valid_from: d("2025-01-15"),
            valid_until: d("2027-01-14"),
            issuing_office: text("Kantor Imigrasi Bekasi", "Kantor Imigrasi Kelas I "),
            qr_text: format!(
                "PR1:{}",
                "6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3/XIV0W23NTDEPWK G2EP4J0B".repeat(5)
            ),
            issue_date: None,
            photo: None,
        }
    }

    /// Text boxes (x0, y0, x1, y1) in mm: advance width by ascender-to-descender height.
    fn text_boxes(page: &Page, fonts: &Fonts) -> Vec<(f32, f32, f32, f32, String)> {
        page.items
            .iter()
            .filter_map(|item| match item {
                Item::Text {
                    x,
                    baseline,
                    size_pt,
                    font,
                    text,
                    ..
                } => {
                    let mm = size_pt * MM_PER_PT;
                    let w = fonts.width_mm(*font, *size_pt, text);
                    Some((
                        *x,
                        baseline - 0.76 * mm,
                        x + w,
                        baseline + 0.24 * mm,
                        text.clone(),
                    ))
                }
                _ => None,
            })
            .collect()
    }

    fn check_page(page: &Page, fonts: &Fonts, min_pt: f32) {
        let boxes = text_boxes(page, fonts);
        let qr: Vec<(f32, f32, f32, f32)> = page
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Qr { x, y, size, .. } => Some((*x, *y, x + size, y + size)),
                _ => None,
            })
            .collect();
        assert_eq!(qr.len(), 1);
        // Thin filled rectangles are rules and stripes: no text may touch them.
        let rules: Vec<(f32, f32, f32, f32)> =
            page.items
                .iter()
                .filter_map(|i| match i {
                    Item::Fill { path, .. } => {
                        let pts: Vec<(f32, f32)> =
                            path.0
                                .iter()
                                .filter_map(|s| match *s {
                                    crate::layout::Seg::Move(x, y)
                                    | crate::layout::Seg::Line(x, y) => Some((x, y)),
                                    _ => None,
                                })
                                .collect();
                        let (x0, x1) = pts
                            .iter()
                            .fold((f32::MAX, f32::MIN), |a, p| (a.0.min(p.0), a.1.max(p.0)));
                        let (y0, y1) = pts
                            .iter()
                            .fold((f32::MAX, f32::MIN), |a, p| (a.0.min(p.1), a.1.max(p.1)));
                        (path.0.len() == 5 && y1 - y0 <= 1.0).then_some((x0, y0, x1, y1))
                    }
                    _ => None,
                })
                .collect();
        assert!(!rules.is_empty());
        let overlap = |a: (f32, f32, f32, f32), b: (f32, f32, f32, f32)| {
            a.0 < b.2 - 0.01 && b.0 < a.2 - 0.01 && a.1 < b.3 - 0.01 && b.1 < a.3 - 0.01
        };
        for (i, a) in boxes.iter().enumerate() {
            let ra = (a.0, a.1, a.2, a.3);
            assert!(
                a.0 >= 0.0 && a.2 <= page.width && a.1 >= 0.0 && a.3 <= page.height,
                "{a:?} off the page"
            );
            assert!(!overlap(ra, qr[0]), "{a:?} overlaps the QR code");
            for r in &rules {
                assert!(!overlap(ra, *r), "{a:?} touches the rule {r:?}");
            }
            for b in &boxes[i + 1..] {
                assert!(!overlap(ra, (b.0, b.1, b.2, b.3)), "{a:?} overlaps {b:?}");
            }
        }
        for item in &page.items {
            if let Item::Text { size_pt, text, .. } = item {
                assert!(*size_pt >= min_pt, "{text:?} at {size_pt} pt");
            }
        }
    }

    #[test]
    fn card_text_is_readable_and_never_overlaps() {
        let fonts = Fonts::new();
        for long in [false, true] {
            let page = card::layout(&sample(long), &fonts).unwrap();
            check_page(&page, &fonts, 6.0);
            if !long {
                // With ordinary data nothing is cut.
                let cut: Vec<_> = text_boxes(&page, &fonts)
                    .into_iter()
                    .filter(|b| b.4.contains('…'))
                    .collect();
                assert!(cut.is_empty(), "{cut:?}");
            }
        }
    }

    #[test]
    fn epermit_text_never_overlaps() {
        let fonts = Fonts::new();
        for long in [false, true] {
            let page = epermit::layout(&sample(long), &fonts).unwrap();
            check_page(&page, &fonts, 7.0);
        }
    }

    fn any_text(max: usize) -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        proptest::collection::vec(any::<char>(), 0..max).prop_map(|v| v.into_iter().collect())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, ..Default::default() })]

        /// Arbitrary Unicode in every text field lays out within the page, or fails with a typed
        /// error; never panics.
        #[test]
        fn arbitrary_text_lays_out_or_fails_typed(
            name in any_text(300),
            address in any_text(600),
            place in any_text(80),
            number in any_text(24),
            office in any_text(120),
            qr in any_text(400),
        ) {
            let mut data = sample(false);
            data.full_name = name;
            data.address = address;
            data.place_of_birth = place;
            data.permit_number = number;
            data.issuing_office = office;
            data.qr_text = qr;
            let fonts = Fonts::new();
            for page in [card::layout(&data, &fonts), epermit::layout(&data, &fonts)] {
                match page {
                    Ok(page) => {
                        for (x0, y0, x1, y1, text) in text_boxes(&page, &fonts) {
                            let inside = x0 >= 0.0 && y0 >= 0.0 && x1 <= page.width && y1 <= page.height;
                            proptest::prop_assert!(inside, "{text:?} off the page");
                        }
                    }
                    Err(CardError::EmptyField(_))
                    | Err(CardError::FieldTooLong { .. })
                    | Err(CardError::QrTooLong { .. }) => {}
                    Err(other) => proptest::prop_assert!(false, "unexpected error: {other}"),
                }
            }
        }
    }

    #[test]
    fn qr_versions_fit_the_layouts() {
        // A 300-character Base45 credential is version 10 or 11 at level M; both documents
        // accept it with room to spare, and the card's modules stay above 0.25 mm.
        assert!(qr::max_version(23.3, 0.25) >= 16);
        let m = qr::QrMatrix::encode(&sample(false).qr_text, 40).unwrap();
        assert!(m.version() <= 11);
        assert!(23.3 / m.total_modules() as f32 >= 0.25);
    }
}
