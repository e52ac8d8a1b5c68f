//! Deterministic generator of card-like photos of permit QR codes under degradation classes.
//!
//! ```text
//! cargo run --release -p pora-reader --example pora-reader-gen -- OUT_DIR [PER_CLASS] [SEED] [QUALITY] [crop]
//! ```
//! Writes `OUT_DIR/<class>-<nnn>.jpg` and `OUT_DIR/manifest.jsonl` (one `{"file","class","text"}`
//! per line). The payload looks exactly like a permit credential: `PR1:` + Base45 (RFC 9285) of
//! 190–204 random bytes, encoded as QR version 10, EC level M, alphanumeric mode. A 1920x1080 photo
//! holds an ID-1 card (light background, header band, photo box, text-like blocks) with the code on
//! it, seen through a pinhole camera; each class then adds one degradation, except `field`, which
//! combines the officer's conditions: dim light, sensor noise, hand shake, an angle, a small glare
//! and a cheap phone's JPEG, and `no-code`, the same card without a code (expected text empty). `crop` cuts the photo to
//! the card's surroundings (for the small fixed test set).

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use image::codecs::jpeg::JpegEncoder;
use qrcode::{Color, EcLevel, QrCode, Version};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const W: usize = 1920;
const H: usize = 1080;
const CARD_W: f64 = 85.6;
const CARD_H: f64 = 54.0;
/// QR (57 modules, without quiet zone) placement on the card, in mm.
const QR_X: f64 = 50.0;
const QR_Y: f64 = 14.0;
const QR_SIZE: f64 = 32.0;
const MODULES: usize = 57;

/// The degradation classes, in report order.
const CLASSES: &[&str] = &[
    "clean",
    "blur-1",
    "blur-2",
    "motion",
    "tilt-1",
    "tilt-2",
    "rotation",
    "noise-1",
    "noise-2",
    "low-contrast",
    "shadow",
    "jpeg-20",
    "small-2px",
    "small-1.5px",
    "glare",
    "occlusion",
    "low-light",
    "damaged",
    "field",
    "no-code",
];

const B45: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

fn base45(bytes: &[u8]) -> String {
    let mut out = String::new();
    for c in bytes.chunks(2) {
        if c.len() == 2 {
            let mut n = usize::from(c[0]) * 256 + usize::from(c[1]);
            for _ in 0..3 {
                out.push(char::from(B45[n % 45]));
                n /= 45;
            }
        } else {
            let mut n = usize::from(c[0]);
            for _ in 0..2 {
                out.push(char::from(B45[n % 45]));
                n /= 45;
            }
        }
    }
    out
}

fn payload(rng: &mut ChaCha8Rng) -> String {
    let n = rng.gen_range(190..=204);
    let bytes: Vec<u8> = (0..n).map(|_| rng.gen()).collect();
    format!("PR1:{}", base45(&bytes))
}

/// Everything that varies between two photos.
struct Scene {
    modules: Vec<bool>,
    /// Card corners in photo pixels (TL, TR, BR, BL).
    corners: [(f64, f64); 4],
    card_grey: f64,
    header_grey: f64,
    text_rows: Vec<(f64, f64, f64)>,
    bg: (f64, f64, f64),
    finger: Option<(f64, f64, f64, f64, f64)>,
}

/// Camera pose: yaw, pitch, roll in degrees, card width in pixels, centre.
struct Pose {
    yaw: f64,
    pitch: f64,
    roll: f64,
    card_px: f64,
    cx: f64,
    cy: f64,
}

fn project(p: &Pose) -> [(f64, f64); 4] {
    let (yw, pt, rl) = (
        p.yaw.to_radians(),
        p.pitch.to_radians(),
        p.roll.to_radians(),
    );
    let f = 1.3 * W as f64;
    let s = p.card_px / CARD_W;
    let pts = [(0.0, 0.0), (CARD_W, 0.0), (CARD_W, CARD_H), (0.0, CARD_H)];
    // Distance chosen so that the card appears about card_px wide when facing the camera.
    let dist = f / s;
    pts.map(|(u, v)| {
        let (x, y, z) = ((u - CARD_W / 2.0), (v - CARD_H / 2.0), 0.0);
        // roll (z), then yaw (y), then pitch (x)
        let (x, y) = (x * rl.cos() - y * rl.sin(), x * rl.sin() + y * rl.cos());
        let (x, z) = (x * yw.cos() + z * yw.sin(), -x * yw.sin() + z * yw.cos());
        let (y, z) = (y * pt.cos() - z * pt.sin(), y * pt.sin() + z * pt.cos());
        let zc = dist + z;
        (p.cx + f * x / zc, p.cy + f * y / zc)
    })
}

/// Homography mapping `from[i]` to `to[i]` (8 unknowns, h33 = 1), solved by Gaussian elimination.
fn homography(from: &[(f64, f64); 4], to: &[(f64, f64); 4]) -> [f64; 9] {
    let mut a = [[0f64; 9]; 8];
    for i in 0..4 {
        let ((x, y), (u, v)) = (from[i], to[i]);
        a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
        a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
    }
    for c in 0..8 {
        let piv = (c..8)
            .max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))
            .unwrap_or(c);
        a.swap(c, piv);
        for r in 0..8 {
            if r != c {
                let k = a[r][c] / a[c][c];
                let pivot_row = a[c];
                for (dst, src) in a[r].iter_mut().zip(pivot_row).skip(c) {
                    *dst -= k * src;
                }
            }
        }
    }
    let mut h = [0f64; 9];
    for i in 0..8 {
        h[i] = a[i][8] / a[i][i];
    }
    h[8] = 1.0;
    h
}

fn apply(h: &[f64; 9], x: f64, y: f64) -> (f64, f64) {
    let w = h[6] * x + h[7] * y + h[8];
    (
        (h[0] * x + h[1] * y + h[2]) / w,
        (h[3] * x + h[4] * y + h[5]) / w,
    )
}

/// Grey value (0..1) of the scene at card coordinates (u, v) in mm; `None` outside card and finger.
fn card_value(s: &Scene, u: f64, v: f64) -> Option<f64> {
    if let Some((fx, fy, ax, ay, shade)) = s.finger {
        let d = ((u - fx) / ax).powi(2) + ((v - fy) / ay).powi(2);
        if d < 1.0 {
            return Some(shade * (1.0 - 0.25 * d));
        }
    }
    if !(0.0..CARD_W).contains(&u) || !(0.0..CARD_H).contains(&v) {
        return None;
    }
    let m = QR_SIZE / MODULES as f64;
    if (QR_X..QR_X + QR_SIZE).contains(&u) && (QR_Y..QR_Y + QR_SIZE).contains(&v) {
        let i = ((u - QR_X) / m) as usize;
        let j = ((v - QR_Y) / m) as usize;
        let dark = s.modules[j.min(MODULES - 1) * MODULES + i.min(MODULES - 1)];
        return Some(if dark { 0.08 } else { s.card_grey });
    }
    if v < 8.0 {
        return Some(s.header_grey);
    }
    if (4.0..24.0).contains(&u) && (12.0..38.0).contains(&v) {
        let r = ((u - 14.0).powi(2) + (v - 22.0).powi(2)).sqrt();
        return Some(if r < 6.0 || (v > 30.0 && (u - 14.0).abs() < 8.0) {
            0.35
        } else {
            0.6
        });
    }
    for &(x, y, len) in &s.text_rows {
        if (x..x + len).contains(&u) && (y..y + 1.6).contains(&v) {
            return Some(0.18);
        }
    }
    Some(s.card_grey)
}

fn render(s: &Scene) -> Vec<f64> {
    let card = [(0.0, 0.0), (CARD_W, 0.0), (CARD_W, CARD_H), (0.0, CARD_H)];
    let inv = homography(&s.corners, &card);
    let mut img = vec![0f64; W * H];
    // Bounding box of the card (plus the finger, which may stick out) gets 3x3 supersampling.
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for &(x, y) in &s.corners {
        x0 = x0.min(x);
        y0 = y0.min(y);
        x1 = x1.max(x);
        y1 = y1.max(y);
    }
    let pad = (x1 - x0) * 0.6;
    let (bx0, by0) = ((x0 - pad).max(0.0) as usize, (y0 - pad).max(0.0) as usize);
    let (bx1, by1) = (((x1 + pad) as usize).min(W), ((y1 + pad) as usize).min(H));
    for y in 0..H {
        for x in 0..W {
            let bg = s.bg.0 + s.bg.1 * (x as f64 / W as f64) + s.bg.2 * (y as f64 / H as f64);
            let inside = (bx0..bx1).contains(&x) && (by0..by1).contains(&y);
            let mut acc = 0.0;
            let n = if inside { 3 } else { 1 };
            for sy in 0..n {
                for sx in 0..n {
                    let px = x as f64 + (sx as f64 + 0.5) / n as f64;
                    let py = y as f64 + (sy as f64 + 0.5) / n as f64;
                    let v = if inside {
                        let (u, v) = apply(&inv, px, py);
                        card_value(s, u, v).unwrap_or(bg)
                    } else {
                        bg
                    };
                    acc += v;
                }
            }
            img[y * W + x] = acc / (n * n) as f64;
        }
    }
    img
}

fn gaussian(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = rng.gen_range(1e-12..1.0);
    let u2: f64 = rng.gen();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

fn blur(img: &[f64], sigma: f64) -> Vec<f64> {
    let r = (3.0 * sigma).ceil() as isize;
    let k: Vec<f64> = (-r..=r)
        .map(|i| (-(i * i) as f64 / (2.0 * sigma * sigma)).exp())
        .collect();
    let ks: f64 = k.iter().sum();
    let pass = |src: &[f64], horiz: bool| {
        let mut out = vec![0f64; W * H];
        for y in 0..H as isize {
            for x in 0..W as isize {
                let mut acc = 0.0;
                for (i, kv) in (-r..=r).zip(&k) {
                    let (xx, yy) = if horiz {
                        ((x + i).clamp(0, W as isize - 1), y)
                    } else {
                        (x, (y + i).clamp(0, H as isize - 1))
                    };
                    acc += kv * src[yy as usize * W + xx as usize];
                }
                out[y as usize * W + x as usize] = acc / ks;
            }
        }
        out
    };
    pass(&pass(img, true), false)
}

fn motion(img: &[f64], len: usize, angle: f64) -> Vec<f64> {
    let (dx, dy) = (angle.cos(), angle.sin());
    let mut out = vec![0f64; W * H];
    for y in 0..H {
        for x in 0..W {
            let mut acc = 0.0;
            for i in 0..len {
                let t = i as f64 - (len - 1) as f64 / 2.0;
                let xx = (x as f64 + t * dx).round().clamp(0.0, W as f64 - 1.0) as usize;
                let yy = (y as f64 + t * dy).round().clamp(0.0, H as f64 - 1.0) as usize;
                acc += img[yy * W + xx];
            }
            out[y * W + x] = acc / len as f64;
        }
    }
    out
}

/// Adds a specular highlight: a gaussian core of radius `r` and amplitude `amp` (above 1 it
/// saturates) plus a three times wider sheen of amplitude `sheen`.
fn highlight(img: &mut [f64], (cx, cy): (f64, f64), r: f64, amp: f64, sheen: f64) {
    for y in 0..H {
        for x in 0..W {
            let d2 = (x as f64 - cx).powi(2) + (y as f64 - cy).powi(2);
            img[y * W + x] +=
                amp * (-d2 / (2.0 * r * r)).exp() + sheen * (-d2 / (18.0 * r * r)).exp();
        }
    }
}

struct Shot {
    class: &'static str,
    text: String,
    image: Vec<u8>,
    width: usize,
    height: usize,
}

fn make(class: &'static str, rng: &mut ChaCha8Rng, quality: u8, crop: bool) -> Shot {
    let text = payload(rng);
    let code = QrCode::with_version(text.as_bytes(), Version::Normal(10), EcLevel::M)
        .unwrap_or_else(|e| panic!("payload must fit version 10-M: {e:?}"));
    let mut modules: Vec<bool> = code.to_colors().iter().map(|c| *c == Color::Dark).collect();
    assert_eq!(modules.len(), MODULES * MODULES);

    let module_px = match class {
        "small-2px" => rng.gen_range(1.9..2.1),
        "small-1.5px" => rng.gen_range(1.45..1.6),
        "field" => rng.gen_range(2.5..4.0),
        _ => rng.gen_range(3.5..6.0),
    };
    let card_px = module_px * MODULES as f64 * CARD_W / QR_SIZE;
    // A card without a code (a frame a camera delivers while the officer aims): nothing may be read.
    let text = if class == "no-code" {
        modules.fill(false);
        String::new()
    } else {
        text
    };
    let (mut yaw, mut pitch) = (rng.gen_range(-8.0..8.0), rng.gen_range(-8.0..8.0));
    let mut roll = rng.gen_range(-10.0..10.0);
    match class {
        "tilt-1" => {
            yaw = rng.gen_range(30.0..40.0) * if rng.gen() { 1.0 } else { -1.0 };
            pitch = rng.gen_range(-15.0..15.0);
        }
        "tilt-2" => {
            yaw = rng.gen_range(50.0..58.0) * if rng.gen() { 1.0 } else { -1.0 };
            pitch = rng.gen_range(-20.0..20.0);
        }
        "rotation" => roll = rng.gen_range(20.0..340.0),
        "field" => {
            yaw = rng.gen_range(20.0..35.0) * if rng.gen() { 1.0 } else { -1.0 };
            pitch = rng.gen_range(-15.0..15.0);
            roll = rng.gen_range(-25.0..25.0);
        }
        _ => {}
    }
    let half = card_px * 0.75;
    let pose = Pose {
        yaw,
        pitch,
        roll,
        card_px,
        cx: rng.gen_range(half..W as f64 - half),
        cy: {
            let m = (half * 0.8).min(H as f64 / 2.0 - 1.0);
            rng.gen_range(m..H as f64 - m)
        },
    };
    let mut text_rows = Vec::new();
    for i in 0..8 {
        text_rows.push((26.0, 12.0 + 4.2 * i as f64, rng.gen_range(8.0..20.0)));
    }
    for i in 0..3 {
        text_rows.push((4.0, 41.0 + 4.0 * i as f64, rng.gen_range(10.0..40.0)));
    }
    let finger = matches!(class, "occlusion" | "damaged").then(|| {
        // A fingertip entering from below the code's bottom-right quadrant, covering part of the
        // data region but no finder pattern. "damaged" covers far more than EC level M can
        // restore: the only acceptable outcomes are the right text or nothing.
        let m = QR_SIZE / MODULES as f64;
        let (depth, ax) = if class == "damaged" {
            (rng.gen_range(28.0..36.0) * m, rng.gen_range(10.0..12.0))
        } else {
            (rng.gen_range(8.0..16.0) * m, rng.gen_range(7.0..10.0))
        };
        let ay = 30.0;
        let fx = QR_X + rng.gen_range(0.55..0.8) * QR_SIZE;
        let fy = QR_Y + QR_SIZE - depth + ay;
        (fx, fy, ax, ay, rng.gen_range(0.45..0.7))
    });
    let scene = Scene {
        modules,
        corners: project(&pose),
        card_grey: rng.gen_range(0.82..0.95),
        header_grey: rng.gen_range(0.45..0.65),
        text_rows,
        bg: (
            rng.gen_range(0.25..0.55),
            rng.gen_range(-0.1..0.1),
            rng.gen_range(-0.1..0.1),
        ),
        finger,
    };
    let mut img = render(&scene);

    // Scene lighting: a mild gradient across the frame.
    let (gx, gy) = (rng.gen_range(-0.12..0.12), rng.gen_range(-0.12..0.12));
    for y in 0..H {
        for x in 0..W {
            img[y * W + x] *=
                1.0 + gx * (x as f64 / W as f64 - 0.5) + gy * (y as f64 / H as f64 - 0.5);
        }
    }
    let qr_centre = {
        let card = [(0.0, 0.0), (CARD_W, 0.0), (CARD_W, CARD_H), (0.0, CARD_H)];
        let h = homography(&card, &scene.corners);
        apply(&h, QR_X + QR_SIZE / 2.0, QR_Y + QR_SIZE / 2.0)
    };
    let qr_px = module_px * MODULES as f64;
    match class {
        "shadow" => {
            // A soft-edged shadow (e.g. the officer's hand or phone) across the code.
            let a: f64 = rng.gen_range(0.0..std::f64::consts::TAU);
            let (nx, ny) = (a.cos(), a.sin());
            let off = rng.gen_range(-0.3..0.3) * qr_px;
            let depth = rng.gen_range(0.65..0.85);
            let soft = rng.gen_range(0.02..0.2) * qr_px;
            for y in 0..H {
                for x in 0..W {
                    let d = (x as f64 - qr_centre.0) * nx + (y as f64 - qr_centre.1) * ny - off;
                    let t = 1.0 / (1.0 + (-d / soft).exp());
                    img[y * W + x] *= 1.0 - depth * t;
                }
            }
        }
        "glare" => {
            // Specular highlight on the laminate: a saturated core over part of the code plus a sheen.
            let r = rng.gen_range(0.10..0.17) * qr_px;
            let (cx, cy) = (
                qr_centre.0 + rng.gen_range(-0.25..0.25) * qr_px,
                qr_centre.1 + rng.gen_range(-0.25..0.25) * qr_px,
            );
            let amp = rng.gen_range(1.0..1.6);
            highlight(&mut img, (cx, cy), r, amp, 0.35);
        }
        _ => {}
    }
    if class == "field" {
        // A smaller highlight on the laminate.
        let r = rng.gen_range(0.06..0.11) * qr_px;
        let (cx, cy) = (
            qr_centre.0 + rng.gen_range(-0.3..0.3) * qr_px,
            qr_centre.1 + rng.gen_range(-0.3..0.3) * qr_px,
        );
        let amp = rng.gen_range(0.7..1.2);
        highlight(&mut img, (cx, cy), r, amp, 0.0);
    }
    // Optics: every photo is slightly soft.
    img = blur(&img, 0.6);
    match class {
        "blur-1" => img = blur(&img, module_px * rng.gen_range(0.28..0.35)),
        "blur-2" => img = blur(&img, module_px * rng.gen_range(0.40..0.48)),
        "motion" => {
            img = motion(
                &img,
                (module_px * rng.gen_range(1.5..2.0)) as usize,
                rng.gen_range(0.0..std::f64::consts::PI),
            )
        }
        "low-contrast" => {
            let mid = rng.gen_range(0.35..0.6);
            let k = rng.gen_range(0.08..0.15);
            for v in &mut img {
                *v = mid + (*v - 0.5) * k;
            }
        }
        "field" => {
            // Dim hall, hand shake, cheap sensor: some motion, low exposure (noise added below).
            img = motion(
                &img,
                ((module_px * rng.gen_range(0.6..1.1)) as usize).max(2),
                rng.gen_range(0.0..std::f64::consts::PI),
            );
            let k = rng.gen_range(0.2..0.35);
            for v in &mut img {
                *v *= k;
            }
        }
        "low-light" => {
            let k = rng.gen_range(0.1..0.16);
            for v in &mut img {
                *v *= k;
            }
            img = blur(&img, 0.5);
        }
        _ => {}
    }
    let sigma = match class {
        "noise-1" => 12.0,
        "noise-2" => 24.0,
        "low-light" => 4.0,
        "field" => 7.0,
        _ => 2.0,
    } / 255.0;
    let tint = [1.0, 0.97, 0.92];
    let (cx0, cy0, cw, ch) = if crop {
        let xs = scene.corners.map(|p| p.0);
        let ys = scene.corners.map(|p| p.1);
        let pad = 40.0;
        let x0 = (xs.iter().copied().fold(f64::MAX, f64::min) - pad).max(0.0) as usize;
        let y0 = (ys.iter().copied().fold(f64::MAX, f64::min) - pad).max(0.0) as usize;
        let x1 = ((xs.iter().copied().fold(f64::MIN, f64::max) + pad) as usize).min(W);
        let y1 = ((ys.iter().copied().fold(f64::MIN, f64::max) + pad) as usize).min(H);
        (x0, y0, x1 - x0, y1 - y0)
    } else {
        (0, 0, W, H)
    };
    let mut rgb = Vec::with_capacity(cw * ch * 3);
    for y in cy0..cy0 + ch {
        for x in cx0..cx0 + cw {
            let v = img[y * W + x] + sigma * gaussian(rng);
            for t in tint {
                rgb.push((v * t * 255.0).round().clamp(0.0, 255.0) as u8);
            }
        }
    }
    let q = match class {
        "jpeg-20" => 20,
        "field" => 60,
        _ => quality,
    };
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, q)
        .encode(&rgb, cw as u32, ch as u32, image::ExtendedColorType::Rgb8)
        .unwrap_or_else(|e| panic!("JPEG encoding of a valid buffer: {e}"));
    Shot {
        class,
        text,
        image: out,
        width: cw,
        height: ch,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let out = PathBuf::from(args.get(1).map_or("bench/reader/out", String::as_str));
    let per_class: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(20);
    let seed: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(2026);
    let quality: u8 = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(90);
    let crop = args.get(5).is_some_and(|s| s == "crop");
    fs::create_dir_all(&out).unwrap_or_else(|e| panic!("create {}: {e}", out.display()));
    let mut manifest = String::new();
    for (ci, class) in CLASSES.iter().enumerate() {
        for i in 0..per_class {
            // One RNG stream per image: adding classes or images does not change existing ones.
            let mut rng = ChaCha8Rng::seed_from_u64(seed ^ ((ci as u64) << 32) ^ i as u64);
            let shot = make(class, &mut rng, quality, crop);
            let file = format!("{}-{i:03}.jpg", shot.class);
            write(&out.join(&file), &shot.image);
            let _ = writeln!(
                manifest,
                "{{\"file\":\"{file}\",\"class\":\"{}\",\"text\":\"{}\",\"width\":{},\"height\":{}}}",
                shot.class, shot.text, shot.width, shot.height
            );
        }
        eprintln!("{class}: {per_class}");
    }
    write(&out.join("manifest.jsonl"), manifest.as_bytes());
}

fn write(path: &Path, bytes: &[u8]) {
    fs::write(path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}
