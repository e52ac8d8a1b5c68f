//! Bekasi regions: desa/kelurahan and kecamatan polygons (embedded from `data/wilayah`, MIT, see its
//! README), point-in-polygon look-up, and uniform point sampling inside them for the demo.

use pora_store::area::inside;
use serde_json::Value;

use super::rng::Rng;

const DESA_GEOJSON: &str = include_str!("../../data/wilayah/bekasi_desa_kelurahan.geojson");
const KECAMATAN_GEOJSON: &str = include_str!("../../data/wilayah/bekasi_kecamatan.geojson");
const WILAYAH_CSV: &str = include_str!("../../data/wilayah/bekasi_wilayah.csv");

/// A region polygon — a desa/kelurahan ([`index`]) or a kecamatan ([`kecamatan_index`]): code,
/// name, outer rings as (lng, lat), bounding box.
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

/// Reads the embedded desa/kelurahan polygons.
pub fn load() -> anyhow::Result<Vec<Desa>> {
    parse(DESA_GEOJSON, 13)
}

/// Reads region polygons whose codes have `code_len` characters.
fn parse(geojson: &str, code_len: usize) -> anyhow::Result<Vec<Desa>> {
    let v: Value = serde_json::from_str(geojson)?;
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
        if code.len() == code_len && !rings.is_empty() {
            out.push(Desa {
                code,
                name,
                rings,
                bbox,
                centroid,
            });
        }
    }
    anyhow::ensure!(!out.is_empty(), "no region polygons");
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

static KECAMATAN: std::sync::OnceLock<Vec<Desa>> = std::sync::OnceLock::new();

/// The embedded kecamatan polygons, read once (the tests below rule out an unreadable file).
pub fn kecamatan_index() -> &'static [Desa] {
    KECAMATAN.get_or_init(|| parse(KECAMATAN_GEOJSON, 8).unwrap_or_default())
}

/// The kecamatan with code `PP.KK.CC`.
pub fn kecamatan(code: &str) -> Option<&'static Desa> {
    kecamatan_index().iter().find(|k| k.code == code)
}

/// The extent of the embedded regions (min lng, min lat, max lng, max lat).
pub fn extent() -> (f64, f64, f64, f64) {
    kecamatan_index()
        .iter()
        .map(|k| k.bbox)
        .fold((f64::MAX, f64::MAX, f64::MIN, f64::MIN), |a, b| {
            (a.0.min(b.0), a.1.min(b.1), a.2.max(b.2), a.3.max(b.3))
        })
}

impl Desa {
    /// Whether (lng, lat) lies inside.
    pub fn contains(&self, p: (f64, f64)) -> bool {
        self.rings.iter().any(|r| inside(r, p))
    }

    /// The outer rings as (lng, lat), as given (the closing vertex repeated).
    pub fn rings(&self) -> &[Vec<(f64, f64)>] {
        &self.rings
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
    fn kecamatan_polygons_hold_their_desa() {
        let kec = kecamatan_index();
        assert_eq!(kec.len(), 35, "35 kecamatan in Kota and Kabupaten Bekasi");
        let (x0, y0, x1, y1) = extent();
        assert!(
            x0 > 106.8 && x1 < 107.4 && y0 > -6.6 && y1 < -5.9,
            "{:?}",
            extent()
        );
        let hits = index()
            .iter()
            .filter(|d| kecamatan(d.kecamatan()).is_some_and(|k| k.contains(d.centroid)))
            .count();
        // The outlines are simplified separately, so a sliver desa may poke out of its kecamatan.
        assert!(
            hits * 10 >= index().len() * 9,
            "{hits} of {} desa centroids inside their kecamatan",
            index().len()
        );
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
