//! Greyscale image type and the cheap image operations the preprocessing cascade is built from.

use std::borrow::Cow;

use rxing::common::{BitArray, BitMatrix};

/// An 8-bit greyscale image, row-major, `data.len() == width * height`. Borrows a caller's frame
/// where it can, so the first pass copies nothing.
#[derive(Debug, Clone)]
pub(crate) struct Luma<'a> {
    pub width: usize,
    pub height: usize,
    pub data: Cow<'a, [u8]>,
}

impl<'a> Luma<'a> {
    pub fn new(width: usize, height: usize, data: impl Into<Cow<'a, [u8]>>) -> Self {
        let data = data.into();
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

    fn row(&self, y: usize) -> &[u8] {
        &self.data[y * self.width..(y + 1) * self.width]
    }
}

const WORD: usize = usize::BITS as usize;

/// Builds a `BitMatrix` row by row: `dark(y, row, mask)` fills `mask[x] = 1` for dark pixels
/// (and 0 for light ones; every entry must be written).
fn pack_rows(w: usize, h: usize, mut dark: impl FnMut(usize, &mut [u8])) -> Option<BitMatrix> {
    let mut bits = BitMatrix::new(u32::try_from(w).ok()?, u32::try_from(h).ok()?).ok()?;
    // Padded to whole words so the packing below never reads past the end.
    let mut mask = vec![0u8; w.div_ceil(WORD) * WORD];
    let mut row = BitArray::with_size(w);
    for y in 0..h {
        dark(y, &mut mask[..w]);
        for (i, chunk) in mask.chunks_exact(WORD).enumerate() {
            row.setBulk(i * WORD, pack_word(chunk));
        }
        // `y < h` and `h` fits u32 (checked above).
        bits.setRow(y as u32, &row);
    }
    Some(bits)
}

/// Packs `WORD` bytes, each 0 or 1, into one word, byte `i` to bit `i`.
fn pack_word(bytes: &[u8]) -> usize {
    let mut word = 0usize;
    for (k, eight) in bytes.chunks_exact(8).enumerate() {
        let mut b = [0u8; 8];
        b.copy_from_slice(eight);
        // Each byte is 0 or 1; the multiplication gathers byte i's low bit into bit 56 + i.
        let gathered = u64::from_le_bytes(b).wrapping_mul(0x0102_0408_1020_4080) >> 56;
        word |= (gathered as usize) << (8 * k);
    }
    word
}

/// Packs a per-pixel predicate "is dark" into a `BitMatrix`.
fn pack(img: &Luma, mut dark: impl FnMut(usize, usize, u8) -> bool) -> Option<BitMatrix> {
    pack_rows(img.width, img.height, |y, mask| {
        for (x, (&v, m)) in img.row(y).iter().zip(mask.iter_mut()).enumerate() {
            *m = u8::from(dark(x, y, v));
        }
    })
}

const BLOCK: usize = 8;
/// zxing's minimum 8x8 block range for a block to count as textured.
pub(crate) const MIN_DYNAMIC_RANGE: u32 = 24;

/// zxing's hybrid binarizer (the one zxing-cpp runs first): per 8x8 block black points, each
/// block thresholded at the mean black point of the surrounding 5x5 blocks; flat blocks inherit
/// their neighbours' black point. Falls back to Otsu on images under 40 px a side.
pub(crate) fn hybrid(img: &Luma, min_range: u32) -> Option<BitMatrix> {
    let (w, h) = (img.width, img.height);
    if w < 5 * BLOCK || h < 5 * BLOCK {
        return otsu(img);
    }
    let (bw, bh) = (w.div_ceil(BLOCK), h.div_ceil(BLOCK));
    let mut black = vec![0u32; bw * bh];
    // Column-wise accumulation over the block's 8 rows (vectorises), then per-block reduction.
    let (mut csum, mut cmin, mut cmax) = (vec![0u16; w], vec![0u8; w], vec![0u8; w]);
    let (mut sum, mut min, mut max) = (vec![0u32; bw], vec![0u8; bw], vec![0u8; bw]);
    for by in 0..bh {
        let y0 = (by * BLOCK).min(h - BLOCK);
        csum.fill(0);
        cmin.fill(255);
        cmax.fill(0);
        for y in y0..y0 + BLOCK {
            for (((&v, s), lo), hi) in img
                .row(y)
                .iter()
                .zip(csum.iter_mut())
                .zip(cmin.iter_mut())
                .zip(cmax.iter_mut())
            {
                *s += u16::from(v);
                *lo = (*lo).min(v);
                *hi = (*hi).max(v);
            }
        }
        for bx in 0..bw {
            // The last block is shifted left to fit when w % 8 != 0.
            let x0 = (bx * BLOCK).min(w - BLOCK);
            sum[bx] = csum[x0..x0 + BLOCK].iter().map(|&v| u32::from(v)).sum();
            min[bx] = cmin[x0..x0 + BLOCK].iter().copied().fold(255, u8::min);
            max[bx] = cmax[x0..x0 + BLOCK].iter().copied().fold(0, u8::max);
        }
        for bx in 0..bw {
            let (lo, hi) = (u32::from(min[bx]), u32::from(max[bx]));
            let mut avg = sum[bx] / (BLOCK * BLOCK) as u32;
            if hi - lo <= min_range {
                avg = lo / 2;
                if by > 0 && bx > 0 {
                    let nb = (black[(by - 1) * bw + bx]
                        + 2 * black[by * bw + bx - 1]
                        + black[(by - 1) * bw + bx - 1])
                        / 4;
                    if lo < nb {
                        avg = nb;
                    }
                }
            }
            black[by * bw + bx] = avg;
        }
    }
    // Per block: mean of the 5x5 neighbourhood of black points (clamped to the grid).
    let mut thr = vec![0u8; bw * bh];
    for by in 0..bh {
        let cy = by.clamp(2, bh - 3);
        for bx in 0..bw {
            let cx = bx.clamp(2, bw - 3);
            let mut s = 0u32;
            for yy in cy - 2..=cy + 2 {
                s += black[yy * bw + cx - 2..=yy * bw + cx + 2]
                    .iter()
                    .sum::<u32>();
            }
            // Mean of values <= 255.
            thr[by * bw + bx] = (s / 25) as u8;
        }
    }
    pack_rows(w, h, |y, mask| {
        // Pixels of the last partial block row/column use the block that was shifted to fit.
        let by = (y / BLOCK).min(bh - 1);
        let trow = &thr[by * bw..(by + 1) * bw];
        for ((px, m), &t) in img
            .row(y)
            .chunks(BLOCK)
            .zip(mask.chunks_mut(BLOCK))
            .zip(trow)
        {
            for (&v, m) in px.iter().zip(m) {
                *m = u8::from(v <= t);
            }
        }
    })
}

/// Global Otsu threshold over the whole image.
pub(crate) fn otsu(img: &Luma) -> Option<BitMatrix> {
    let t = otsu_threshold(&histogram(&img.data));
    pack(img, |_, _, v| v <= t)
}

/// Local mean threshold over a `(2r+1)^2` window (clamped at the edges) using a summed-area
/// table: dark if `v < mean * (100 - k) / 100`.
pub(crate) fn local_mean(img: &Luma, r: usize, k: u32) -> Option<BitMatrix> {
    let (w, h) = (img.width, img.height);
    let ii = integral(img);
    let stride = w + 1;
    let keep = u64::from(100 - k.min(100));
    pack_rows(w, h, |y, mask| {
        let (y0, y1) = (y.saturating_sub(r), (y + r + 1).min(h));
        let (top, bottom) = (
            &ii[y0 * stride..(y0 + 1) * stride],
            &ii[y1 * stride..(y1 + 1) * stride],
        );
        let rows = (y1 - y0) as u64;
        for (x, (&v, m)) in img.row(y).iter().zip(mask.iter_mut()).enumerate() {
            let (x0, x1) = (x.saturating_sub(r), (x + r + 1).min(w));
            let sum = bottom[x1]
                .wrapping_sub(bottom[x0])
                .wrapping_sub(top[x1])
                .wrapping_add(top[x0]);
            let n = rows * (x1 - x0) as u64;
            *m = u8::from(u64::from(v) * n * 100 < u64::from(sum) * keep);
        }
    })
}

/// Box blur of radius `r` (window `(2r+1)^2`, clamped at the edges) via a summed-area table.
pub(crate) fn box_blur(img: &Luma, r: usize) -> Luma<'static> {
    let (w, h) = (img.width, img.height);
    let ii = integral(img);
    let stride = w + 1;
    let mut out = vec![0u8; w * h];
    for (y, out_row) in out.chunks_exact_mut(w).enumerate() {
        let (y0, y1) = (y.saturating_sub(r), (y + r + 1).min(h));
        let (top, bottom) = (
            &ii[y0 * stride..(y0 + 1) * stride],
            &ii[y1 * stride..(y1 + 1) * stride],
        );
        let rows = (y1 - y0) as u32;
        for (x, o) in out_row.iter_mut().enumerate() {
            let (x0, x1) = (x.saturating_sub(r), (x + r + 1).min(w));
            let sum = bottom[x1]
                .wrapping_sub(bottom[x0])
                .wrapping_sub(top[x1])
                .wrapping_add(top[x0]);
            // A mean of u8 values fits u8.
            *o = (sum / (rows * (x1 - x0) as u32)) as u8;
        }
    }
    Luma::new(w, h, out)
}

/// Unsharp mask: `v + amount * (v - box_blur(v, r))`, amount in tenths.
pub(crate) fn sharpen(img: &Luma, r: usize, amount_tenths: i32) -> Luma<'static> {
    let blurred = box_blur(img, r);
    let out = img
        .data
        .iter()
        .zip(blurred.data.iter())
        .map(|(&v, &b)| {
            let v = i32::from(v);
            (v + amount_tenths * (v - i32::from(b)) / 10).clamp(0, 255) as u8
        })
        .collect::<Vec<u8>>();
    Luma::new(img.width, img.height, out)
}

/// Summed-area table, `(w + 1) x (h + 1)`, in wrapping `u32` arithmetic: the totals of a large
/// image overflow, but every window sum we take is far below 2^32, and wrapping differences of
/// wrapping sums are exact for such windows.
fn integral(img: &Luma) -> Vec<u32> {
    let w = img.width;
    let stride = w + 1;
    let mut ii = vec![0u32; stride * (img.height + 1)];
    for y in 0..img.height {
        let mut row = 0u32;
        let src = img.row(y);
        let (above, below) = ii.split_at_mut((y + 1) * stride);
        let above = &above[y * stride..];
        for x in 0..w {
            row = row.wrapping_add(u32::from(src[x]));
            below[x + 1] = above[x + 1].wrapping_add(row);
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

/// 2nd-98th percentile spread of luminance over every 4th pixel of every 4th row.
pub(crate) fn sampled_spread(img: &Luma) -> u8 {
    let mut hist = [0u64; 256];
    for y in (0..img.height).step_by(4) {
        for &v in img.row(y).iter().step_by(4) {
            hist[v as usize] += 1;
        }
    }
    percentile(&hist, 98).saturating_sub(percentile(&hist, 2))
}

/// Linear contrast stretch mapping the 1st..99th percentile to 0..255.
pub(crate) fn stretch(img: &Luma) -> Luma<'static> {
    let hist = histogram(&img.data);
    let lo = i32::from(percentile(&hist, 1));
    let hi = i32::from(percentile(&hist, 99)).max(lo + 1);
    let mut lut = [0u8; 256];
    for (v, out) in (0i32..).zip(lut.iter_mut()) {
        *out = (((v - lo) * 255) / (hi - lo)).clamp(0, 255) as u8;
    }
    Luma::new(
        img.width,
        img.height,
        img.data
            .iter()
            .map(|&v| lut[v as usize])
            .collect::<Vec<u8>>(),
    )
}

/// Downscale by an integer factor with area averaging.
pub(crate) fn downscale(img: &Luma, f: usize) -> Luma<'static> {
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
) -> Luma<'static> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn noise(w: usize, h: usize, seed: u32) -> Luma<'static> {
        let mut s = seed | 1;
        let data = (0..w * h)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                s as u8
            })
            .collect::<Vec<u8>>();
        Luma::new(w, h, data)
    }

    #[test]
    fn pack_word_maps_byte_i_to_bit_i() {
        let mut bytes = [0u8; WORD];
        for i in [0, 1, 7, 8, 33, WORD - 1] {
            bytes[i] = 1;
        }
        let word = pack_word(&bytes);
        for (i, &b) in bytes.iter().enumerate() {
            assert_eq!((word >> i) & 1, usize::from(b), "bit {i}");
        }
    }

    #[test]
    fn box_blur_matches_a_naive_mean_at_edges_and_inside() {
        let img = noise(37, 23, 7);
        let r = 3;
        let fast = box_blur(&img, r);
        for y in 0..img.height {
            for x in 0..img.width {
                let (mut s, mut n) = (0u32, 0u32);
                for yy in y.saturating_sub(r)..(y + r + 1).min(img.height) {
                    for xx in x.saturating_sub(r)..(x + r + 1).min(img.width) {
                        s += u32::from(img.px(xx, yy));
                        n += 1;
                    }
                }
                assert_eq!(fast.px(x, y), (s / n) as u8, "({x}, {y})");
            }
        }
    }

    #[test]
    fn binarizers_agree_with_their_definition() {
        let img = noise(70, 50, 3);
        let bits = local_mean(&img, 4, 10).expect("bits");
        let mean = box_blur(&img, 4);
        for y in 0..img.height {
            for x in 0..img.width {
                // dark iff v < 0.9 * mean (up to the integer rounding of the blurred mean)
                let v = u32::from(img.px(x, y)) * 100;
                let m = u32::from(mean.px(x, y)) * 90;
                if v + 90 < m {
                    assert!(bits.get(x as u32, y as u32), "({x}, {y}) dark");
                } else if v > m + 90 {
                    assert!(!bits.get(x as u32, y as u32), "({x}, {y}) light");
                }
            }
        }
        let t = otsu_threshold(&histogram(&img.data));
        let bits = otsu(&img).expect("bits");
        for y in 0..img.height {
            for x in 0..img.width {
                assert_eq!(bits.get(x as u32, y as u32), img.px(x, y) <= t);
            }
        }
    }

    #[test]
    fn hybrid_leaves_a_flat_frame_light_and_finds_a_dark_square() {
        let mut img = Luma::new(96, 64, vec![180u8; 96 * 64]);
        let flat = hybrid(&img, MIN_DYNAMIC_RANGE).expect("bits");
        assert!((0..64).all(|y| (0..96).all(|x| !flat.get(x, y))));
        let data = img.data.to_mut();
        for y in 20..40 {
            for x in 30..50 {
                data[y * 96 + x] = 20;
            }
        }
        let bits = hybrid(&img, MIN_DYNAMIC_RANGE).expect("bits");
        assert!(bits.get(40, 30));
        assert!(!bits.get(10, 10));
    }
}
