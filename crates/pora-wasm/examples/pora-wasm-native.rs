//! The same reads as `bench/wasm/bench.mjs`, natively: pora-reader (full cascade) on every frame of
//! `FRAMES_DIR/frames.json`, to put the wasm timings next to the native ones. Writes
//! `FRAMES_DIR/native.json` (`{name: {decoded, wrong, ms}}`), which bench.mjs picks up.
//!
//! ```text
//! cargo run --release -p pora-wasm --example pora-wasm-native -- FRAMES_DIR
//! ```

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;
use std::time::Instant;

use pora_reader::ReadOptions;
use serde_json::{json, Value};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let m = xs.len() / 2;
    if xs.len() % 2 == 1 {
        xs[m]
    } else {
        (xs[m - 1] + xs[m]) / 2.0
    }
}

fn main() -> Res<()> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .ok_or("usage: pora-wasm-native FRAMES_DIR")?,
    );
    let frames: Vec<Value> = serde_json::from_str(&fs::read_to_string(dir.join("frames.json"))?)?;
    let opts = ReadOptions::default();
    let mut out = BTreeMap::new();
    for f in &frames {
        let name = f["name"].as_str().ok_or("frame without name")?;
        let file = f["file"].as_str().ok_or("frame without file")?;
        let text = f["text"].as_str().ok_or("frame without text")?;
        let w = u32::try_from(f["width"].as_u64().ok_or("frame without width")?)?;
        let h = u32::try_from(f["height"].as_u64().ok_or("frame without height")?)?;
        let px = fs::read(dir.join(file))?;
        // The same repetitions as bench.mjs.
        let pixels = u64::from(w) * u64::from(h);
        let reps = if pixels > 1_000_000 {
            3
        } else if pixels > 300_000 {
            5
        } else {
            15
        };
        let texts: Vec<String> = pora_reader::read_rgba(w, h, &px, &opts)
            .map(|codes| codes.into_iter().map(|c| c.text).collect())
            .unwrap_or_default();
        let mut times = Vec::with_capacity(reps);
        for _ in 0..reps {
            let t = Instant::now();
            let _ = pora_reader::read_rgba(w, h, &px, &opts);
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        out.insert(
            name.to_string(),
            json!({
                "decoded": !text.is_empty() && texts.iter().any(|t| t == text),
                "wrong": texts.iter().filter(|t| *t != text).count(),
                "ms": median(times),
            }),
        );
    }
    fs::write(dir.join("native.json"), serde_json::to_string_pretty(&out)?)?;
    eprintln!("{} frames read natively", out.len());
    Ok(())
}
