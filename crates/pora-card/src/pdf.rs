//! PDF renderer: writes a [`Page`] as a one-page PDF with vector shapes, real text in embedded
//! (subset) TrueType fonts with a ToUnicode map, and the QR code as vector squares.

use std::collections::BTreeMap;

use pdf_writer::types::{
    CidFontType, FontFlags, LineCapStyle, LineJoinStyle, SystemInfo, TextRenderingMode, UnicodeCmap,
};
use pdf_writer::{Content, Filter, Name, Pdf, Rect, Ref, Str};

use crate::font::{FontKind, Fonts, FAKE_BOLD_EM};
use crate::layout::{Item, Page, Path, Seg};

/// Points per millimetre.
const PT_PER_MM: f32 = 72.0 / 25.4;

fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}

/// Rounds to 1/100 pt (far below any printer's resolution) so the content stream stays short;
/// adding 0.0 turns -0.0 into 0.0.
fn round(pt: f32) -> f32 {
    (pt * 100.0).round() / 100.0 + 0.0
}

/// Maps page millimetres (origin top-left, y down) to PDF points (origin bottom-left, y up).
struct Frame {
    height_pt: f32,
}

impl Frame {
    fn x(&self, mm: f32) -> f32 {
        round(mm * PT_PER_MM)
    }

    fn y(&self, mm: f32) -> f32 {
        round(self.height_pt - mm * PT_PER_MM)
    }

    fn path(&self, c: &mut Content, path: &Path) {
        for seg in &path.0 {
            match *seg {
                Seg::Move(x, y) => {
                    c.move_to(self.x(x), self.y(y));
                }
                Seg::Line(x, y) => {
                    c.line_to(self.x(x), self.y(y));
                }
                Seg::Cubic(x1, y1, x2, y2, x, y) => {
                    c.cubic_to(
                        self.x(x1),
                        self.y(y1),
                        self.x(x2),
                        self.y(y2),
                        self.x(x),
                        self.y(y),
                    );
                }
                Seg::Close => {
                    c.close_path();
                }
            }
        }
    }
}

/// Renders the page; `title` goes into the document information dictionary.
pub(crate) fn render(page: &Page, fonts: &Fonts, title: &str) -> Vec<u8> {
    render_pages(std::slice::from_ref(page), fonts, title)
}

/// Renders several pages into one PDF; the fonts are embedded once, subset to the glyphs of every
/// page. Object numbers of a one-page document are those [`render`] always gave.
pub(crate) fn render_pages(pages: &[Page], fonts: &Fonts, title: &str) -> Vec<u8> {
    let mut next = 1;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let catalog_id = alloc();
    let tree_id = alloc();
    let page_ids: Vec<(Ref, Ref)> = pages.iter().map(|_| (alloc(), alloc())).collect();
    let info_id = alloc();

    // Glyphs used per font over all pages: glyph id -> the char it stands for (for ToUnicode).
    let mut used: [BTreeMap<u16, char>; 3] = [BTreeMap::new(), BTreeMap::new(), BTreeMap::new()];
    let mut contents = Vec::with_capacity(pages.len());
    let mut page_images = Vec::with_capacity(pages.len());
    for page in pages {
        let (content, images) = content(page, fonts, &mut used);
        contents.push(content);
        page_images.push(images);
    }

    let mut pdf = Pdf::new();
    pdf.catalog(catalog_id).pages(tree_id);
    pdf.pages(tree_id)
        .kids(page_ids.iter().map(|(p, _)| *p))
        .count(i32::try_from(pages.len()).unwrap_or(i32::MAX));

    let font_ids: Vec<(FontKind, Ref)> = FontKind::ALL
        .into_iter()
        .filter(|k| !used[k.index()].is_empty())
        .map(|k| (k, alloc()))
        .collect();
    let image_ids: Vec<Vec<Ref>> = page_images
        .iter()
        .map(|imgs| imgs.iter().map(|_| alloc()).collect())
        .collect();

    for (i, page) in pages.iter().enumerate() {
        let (page_id, content_id) = page_ids[i];
        {
            let mut p = pdf.page(page_id);
            let (w, h) = page.media_box_pt;
            p.media_box(Rect::new(0.0, 0.0, w, h));
            p.parent(tree_id);
            p.contents(content_id);
            let mut res = p.resources();
            {
                let mut f = res.fonts();
                for (kind, id) in &font_ids {
                    f.pair(font_name(*kind), *id);
                }
            }
            {
                let mut x = res.x_objects();
                for ((name, _), id) in page_images[i].iter().zip(&image_ids[i]) {
                    x.pair(Name(name.as_bytes()), *id);
                }
            }
        }
        let content = deflate(&contents[i]);
        pdf.stream(content_id, &content).filter(Filter::FlateDecode);
    }

    for (kind, type0_id) in &font_ids {
        write_font(
            &mut pdf,
            &mut alloc,
            fonts,
            *kind,
            *type0_id,
            &used[kind.index()],
        );
    }
    for (images, ids) in page_images.iter().zip(&image_ids) {
        for ((_, photo), id) in images.iter().zip(ids) {
            let data = deflate(&photo.rgb);
            let mut img = pdf.image_xobject(*id, &data);
            img.filter(Filter::FlateDecode);
            // Photo sides are bounded by `photo::MAX_SIDE`, far below i32::MAX.
            img.width(photo.width as i32);
            img.height(photo.height as i32);
            img.color_space().device_rgb();
            img.bits_per_component(8);
        }
    }

    pdf.document_info(info_id)
        .title(pdf_writer::TextStr(title))
        .producer(pdf_writer::TextStr("pora-card"));
    pdf.finish()
}

/// One page's content stream (uncompressed) and the photos it places, by resource name.
fn content(
    page: &Page,
    fonts: &Fonts,
    used: &mut [BTreeMap<u16, char>; 3],
) -> (Vec<u8>, Vec<(String, std::sync::Arc<crate::photo::Photo>)>) {
    let frame = Frame {
        height_pt: page.media_box_pt.1,
    };
    let mut c = Content::new();
    let mut images = Vec::new();
    c.set_line_join(LineJoinStyle::RoundJoin);
    c.set_line_cap(LineCapStyle::RoundCap);

    for item in &page.items {
        match item {
            Item::Fill { path, color } => {
                let [r, g, b] = color.unit();
                c.set_fill_rgb(r, g, b);
                frame.path(&mut c, path);
                c.fill_nonzero();
            }
            Item::Stroke { path, color, width } => {
                let [r, g, b] = color.unit();
                c.set_stroke_rgb(r, g, b);
                c.set_line_width(round(width * PT_PER_MM));
                frame.path(&mut c, path);
                c.stroke();
            }
            Item::Text {
                x,
                baseline,
                size_pt,
                font,
                color,
                text,
            } => {
                let glyphs = fonts.glyphs(*font, text);
                let [r, g, b] = color.unit();
                c.begin_text();
                c.set_fill_rgb(r, g, b);
                c.set_text_matrix([1.0, 0.0, 0.0, 1.0, frame.x(*x), frame.y(*baseline)]);
                // One show per run of glyphs from the same face (fallback glyphs for CJK); the
                // text position advances by the widths declared in the fonts, which are the
                // advances the layout measured with.
                for run in glyphs.chunk_by(|a, b| a.font == b.font) {
                    let face = run[0].font;
                    let mut bytes = Vec::with_capacity(run.len() * 2);
                    for g in run {
                        bytes.extend(g.id.to_be_bytes());
                        if g.id != 0 {
                            used[face.index()].entry(g.id).or_insert(g.ch);
                        }
                    }
                    c.set_font(font_name(face), *size_pt);
                    // The fallback face has no bold: emboldened by stroking its outline too.
                    let embolden = *font == FontKind::Bold && face == FontKind::Fallback;
                    if embolden {
                        c.set_stroke_rgb(r, g, b);
                        c.set_line_width(round(size_pt * FAKE_BOLD_EM));
                        c.set_text_rendering_mode(TextRenderingMode::FillStroke);
                    }
                    c.show(Str(&bytes));
                    if embolden {
                        c.set_text_rendering_mode(TextRenderingMode::Fill);
                    }
                }
                c.end_text();
            }
            Item::Qr { x, y, size, matrix } => {
                c.set_fill_rgb(1.0, 1.0, 1.0);
                frame.path(&mut c, &Path::rect(*x, *y, *size, *size));
                c.fill_nonzero();
                let m = size / matrix.total_modules() as f32;
                c.set_fill_rgb(0.0, 0.0, 0.0);
                for (row, col, len) in matrix.dark_runs() {
                    let (x0, y0) = (x + col as f32 * m, y + (row + 1) as f32 * m);
                    c.rect(
                        frame.x(x0),
                        frame.y(y0),
                        round(frame.x(x0 + len as f32 * m) - frame.x(x0)),
                        round(frame.y(y0 - m) - frame.y(y0)),
                    );
                }
                c.fill_nonzero();
            }
            Item::Image { x, y, w, h, photo } => {
                let name = format!("Im{}", images.len() + 1);
                c.save_state();
                c.transform([
                    w * PT_PER_MM,
                    0.0,
                    0.0,
                    h * PT_PER_MM,
                    frame.x(*x),
                    frame.y(y + h),
                ]);
                c.x_object(Name(name.as_bytes()));
                c.restore_state();
                images.push((name, photo.clone()));
            }
            Item::PushClip(path) => {
                c.save_state();
                frame.path(&mut c, path);
                c.clip_nonzero();
                c.end_path();
            }
            Item::PopClip => {
                c.restore_state();
            }
        }
    }

    (c.finish().to_vec(), images)
}

fn font_name(kind: FontKind) -> Name<'static> {
    match kind {
        FontKind::Regular => Name(b"F1"),
        FontKind::Bold => Name(b"F2"),
        FontKind::Fallback => Name(b"F3"),
    }
}

/// Writes a Type0 font with an Identity-H encoding over a CIDFontType2 whose font program is the
/// TrueType font subset to the used glyphs (glyph ids are kept, so CID = GID).
fn write_font(
    pdf: &mut Pdf,
    alloc: &mut impl FnMut() -> Ref,
    fonts: &Fonts,
    kind: FontKind,
    type0_id: Ref,
    used: &BTreeMap<u16, char>,
) {
    let cid_id = alloc();
    let descriptor_id = alloc();
    let file_id = alloc();
    let cmap_id = alloc();
    let face = fonts.face(kind);
    let upem = fonts.units_per_em(kind);
    let to_pdf = |v: f32| v / upem * 1000.0;

    // A deterministic six-letter subset tag derived from the glyph set.
    let mut h: u32 = 2_166_136_261;
    for gid in used.keys() {
        for b in gid.to_be_bytes() {
            h = (h ^ u32::from(b)).wrapping_mul(16_777_619);
        }
    }
    let tag: String = (0..6)
        .map(|i| char::from(b'A' + ((h >> (i * 5)) % 26) as u8))
        .collect();
    let base = format!("{tag}+{}", kind.postscript_name());
    let system_info = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };

    pdf.type0_font(type0_id)
        .base_font(Name(base.as_bytes()))
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_id)
        .to_unicode(cmap_id);

    {
        let mut cid = pdf.cid_font(cid_id);
        cid.subtype(CidFontType::Type2)
            .base_font(Name(base.as_bytes()))
            .system_info(system_info)
            .font_descriptor(descriptor_id)
            .default_width(0.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        let mut widths = cid.widths();
        for gid in used.keys() {
            let adv = face
                .glyph_hor_advance(ttf_parser::GlyphId(*gid))
                .unwrap_or(0);
            widths.consecutive(*gid, [to_pdf(f32::from(adv))]);
        }
    }

    let bbox = face.global_bounding_box();
    let bold = kind == FontKind::Bold;
    pdf.font_descriptor(descriptor_id)
        .name(Name(base.as_bytes()))
        .flags(FontFlags::NON_SYMBOLIC)
        .bbox(Rect::new(
            to_pdf(f32::from(bbox.x_min)),
            to_pdf(f32::from(bbox.y_min)),
            to_pdf(f32::from(bbox.x_max)),
            to_pdf(f32::from(bbox.y_max)),
        ))
        .italic_angle(0.0)
        .ascent(to_pdf(f32::from(face.ascender())))
        .descent(to_pdf(f32::from(face.descender())))
        .cap_height(to_pdf(f32::from(
            face.capital_height().unwrap_or(face.ascender()),
        )))
        .stem_v(if bold { 140.0 } else { 80.0 })
        .font_file2(file_id);

    let mut gids: Vec<u16> = used.keys().copied().collect();
    gids.insert(0, 0);
    // Subsetting an embedded, known-good font only fails on malformed tables; fall back to the
    // whole font rather than fail the document.
    let program = subsetter::subset(kind.data(), 0, subsetter::Profile::pdf(&gids))
        .unwrap_or_else(|_| kind.data().to_vec());
    let compressed = deflate(&program);
    pdf.stream(file_id, &compressed)
        .filter(Filter::FlateDecode)
        .pair(
            Name(b"Length1"),
            i32::try_from(program.len()).unwrap_or(i32::MAX),
        );

    let mut cmap = UnicodeCmap::new(Name(b"Custom"), system_info);
    for (gid, ch) in used {
        cmap.pair(*gid, *ch);
    }
    let cmap = deflate(&cmap.finish());
    pdf.cmap(cmap_id, &cmap).filter(Filter::FlateDecode);
}
