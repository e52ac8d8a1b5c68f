//! End-to-end checks of the four renderers: sizes, PDF structure and text, QR round trip, errors.

// Tests may unwrap: a panic there is a failing test, which is what we want.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

use pora_card::{
    card_pdf, card_png, epermit_pdf, epermit_png, CardData, CardError, Date, Field, PermitKind,
    PhotoError, Sex,
};

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

/// A QR text shaped like a credential: "PR1:" and 300 Base45 characters.
fn qr_text(seed: u32) -> String {
    const B45: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    let body: String = (0..300)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            char::from(B45[(x % 45) as usize])
        })
        .collect();
    format!("PR1:{body}")
}

fn tanaka() -> CardData {
    CardData {
        permit_type: PermitKind::Itas,
        permit_number: "2C11AB4271-0093".into(),
        full_name: "TANAKA HIROSHI".into(),
        place_of_birth: "OSAKA".into(),
        date_of_birth: date("1984-03-12"),
        sex: Sex::Male,
        nationality: "JPN".into(),
        passport_number: "TZ1234567".into(),
        visa_index: "E23".into(),
        occupation: "Production Engineering Manager".into(),
        sponsor: "PT Sinar Cikarang Presisi".into(),
        address: "Jl. Jababeka Raya Blok F No. 12, Cikarang Utara, Kab. Bekasi, Jawa Barat 17530"
            .into(),
        valid_from: date("2025-01-15"),
        valid_until: date("2027-01-14"),
        issuing_office: "Kantor Imigrasi Bekasi".into(),
        qr_text: qr_text(7),
        issue_date: None,
        photo: None,
    }
}

// ---- PNG helpers ----

fn png_gray(png_bytes: &[u8]) -> (usize, usize, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    let gray = buf[..info.buffer_size()]
        .chunks_exact(3)
        .map(|p| ((u32::from(p[0]) * 3 + u32::from(p[1]) * 6 + u32::from(p[2])) / 10) as u8)
        .collect();
    (info.width as usize, info.height as usize, gray)
}

fn scan_qr(png_bytes: &[u8]) -> Vec<String> {
    let (w, h, gray) = png_gray(png_bytes);
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| gray[y * w + x]);
    img.detect_grids()
        .into_iter()
        .filter_map(|g| g.decode().ok().map(|(_, text)| text))
        .collect()
}

// ---- a minimal PDF reader: xref, objects, streams, text via ToUnicode ----

struct PdfFile<'a> {
    data: &'a [u8],
    offsets: HashMap<u32, usize>,
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

impl<'a> PdfFile<'a> {
    /// Parses the header, `startxref` and the classic xref table, and checks every in-use entry
    /// points at its `N 0 obj`.
    fn parse(data: &'a [u8]) -> Self {
        assert!(data.starts_with(b"%PDF-1."), "PDF header");
        assert!(
            data.ends_with(b"%%EOF\n") || data.ends_with(b"%%EOF"),
            "PDF trailer"
        );
        let sx = rfind(data, b"startxref").expect("startxref");
        let tail = std::str::from_utf8(&data[sx + 9..]).unwrap();
        let xref_at: usize = tail.split_whitespace().next().unwrap().parse().unwrap();
        let table = std::str::from_utf8(&data[xref_at..sx]).unwrap();
        let mut lines = table.lines();
        assert_eq!(lines.next(), Some("xref"));
        let header: Vec<u32> = lines
            .next()
            .unwrap()
            .split_whitespace()
            .map(|n| n.parse().unwrap())
            .collect();
        let (first, count) = (header[0], header[1]);
        let mut offsets = HashMap::new();
        for i in 0..count {
            let parts: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
            if parts[2] == "n" {
                let off: usize = parts[0].parse().unwrap();
                let id = first + i;
                let want = format!("{id} 0 obj");
                assert!(
                    data[off..].starts_with(want.as_bytes()),
                    "xref entry of object {id}"
                );
                offsets.insert(id, off);
            }
        }
        assert!(table.contains("trailer"));
        Self { data, offsets }
    }

    fn object(&self, id: u32) -> &'a [u8] {
        let start = self.offsets[&id];
        let end = start + find(&self.data[start..], b"endobj").unwrap();
        &self.data[start..end]
    }

    fn dict(&self, id: u32) -> String {
        let obj = self.object(id);
        let end = find(obj, b"stream\n").unwrap_or(obj.len());
        String::from_utf8_lossy(&obj[..end]).into_owned()
    }

    fn stream(&self, id: u32) -> Vec<u8> {
        let obj = self.object(id);
        let start = find(obj, b"stream\n").unwrap() + 7;
        let end = rfind(obj, b"endstream").unwrap();
        let mut raw = &obj[start..end];
        if raw.ends_with(b"\n") {
            raw = &raw[..raw.len() - 1];
        }
        if self.dict(id).contains("/FlateDecode") {
            miniz_oxide::inflate::decompress_to_vec_zlib(raw).unwrap()
        } else {
            raw.to_vec()
        }
    }

    fn pages(&self) -> Vec<u32> {
        let mut ids: Vec<u32> = self
            .offsets
            .keys()
            .copied()
            .filter(|&id| {
                let d = self.dict(id);
                d.contains("/Type /Page") && !d.contains("/Type /Pages")
            })
            .collect();
        ids.sort();
        ids
    }

    /// Every text-showing string of the page, decoded through its font's ToUnicode map.
    fn page_texts(&self, page: u32) -> Vec<String> {
        let dict = self.dict(page);
        let content = ref_after(&dict, "/Contents").unwrap();
        let mut cmaps: HashMap<String, HashMap<u16, String>> = HashMap::new();
        for name in ["F1", "F2", "F3"] {
            if let Some(font) = ref_after(&dict, &format!("/{name}")) {
                let cmap_id = ref_after(&self.dict(font), "/ToUnicode").unwrap();
                cmaps.insert(name.into(), parse_cmap(&self.stream(cmap_id)));
            }
        }
        let ops = self.stream(content);
        let mut texts = Vec::new();
        let mut font = String::new();
        let mut i = 0;
        let mut last_string: Option<Vec<u8>> = None;
        let mut current = String::new();
        while i < ops.len() {
            match ops[i] {
                b'/' => {
                    let end = ops[i..]
                        .iter()
                        .position(|c| c.is_ascii_whitespace())
                        .unwrap()
                        + i;
                    font = String::from_utf8_lossy(&ops[i + 1..end]).into_owned();
                    i = end;
                }
                b'(' => {
                    let (bytes, next) = literal_string(&ops, i);
                    last_string = Some(bytes);
                    i = next;
                }
                b'<' => {
                    let end = ops[i..].iter().position(|&c| c == b'>').unwrap() + i;
                    let hex = std::str::from_utf8(&ops[i + 1..end]).unwrap();
                    let bytes = (0..hex.len())
                        .step_by(2)
                        .map(|k| u8::from_str_radix(&hex[k..k + 2], 16).unwrap())
                        .collect();
                    last_string = Some(bytes);
                    i = end + 1;
                }
                b'B' | b'E'
                    if ops.get(i + 1) == Some(&b'T')
                        && ops.get(i + 2).is_none_or(|c| c.is_ascii_whitespace()) =>
                {
                    // A text object (BT ... ET) is one text, whatever fonts it switches between.
                    if ops[i] == b'E' {
                        texts.push(std::mem::take(&mut current));
                    }
                    i += 2;
                }
                b'T' if ops.get(i + 1) == Some(&b'j') => {
                    let bytes = last_string.take().expect("string before Tj");
                    let map = &cmaps[&font];
                    let text: String = bytes
                        .chunks(2)
                        .map(|c| u16::from_be_bytes([c[0], c[1]]))
                        .map(|g| map.get(&g).cloned().unwrap_or_else(|| "\u{FFFD}".into()))
                        .collect::<String>();
                    current.push_str(&text);
                    i += 2;
                }
                _ => i += 1,
            }
        }
        texts
    }
}

/// The object number of the reference that follows `key` in a dictionary ("/Key 12 0 R").
fn ref_after(dict: &str, key: &str) -> Option<u32> {
    let at = dict.find(&format!("{key} "))? + key.len();
    dict[at..].split_whitespace().next()?.parse().ok()
}

fn literal_string(ops: &[u8], start: usize) -> (Vec<u8>, usize) {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut i = start + 1;
    loop {
        match ops[i] {
            b'\\' => {
                let c = ops[i + 1];
                match c {
                    b'n' => out.push(b'\n'),
                    b'r' => out.push(b'\r'),
                    b't' => out.push(b'\t'),
                    b'b' => out.push(8),
                    b'f' => out.push(12),
                    b'0'..=b'7' => {
                        let mut v = 0u32;
                        let mut k = 0;
                        while k < 3 && (b'0'..=b'7').contains(&ops[i + 1 + k]) {
                            v = v * 8 + u32::from(ops[i + 1 + k] - b'0');
                            k += 1;
                        }
                        out.push(v as u8);
                        i += k - 1;
                    }
                    other => out.push(other),
                }
                i += 2;
            }
            b'(' => {
                depth += 1;
                out.push(b'(');
                i += 1;
            }
            b')' if depth > 0 => {
                depth -= 1;
                out.push(b')');
                i += 1;
            }
            b')' => return (out, i + 1),
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
}

fn parse_cmap(data: &[u8]) -> HashMap<u16, String> {
    let text = String::from_utf8_lossy(data);
    let mut map = HashMap::new();
    let mut inside = false;
    for line in text.lines() {
        if line.ends_with("beginbfchar") {
            inside = true;
        } else if line == "endbfchar" {
            inside = false;
        } else if inside {
            let hex: Vec<&str> = line
                .split(['<', '>', ' '])
                .filter(|s| !s.is_empty())
                .collect();
            let gid = u16::from_str_radix(hex[0], 16).unwrap();
            let units: Vec<u16> = (0..hex[1].len())
                .step_by(4)
                .map(|k| u16::from_str_radix(&hex[1][k..k + 4], 16).unwrap())
                .collect();
            map.insert(gid, String::from_utf16(&units).unwrap());
        }
    }
    map
}

// ---- the tests ----

#[test]
fn card_png_has_id1_size_and_its_qr_scans_back() {
    let data = tanaka();
    let png = card_png(&data, 300).unwrap();
    let (w, h, _) = png_gray(&png);
    assert_eq!((w, h), (1011, 638));
    assert_eq!(pora_card::card_pixel_size(300), (1011, 638));
    // The PNG states its resolution (pHYs): 300 dpi = 11811 px per metre.
    let reader = png::Decoder::new(std::io::Cursor::new(&png))
        .read_info()
        .unwrap();
    let dims = reader.info().pixel_dims.unwrap();
    assert_eq!(
        (dims.xppu, dims.yppu, dims.unit),
        (11811, 11811, png::Unit::Meter)
    );
    assert_eq!(scan_qr(&png), vec![data.qr_text.clone()]);
}

#[test]
fn card_qr_scans_at_lower_resolutions_too() {
    // Modules are about 0.34 mm: 2.3 px at 170 dpi, 2.8 px at 200 dpi (not whole pixels).
    let data = tanaka();
    for dpi in [170, 200] {
        let png = card_png(&data, dpi).unwrap();
        assert_eq!(scan_qr(&png), vec![data.qr_text.clone()], "{dpi} dpi");
    }
}

#[test]
fn epermit_png_qr_scans_back() {
    let mut data = tanaka();
    data.permit_type = PermitKind::Itap;
    data.qr_text = qr_text(99);
    let png = epermit_png(&data, 150).unwrap();
    let (w, h, _) = png_gray(&png);
    assert_eq!((w, h), (1240, 1754));
    assert_eq!(pora_card::epermit_pixel_size(150), (1240, 1754));
    assert_eq!(scan_qr(&png), vec![data.qr_text.clone()]);
}

#[test]
fn card_pdf_is_one_id1_page_with_real_text() {
    let data = tanaka();
    let bytes = card_pdf(&data).unwrap();
    let pdf = PdfFile::parse(&bytes);
    let pages = pdf.pages();
    assert_eq!(pages.len(), 1);
    assert!(pdf.dict(pages[0]).contains("/MediaBox [0 0 242.65 153.01]"));
    let texts = pdf.page_texts(pages[0]);
    for want in [
        "2C11AB4271-0093",
        "TANAKA HIROSHI",
        "KARTU IZIN TINGGAL TERBATAS",
        "14-01-2027",
    ] {
        assert!(texts.iter().any(|t| t == want), "{want} in {texts:?}");
    }
    // Fonts are embedded (FontFile2) and the card has no raster image without a photo.
    assert!(find(&bytes, b"/FontFile2").is_some());
    assert!(find(&bytes, b"/Subtype /Image").is_none());
}

#[test]
fn epermit_pdf_is_one_a4_page_with_real_text() {
    let data = tanaka();
    let bytes = epermit_pdf(&data).unwrap();
    let pdf = PdfFile::parse(&bytes);
    let pages = pdf.pages();
    assert_eq!(pages.len(), 1);
    assert!(pdf.dict(pages[0]).contains("/MediaBox [0 0 595.28 841.89]"));
    let texts = pdf.page_texts(pages[0]);
    for want in [
        "2C11AB4271-0093",
        "IZIN TINGGAL ELEKTRONIK",
        "Pindai untuk verifikasi",
        "Scan to verify",
    ] {
        assert!(texts.iter().any(|t| t == want), "{want} in {texts:?}");
    }
}

#[test]
fn output_is_deterministic() {
    let data = tanaka();
    assert_eq!(card_pdf(&data).unwrap(), card_pdf(&data).unwrap());
    assert_eq!(card_png(&data, 100).unwrap(), card_png(&data, 100).unwrap());
    assert_eq!(epermit_pdf(&data).unwrap(), epermit_pdf(&data).unwrap());
}

#[test]
fn utf8_names_render_and_extract() {
    let mut data = tanaka();
    data.full_name = "MÜLLER, Jürgen".into();
    let bytes = card_pdf(&data).unwrap();
    let pdf = PdfFile::parse(&bytes);
    let texts = pdf.page_texts(pdf.pages()[0]);
    assert!(texts.iter().any(|t| t == "MÜLLER, Jürgen"), "{texts:?}");
    // CJK comes from the fallback face (with the `cjk` feature; else the box glyph); nothing
    // panics either way.
    data.full_name = "李 明 (LI MING)".into();
    let bytes = card_pdf(&data).unwrap();
    if cfg!(feature = "cjk") {
        let pdf = PdfFile::parse(&bytes);
        let texts = pdf.page_texts(pdf.pages()[0]);
        assert!(texts.iter().any(|t| t == "李 明 (LI MING)"), "{texts:?}");
    }
    card_png(&data, 150).unwrap();
    epermit_png(&data, 72).unwrap();
}

#[test]
fn very_long_free_text_is_shortened_not_fatal() {
    let mut data = tanaka();
    data.full_name = "WOLFESCHLEGELSTEINHAUSENBERGERDORFF ".repeat(30);
    data.address = "Jl. Panjang Sekali ".repeat(100);
    data.place_of_birth = "X".repeat(400);
    data.sponsor = "PT ".repeat(200);
    data.issuing_office = "Kantor Imigrasi ".repeat(20);
    for pdf in [card_pdf(&data).unwrap(), epermit_pdf(&data).unwrap()] {
        let parsed = PdfFile::parse(&pdf);
        let texts = parsed.page_texts(parsed.pages()[0]);
        assert!(
            texts.iter().any(|t| t.starts_with("WOLFESCHLEGEL")),
            "{texts:?}"
        );
        assert!(texts.iter().any(|t| t.ends_with('…')), "{texts:?}");
        // The date after a cut place of birth stays whole.
        assert!(
            texts.iter().any(|t| t.ends_with("…, 12-03-1984")),
            "{texts:?}"
        );
    }
    card_png(&data, 300).unwrap();
}

#[test]
fn photos_are_used_or_rejected_with_a_typed_error() {
    let mut data = tanaka();
    data.photo = Some(b"definitely not an image".to_vec());
    assert_eq!(
        card_pdf(&data),
        Err(CardError::BadPhoto(PhotoError::UnknownFormat))
    );
    data.photo = Some(vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J']);
    assert!(matches!(
        card_png(&data, 300),
        Err(CardError::BadPhoto(PhotoError::Corrupt {
            format: "JPEG",
            ..
        }))
    ));
    assert!(matches!(epermit_pdf(&data), Err(CardError::BadPhoto(_))));

    // A real (generated) PNG photo is embedded as an image and drawn on the PNG.
    let (w, h) = (60u32, 80u32);
    let mut rgb = Vec::new();
    for y in 0..h {
        for x in 0..w {
            rgb.extend([(x * 4) as u8, (y * 3) as u8, 200]);
        }
    }
    let mut photo = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut photo, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut wr = enc.write_header().unwrap();
        wr.write_image_data(&rgb).unwrap();
    }
    data.photo = Some(photo);
    let pdf = card_pdf(&data).unwrap();
    assert!(find(&pdf, b"/Subtype /Image").is_some());
    let png = card_png(&data, 300).unwrap();
    assert_eq!(scan_qr(&png), vec![data.qr_text.clone()]);
    epermit_pdf(&data).unwrap();
}

#[test]
fn typed_errors() {
    let mut data = tanaka();
    data.qr_text = "A".repeat(2500);
    assert!(matches!(
        card_pdf(&data),
        Err(CardError::QrTooLong { len: 2500, .. })
    ));
    data.qr_text = String::new();
    assert_eq!(
        card_png(&data, 300),
        Err(CardError::EmptyField(Field::QrText))
    );

    let mut data = tanaka();
    data.permit_number = "X".repeat(21);
    assert_eq!(
        epermit_pdf(&data),
        Err(CardError::FieldTooLong {
            field: Field::PermitNumber,
            len: 21,
            max: 20
        })
    );
    let mut data = tanaka();
    data.valid_until = date("2024-01-01");
    assert!(matches!(
        card_pdf(&data),
        Err(CardError::ValidityReversed { .. })
    ));
    assert!(matches!(
        card_png(&tanaka(), 10),
        Err(CardError::BadDpi { dpi: 10, .. })
    ));
    assert!(matches!(
        epermit_png(&tanaka(), 1200),
        Err(CardError::BadDpi { .. })
    ));
}

#[test]
fn card_data_deserializes_from_json() {
    let json = r#"{
        "permit_type": "ITAP", "permit_number": "2D22CD0815", "full_name": "LEE JI-EUN",
        "place_of_birth": "Busan", "date_of_birth": "1990-05-17", "sex": "F",
        "nationality": "KOR", "passport_number": "M12345678", "visa_index": "E28A",
        "occupation": "Director", "sponsor": "PT Hanjin Cikarang", "address": "Jl. MM2100 Blok B",
        "valid_from": "2025-02-01", "valid_until": "2030-01-31",
        "issuing_office": "Kantor Imigrasi Bekasi", "qr_text": "PR1:ABC"
    }"#;
    let data: CardData = serde_json::from_str(json).unwrap();
    assert_eq!(data.permit_type, PermitKind::Itap);
    assert_eq!(data.sex, Sex::Female);
    assert_eq!(data.date_of_birth, date("1990-05-17"));
    assert_eq!(data.effective_issue_date(), date("2025-02-01"));
    assert!(serde_json::from_str::<CardData>(&json.replace("1990-05-17", "1990-02-30")).is_err());
    assert_eq!(data.photo, None);
    // Indonesian codes are understood too: KITAP, P (perempuan).
    let indonesian = json
        .replace(r#""ITAP""#, r#""KITAP""#)
        .replace(r#""F""#, r#""P""#);
    let same: CardData = serde_json::from_str(&indonesian).unwrap();
    assert_eq!(same, data);
    card_pdf(&data).unwrap();

    // The photo travels as base64 (here a 2x2 PNG, as a data URL).
    let with_photo = json.replace(
        r#""qr_text""#,
        r#""photo": "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAD0lEQVR4nGP4zwAEEAIIACDuBfv1K+nKAAAAAElFTkSuQmCC", "qr_text""#,
    );
    let data: CardData = serde_json::from_str(&with_photo).unwrap();
    assert!(data.photo.as_ref().unwrap().starts_with(b"\x89PNG"));
    let pdf = card_pdf(&data).unwrap();
    assert!(find(&pdf, b"/Subtype /Image").is_some());
    let bad = with_photo.replace("data:image/png;base64,iVBOR", "data:image/png;base64,*VBOR");
    assert!(serde_json::from_str::<CardData>(&bad).is_err());
}

#[test]
fn jpeg_photos_of_every_common_flavour_decode() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    for name in [
        "photo-rgb.jpg",
        "photo-progressive.jpg",
        "photo-gray.jpg",
        "photo-cmyk.jpg",
    ] {
        let mut data = tanaka();
        data.photo = Some(std::fs::read(format!("{dir}/{name}")).unwrap());
        let pdf = card_pdf(&data).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(find(&pdf, b"/Subtype /Image").is_some(), "{name}");
        epermit_png(&data, 72).unwrap_or_else(|e| panic!("{name}: {e}"));
        // A truncated file is a typed error, not a panic.
        let bytes = data.photo.take().unwrap();
        data.photo = Some(bytes[..bytes.len() / 3].to_vec());
        match card_pdf(&data) {
            Err(CardError::BadPhoto(_)) | Ok(_) => {}
            other => panic!("{name}: {other:?}"),
        }
    }
}
