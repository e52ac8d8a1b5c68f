//! Explaining why no code came out of an image: size, darkness, contrast, blur, module size.

use crate::image_ops::{histogram, laplacian_variance, percentile, Luma};
use crate::{region, NoCodeReason};

/// Smallest side that can hold a version-1 code (21 modules) at 1.5 px per module with a quiet zone.
const MIN_SIDE: usize = 36;
/// Below this module size (px) sampling is unreliable.
const MIN_MODULE_PX: f32 = 1.5;

/// Facts gathered while the cascade ran.
#[derive(Debug, Default)]
pub(crate) struct Evidence {
    /// Some candidate was located (finder patterns sampled) but failed error correction.
    pub located: bool,
    /// Smallest median finder-pattern module size seen by any pass, scaled to input pixels (only
    /// used to tell that something finder-like was seen).
    pub module_px: Option<f32>,
    /// Largest module size of a located candidate that failed error correction, input pixels.
    pub located_module_px: Option<f32>,
    /// Some code decoded but was rejected by the alphanumeric filter.
    pub rejected_alphanumeric: bool,
    /// Finder patterns seen by whole-frame passes: centre x, y and module size, input pixels.
    pub patterns: Vec<(f32, f32, f32)>,
}

/// The first reason that applies, in the order of [`NoCodeReason`].
pub(crate) fn diagnose(img: &Luma, ev: &Evidence) -> NoCodeReason {
    if img.width < MIN_SIDE || img.height < MIN_SIDE {
        return NoCodeReason::ImageTooSmall {
            width: img.width as u32,
            height: img.height as u32,
        };
    }
    if ev.rejected_alphanumeric {
        return NoCodeReason::NotAlphanumeric;
    }
    // Only trust a module size measured on something code-like: a located candidate, or a cluster
    // of at least three finder patterns. Lone finder-like patterns in text or noise are often tiny.
    let cluster_module = || {
        region::around_patterns(&ev.patterns, img.width, img.height)
            .into_iter()
            .find(|r| r.2 >= 3)
            .and_then(|r| r.1)
    };
    if let Some(m) = ev
        .located_module_px
        .or_else(cluster_module)
        .filter(|&m| m < MIN_MODULE_PX)
    {
        return NoCodeReason::CodeTooSmall { module_px: m };
    }
    let hist = histogram(&img.data);
    let total: u64 = hist.iter().sum();
    let mean = hist
        .iter()
        .enumerate()
        .map(|(i, &c)| i as f64 * c as f64)
        .sum::<f64>()
        / total as f64;
    if mean < 35.0 {
        return NoCodeReason::TooDark {
            mean_luma: mean as f32,
        };
    }
    let spread = percentile(&hist, 95).saturating_sub(percentile(&hist, 5));
    // With finder patterns found the contrast was evidently enough to see them.
    if spread < 24 && ev.module_px.is_none() {
        return NoCodeReason::LowContrast { spread };
    }
    if ev.located {
        return NoCodeReason::Unreadable;
    }
    let lv = laplacian_variance(img);
    if lv < 12.0 {
        return NoCodeReason::TooBlurry {
            laplacian_variance: lv,
        };
    }
    NoCodeReason::NotFound
}
