//! The KITAS/KITAP card: ID-1 format (85.60 × 53.98 mm), front side, as a display list.

use std::sync::Arc;

use crate::common::{self, field, FieldStyle, Fit, NAVY, RED};
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

/// Grid of the body: top of field row `i` (0..=7), in millimetres. Row 0 (permit number, in a
/// larger size) gets a little extra room below it.
fn row_top(i: usize) -> f32 {
    let extra = if i >= 1 { 0.3 } else { 0.0 };
    13.0 + i as f32 * 4.8 + extra
}

/// Left margin, column gap and the photo column's width.
const MARGIN: f32 = 3.4;
const GAP: f32 = 1.8;
const PHOTO_W: f32 = 18.4;
/// The photo and the QR code span rows 0..=4; both start a little below row 0's top.
const BOX_TOP: f32 = 13.4;
/// The QR box (with its quiet zone), right-aligned to the margin, as tall as the photo.
const QR_SIZE: f32 = 23.3;
const QR_X: f32 = WIDTH - MARGIN - QR_SIZE;
/// Smallest module the card prints, in millimetres: a phone camera reads 0.25 mm modules at a
/// normal distance, so the largest version is the one whose modules stay at least that big.
const MIN_MODULE_MM: f32 = 0.25;

const STYLE: FieldStyle = FieldStyle {
    label_pt: 6.0,
    value_pt: 6.8,
    min_pt: 6.0,
    value_font: FontKind::Bold,
    label_baseline: 1.9,
    value_gap: 2.45,
    line_pitch: 2.4,
};

const BG: Rgb = Rgb(245, 247, 241);
const GUILLOCHE_A: Rgb = Rgb(198, 220, 209);
const GUILLOCHE_B: Rgb = Rgb(218, 207, 226);

/// Builds the card's page.
pub(crate) fn layout(data: &CardData, fonts: &Fonts) -> Result<Page, CardError> {
    common::check(data)?;
    let qr = Arc::new(QrMatrix::encode(
        &data.qr_text,
        crate::qr::max_version(QR_SIZE, MIN_MODULE_MM),
    )?);
    let photo_h = row_top(5) - 0.6 - BOX_TOP;
    // 600 dpi worth of pixels for the photo box is plenty for print.
    let photo = common::photo(data, PHOTO_W, photo_h, (photo_h / 25.4 * 600.0) as u32)?;

    let mut page = Page::new(WIDTH, HEIGHT, MEDIA_BOX_PT);
    let card = Path::rounded_rect(0.0, 0.0, WIDTH, HEIGHT, [CORNER; 4]);
    page.items.push(Item::PushClip(card.clone()));
    background(&mut page);
    header(&mut page, fonts, data);
    common::photo_box(
        &mut page,
        fonts,
        photo,
        (MARGIN, BOX_TOP, PHOTO_W, photo_h),
        6.5,
    );

    // Middle column: rows 0..=7.
    let mx = MARGIN + PHOTO_W + GAP;
    let mw = QR_X - GAP - mx;
    let permit = FieldStyle {
        value_pt: 8.0,
        value_gap: 2.75,
        ..STYLE
    };
    let rows: [(FieldStyle, (&str, &str), String, Fit); 6] = [
        (
            permit,
            ("No. Izin", "Permit No."),
            data.permit_number.clone(),
            Fit::Exact(Field::PermitNumber),
        ),
        (
            STYLE,
            ("Nama", "Name"),
            data.full_name.clone(),
            Fit::Shorten,
        ),
        (
            STYLE,
            ("Tempat/Tgl Lahir", "Birth"),
            format!(
                "{}, {}",
                data.place_of_birth.trim(),
                data.date_of_birth.printed()
            ),
            // ", DD-MM-YYYY" is never cut.
            Fit::KeepTail(12),
        ),
        (
            STYLE,
            ("Kewarganegaraan", "Nationality"),
            data.nationality.clone(),
            Fit::Shorten,
        ),
        (
            STYLE,
            ("Pekerjaan", "Occupation"),
            data.occupation.clone(),
            Fit::Shorten,
        ),
        (
            STYLE,
            ("Penjamin", "Sponsor"),
            data.sponsor.clone(),
            Fit::Shorten,
        ),
    ];
    for (i, (style, label, value, fit)) in rows.into_iter().enumerate() {
        field(
            &mut page,
            fonts,
            style,
            mx,
            row_top(i),
            mw,
            label,
            &value,
            fit,
        )?;
    }
    let address = FieldStyle {
        value_pt: 6.5,
        ..STYLE
    };
    field(
        &mut page,
        fonts,
        address,
        mx,
        row_top(6),
        mw,
        ("Alamat", "Address"),
        &data.address,
        Fit::Wrap(3),
    )?;

    // Under the photo: rows 5..=7.
    let under_photo: [((&str, &str), &str, Fit); 3] = [
        (("Kelamin", "Sex"), sex_code(data), Fit::Shorten),
        (
            ("Paspor", "Passport"),
            &data.passport_number,
            Fit::Exact(Field::PassportNumber),
        ),
        (
            ("Indeks", "Visa Index"),
            &data.visa_index,
            Fit::Exact(Field::VisaIndex),
        ),
    ];
    for (i, (label, value, fit)) in under_photo.into_iter().enumerate() {
        field(
            &mut page,
            fonts,
            STYLE,
            MARGIN,
            row_top(5 + i),
            PHOTO_W,
            label,
            value,
            fit,
        )?;
    }

    // Under the QR code, aligned with its dark modules rather than its quiet zone: rows 5..=7.
    let module = QR_SIZE / qr.total_modules() as f32;
    let qx = QR_X + module * crate::qr::QUIET_ZONE as f32;
    let qw = WIDTH - MARGIN - qx;
    let under_qr: [(FieldStyle, (&str, &str), String); 3] = [
        (STYLE, ("Berlaku dari", "From"), data.valid_from.printed()),
        (STYLE, ("Berlaku s.d.", "Until"), data.valid_until.printed()),
        (
            STYLE,
            ("Tgl. Terbit", "Issued"),
            data.effective_issue_date().printed(),
        ),
    ];
    for (i, (style, label, value)) in under_qr.into_iter().enumerate() {
        field(
            &mut page,
            fonts,
            style,
            qx,
            row_top(5 + i),
            qw,
            label,
            &value,
            Fit::Shorten,
        )?;
    }

    page.items.push(Item::Qr {
        x: QR_X,
        y: BOX_TOP,
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
    let subtitle_w = fonts.width_mm(FontKind::Regular, 6.0, &subtitle);
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
    let right = WIDTH - MARGIN;
    page.text(
        fonts,
        right,
        6.6,
        11.0,
        FontKind::Bold,
        Rgb::WHITE,
        Align::Right,
        code,
    );
    // The issuing office, right-aligned under the code, as the card's issuing authority.
    let room = right - (x + subtitle_w + 3.0);
    // A long office name is first written with the usual abbreviation "Kanim".
    let mut office = data.issuing_office.trim().to_string();
    if fonts.width_mm(FontKind::Regular, 6.0, &office) > room {
        office = office
            .replace("Kantor Imigrasi", "Kanim")
            .replace("KANTOR IMIGRASI", "KANIM");
    }
    let (office, size) = fonts.fit_line(FontKind::Regular, 6.0, 6.0, room, &office);
    page.text(
        fonts,
        right,
        9.9,
        size,
        FontKind::Regular,
        light,
        Align::Right,
        office,
    );
}
