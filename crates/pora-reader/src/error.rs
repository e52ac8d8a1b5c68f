//! Typed errors and "no code found" diagnoses returned by the reader.

use thiserror::Error;

/// Why reading an image failed. Every variant is something a caller can act on; no variant carries
/// a free-form message that a caller would have to parse.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The input has zero bytes, or a frame has zero width or height.
    #[error("the image is empty")]
    Empty,
    /// The bytes are not in a format this reader recognises (PNG, JPEG, WebP).
    #[error("not a PNG, JPEG or WebP image")]
    NotAnImage,
    /// The format is recognised but a variant of it is not supported (e.g. a PNG colour type).
    #[error("unsupported {format} image")]
    Unsupported {
        /// The detected container format, e.g. `"png"`.
        format: &'static str,
    },
    /// The image ends before its data is complete.
    #[error("truncated {format} image")]
    Truncated {
        /// The detected container format, e.g. `"png"`.
        format: &'static str,
    },
    /// The image data is malformed.
    #[error("corrupt {format} image")]
    Corrupt {
        /// The detected container format, e.g. `"png"`.
        format: &'static str,
    },
    /// The image claims dimensions above the configured limits (decompression-bomb guard); it was
    /// rejected before any pixel buffer was allocated.
    #[error("image of {width}x{height} exceeds the limit of {max_width}x{max_height} / {max_bytes} bytes")]
    TooLarge {
        /// Width claimed by the image header or passed by the caller.
        width: u32,
        /// Height claimed by the image header or passed by the caller.
        height: u32,
        /// Configured maximum width.
        max_width: u32,
        /// Configured maximum height.
        max_height: u32,
        /// Configured maximum decoded size in bytes.
        max_bytes: u64,
    },
    /// A raw frame's buffer length does not match `width * height * channels`.
    #[error("frame buffer has {actual} bytes, expected {expected}")]
    BadFrameLength {
        /// `width * height * channels`.
        expected: u64,
        /// Length of the buffer passed in.
        actual: usize,
    },
    /// The image was decoded, but no QR code could be read from it.
    #[error("no QR code found: {0}")]
    NoCode(NoCodeReason),
}

/// The reader's best guess at why no QR code came out of a valid image. Checked in the order listed;
/// the first that applies is reported.
#[derive(Debug, Clone, Copy, PartialEq, Error)]
#[non_exhaustive]
pub enum NoCodeReason {
    /// The image is smaller than the smallest readable QR code (21 modules at 1 px each plus quiet zone).
    #[error("image of {width}x{height} is too small to hold a QR code")]
    ImageTooSmall {
        /// Image width in pixels.
        width: u32,
        /// Image height in pixels.
        height: u32,
    },
    /// Finder patterns were found but their modules are too small to sample reliably.
    #[error("code too small: about {module_px:.1} px per module, need at least 1.5")]
    CodeTooSmall {
        /// Estimated module size in pixels.
        module_px: f32,
    },
    /// The image is too dark to separate dark from light modules.
    #[error("image too dark (mean luminance {mean_luma:.0} of 255)")]
    TooDark {
        /// Mean luminance, 0..=255.
        mean_luma: f32,
    },
    /// The spread between dark and light pixels is too small.
    #[error("contrast too low (5-95 percentile spread {spread} of 255)")]
    LowContrast {
        /// Difference between the 95th and 5th luminance percentile.
        spread: u8,
    },
    /// The image is too blurry (low variance of the Laplacian).
    #[error("image too blurry (variance of Laplacian {laplacian_variance:.1})")]
    TooBlurry {
        /// Variance of the 3x3 Laplacian over the image.
        laplacian_variance: f32,
    },
    /// A code was located (finder patterns found and sampled) but its data could not be
    /// error-corrected: damaged, covered, or too distorted. Nothing is returned rather than a guess.
    #[error("a code was located but could not be error-corrected (damaged, covered or distorted)")]
    Unreadable,
    /// Text was decoded but rejected by [`crate::ReadOptions::require_alphanumeric`].
    #[error("a code was decoded but its text is not QR-alphanumeric as required")]
    NotAlphanumeric,
    /// Nothing that looks like a QR code was found, and the image shows no obvious defect.
    #[error("nothing that looks like a readable QR code was found")]
    NotFound,
}

impl ReadError {
    /// Stable machine code (for logs, the CLI and the browser), one per variant; a `NoCode` error
    /// reports its reason's code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::NotAnImage => "not_an_image",
            Self::Unsupported { .. } => "unsupported",
            Self::Truncated { .. } => "truncated",
            Self::Corrupt { .. } => "corrupt",
            Self::TooLarge { .. } => "too_large",
            Self::BadFrameLength { .. } => "bad_frame_length",
            Self::NoCode(reason) => reason.code(),
        }
    }
}

impl NoCodeReason {
    /// Stable machine code, one per variant.
    pub fn code(&self) -> &'static str {
        match self {
            Self::ImageTooSmall { .. } => "image_too_small",
            Self::CodeTooSmall { .. } => "code_too_small",
            Self::TooDark { .. } => "too_dark",
            Self::LowContrast { .. } => "low_contrast",
            Self::TooBlurry { .. } => "too_blurry",
            Self::Unreadable => "unreadable",
            Self::NotAlphanumeric => "not_alphanumeric",
            Self::NotFound => "not_found",
        }
    }
}
