//! The QR engine: finder-pattern detection, sampling and Reed–Solomon decoding of a binary image,
//! delegated to rxing's port of zxing-cpp's QR reader.

use std::panic::{catch_unwind, AssertUnwindSafe};

use rxing::common::{BitMatrix, DetectorRXingResult};
use rxing::qrcode::cpp_port::{
    decoder::Decode,
    detector::{FindFinderPatterns, GenerateFinderPatternSets, SampleQR},
};

use crate::EcLevel;

/// A code decoded from one binary image, in that image's coordinates.
#[derive(Debug, Clone)]
pub(crate) struct Decoded {
    pub text: String,
    pub corners: [(f32, f32); 4],
    pub ec_level: EcLevel,
    pub version: u8,
}

/// What one engine run on one binary image found.
#[derive(Debug, Default)]
pub(crate) struct Attempt {
    /// Codes whose data Reed–Solomon decoding accepted.
    pub decoded: Vec<Decoded>,
    /// Number of plausible finder-pattern triples (code candidates) that did not decode.
    pub located_but_failed: usize,
    /// Module size (px) of the last located candidate that failed to decode.
    pub failed_module_px: Option<f32>,
    /// Median finder-pattern module size over all candidates, in pixels, if any were found.
    pub module_px: Option<f32>,
    /// Every finder pattern found: centre x, centre y, module size, in pixels of the binary image.
    pub patterns: Vec<(f32, f32, f32)>,
}

/// Runs detection and decoding on `bits`. `try_harder` scans every row for finder patterns instead
/// of a sparse subset.
pub(crate) fn decode_bits(bits: &BitMatrix, try_harder: bool) -> Attempt {
    // Last line of defence: rxing is a third-party engine operating on attacker-controlled pixels.
    // We have not seen it panic on our corpus, but a panic inside it must become "nothing found",
    // never a crash of the caller. (On wasm32 with panic=abort this cannot catch; it still compiles.)
    catch_unwind(AssertUnwindSafe(|| decode_bits_inner(bits, try_harder))).unwrap_or_default()
}

/// Drives rxing's detector and decoder directly rather than through its `Reader` trait: that gives
/// us the symbol size (hence the version) and per-candidate failures, and it never builds an
/// `RXingResult`, whose timestamp (`chrono::Utc::now`) would panic on wasm32-unknown-unknown.
fn decode_bits_inner(bits: &BitMatrix, try_harder: bool) -> Attempt {
    let mut attempt = Attempt::default();
    let mut patterns = FindFinderPatterns(bits, try_harder);
    if patterns.is_empty() {
        return attempt;
    }
    attempt.patterns = patterns
        .iter()
        .map(|p| (p.p.x, p.p.y, p.size as f32 / 7.0))
        .collect();
    let mut sizes: Vec<f32> = attempt.patterns.iter().map(|p| p.2).collect();
    sizes.sort_by(f32::total_cmp);
    attempt.module_px = sizes.get(sizes.len() / 2).copied();

    let sets = GenerateFinderPatternSets(&mut patterns);
    let mut used = Vec::new();
    for set in sets {
        if used.contains(&set.bl) || used.contains(&set.tl) || used.contains(&set.tr) {
            continue;
        }
        let Ok(detected) = SampleQR(bits, &set) else {
            continue;
        };
        let dim = detected.getBits().width();
        let set_module = (set.bl.size + set.tl.size + set.tr.size) as f32 / 21.0;
        let Ok(result) = Decode(detected.getBits()) else {
            attempt.located_but_failed += 1;
            attempt.failed_module_px = Some(set_module);
            continue;
        };
        // `Decode` only returns Ok after Reed–Solomon accepted every block; `isValid` additionally
        // rejects results with a recorded decoding error.
        if !result.isValid() {
            attempt.located_but_failed += 1;
            attempt.failed_module_px = Some(set_module);
            continue;
        }
        let Some(ec_level) = EcLevel::parse(result.ecLevel()) else {
            attempt.located_but_failed += 1;
            attempt.failed_module_px = Some(set_module);
            continue;
        };
        let points = detected.getPoints();
        if points.len() < 4 || !(21..=177).contains(&dim) {
            attempt.located_but_failed += 1;
            attempt.failed_module_px = Some(set_module);
            continue;
        }
        used.extend([set.bl, set.tl, set.tr]);
        attempt.decoded.push(Decoded {
            text: result.text(),
            corners: [0, 1, 2, 3].map(|i| (points[i].x, points[i].y)),
            ec_level,
            // 21..=177 checked above, so (dim - 17) / 4 is in 1..=40.
            version: ((dim - 17) / 4) as u8,
        });
    }
    attempt
}
