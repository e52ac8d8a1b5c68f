//! Benchmark driver: reads every image of a generated set and prints one JSON line per image.
//!
//! ```text
//! cargo run --release -p pora-reader --example pora-reader-bench -- DIR [REPEATS]
//! ```
//! `DIR/manifest.jsonl` comes from `pora-reader-gen`. Images are decoded to greyscale first; only
//! the reader (`read_luma`) is timed, single thread, best of `REPEATS` (default 3) runs, the same
//! protocol as `bench/reader/peers.py`. Time is the thread's CPU time, not wall time: the machine is
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

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = PathBuf::from(args.get(1).map_or("bench/reader/out", String::as_str));
    let repeats: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(3);
    let manifest = std::fs::read_to_string(dir.join("manifest.jsonl"))
        .unwrap_or_else(|e| panic!("read manifest in {}: {e}", dir.display()));
    let opts = ReadOptions::default();
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
        let mut best = f64::MAX;
        let mut result = Err(ReadError::Empty);
        for _ in 0..repeats.max(1) {
            let t = ThreadTime::now();
            result = read_luma(w, h, grey.as_raw(), &opts);
            best = best.min(t.elapsed().as_secs_f64() * 1e3);
        }
        let (ok, wrong, pass, why) = match &result {
            Ok(codes) => {
                let ok = codes.iter().any(|c| c.text == want);
                let wrong = codes.iter().any(|c| c.text != want);
                (ok, wrong, codes[0].pass.name().to_string(), String::new())
            }
            Err(ReadError::NoCode(r)) => (false, false, String::new(), format!("{r:?}")),
            Err(e) => (false, false, String::new(), format!("{e:?}")),
        };
        println!(
            "{{\"reader\":\"pora-reader\",\"file\":\"{file}\",\"class\":\"{class}\",\"ok\":{ok},\"wrong\":{wrong},\"ms\":{best:.3},\"pass\":\"{pass}\",\"why\":\"{}\"}}",
            why.replace('"', "'")
        );
    }
}
