//! Reads QR codes from photos and camera frames: PNG, JPEG, WebP bytes or raw grey / RGBA frames in,
//! every decoded code with its text, corner points, error-correction level and version out.
//!
//! The engine is pure Rust (rxing's port of zxing-cpp's QR detector and decoder) behind a cascade of
//! cheap-to-expensive preprocessing passes (see [`Pass`]) that stops at the first pass that decodes.
//! Nothing is returned unless Reed–Solomon error correction accepted every block of the code, so a
//! damaged code yields [`ReadError::NoCode`], never a wrong text.
//!
//! Untrusted input: image dimensions are checked against [`ReadOptions`] limits before any pixel
//! buffer is allocated, and every failure is a typed [`ReadError`]. [`read_image`] is the fuzz entry.
//!
//! ```no_run
//! use pora_reader::{read_image, ReadError, ReadOptions};
//!
//! let photo = std::fs::read("permit.jpg").expect("readable file");
//! let opts = ReadOptions::default().with_require_alphanumeric(true);
//! match read_image(&photo, &opts) {
//!     Ok(codes) => {
//!         for code in codes {
//!             println!("v{} {:?} at {:?}: {}", code.version, code.ec_level, code.corners, code.text);
//!         }
//!     }
//!     // Tell the officer what to change: "move closer", "more light", "hold still"...
//!     Err(ReadError::NoCode(why)) => println!("no code ({}): {why}", why.code()),
//!     Err(e) => println!("not a usable image ({}): {e}", e.code()),
//! }
//! ```

#![forbid(unsafe_code)]

mod cascade;
mod diagnose;
mod engine;
mod error;
mod image_ops;
mod load;
mod region;

pub use cascade::Pass;
pub use error::{NoCodeReason, ReadError};

use image_ops::Luma;

/// QR error-correction level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EcLevel {
    /// About 7 % of codewords can be restored.
    L,
    /// About 15 %.
    M,
    /// About 25 %.
    Q,
    /// About 30 %.
    H,
}

impl EcLevel {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "L" => Some(Self::L),
            "M" => Some(Self::M),
            "Q" => Some(Self::Q),
            "H" => Some(Self::H),
            _ => None,
        }
    }

    /// The level's one-letter name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::L => "L",
            Self::M => "M",
            Self::Q => "Q",
            Self::H => "H",
        }
    }
}

/// One decoded QR code.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct QrCode {
    /// The decoded text.
    pub text: String,
    /// Corner points in input-image pixel coordinates: top-left, top-right, bottom-right,
    /// bottom-left of the symbol as printed (so the order tells the code's orientation). For encoded
    /// images these are coordinates of the stored pixel grid: EXIF orientation is not applied.
    pub corners: [(f32, f32); 4],
    /// Error-correction level from the code's format information.
    pub ec_level: EcLevel,
    /// Symbol version, 1..=40.
    pub version: u8,
    /// The cascade pass that decoded it (diagnostics and benchmarks).
    pub pass: Pass,
}

/// Options for a read. `ReadOptions::default()` suits a phone camera.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReadOptions {
    /// Run the full preprocessing cascade when the first pass finds nothing (default `true`).
    /// With `false` only the fast first passes run.
    pub try_harder: bool,
    /// Only accept codes whose text consists of the QR alphanumeric set `0-9A-Z $%*+-./:` (the set
    /// our permit payloads use). A code that decodes to other text is dropped. Default `false`.
    pub require_alphanumeric: bool,
    /// Stop after this many codes (default 8).
    pub max_codes: usize,
    /// Largest accepted width in pixels (default 8192).
    pub max_width: u32,
    /// Largest accepted height in pixels (default 8192).
    pub max_height: u32,
    /// Largest decoded image in bytes (default 64 MiB), the decompression-bomb guard.
    pub max_bytes: u64,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            try_harder: true,
            require_alphanumeric: false,
            max_codes: 8,
            max_width: 8192,
            max_height: 8192,
            max_bytes: 64 * 1024 * 1024,
        }
    }
}

impl ReadOptions {
    /// Sets [`ReadOptions::try_harder`].
    pub fn with_try_harder(mut self, on: bool) -> Self {
        self.try_harder = on;
        self
    }

    /// Sets [`ReadOptions::require_alphanumeric`].
    pub fn with_require_alphanumeric(mut self, on: bool) -> Self {
        self.require_alphanumeric = on;
        self
    }
}

/// Reads every QR code in a PNG, JPEG or WebP image. Never panics on any input (this is the fuzz
/// entry point). `Ok` always holds at least one code; no code is `Err(ReadError::NoCode(reason))`.
pub fn read_image(bytes: &[u8], opts: &ReadOptions) -> Result<Vec<QrCode>, ReadError> {
    let img = load::decode(bytes, opts)?;
    cascade::run(&img, opts)
}

/// Reads every QR code in a raw 8-bit greyscale frame (`pixels.len() == width * height`).
pub fn read_luma(
    width: u32,
    height: u32,
    pixels: &[u8],
    opts: &ReadOptions,
) -> Result<Vec<QrCode>, ReadError> {
    load::check_frame(width, height, 1, pixels.len(), opts)?;
    let img = Luma::new(width as usize, height as usize, pixels);
    cascade::run(&img, opts)
}

/// Reads every QR code in a raw RGBA8 frame (`pixels.len() == width * height * 4`), as delivered by
/// a browser canvas or most camera APIs. Alpha is ignored.
pub fn read_rgba(
    width: u32,
    height: u32,
    pixels: &[u8],
    opts: &ReadOptions,
) -> Result<Vec<QrCode>, ReadError> {
    load::check_frame(width, height, 4, pixels.len(), opts)?;
    let img = Luma::new(width as usize, height as usize, load::rgba_to_luma(pixels));
    cascade::run(&img, opts)
}

/// True if every character is in the QR alphanumeric set `0-9A-Z $%*+-./:`.
pub fn is_qr_alphanumeric(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase() || b" $%*+-./:".contains(&b))
}
