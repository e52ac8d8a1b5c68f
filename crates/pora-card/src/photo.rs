//! The holder's photo: decodes JPEG or PNG bytes and crops/scales them to the photo box.

use std::io::Cursor;

use crate::error::PhotoError;

/// Largest accepted photo side in pixels (decoding cost and memory stay bounded).
pub(crate) const MAX_SIDE: u32 = 4096;

/// A decoded RGB image, 8 bits per channel, no alpha (transparency is composited on white).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Photo {
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) rgb: Vec<u8>,
}

impl Photo {
    /// Decodes JPEG or PNG bytes, told apart by their signatures.
    pub(crate) fn decode(bytes: &[u8]) -> Result<Self, PhotoError> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            decode_jpeg(bytes)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            decode_png(bytes)
        } else {
            Err(PhotoError::UnknownFormat)
        }
    }

    /// Crops the centre to the aspect ratio `w:h` (cutting more from the bottom than the top, as
    /// portraits have the face in the upper part) and scales down by area averaging so that the
    /// result is at most `max_h` pixels high.
    pub(crate) fn cover(&self, w: f32, h: f32, max_h: u32) -> Photo {
        let target = w / h;
        let (sw, sh) = (self.width as f32, self.height as f32);
        let (cw, ch) = if sw / sh > target {
            (sh * target, sh)
        } else {
            (sw, sw / target)
        };
        let cx0 = ((sw - cw) / 2.0).max(0.0);
        let cy0 = ((sh - ch) * 0.3).max(0.0);
        let out_h = (ch.round() as u32).clamp(1, max_h.max(1));
        let out_w = ((out_h as f32 * target).round() as u32).max(1);
        let mut rgb = Vec::with_capacity(out_w as usize * out_h as usize * 3);
        let fx = cw / out_w as f32;
        let fy = ch / out_h as f32;
        for oy in 0..out_h {
            let y0 = cy0 + oy as f32 * fy;
            let (ya, yb) = (
                y0.floor() as u32,
                ((y0 + fy).ceil() as u32).min(self.height),
            );
            for ox in 0..out_w {
                let x0 = cx0 + ox as f32 * fx;
                let (xa, xb) = (x0.floor() as u32, ((x0 + fx).ceil() as u32).min(self.width));
                let mut sum = [0u32; 3];
                let mut n = 0u32;
                for y in ya..yb.max(ya + 1).min(self.height) {
                    for x in xa..xb.max(xa + 1).min(self.width) {
                        let i = (y as usize * self.width as usize + x as usize) * 3;
                        for (s, v) in sum.iter_mut().zip(&self.rgb[i..i + 3]) {
                            *s += u32::from(*v);
                        }
                        n += 1;
                    }
                }
                let n = n.max(1);
                // Each average of u8 values is at most 255.
                rgb.extend(sum.map(|s| (s / n) as u8));
            }
        }
        Photo {
            width: out_w,
            height: out_h,
            rgb,
        }
    }
}

fn check_dimensions(width: u32, height: u32) -> Result<(), PhotoError> {
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(PhotoError::BadDimensions {
            width,
            height,
            max: MAX_SIDE,
        });
    }
    Ok(())
}

fn decode_jpeg(bytes: &[u8]) -> Result<Photo, PhotoError> {
    use zune_core::bytestream::ZCursor;
    use zune_core::colorspace::ColorSpace;
    use zune_core::options::DecoderOptions;

    let corrupt = |e: &dyn std::fmt::Display| PhotoError::Corrupt {
        format: "JPEG",
        detail: e.to_string(),
    };
    let options = DecoderOptions::default().jpeg_set_out_colorspace(ColorSpace::RGB);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    decoder.decode_headers().map_err(|e| corrupt(&e))?;
    let (width, height) = decoder
        .info()
        .map(|i| (u32::from(i.width), u32::from(i.height)))
        .unwrap_or((0, 0));
    check_dimensions(width, height)?;
    let rgb = decoder.decode().map_err(|e| corrupt(&e))?;
    if rgb.len() != width as usize * height as usize * 3 {
        return Err(PhotoError::Corrupt {
            format: "JPEG",
            detail: "unexpected output size".into(),
        });
    }
    Ok(Photo { width, height, rgb })
}

fn decode_png(bytes: &[u8]) -> Result<Photo, PhotoError> {
    let corrupt = |e: png::DecodingError| PhotoError::Corrupt {
        format: "PNG",
        detail: e.to_string(),
    };
    let mut decoder = png::Decoder::new(Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(corrupt)?;
    let (width, height) = (reader.info().width, reader.info().height);
    check_dimensions(width, height)?;
    let size = reader
        .output_buffer_size()
        .ok_or(PhotoError::BadDimensions {
            width,
            height,
            max: MAX_SIDE,
        })?;
    let mut buf = vec![0; size];
    let info = reader.next_frame(&mut buf).map_err(corrupt)?;
    let buf = &buf[..info.buffer_size()];
    let px = width as usize * height as usize;
    let over_white =
        |c: u8, a: u8| ((u32::from(c) * u32::from(a) + 255 * (255 - u32::from(a))) / 255) as u8;
    let rgb: Vec<u8> = match info.color_type {
        png::ColorType::Rgb => buf.to_vec(),
        png::ColorType::Rgba => buf
            .chunks_exact(4)
            .flat_map(|p| {
                [
                    over_white(p[0], p[3]),
                    over_white(p[1], p[3]),
                    over_white(p[2], p[3]),
                ]
            })
            .collect(),
        png::ColorType::Grayscale => buf.iter().flat_map(|&g| [g, g, g]).collect(),
        png::ColorType::GrayscaleAlpha => buf
            .chunks_exact(2)
            .flat_map(|p| [over_white(p[0], p[1]); 3])
            .collect(),
        // EXPAND turns palette images into RGB(A), so this arm is not reached for valid files.
        png::ColorType::Indexed => Vec::new(),
    };
    if rgb.len() != px * 3 {
        return Err(PhotoError::Corrupt {
            format: "PNG",
            detail: "unexpected pixel layout".into(),
        });
    }
    Ok(Photo { width, height, rgb })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_garbage() {
        assert_eq!(Photo::decode(b"GIF89a..."), Err(PhotoError::UnknownFormat));
        assert!(matches!(
            Photo::decode(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]),
            Err(PhotoError::Corrupt { format: "JPEG", .. })
        ));
        assert!(matches!(
            Photo::decode(b"\x89PNG\r\n\x1a\nnot really"),
            Err(PhotoError::Corrupt { format: "PNG", .. })
        ));
    }

    #[test]
    fn cover_crops_to_aspect() {
        let p = Photo {
            width: 400,
            height: 200,
            rgb: vec![128; 400 * 200 * 3],
        };
        let c = p.cover(3.0, 4.0, 100);
        assert_eq!((c.width, c.height), (75, 100));
        assert!(c.rgb.iter().all(|&v| v == 128));
    }
}
