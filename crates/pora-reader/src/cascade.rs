//! The preprocessing cascade: binarizations and image transforms tried cheapest first, stopping at
//! the first pass that yields an error-corrected code.

use rxing::common::BitMatrix;

use crate::diagnose::{diagnose, Evidence};
use crate::engine::{decode_bits, Attempt};
use crate::image_ops::{self, Luma};
use crate::region;
use crate::{is_qr_alphanumeric, NoCodeReason, QrCode, ReadError, ReadOptions};

/// A cascade pass, in the order they are tried. Stable names for diagnostics and benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Pass {
    /// zxing's hybrid (local block average) binarizer on the frame as it is, sparse row scan.
    Hybrid,
    /// The hybrid binarizer with the minimum block contrast scaled to a narrow histogram (dim or
    /// washed-out frames).
    LowContrast,
    /// The same binary image, finder patterns searched on every row (small or rotated codes).
    Thorough,
    /// The hybrid binary image with dark and light swapped (light-on-dark codes).
    Inverted,
    /// Contrast stretch, then a local-mean threshold over a wide window (shadow, glare, low light).
    LocalMean,
    /// A single global Otsu threshold (blur, where local thresholds fray module edges).
    Global,
    /// 3x3 box blur, then the hybrid binarizer (sensor noise).
    Denoised,
    /// Half-size area downscale, then the hybrid binarizer (heavy noise, very large modules).
    HalfScale,
    /// A crop around a likely code, upscaled when modules are small, hybrid binarizer.
    RegionHybrid,
    /// The same crop, Otsu threshold computed on the crop alone.
    RegionGlobal,
    /// The same crop, local-mean thresholds at two window sizes proportional to the module size.
    RegionLocal,
    /// The same crop sharpened (unsharp mask at module scale) before thresholding (blur).
    RegionSharpened,
}

impl Pass {
    /// Stable lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Hybrid => "hybrid",
            Self::Thorough => "thorough",
            Self::LowContrast => "low-contrast",
            Self::Inverted => "inverted",
            Self::LocalMean => "local-mean",
            Self::Global => "global",
            Self::Denoised => "denoised",
            Self::HalfScale => "half-scale",
            Self::RegionHybrid => "region-hybrid",
            Self::RegionGlobal => "region-global",
            Self::RegionLocal => "region-local",
            Self::RegionSharpened => "region-sharpened",
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

/// Below this 2nd-98th percentile luminance spread the low-contrast pass runs.
const LOW_SPREAD: u8 = 128;
/// Largest frame read at full size (4K UHD).
const MAX_WORK_PIXELS: usize = 3840 * 2160;
/// Textured areas up to this size (px, longer side) get the region passes without finder evidence.
const SMALL_TEXTURE_PX: usize = 450;
/// Most regions retried per frame.
const MAX_REGIONS: usize = 4;
/// Largest crop (after upscaling) the region passes work on, in pixels.
const MAX_REGION_PIXELS: usize = 3_000_000;

/// Unsharp-mask settings tried on regions: (radius in modules, amount in tenths).
const SHARPEN: [(f32, i32); 4] = [(0.7, 15), (0.5, 25), (1.0, 25), (1.0, 40)];

/// Runs the cascade on `img`.
pub(crate) fn run(img: &Luma, opts: &ReadOptions) -> Result<Vec<QrCode>, ReadError> {
    // Bound the working memory (summed-area tables take 4 bytes a pixel): frames above 4K UHD are
    // read at a reduced size. Codes in such photos are large; corners are mapped back.
    let f = (1..=16)
        .find(|f| (img.width / f) * (img.height / f) <= MAX_WORK_PIXELS)
        .unwrap_or(16);
    if f == 1 {
        return run_at_size(img, opts);
    }
    let small = image_ops::downscale(img, f);
    let scale = f as f32;
    match run_at_size(&small, opts) {
        Ok(mut codes) => {
            for c in &mut codes {
                c.corners = c.corners.map(|(x, y)| (x * scale, y * scale));
            }
            Ok(codes)
        }
        Err(ReadError::NoCode(NoCodeReason::CodeTooSmall { module_px })) => {
            Err(ReadError::NoCode(NoCodeReason::CodeTooSmall {
                module_px: module_px * scale,
            }))
        }
        Err(e) => Err(e),
    }
}

fn run_at_size(img: &Luma, opts: &ReadOptions) -> Result<Vec<QrCode>, ReadError> {
    let mut ev = Evidence::default();
    if img.width < 21 || img.height < 21 {
        return Err(ReadError::NoCode(diagnose(img, &ev)));
    }
    let try_pass =
        |ev: &mut Evidence, pass: Pass, bits: Option<&BitMatrix>, frame: Frame, harder: bool| {
            let attempt = decode_bits(bits?, harder);
            accept(pass, attempt, frame, opts, ev)
        };

    // Cheap passes on the whole frame: one binarization, several looks at it.
    let mut hybrid = image_ops::hybrid(img, image_ops::MIN_DYNAMIC_RANGE);
    if let Some(c) = try_pass(&mut ev, Pass::Hybrid, hybrid.as_ref(), IDENTITY, false) {
        return Ok(c);
    }
    // A dim or washed-out frame (narrow histogram, estimated from a 1/16 sample): zxing's minimum
    // block range scaled to the frame's own spread, the decision a contrast stretch followed by the
    // usual binarizer would make, without writing a stretched copy.
    let spread = image_ops::sampled_spread(img);
    if spread < LOW_SPREAD {
        let low_range = (image_ops::MIN_DYNAMIC_RANGE * u32::from(spread) / 255).max(2);
        let bits = image_ops::hybrid(img, low_range);
        if let Some(c) = try_pass(&mut ev, Pass::LowContrast, bits.as_ref(), IDENTITY, false) {
            return Ok(c);
        }
    }
    if let Some(c) = try_pass(&mut ev, Pass::Thorough, hybrid.as_ref(), IDENTITY, true) {
        return Ok(c);
    }
    if let Some(b) = hybrid.as_mut() {
        b.flip_self();
    }
    if let Some(c) = try_pass(&mut ev, Pass::Inverted, hybrid.as_ref(), IDENTITY, false) {
        return Ok(c);
    }
    if !opts.try_harder {
        return Err(ReadError::NoCode(diagnose(img, &ev)));
    }

    // Whole-frame retries with other binarizations.
    let stretched = image_ops::stretch(img);
    let r = (img.width.min(img.height) / 40).clamp(8, 40);
    let local = image_ops::local_mean(&stretched, r, 8);
    if let Some(c) = try_pass(&mut ev, Pass::LocalMean, local.as_ref(), IDENTITY, false) {
        return Ok(c);
    }
    if let Some(c) = try_pass(
        &mut ev,
        Pass::Global,
        image_ops::otsu(img).as_ref(),
        IDENTITY,
        false,
    ) {
        return Ok(c);
    }
    let denoised = image_ops::box_blur(img, 1);
    let bits = image_ops::hybrid(&denoised, image_ops::MIN_DYNAMIC_RANGE);
    if let Some(c) = try_pass(&mut ev, Pass::Denoised, bits.as_ref(), IDENTITY, false) {
        return Ok(c);
    }
    if img.width >= 400 && img.height >= 400 {
        let half = image_ops::downscale(img, 2);
        let frame = Frame {
            scale: 2.0,
            offset: (0.0, 0.0),
        };
        let bits = image_ops::hybrid(&half, image_ops::MIN_DYNAMIC_RANGE);
        if let Some(c) = try_pass(&mut ev, Pass::HalfScale, bits.as_ref(), frame, false) {
            return Ok(c);
        }
    }

    // Focused retries on crops around finder patterns seen so far, then around textured areas.
    // Order: clusters of three or more finder patterns (a located code), then textured areas (cards,
    // codes whose finder patterns were not seen), then the strongest cluster of one or two patterns
    // (a code whose other finder patterns are covered or smeared).
    let (mut regions, lone): (Vec<_>, Vec<_>) =
        region::around_patterns(&ev.patterns, img.width, img.height)
            .into_iter()
            .partition(|r| r.2 >= 3);
    // A textured area is worth the region passes when it is small (a code too small for its finder
    // patterns to be seen) or holds a finder pattern; large pattern-free areas are text and
    // pictures, and skipping them keeps frames without a code cheap.
    let worth = |t: &region::Region| {
        t.0.w.max(t.0.h) <= SMALL_TEXTURE_PX
            || ev.patterns.iter().any(|&(x, y, _)| t.0.contains(x, y))
    };
    for t in region::textured(&img.data, img.width, img.height)
        .into_iter()
        .filter(worth)
        .chain(lone.into_iter().take(1))
    {
        if !regions.iter().any(|r| r.0.overlap(&t.0) > 0.8) {
            regions.push(t);
        }
    }
    for (rect, module, _) in regions.into_iter().take(MAX_REGIONS) {
        // Without finder patterns, assume the region is a card about 150 modules wide.
        let guess = module.unwrap_or((rect.w.max(rect.h) as f32 / 150.0).clamp(1.0, 8.0));
        let mut f: usize = if guess < 2.2 {
            3
        } else if guess < 3.5 {
            2
        } else {
            1
        };
        while f > 1 && rect.w * rect.h * f * f > MAX_REGION_PIXELS {
            f -= 1;
        }
        if rect.w * rect.h * f * f > MAX_REGION_PIXELS {
            continue;
        }
        let crop = image_ops::crop_upscale(img, rect.x, rect.y, rect.w, rect.h, f);
        let frame = Frame {
            scale: 1.0 / f as f32,
            offset: (rect.x as f32, rect.y as f32),
        };
        let m = guess * f as f32;
        let bits = image_ops::hybrid(&crop, image_ops::MIN_DYNAMIC_RANGE);
        if let Some(c) = try_pass(&mut ev, Pass::RegionHybrid, bits.as_ref(), frame, true) {
            return Ok(c);
        }
        if let Some(c) = try_pass(
            &mut ev,
            Pass::RegionGlobal,
            image_ops::otsu(&crop).as_ref(),
            frame,
            true,
        ) {
            return Ok(c);
        }
        for k in [3.0, 6.0] {
            let r = ((k * m) as usize).max(2);
            let bits = image_ops::local_mean(&crop, r, 0);
            if let Some(c) = try_pass(&mut ev, Pass::RegionLocal, bits.as_ref(), frame, true) {
                return Ok(c);
            }
        }
        for (radius, amount) in SHARPEN {
            let sharp = image_ops::sharpen(&crop, ((radius * m) as usize).max(1), amount);
            for bits in [
                image_ops::otsu(&sharp),
                image_ops::local_mean(&sharp, ((4.0 * m) as usize).max(2), 0),
            ] {
                if let Some(c) =
                    try_pass(&mut ev, Pass::RegionSharpened, bits.as_ref(), frame, true)
                {
                    return Ok(c);
                }
            }
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
    if let Some(m) = attempt.failed_module_px {
        let m = m * frame.scale;
        ev.located_module_px = Some(ev.located_module_px.map_or(m, |e| e.max(m)));
    }
    if let Some(m) = attempt.module_px {
        let m = m * frame.scale;
        ev.module_px = Some(ev.module_px.map_or(m, |e| e.min(m)));
    }
    // Finder patterns from whole-frame passes seed the region passes (capped: noise can produce many).
    if frame.offset == (0.0, 0.0) && ev.patterns.len() < 64 {
        ev.patterns.extend(
            attempt
                .patterns
                .iter()
                .take(64)
                .map(|&(x, y, m)| (x * frame.scale, y * frame.scale, m * frame.scale)),
        );
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
