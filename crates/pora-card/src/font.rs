//! The embedded fonts (DejaVu Sans Condensed, regular and bold, with Droid Sans Fallback for
//! CJK when the `cjk` feature is on): glyph look-up, measuring and fitting.

use std::collections::VecDeque;

use ttf_parser::{Face, GlyphId};

/// DejaVu Sans Condensed; licence in `fonts/LICENSE`.
pub(crate) const REGULAR_TTF: &[u8] = include_bytes!("../fonts/DejaVuSansCondensed.ttf");
/// DejaVu Sans Condensed Bold; licence in `fonts/LICENSE`.
pub(crate) const BOLD_TTF: &[u8] = include_bytes!("../fonts/DejaVuSansCondensed-Bold.ttf");
/// Droid Sans Fallback (Apache-2.0, `fonts/LICENSE-DroidSansFallback`): Chinese, Japanese and
/// Korean glyphs for characters DejaVu lacks.
#[cfg(feature = "cjk")]
const FALLBACK_TTF: Option<&[u8]> = Some(include_bytes!("../fonts/DroidSansFallbackFull.ttf"));
#[cfg(not(feature = "cjk"))]
const FALLBACK_TTF: Option<&[u8]> = None;

/// Stroke width, in em, that emboldens fallback glyphs (which have no bold face) in bold text.
pub(crate) const FAKE_BOLD_EM: f32 = 0.04;

/// Millimetres per typographic point.
pub(crate) const MM_PER_PT: f32 = 25.4 / 72.0;

/// Which embedded face. Layout code asks for `Regular` or `Bold`; a glyph those lack is taken
/// from `Fallback` when it has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum FontKind {
    Regular,
    Bold,
    Fallback,
}

impl FontKind {
    pub(crate) const ALL: [FontKind; 3] = [FontKind::Regular, FontKind::Bold, FontKind::Fallback];

    pub(crate) fn index(self) -> usize {
        match self {
            Self::Regular => 0,
            Self::Bold => 1,
            Self::Fallback => 2,
        }
    }

    /// The font program; empty for `Fallback` when the `cjk` feature is off (then no glyph is
    /// ever taken from it).
    pub(crate) fn data(self) -> &'static [u8] {
        match self {
            Self::Regular => REGULAR_TTF,
            Self::Bold => BOLD_TTF,
            Self::Fallback => FALLBACK_TTF.unwrap_or(&[]),
        }
    }

    pub(crate) fn postscript_name(self) -> &'static str {
        match self {
            Self::Regular => "DejaVuSansCondensed",
            Self::Bold => "DejaVuSansCondensed-Bold",
            Self::Fallback => "DroidSansFallbackFull",
        }
    }
}

/// The faces, parsed once per document.
#[derive(Debug)]
pub(crate) struct Fonts {
    regular: Face<'static>,
    bold: Face<'static>,
    fallback: Option<Face<'static>>,
}

/// One glyph of a run: the face it comes from, its id there, the char it stands for, and its
/// advance in em.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Glyph {
    pub(crate) font: FontKind,
    pub(crate) id: u16,
    pub(crate) ch: char,
    pub(crate) advance_em: f32,
}

impl Fonts {
    pub(crate) fn new() -> Self {
        // The fonts are compiled into the crate and are valid TrueType files (checked by the
        // `fonts_parse` test), so parsing cannot fail.
        let parse = |k: FontKind| Face::parse(k.data(), 0).expect("embedded font parses");
        Self {
            regular: parse(FontKind::Regular),
            bold: parse(FontKind::Bold),
            fallback: FALLBACK_TTF.map(|_| parse(FontKind::Fallback)),
        }
    }

    /// The face of `kind`. `Fallback` without the `cjk` feature answers with the regular face;
    /// no glyph is ever assigned to it then.
    pub(crate) fn face(&self, kind: FontKind) -> &Face<'static> {
        match kind {
            FontKind::Regular => &self.regular,
            FontKind::Bold => &self.bold,
            FontKind::Fallback => self.fallback.as_ref().unwrap_or(&self.regular),
        }
    }

    pub(crate) fn units_per_em(&self, kind: FontKind) -> f32 {
        f32::from(self.face(kind).units_per_em())
    }

    /// The glyph for one char in `kind`, else in the fallback face, else `kind`'s `.notdef` box.
    /// Control characters are shown as spaces.
    fn glyph(&self, kind: FontKind, c: char) -> Glyph {
        let c = if c.is_control() { ' ' } else { c };
        let (font, id) = match self.face(kind).glyph_index(c) {
            Some(id) => (kind, id),
            None => match self.fallback.as_ref().and_then(|f| f.glyph_index(c)) {
                Some(id) => (FontKind::Fallback, id),
                None => (kind, GlyphId(0)),
            },
        };
        let face = self.face(font);
        let advance = face.glyph_hor_advance(id).unwrap_or(0);
        Glyph {
            font,
            id: id.0,
            ch: c,
            advance_em: f32::from(advance) / f32::from(face.units_per_em()),
        }
    }

    /// Maps text to glyphs, one per char (no shaping beyond that, no kerning: the PDF and the PNG
    /// renderer both place glyphs by these advances, so they agree).
    pub(crate) fn glyphs(&self, kind: FontKind, text: &str) -> Vec<Glyph> {
        text.chars().map(|c| self.glyph(kind, c)).collect()
    }

    /// Width of `text` at `size_pt`, in millimetres.
    pub(crate) fn width_mm(&self, kind: FontKind, size_pt: f32, text: &str) -> f32 {
        let em: f32 = text.chars().map(|c| self.glyph(kind, c).advance_em).sum();
        em * size_pt * MM_PER_PT
    }

    /// Fits one line into `max_mm`: first shrinks the size down to `min_pt`, then cuts the text and
    /// ends it with an ellipsis. Returns the text to print and its size.
    pub(crate) fn fit_line(
        &self,
        kind: FontKind,
        size_pt: f32,
        min_pt: f32,
        max_mm: f32,
        text: &str,
    ) -> (String, f32) {
        self.fit_line_keeping_tail(kind, size_pt, min_pt, max_mm, text.trim(), "")
    }

    /// Like [`Fonts::fit_line`] for `head` followed by `tail`, but only `head` is ever cut (e.g. a
    /// place of birth before the date that must stay whole).
    pub(crate) fn fit_line_keeping_tail(
        &self,
        kind: FontKind,
        size_pt: f32,
        min_pt: f32,
        max_mm: f32,
        head: &str,
        tail: &str,
    ) -> (String, f32) {
        let text = format!("{head}{tail}");
        let w = self.width_mm(kind, size_pt, &text);
        if w <= max_mm {
            return (text, size_pt);
        }
        let shrunk = (size_pt * max_mm / w).max(min_pt);
        // Round down to a tenth of a point so output does not depend on float noise.
        let shrunk = ((shrunk * 10.0).floor() / 10.0).max(min_pt);
        if self.width_mm(kind, shrunk, &text) <= max_mm {
            return (text, shrunk);
        }
        let room = max_mm - self.width_mm(kind, shrunk, tail);
        let head = self.ellipsize(kind, shrunk, room, head);
        (format!("{head}{tail}"), shrunk)
    }

    /// The longest prefix of `text` that, followed by "…", fits `max_mm` (linear in the text).
    pub(crate) fn ellipsize(
        &self,
        kind: FontKind,
        size_pt: f32,
        max_mm: f32,
        text: &str,
    ) -> String {
        let budget = max_mm - self.width_mm(kind, size_pt, "…");
        let end = self.prefix_fitting(kind, size_pt, budget, text);
        format!("{}…", text[..end].trim_end())
    }

    /// Byte length of the longest prefix of `text` no wider than `max_mm`.
    fn prefix_fitting(&self, kind: FontKind, size_pt: f32, max_mm: f32, text: &str) -> usize {
        let mm_per_em = size_pt * MM_PER_PT;
        let mut width = 0.0;
        let mut end = 0;
        for (i, c) in text.char_indices() {
            width += self.glyph(kind, c).advance_em * mm_per_em;
            if width > max_mm {
                break;
            }
            end = i + c.len_utf8();
        }
        end
    }

    /// Breaks `text` into at most `max_lines` lines of `max_mm` at `size_pt`, at spaces where it
    /// can (inside a word when a word alone is too long), and always at a `\n`. When text is left
    /// over, the last line
    /// ends with "…" and the flag is true.
    pub(crate) fn wrap(
        &self,
        kind: FontKind,
        size_pt: f32,
        max_mm: f32,
        max_lines: usize,
        text: &str,
    ) -> (Vec<String>, bool) {
        // Words, with a "\n" token between paragraphs to force a line break.
        let mut queue: VecDeque<String> = VecDeque::new();
        for paragraph in text.split('\n').filter(|p| !p.trim().is_empty()) {
            if !queue.is_empty() {
                queue.push_back("\n".into());
            }
            queue.extend(paragraph.split_whitespace().map(String::from));
        }
        let mut lines: Vec<String> = Vec::new();
        let mut current = String::new();
        while let Some(word) = queue.pop_front() {
            if word == "\n" {
                if !current.is_empty() {
                    lines.push(std::mem::take(&mut current));
                    if lines.len() == max_lines.max(1) {
                        break;
                    }
                }
                continue;
            }
            let candidate = if current.is_empty() {
                word.clone()
            } else {
                format!("{current} {word}")
            };
            if self.width_mm(kind, size_pt, &candidate) <= max_mm {
                current = candidate;
                continue;
            }
            if current.is_empty() {
                // A word wider than a whole line: break it between characters.
                let (head, tail) = self.split_to_width(kind, size_pt, max_mm, &word);
                current = head;
                if !tail.is_empty() {
                    queue.push_front(tail);
                }
            } else {
                queue.push_front(word);
            }
            lines.push(std::mem::take(&mut current));
            if lines.len() == max_lines.max(1) {
                break;
            }
        }
        if !current.is_empty() {
            lines.push(current);
        }
        let truncated = !queue.is_empty();
        if truncated {
            if let Some(last) = lines.last_mut() {
                *last = self.ellipsize(kind, size_pt, max_mm, last);
            }
        }
        (lines, truncated)
    }

    /// Splits one word into the longest head (at least one char) that fits `max_mm`, and the rest.
    fn split_to_width(
        &self,
        kind: FontKind,
        size_pt: f32,
        max_mm: f32,
        word: &str,
    ) -> (String, String) {
        let mut end = self.prefix_fitting(kind, size_pt, max_mm, word);
        if end == 0 {
            end = word.chars().next().map_or(0, char::len_utf8);
        }
        (word[..end].to_string(), word[end..].to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fonts_parse() {
        let f = Fonts::new();
        for k in [FontKind::Regular, FontKind::Bold] {
            assert_eq!(f.units_per_em(k), 2048.0);
            assert!(f.face(k).glyph_index('Ü').is_some());
        }
    }

    #[cfg(feature = "cjk")]
    #[test]
    fn cjk_comes_from_the_fallback_face() {
        let f = Fonts::new();
        let g = f.glyphs(FontKind::Bold, "李A");
        assert_eq!(g[0].font, FontKind::Fallback);
        assert_ne!(g[0].id, 0);
        assert_eq!(g[1].font, FontKind::Bold);
        // A char no face has falls back to the asked face's box glyph.
        let g = f.glyphs(FontKind::Regular, "\u{10FFFD}");
        assert_eq!((g[0].font, g[0].id), (FontKind::Regular, 0));
    }

    #[test]
    fn fit_shrinks_then_ellipsizes() {
        let f = Fonts::new();
        let (t, s) = f.fit_line(FontKind::Regular, 8.0, 6.0, 100.0, "TANAKA HIROSHI");
        assert_eq!((t.as_str(), s), ("TANAKA HIROSHI", 8.0));
        let long = "WOLFESCHLEGELSTEINHAUSENBERGERDORFF ".repeat(5);
        let (t, s) = f.fit_line(FontKind::Regular, 8.0, 6.0, 30.0, &long);
        assert_eq!(s, 6.0);
        assert!(t.ends_with('…'));
        assert!(f.width_mm(FontKind::Regular, s, &t) <= 30.0);
    }

    #[test]
    fn wrap_breaks_words_and_marks_leftovers() {
        let f = Fonts::new();
        let (lines, cut) = f.wrap(
            FontKind::Regular,
            7.0,
            30.0,
            2,
            "Jl. Jababeka Raya Blok A No. 12, Cikarang Utara, Kabupaten Bekasi, Jawa Barat 17530",
        );
        assert_eq!(lines.len(), 2);
        assert!(cut);
        assert!(lines[1].ends_with('…'));
        let (lines, cut) = f.wrap(FontKind::Regular, 7.0, 10.0, 20, &"X".repeat(60));
        assert!(lines.len() > 2 && !cut);
        for l in &lines {
            assert!(f.width_mm(FontKind::Regular, 7.0, l) <= 10.0);
        }
        let (lines, cut) = f.wrap(
            FontKind::Regular,
            7.0,
            60.0,
            2,
            "ITAS\nLimited Stay Permit\n",
        );
        assert_eq!(
            (lines, cut),
            (
                vec!["ITAS".to_string(), "Limited Stay Permit".to_string()],
                false
            )
        );
        let (lines, cut) = f.wrap(FontKind::Regular, 7.0, 60.0, 1, "A\nB");
        assert_eq!((lines, cut), (vec!["A…".to_string()], true));
        let (lines, _) = f.wrap(FontKind::Regular, 7.0, 30.0, 2, "李 明 MÜLLER");
        assert_eq!(lines, vec!["李 明 MÜLLER".to_string()]);
    }
}
