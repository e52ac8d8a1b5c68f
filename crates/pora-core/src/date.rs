//! Calendar dates and the date boundary rule that turns permit dates into instants.
//!
//! A permit's dates are calendar dates in Indonesia, which spans three time zones: WIB (UTC+7),
//! WITA (UTC+8) and WIT (UTC+9). The rule (docs/SPEC.md, "Dates and time zones"): a permit valid from
//! date F and until date U is valid from the first instant it is date F anywhere in Indonesia
//! (F 00:00 WIT) up to, not including, the first instant it is no longer date U anywhere in Indonesia
//! ((U+1) 00:00 WIB). Day counts (days to expiry, days overstayed) use the calendar date in WIB.

use core::fmt;

/// Seconds in a day.
pub const DAY: i64 = 86_400;
/// UTC offset of WIB (Waktu Indonesia Barat), seconds.
pub const WIB: i64 = 7 * 3600;
/// UTC offset of WITA (Waktu Indonesia Tengah), seconds.
pub const WITA: i64 = 8 * 3600;
/// UTC offset of WIT (Waktu Indonesia Timur), seconds.
pub const WIT: i64 = 9 * 3600;

/// A calendar date, as days since 1970-01-01 (RFC 8943 tag 100 semantics, without the tag).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub i32);

/// Why a text is not a date.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DateError {
    /// Not of the form `YYYY-MM-DD`.
    Format,
    /// A month or day that does not exist.
    OutOfRange,
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Format => f.write_str("expected a date as YYYY-MM-DD"),
            Self::OutOfRange => f.write_str("no such calendar date"),
        }
    }
}

impl core::error::Error for DateError {}

impl Date {
    /// The date of year, month (1-12) and day (1-31), if it exists (years 1..=9999).
    pub fn from_ymd(y: i32, m: u32, d: u32) -> Result<Self, DateError> {
        if !(1..=9999).contains(&y) || !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
            return Err(DateError::OutOfRange);
        }
        // Howard Hinnant's days_from_civil.
        let y = if m <= 2 { y - 1 } else { y } as i64;
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m as i64 + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Ok(Date((era * 146_097 + doe - 719_468) as i32))
    }

    /// Year, month, day.
    pub fn ymd(self) -> (i32, u32, u32) {
        let z = self.0 as i64 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = (yoe + era * 400 + if m <= 2 { 1 } else { 0 }) as i32;
        (y, m, d)
    }

    /// Parses `YYYY-MM-DD` strictly (four-digit year, two-digit month and day).
    pub fn parse(s: &str) -> Result<Self, DateError> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(DateError::Format);
        }
        let num = |r: core::ops::Range<usize>| -> Result<u32, DateError> {
            let part = &s[r];
            if !part.bytes().all(|c| c.is_ascii_digit()) {
                return Err(DateError::Format);
            }
            part.parse().map_err(|_| DateError::Format)
        };
        Date::from_ymd(num(0..4)? as i32, num(5..7)?, num(8..10)?)
    }

    /// The calendar date at `unix` seconds in a zone `offset` seconds east of UTC.
    pub fn at(unix: i64, offset: i64) -> Self {
        Date((unix + offset).div_euclid(DAY) as i32)
    }

    /// The instant this date begins in a zone `offset` seconds east of UTC.
    pub fn start_in(self, offset: i64) -> i64 {
        self.0 as i64 * DAY - offset
    }

    /// The first instant of validity of a permit valid from this date: 00:00 WIT.
    pub fn validity_start(self) -> i64 {
        self.start_in(WIT)
    }

    /// The instant validity ends (exclusive) for a permit valid until this date: next day 00:00 WIB.
    pub fn validity_end(self) -> i64 {
        Date(self.0 + 1).start_in(WIB)
    }

    /// The valid-from date whose [`Date::validity_start`] is `t`, if `t` is such an instant.
    pub fn from_validity_start(t: i64) -> Option<Self> {
        let d = Date::at(t, WIT);
        (d.validity_start() == t).then_some(d)
    }

    /// The valid-until date whose [`Date::validity_end`] is `t`, if `t` is such an instant.
    pub fn from_validity_end(t: i64) -> Option<Self> {
        let d = Date(Date::at(t, WIB).0 - 1);
        (d.validity_end() == t).then_some(d)
    }
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <alloc::string::String as serde::Deserialize>::deserialize(d)?;
        Date::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn civil_round_trip_and_known_days() {
        assert_eq!(Date::from_ymd(1970, 1, 1).unwrap(), Date(0));
        assert_eq!(Date::from_ymd(2000, 3, 1).unwrap(), Date(11_017));
        assert_eq!(
            Date::from_ymd(1960, 2, 29).unwrap().to_string(),
            "1960-02-29"
        );
        for n in [-40_000, -1, 0, 1, 20_000, 2_932_896] {
            let (y, m, d) = Date(n).ymd();
            assert_eq!(Date::from_ymd(y, m, d).unwrap(), Date(n));
        }
    }

    #[test]
    fn parse_is_strict() {
        assert_eq!(Date::parse("2027-03-31").unwrap().to_string(), "2027-03-31");
        for bad in [
            "2027-3-31",
            "2027-02-29",
            "27-03-31",
            "2027-13-01",
            "2027-00-10",
            "+027-03-31",
            "2027/03/31",
        ] {
            assert!(Date::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn boundary_instants() {
        let d = Date::parse("2027-03-31").unwrap();
        // 2027-03-31 00:00 WIT = 2027-03-30 15:00 UTC.
        assert_eq!(d.validity_start(), Date(d.0 - 1).start_in(0) + 15 * 3600);
        // Valid until 2027-03-31 ends at 2027-04-01 00:00 WIB = 2027-03-31 17:00 UTC.
        assert_eq!(d.validity_end(), d.start_in(0) + 17 * 3600);
        assert_eq!(Date::from_validity_start(d.validity_start()), Some(d));
        assert_eq!(Date::from_validity_end(d.validity_end()), Some(d));
        assert_eq!(Date::from_validity_end(d.validity_end() + 1), None);
        assert_eq!(Date::from_validity_start(d.validity_start() - 1), None);
    }
}
