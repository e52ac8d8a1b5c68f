//! Reads QR codes from image files and prints what it found, or why it found nothing.
//!
//! ```text
//! cargo run --release -p pora-reader --example pora-reader-read -- photo.jpg [more.png ...]
//! ```
//! One line per code: `file<TAB>version-EC<TAB>pass<TAB>corners<TAB>text`; one line per file
//! without a code: `file<TAB>error-code<TAB>explanation`.

use pora_reader::{read_image, ReadOptions};

fn main() {
    let opts = ReadOptions::default();
    let mut failures = 0;
    for path in std::env::args().skip(1) {
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                println!("{path}\tio\t{e}");
                failures += 1;
                continue;
            }
        };
        match read_image(&bytes, &opts) {
            Ok(codes) => {
                for c in codes {
                    let corners: Vec<String> = c
                        .corners
                        .iter()
                        .map(|(x, y)| format!("{x:.0},{y:.0}"))
                        .collect();
                    println!(
                        "{path}\t{}-{}\t{}\t{}\t{}",
                        c.version,
                        c.ec_level.as_str(),
                        c.pass.name(),
                        corners.join(" "),
                        c.text
                    );
                }
            }
            Err(e) => {
                println!("{path}\t{}\t{e}", e.code());
                failures += 1;
            }
        }
    }
    std::process::exit(i32::from(failures > 0));
}
