//! Greyscale image type and the cheap image operations the preprocessing cascade is built from.

use rxing::common::{BitMatrix, HybridBinarizer};
use rxing::{Binarizer, Luma8LuminanceSource};

/// An 8-bit greyscale image, row-major, `data.len() == width * height`.
#[derive(Debug, Clone)]
pub(crate) struct Luma {
    pub width: usize,
    pub height: usize,
    pub data: Vec<u8>,
}

impl Luma {
    pub fn new(width: usize, height: usize, data: Vec<u8>) -> Self {
        debug_assert_eq!(data.len(), width * height);
        Self {
            width,
            height,
            data,
        }
    }

    fn px(&self, x: usize, y: usize) -> u8 {
        self.data[y * self.width + x]
    }
}

/// zxing's hybrid (block-local average) binarizer, the same first pass zxing-cpp uses.
pub(crate) fn hybrid(img: &Luma) -> Option<BitMatrix> {
    let source = Luma8LuminanceSource::new(img.data.clone(), img.width as u32, img.height as u32);
    HybridBinarizer::new(source)
        .get_black_matrix()
        .ok()
        .cloned()
}

/// Packs a per-pixel predicate "is dark" into a `BitMatrix`.
fn pack(img: &Luma, mut dark: impl FnMut(usize, usize, u8) -> bool) -> Option<BitMatrix> {
    let mut bits = BitMatrix::new(img.width as u32, img.height as u32).ok()?;
    for y in 0..img.height {
        let row = &img.data[y * img.width..(y + 1) * img.width];
        for (x, &v) in row.iter().enumerate() {
            if dark(x, y, v) {
                bits.set(x as u32, y as u32);
            }
        }
    }
    Some(bits)
}

/// Global Otsu threshold over the whole image.
pub(crate) fn otsu(img: &Luma) -> Option<BitMatrix> {
    let t = otsu_threshold(&histogram(&img.data));
    pack(img, |_, _, v| v <= t)
}

/// Local mean threshold over a `(2r+1)^2` window using an integral image: dark if
/// `v * 100 < mean * (100 - k)`, with a floor on the local range so flat areas stay light.
pub(crate) fn local_mean(img: &Luma, r: usize, k: u32) -> Option<BitMatrix> {
    let w = img.width;
    let h = img.height;
    let ii = integral(img);
    let stride = w + 1;
    pack(img, |x, y, v| {
        let x0 = x.saturating_sub(r);
        let y0 = y.saturating_sub(r);
        let x1 = (x + r + 1).min(w);
        let y1 = (y + r + 1).min(h);
        let sum = ii[y1 * stride + x1] + ii[y0 * stride + x0]
            - ii[y0 * stride + x1]
            - ii[y1 * stride + x0];
        let n = ((x1 - x0) * (y1 - y0)) as u64;
        // dark if v < mean * (1 - k/100)
        u64::from(v) * n * 100 < sum * u64::from(100 - k)
    })
}

fn integral(img: &Luma) -> Vec<u64> {
    let w = img.width;
    let stride = w + 1;
    let mut ii = vec![0u64; stride * (img.height + 1)];
    for y in 0..img.height {
        let mut row = 0u64;
        for x in 0..w {
            row += u64::from(img.px(x, y));
            ii[(y + 1) * stride + x + 1] = ii[y * stride + x + 1] + row;
        }
    }
    ii
}

pub(crate) fn histogram(data: &[u8]) -> [u64; 256] {
    let mut h = [0u64; 256];
    for &v in data {
        h[v as usize] += 1;
    }
    h
}

pub(crate) fn otsu_threshold(hist: &[u64; 256]) -> u8 {
    let total: u64 = hist.iter().sum();
    let sum_all: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, &c)| i as f64 * c as f64)
        .sum();
    let (mut w_b, mut sum_b, mut best, mut best_t) = (0f64, 0f64, -1f64, 127u8);
    for (t, &c) in hist.iter().enumerate() {
        w_b += c as f64;
        if w_b == 0.0 {
            continue;
        }
        let w_f = total as f64 - w_b;
        if w_f == 0.0 {
            break;
        }
        sum_b += t as f64 * c as f64;
        let m_b = sum_b / w_b;
        let m_f = (sum_all - sum_b) / w_f;
        let between = w_b * w_f * (m_b - m_f) * (m_b - m_f);
        if between > best {
            best = between;
            best_t = t as u8;
        }
    }
    best_t
}

/// Value at percentile `p` (0..=100) of a histogram.
pub(crate) fn percentile(hist: &[u64; 256], p: u64) -> u8 {
    let total: u64 = hist.iter().sum();
    let target = total * p / 100;
    let mut acc = 0;
    for (i, &c) in hist.iter().enumerate() {
        acc += c;
        if acc > target {
            return i as u8;
        }
    }
    255
}

/// Linear contrast stretch mapping the 1st..99th percentile to 0..255.
pub(crate) fn stretch(img: &Luma) -> Luma {
    let hist = histogram(&img.data);
    let lo = i32::from(percentile(&hist, 1));
    let hi = i32::from(percentile(&hist, 99)).max(lo + 1);
    let lut: Vec<u8> = (0..256)
        .map(|v| (((v - lo) * 255) / (hi - lo)).clamp(0, 255) as u8)
        .collect();
    Luma::new(
        img.width,
        img.height,
        img.data.iter().map(|&v| lut[v as usize]).collect(),
    )
}

/// 3x3 box blur (denoise), edges clamped.
pub(crate) fn box3(img: &Luma) -> Luma {
    let (w, h) = (img.width, img.height);
    let mut out = vec![0u8; w * h];
    for y in 0..h {
        let ys = [y.saturating_sub(1), y, (y + 1).min(h - 1)];
        for x in 0..w {
            let xs = [x.saturating_sub(1), x, (x + 1).min(w - 1)];
            let mut s = 0u32;
            for &yy in &ys {
                for &xx in &xs {
                    s += u32::from(img.px(xx, yy));
                }
            }
            out[y * w + x] = (s / 9) as u8;
        }
    }
    Luma::new(w, h, out)
}

/// Downscale by an integer factor with area averaging.
pub(crate) fn downscale(img: &Luma, f: usize) -> Luma {
    let (w, h) = (img.width / f, img.height / f);
    let mut out = vec![0u8; w * h];
    let n = (f * f) as u32;
    for y in 0..h {
        for x in 0..w {
            let mut s = 0u32;
            for dy in 0..f {
                let row = (y * f + dy) * img.width + x * f;
                s += img.data[row..row + f]
                    .iter()
                    .map(|&v| u32::from(v))
                    .sum::<u32>();
            }
            out[y * w + x] = (s / n) as u8;
        }
    }
    Luma::new(w, h, out)
}

/// Crop to `[x0, x0+w) x [y0, y0+h)` (clamped) and upscale by `f` with bilinear interpolation.
pub(crate) fn crop_upscale(
    img: &Luma,
    x0: usize,
    y0: usize,
    cw: usize,
    ch: usize,
    f: usize,
) -> Luma {
    let x0 = x0.min(img.width.saturating_sub(1));
    let y0 = y0.min(img.height.saturating_sub(1));
    let cw = cw.min(img.width - x0);
    let ch = ch.min(img.height - y0);
    let (w, h) = (cw * f, ch * f);
    let mut out = vec![0u8; w * h];
    let ff = f as f32;
    for y in 0..h {
        let sy = ((y as f32 + 0.5) / ff - 0.5).max(0.0);
        let iy = (sy as usize).min(ch - 1);
        let iy1 = (iy + 1).min(ch - 1);
        let fy = sy - iy as f32;
        for x in 0..w {
            let sx = ((x as f32 + 0.5) / ff - 0.5).max(0.0);
            let ix = (sx as usize).min(cw - 1);
            let ix1 = (ix + 1).min(cw - 1);
            let fx = sx - ix as f32;
            let p = |xx: usize, yy: usize| f32::from(img.px(x0 + xx, y0 + yy));
            let top = p(ix, iy) * (1.0 - fx) + p(ix1, iy) * fx;
            let bot = p(ix, iy1) * (1.0 - fx) + p(ix1, iy1) * fx;
            out[y * w + x] = (top * (1.0 - fy) + bot * fy).round().clamp(0.0, 255.0) as u8;
        }
    }
    Luma::new(w, h, out)
}

/// Variance of the 3x3 Laplacian, sampled on every second pixel (a sharpness measure).
pub(crate) fn laplacian_variance(img: &Luma) -> f32 {
    if img.width < 3 || img.height < 3 {
        return 0.0;
    }
    let (mut s, mut s2, mut n) = (0f64, 0f64, 0f64);
    for y in (1..img.height - 1).step_by(2) {
        for x in (1..img.width - 1).step_by(2) {
            let l = 4 * i32::from(img.px(x, y))
                - i32::from(img.px(x - 1, y))
                - i32::from(img.px(x + 1, y))
                - i32::from(img.px(x, y - 1))
                - i32::from(img.px(x, y + 1));
            s += f64::from(l);
            s2 += f64::from(l) * f64::from(l);
            n += 1.0;
        }
    }
    let m = s / n;
    (s2 / n - m * m) as f32
}
