//! Writes the benchmark frames for `bench/wasm/bench.mjs` as raw RGBA8 files plus a manifest, so the
//! wasm reader and zxing-wasm get exactly the same pixels (no image decoder in the timed loop).
//!
//! ```text
//! cargo run --release -p pora-wasm --example pora-wasm-frames -- OUT_DIR [GEN_DIR]
//! ```
//! Frames: every testkit vector PNG as it is (`vector`), the same code pasted at 2x scale on a
//! 1280x720 grey canvas with mild noise (`canvas-720p`), and, with `GEN_DIR` (the output of
//! `pora-reader-gen`: JPEGs and `manifest.jsonl`), each generated 1920x1080 photo (`gen-<class>`).
//! `OUT_DIR/frames.json` lists `{name, group, width, height, file, text}`; `text` is empty for a
//! frame without a code.

use std::fs;
use std::path::{Path, PathBuf};

use image::RgbaImage;
use pora_testkit::vectors;
use serde_json::{json, Value};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn write_frame(out: &Path, name: &str, group: &str, img: &RgbaImage, text: &str) -> Res<Value> {
    let file = format!("{name}.rgba");
    fs::write(out.join(&file), img.as_raw())?;
    Ok(json!({
        "name": name,
        "group": group,
        "width": img.width(),
        "height": img.height(),
        "file": file,
        "text": text,
    }))
}

/// A small deterministic generator (xorshift64*), enough for pixel noise.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Roughly triangular noise in -amp..=amp.
    fn tri(&mut self, amp: i32) -> i32 {
        let r = self.next();
        let a = (r & 0xffff) as i32 % (amp + 1);
        let b = ((r >> 16) & 0xffff) as i32 % (amp + 1);
        a - b
    }
}

/// The code scaled 2x (nearest), pasted off-centre on a grey 1280x720 canvas, with noise and a
/// slight grey cast on the paper (not pure black on pure white).
fn on_canvas(code: &RgbaImage, seed: u64) -> RgbaImage {
    let (w, h) = (1280u32, 720u32);
    let scale = 2;
    let mut rng = Noise(seed | 1);
    let mut img = RgbaImage::from_pixel(w, h, image::Rgba([118, 120, 116, 255]));
    let (cw, ch) = (code.width() * scale, code.height() * scale);
    let x0 = (w.saturating_sub(cw)) / 3;
    let y0 = (h.saturating_sub(ch)) / 4;
    for y in 0..ch.min(h - y0) {
        for x in 0..cw.min(w - x0) {
            let p = code.get_pixel(x / scale, y / scale);
            // Paper 225, ink 35: a printed card under indoor light.
            let l = 35 + (i32::from(p[0]) * 190) / 255;
            img.put_pixel(
                x0 + x,
                y0 + y,
                image::Rgba([l as u8, l as u8, l as u8, 255]),
            );
        }
    }
    for px in img.pixels_mut() {
        let n = rng.tri(12);
        for c in 0..3 {
            px[c] = (i32::from(px[c]) + n).clamp(0, 255) as u8;
        }
    }
    img
}

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().collect();
    let out = PathBuf::from(
        args.get(1)
            .ok_or("usage: pora-wasm-frames OUT_DIR [GEN_DIR]")?,
    );
    let gen_dir = args.get(2).map(PathBuf::from);
    fs::create_dir_all(&out)?;
    let mut frames = Vec::new();

    let (_, cases) = vectors::load();
    for (i, case) in cases.iter().enumerate() {
        let png = fs::read(vectors::dir().join("png").join(&case.layers.qr_png))?;
        let img = image::load_from_memory(&png)?.to_rgba8();
        frames.push(write_frame(
            &out,
            &case.name,
            "vector",
            &img,
            &case.layers.qr_text,
        )?);
        let canvas = on_canvas(&img, 0x9E37_79B9 + i as u64);
        let name = format!("canvas-{}", case.name);
        frames.push(write_frame(
            &out,
            &name,
            "canvas-720p",
            &canvas,
            &case.layers.qr_text,
        )?);
    }

    if let Some(dir) = gen_dir {
        let manifest = fs::read_to_string(dir.join("manifest.jsonl"))?;
        for line in manifest.lines().filter(|l| !l.trim().is_empty()) {
            let entry: Value = serde_json::from_str(line)?;
            let file = entry["file"]
                .as_str()
                .ok_or("manifest entry without file")?;
            let class = entry["class"]
                .as_str()
                .ok_or("manifest entry without class")?;
            let text = entry["text"]
                .as_str()
                .ok_or("manifest entry without text")?;
            let img = image::open(dir.join(file))?.to_rgba8();
            let stem = Path::new(file)
                .file_stem()
                .and_then(|s| s.to_str())
                .ok_or("bad file name")?;
            let name = format!("gen-{stem}");
            frames.push(write_frame(
                &out,
                &name,
                &format!("gen-{class}"),
                &img,
                text,
            )?);
        }
    }

    fs::write(
        out.join("frames.json"),
        serde_json::to_string_pretty(&frames)?,
    )?;
    eprintln!("{} frames in {}", frames.len(), out.display());
    Ok(())
}
