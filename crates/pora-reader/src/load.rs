//! Turning untrusted bytes or raw frames into a bounded greyscale buffer.

use std::io::Cursor;

use image::{ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};

use crate::{Luma, ReadError, ReadOptions};

/// Decodes PNG, JPEG or WebP bytes into luminance, enforcing `opts` limits before allocating.
pub(crate) fn decode(bytes: &[u8], opts: &ReadOptions) -> Result<Luma<'static>, ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| ReadError::NotAnImage)?;
    let format = match reader.format() {
        Some(f @ (ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP)) => f,
        _ => return Err(ReadError::NotAnImage),
    };
    let name = format_name(format);
    // Check the dimensions the header claims before any decoder allocates anything.
    if let Some((w, h)) = claimed_dimensions(bytes, format) {
        check_dimensions(w, h, 4, opts)?;
    }
    if format == ImageFormat::Jpeg {
        // The JPEG decoder fills a cut-off scan with grey instead of failing; say what happened.
        if !jpeg_has_end(bytes) {
            return Err(ReadError::Truncated { format: name });
        }
        return decode_jpeg_luma(bytes, opts);
    }
    reader.limits(limits(opts));
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| map_image_error(e, name, (0, 0), opts))?;
    let (width, height) = decoder.dimensions();
    check_dimensions(width, height, 4, opts)?;
    let map = |e| map_image_error(e, name, (width, height), opts);
    decoder.set_limits(limits(opts)).map_err(map)?;
    let img = image::DynamicImage::from_decoder(decoder).map_err(map)?;
    let grey = img.into_luma8();
    let (w, h) = grey.dimensions();
    Ok(Luma::new(w as usize, h as usize, grey.into_raw()))
}

/// Decodes only the luminance of a JPEG (no chroma upsampling, no colour conversion): the reader
/// needs nothing else, and this is about half the work of a full RGB decode.
fn decode_jpeg_luma(bytes: &[u8], opts: &ReadOptions) -> Result<Luma<'static>, ReadError> {
    use zune_core::{bytestream::ZCursor, colorspace::ColorSpace, options::DecoderOptions};
    use zune_jpeg::{errors::DecodeErrors, JpegDecoder};

    let options = DecoderOptions::default()
        .set_max_width(opts.max_width as usize)
        .set_max_height(opts.max_height as usize)
        .jpeg_set_out_colorspace(ColorSpace::Luma);
    let mut decoder = JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    let corrupt = |e: DecodeErrors| match e {
        DecodeErrors::ExhaustedData => ReadError::Truncated { format: "jpeg" },
        DecodeErrors::Unsupported(_) => ReadError::Unsupported { format: "jpeg" },
        _ => ReadError::Corrupt { format: "jpeg" },
    };
    decoder.decode_headers().map_err(corrupt)?;
    let (w, h) = decoder
        .dimensions()
        .ok_or(ReadError::Corrupt { format: "jpeg" })?;
    let (w32, h32) = (
        u32::try_from(w).map_err(|_| ReadError::Corrupt { format: "jpeg" })?,
        u32::try_from(h).map_err(|_| ReadError::Corrupt { format: "jpeg" })?,
    );
    check_dimensions(w32, h32, 1, opts)?;
    let pixels = decoder.decode().map_err(corrupt)?;
    if pixels.len() != w * h {
        return Err(ReadError::Corrupt { format: "jpeg" });
    }
    Ok(Luma::new(w, h, pixels))
}

fn limits(opts: &ReadOptions) -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(opts.max_width);
    limits.max_image_height = Some(opts.max_height);
    limits.max_alloc = Some(opts.max_bytes);
    limits
}

/// Width and height as claimed by the file header, read without decoding. `None` when the header is
/// too short or not understood (the decoder then reports the problem).
fn claimed_dimensions(b: &[u8], format: ImageFormat) -> Option<(u32, u32)> {
    let be32 = |i: usize| Some(u32::from_be_bytes(b.get(i..i + 4)?.try_into().ok()?));
    let be16 = |i: usize| {
        Some(u32::from(u16::from_be_bytes(
            b.get(i..i + 2)?.try_into().ok()?,
        )))
    };
    let le16 = |i: usize| {
        Some(u32::from(u16::from_le_bytes(
            b.get(i..i + 2)?.try_into().ok()?,
        )))
    };
    let le24 = |i: usize| {
        let s = b.get(i..i + 3)?;
        Some(u32::from(s[0]) | u32::from(s[1]) << 8 | u32::from(s[2]) << 16)
    };
    match format {
        // Signature (8), IHDR length (4), "IHDR" (4), width (4), height (4).
        ImageFormat::Png if b.get(12..16)? == b"IHDR" => Some((be32(16)?, be32(20)?)),
        ImageFormat::Jpeg => {
            // Walk the marker segments up to the first start-of-frame.
            let mut i = 2;
            while i + 4 <= b.len() {
                if b[i] != 0xFF {
                    return None;
                }
                let marker = b[i + 1];
                if marker == 0xFF {
                    i += 1;
                    continue;
                }
                let len = be16(i + 2)? as usize;
                let is_sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
                if is_sof {
                    return Some((be16(i + 7)?, be16(i + 5)?));
                }
                i += 2 + len;
            }
            None
        }
        ImageFormat::WebP => match b.get(12..16)? {
            b"VP8X" => Some((le24(24)? + 1, le24(27)? + 1)),
            b"VP8L" => {
                let v = u32::from_le_bytes(b.get(21..25)?.try_into().ok()?);
                Some(((v & 0x3FFF) + 1, ((v >> 14) & 0x3FFF) + 1))
            }
            b"VP8 " => Some((le16(26)? & 0x3FFF, le16(28)? & 0x3FFF)),
            _ => None,
        },
        _ => None,
    }
}

/// True if an end-of-image marker follows the first start-of-scan. Inside entropy-coded data a
/// 0xFF byte is always stuffed (0xFF00) or a restart marker, so 0xFFD9 after the scan starts is the
/// image's own end (an EXIF thumbnail's end marker sits earlier, in APP1).
fn jpeg_has_end(b: &[u8]) -> bool {
    let mut i = 2;
    while i + 4 <= b.len() {
        if b[i] != 0xFF {
            return false;
        }
        let marker = b[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([b[i + 2], b[i + 3]]));
        if marker == 0xDA {
            return b[i..].windows(2).any(|w| w == [0xFF, 0xD9]);
        }
        i += 2 + len;
    }
    false
}

/// Rejects zero and over-limit dimensions; `channels` is the bytes per pixel of the decoded buffer.
pub(crate) fn check_dimensions(
    width: u32,
    height: u32,
    channels: u64,
    opts: &ReadOptions,
) -> Result<(), ReadError> {
    if width == 0 || height == 0 {
        return Err(ReadError::Empty);
    }
    let bytes = u64::from(width) * u64::from(height) * channels;
    if width > opts.max_width || height > opts.max_height || bytes > opts.max_bytes {
        return Err(ReadError::TooLarge {
            width,
            height,
            max_width: opts.max_width,
            max_height: opts.max_height,
            max_bytes: opts.max_bytes,
        });
    }
    Ok(())
}

/// Validates a raw frame and returns its pixel count.
pub(crate) fn check_frame(
    width: u32,
    height: u32,
    channels: u64,
    len: usize,
    opts: &ReadOptions,
) -> Result<usize, ReadError> {
    check_dimensions(width, height, channels, opts)?;
    let expected = u64::from(width) * u64::from(height) * channels;
    if expected != len as u64 {
        return Err(ReadError::BadFrameLength {
            expected,
            actual: len,
        });
    }
    // Fits in usize: it equals `len`, a slice length.
    Ok(width as usize * height as usize)
}

/// Converts RGBA8 pixels to luminance (ITU-R BT.601 weights, integer arithmetic); alpha is ignored.
pub(crate) fn rgba_to_luma(rgba: &[u8]) -> Vec<u8> {
    rgba.chunks_exact(4)
        .map(|p| {
            let y = 77 * u32::from(p[0]) + 150 * u32::from(p[1]) + 29 * u32::from(p[2]);
            // 77 + 150 + 29 = 256, so y >> 8 <= 255.
            (y >> 8) as u8
        })
        .collect()
}

fn format_name(f: ImageFormat) -> &'static str {
    match f {
        ImageFormat::Png => "png",
        ImageFormat::Jpeg => "jpeg",
        ImageFormat::WebP => "webp",
        _ => "image",
    }
}

fn map_image_error(
    e: ImageError,
    format: &'static str,
    (width, height): (u32, u32),
    opts: &ReadOptions,
) -> ReadError {
    match e {
        ImageError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            ReadError::Truncated { format }
        }
        ImageError::Decoding(d) if looks_truncated(&d.to_string()) => {
            ReadError::Truncated { format }
        }
        ImageError::Limits(_) => ReadError::TooLarge {
            width,
            height,
            max_width: opts.max_width,
            max_height: opts.max_height,
            max_bytes: opts.max_bytes,
        },
        ImageError::Unsupported(_) => ReadError::Unsupported { format },
        _ => ReadError::Corrupt { format },
    }
}

/// Decoders report truncation in their own words; these are the ones used by `png`, `zune-jpeg`
/// and `image-webp`.
fn looks_truncated(msg: &str) -> bool {
    let m = msg.to_ascii_lowercase();
    [
        "eof",
        "end of file",
        "unexpected end",
        "truncated",
        "no more bytes",
        "not enough",
    ]
    .iter()
    .any(|k| m.contains(k))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(format: ImageFormat, w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbaImage::from_pixel(w, h, image::Rgba([200, 100, 50, 255]));
        let mut out = Vec::new();
        let img = if format == ImageFormat::Jpeg {
            image::DynamicImage::ImageRgb8(image::DynamicImage::ImageRgba8(img).into_rgb8())
        } else {
            image::DynamicImage::ImageRgba8(img)
        };
        img.write_to(&mut Cursor::new(&mut out), format)
            .expect("encode");
        out
    }

    #[test]
    fn header_dimensions_of_every_format() {
        for format in [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::WebP] {
            let bytes = encode(format, 123, 45);
            assert_eq!(
                claimed_dimensions(&bytes, format),
                Some((123, 45)),
                "{format:?}"
            );
        }
    }

    #[test]
    fn short_headers_give_no_dimensions() {
        for format in [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::WebP] {
            let bytes = encode(format, 10, 10);
            for cut in [0, 5, 12, 20] {
                // Never panics; a header too short to hold the size says nothing.
                let _ = claimed_dimensions(&bytes[..cut.min(bytes.len())], format);
            }
            assert_eq!(claimed_dimensions(&bytes[..4], format), None, "{format:?}");
        }
    }

    #[test]
    fn jpeg_end_marker_is_required() {
        let jpeg = encode(ImageFormat::Jpeg, 16, 16);
        assert!(jpeg_has_end(&jpeg));
        assert!(!jpeg_has_end(&jpeg[..jpeg.len() - 2]));
    }
}
