//! Times the four renderers: `cargo run --release -p pora-card --example timing [-- N]` prints the
//! mean wall time per document over N runs (default 20) and the output sizes.

use std::time::Instant;

use pora_card::{CardData, PermitKind, Sex};

fn data() -> CardData {
    let date = |s: &str| s.parse().expect("valid example date");
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
        address: "Jl. Jababeka Raya Blok F No. 12, Cikarang Utara, Kab. Bekasi".into(),
        valid_from: date("2025-01-15"),
        valid_until: date("2027-01-14"),
        issuing_office: "Kantor Imigrasi Bekasi".into(),
        issue_date: None,
        qr_text: format!(
            "PR1:{}",
            "6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3/XIV0W23NTDEPWK G2EP4J0B".repeat(5)
        ),
        photo: None,
    }
}

fn time(name: &str, runs: u32, f: impl Fn() -> Vec<u8>) {
    let start = Instant::now();
    let mut size = 0;
    for _ in 0..runs {
        size = f().len();
    }
    let ms = start.elapsed().as_secs_f64() * 1000.0 / f64::from(runs);
    println!("{name:<22} {ms:>8.2} ms  {size:>8} bytes");
}

fn main() {
    let runs: u32 = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(20);
    let d = data();
    time("card_pdf", runs, || {
        pora_card::card_pdf(&d).expect("renders")
    });
    time("card_png 300 dpi", runs, || {
        pora_card::card_png(&d, 300).expect("renders")
    });
    time("epermit_pdf", runs, || {
        pora_card::epermit_pdf(&d).expect("renders")
    });
    time("epermit_png 150 dpi", runs, || {
        pora_card::epermit_png(&d, 150).expect("renders")
    });
}
