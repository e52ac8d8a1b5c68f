//! Writes sample documents: `cargo run -p pora-card --example render -- /tmp/card` gives
//! `/tmp/card-kitas.{pdf,png}` (card) and `/tmp/card-ekitas.{pdf,png}` (A4 e-permit), the same
//! for `kitap`, `li` (CJK name), `photo` (with a photo) and `long` (overlong values).
//! `... --example render -- /tmp/out permit.json` renders one permit from a JSON file instead.

use pora_card::{CardData, Date, PermitKind, Sex};

fn date(s: &str) -> Date {
    s.parse().expect("example dates are valid")
}

/// A QR text shaped like a real credential: "PR1:" and Base45 characters (invented, not signed).
fn sample_qr_text(seed: u32) -> String {
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
    let mut d = CardData {
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
        qr_text: sample_qr_text(1),
        issue_date: None,
        photo: None,
    };
    d.issue_date = Some(date("2025-01-13"));
    d
}

fn mueller() -> CardData {
    CardData {
        permit_type: PermitKind::Itap,
        permit_number: "2D22CD0815-4711".into(),
        full_name: "MÜLLER, Jürgen Friedrich-Wilhelm".into(),
        place_of_birth: "Garmisch-Partenkirchen".into(),
        date_of_birth: date("1969-11-02"),
        sex: Sex::Male,
        nationality: "DEU".into(),
        passport_number: "C01X00T47".into(),
        visa_index: "E31A".into(),
        occupation: "Retired".into(),
        sponsor: "SUSANTI DEWI PERMATASARI".into(),
        address: "Perumahan Grand Wisata, Cluster Water Garden Blok AA 3 No. 8, Lambangjaya, Tambun Selatan, Kabupaten Bekasi 17510".into(),
        valid_from: date("2024-06-01"),
        valid_until: date("2029-05-31"),
        issuing_office: "Kantor Imigrasi Kelas I Non TPI Bekasi".into(),
        qr_text: sample_qr_text(2),
        issue_date: None,
        photo: None,
    }
}

fn li() -> CardData {
    CardData {
        permit_type: PermitKind::Itas,
        permit_number: "2C11EF0042".into(),
        full_name: "李 明 (LI MING)".into(),
        place_of_birth: "Shenzhen".into(),
        date_of_birth: date("1991-07-30"),
        sex: Sex::Female,
        nationality: "CHN".into(),
        passport_number: "EA7654321".into(),
        visa_index: "E33G".into(),
        occupation: "Remote Software Developer".into(),
        sponsor: "PT Delta Silikon Nusantara".into(),
        address: "Apartemen Lippo Cikarang Tower B/1207, Cibatu, Cikarang Selatan".into(),
        valid_from: date("2025-09-01"),
        valid_until: date("2026-08-31"),
        issuing_office: "Kantor Imigrasi Bekasi".into(),
        qr_text: sample_qr_text(3),
        issue_date: None,
        photo: None,
    }
}

/// A synthetic portrait (no real person): a blue backdrop, shoulders and a face-like oval.
fn portrait_png() -> Vec<u8> {
    let (w, h) = (300u32, 400u32);
    let mut rgb = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            let (fx, fy) = (x as f32 - 150.0, y as f32);
            let face = (fx / 70.0).powi(2) + ((fy - 160.0) / 92.0).powi(2) <= 1.0;
            let hair = (fx / 76.0).powi(2) + ((fy - 140.0) / 92.0).powi(2) <= 1.0 && fy < 150.0;
            let body = fy > 270.0 && (fx / 150.0).powi(2) + ((fy - 420.0) / 160.0).powi(2) <= 1.0;
            let neck = fx.abs() < 32.0 && (230.0..300.0).contains(&fy);
            let px = if hair {
                [40, 32, 28]
            } else if face || neck {
                [226, 188, 160]
            } else if body {
                [34, 44, 66]
            } else {
                let t = (y as f32 / h as f32 * 40.0) as u8;
                [70 + t, 120 + t, 190 + t / 2]
            };
            rgb.extend(px);
        }
    }
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header().expect("in-memory PNG header");
    writer.write_image_data(&rgb).expect("in-memory PNG data");
    writer.finish().expect("in-memory PNG end");
    out
}

/// Values far longer than any field: shows shrinking, wrapping and ellipses.
fn long_values() -> CardData {
    let mut d = mueller();
    d.permit_type = PermitKind::Itas;
    d.full_name = "OYELARAN-ADEBAYO, Oluwaseun Babatunde Olamide Chukwuemeka Abimbola".into();
    d.occupation =
        "Senior Vice President for Regional Manufacturing Operations and Supply Chain".into();
    d.sponsor =
        "PT Multi Bintang Cahaya Abadi Sejahtera Internasional Manufaktur Indonesia Tbk".into();
    d.place_of_birth = "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch".into();
    d.nationality = "GBR".into();
    d
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let prefix = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/card".into());
    if let Some(json_path) = std::env::args().nth(2) {
        // Render one permit described by a JSON file (the `CardData` fields).
        let data: CardData = serde_json::from_str(&std::fs::read_to_string(&json_path)?)?;
        std::fs::write(format!("{prefix}.pdf"), pora_card::card_pdf(&data)?)?;
        std::fs::write(format!("{prefix}.png"), pora_card::card_png(&data, 300)?)?;
        std::fs::write(format!("{prefix}-e.pdf"), pora_card::epermit_pdf(&data)?)?;
        std::fs::write(
            format!("{prefix}-e.png"),
            pora_card::epermit_png(&data, 150)?,
        )?;
        println!("wrote {prefix}.{{pdf,png}} and {prefix}-e.{{pdf,png}}");
        return Ok(());
    }
    let mut with_photo = tanaka();
    with_photo.full_name = "SATO YUKI".into();
    with_photo.sex = Sex::Female;
    with_photo.photo = Some(portrait_png());
    let samples = [
        ("kitas", tanaka()),
        ("kitap", mueller()),
        ("li", li()),
        ("photo", with_photo),
        ("long", long_values()),
    ];
    for (name, data) in samples {
        std::fs::write(format!("{prefix}-{name}.pdf"), pora_card::card_pdf(&data)?)?;
        std::fs::write(
            format!("{prefix}-{name}.png"),
            pora_card::card_png(&data, 300)?,
        )?;
        std::fs::write(
            format!("{prefix}-e{name}.pdf"),
            pora_card::epermit_pdf(&data)?,
        )?;
        std::fs::write(
            format!("{prefix}-e{name}.png"),
            pora_card::epermit_png(&data, 150)?,
        )?;
    }
    println!("wrote {prefix}-{{kitas,kitap,li,photo,long}}.{{pdf,png}} and {prefix}-e{{kitas,kitap,li,photo,long}}.{{pdf,png}}");
    Ok(())
}
