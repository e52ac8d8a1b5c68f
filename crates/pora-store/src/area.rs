//! An operation's area: one or more simple polygons in WGS84, parsed from GeoJSON (`Polygon` or
//! `MultiPolygon`, outer rings only), validated once at the edge, and asked "is this point inside?"
//! (even-odd ray casting, [`inside`], also used for the desa/kelurahan polygons of the map).
//!
//! What is refused, each with a reason naming the field: a ring that is not closed, fewer than 3 or
//! more than [`MAX_VERTICES`] distinct vertices, holes, a ring that crosses itself, a ring without
//! area, coordinates outside the WGS84 ranges. Whether the area lies where the office works (e.g.
//! inside Bekasi) is the caller's rule, checked against [`Area::bbox`].

use serde::Serialize;
use serde_json::{json, Value};

use crate::StoreError;

/// The most vertices of one ring.
pub const MAX_VERTICES: usize = 500;
/// The most rings (polygons) of one area.
pub const MAX_RINGS: usize = 128;

/// A validated area: outer rings as (lng, lat), each without the closing vertex.
#[derive(Clone, Debug, PartialEq)]
pub struct Area {
    rings: Vec<Vec<(f64, f64)>>,
}

fn invalid(field: &'static str, reason: impl Into<String>) -> StoreError {
    StoreError::Invalid {
        field,
        reason: reason.into(),
    }
}

/// Even-odd ray casting: whether `p` (x, y) lies inside `ring` (closed or not).
pub fn inside(ring: &[(f64, f64)], p: (f64, f64)) -> bool {
    let mut c = false;
    let n = ring.len();
    if n < 3 {
        return false;
    }
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

/// Twice the signed area of a ring (shoelace).
fn twice_area(ring: &[(f64, f64)]) -> f64 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (x0, y0) = ring[i];
            let (x1, y1) = ring[(i + 1) % n];
            x0 * y1 - x1 * y0
        })
        .sum()
}

fn orient(a: (f64, f64), b: (f64, f64), c: (f64, f64)) -> f64 {
    (b.0 - a.0) * (c.1 - a.1) - (b.1 - a.1) * (c.0 - a.0)
}

/// Whether segments ab and cd cross or touch (collinear overlaps included).
fn segments_meet(a: (f64, f64), b: (f64, f64), c: (f64, f64), d: (f64, f64)) -> bool {
    let (d1, d2) = (orient(c, d, a), orient(c, d, b));
    let (d3, d4) = (orient(a, b, c), orient(a, b, d));
    if ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
    {
        return true;
    }
    let on = |p: (f64, f64), q: (f64, f64), r: (f64, f64)| {
        r.0 >= p.0.min(q.0) && r.0 <= p.0.max(q.0) && r.1 >= p.1.min(q.1) && r.1 <= p.1.max(q.1)
    };
    (d1 == 0.0 && on(c, d, a))
        || (d2 == 0.0 && on(c, d, b))
        || (d3 == 0.0 && on(a, b, c))
        || (d4 == 0.0 && on(a, b, d))
}

/// Whether two non-adjacent edges of the (open) ring meet.
fn self_intersects(ring: &[(f64, f64)]) -> bool {
    let n = ring.len();
    for i in 0..n {
        let (a, b) = (ring[i], ring[(i + 1) % n]);
        for j in i + 1..n {
            // Adjacent edges share a vertex by construction.
            if j == i + 1 || (i == 0 && j == n - 1) {
                continue;
            }
            if segments_meet(a, b, ring[j], ring[(j + 1) % n]) {
                return true;
            }
        }
    }
    false
}

fn point(field: &'static str, v: &Value) -> Result<(f64, f64), StoreError> {
    let a = v
        .as_array()
        .filter(|a| a.len() == 2 || a.len() == 3)
        .ok_or_else(|| invalid(field, "a position is [longitude, latitude]"))?;
    let (Some(x), Some(y)) = (a[0].as_f64(), a[1].as_f64()) else {
        return Err(invalid(
            field,
            "a position is [longitude, latitude] numbers",
        ));
    };
    if !(-180.0..=180.0).contains(&x) || !(-90.0..=90.0).contains(&y) {
        return Err(invalid(
            field,
            format!("position [{x}, {y}] is outside WGS84 (longitude first)"),
        ));
    }
    Ok((x, y))
}

/// One GeoJSON polygon (an array of rings): its outer ring, checked.
fn polygon(field: &'static str, v: &Value) -> Result<Vec<(f64, f64)>, StoreError> {
    let rings = v
        .as_array()
        .ok_or_else(|| invalid(field, "a polygon is an array of rings"))?;
    match rings.len() {
        0 => return Err(invalid(field, "a polygon needs its outer ring")),
        1 => {}
        _ => {
            return Err(invalid(
                field,
                "holes are not supported: give the outer ring only",
            ))
        }
    }
    let pts = rings[0]
        .as_array()
        .ok_or_else(|| invalid(field, "a ring is an array of positions"))?
        .iter()
        .map(|p| point(field, p))
        .collect::<Result<Vec<_>, _>>()?;
    if pts.len() < 4 {
        return Err(invalid(
            field,
            "a ring needs at least 3 corners and the first repeated at the end",
        ));
    }
    if pts.first() != pts.last() {
        return Err(invalid(
            field,
            "the ring is not closed: its last position must repeat the first",
        ));
    }
    let mut ring = pts[..pts.len() - 1].to_vec();
    ring.dedup();
    if ring.len() < 3 {
        return Err(invalid(field, "a ring needs at least 3 distinct corners"));
    }
    if ring.len() > MAX_VERTICES {
        return Err(invalid(
            field,
            format!("{} corners; at most {MAX_VERTICES}", ring.len()),
        ));
    }
    if self_intersects(&ring) {
        return Err(invalid(field, "the ring crosses itself"));
    }
    if twice_area(&ring).abs() < 1e-12 {
        return Err(invalid(field, "the ring encloses no area"));
    }
    Ok(ring)
}

impl Area {
    /// Parses a GeoJSON geometry (`Polygon` or `MultiPolygon`; a `Feature` is unwrapped).
    pub fn from_geojson(field: &'static str, v: &Value) -> Result<Self, StoreError> {
        let g = if v["type"] == "Feature" {
            &v["geometry"]
        } else {
            v
        };
        let rings = match g["type"].as_str() {
            Some("Polygon") => vec![polygon(field, &g["coordinates"])?],
            Some("MultiPolygon") => g["coordinates"]
                .as_array()
                .ok_or_else(|| invalid(field, "a MultiPolygon's coordinates are polygons"))?
                .iter()
                .map(|p| polygon(field, p))
                .collect::<Result<Vec<_>, _>>()?,
            _ => {
                return Err(invalid(
                    field,
                    "want a GeoJSON Polygon or MultiPolygon geometry",
                ))
            }
        };
        Self::from_rings(field, rings)
    }

    /// An area from open rings of (lng, lat) already checked one by one (e.g. region polygons).
    pub fn from_rings(
        field: &'static str,
        rings: Vec<Vec<(f64, f64)>>,
    ) -> Result<Self, StoreError> {
        if rings.is_empty() {
            return Err(invalid(field, "an area needs at least one polygon"));
        }
        if rings.len() > MAX_RINGS {
            return Err(invalid(
                field,
                format!("{} polygons; at most {MAX_RINGS}", rings.len()),
            ));
        }
        if rings.iter().any(|r| r.len() < 3) {
            return Err(invalid(field, "a ring needs at least 3 distinct corners"));
        }
        Ok(Area { rings })
    }

    /// Reads an area as stored by [`Area::to_geojson`].
    pub fn from_stored(text: &str) -> Result<Self, StoreError> {
        let v: Value = serde_json::from_str(text).map_err(|_| StoreError::Corrupt {
            column: "area_geojson",
            value: text.chars().take(60).collect(),
        })?;
        Self::from_geojson("area", &v)
    }

    /// The area as a GeoJSON geometry (`Polygon` for one ring, else `MultiPolygon`; rings closed).
    pub fn to_geojson(&self) -> Value {
        let closed = |r: &Vec<(f64, f64)>| {
            let mut v: Vec<[f64; 2]> = r.iter().map(|&(x, y)| [x, y]).collect();
            v.push([r[0].0, r[0].1]);
            v
        };
        if let [one] = self.rings.as_slice() {
            json!({ "type": "Polygon", "coordinates": [closed(one)] })
        } else {
            json!({ "type": "MultiPolygon", "coordinates": self.rings.iter().map(|r| vec![closed(r)]).collect::<Vec<_>>() })
        }
    }

    /// Whether (`lat`, `lng`) lies inside one of the polygons.
    pub fn contains(&self, lat: f64, lng: f64) -> bool {
        self.rings.iter().any(|r| inside(r, (lng, lat)))
    }

    /// (min lng, min lat, max lng, max lat).
    pub fn bbox(&self) -> (f64, f64, f64, f64) {
        let mut b = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for &(x, y) in self.rings.iter().flatten() {
            b = (b.0.min(x), b.1.min(y), b.2.max(x), b.3.max(y));
        }
        b
    }

    /// Corners over all polygons.
    pub fn vertices(&self) -> usize {
        self.rings.iter().map(Vec::len).sum()
    }
}

impl Serialize for Area {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_geojson().serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poly(coords: Value) -> Result<Area, StoreError> {
        Area::from_geojson("area", &json!({ "type": "Polygon", "coordinates": coords }))
    }

    fn reason(r: Result<Area, StoreError>) -> String {
        match r {
            Err(StoreError::Invalid { field, reason }) => {
                assert_eq!(field, "area");
                reason
            }
            other => panic!("want Invalid, got {other:?}"),
        }
    }

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
        assert!(
            !inside(&square[..2], (1.0, 0.0)),
            "two points enclose nothing"
        );
    }

    #[test]
    fn a_closed_simple_ring_round_trips_and_answers_inside() {
        let a = poly(json!([[
            [107.0, -6.3],
            [107.1, -6.3],
            [107.1, -6.2],
            [107.0, -6.2],
            [107.0, -6.3]
        ]]))
        .unwrap();
        assert!(a.contains(-6.25, 107.05));
        assert!(!a.contains(-6.25, 107.15));
        assert_eq!(a.vertices(), 4);
        assert_eq!(a.bbox(), (107.0, -6.3, 107.1, -6.2));
        let again = Area::from_stored(&a.to_geojson().to_string()).unwrap();
        assert_eq!(again, a);
        let multi = Area::from_geojson(
            "area",
            &json!({ "type": "Feature", "geometry": { "type": "MultiPolygon", "coordinates": [
                [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]],
                [[[5.0, 5.0], [6.0, 5.0], [6.0, 6.0], [5.0, 5.0]]]
            ] } }),
        )
        .unwrap();
        assert!(multi.contains(5.2, 5.8) && multi.contains(0.2, 0.8) && !multi.contains(3.0, 3.0));
        assert_eq!(multi.to_geojson()["type"], "MultiPolygon");
    }

    #[test]
    fn bad_rings_are_refused_with_a_reason() {
        let open = reason(poly(json!([[
            [0.0, 0.0],
            [1.0, 0.0],
            [1.0, 1.0],
            [0.0, 1.0]
        ]])));
        assert!(open.contains("not closed"), "{open}");
        let short = reason(poly(json!([[[0.0, 0.0], [1.0, 0.0], [0.0, 0.0]]])));
        assert!(short.contains("at least 3"), "{short}");
        let bow_tie = reason(poly(json!([[
            [0.0, 0.0],
            [1.0, 1.0],
            [1.0, 0.0],
            [0.0, 1.0],
            [0.0, 0.0]
        ]])));
        assert!(bow_tie.contains("crosses itself"), "{bow_tie}");
        let flat = reason(poly(json!([[
            [0.0, 0.0],
            [1.0, 0.0],
            [2.0, 0.0],
            [0.0, 0.0]
        ]])));
        assert!(
            flat.contains("no area") || flat.contains("crosses"),
            "{flat}"
        );
        let holes = reason(poly(json!([
            [[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 0.0]],
            [[1.0, 1.0], [2.0, 1.0], [2.0, 2.0], [1.0, 1.0]]
        ])));
        assert!(holes.contains("holes"), "{holes}");
        let lat_first = reason(poly(json!([[
            [-6.3, 107.0],
            [-6.3, 107.1],
            [-6.2, 107.1],
            [-6.3, 107.0]
        ]])));
        assert!(lat_first.contains("longitude first"), "{lat_first}");
        let mut many: Vec<[f64; 2]> = (0..=MAX_VERTICES)
            .map(|i| {
                let a = i as f64 / (MAX_VERTICES + 1) as f64 * std::f64::consts::TAU;
                [a.cos(), a.sin()]
            })
            .collect();
        many.push(many[0]);
        let big = reason(poly(json!([many])));
        assert!(big.contains("at most"), "{big}");
        let point = reason(Area::from_geojson(
            "area",
            &json!({ "type": "Point", "coordinates": [0, 0] }),
        ));
        assert!(point.contains("Polygon"), "{point}");
        let text = reason(poly(json!("x")));
        assert!(text.contains("array of rings"), "{text}");
        assert!(matches!(
            Area::from_stored("{not json"),
            Err(StoreError::Corrupt {
                column: "area_geojson",
                ..
            })
        ));
    }
}
