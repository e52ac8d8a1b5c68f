//! Benchmark driver: reads every image of a generated set and prints one JSON line per image.
//!
//! ```text
//! cargo run --release -p pora-reader --example pora-reader-bench -- DIR [REPEATS]
//! ```
//! `DIR/manifest.jsonl` comes from `pora-reader-gen`. Images are decoded to greyscale first; only
//! the reader (`read_luma`) is timed, single thread, best of `REPEATS` (default 3) runs, the same
//! protocol as `bench/reader/peers.py`. Besides pora-reader with default options it runs two
//! comparisons: pora-reader with only its fast passes (`try_harder(false)`), and rxing alone. Time is the thread's CPU time, not wall time: the machine is
//! shared, and CPU time is what other processes' load does not inflate.

use cpu_time::ThreadTime;
use std::path::PathBuf;

use pora_reader::{read_luma, ReadError, ReadOptions};

fn field<'a>(line: &'a str, name: &str) -> &'a str {
    let key = format!("\"{name}\":\"");
    line.find(&key)
        .map(|i| &line[i + key.len()..])
        .and_then(|rest| rest.find('"').map(|j| &rest[..j]))
        .unwrap_or_else(|| panic!("manifest line without {name}: {line}"))
}

/// One timed reader: a name and a function from a grey frame to (texts, pass, why).
type Run<'a> = Box<dyn Fn(u32, u32, &[u8]) -> (Vec<String>, String, String) + 'a>;

fn ours(opts: ReadOptions) -> Run<'static> {
    Box::new(move |w, h, px| match read_luma(w, h, px, &opts) {
        Ok(codes) => (
            codes.iter().map(|c| c.text.clone()).collect(),
            codes[0].pass.name().to_string(),
            String::new(),
        ),
        Err(ReadError::NoCode(r)) => (Vec::new(), String::new(), format!("{r:?}")),
        Err(e) => (Vec::new(), String::new(), format!("{e:?}")),
    })
}

/// rxing on its own (the engine under pora-reader, its Java-port QR reader, hybrid binarizer,
/// try-harder), for comparison: what the cascade adds.
fn rxing_plain() -> Run<'static> {
    Box::new(|w, h, px| {
        let mut hints = rxing::DecodeHints::default();
        let r = rxing::helpers::detect_in_luma_with_hints(
            px.to_vec(),
            w,
            h,
            Some(rxing::BarcodeFormat::QR_CODE),
            &mut hints,
        );
        match r {
            Ok(res) => (
                vec![res.getText().to_string()],
                String::new(),
                String::new(),
            ),
            Err(e) => (
                Vec::new(),
                String::new(),
                format!("{e:?}").chars().take(40).collect(),
            ),
        }
    })
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = PathBuf::from(args.get(1).map_or("bench/reader/out", String::as_str));
    let repeats: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(3);
    let manifest = std::fs::read_to_string(dir.join("manifest.jsonl"))
        .unwrap_or_else(|e| panic!("read manifest in {}: {e}", dir.display()));
    let readers: Vec<(&str, Run)> = vec![
        ("pora-reader", ours(ReadOptions::default())),
        (
            "pora-reader fast passes",
            ours(ReadOptions::default().with_try_harder(false)),
        ),
        ("rxing 0.7.1", rxing_plain()),
    ];
    for line in manifest.lines().filter(|l| !l.trim().is_empty()) {
        let (file, class, want) = (
            field(line, "file"),
            field(line, "class"),
            field(line, "text"),
        );
        let grey = image::open(dir.join(file))
            .unwrap_or_else(|e| panic!("open {file}: {e}"))
            .into_luma8();
        let (w, h) = grey.dimensions();
        for (name, run) in &readers {
            let mut best = f64::MAX;
            let mut result = (Vec::new(), String::new(), String::new());
            for _ in 0..repeats.max(1) {
                let t = ThreadTime::now();
                result = run(w, h, grey.as_raw());
                best = best.min(t.elapsed().as_secs_f64() * 1e3);
            }
            let (texts, pass, why) = result;
            let ok = texts.iter().any(|t| t == want);
            let wrong = texts.iter().any(|t| t != want);
            println!(
                "{{\"reader\":\"{name}\",\"file\":\"{file}\",\"class\":\"{class}\",\"ok\":{ok},\"wrong\":{wrong},\"ms\":{best:.3},\"pass\":\"{pass}\",\"why\":\"{}\"}}",
                why.replace(['"', '\\'], "'")
            );
        }
    }
}
