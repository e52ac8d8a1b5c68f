//! Finding regions likely to hold a code (clusters of finder patterns, textured areas) so that the
//! expensive retries run on a crop instead of the whole frame.

/// An axis-aligned rectangle in input-image pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rect {
    pub x: usize,
    pub y: usize,
    pub w: usize,
    pub h: usize,
}

impl Rect {
    fn from_bounds(x0: f32, y0: f32, x1: f32, y1: f32, img_w: usize, img_h: usize) -> Option<Self> {
        let x0 = x0.max(0.0) as usize;
        let y0 = y0.max(0.0) as usize;
        let x1 = (x1.max(0.0) as usize).min(img_w);
        let y1 = (y1.max(0.0) as usize).min(img_h);
        (x1 > x0 + 20 && y1 > y0 + 20).then_some(Self {
            x: x0,
            y: y0,
            w: x1 - x0,
            h: y1 - y0,
        })
    }

    /// True if the point lies inside.
    pub fn contains(&self, x: f32, y: f32) -> bool {
        x >= self.x as f32
            && y >= self.y as f32
            && x < (self.x + self.w) as f32
            && y < (self.y + self.h) as f32
    }

    /// Intersection over the smaller area, 0..=1.
    pub fn overlap(&self, o: &Rect) -> f32 {
        let ix = (self.x + self.w)
            .min(o.x + o.w)
            .saturating_sub(self.x.max(o.x));
        let iy = (self.y + self.h)
            .min(o.y + o.h)
            .saturating_sub(self.y.max(o.y));
        let small = (self.w * self.h).min(o.w * o.h).max(1);
        (ix * iy) as f32 / small as f32
    }
}

/// A region, the module size expected in it (pixels) when known, and how many finder patterns
/// support it.
pub(crate) type Region = (Rect, Option<f32>, usize);

/// Regions around clusters of finder patterns (`(x, y, module_px)` in input pixels), most
/// patterns first.
pub(crate) fn around_patterns(
    patterns: &[(f32, f32, f32)],
    img_w: usize,
    img_h: usize,
) -> Vec<Region> {
    let mut clusters: Vec<Vec<(f32, f32, f32)>> = Vec::new();
    for &p in patterns {
        let near = clusters.iter_mut().find(|c| {
            c.iter().any(|q| {
                let d = ((p.0 - q.0).powi(2) + (p.1 - q.1).powi(2)).sqrt();
                d < 80.0 * p.2.max(q.2) && (p.2 / q.2).clamp(0.5, 2.0) == p.2 / q.2
            })
        });
        match near {
            Some(c) => {
                if !c
                    .iter()
                    .any(|q| (p.0 - q.0).abs() < 2.0 * q.2 && (p.1 - q.1).abs() < 2.0 * q.2)
                {
                    c.push(p);
                }
            }
            None => clusters.push(vec![p]),
        }
    }
    clusters.sort_by_key(|c| std::cmp::Reverse(c.len()));
    clusters
        .iter()
        .filter_map(|c| {
            let mut m: Vec<f32> = c.iter().map(|p| p.2).collect();
            m.sort_by(f32::total_cmp);
            let module = m[m.len() / 2];
            // Include every parallelogram completion a + b - c so the fourth corner is covered.
            let mut pts: Vec<(f32, f32)> = c.iter().map(|p| (p.0, p.1)).collect();
            if c.len() >= 3 {
                for a in c.iter().take(6) {
                    for b in c.iter().take(6) {
                        for d in c.iter().take(6) {
                            if a != b && b != d && a != d {
                                pts.push((a.0 + b.0 - d.0, a.1 + b.1 - d.1));
                            }
                        }
                    }
                }
            }
            let pad = if c.len() >= 3 { 8.0 } else { 60.0 } * module;
            let (x0, y0, x1, y1) = pts.iter().fold(
                (f32::MAX, f32::MAX, f32::MIN, f32::MIN),
                |(a, b, c, d), p| (a.min(p.0), b.min(p.1), c.max(p.0), d.max(p.1)),
            );
            Rect::from_bounds(x0 - pad, y0 - pad, x1 + pad, y1 + pad, img_w, img_h)
                .map(|r| (r, Some(module), c.len()))
        })
        .collect()
}

const TILE: usize = 16;

/// Connected areas of 16x16 tiles with strong local contrast (cards, codes, text), largest first.
pub(crate) fn textured(data: &[u8], w: usize, h: usize) -> Vec<Region> {
    let (tw, th) = (w / TILE, h / TILE);
    if tw < 2 || th < 2 {
        return Vec::new();
    }
    let mut range = vec![0u8; tw * th];
    for ty in 0..th {
        for tx in 0..tw {
            let (mut lo, mut hi) = (255u8, 0u8);
            // Every second row and column is enough to see texture.
            for y in (ty * TILE..(ty + 1) * TILE).step_by(2) {
                for &v in data[y * w + tx * TILE..y * w + (tx + 1) * TILE]
                    .iter()
                    .step_by(2)
                {
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
            }
            range[ty * tw + tx] = hi - lo;
        }
    }
    let mut sorted = range.clone();
    sorted.sort_unstable();
    let p90 = sorted[sorted.len() * 9 / 10];
    let thr = (u32::from(p90) * 2 / 5).max(10) as u8;
    let mut label = vec![0u32; tw * th];
    let mut comps: Vec<(usize, usize, usize, usize, usize)> = Vec::new();
    let mut stack = Vec::new();
    for start in 0..tw * th {
        if range[start] < thr || label[start] != 0 {
            continue;
        }
        let id = comps.len() as u32 + 1;
        label[start] = id;
        stack.push(start);
        let (mut n, mut x0, mut y0, mut x1, mut y1) = (0, tw, th, 0, 0);
        while let Some(i) = stack.pop() {
            let (x, y) = (i % tw, i / tw);
            n += 1;
            x0 = x0.min(x);
            y0 = y0.min(y);
            x1 = x1.max(x);
            y1 = y1.max(y);
            let mut visit = |j: usize| {
                if range[j] >= thr && label[j] == 0 {
                    label[j] = id;
                    stack.push(j);
                }
            };
            if x > 0 {
                visit(i - 1);
            }
            if x + 1 < tw {
                visit(i + 1);
            }
            if y > 0 {
                visit(i - tw);
            }
            if y + 1 < th {
                visit(i + tw);
            }
        }
        comps.push((n, x0, y0, x1, y1));
    }
    comps.sort_by_key(|c| std::cmp::Reverse(c.0));
    comps
        .iter()
        .filter(|c| c.0 >= 6)
        .take(3)
        .filter_map(|&(_, x0, y0, x1, y1)| {
            let t = TILE as f32;
            Rect::from_bounds(
                (x0 as f32 - 1.0) * t,
                (y0 as f32 - 1.0) * t,
                (x1 as f32 + 2.0) * t,
                (y1 as f32 + 2.0) * t,
                w,
                h,
            )
            .map(|r| (r, None, 0))
        })
        .collect()
}
