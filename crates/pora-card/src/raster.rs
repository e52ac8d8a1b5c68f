//! PNG renderer: draws a [`Page`] into an RGB image at a given resolution with tiny-skia, text from
//! the embedded fonts' outlines, the QR modules snapped to whole pixels.

use std::collections::HashMap;

use tiny_skia::{
    FillRule, FilterQuality, LineCap, LineJoin, Mask, Paint, PathBuilder, Pattern, Pixmap, Rect,
    SpreadMode, Stroke, Transform,
};

use crate::error::CardError;
use crate::font::{FontKind, Fonts, FAKE_BOLD_EM, MM_PER_PT};
use crate::layout::{Item, Page, Path, Rgb, Seg};

/// Converts a layout path (mm) into a tiny-skia path (also mm; scaled by the transform).
fn skia_path(path: &Path) -> Option<tiny_skia::Path> {
    let mut pb = PathBuilder::new();
    for seg in &path.0 {
        match *seg {
            Seg::Move(x, y) => pb.move_to(x, y),
            Seg::Line(x, y) => pb.line_to(x, y),
            Seg::Cubic(x1, y1, x2, y2, x, y) => pb.cubic_to(x1, y1, x2, y2, x, y),
            Seg::Close => pb.close(),
        }
    }
    pb.finish()
}

fn paint(color: Rgb, anti_alias: bool) -> Paint<'static> {
    let mut p = Paint::default();
    p.set_color_rgba8(color.0, color.1, color.2, 255);
    p.anti_alias = anti_alias;
    p
}

/// Collects a glyph outline in font units.
struct Outline(PathBuilder);

impl ttf_parser::OutlineBuilder for Outline {
    fn move_to(&mut self, x: f32, y: f32) {
        self.0.move_to(x, y);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        self.0.line_to(x, y);
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        self.0.quad_to(x1, y1, x, y);
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        self.0.cubic_to(x1, y1, x2, y2, x, y);
    }
    fn close(&mut self) {
        self.0.close();
    }
}

/// Renders the page to PNG bytes (8-bit RGB, with a pHYs chunk stating the resolution).
pub(crate) fn render(page: &Page, fonts: &Fonts, dpi: u32) -> Result<Vec<u8>, CardError> {
    let s = dpi as f32 / 25.4;
    let (w, h) = crate::pixel_size(page.width, page.height, dpi);
    let internal = |what: &str| CardError::PngEncoding(what.to_string());
    let mut pixmap = Pixmap::new(w, h).ok_or_else(|| internal("image size"))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    let mm = Transform::from_scale(s, s);
    let mut clips: Vec<Mask> = Vec::new();
    let mut glyph_cache: HashMap<(FontKind, u16), Option<tiny_skia::Path>> = HashMap::new();

    for item in &page.items {
        let mask = clips.last();
        match item {
            Item::Fill { path, color } => {
                if let Some(p) = skia_path(path) {
                    pixmap.fill_path(&p, &paint(*color, true), FillRule::Winding, mm, mask);
                }
            }
            Item::Stroke { path, color, width } => {
                if let Some(p) = skia_path(path) {
                    let stroke = Stroke {
                        width: *width,
                        line_cap: LineCap::Round,
                        line_join: LineJoin::Round,
                        ..Stroke::default()
                    };
                    pixmap.stroke_path(&p, &paint(*color, true), &stroke, mm, mask);
                }
            }
            Item::Text {
                x,
                baseline,
                size_pt,
                font,
                color,
                text,
            } => {
                let size_mm = size_pt * MM_PER_PT;
                let mut pen = *x;
                let p = paint(*color, true);
                for g in fonts.glyphs(*font, text) {
                    let scale = size_mm / fonts.units_per_em(g.font);
                    let outline = glyph_cache.entry((g.font, g.id)).or_insert_with(|| {
                        let mut o = Outline(PathBuilder::new());
                        fonts
                            .face(g.font)
                            .outline_glyph(ttf_parser::GlyphId(g.id), &mut o)?;
                        o.0.finish()
                    });
                    if let Some(path) = outline {
                        let t = Transform::from_row(scale, 0.0, 0.0, -scale, pen, *baseline)
                            .post_scale(s, s);
                        pixmap.fill_path(path, &p, FillRule::Winding, t, mask);
                        if *font == FontKind::Bold && g.font == FontKind::Fallback {
                            // The fallback face has no bold: emboldened by stroking its outline.
                            let stroke = Stroke {
                                width: FAKE_BOLD_EM * fonts.units_per_em(g.font),
                                line_join: LineJoin::Round,
                                ..Stroke::default()
                            };
                            pixmap.stroke_path(path, &p, &stroke, t, mask);
                        }
                    }
                    pen += g.advance_em * size_mm;
                }
            }
            Item::Qr { x, y, size, matrix } => {
                // Module edges are rounded to whole pixels so every module is crisp; the symbol
                // keeps the layout's size within a pixel.
                let m = size / matrix.total_modules() as f32;
                let edge = |origin: f32, i: usize| ((origin + i as f32 * m) * s).round();
                let white = paint(Rgb::WHITE, false);
                let black = paint(Rgb::BLACK, false);
                let n = matrix.total_modules();
                if let Some(r) = Rect::from_ltrb(edge(*x, 0), edge(*y, 0), edge(*x, n), edge(*y, n))
                {
                    pixmap.fill_rect(r, &white, Transform::identity(), mask);
                }
                for (row, col, len) in matrix.dark_runs() {
                    if let Some(r) = Rect::from_ltrb(
                        edge(*x, col),
                        edge(*y, row),
                        edge(*x, col + len),
                        edge(*y, row + 1),
                    ) {
                        pixmap.fill_rect(r, &black, Transform::identity(), mask);
                    }
                }
            }
            Item::Image { x, y, w, h, photo } => {
                let mut src =
                    Pixmap::new(photo.width, photo.height).ok_or_else(|| internal("photo size"))?;
                for (dst, rgb) in src
                    .data_mut()
                    .chunks_exact_mut(4)
                    .zip(photo.rgb.chunks_exact(3))
                {
                    dst.copy_from_slice(&[rgb[0], rgb[1], rgb[2], 255]);
                }
                let shader = Pattern::new(
                    src.as_ref(),
                    SpreadMode::Pad,
                    FilterQuality::Bicubic,
                    1.0,
                    Transform::from_row(
                        w / photo.width as f32,
                        0.0,
                        0.0,
                        h / photo.height as f32,
                        *x,
                        *y,
                    ),
                );
                let p = Paint {
                    shader,
                    anti_alias: true,
                    ..Paint::default()
                };
                if let Some(r) = Rect::from_xywh(*x, *y, *w, *h) {
                    pixmap.fill_rect(r, &p, mm, mask);
                }
            }
            Item::PushClip(path) => {
                let mut m = Mask::new(w, h).ok_or_else(|| internal("mask size"))?;
                if let Some(p) = skia_path(path) {
                    m.fill_path(&p, FillRule::Winding, true, mm);
                }
                if let Some(outer) = clips.last() {
                    for (a, b) in m.data_mut().iter_mut().zip(outer.data()) {
                        *a = ((u16::from(*a) * u16::from(*b)) / 255) as u8;
                    }
                }
                clips.push(m);
            }
            Item::PopClip => {
                clips.pop();
            }
        }
    }
    encode_png(&pixmap, dpi)
}

fn encode_png(pixmap: &Pixmap, dpi: u32) -> Result<Vec<u8>, CardError> {
    let err = |e: png::EncodingError| CardError::PngEncoding(e.to_string());
    // The page background is opaque white, so premultiplied and straight RGB are the same.
    let rgb: Vec<u8> = pixmap
        .data()
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Balanced);
        let ppm = (dpi as f32 / 0.0254).round() as u32;
        enc.set_pixel_dims(Some(png::PixelDimensions {
            xppu: ppm,
            yppu: ppm,
            unit: png::Unit::Meter,
        }));
        let mut writer = enc.write_header().map_err(err)?;
        writer.write_image_data(&rgb).map_err(err)?;
        writer.finish().map_err(err)?;
    }
    Ok(out)
}
