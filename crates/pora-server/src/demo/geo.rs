//! Bekasi regions for the demo: desa/kelurahan polygons (embedded from `data/wilayah`, MIT, see its
//! README) and uniform point sampling inside them.

use serde_json::Value;

use super::rng::Rng;

const DESA_GEOJSON: &str = include_str!("../../data/wilayah/bekasi_desa_kelurahan.geojson");
const WILAYAH_CSV: &str = include_str!("../../data/wilayah/bekasi_wilayah.csv");

/// A desa/kelurahan: code, name, outer rings as (lng, lat), bounding box.
#[derive(Clone, Debug)]
pub struct Desa {
    /// `PP.KK.CC.DDDD`.
    pub code: String,
    /// Name.
    pub name: String,
    rings: Vec<Vec<(f64, f64)>>,
    bbox: (f64, f64, f64, f64),
    centroid: (f64, f64),
}

/// Reads the embedded polygons.
pub fn load() -> anyhow::Result<Vec<Desa>> {
    let v: Value = serde_json::from_str(DESA_GEOJSON)?;
    let features = v["features"]
        .as_array()
        .ok_or_else(|| anyhow::anyhow!("no features"))?;
    let mut out = Vec::with_capacity(features.len());
    for f in features {
        let code = f["properties"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let name = f["properties"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let c = &f["properties"]["centroid"];
        let centroid = (c[0].as_f64().unwrap_or(0.0), c[1].as_f64().unwrap_or(0.0));
        let g = &f["geometry"];
        let polys: Vec<&Value> = match g["type"].as_str() {
            Some("Polygon") => vec![&g["coordinates"]],
            Some("MultiPolygon") => g["coordinates"]
                .as_array()
                .map(|a| a.iter().collect())
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        let mut rings = Vec::new();
        for p in polys {
            if let Some(outer) = p.get(0).and_then(Value::as_array) {
                let ring: Vec<(f64, f64)> = outer
                    .iter()
                    .filter_map(|pt| Some((pt.get(0)?.as_f64()?, pt.get(1)?.as_f64()?)))
                    .collect();
                if ring.len() >= 3 {
                    rings.push(ring);
                }
            }
        }
        let mut bbox = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for (x, y) in rings.iter().flatten() {
            bbox = (
                bbox.0.min(*x),
                bbox.1.min(*y),
                bbox.2.max(*x),
                bbox.3.max(*y),
            );
        }
        if code.len() == 13 && !rings.is_empty() {
            out.push(Desa {
                code,
                name,
                rings,
                bbox,
                centroid,
            });
        }
    }
    anyhow::ensure!(!out.is_empty(), "no desa polygons");
    Ok(out)
}

/// The region reference rows (code, name, level) from the CSV.
pub fn regions() -> Vec<(String, String, String)> {
    WILAYAH_CSV
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut it = l.splitn(3, ',');
            Some((
                it.next()?.to_owned(),
                it.next()?.to_owned(),
                it.next()?.trim().to_owned(),
            ))
        })
        .collect()
}

static INDEX: std::sync::OnceLock<Vec<Desa>> = std::sync::OnceLock::new();

/// The embedded polygons, read once (empty only if the embedded file were unreadable, which the
/// tests below rule out).
pub fn index() -> &'static [Desa] {
    INDEX.get_or_init(|| load().unwrap_or_default())
}

/// The desa/kelurahan containing (`lat`, `lng`), among the embedded ones.
pub fn locate(lat: f64, lng: f64) -> Option<&'static Desa> {
    index().iter().find(|d| {
        let (x0, y0, x1, y1) = d.bbox;
        (x0..=x1).contains(&lng) && (y0..=y1).contains(&lat) && d.contains((lng, lat))
    })
}

impl Desa {
    /// The kecamatan code (`PP.KK.CC`) of this desa/kelurahan.
    pub fn kecamatan(&self) -> &str {
        &self.code[..8]
    }
}

/// Even-odd ray casting.
pub fn inside(ring: &[(f64, f64)], p: (f64, f64)) -> bool {
    let mut c = false;
    let n = ring.len();
    let mut j = n - 1;
    for i in 0..n {
        let (xi, yi) = ring[i];
        let (xj, yj) = ring[j];
        if (yi > p.1) != (yj > p.1) && p.0 < (xj - xi) * (p.1 - yi) / (yj - yi) + xi {
            c = !c;
        }
        j = i;
    }
    c
}

impl Desa {
    /// Whether (lng, lat) lies inside.
    pub fn contains(&self, p: (f64, f64)) -> bool {
        self.rings.iter().any(|r| inside(r, p))
    }

    /// A uniform random point inside (rejection sampling in the bounding box; the centroid if 200
    /// tries miss, which only a degenerate polygon causes). Returns (lat, lng).
    pub fn sample(&self, rng: &mut Rng) -> (f64, f64) {
        for _ in 0..200 {
            let p = (
                rng.range_f64(self.bbox.0, self.bbox.2),
                rng.range_f64(self.bbox.1, self.bbox.3),
            );
            if self.contains(p) {
                return (round6(p.1), round6(p.0));
            }
        }
        (self.centroid.1, self.centroid.0)
    }
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn point_in_polygon() {
        let square = [(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0)];
        assert!(inside(&square, (1.0, 1.0)));
        assert!(!inside(&square, (3.0, 1.0)));
        assert!(!inside(&square, (1.0, -0.5)));
        let l_shape = [
            (0.0, 0.0),
            (2.0, 0.0),
            (2.0, 1.0),
            (1.0, 1.0),
            (1.0, 2.0),
            (0.0, 2.0),
        ];
        assert!(!inside(&l_shape, (1.5, 1.5)), "in the notch");
        assert!(inside(&l_shape, (0.5, 1.5)));
    }

    #[test]
    fn locate_finds_the_desa_of_its_own_samples() {
        let mut rng = Rng::new(7);
        for d in index().iter().take(25) {
            let (lat, lng) = d.sample(&mut rng);
            let found = locate(lat, lng).expect("inside some desa");
            assert_eq!(
                found.kecamatan(),
                d.kecamatan(),
                "{} at {lat},{lng}",
                d.code
            );
        }
        assert!(locate(0.0, 0.0).is_none());
    }

    #[test]
    fn samples_fall_inside_their_desa() {
        let desa = load().expect("embedded data");
        assert!(desa.len() > 200, "{}", desa.len());
        let mut rng = Rng::new(1);
        for d in desa.iter().step_by(20) {
            for _ in 0..5 {
                let (lat, lng) = d.sample(&mut rng);
                assert!(
                    d.contains((lng, lat)) || (lat, lng) == (d.centroid.1, d.centroid.0),
                    "{} {lat},{lng}",
                    d.code
                );
                assert!(
                    (-6.6..-5.9).contains(&lat) && (106.8..107.4).contains(&lng),
                    "{} outside Bekasi",
                    d.code
                );
            }
        }
        assert!(regions().iter().any(|r| r.0 == "32.16.06.2002"));
    }
}
