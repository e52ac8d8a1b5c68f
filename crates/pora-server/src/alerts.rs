//! The alert engine: what a verified check report (or a stay report, or a correction) tells the
//! supervisors, each alert with a one-sentence reason and its evidence as JSON.
//!
//! [`evaluate`] is a pure function of the report and what the server knows (the permit, its holder's
//! registered address, the written order, the place found by point-in-polygon), so every rule is
//! tested without a database. Chain alerts (`device_chain`) are raised by [`crate::ingest`], which
//! sees the device's stored chain.

use pora_core::report::{Basis, CheckReport};
use pora_store::field::{NewAlert, PermitFacts};
use pora_store::repo::WrittenOrder;
use serde_json::json;

use crate::demo::geo::Desa;

/// Outcome codes that mean the code shown in the field was not genuine.
pub const FORGED_CODES: &[&str] = &[
    "unknown_signer",
    "bad_signature",
    "signer_not_allowed",
    "malformed",
];

/// Overstay charge per day, rupiah.
pub const OVERSTAY_CHARGE_IDR: i64 = 1_000_000;

/// An expiring permit without an extension is flagged this many days ahead.
pub const EXPIRY_WINDOW_DAYS: i64 = 30;

/// Lookups of one person by one field officer within a day that raise `repeated_lookup` (the
/// hourly job in [`crate::audit::spawn_reminders`]).
pub const REPEATED_LOOKUPS: i64 = 5;

/// Tunable limits (from [`crate::ServerConfig`]).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Distance from the registered address that raises `away_from_address`, metres.
    pub away_distance_m: f64,
    /// Device clock vs GNSS time that raises `device_clock`, seconds.
    pub clock_skew_secs: i64,
}

/// The written order a report names, as the server found it.
#[derive(Clone, Copy, Debug)]
pub enum OrderFound<'a> {
    /// Caught in the act: no order named.
    None,
    /// Named, known, of the device's office and in force on the day of the check.
    InForce(&'a WrittenOrder),
    /// Named but unusable, with the reason.
    Refused(&'a str),
}

/// One verified report and what the server knows about it.
#[derive(Clone, Copy, Debug)]
pub struct Seen<'a> {
    /// The report.
    pub report: &'a CheckReport,
    /// Its id, hex.
    pub report_id: &'a str,
    /// Device row.
    pub device_id: i64,
    /// Officer.
    pub officer_id: i64,
    /// The device's office (the office that acts on the alert).
    pub office_id: i64,
    /// The permit the report links to (by number or document hash).
    pub permit: Option<&'a PermitFacts>,
    /// The written order.
    pub order: OrderFound<'a>,
    /// The desa/kelurahan of the reported position.
    pub place: Option<&'a Desa>,
    /// Whether the permit already has an open `expiring` alert (no second one is raised).
    pub expiring_alert_open: bool,
    /// When received (the alerts' time).
    pub now: i64,
}

/// Days since 1970-01-01 of the calendar date in WIB (UTC+7) at `t` (SPEC §2 day counts).
pub fn wib_day(t: i64) -> i64 {
    (t + 7 * 3600).div_euclid(86_400)
}

/// Great-circle distance in metres (haversine, mean Earth radius).
pub fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1) = (a.0.to_radians(), a.1.to_radians());
    let (la2, lo2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6_371_000.0 * h.sqrt().asin()
}

/// Why a place is away from a registered address, if it is: farther than `limit_m`, or in another
/// kecamatan. Returns (reason, evidence).
pub fn away_from_address(
    at: (f64, f64),
    place: Option<&Desa>,
    address: (Option<f64>, Option<f64>, Option<&str>),
    limit_m: f64,
) -> Option<(String, serde_json::Value)> {
    let distance = match address {
        (Some(lat), Some(lng), _) => Some(distance_m(at, (lat, lng))),
        _ => None,
    };
    let registered_kec = address.2.filter(|c| c.len() >= 8).map(|c| &c[..8]);
    let seen_kec = place.map(Desa::kecamatan);
    let far = distance.is_some_and(|d| d > limit_m);
    let other_kec = matches!((seen_kec, registered_kec), (Some(s), Some(r)) if s != r);
    if !far && !other_kec {
        return None;
    }
    let reason = match (far, other_kec) {
        (true, true) => format!(
            "seen {:.1} km from the registered address, in another kecamatan",
            distance.unwrap_or_default() / 1000.0
        ),
        (true, false) => format!(
            "seen {:.1} km from the registered address (limit {:.1} km)",
            distance.unwrap_or_default() / 1000.0,
            limit_m / 1000.0
        ),
        _ => "seen in another kecamatan than the registered address".to_owned(),
    };
    Some((
        reason,
        json!({
            "position": [at.0, at.1],
            "registered": [address.0, address.1],
            "distance_m": distance.map(|d| d.round()),
            "limit_m": limit_m,
            "kecamatan_seen": seen_kec,
            "kecamatan_registered": registered_kec,
            "desa_seen": place.map(|d| d.code.as_str()),
        }),
    ))
}

/// Whether a check at `position` (lat, lng), in desa/kelurahan `desa`, lies outside the area of
/// order `o`: its polygon when it has one, else its region code prefix. `None` when the order has no
/// area or the check's place is unknown.
///
/// An area built from kecamatan also holds every check whose desa (located on the detailed desa
/// polygons) belongs to one of them: the embedded kecamatan outlines are simplified, and near their
/// edges about one position in twenty fell outside its own kecamatan's outline.
pub fn outside_area(
    o: &WrittenOrder,
    position: Option<(f64, f64)>,
    desa: Option<&str>,
) -> Option<bool> {
    let in_named_kecamatan = || {
        desa.is_some_and(|d| {
            o.area_kecamatan.iter().any(|k| {
                d.strip_prefix(k.as_str())
                    .is_some_and(|rest| rest.starts_with('.'))
            })
        })
    };
    match (&o.area, &o.area_region_code) {
        (Some(area), _) => {
            position.map(|(lat, lng)| !area.contains(lat, lng) && !in_named_kecamatan())
        }
        (None, Some(prefix)) => desa.map(|d| !d.starts_with(prefix.as_str())),
        (None, None) => None,
    }
}

/// The alerts a verified report raises (chain alerts aside).
pub fn evaluate(s: &Seen<'_>, limits: Limits) -> Vec<NewAlert> {
    let r = s.report;
    let mut out = Vec::new();
    let mut raise = |kind: &str, reason: String, details: serde_json::Value, person: bool| {
        out.push(NewAlert {
            kind: kind.to_owned(),
            office_id: s.office_id,
            permit_id: if person { s.permit.map(|p| p.id) } else { None },
            foreigner_id: if person {
                s.permit.map(|p| p.foreigner_id)
            } else {
                None
            },
            check_id: None,
            device_id: Some(s.device_id),
            officer_id: Some(s.officer_id),
            report_id: Some(s.report_id.to_owned()),
            reason,
            details,
            at: s.now,
        });
    };
    let outcome = r.outcome.as_str();
    let position = r.position.map(|p| (p.lat(), p.lon()));
    if FORGED_CODES.contains(&outcome) {
        raise(
            "forged",
            format!("the device found the code not genuine ({outcome})"),
            json!({ "outcome": outcome, "warnings": r.warnings, "position": position, "device_time": r.device_time }),
            true,
        );
    }
    if s.permit.is_none() && !FORGED_CODES.contains(&outcome) && outcome != "not_our_format" {
        raise(
            "unknown_permit",
            "the checked document matches no permit in the registry".into(),
            json!({ "outcome": outcome, "doc_hash": hex::encode(r.doc_hash), "permit_number": r.permit_number }),
            false,
        );
    }
    if outcome == "incomplete" {
        raise(
            "incomplete",
            "the permit's data are incomplete".into(),
            json!({ "outcome": outcome }),
            true,
        );
    }
    let today = wib_day(r.device_time);
    if let Some(p) = s.permit {
        let until = pora_store::model::Date::parse("valid_until", &p.valid_until)
            .map(|d| d.days())
            .ok();
        let inactive = p.status != "active";
        if matches!(outcome, "revoked" | "suspended") || inactive {
            raise(
                "revoked_seen",
                format!(
                    "a permit that is {} was shown in the field",
                    if inactive { p.status.as_str() } else { outcome }
                ),
                json!({ "status": p.status, "outcome": outcome, "permit": p.number }),
                true,
            );
        } else if let Some(u) = until {
            if today > u {
                let days = today - u;
                raise(
                    "overstay",
                    format!(
                        "overstay of {days} days, charge Rp{}",
                        days * OVERSTAY_CHARGE_IDR
                    ),
                    json!({ "days": days, "charge_idr": days * OVERSTAY_CHARGE_IDR, "deportation": days > 60, "valid_until": p.valid_until }),
                    true,
                );
            } else if u - today <= EXPIRY_WINDOW_DAYS
                && p.has_successor == 0
                && !s.expiring_alert_open
            {
                raise(
                    "expiring",
                    format!(
                        "expires in {} days and no extension has been filed",
                        u - today
                    ),
                    json!({ "days_left": u - today, "valid_until": p.valid_until }),
                    true,
                );
            }
        }
        if let (Some(at), Some(pos)) = (position, r.position) {
            if f64::from(pos.accuracy_m) < limits.away_distance_m {
                if let Some((reason, ev)) = away_from_address(
                    at,
                    s.place,
                    (p.address_lat, p.address_lng, p.address_region.as_deref()),
                    limits.away_distance_m,
                ) {
                    raise("away_from_address", reason, ev, true);
                }
            }
        }
    }
    match (&r.basis, s.order) {
        (Basis::CaughtInAct, _) => raise(
            "check_without_order",
            "checked without a written order (caught in the act)".into(),
            json!({ "note": r.note, "position": position }),
            true,
        ),
        (Basis::Order(n), OrderFound::Refused(why)) => raise(
            "check_without_order",
            format!("written order {n} cannot cover this check: {why}"),
            json!({ "order": n, "problem": why }),
            true,
        ),
        (Basis::Order(_), OrderFound::InForce(o)) => {
            let desa = s.place.map(|d| d.code.as_str());
            if outside_area(o, position, desa) == Some(true) {
                let area = if o.area.is_some() {
                    "the planned area".to_owned()
                } else {
                    o.area_region_code.clone().unwrap_or_default()
                };
                raise(
                    "officer_outside_area",
                    format!(
                        "check outside the area of written order {} ({area})",
                        o.number
                    ),
                    json!({ "order": o.number, "area": area, "polygon": o.area.is_some(), "desa_seen": desa, "position": position }),
                    false,
                );
            }
        }
        (Basis::Order(_), OrderFound::None) => {}
    }
    if let Some(g) = r.gnss_time {
        let skew = r.device_time - g;
        if skew.abs() > limits.clock_skew_secs {
            raise(
                "device_clock",
                format!("device clock {skew} s off its GNSS time"),
                json!({ "device_time": r.device_time, "gnss_time": g, "skew_s": skew, "limit_s": limits.clock_skew_secs }),
                false,
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use pora_core::report::Position;

    const LIMITS: Limits = Limits {
        away_distance_m: 5_000.0,
        clock_skew_secs: 300,
    };
    // 2026-11-24 10:00 WIB.
    const T: i64 = 1_795_489_200;

    fn report(outcome: &str) -> CheckReport {
        CheckReport {
            report_id: [1; 16],
            device: "1".into(),
            officer: "field1".into(),
            seq: 0,
            prev: None,
            basis: Basis::Order("SP-1/2026".into()),
            device_time: T,
            gnss_time: Some(T),
            position: Position::from_degrees(-6.30, 107.15, 10.0),
            outcome: outcome.into(),
            warnings: vec![],
            trust_list_version: 1,
            status_list_at: None,
            doc_hash: [2; 32],
            permit_number: Some("2C21BKS0001".into()),
            note: None,
        }
    }

    fn permit(valid_until: &str, status: &str) -> PermitFacts {
        PermitFacts {
            id: 7,
            number: "2C21BKS0001".into(),
            foreigner_id: 3,
            niora: "7000000001".into(),
            status: status.into(),
            valid_until: valid_until.into(),
            issuing_office_id: 1,
            sponsor_name: None,
            employer_name: None,
            has_successor: 0,
            address_region: None,
            address_lat: Some(-6.30),
            address_lng: Some(107.15),
        }
    }

    fn order() -> WrittenOrder {
        WrittenOrder {
            id: 1,
            number: "SP-1/2026".into(),
            office_id: 1,
            title: "Operasi".into(),
            area_region_code: None,
            area: None,
            area_kecamatan: Vec::new(),
            starts_on: "2026-01-01".into(),
            ends_on: "2026-12-31".into(),
            status: "planned".into(),
        }
    }

    fn kinds(r: &CheckReport, p: Option<&PermitFacts>, o: OrderFound<'_>) -> Vec<String> {
        let s = Seen {
            report: r,
            report_id: "01",
            device_id: 1,
            officer_id: 2,
            office_id: 1,
            permit: p,
            order: o,
            place: None,
            expiring_alert_open: false,
            now: T,
        };
        evaluate(&s, LIMITS).into_iter().map(|a| a.kind).collect()
    }

    #[test]
    fn a_clean_check_raises_nothing() {
        let o = order();
        let p = permit("2027-06-30", "active");
        assert!(kinds(&report("valid"), Some(&p), OrderFound::InForce(&o)).is_empty());
    }

    #[test]
    fn overstay_counts_wib_days_and_charges() {
        let o = order();
        let p = permit("2026-11-20", "active");
        let r = report("expired");
        let s = Seen {
            report: &r,
            report_id: "01",
            device_id: 1,
            officer_id: 2,
            office_id: 1,
            permit: Some(&p),
            order: OrderFound::InForce(&o),
            place: None,
            expiring_alert_open: false,
            now: T,
        };
        let a = evaluate(&s, LIMITS);
        assert_eq!(a.len(), 1, "{a:?}");
        assert_eq!(a[0].kind, "overstay");
        assert_eq!(a[0].details["days"], 4);
        assert_eq!(a[0].details["charge_idr"], 4_000_000);
        assert_eq!(a[0].permit_id, Some(7));
    }

    #[test]
    fn forged_revoked_expiring_and_caught_in_act() {
        let o = order();
        assert_eq!(
            kinds(&report("bad_signature"), None, OrderFound::InForce(&o)),
            ["forged"]
        );
        let p = permit("2027-06-30", "cancelled");
        assert_eq!(
            kinds(&report("revoked"), Some(&p), OrderFound::InForce(&o)),
            ["revoked_seen"]
        );
        let p = permit("2026-12-10", "active");
        assert_eq!(
            kinds(&report("valid"), Some(&p), OrderFound::InForce(&o)),
            ["expiring"]
        );
        let mut extended = p.clone();
        extended.has_successor = 1;
        assert!(kinds(&report("valid"), Some(&extended), OrderFound::InForce(&o)).is_empty());
        let mut r = report("valid");
        r.basis = Basis::CaughtInAct;
        let p = permit("2027-06-30", "active");
        assert_eq!(
            kinds(&r, Some(&p), OrderFound::None),
            ["check_without_order"]
        );
        assert_eq!(
            kinds(
                &report("valid"),
                Some(&p),
                OrderFound::Refused("unknown written order")
            ),
            ["check_without_order"]
        );
        assert_eq!(
            kinds(&report("valid"), None, OrderFound::InForce(&o)),
            ["unknown_permit"]
        );
    }

    #[test]
    fn far_from_the_address_and_clock_skew() {
        let o = order();
        let mut p = permit("2027-06-30", "active");
        p.address_lat = Some(-6.20);
        p.address_lng = Some(107.00);
        let mut r = report("valid");
        r.gnss_time = Some(T - 3600);
        let k = kinds(&r, Some(&p), OrderFound::InForce(&o));
        assert_eq!(k, ["away_from_address", "device_clock"]);
        // A poor fix (accuracy above the limit) proves nothing about the distance.
        r.position = Position::from_degrees(-6.30, 107.15, 20_000.0);
        r.gnss_time = Some(T + 10);
        assert!(kinds(&r, Some(&p), OrderFound::InForce(&o)).is_empty());
    }

    #[test]
    fn away_uses_the_kecamatan_of_the_polygon() {
        let d = crate::demo::geo::index();
        let a = &d[0];
        let b = d
            .iter()
            .find(|x| x.kecamatan() != a.kecamatan())
            .expect("two kecamatan");
        let (why, ev) =
            away_from_address((-6.3, 107.1), Some(b), (None, None, Some(&a.code)), 5000.0)
                .expect("other kecamatan");
        assert!(why.contains("kecamatan"), "{why}");
        assert_eq!(ev["kecamatan_seen"], b.kecamatan());
        assert!(
            away_from_address((-6.3, 107.1), Some(a), (None, None, Some(&a.code)), 5000.0)
                .is_none()
        );
    }

    #[test]
    fn outside_the_area_uses_the_polygon_when_there_is_one() {
        let mut o = order();
        let mut r = report("valid");
        let p = permit("2027-06-30", "active");
        assert!(
            kinds(&r, Some(&p), OrderFound::InForce(&o)).is_empty(),
            "no area, no alert"
        );
        // A square around (-6.30, 107.15), the report's position.
        o.area = Some(
            pora_store::area::Area::from_geojson(
                "area",
                &json!({ "type": "Polygon", "coordinates": [[[107.1, -6.35], [107.2, -6.35], [107.2, -6.25], [107.1, -6.25], [107.1, -6.35]]] }),
            )
            .unwrap(),
        );
        // A region prefix that would say "outside" is ignored once there is a polygon.
        o.area_region_code = Some("32.75".into());
        assert!(kinds(&r, Some(&p), OrderFound::InForce(&o)).is_empty());
        r.position = Position::from_degrees(-6.20, 107.15, 10.0);
        let mut far = p.clone();
        far.address_lat = Some(-6.20);
        assert_eq!(
            kinds(&r, Some(&far), OrderFound::InForce(&o)),
            ["officer_outside_area"]
        );
        assert_eq!(outside_area(&o, None, None), None, "no position, no answer");
        // Outside the outline, but in a desa of a kecamatan the area was built from: inside.
        let (far_out, desa) = (Some((-6.20, 107.15)), Some("32.16.06.2002"));
        assert_eq!(outside_area(&o, far_out, desa), Some(true));
        o.area_kecamatan = vec!["32.16.06".into()];
        assert_eq!(outside_area(&o, far_out, desa), Some(false));
        assert_eq!(
            outside_area(&o, far_out, Some("32.16.061.2002")),
            Some(true),
            "a code prefix is not a kecamatan"
        );
        assert_eq!(outside_area(&o, far_out, Some("32.16.07.2002")), Some(true));
        o.area_kecamatan.clear();
        o.area = None;
        assert_eq!(
            outside_area(&o, Some((-6.2, 107.15)), Some("32.16.06.2002")),
            Some(true)
        );
        assert_eq!(
            outside_area(&o, Some((-6.2, 107.15)), Some("32.75.01.1001")),
            Some(false)
        );
    }

    #[test]
    fn distances() {
        let d = distance_m((-6.2, 107.0), (-6.3, 107.15));
        assert!((19_000.0..21_000.0).contains(&d), "{d}");
        assert_eq!(wib_day(17 * 3600 - 1), 0);
        assert_eq!(wib_day(17 * 3600), 1);
    }
}
