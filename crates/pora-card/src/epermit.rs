//! The e-ITAS/e-ITAP: a one-page A4 permit laid out like an official letter.

use crate::data::CardData;
use crate::error::CardError;
use crate::font::Fonts;
use crate::layout::Page;

/// A4 in millimetres and its MediaBox in points.
pub(crate) const WIDTH: f32 = 210.0;
pub(crate) const HEIGHT: f32 = 297.0;
const MEDIA_BOX_PT: (f32, f32) = (595.28, 841.89);

/// Builds the e-permit's page.
pub(crate) fn layout(data: &CardData, fonts: &Fonts) -> Result<Page, CardError> {
    crate::common::check(data)?;
    let _ = fonts;
    Ok(Page::new(WIDTH, HEIGHT, MEDIA_BOX_PT))
}
