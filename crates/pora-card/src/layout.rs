//! The display list both renderers draw: one page of items positioned in millimetres.
//!
//! Coordinates have their origin at the top-left corner of the page, x to the right, y downwards;
//! text is placed by its baseline. The card and e-permit modules build a [`Page`]; `pdf` and
//! `raster` draw it, so the two outputs cannot diverge.

use std::f32::consts::PI;
use std::sync::Arc;

use crate::font::FontKind;
use crate::photo::Photo;
use crate::qr::QrMatrix;

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rgb(pub(crate) u8, pub(crate) u8, pub(crate) u8);

impl Rgb {
    pub(crate) const WHITE: Rgb = Rgb(255, 255, 255);
    pub(crate) const BLACK: Rgb = Rgb(0, 0, 0);

    pub(crate) fn unit(self) -> [f32; 3] {
        [self.0, self.1, self.2].map(|c| f32::from(c) / 255.0)
    }
}

/// A segment of a path, in millimetres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Seg {
    Move(f32, f32),
    Line(f32, f32),
    Cubic(f32, f32, f32, f32, f32, f32),
    Close,
}

/// A vector path.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Path(pub(crate) Vec<Seg>);

impl Path {
    pub(crate) fn rect(x: f32, y: f32, w: f32, h: f32) -> Self {
        Self(vec![
            Seg::Move(x, y),
            Seg::Line(x + w, y),
            Seg::Line(x + w, y + h),
            Seg::Line(x, y + h),
            Seg::Close,
        ])
    }

    /// A rectangle with corner radii `[top-left, top-right, bottom-right, bottom-left]`.
    pub(crate) fn rounded_rect(x: f32, y: f32, w: f32, h: f32, r: [f32; 4]) -> Self {
        // Control-point distance that approximates a quarter circle with one cubic.
        const K: f32 = 0.552_284_8;
        let [tl, tr, br, bl] = r;
        Self(vec![
            Seg::Move(x + tl, y),
            Seg::Line(x + w - tr, y),
            Seg::Cubic(
                x + w - tr + K * tr,
                y,
                x + w,
                y + tr - K * tr,
                x + w,
                y + tr,
            ),
            Seg::Line(x + w, y + h - br),
            Seg::Cubic(
                x + w,
                y + h - br + K * br,
                x + w - br + K * br,
                y + h,
                x + w - br,
                y + h,
            ),
            Seg::Line(x + bl, y + h),
            Seg::Cubic(
                x + bl - K * bl,
                y + h,
                x,
                y + h - bl + K * bl,
                x,
                y + h - bl,
            ),
            Seg::Line(x, y + tl),
            Seg::Cubic(x, y + tl - K * tl, x + tl - K * tl, y, x + tl, y),
            Seg::Close,
        ])
    }

    pub(crate) fn circle(cx: f32, cy: f32, r: f32) -> Self {
        Self::rounded_rect(cx - r, cy - r, 2.0 * r, 2.0 * r, [r; 4])
    }

    /// An open polyline through `points`.
    pub(crate) fn polyline(points: impl IntoIterator<Item = (f32, f32)>) -> Self {
        let mut segs = Vec::new();
        for (i, (x, y)) in points.into_iter().enumerate() {
            segs.push(if i == 0 {
                Seg::Move(x, y)
            } else {
                Seg::Line(x, y)
            });
        }
        Self(segs)
    }

    /// A closed polygon through `points`.
    pub(crate) fn polygon(points: impl IntoIterator<Item = (f32, f32)>) -> Self {
        let mut p = Self::polyline(points);
        p.0.push(Seg::Close);
        p
    }

    /// Appends another path's segments (for one fill of several shapes).
    pub(crate) fn extend(&mut self, other: Path) {
        self.0.extend(other.0);
    }
}

/// Horizontal alignment of a text run relative to its x.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Center,
    Right,
}

/// One item of the display list.
#[derive(Debug, Clone)]
pub(crate) enum Item {
    Fill {
        path: Path,
        color: Rgb,
    },
    Stroke {
        path: Path,
        color: Rgb,
        width: f32,
    },
    /// A single line of text; `x` is already resolved to the left edge of the run.
    Text {
        x: f32,
        baseline: f32,
        size_pt: f32,
        font: FontKind,
        color: Rgb,
        text: String,
    },
    /// A QR code with its quiet zone on white, `size` mm square including the quiet zone.
    Qr {
        x: f32,
        y: f32,
        size: f32,
        matrix: Arc<QrMatrix>,
    },
    /// A raster photo stretched to the box (already cropped to the box's aspect ratio).
    Image {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        photo: Arc<Photo>,
    },
    /// Restrict the following items to the inside of `path` until the matching `PopClip`.
    PushClip(Path),
    PopClip,
}

/// One page: its size in millimetres, the size in points its PDF MediaBox declares, and items.
#[derive(Debug, Clone)]
pub(crate) struct Page {
    pub(crate) width: f32,
    pub(crate) height: f32,
    /// The exact MediaBox in points (rounded to 1/100 pt as official sizes are quoted).
    pub(crate) media_box_pt: (f32, f32),
    pub(crate) items: Vec<Item>,
}

impl Page {
    pub(crate) fn new(width: f32, height: f32, media_box_pt: (f32, f32)) -> Self {
        Self {
            width,
            height,
            media_box_pt,
            items: Vec::new(),
        }
    }

    pub(crate) fn fill(&mut self, path: Path, color: Rgb) {
        self.items.push(Item::Fill { path, color });
    }

    pub(crate) fn stroke(&mut self, path: Path, color: Rgb, width: f32) {
        self.items.push(Item::Stroke { path, color, width });
    }

    /// Places one line of already-fitted text.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn text(
        &mut self,
        fonts: &crate::font::Fonts,
        x: f32,
        baseline: f32,
        size_pt: f32,
        font: FontKind,
        color: Rgb,
        align: Align,
        text: impl Into<String>,
    ) {
        let text = text.into();
        if text.is_empty() {
            return;
        }
        let w = fonts.width_mm(font, size_pt, &text);
        let x = match align {
            Align::Left => x,
            Align::Center => x - w / 2.0,
            Align::Right => x - w,
        };
        self.items.push(Item::Text {
            x,
            baseline,
            size_pt,
            font,
            color,
            text,
        });
    }
}

/// A guilloche rosette: a hypotrochoid-like closed curve of `n` lobes around (cx, cy), sampled
/// finely enough to look smooth at print resolution.
pub(crate) fn rosette(
    cx: f32,
    cy: f32,
    r_outer: f32,
    r_inner: f32,
    lobes: u32,
    phase: f32,
) -> Path {
    let steps = 720;
    let lobes = lobes as f32;
    Path::polygon((0..steps).map(|i| {
        let t = i as f32 / steps as f32 * 2.0 * PI;
        let r = r_inner + (r_outer - r_inner) * (0.5 + 0.5 * (lobes * t + phase).sin());
        let wobble = 0.06 * (r_outer - r_inner) * ((lobes * 3.0 + 1.0) * t).cos();
        ((r + wobble) * t.cos() + cx, (r + wobble) * t.sin() + cy)
    }))
}

/// A horizontal sine wave across `[x0, x1]` at height `y`.
pub(crate) fn wave(x0: f32, x1: f32, y: f32, amplitude: f32, period: f32, phase: f32) -> Path {
    let steps = (((x1 - x0) / 0.4).ceil() as usize).max(2);
    Path::polyline((0..=steps).map(|i| {
        let x = x0 + (x1 - x0) * i as f32 / steps as f32;
        (
            x,
            y + amplitude * ((x - x0) / period * 2.0 * PI + phase).sin(),
        )
    }))
}

/// An invented seal (no real emblem): concentric rings, a ring of small rays and an eight-point star.
pub(crate) fn seal(page: &mut Page, cx: f32, cy: f32, r: f32, ink: Rgb, paper: Rgb) {
    page.fill(Path::circle(cx, cy, r), ink);
    page.fill(Path::circle(cx, cy, r * 0.90), paper);
    page.fill(Path::circle(cx, cy, r * 0.84), ink);
    page.fill(Path::circle(cx, cy, r * 0.62), paper);
    // Twenty-four short rays between the rings.
    let mut rays = Path::default();
    for i in 0..24 {
        let a = i as f32 / 24.0 * 2.0 * PI;
        let (s, c) = a.sin_cos();
        let w = 0.045;
        let (s1, c1) = (a - w).sin_cos();
        let (s2, c2) = (a + w).sin_cos();
        rays.extend(Path::polygon([
            (cx + c1 * r * 0.66, cy + s1 * r * 0.66),
            (cx + c * r * 0.80, cy + s * r * 0.80),
            (cx + c2 * r * 0.66, cy + s2 * r * 0.66),
        ]));
    }
    page.fill(rays, paper);
    // Eight-point star.
    let star = Path::polygon((0..16).map(|i| {
        let a = i as f32 / 16.0 * 2.0 * PI - PI / 2.0;
        let rr = if i % 2 == 0 { r * 0.52 } else { r * 0.22 };
        (cx + a.cos() * rr, cy + a.sin() * rr)
    }));
    page.fill(star, ink);
    page.fill(Path::circle(cx, cy, r * 0.12), paper);
}
