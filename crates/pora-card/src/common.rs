//! Pieces both documents share: input checks, colours, the labelled field and the photo box.

use std::sync::Arc;

use crate::data::CardData;
use crate::error::{CardError, Field};
use crate::font::{FontKind, Fonts};
use crate::layout::{Align, Item, Page, Path, Rgb};
use crate::photo::Photo;

pub(crate) const INK: Rgb = Rgb(22, 30, 44);
pub(crate) const LABEL: Rgb = Rgb(52, 74, 104);
pub(crate) const LABEL_EN: Rgb = Rgb(112, 126, 142);
pub(crate) const NAVY: Rgb = Rgb(16, 56, 104);
pub(crate) const RED: Rgb = Rgb(196, 22, 46);

/// Longest accepted identifiers, in characters (permit numbers are at most 20 by the domain,
/// passport numbers 9 in ICAO documents with a little slack for legacy ones).
pub(crate) const MAX_PERMIT_NUMBER: usize = 20;
pub(crate) const MAX_PASSPORT_NUMBER: usize = 12;
pub(crate) const MAX_VISA_INDEX: usize = 8;

/// Checks what must hold before anything is drawn.
pub(crate) fn check(data: &CardData) -> Result<(), CardError> {
    let required = [
        (Field::PermitNumber, &data.permit_number),
        (Field::FullName, &data.full_name),
        (Field::Nationality, &data.nationality),
        (Field::PassportNumber, &data.passport_number),
        (Field::IssuingOffice, &data.issuing_office),
        (Field::QrText, &data.qr_text),
    ];
    for (field, value) in required {
        if value.trim().is_empty() {
            return Err(CardError::EmptyField(field));
        }
    }
    let limits = [
        (Field::PermitNumber, &data.permit_number, MAX_PERMIT_NUMBER),
        (
            Field::PassportNumber,
            &data.passport_number,
            MAX_PASSPORT_NUMBER,
        ),
        (Field::VisaIndex, &data.visa_index, MAX_VISA_INDEX),
    ];
    for (field, value, max) in limits {
        let len = value.trim().chars().count();
        if len > max {
            return Err(CardError::FieldTooLong { field, len, max });
        }
    }
    if data.valid_until < data.valid_from {
        return Err(CardError::ValidityReversed {
            from: data.valid_from,
            until: data.valid_until,
        });
    }
    Ok(())
}

/// Decodes the photo, if any, cropped to `w:h` and at most `max_px` pixels high.
pub(crate) fn photo(
    data: &CardData,
    w: f32,
    h: f32,
    max_px: u32,
) -> Result<Option<Arc<Photo>>, CardError> {
    match &data.photo {
        None => Ok(None),
        Some(bytes) => Ok(Some(Arc::new(Photo::decode(bytes)?.cover(w, h, max_px)))),
    }
}

/// Text drawn in one field, with how it must be treated when it does not fit.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Fit {
    /// Free text: shrink to the minimum size, then cut with an ellipsis.
    Shorten,
    /// Like `Shorten`, but the last this-many characters are never cut (a date after a place).
    KeepTail(usize),
    /// Free text on up to this many lines at the given size; the last line is cut with "…".
    Wrap(usize),
    /// An identifier: shrink, but never cut; fail with `FieldTooLong` instead.
    Exact(Field),
}

/// Typography of a field: label size, value size and font, minimum size, line pitch (mm).
#[derive(Debug, Clone, Copy)]
pub(crate) struct FieldStyle {
    pub(crate) label_pt: f32,
    pub(crate) value_pt: f32,
    pub(crate) min_pt: f32,
    pub(crate) value_font: FontKind,
    /// Distance from the field's top to the label baseline.
    pub(crate) label_baseline: f32,
    /// Distance from the label baseline to the first value baseline.
    pub(crate) value_gap: f32,
    /// Distance between value lines when wrapping.
    pub(crate) line_pitch: f32,
}

/// Draws a bilingual label ("Nama / Name", the English part lighter) above a value.
#[allow(clippy::too_many_arguments)]
pub(crate) fn field(
    page: &mut Page,
    fonts: &Fonts,
    style: FieldStyle,
    x: f32,
    top: f32,
    width: f32,
    label: (&str, &str),
    value: &str,
    fit: Fit,
) -> Result<(), CardError> {
    label_line(
        page,
        fonts,
        style.label_pt,
        x,
        top + style.label_baseline,
        label,
    );
    let baseline = top + style.label_baseline + style.value_gap;
    let font = style.value_font;
    match fit {
        Fit::Shorten | Fit::KeepTail(_) => {
            let value = value.trim();
            let keep = if let Fit::KeepTail(n) = fit { n } else { 0 };
            let split = value
                .char_indices()
                .rev()
                .nth(keep.saturating_sub(1))
                .map_or(
                    value.len(),
                    |(i, _)| if keep == 0 { value.len() } else { i },
                );
            let (head, tail) = value.split_at(split);
            let fit = |kind| {
                fonts.fit_line_keeping_tail(kind, style.value_pt, style.min_pt, width, head, tail)
            };
            // Bold first; a value too long for bold at the minimum size is set in the narrower
            // regular weight before anything is cut.
            let (mut text, mut size) = fit(font);
            let mut used = font;
            if font == FontKind::Bold && text != value {
                (text, size) = fit(FontKind::Regular);
                used = FontKind::Regular;
            }
            page.text(fonts, x, baseline, size, used, INK, Align::Left, text);
        }
        Fit::Wrap(lines) => {
            let (wrapped, _) = fonts.wrap(font, style.value_pt, width, lines, value);
            for (i, line) in wrapped.into_iter().enumerate() {
                let y = baseline + i as f32 * style.line_pitch;
                page.text(fonts, x, y, style.value_pt, font, INK, Align::Left, line);
            }
        }
        Fit::Exact(field) => {
            let (text, size) = fonts.fit_line(font, style.value_pt, style.min_pt, width, value);
            if text != value.trim() {
                let len = value.trim().chars().count();
                let max = text.chars().count().saturating_sub(1);
                return Err(CardError::FieldTooLong { field, len, max });
            }
            page.text(fonts, x, baseline, size, font, INK, Align::Left, text);
        }
    }
    Ok(())
}

/// Draws "Indonesian / English" on one baseline, the English part in a lighter colour.
pub(crate) fn label_line(
    page: &mut Page,
    fonts: &Fonts,
    size: f32,
    x: f32,
    baseline: f32,
    label: (&str, &str),
) {
    let (id, en) = label;
    let first = format!("{id} / ");
    let w = fonts.width_mm(FontKind::Regular, size, &first);
    page.text(
        fonts,
        x,
        baseline,
        size,
        FontKind::Regular,
        LABEL,
        Align::Left,
        first,
    );
    page.text(
        fonts,
        x + w,
        baseline,
        size,
        FontKind::Regular,
        LABEL_EN,
        Align::Left,
        en,
    );
}

/// The photo, or a neutral placeholder silhouette labelled "FOTO" when there is none.
pub(crate) fn photo_box(
    page: &mut Page,
    fonts: &Fonts,
    photo: Option<Arc<Photo>>,
    (x, y, w, h): (f32, f32, f32, f32),
    label_pt: f32,
) {
    match photo {
        Some(photo) => page.items.push(Item::Image { x, y, w, h, photo }),
        None => {
            page.fill(Path::rect(x, y, w, h), Rgb(226, 231, 236));
            page.items.push(Item::PushClip(Path::rect(x, y, w, h)));
            let shade = Rgb(176, 187, 198);
            page.fill(Path::circle(x + w / 2.0, y + h * 0.36, w * 0.2), shade);
            page.fill(
                Path::rounded_rect(
                    x + w * 0.14,
                    y + h * 0.62,
                    w * 0.72,
                    h * 0.5,
                    [w * 0.3, w * 0.3, 0.0, 0.0],
                ),
                shade,
            );
            page.items.push(Item::PopClip);
            page.text(
                fonts,
                x + w / 2.0,
                y + h - h * 0.08,
                label_pt,
                FontKind::Bold,
                Rgb::WHITE,
                Align::Center,
                "FOTO",
            );
        }
    }
    page.stroke(Path::rect(x, y, w, h), Rgb(120, 134, 150), 0.15);
}
