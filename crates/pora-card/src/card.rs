//! The KITAS/KITAP card: ID-1 format (85.60 × 53.98 mm), front side, as a display list.

use std::sync::Arc;

use crate::common::{self, field, FieldStyle, Fit, INK, NAVY, RED};
use crate::data::CardData;
use crate::error::{CardError, Field};
use crate::font::{FontKind, Fonts};
use crate::layout::{rosette, seal, wave, Align, Item, Page, Path, Rgb};
use crate::qr::QrMatrix;

/// ID-1 width in millimetres (ISO/IEC 7810).
pub(crate) const WIDTH: f32 = 85.60;
/// ID-1 height in millimetres.
pub(crate) const HEIGHT: f32 = 53.98;
/// ID-1 corner radius in millimetres.
const CORNER: f32 = 3.18;
/// The MediaBox in points: 85.60 mm and 53.98 mm at 72/25.4 pt per mm, to 1/100 pt.
const MEDIA_BOX_PT: (f32, f32) = (242.65, 153.01);

/// The QR box (with its quiet zone) in millimetres.
const QR_X: f32 = 60.2;
const QR_Y: f32 = 14.0;
const QR_SIZE: f32 = 22.6;
/// Smallest module the card prints, in millimetres: a phone camera reads 0.25 mm modules at a
/// normal distance, so the largest version is the one whose modules stay at least that big.
const MIN_MODULE_MM: f32 = 0.25;

/// Largest QR version whose modules (with the quiet zone) are at least `min_module` mm in `size`.
pub(crate) fn max_version(size: f32, min_module: f32) -> u8 {
    let modules = (size / min_module).floor() as u32;
    let v = modules.saturating_sub(17 + 8) / 4;
    v.clamp(1, 40) as u8
}

const STYLE: FieldStyle = FieldStyle {
    label_pt: 6.0,
    value_pt: 7.0,
    min_pt: 6.0,
    value_font: FontKind::Bold,
    label_baseline: 2.0,
    value_gap: 2.55,
    line_pitch: 2.6,
};

const BG: Rgb = Rgb(245, 247, 241);
const GUILLOCHE_A: Rgb = Rgb(204, 224, 214);
const GUILLOCHE_B: Rgb = Rgb(222, 212, 228);

/// Builds the card's page.
pub(crate) fn layout(data: &CardData, fonts: &Fonts) -> Result<Page, CardError> {
    common::check(data)?;
    let qr = Arc::new(QrMatrix::encode(
        &data.qr_text,
        max_version(QR_SIZE, MIN_MODULE_MM),
    )?);
    let (px, py, pw, ph) = (3.4, 14.4, 17.0, 21.6);
    // 600 dpi worth of pixels for the photo box is plenty for print.
    let photo = common::photo(data, pw, ph, (ph / 25.4 * 600.0) as u32)?;

    let mut page = Page::new(WIDTH, HEIGHT, MEDIA_BOX_PT);
    let card = Path::rounded_rect(0.0, 0.0, WIDTH, HEIGHT, [CORNER; 4]);
    page.items.push(Item::PushClip(card.clone()));
    background(&mut page);
    header(&mut page, fonts, data);

    common::photo_box(&mut page, fonts, photo, (px, py, pw, ph), 6.5);

    // Middle column.
    let (mx, mw) = (22.6, 35.8);
    let pitch = 4.75;
    let mut top = 13.4;
    let permit_style = FieldStyle {
        value_pt: 8.0,
        ..STYLE
    };
    field(
        &mut page,
        fonts,
        permit_style,
        mx,
        top,
        mw,
        ("No. Izin", "Permit No."),
        &data.permit_number,
        Fit::Exact(Field::PermitNumber),
    )?;
    top += pitch + 0.3;
    let mut row = |page: &mut Page, label: (&str, &str), value: &str, fit: Fit| {
        let r = field(page, fonts, STYLE, mx, top, mw, label, value, fit);
        top += pitch;
        r
    };
    row(&mut page, ("Nama", "Name"), &data.full_name, Fit::Shorten)?;
    let birth = format!(
        "{}, {}",
        data.place_of_birth.trim(),
        data.date_of_birth.printed()
    );
    row(
        &mut page,
        ("Tempat/Tgl. Lahir", "Place/Date of Birth"),
        &birth,
        Fit::Shorten,
    )?;
    row(
        &mut page,
        ("Kewarganegaraan", "Nationality"),
        &data.nationality,
        Fit::Shorten,
    )?;
    row(
        &mut page,
        ("Pekerjaan", "Occupation"),
        &data.occupation,
        Fit::Shorten,
    )?;
    row(
        &mut page,
        ("Penjamin", "Sponsor"),
        &data.sponsor,
        Fit::Shorten,
    )?;

    // Under the photo.
    let small = FieldStyle { ..STYLE };
    let under = py + ph + 0.6;
    field(
        &mut page,
        fonts,
        small,
        px,
        under,
        pw,
        ("Kelamin", "Sex"),
        sex_code(data),
        Fit::Shorten,
    )?;
    field(
        &mut page,
        fonts,
        small,
        px,
        under + pitch,
        pw,
        ("Indeks", "Index"),
        &data.visa_index,
        Fit::Exact(Field::VisaIndex),
    )?;

    // Under the QR code.
    let (qx, qw) = (QR_X, QR_SIZE);
    let mut qtop = QR_Y + QR_SIZE + 0.2;
    field(
        &mut page,
        fonts,
        STYLE,
        qx,
        qtop,
        qw,
        ("No. Paspor", "Passport"),
        &data.passport_number,
        Fit::Exact(Field::PassportNumber),
    )?;
    qtop += pitch;
    field(
        &mut page,
        fonts,
        STYLE,
        qx,
        qtop,
        qw,
        ("Berlaku", "Valid"),
        &format!(
            "{} – {}",
            data.valid_from.printed(),
            data.valid_until.printed()
        ),
        Fit::Shorten,
    )?;

    // Bottom, full width left of the QR column.
    let btop = under + 2.0 * pitch;
    field(
        &mut page,
        fonts,
        STYLE,
        px,
        btop,
        mx + mw - px,
        ("Alamat", "Address"),
        &data.address,
        Fit::Shorten,
    )?;
    let office_top = btop;
    let _ = office_top;
    field(
        &mut page,
        fonts,
        FieldStyle {
            value_font: FontKind::Regular,
            ..STYLE
        },
        qx,
        qtop + pitch,
        qw,
        ("Kantor", "Office"),
        &data.issuing_office,
        Fit::Shorten,
    )?;

    page.items.push(Item::Qr {
        x: QR_X,
        y: QR_Y,
        size: QR_SIZE,
        matrix: qr,
    });
    page.items.push(Item::PopClip);
    page.stroke(card, Rgb(120, 140, 150), 0.25);
    Ok(page)
}

fn sex_code(data: &CardData) -> &'static str {
    match data.sex {
        crate::Sex::Male => "L / M",
        crate::Sex::Female => "P / F",
        _ => "X",
    }
}

/// The pale background with guilloche rosettes and waves.
fn background(page: &mut Page) {
    page.fill(Path::rect(0.0, 0.0, WIDTH, HEIGHT), BG);
    let (cx, cy) = (WIDTH * 0.56, HEIGHT * 0.60);
    for i in 0..9 {
        let f = i as f32;
        page.stroke(
            rosette(cx, cy, 30.0 - f * 2.2, 16.0 - f * 1.4, 18, f * 0.35),
            if i % 2 == 0 { GUILLOCHE_A } else { GUILLOCHE_B },
            0.09,
        );
    }
    for i in 0..14 {
        let f = i as f32;
        page.stroke(
            wave(0.0, WIDTH, 40.0 + f * 1.1, 1.3, 17.0, f * 0.45),
            GUILLOCHE_A,
            0.07,
        );
    }
}

/// The navy header band with the invented seal, the titles and the permit code.
fn header(page: &mut Page, fonts: &Fonts, data: &CardData) {
    let band_h = 11.4;
    page.fill(Path::rect(0.0, 0.0, WIDTH, band_h), NAVY);
    for i in 0..6 {
        page.stroke(
            wave(0.0, WIDTH, 1.5 + i as f32 * 1.8, 0.6, 9.0, i as f32 * 0.8),
            Rgb(34, 78, 128),
            0.08,
        );
    }
    page.fill(Path::rect(0.0, band_h, WIDTH, 0.7), RED);
    page.fill(Path::rect(0.0, band_h + 0.7, WIDTH, 0.35), Rgb::WHITE);
    seal(page, 6.4, band_h / 2.0, 4.3, Rgb::WHITE, NAVY);
    let x = 12.2;
    let light = Rgb(208, 222, 240);
    page.text(
        fonts,
        x,
        3.5,
        6.0,
        FontKind::Regular,
        light,
        Align::Left,
        "REPUBLIK INDONESIA",
    );
    let title = format!("KARTU IZIN TINGGAL {}", data.permit_type.word_id());
    page.text(
        fonts,
        x,
        6.9,
        7.5,
        FontKind::Bold,
        Rgb::WHITE,
        Align::Left,
        title,
    );
    let subtitle = format!("{} STAY PERMIT CARD", data.permit_type.word_en());
    page.text(
        fonts,
        x,
        9.9,
        6.0,
        FontKind::Regular,
        light,
        Align::Left,
        subtitle,
    );
    let code = format!("K{}", data.permit_type.code());
    page.text(
        fonts,
        WIDTH - 3.4,
        7.4,
        11.0,
        FontKind::Bold,
        Rgb::WHITE,
        Align::Right,
        code,
    );
    let _ = INK;
}
