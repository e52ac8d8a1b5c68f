//! Integration tests: the fixed image set, untrusted-input handling, damaged codes, no panics.

use std::io::Cursor;
use std::path::Path;

use pora_reader::{
    read_image, read_luma, read_rgba, EcLevel, NoCodeReason, ReadError, ReadOptions,
};
use proptest::prelude::*;
use qrcode::{Color, QrCode, Version};

/// Fixed images the reader does not decode yet (each one is reported in docs/READER-BENCH.md).
/// A wrong text is never acceptable, for these or any other image.
const KNOWN_MISSES: &[&str] = &["motion-000.jpg"];

fn field<'a>(line: &'a str, name: &str) -> &'a str {
    let key = format!("\"{name}\":\"");
    let rest = &line[line.find(&key).expect("field present") + key.len()..];
    &rest[..rest.find('"').expect("closing quote")]
}

#[test]
fn fixed_images_decode_to_their_expected_text() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/images");
    let manifest = std::fs::read_to_string(dir.join("manifest.jsonl")).expect("manifest");
    let mut failures = Vec::new();
    let mut count = 0;
    for line in manifest.lines().filter(|l| !l.is_empty()) {
        count += 1;
        let (file, want) = (field(line, "file"), field(line, "text"));
        // Codes covered beyond what EC level M restores, and cards without a code: nothing (or the
        // right text) is fine.
        let beyond_ec = matches!(field(line, "class"), "damaged" | "no-code");
        let bytes = std::fs::read(dir.join(file)).expect("image file");
        match read_image(
            &bytes,
            &ReadOptions::default().with_require_alphanumeric(true),
        ) {
            Ok(codes) => {
                for c in &codes {
                    assert_eq!(c.text, want, "{file}: wrong text");
                    assert_eq!(c.version, 10, "{file}");
                    assert_eq!(c.ec_level, EcLevel::M, "{file}");
                }
            }
            Err(ReadError::NoCode(why)) => {
                if !KNOWN_MISSES.contains(&file) && !beyond_ec {
                    failures.push(format!("{file}: {why}"));
                }
            }
            Err(e) => panic!("{file}: {e}"),
        }
    }
    assert!(count >= 40, "manifest lists {count} images");
    assert!(failures.is_empty(), "not decoded: {failures:#?}");
}

/// Renders `text` as a QR code, `px` pixels per module, 4-module quiet zone, on a grey frame.
fn render(text: &str, version: i16, px: usize) -> (u32, u32, Vec<u8>, usize) {
    let code = QrCode::with_version(
        text.as_bytes(),
        Version::Normal(version),
        qrcode::EcLevel::M,
    )
    .expect("fits");
    let n = code.width();
    let colors = code.to_colors();
    let side = (n + 8) * px;
    let mut img = vec![230u8; side * side];
    for (i, c) in colors.iter().enumerate() {
        if *c == Color::Dark {
            let (mx, my) = (i % n + 4, i / n + 4);
            for y in my * px..(my + 1) * px {
                for x in mx * px..(mx + 1) * px {
                    img[y * side + x] = 25;
                }
            }
        }
    }
    (side as u32, side as u32, img, n)
}

const TEXT: &str = "PR1:6BFOXN*TS0BI$ZDFRH%-Q7OC.Q4AWE0KB5%EI4HB5F$T2GG0AR%";

#[test]
fn reads_a_clean_grey_frame_with_position_and_metadata() {
    let (w, h, px, _) = render(TEXT, 4, 6);
    let codes = read_luma(w, h, &px, &ReadOptions::default()).expect("decodes");
    assert_eq!(codes.len(), 1);
    let c = &codes[0];
    assert_eq!(c.text, TEXT);
    assert_eq!(c.version, 4);
    assert_eq!(c.ec_level, EcLevel::M);
    // Top-left corner of the symbol is at 4 modules (24 px) from the frame edge.
    let (x, y) = c.corners[0];
    assert!(
        (x - 24.0).abs() < 4.0 && (y - 24.0).abs() < 4.0,
        "corner {:?}",
        c.corners
    );
    let (x, y) = c.corners[2];
    let far = (w - 24) as f32;
    assert!(
        (x - far).abs() < 4.0 && (y - far).abs() < 4.0,
        "corner {:?}",
        c.corners
    );
}

#[test]
fn corners_follow_the_symbol_orientation() {
    let (w, h, px, _) = render(TEXT, 4, 6);
    let side = w as usize;
    // Rotate 90 degrees clockwise: the symbol's top-left corner moves to the image's top-right.
    let mut rot = vec![0u8; px.len()];
    for y in 0..side {
        for x in 0..side {
            rot[x * side + (side - 1 - y)] = px[y * side + x];
        }
    }
    let codes = read_luma(w, h, &rot, &ReadOptions::default()).expect("decodes");
    let [tl, tr, br, bl] = codes[0].corners;
    let near =
        |(x, y): (f32, f32), (ex, ey): (f32, f32)| (x - ex).abs() < 4.0 && (y - ey).abs() < 4.0;
    let (lo, hi) = (24.0, (w - 24) as f32);
    assert!(near(tl, (hi, lo)), "{:?}", codes[0].corners);
    assert!(near(tr, (hi, hi)), "{:?}", codes[0].corners);
    assert!(near(br, (lo, hi)), "{:?}", codes[0].corners);
    assert!(near(bl, (lo, lo)), "{:?}", codes[0].corners);
    let _ = h;
}

#[test]
fn reads_rgba_and_encoded_formats() {
    let (w, h, px, _) = render(TEXT, 4, 5);
    let rgba: Vec<u8> = px.iter().flat_map(|&v| [v, v, v, 255]).collect();
    let codes = read_rgba(w, h, &rgba, &ReadOptions::default()).expect("rgba decodes");
    assert_eq!(codes[0].text, TEXT);
    for format in [image::ImageFormat::Png, image::ImageFormat::Jpeg] {
        let img = image::GrayImage::from_raw(w, h, px.clone()).expect("sized");
        let mut bytes = Vec::new();
        img.write_to(&mut Cursor::new(&mut bytes), format)
            .expect("encode");
        let codes = read_image(&bytes, &ReadOptions::default()).expect("decodes");
        assert_eq!(codes[0].text, TEXT, "{format:?}");
    }
}

#[test]
fn reads_lossless_webp() {
    let (w, h, px, _) = render(TEXT, 4, 5);
    let rgba: Vec<u8> = px.iter().flat_map(|&v| [v, v, v, 255]).collect();
    let mut bytes = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut bytes)
        .encode(&rgba, w, h, image::ExtendedColorType::Rgba8)
        .expect("encode");
    let codes = read_image(&bytes, &ReadOptions::default()).expect("decodes");
    assert_eq!(codes[0].text, TEXT);
}

#[test]
fn reads_every_code_in_a_frame() {
    let (w, h, a, _) = render(TEXT, 4, 5);
    let (_, _, b, _) = render("PR1:SECOND CODE 42", 4, 5);
    let (w, h) = (w as usize, h as usize);
    // Side by side on one frame.
    let mut frame = vec![230u8; 2 * w * h];
    for y in 0..h {
        frame[y * 2 * w..y * 2 * w + w].copy_from_slice(&a[y * w..(y + 1) * w]);
        frame[y * 2 * w + w..(y + 1) * 2 * w].copy_from_slice(&b[y * w..(y + 1) * w]);
    }
    let codes =
        read_luma(2 * w as u32, h as u32, &frame, &ReadOptions::default()).expect("decodes");
    let mut texts: Vec<&str> = codes.iter().map(|c| c.text.as_str()).collect();
    texts.sort_unstable();
    assert_eq!(
        texts,
        [
            "PR1:6BFOXN*TS0BI$ZDFRH%-Q7OC.Q4AWE0KB5%EI4HB5F$T2GG0AR%",
            "PR1:SECOND CODE 42"
        ]
    );
}

#[test]
fn large_frames_are_read_at_reduced_size_with_full_size_corners() {
    let (cw, _, code, _) = render(TEXT, 4, 12);
    let cw = cw as usize;
    let (w, h) = (5000usize, 3000usize);
    let (x0, y0) = (3100usize, 1700usize);
    let mut frame = vec![200u8; w * h];
    for y in 0..cw {
        frame[(y0 + y) * w + x0..(y0 + y) * w + x0 + cw]
            .copy_from_slice(&code[y * cw..(y + 1) * cw]);
    }
    let codes = read_luma(w as u32, h as u32, &frame, &ReadOptions::default()).expect("decodes");
    let (x, y) = codes[0].corners[0];
    // The symbol starts 4 modules (48 px) into the rendered block.
    let (ex, ey) = ((x0 + 48) as f32, (y0 + 48) as f32);
    assert!(
        (x - ex).abs() < 8.0 && (y - ey).abs() < 8.0,
        "{:?}",
        codes[0].corners
    );
}

#[test]
fn reads_inverted_codes() {
    let (w, h, px, _) = render(TEXT, 4, 5);
    let inv: Vec<u8> = px.iter().map(|&v| 255 - v).collect();
    let codes = read_luma(w, h, &inv, &ReadOptions::default()).expect("decodes");
    assert_eq!(codes[0].text, TEXT);
}

#[test]
fn damaged_code_yields_no_text() {
    let (w, h, mut px, n) = render(TEXT, 4, 6);
    let side = w as usize;
    // Overwrite a block of data modules (well beyond what EC level M can correct) with a
    // pseudo-random pattern, keeping finder, timing and format areas intact.
    let mut state = 0x2545_f491_u32;
    for my in 10..n - 2 {
        for mx in 10..n - 2 {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let v = if state & 1 == 0 { 25 } else { 230 };
            for y in (my + 4) * 6..(my + 5) * 6 {
                for x in (mx + 4) * 6..(mx + 5) * 6 {
                    px[y * side + x] = v;
                }
            }
        }
    }
    match read_luma(w, h, &px, &ReadOptions::default()) {
        Err(ReadError::NoCode(_)) => {}
        other => panic!("damaged code must yield no code, got {other:?}"),
    }
}

#[test]
fn alphanumeric_filter_rejects_other_text() {
    let (w, h, px, _) = render("hello, lowercase world", 2, 6);
    let strict = ReadOptions::default().with_require_alphanumeric(true);
    assert_eq!(
        read_luma(w, h, &px, &strict),
        Err(ReadError::NoCode(NoCodeReason::NotAlphanumeric))
    );
    assert!(read_luma(w, h, &px, &ReadOptions::default()).is_ok());
}

#[test]
fn blank_and_tiny_frames_explain_why() {
    let opts = ReadOptions::default();
    assert!(matches!(
        read_luma(20, 20, &[128; 400], &opts),
        Err(ReadError::NoCode(NoCodeReason::ImageTooSmall {
            width: 20,
            height: 20
        }))
    ));
    assert!(matches!(
        read_luma(200, 200, &[10; 40_000], &opts),
        Err(ReadError::NoCode(NoCodeReason::TooDark { .. }))
    ));
    assert!(matches!(
        read_luma(200, 200, &[128; 40_000], &opts),
        Err(ReadError::NoCode(NoCodeReason::LowContrast { .. }))
    ));
}

#[test]
fn tiny_and_blurred_codes_explain_why() {
    let opts = ReadOptions::default();
    // 0.86 pixels per module (a 6 px/module render area-averaged by 7): too small to sample.
    let (w, _, px, _) = render(TEXT, 10, 6);
    let (side, small) = (w as usize, w as usize / 7);
    let mut tiny = vec![0u8; small * small];
    for y in 0..small {
        for x in 0..small {
            let mut s = 0u32;
            for yy in 0..7 {
                for xx in 0..7 {
                    s += u32::from(px[(y * 7 + yy) * side + x * 7 + xx]);
                }
            }
            tiny[y * small + x] = (s / 49) as u8;
        }
    }
    let r = read_luma(small as u32, small as u32, &tiny, &opts);
    assert!(
        matches!(r, Err(ReadError::NoCode(NoCodeReason::CodeTooSmall { .. }))),
        "{r:?}"
    );
    // A code smeared far beyond recognition: 9x9 box blur applied three times at 2 px per module.
    let (w, h, mut px, _) = render(TEXT, 10, 2);
    let side = w as usize;
    for _ in 0..3 {
        let src = px.clone();
        for y in 0..side {
            for x in 0..side {
                let mut s = 0u32;
                let mut n = 0u32;
                for yy in y.saturating_sub(4)..(y + 5).min(side) {
                    for xx in x.saturating_sub(4)..(x + 5).min(side) {
                        s += u32::from(src[yy * side + xx]);
                        n += 1;
                    }
                }
                px[y * side + x] = (s / n) as u8;
            }
        }
    }
    let r = read_luma(w, h, &px, &opts);
    assert!(
        matches!(r, Err(ReadError::NoCode(NoCodeReason::TooBlurry { .. }))),
        "{r:?}"
    );
    assert_eq!(r.map(|_| ()).map_err(|e| e.code()), Err("too_blurry"));
}

#[test]
fn frame_length_and_zero_size_are_checked() {
    let opts = ReadOptions::default();
    assert_eq!(read_luma(0, 10, &[], &opts), Err(ReadError::Empty));
    assert_eq!(
        read_luma(10, 10, &[0; 99], &opts),
        Err(ReadError::BadFrameLength {
            expected: 100,
            actual: 99
        })
    );
    assert_eq!(
        read_rgba(10, 10, &[0; 100], &opts),
        Err(ReadError::BadFrameLength {
            expected: 400,
            actual: 100
        })
    );
    assert!(matches!(
        read_luma(100_000, 1, &[], &opts),
        Err(ReadError::TooLarge { width: 100_000, .. })
    ));
}

#[test]
fn empty_and_non_image_bytes() {
    let opts = ReadOptions::default();
    assert_eq!(read_image(&[], &opts), Err(ReadError::Empty));
    assert_eq!(
        read_image(b"PR1:NOT AN IMAGE", &opts),
        Err(ReadError::NotAnImage)
    );
    assert_eq!(
        read_image(b"GIF89a\x01\x00\x01\x00", &opts),
        Err(ReadError::NotAnImage)
    );
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A PNG signature and an IHDR chunk claiming `w`x`h` 8-bit RGBA, with a valid CRC, then IEND.
fn png_header(w: u32, h: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend(w.to_be_bytes());
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]);
    out.extend(13u32.to_be_bytes());
    out.extend(&ihdr);
    out.extend(crc32(&ihdr).to_be_bytes());
    out.extend(0u32.to_be_bytes());
    out.extend(b"IEND");
    out.extend(crc32(b"IEND").to_be_bytes());
    out
}

#[test]
fn decompression_bomb_is_rejected_before_allocation() {
    let opts = ReadOptions::default();
    assert_eq!(
        read_image(&png_header(100_000, 100_000), &opts),
        Err(ReadError::TooLarge {
            width: 100_000,
            height: 100_000,
            max_width: 8192,
            max_height: 8192,
            max_bytes: 64 * 1024 * 1024,
        })
    );
    // Within each side's limit but over the byte budget: 8000 x 8000 x 4 > 64 MiB.
    assert!(matches!(
        read_image(&png_header(8000, 8000), &opts),
        Err(ReadError::TooLarge { .. })
    ));
}

#[test]
fn jpeg_bomb_is_rejected_from_its_frame_header() {
    // SOI, then a baseline SOF0 claiming 60000 x 60000 with 3 components, then nothing.
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08];
    jpeg.extend(60_000u16.to_be_bytes());
    jpeg.extend(60_000u16.to_be_bytes());
    jpeg.extend([3, 1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1]);
    assert!(matches!(
        read_image(&jpeg, &ReadOptions::default()),
        Err(ReadError::TooLarge {
            width: 60_000,
            height: 60_000,
            ..
        })
    ));
}

#[test]
fn limits_are_configurable() {
    let mut opts = ReadOptions::default();
    opts.max_width = 100;
    assert!(matches!(
        read_image(&encoded_png(), &opts),
        Err(ReadError::TooLarge { max_width: 100, .. })
    ));
}

fn encoded_png() -> Vec<u8> {
    let (w, h, px, _) = render(TEXT, 4, 5);
    let img = image::GrayImage::from_raw(w, h, px).expect("sized");
    let mut bytes = Vec::new();
    img.write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
        .expect("encode");
    bytes
}

#[test]
fn truncated_png_is_reported_as_truncated() {
    let png = encoded_png();
    let cut = &png[..png.len() / 2];
    assert_eq!(
        read_image(cut, &ReadOptions::default()),
        Err(ReadError::Truncated { format: "png" })
    );
}

#[test]
fn truncated_jpeg_is_reported_as_truncated() {
    // The JPEG decoder would fill the missing half with grey; the reader reports the cut instead.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/images");
    let jpeg = std::fs::read(dir.join("clean-000.jpg")).expect("image file");
    for cut in [jpeg.len() / 2, jpeg.len() - 2, 300] {
        assert_eq!(
            read_image(&jpeg[..cut], &ReadOptions::default()),
            Err(ReadError::Truncated { format: "jpeg" }),
            "cut at {cut}"
        );
    }
}

#[test]
fn corrupt_png_is_reported_as_corrupt() {
    let mut png = encoded_png();
    // Flip bytes in the middle of the compressed data: the chunk CRC no longer matches.
    let mid = png.len() / 2;
    for b in &mut png[mid..mid + 16] {
        *b ^= 0x5A;
    }
    assert_eq!(
        read_image(&png, &ReadOptions::default()),
        Err(ReadError::Corrupt { format: "png" })
    );
}

#[test]
fn png_header_only_is_an_error_not_a_panic() {
    let r = read_image(&png_header(64, 64), &ReadOptions::default());
    assert!(
        matches!(
            r,
            Err(ReadError::Truncated { .. } | ReadError::Corrupt { .. })
        ),
        "{r:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_bytes_never_panic(
        prefix in prop::sample::select(vec![
            &b""[..],
            &b"\x89PNG\r\n\x1a\n"[..],
            &b"\xFF\xD8\xFF\xE0"[..],
            &b"RIFF\x00\x00\x00\x00WEBPVP8 "[..],
        ]),
        body in prop::collection::vec(any::<u8>(), 0..2048),
    ) {
        let mut bytes = prefix.to_vec();
        bytes.extend(body);
        let _ = read_image(&bytes, &ReadOptions::default());
    }

    /// Corrupted codes (random rectangles of random grey, random pixel flips) decode to the right
    /// text or to nothing, never to another text. Version 3 at EC level L: the weakest correction,
    /// where a mis-correction would be likeliest.
    #[test]
    fn corrupted_codes_never_yield_a_wrong_text(
        rects in prop::collection::vec((0usize..200, 0usize..200, 1usize..60, 1usize..60, any::<u8>()), 0..6),
        flips in prop::collection::vec(0usize..40_000, 0..400),
        thorough in any::<bool>(),
    ) {
        let code = QrCode::with_version(b"PR1:ABC123", Version::Normal(3), qrcode::EcLevel::L)
            .expect("fits");
        let n = code.width();
        let px = 5;
        let side = (n + 8) * px;
        let mut img = vec![220u8; side * side];
        for (i, c) in code.to_colors().iter().enumerate() {
            if *c == Color::Dark {
                let (mx, my) = (i % n + 4, i / n + 4);
                for y in my * px..(my + 1) * px {
                    img[y * side + mx * px..y * side + (mx + 1) * px].fill(30);
                }
            }
        }
        for (x0, y0, w, h, v) in rects {
            for y in y0.min(side)..(y0 + h).min(side) {
                img[y * side + x0.min(side)..y * side + (x0 + w).min(side)].fill(v);
            }
        }
        for i in flips {
            let i = i % img.len();
            img[i] = 255 - img[i];
        }
        let opts = ReadOptions::default().with_try_harder(thorough);
        if let Ok(codes) = read_luma(side as u32, side as u32, &img, &opts) {
            for c in codes {
                prop_assert_eq!(c.text, "PR1:ABC123");
            }
        }
    }

    #[test]
    fn arbitrary_frames_never_panic(w in 1u32..128, h in 1u32..128, seed in any::<u64>()) {
        let mut s = seed | 1;
        let px: Vec<u8> = (0..w * h).map(|_| { s ^= s << 7; s ^= s >> 9; s as u8 }).collect();
        let _ = read_luma(w, h, &px, &ReadOptions::default());
    }
}
