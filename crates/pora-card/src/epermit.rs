//! The e-ITAS/e-ITAP: a one-page A4 permit laid out like an official letter, with the table of
//! all fields, the photo, the QR code with its caption, the issuing office and a footer note.

use std::sync::Arc;

use crate::common::{self, Fit, INK, LABEL, LABEL_EN, NAVY, RED};
use crate::data::CardData;
use crate::error::{CardError, Field};
use crate::font::{FontKind, Fonts};
use crate::layout::{rosette, seal, Align, Item, Page, Path, Rgb};
use crate::qr::QrMatrix;

/// A4 in millimetres and its MediaBox in points.
pub(crate) const WIDTH: f32 = 210.0;
pub(crate) const HEIGHT: f32 = 297.0;
const MEDIA_BOX_PT: (f32, f32) = (595.28, 841.89);

const MARGIN: f32 = 20.0;
/// The QR code with its quiet zone: 45 mm square (well above the 35 mm minimum).
const QR_SIZE: f32 = 44.0;
/// Smallest module printed on the A4 (a screen shot of the PDF must still scan).
const MIN_MODULE_MM: f32 = 0.35;

/// The table: label column, value column, row geometry.
const LABEL_X: f32 = MARGIN + 2.0;
const VALUE_X: f32 = MARGIN + 50.0;
const TABLE_RIGHT: f32 = 140.0;
const ROW_H: f32 = 9.0;
/// The right column holding the photo and the QR code.
const RIGHT_X: f32 = WIDTH - MARGIN - QR_SIZE;
const TABLE_TOP: f32 = 84.0;
/// The table must end here to leave room for the issuing block above the footer.
const TABLE_BOTTOM_MAX: f32 = FOOTER_TOP - 33.0;
const FOOTER_TOP: f32 = HEIGHT - 28.0;
const VALUE_PT: f32 = 10.0;
const LINE: f32 = 4.2;
const RULE: Rgb = Rgb(200, 208, 218);
const SHADE: Rgb = Rgb(243, 246, 250);

/// Builds the e-permit's page.
pub(crate) fn layout(data: &CardData, fonts: &Fonts) -> Result<Page, CardError> {
    common::check(data)?;
    let max_version = crate::qr::max_version(QR_SIZE, MIN_MODULE_MM);
    let qr = Arc::new(QrMatrix::encode(&data.qr_text, max_version)?);
    let (pw, ph) = (30.0, 40.0);
    let photo = common::photo(data, pw, ph, (ph / 25.4 * 300.0) as u32)?;
    let mut page = Page::new(WIDTH, HEIGHT, MEDIA_BOX_PT);

    // A pale watermark rosette behind the table.
    for i in 0..7 {
        let f = i as f32;
        page.stroke(
            rosette(
                WIDTH / 2.0,
                150.0,
                62.0 - f * 5.0,
                34.0 - f * 3.0,
                24,
                f * 0.4,
            ),
            Rgb(232, 238, 244),
            0.18,
        );
    }

    letterhead(&mut page, fonts, data);
    title(&mut page, fonts, data);

    // Photo, top of the right column.
    let (px, py) = (RIGHT_X + (QR_SIZE - pw) / 2.0, TABLE_TOP + 1.0);
    common::photo_box(&mut page, fonts, photo, (px, py, pw, ph), 9.0);

    // The table of fields.
    let kind = match data.permit_type {
        crate::PermitKind::Itas => "ITAS — Izin Tinggal Terbatas\nLimited Stay Permit",
        crate::PermitKind::Itap => "ITAP — Izin Tinggal Tetap\nPermanent Stay Permit",
    };
    let birth = format!(
        "{}, {}",
        data.place_of_birth.trim(),
        data.date_of_birth.printed()
    );
    let rows: [(&str, &str, &str, Fit); 14] = [
        (
            "Nomor Izin Tinggal",
            "Permit Number",
            &data.permit_number,
            Fit::Exact(Field::PermitNumber),
        ),
        (
            "Jenis Izin Tinggal",
            "Type of Stay Permit",
            kind,
            Fit::Wrap(2),
        ),
        ("Nama Lengkap", "Full Name", &data.full_name, Fit::Wrap(2)),
        // ", DD-MM-YYYY" is never cut.
        (
            "Tempat / Tanggal Lahir",
            "Place / Date of Birth",
            &birth,
            Fit::KeepTail(12),
        ),
        ("Jenis Kelamin", "Sex", data.sex.display(), Fit::Wrap(1)),
        (
            "Kewarganegaraan",
            "Nationality",
            &data.nationality,
            Fit::Wrap(1),
        ),
        (
            "Nomor Paspor",
            "Passport Number",
            &data.passport_number,
            Fit::Exact(Field::PassportNumber),
        ),
        (
            "Indeks Visa",
            "Visa Index",
            &data.visa_index,
            Fit::Exact(Field::VisaIndex),
        ),
        (
            "Pekerjaan / Jabatan",
            "Occupation",
            &data.occupation,
            Fit::Wrap(2),
        ),
        ("Penjamin", "Sponsor", &data.sponsor, Fit::Wrap(2)),
        (
            "Alamat di Indonesia",
            "Address in Indonesia",
            &data.address,
            Fit::Wrap(4),
        ),
        (
            "Berlaku Mulai",
            "Valid From",
            &data.valid_from.printed(),
            Fit::Wrap(1),
        ),
        (
            "Berlaku Sampai",
            "Valid Until",
            &data.valid_until.printed(),
            Fit::Wrap(1),
        ),
        (
            "Kantor Penerbit",
            "Issuing Office",
            &data.issuing_office,
            Fit::Wrap(2),
        ),
    ];
    let mut wrapped = Vec::with_capacity(rows.len());
    for (id, en, value, fit) in rows {
        wrapped.push(((id, en), row_lines(fonts, value, fit)?));
    }
    // Rows are 9 mm high, tightened (down to 8 mm) when wrapped values would otherwise push the
    // table into the issuing block and the footer.
    let extra: f32 = wrapped
        .iter()
        .map(|(_, l)| l.len().saturating_sub(1) as f32 * LINE)
        .sum();
    let row_h = ((TABLE_BOTTOM_MAX - TABLE_TOP - extra) / wrapped.len() as f32).clamp(8.0, ROW_H);
    let mut y = TABLE_TOP;
    page.fill(Path::rect(MARGIN, y, TABLE_RIGHT - MARGIN, 0.4), NAVY);
    for (i, (label, lines)) in wrapped.into_iter().enumerate() {
        y = table_row(&mut page, fonts, y, row_h, i, label, lines);
    }
    page.fill(Path::rect(MARGIN, y, TABLE_RIGHT - MARGIN, 0.4), NAVY);

    // QR code under the photo, with its caption; the issuing block under the table.
    let qy = py + ph + 8.0;
    page.items.push(Item::Qr {
        x: RIGHT_X,
        y: qy,
        size: QR_SIZE,
        matrix: qr,
    });
    page.stroke(Path::rect(RIGHT_X, qy, QR_SIZE, QR_SIZE), RULE, 0.25);
    let cx = RIGHT_X + QR_SIZE / 2.0;
    page.text(
        fonts,
        cx,
        qy + QR_SIZE + 4.5,
        9.0,
        FontKind::Bold,
        INK,
        Align::Center,
        "Pindai untuk verifikasi",
    );
    page.text(
        fonts,
        cx,
        qy + QR_SIZE + 8.5,
        8.5,
        FontKind::Regular,
        LABEL_EN,
        Align::Center,
        "Scan to verify",
    );
    issuing_block(&mut page, fonts, data, MARGIN, y + 6.0);

    footer(&mut page, fonts);
    Ok(page)
}

/// The lines of a table value: wrapped, cut keeping a tail, or exact (an identifier that does
/// not fit is an error, never cut).
fn row_lines(fonts: &Fonts, value: &str, fit: Fit) -> Result<Vec<String>, CardError> {
    let size = VALUE_PT;
    let width = TABLE_RIGHT - 2.0 - VALUE_X;
    Ok(match fit {
        Fit::Exact(field) => {
            let (text, s) = fonts.fit_line(FontKind::Bold, size, size, width, value);
            if text != value.trim() || s != size {
                let len = value.trim().chars().count();
                return Err(CardError::FieldTooLong {
                    field,
                    len,
                    max: text.chars().count().saturating_sub(1),
                });
            }
            vec![text]
        }
        Fit::KeepTail(n) => {
            let value = value.trim();
            let split = value
                .char_indices()
                .rev()
                .nth(n.saturating_sub(1))
                .map_or(0, |(i, _)| i);
            let (head, tail) = value.split_at(split);
            vec![
                fonts
                    .fit_line_keeping_tail(FontKind::Bold, size, size, width, head, tail)
                    .0,
            ]
        }
        Fit::Wrap(max_lines) => fonts.wrap(FontKind::Bold, size, width, max_lines, value).0,
        Fit::Shorten => vec![fonts.fit_line(FontKind::Bold, size, size, width, value).0],
    })
}

/// Draws one table row: the bilingual label on two lines at the left, the value lines at the
/// right, shading on every other row. Returns the y of the row's bottom.
fn table_row(
    page: &mut Page,
    fonts: &Fonts,
    y: f32,
    row_h: f32,
    index: usize,
    (id, en): (&str, &str),
    lines: Vec<String>,
) -> f32 {
    let size = VALUE_PT;
    let extra = lines.len().saturating_sub(1) as f32 * LINE;
    let h = row_h + extra;
    if index % 2 == 1 {
        page.fill(Path::rect(MARGIN, y, TABLE_RIGHT - MARGIN, h), SHADE);
    }
    page.text(
        fonts,
        LABEL_X,
        y + 4.0,
        8.5,
        FontKind::Bold,
        LABEL,
        Align::Left,
        id,
    );
    page.text(
        fonts,
        LABEL_X,
        y + 7.4,
        7.5,
        FontKind::Regular,
        LABEL_EN,
        Align::Left,
        en,
    );
    page.text(
        fonts,
        VALUE_X - 4.0,
        y + 4.3,
        10.0,
        FontKind::Regular,
        LABEL,
        Align::Left,
        ":",
    );
    for (i, line) in lines.into_iter().enumerate() {
        page.text(
            fonts,
            VALUE_X,
            y + 4.3 + i as f32 * LINE,
            size,
            FontKind::Bold,
            INK,
            Align::Left,
            line,
        );
    }
    page.fill(
        Path::rect(MARGIN, y + h - 0.15, TABLE_RIGHT - MARGIN, 0.15),
        RULE,
    );
    y + h
}

/// The letterhead: invented seal, authority lines, document code, and a double rule.
fn letterhead(page: &mut Page, fonts: &Fonts, data: &CardData) {
    seal(page, MARGIN + 12.0, 30.0, 12.0, NAVY, Rgb::WHITE);
    let x = MARGIN + 29.0;
    page.text(
        fonts,
        x,
        22.0,
        10.0,
        FontKind::Bold,
        INK,
        Align::Left,
        "REPUBLIK INDONESIA",
    );
    page.text(
        fonts,
        x,
        29.0,
        14.0,
        FontKind::Bold,
        NAVY,
        Align::Left,
        "DIREKTORAT JENDERAL IMIGRASI",
    );
    page.text(
        fonts,
        x,
        34.5,
        9.5,
        FontKind::Regular,
        LABEL_EN,
        Align::Left,
        "Directorate General of Immigration",
    );
    let office = fonts
        .fit_line(
            FontKind::Regular,
            9.5,
            7.0,
            100.0,
            &data.issuing_office.to_uppercase(),
        )
        .0;
    page.text(
        fonts,
        x,
        40.0,
        9.5,
        FontKind::Regular,
        INK,
        Align::Left,
        office,
    );
    let code = format!("e-{}", data.permit_type.code());
    page.text(
        fonts,
        WIDTH - MARGIN,
        29.0,
        20.0,
        FontKind::Bold,
        RED,
        Align::Right,
        code,
    );
    page.fill(Path::rect(MARGIN, 46.0, WIDTH - 2.0 * MARGIN, 0.9), NAVY);
    page.fill(Path::rect(MARGIN, 47.6, WIDTH - 2.0 * MARGIN, 0.3), NAVY);
}

fn title(page: &mut Page, fonts: &Fonts, data: &CardData) {
    let c = WIDTH / 2.0;
    page.text(
        fonts,
        c,
        62.0,
        15.0,
        FontKind::Bold,
        NAVY,
        Align::Center,
        "IZIN TINGGAL ELEKTRONIK",
    );
    page.text(
        fonts,
        c,
        69.0,
        11.0,
        FontKind::Regular,
        LABEL_EN,
        Align::Center,
        "ELECTRONIC STAY PERMIT",
    );
    let sub = format!(
        "e-{} · Izin Tinggal {} / {} Stay Permit",
        data.permit_type.code(),
        title_case(data.permit_type.word_id()),
        title_case(data.permit_type.word_en())
    );
    page.text(
        fonts,
        c,
        77.0,
        10.0,
        FontKind::Regular,
        INK,
        Align::Center,
        sub,
    );
}

fn title_case(word: &str) -> String {
    let mut out = String::new();
    for (i, c) in word.chars().enumerate() {
        if i == 0 {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Place and date of issue side by side, and the electronic-signature mark under them.
fn issuing_block(page: &mut Page, fonts: &Fonts, data: &CardData, x: f32, top: f32) {
    let y = top + 4.0;
    let date_x = x + 78.0;
    common::label_line(page, fonts, 8.0, x, y, ("Dikeluarkan di", "Issued at"));
    let (office, s) = fonts.fit_line(
        FontKind::Bold,
        10.5,
        7.0,
        date_x - x - 4.0,
        &data.issuing_office,
    );
    page.text(
        fonts,
        x,
        y + 5.0,
        s,
        FontKind::Bold,
        INK,
        Align::Left,
        office,
    );
    common::label_line(page, fonts, 8.0, date_x, y, ("Tanggal", "Date"));
    let date = data.effective_issue_date().printed();
    page.text(
        fonts,
        date_x,
        y + 5.0,
        10.5,
        FontKind::Bold,
        INK,
        Align::Left,
        date,
    );
    // An electronic-signature mark: a small invented seal and the statement beside it.
    let sy = y + 10.0;
    seal(page, x + 6.0, sy + 6.0, 6.0, Rgb(150, 168, 196), Rgb::WHITE);
    let tx = x + 15.0;
    page.text(
        fonts,
        tx,
        sy + 5.0,
        9.0,
        FontKind::Bold,
        INK,
        Align::Left,
        "Ditandatangani secara elektronik",
    );
    page.text(
        fonts,
        tx,
        sy + 9.2,
        8.5,
        FontKind::Regular,
        LABEL_EN,
        Align::Left,
        "Electronically signed",
    );
}

fn footer(page: &mut Page, fonts: &Fonts) {
    let top = FOOTER_TOP;
    page.fill(Path::rect(MARGIN, top, WIDTH - 2.0 * MARGIN, 0.3), RULE);
    let w = WIDTH - 2.0 * MARGIN;
    let notes = [
        (
            FontKind::Regular,
            INK,
            "Dokumen ini diterbitkan secara elektronik dan sah tanpa tanda tangan basah. Keaslian dan status \
             izin tinggal dapat diperiksa dengan memindai kode QR. Pemegang wajib melaporkan perubahan alamat, \
             penjamin, pekerjaan atau status sipil.",
        ),
        (
            FontKind::Regular,
            LABEL_EN,
            "This document is issued electronically and is valid without a wet signature. Its authenticity and \
             the permit's status can be verified by scanning the QR code. The holder must report changes of \
             address, sponsor, occupation or civil status.",
        ),
    ];
    let mut y = top + 5.0;
    for (font, color, text) in notes {
        let (lines, _) = fonts.wrap(font, 7.5, w, 3, text);
        for line in lines {
            page.text(fonts, MARGIN, y, 7.5, font, color, Align::Left, line);
            y += 3.4;
        }
        y += 1.2;
    }
}
