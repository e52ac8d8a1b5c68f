//! A plain A4 report of several pages — headings, label/value fields, paragraphs and tables — for
//! documents such as a person's data export. Laid out once into [`Page`]s, so the PDF and the PNG
//! of a page come from the same display list as the card and the e-permit.

use crate::error::CardError;
use crate::font::{FontKind, Fonts};
use crate::layout::{Align, Page, Path, Rgb};

const WIDTH: f32 = 210.0;
const HEIGHT: f32 = 297.0;
const MEDIA_BOX_PT: (f32, f32) = (595.28, 841.89);
const MARGIN: f32 = 18.0;
const BODY_TOP: f32 = 36.0;
const BODY_BOTTOM: f32 = HEIGHT - 20.0;
const NAVY: Rgb = Rgb(22, 44, 84);
const GREY: Rgb = Rgb(96, 104, 116);
const RULE: Rgb = Rgb(200, 208, 218);
const SHADE: Rgb = Rgb(243, 246, 250);
const HEAD_SHADE: Rgb = Rgb(225, 232, 242);
const TEXT_PT: f32 = 9.0;
const TEXT_LINE: f32 = 4.2;
const TABLE_PT: f32 = 7.5;
const TABLE_LINE: f32 = 3.5;
const LABEL_W: f32 = 52.0;
/// Lines a table cell or field value may take before it ends with "…".
const MAX_CELL_LINES: usize = 6;
/// The most pages a report may take.
pub const MAX_PAGES: usize = 500;

/// A report: a title block repeated on every page, then the blocks in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    /// Printed at the top of every page (bold).
    pub title: String,
    /// Second line under the title.
    pub subtitle: String,
    /// Left part of every page's footer; the right part is the page number.
    pub footer: String,
    /// `"Halaman {n} dari {total} / Page {n} of {total}"` style label: the words before the page
    /// number, between it and the total (e.g. `["Halaman / Page ", " / "]`).
    pub page_label: [String; 2],
    /// The content.
    pub blocks: Vec<Block>,
}

/// One block of a report.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// A section heading (kept together with what follows it).
    Heading(String),
    /// Wrapped text.
    Paragraph(String),
    /// Label / value rows.
    Fields(Vec<(String, String)>),
    /// A table: column titles with their share of the width, and rows of cells; `empty` is
    /// printed instead when there are no rows.
    Table {
        /// `(title, relative width)`.
        columns: Vec<(String, f32)>,
        /// Cells, one `Vec` per row, as many as columns.
        rows: Vec<Vec<String>>,
        /// Text when `rows` is empty.
        empty: String,
    },
}

/// The report as a multi-page A4 PDF.
pub fn report_pdf(report: &Report) -> Result<Vec<u8>, CardError> {
    let fonts = Fonts::new();
    let pages = layout(report, &fonts)?;
    Ok(crate::pdf::render_pages(&pages, &fonts, &report.title))
}

/// Page `index` (from 0) of the report as a PNG at `dpi` (72..=600); also returns the page count.
pub fn report_png(report: &Report, index: usize, dpi: u32) -> Result<(Vec<u8>, usize), CardError> {
    crate::check_dpi(dpi, &crate::EPERMIT_DPI)?;
    let fonts = Fonts::new();
    let pages = layout(report, &fonts)?;
    let n = pages.len();
    let page = pages
        .get(index)
        .ok_or(CardError::BadPage { index, pages: n })?;
    Ok((crate::raster::render(page, &fonts, dpi)?, n))
}

struct Writer<'a> {
    fonts: &'a Fonts,
    report: &'a Report,
    pages: Vec<Page>,
    y: f32,
}

impl<'a> Writer<'a> {
    fn page(&mut self) -> &mut Page {
        // `new_page` runs before anything is placed, so there is always a page.
        if self.pages.is_empty() {
            self.new_page();
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        let mut p = Page::new(WIDTH, HEIGHT, MEDIA_BOX_PT);
        p.fill(Path::rect(0.0, 0.0, WIDTH, 6.0), NAVY);
        let (title, size) = self.fonts.fit_line(
            FontKind::Bold,
            13.0,
            9.0,
            WIDTH - 2.0 * MARGIN,
            &self.report.title,
        );
        p.text(
            self.fonts,
            MARGIN,
            16.0,
            size,
            FontKind::Bold,
            NAVY,
            Align::Left,
            title,
        );
        let (sub, size) = self.fonts.fit_line(
            FontKind::Regular,
            8.5,
            6.5,
            WIDTH - 2.0 * MARGIN,
            &self.report.subtitle,
        );
        p.text(
            self.fonts,
            MARGIN,
            22.0,
            size,
            FontKind::Regular,
            GREY,
            Align::Left,
            sub,
        );
        p.fill(Path::rect(MARGIN, 26.0, WIDTH - 2.0 * MARGIN, 0.5), NAVY);
        self.pages.push(p);
        self.y = BODY_TOP;
    }

    /// Starts a new page unless `h` mm still fit.
    fn need(&mut self, h: f32) -> Result<(), CardError> {
        if self.pages.is_empty() || self.y + h > BODY_BOTTOM {
            if self.pages.len() >= MAX_PAGES {
                return Err(CardError::TooManyPages { max: MAX_PAGES });
            }
            self.new_page();
        }
        Ok(())
    }

    fn text(&mut self, x: f32, baseline: f32, size: f32, font: FontKind, color: Rgb, s: String) {
        let fonts = self.fonts;
        self.page()
            .text(fonts, x, baseline, size, font, color, Align::Left, s);
    }

    fn heading(&mut self, s: &str) -> Result<(), CardError> {
        // A heading never ends a page: keep room for a few lines after it.
        self.need(8.0 + 4.0 * TEXT_LINE)?;
        if self.y > BODY_TOP {
            self.y += 3.0;
        }
        let (s, size) = self
            .fonts
            .fit_line(FontKind::Bold, 11.0, 8.0, WIDTH - 2.0 * MARGIN, s);
        self.text(MARGIN, self.y + 4.5, size, FontKind::Bold, NAVY, s);
        let y = self.y + 6.2;
        self.page()
            .fill(Path::rect(MARGIN, y, WIDTH - 2.0 * MARGIN, 0.3), RULE);
        self.y += 8.5;
        Ok(())
    }

    fn paragraph(&mut self, s: &str, color: Rgb) -> Result<(), CardError> {
        let (lines, _) = self
            .fonts
            .wrap(FontKind::Regular, TEXT_PT, WIDTH - 2.0 * MARGIN, 200, s);
        for line in lines {
            self.need(TEXT_LINE)?;
            self.text(
                MARGIN,
                self.y + 3.2,
                TEXT_PT,
                FontKind::Regular,
                color,
                line,
            );
            self.y += TEXT_LINE;
        }
        self.y += 1.5;
        Ok(())
    }

    fn fields(&mut self, rows: &[(String, String)]) -> Result<(), CardError> {
        let value_w = WIDTH - 2.0 * MARGIN - LABEL_W;
        for (label, value) in rows {
            let value = if value.trim().is_empty() {
                "—"
            } else {
                value
            };
            let (lines, _) = self.fonts.wrap(
                FontKind::Regular,
                TEXT_PT,
                value_w - 2.0,
                MAX_CELL_LINES,
                value,
            );
            let h = lines.len().max(1) as f32 * TEXT_LINE + 1.2;
            self.need(h)?;
            let (label, size) = self
                .fonts
                .fit_line(FontKind::Bold, 8.0, 6.0, LABEL_W - 3.0, label);
            self.text(
                MARGIN + 1.0,
                self.y + 3.2,
                size,
                FontKind::Bold,
                GREY,
                label,
            );
            for (i, line) in lines.into_iter().enumerate() {
                let base = self.y + 3.2 + i as f32 * TEXT_LINE;
                self.text(
                    MARGIN + LABEL_W,
                    base,
                    TEXT_PT,
                    FontKind::Regular,
                    Rgb::BLACK,
                    line,
                );
            }
            self.y += h;
            let y = self.y - 0.6;
            self.page()
                .fill(Path::rect(MARGIN, y, WIDTH - 2.0 * MARGIN, 0.15), RULE);
        }
        self.y += 2.0;
        Ok(())
    }

    fn table(
        &mut self,
        columns: &[(String, f32)],
        rows: &[Vec<String>],
        empty: &str,
    ) -> Result<(), CardError> {
        if rows.is_empty() {
            return self.paragraph(empty, GREY);
        }
        let total: f32 = columns.iter().map(|c| c.1.max(0.01)).sum();
        let width = WIDTH - 2.0 * MARGIN;
        let xs: Vec<(f32, f32)> = columns
            .iter()
            .scan(MARGIN, |x, c| {
                let w = width * c.1.max(0.01) / total;
                let at = *x;
                *x += w;
                Some((at, w))
            })
            .collect();
        self.table_header(columns, &xs)?;
        for (n, row) in rows.iter().enumerate() {
            let cells: Vec<Vec<String>> = xs
                .iter()
                .enumerate()
                .map(|(i, (_, w))| {
                    let text = row.get(i).map(String::as_str).unwrap_or("");
                    self.fonts
                        .wrap(FontKind::Regular, TABLE_PT, w - 2.0, MAX_CELL_LINES, text)
                        .0
                })
                .collect();
            let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let h = lines as f32 * TABLE_LINE + 1.6;
            if self.y + h > BODY_BOTTOM {
                self.need(BODY_BOTTOM)?; // forces a new page
                self.table_header(columns, &xs)?;
            }
            if n % 2 == 1 {
                let y = self.y;
                self.page().fill(Path::rect(MARGIN, y, width, h), SHADE);
            }
            for ((x, _), cell) in xs.iter().zip(cells) {
                for (i, line) in cell.into_iter().enumerate() {
                    let base = self.y + 2.9 + i as f32 * TABLE_LINE;
                    self.text(x + 1.0, base, TABLE_PT, FontKind::Regular, Rgb::BLACK, line);
                }
            }
            self.y += h;
        }
        let y = self.y;
        self.page().fill(Path::rect(MARGIN, y, width, 0.3), RULE);
        self.y += 3.0;
        Ok(())
    }

    fn table_header(
        &mut self,
        columns: &[(String, f32)],
        xs: &[(f32, f32)],
    ) -> Result<(), CardError> {
        self.need(6.0 + 2.0 * TABLE_LINE)?;
        let y = self.y;
        self.page()
            .fill(Path::rect(MARGIN, y, WIDTH - 2.0 * MARGIN, 5.2), HEAD_SHADE);
        for ((title, _), (x, w)) in columns.iter().zip(xs) {
            let (t, size) = self
                .fonts
                .fit_line(FontKind::Bold, TABLE_PT, 5.5, w - 2.0, title);
            self.text(x + 1.0, y + 3.6, size, FontKind::Bold, NAVY, t);
        }
        self.y += 6.0;
        Ok(())
    }
}

/// Lays the report out into pages, with the footer and page numbers.
fn layout(report: &Report, fonts: &Fonts) -> Result<Vec<Page>, CardError> {
    let mut w = Writer {
        fonts,
        report,
        pages: Vec::new(),
        y: BODY_TOP,
    };
    w.new_page();
    for block in &report.blocks {
        match block {
            Block::Heading(s) => w.heading(s)?,
            Block::Paragraph(s) => w.paragraph(s, Rgb::BLACK)?,
            Block::Fields(rows) => w.fields(rows)?,
            Block::Table {
                columns,
                rows,
                empty,
            } => w.table(columns, rows, empty)?,
        }
    }
    let total = w.pages.len();
    for (i, page) in w.pages.iter_mut().enumerate() {
        let y = HEIGHT - 12.0;
        page.fill(Path::rect(MARGIN, y - 4.0, WIDTH - 2.0 * MARGIN, 0.3), RULE);
        let number = format!(
            "{}{}{}{}",
            report.page_label[0],
            i + 1,
            report.page_label[1],
            total
        );
        let nw = fonts.width_mm(FontKind::Regular, 7.5, &number);
        let (footer, size) = fonts.fit_line(
            FontKind::Regular,
            7.5,
            6.0,
            WIDTH - 2.0 * MARGIN - nw - 6.0,
            &report.footer,
        );
        page.text(
            fonts,
            MARGIN,
            y,
            size,
            FontKind::Regular,
            GREY,
            Align::Left,
            footer,
        );
        page.text(
            fonts,
            WIDTH - MARGIN,
            y,
            7.5,
            FontKind::Regular,
            GREY,
            Align::Right,
            number,
        );
    }
    Ok(w.pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(rows: usize) -> Report {
        Report {
            title: "Data pribadi / Personal data — Tanaka Hiroshi".into(),
            subtitle: "NIORA 7000000001".into(),
            footer: "pora".into(),
            page_label: ["Halaman / Page ".into(), " / ".into()],
            blocks: vec![
                Block::Heading("Identitas / Identity".into()),
                Block::Fields(vec![("Nama / Name".into(), "Tanaka Hiroshi 田中".into())]),
                Block::Heading("Akses / Reads".into()),
                Block::Table {
                    columns: vec![("Waktu".into(), 1.0), ("Peran".into(), 1.0)],
                    rows: (0..rows)
                        .map(|i| vec![format!("2026-11-{i:02}"), "field_officer".into()])
                        .collect(),
                    empty: "Tidak ada / None".into(),
                },
            ],
        }
    }

    #[test]
    fn long_tables_flow_onto_numbered_pages() {
        let fonts = Fonts::new();
        let one = layout(&sample(3), &fonts).unwrap();
        assert_eq!(one.len(), 1);
        let many = layout(&sample(200), &fonts).unwrap();
        assert!(many.len() >= 3, "{} pages", many.len());
        let footer_of = |p: &Page| {
            p.items
                .iter()
                .filter_map(|i| match i {
                    crate::layout::Item::Text { text, .. } => Some(text.clone()),
                    _ => None,
                })
                .next_back()
                .unwrap()
        };
        assert_eq!(
            footer_of(&many[1]),
            format!("Halaman / Page 2 / {}", many.len())
        );
        // The table header is repeated on every page the table continues on.
        let has_header = |p: &Page| {
            p.items
                .iter()
                .any(|i| matches!(i, crate::layout::Item::Text { text, .. } if text == "Peran"))
        };
        assert!(many.iter().all(has_header));
        let pdf = report_pdf(&sample(200)).unwrap();
        let text = String::from_utf8_lossy(&pdf);
        assert!(
            text.contains(&format!("/Count {}", many.len())),
            "page tree counts every page"
        );
    }
}
