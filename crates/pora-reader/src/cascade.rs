//! The preprocessing cascade: binarizations and image transforms tried cheapest first, stopping at
//! the first pass that yields an error-corrected code.

use rxing::common::BitMatrix;

use crate::diagnose::{diagnose, Evidence};
use crate::engine::{decode_bits, Attempt};
use crate::image_ops::{self, Luma};
use crate::{is_qr_alphanumeric, QrCode, ReadError, ReadOptions};

/// A cascade pass, in the order they are tried. Stable names for diagnostics and benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Pass {
    /// zxing's hybrid (local block average) binarizer on the frame as it is.
    Hybrid,
    /// The same, dark and light swapped (light-on-dark codes).
    Inverted,
    /// Contrast stretch, then a local-mean threshold over a wide window (low contrast, shadow, glare).
    LocalMean,
    /// A single global Otsu threshold (blur, where local thresholds fray module edges).
    Global,
    /// 3x3 box blur, then the hybrid binarizer (sensor noise).
    Denoised,
    /// Half-size area downscale, then the hybrid binarizer (heavy noise and blur).
    HalfScale,
    /// Bilinear 2x upscale, then the hybrid binarizer (modules under 2 px).
    Upscaled,
    /// Finder-pattern search on every row instead of a sparse subset.
    Thorough,
}

impl Pass {
    /// Stable lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Hybrid => "hybrid",
            Self::Inverted => "inverted",
            Self::LocalMean => "local-mean",
            Self::Global => "global",
            Self::Denoised => "denoised",
            Self::HalfScale => "half-scale",
            Self::Upscaled => "upscaled",
            Self::Thorough => "thorough",
        }
    }
}

/// Maps coordinates of a transformed view back to the input image: `input = offset + view * scale`.
#[derive(Debug, Clone, Copy)]
struct Frame {
    scale: f32,
    offset: (f32, f32),
}

const IDENTITY: Frame = Frame {
    scale: 1.0,
    offset: (0.0, 0.0),
};

/// Runs the cascade on `img`.
pub(crate) fn run(img: &Luma, opts: &ReadOptions) -> Result<Vec<QrCode>, ReadError> {
    let mut ev = Evidence::default();
    if img.width < 21 || img.height < 21 {
        return Err(ReadError::NoCode(diagnose(img, &ev)));
    }
    let mut try_pass = |pass: Pass, bits: Option<BitMatrix>, frame: Frame, harder: bool| {
        let bits = bits?;
        let attempt = decode_bits(&bits, harder);
        accept(pass, attempt, frame, opts, &mut ev)
    };

    let hybrid = image_ops::hybrid(img);
    if let Some(codes) = try_pass(Pass::Hybrid, hybrid.clone(), IDENTITY, false) {
        return Ok(codes);
    }
    let inverted = hybrid.map(|mut b| {
        b.flip_self();
        b
    });
    if let Some(codes) = try_pass(Pass::Inverted, inverted, IDENTITY, false) {
        return Ok(codes);
    }
    if opts.try_harder {
        let stretched = image_ops::stretch(img);
        let r = (img.width.min(img.height) / 40).clamp(8, 40);
        if let Some(c) = try_pass(
            Pass::LocalMean,
            image_ops::local_mean(&stretched, r, 8),
            IDENTITY,
            false,
        ) {
            return Ok(c);
        }
        if let Some(c) = try_pass(Pass::Global, image_ops::otsu(img), IDENTITY, false) {
            return Ok(c);
        }
        let denoised = image_ops::box3(img);
        if let Some(c) = try_pass(
            Pass::Denoised,
            image_ops::hybrid(&denoised),
            IDENTITY,
            false,
        ) {
            return Ok(c);
        }
        if img.width >= 200 && img.height >= 200 {
            let half = image_ops::downscale(img, 2);
            let frame = Frame {
                scale: 2.0,
                offset: (0.0, 0.0),
            };
            if let Some(c) = try_pass(Pass::HalfScale, image_ops::hybrid(&half), frame, false) {
                return Ok(c);
            }
        }
        if img.width * img.height <= 2_100_000 {
            let up = image_ops::crop_upscale(img, 0, 0, img.width, img.height, 2);
            let frame = Frame {
                scale: 0.5,
                offset: (0.0, 0.0),
            };
            if let Some(c) = try_pass(Pass::Upscaled, image_ops::hybrid(&up), frame, false) {
                return Ok(c);
            }
        }
        if let Some(c) = try_pass(Pass::Thorough, image_ops::hybrid(img), IDENTITY, true) {
            return Ok(c);
        }
    }
    Err(ReadError::NoCode(diagnose(img, &ev)))
}

/// Converts an engine attempt into accepted codes, recording evidence for the diagnosis.
fn accept(
    pass: Pass,
    attempt: Attempt,
    frame: Frame,
    opts: &ReadOptions,
    ev: &mut Evidence,
) -> Option<Vec<QrCode>> {
    ev.located |= attempt.located_but_failed > 0;
    if let Some(m) = attempt.module_px {
        let m = m * frame.scale;
        ev.module_px = Some(ev.module_px.map_or(m, |e| e.min(m)));
    }
    let mut codes: Vec<QrCode> = Vec::new();
    for d in attempt.decoded {
        if opts.require_alphanumeric && !is_qr_alphanumeric(&d.text) {
            ev.rejected_alphanumeric = true;
            continue;
        }
        if codes.iter().any(|c| c.text == d.text) {
            continue;
        }
        codes.push(QrCode {
            text: d.text,
            corners: d.corners.map(|(x, y)| {
                (
                    frame.offset.0 + x * frame.scale,
                    frame.offset.1 + y * frame.scale,
                )
            }),
            ec_level: d.ec_level,
            version: d.version,
            pass,
        });
        if codes.len() >= opts.max_codes {
            break;
        }
    }
    (!codes.is_empty()).then_some(codes)
}
